//! The load generator of the write scenarios, as light as wrk: one raw HTTP/1.1
//! keep-alive connection per client (hyper's `conn::http1`, no pool, no middleware),
//! requests built from shared parts (URIs, header values and bodies are reference-counted
//! `Bytes`, made once before the run), and a response read for its status and body only.
//!
//! The clients run on a runtime of their own in one OS thread (wrk `-t1`): their
//! event loop does not queue behind the server's tasks on its worker threads, and the
//! server's workers do not spend time polling clients.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;

use super::Phase;

/// The server and the caller's bearer token, as ready-made header values.
#[derive(Clone)]
pub(super) struct Target {
    addr: SocketAddr,
    host: HeaderValue,
    auth: HeaderValue,
}

impl Target {
    /// `base` is `http://127.0.0.1:PORT` (from `serve_in_process`); `auth` the
    /// `Authorization` value from `sign_in`.
    pub(super) fn new(base: &str, auth: &str) -> anyhow::Result<Self> {
        let hostport = base.strip_prefix("http://").context("http:// base URL")?;
        Ok(Self {
            addr: hostport.parse()?,
            host: HeaderValue::from_str(hostport)?,
            auth: HeaderValue::from_str(auth)?,
        })
    }
}

/// One request, built before the run; cloning it copies reference counts only.
#[derive(Clone)]
pub(super) struct Prebuilt {
    method: Method,
    uri: Uri,
    body: Bytes,
}

impl Prebuilt {
    pub(super) fn get(path: &str) -> anyhow::Result<Self> {
        Ok(Self {
            method: Method::GET,
            uri: Uri::try_from(path)?,
            body: Bytes::new(),
        })
    }
    /// A POST of a JSON body.
    pub(super) fn post(path: &str, body: Bytes) -> anyhow::Result<Self> {
        Ok(Self {
            method: Method::POST,
            uri: Uri::try_from(path)?,
            body,
        })
    }
}

fn request(target: &Target, p: &Prebuilt) -> Request<Full<Bytes>> {
    let mut r = Request::new(Full::new(p.body.clone()));
    *r.method_mut() = p.method.clone();
    *r.uri_mut() = p.uri.clone();
    let h = r.headers_mut();
    h.insert(HOST, target.host.clone());
    h.insert(AUTHORIZATION, target.auth.clone());
    if !p.body.is_empty() {
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    r
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> anyhow::Result<Sender> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// Runs `clients` connections for `dur`, each sending `next(i)` (i from one shared
/// sequence; `None` ends that client) and counting a response with status `expect` as
/// done, after `on_ok` saw its headers and its body was read. Latency is recorded for
/// done requests; anything else (another status, a broken connection: the client
/// reconnects) counts as failed.
pub(super) async fn drive_light<N, K>(
    target: &Target,
    clients: usize,
    dur: Duration,
    expect: StatusCode,
    next: N,
    on_ok: K,
) -> anyhow::Result<Phase>
where
    N: Fn(u64) -> Option<Prebuilt> + Send + Sync + 'static,
    K: Fn(&HeaderMap) + Send + Sync + 'static,
{
    let (target, next, on_ok) = (target.clone(), Arc::new(next), Arc::new(on_ok));
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("bench-client".into())
        .spawn(move || {
            let run = || -> anyhow::Result<Phase> {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                rt.block_on(clients_run(target, clients, dur, expect, next, on_ok))
            };
            let _ = tx.send(run());
        })?;
    rx.await.context("the load generator's thread ended")?
}

async fn clients_run<N, K>(
    target: Target,
    clients: usize,
    dur: Duration,
    expect: StatusCode,
    next: Arc<N>,
    on_ok: Arc<K>,
) -> anyhow::Result<Phase>
where
    N: Fn(u64) -> Option<Prebuilt> + Send + Sync + 'static,
    K: Fn(&HeaderMap) + Send + Sync + 'static,
{
    // Connections are opened before the clock starts, as wrk does.
    let mut senders = Vec::with_capacity(clients);
    for _ in 0..clients {
        senders.push(connect(target.addr).await?);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let seq = Arc::new(AtomicU64::new(0));
    let (cpu0, client0) = (process_cpu(), thread_cpu());
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for mut sender in senders {
        let (target, next, on_ok, stop, seq) = (
            target.clone(),
            next.clone(),
            on_ok.clone(),
            stop.clone(),
            seq.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).ok();
            let (mut ok, mut failed) = (0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let Some(p) = next(seq.fetch_add(1, Ordering::Relaxed)) else {
                    break;
                };
                let t = Instant::now();
                let done = async {
                    sender.ready().await.ok()?;
                    let (parts, body) = sender
                        .send_request(request(&target, &p))
                        .await
                        .ok()?
                        .into_parts();
                    // Read the whole body so the connection can carry the next request.
                    body.collect().await.ok()?;
                    (parts.status == expect).then(|| on_ok(&parts.headers))
                }
                .await;
                match done {
                    Some(()) => {
                        ok += 1;
                        if let Some(h) = h.as_mut() {
                            let _ = h.record(t.elapsed().as_micros() as u64);
                        }
                    }
                    None => {
                        failed += 1;
                        if sender.is_closed() {
                            match connect(target.addr).await {
                                Ok(s) => sender = s,
                                Err(_) => break,
                            }
                        }
                    }
                }
            }
            (ok, failed, h)
        }));
    }
    tokio::time::sleep(dur).await;
    stop.store(true, Ordering::Relaxed);
    let mut phase = Phase {
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        hist: Histogram::new_with_bounds(1, 60_000_000, 3)?,
        cpu: None,
    };
    for t in tasks {
        let (ok, failed, h) = t.await?;
        phase.ok += ok;
        phase.failed += failed;
        if let Some(h) = h {
            phase.hist.add(h)?;
        }
    }
    phase.elapsed = start.elapsed();
    phase.cpu = match (cpu0, process_cpu(), client0, thread_cpu()) {
        (Some(a), Some(b), Some(c), Some(d)) => Some(super::Cpu {
            process: b.saturating_sub(a),
            client: d.saturating_sub(c),
        }),
        _ => None,
    };
    Ok(phase)
}

/// CPU time of this whole process so far (every thread: server, writer, background
/// tasks, load generator), from `/proc`; `None` off Linux.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command in parentheses: utime and stime are the 12th and 13th fields.
    let mut f = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    // In USER_HZ, which is 100 on Linux.
    Some(Duration::from_millis((utime + stime) * 10))
}

/// CPU time of the calling thread (the load generator's), from `/proc`.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// The HTTP ceiling of a write scenario: an authenticated POST through the same stack
/// (routing, bearer session, JSON body, permission check, JSON answer) that writes
/// nothing: element extraction of a one-character narrative. A write figure divided by
/// it says how much of the stack's own limit the write path keeps.
pub(super) async fn http_ceiling(
    target: &Target,
    clients: usize,
    dur: Duration,
) -> anyhow::Result<Phase> {
    let p = Prebuilt::post(
        "/api/v1/incidents/elements",
        Bytes::from_static("{\"narrative\":\"无\"}".as_bytes()),
    )?;
    let warm = p.clone();
    drive_light(
        target,
        clients,
        Duration::from_secs(1),
        StatusCode::OK,
        move |_| Some(warm.clone()),
        |_| {},
    )
    .await?;
    drive_light(
        target,
        clients,
        dur,
        StatusCode::OK,
        move |_| Some(p.clone()),
        |_| {},
    )
    .await
}
