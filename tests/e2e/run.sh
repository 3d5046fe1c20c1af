#!/usr/bin/env bash
# Browser suite: the web UI in Debian's headless Chromium, driven by playwright-core,
# against a fresh `frontline demo` server on a free loopback port.
#
#   bash tests/e2e/run.sh            # from anywhere
#
# Installs what it needs (Debian's chromium and CJK fonts, the npm lockfile's packages),
# builds the binary, starts the server on a new temporary data directory, runs the
# tests with plain `node --test`, and stops the server. Exits non-zero on any failure.
# Screenshots and the server log go to tests/e2e/test-results/ (not committed).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RESULTS="$HERE/test-results"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
mkdir -p "$RESULTS"

need_apt=()
[ -x "$CHROMIUM" ] || need_apt+=(chromium)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  need_apt+=(fonts-noto-cjk)
fi
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "== installing ${need_apt[*]} (Debian packages) =="
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" fonts-noto-cjk >/dev/null
fi
[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM" >&2; exit 1; }

echo "== npm packages =="
cd "$HERE"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

echo "== building frontline =="
cd "$ROOT"
cargo build --bin frontline
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
BIN="$TARGET_DIR/debug/frontline"

DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/frontline-e2e.XXXXXX")"
# Port 0 by default: the server binds a free port itself (no window in which another
# process could take one picked in advance) and prints its address, read from the log.
LISTEN="127.0.0.1:${FRONTLINE_E2E_PORT:-0}"
LOG="$RESULTS/server.log"
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT INT TERM

echo "== starting frontline demo on $LISTEN (data in $DATA_DIR) =="
"$BIN" demo --data-dir "$DATA_DIR" --listen "$LISTEN" >"$LOG" 2>&1 &
SERVER_PID=$!
URL=""

healthy() {
  node -e 'fetch(process.argv[1]).then(r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$URL/healthz"
}
ready=""
for _ in $(seq 1 120); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "frontline demo exited before it was ready; its log:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  if [ -z "$URL" ]; then
    URL="$(grep -m1 -o 'Frontline listening on http://[0-9.:]*' "$LOG" | sed 's/^Frontline listening on //' || true)"
  fi
  if [ -n "$URL" ] && healthy; then ready=1; break; fi
  sleep 1
done
if [ -z "$ready" ]; then
  echo "frontline demo did not answer ${URL:-(no address yet)}/healthz within 120 s; its log:" >&2
  cat "$LOG" >&2
  exit 1
fi
grep -m1 "http://" "$LOG" || true

# A second demo with short windows for totp.test.mjs (re-authentication and the idle
# timeout are waited out in seconds there; the suite above keeps the defaults). The
# re-authentication window is the shorter, so that waiting it out keeps the session.
REAUTH_SECS=6
IDLE_SECS=15
DATA_DIR2="$(mktemp -d "${TMPDIR:-/tmp}/frontline-e2e2.XXXXXX")"
LOG2="$RESULTS/server-short.log"
SERVER2_PID=""
cleanup2() {
  if [ -n "$SERVER2_PID" ] && kill -0 "$SERVER2_PID" 2>/dev/null; then
    kill "$SERVER2_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER2_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER2_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR2"
  cleanup
}
trap cleanup2 EXIT INT TERM
echo "== starting a second frontline demo with ${REAUTH_SECS} s / ${IDLE_SECS} s windows (data in $DATA_DIR2) =="
FRONTLINE_REAUTH_WINDOW_SECS=$REAUTH_SECS FRONTLINE_SESSION_IDLE_SECS=$IDLE_SECS \
  "$BIN" demo --data-dir "$DATA_DIR2" --listen 127.0.0.1:0 --incidents 200 >"$LOG2" 2>&1 &
SERVER2_PID=$!
URL2=""
for _ in $(seq 1 120); do
  if ! kill -0 "$SERVER2_PID" 2>/dev/null; then
    echo "the second frontline demo exited before it was ready; its log:" >&2
    cat "$LOG2" >&2
    exit 1
  fi
  if [ -z "$URL2" ]; then
    URL2="$(grep -m1 -o 'Frontline listening on http://[0-9.:]*' "$LOG2" | sed 's/^Frontline listening on //' || true)"
  fi
  if [ -n "$URL2" ] && node -e 'fetch(process.argv[1]).then(r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$URL2/healthz"; then break; fi
  sleep 1
done

echo "== browser tests =="
cd "$HERE"
status=0
FRONTLINE_URL="$URL" CHROMIUM_PATH="$CHROMIUM" node --test --test-concurrency=1 ui.test.mjs incident.test.mjs follow_up.test.mjs board.test.mjs statistics.test.mjs case.test.mjs penalty_decision.test.mjs deadline.test.mjs penalty.test.mjs search.test.mjs || status=$?
FRONTLINE_URL="$URL2" CHROMIUM_PATH="$CHROMIUM" REAUTH_SECS=$REAUTH_SECS IDLE_SECS=$IDLE_SECS \
  node --test --test-concurrency=1 totp.test.mjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "browser tests failed (exit $status); server log: $LOG" >&2
fi
exit "$status"
