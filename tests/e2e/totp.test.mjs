// Browser tests of the second factor, re-authentication and the idle timeout, in
// Debian's headless Chromium. `run.sh` runs this file against its own `frontline demo`
// with short windows (FRONTLINE_REAUTH_WINDOW_SECS and FRONTLINE_SESSION_IDLE_SECS,
// given here as REAUTH_SECS and IDLE_SECS), so that waiting them out takes seconds.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE = (process.env.FRONTLINE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const PASSWORD = process.env.FRONTLINE_DEMO_PASSWORD || "demo-password";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const REAUTH_SECS = Number(process.env.REAUTH_SECS || 6);
const IDLE_SECS = Number(process.env.IDLE_SECS || 15);
const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, "test-results");
mkdirSync(RESULTS, { recursive: true });

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close();
});

/** RFC 4648 base32 (what the enrolment page shows) to bytes. */
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (HMAC-SHA1, 6 digits, 30 s) of `secret` at `unixSecs`. */
function totp(secret, unixSecs = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSecs / 30)));
  const h = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = h[h.length - 1] & 0x0f;
  const n = (h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, "0");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A code whose step is after `usedStep` (a code is accepted once, one step of skew):
 * the next step's, waiting for the clock when even that one was used. */
async function freshCode(secret, usedStep) {
  for (;;) {
    const next = Math.floor(Date.now() / 1000 / 30) + 1;
    if (next > usedStep) return { code: totp(secret, next * 30), step: next };
    await sleep(1000);
  }
}

async function passwordStep(page, username) {
  await page.goto(`${BASE}/login`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await page.press("#password", "Enter");
}

async function shot(page, name) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

test("an officer enrols, signs out, signs in with password and code, and re-authenticates to unmask and export", async () => {
  const context = await browser.newContext({ locale: "zh-CN", acceptDownloads: true });
  const page = await context.newPage();
  try {
    await passwordStep(page, "s1.desk");
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));

    // Enrolment: a fresh secret as text and as a QR code drawn on the server.
    await page.goto(`${BASE}/me/totp`);
    assert.match(await page.textContent("[data-testid=totp-state]"), /未启用/);
    await page.click("[data-testid=totp-begin]");
    assert.ok(await page.locator("[data-testid=totp-qr] svg").count(), "the QR code is an inline SVG");
    const secret = (await page.textContent("[data-testid=totp-secret]")).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page.fill("#code", "000000" === totp(secret) ? "111111" : "000000");
    await page.click("[data-testid=totp-confirm]");
    assert.ok(await page.locator("[data-testid=code-error]").isVisible(), "a wrong code is refused on its field");
    const enrolledAt = Date.now() / 1000;
    await page.fill("#code", totp(secret, enrolledAt));
    await Promise.all([page.waitForURL(/done=enrolled/), page.click("[data-testid=totp-confirm]")]);
    assert.match(await page.textContent("[data-testid=totp-done]"), /已启用/);
    await shot(page, "totp-enrolled");

    // Sign out, then in: the password first, the code second.
    await Promise.all([page.waitForURL(/\/login$/), page.click("form.logout button")]);
    await passwordStep(page, "s1.desk");
    await page.waitForURL(/\/login\/totp/);
    // The enrolment's step is used: the next step's code is within the skew.
    const signIn = await freshCode(secret, Math.floor(enrolledAt / 30));
    await page.fill("#code", signIn.code);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.press("#code", "Enter")]);

    // An incident of the station, after the re-authentication window has passed.
    await page.goto(`${BASE}/incidents`);
    const href = await page.getAttribute("table a[href^='/incidents/']", "href");
    assert.ok(href, "the station has incidents");
    await sleep((REAUTH_SECS + 1) * 1000);
    await page.goto(`${BASE}${href}`);
    await page.selectOption("#purpose", "callback");
    await page.click("[data-testid=unmask-submit]");
    // Asked inline, the purpose kept.
    assert.ok(await page.locator("[data-testid=reauth-fields]").isVisible(), "the page asks for the password or code");
    assert.equal(await page.inputValue("#purpose"), "callback");
    await page.fill("#reauth_password", "wrong-password");
    await page.click("[data-testid=unmask-submit]");
    assert.ok(await page.locator("[data-testid=reauth_password-error]").isVisible(), "a wrong password is refused on its field");
    await page.fill("#reauth_password", PASSWORD);
    await page.click("[data-testid=unmask-submit]");
    assert.match(await page.textContent("[data-testid=unmask-note]"), /已记入审计日志/);
    assert.doesNotMatch(await page.textContent("[data-testid=caller-phone]"), /\*/, "the number is whole");
    await shot(page, "totp-unmasked");

    // The export after the window: asked on the list page, then the file comes.
    await sleep((REAUTH_SECS + 1) * 1000);
    await page.goto(`${BASE}/incidents`);
    await page.click("[data-testid=export-csv]");
    await page.waitForSelector("[data-testid=export-reauth-form]");
    await page.fill("#reauth_code", (await freshCode(secret, signIn.step)).code);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=reauth-submit]")]);
    assert.match(download.suggestedFilename(), /\.csv$/);
  } catch (e) {
    await shot(page, "totp-failure");
    throw e;
  } finally {
    await context.close();
  }
});

test("a session left idle ends and the page asks to sign in again", async () => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  try {
    await passwordStep(page, "s2.desk");
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    await page.goto(`${BASE}/incidents`);
    assert.equal(new URL(page.url()).pathname, "/incidents");
    await sleep((IDLE_SECS + 2) * 1000);
    await page.goto(`${BASE}/incidents`);
    await page.waitForURL(/\/login\?next=/);
    assert.ok(await page.locator("#username").isVisible(), "signed out by the idle timeout");
  } finally {
    await context.close();
  }
});
