//! The replay guard behind HygraphLayer, in memory and on a real redis-server (REDIS_URL, from
//! scripts/with-redis.sh): new → done → duplicate, a copy in flight is 409, a handler that answers
//! non-2xx, panics or is dropped releases its claim, another holder's claim survives a late
//! release, and Redis down or stalled is 503.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::Router;
use hookseal_axum::{new_token, Claim, ConfigError, MemoryReplayGuard, RedisReplayGuard, ReplayGuard};
use redis::aio::ConnectionManager;
use serde_json::{json, Value};
use tower::ServiceExt as _;

use crate::common::*;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Memory,
    Redis,
}

fn redis_url() -> String {
    std::env::var("REDIS_URL")
        .expect("REDIS_URL is not set: run the tests through scripts/with-redis.sh (make test-rust does)")
}

async fn manager(url: &str) -> ConnectionManager {
    redis::Client::open(url).unwrap().get_connection_manager().await.unwrap()
}

/// A guard of `kind` whose claims live `processing_ttl`; Redis keys under a prefix of this test's own.
async fn guard(kind: Kind, processing_ttl: Duration) -> ReplayGuard {
    match kind {
        Kind::Memory => MemoryReplayGuard::default().processing_ttl(processing_ttl).unwrap().into(),
        Kind::Redis => RedisReplayGuard::new(manager(&redis_url()).await)
            .prefix(format!("hookseal-axum-test:{}:", new_token().unwrap()))
            .unwrap()
            .processing_ttl(processing_ttl)
            .unwrap()
            .into(),
    }
}

async fn guarded_app(kind: Kind, processing_ttl: Duration) -> (Router, std::sync::Arc<Harness>) {
    app(verifier(), Some(guard(kind, processing_ttl).await))
}

const LONG: Duration = Duration::from_secs(300);

fn duplicate() -> (StatusCode, Value) {
    (StatusCode::OK, json!({ "duplicate": true }))
}

/// Sends `body` until it is not answered 409: a claim released from a dropped request's `Drop`
/// is released on a spawned task for Redis, so the retry may come a moment early (as Hygraph's
/// would, and it retries too).
async fn retry(app: &Router, body: &str) -> (StatusCode, Value) {
    for _ in 0..200 {
        let got = call(app, delivery(body, &[])).await;
        if got.0 != StatusCode::CONFLICT {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("still 409 after 2 s: the claim was never released");
}

async fn copies_of_a_handled_delivery_are_duplicates(kind: Kind) {
    let (app, h) = guarded_app(kind, LONG).await;
    let body = unique_body();
    assert_eq!(call(&app, delivery(&body, &[])).await.0, StatusCode::OK);
    assert_eq!(call(&app, delivery(&body, &[])).await, duplicate());
    assert_eq!(call(&app, delivery(&body, &[])).await, duplicate());
    assert_eq!(h.calls(), 1);
    // Another delivery is not a copy.
    assert_eq!(call(&app, delivery(&unique_body(), &[])).await.0, StatusCode::OK);
    assert_eq!(h.calls(), 2);
}

async fn a_copy_while_the_first_runs_is_409(kind: Kind) {
    let (app, h) = guarded_app(kind, LONG).await;
    let body = unique_body();
    let first = tokio::spawn(app.clone().oneshot(delivery(&body, &[("x-hold", "first")])));
    h.entered("first").await;
    assert_error(&call(&app, delivery(&body, &[])).await, 409, "replayed");
    h.open("first");
    assert_eq!(read(first.await.unwrap().unwrap()).await.0, StatusCode::OK);
    assert_eq!(call(&app, delivery(&body, &[])).await, duplicate());
    assert_eq!(h.calls(), 1);
}

async fn a_non_2xx_answer_releases_the_claim(kind: Kind) {
    let (app, h) = guarded_app(kind, LONG).await;
    for answer in ["500", "503", "422", "302"] {
        let body = unique_body();
        let got = call(&app, delivery(&body, &[("x-answer", answer)])).await;
        assert_eq!(got.0.as_str(), answer, "the handler's answer goes out unchanged");
        // Hygraph's retry is processed, not answered as a duplicate.
        assert_eq!(call(&app, delivery(&body, &[])).await.0, StatusCode::OK, "retry after {answer}");
        assert_eq!(call(&app, delivery(&body, &[])).await, duplicate());
    }
    assert_eq!(h.calls(), 8);
}

async fn a_panicking_handler_releases_the_claim(kind: Kind) {
    let (app, h) = guarded_app(kind, LONG).await;
    let body = unique_body();
    // A task of its own, as a server's connection task: the panic ends it.
    let panicked = tokio::spawn(app.clone().oneshot(delivery(&body, &[("x-answer", "panic")]))).await;
    assert!(panicked.unwrap_err().is_panic());
    assert_eq!(retry(&app, &body).await.0, StatusCode::OK);
    assert_eq!(call(&app, delivery(&body, &[])).await, duplicate());
    assert_eq!(h.calls(), 2);
}

async fn a_dropped_request_releases_the_claim(kind: Kind) {
    let (app, h) = guarded_app(kind, LONG).await;
    let body = unique_body();
    let gone = tokio::spawn(app.clone().oneshot(delivery(&body, &[("x-hold", "gone")])));
    h.entered("gone").await;
    gone.abort(); // what a server does when the client hangs up
    assert!(gone.await.unwrap_err().is_cancelled());
    assert_eq!(retry(&app, &body).await.0, StatusCode::OK);
    assert_eq!(h.calls(), 2);
}

/// A handler that outlived its claim: the claim lapsed, a copy claimed the key anew, then the
/// first handler failed. Its release must leave the second holder's claim alone.
async fn another_holders_claim_survives_a_late_release(kind: Kind) {
    let (app, h) = guarded_app(kind, Duration::from_millis(300)).await;
    let body = unique_body();
    let a = tokio::spawn(app.clone().oneshot(delivery(&body, &[("x-hold", "a"), ("x-answer", "500")])));
    h.entered("a").await;
    tokio::time::sleep(Duration::from_millis(450)).await; // a's claim lapses
    let b = tokio::spawn(app.clone().oneshot(delivery(&body, &[("x-hold", "b")])));
    h.entered("b").await; // b claimed the key anew
    h.open("a");
    assert_eq!(read(a.await.unwrap().unwrap()).await.0, StatusCode::INTERNAL_SERVER_ERROR);
    // a released only its own claim: b's still stands.
    assert_error(&call(&app, delivery(&body, &[])).await, 409, "replayed");
    h.open("b");
    assert_eq!(read(b.await.unwrap().unwrap()).await.0, StatusCode::OK);
    assert_eq!(call(&app, delivery(&body, &[])).await, duplicate());
    assert_eq!(h.calls(), 2);
}

/// The same, but the first handler succeeds late: it marks the delivery done whatever the key
/// holds (it was processed), and its answer goes out unchanged.
async fn a_late_success_still_marks_the_delivery_done(kind: Kind) {
    let (app, h) = guarded_app(kind, Duration::from_millis(300)).await;
    let body = unique_body();
    let a = tokio::spawn(app.clone().oneshot(delivery(&body, &[("x-hold", "a")])));
    h.entered("a").await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    let b = tokio::spawn(app.clone().oneshot(delivery(&body, &[("x-hold", "b"), ("x-answer", "500")])));
    h.entered("b").await;
    h.open("a");
    assert_eq!(read(a.await.unwrap().unwrap()).await.0, StatusCode::OK);
    assert_eq!(call(&app, delivery(&body, &[])).await, duplicate());
    h.open("b");
    assert_eq!(read(b.await.unwrap().unwrap()).await.0, StatusCode::INTERNAL_SERVER_ERROR);
    // b's release finds no token of its own: the delivery stays done.
    assert_eq!(call(&app, delivery(&body, &[])).await, duplicate());
    assert_eq!(h.calls(), 2);
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod on_memory {
            $(#[tokio::test] async fn $name() { super::$name(super::Kind::Memory).await })*
        }
        mod on_redis {
            $(#[tokio::test] async fn $name() { super::$name(super::Kind::Redis).await })*
        }
    };
}

on_both_stores!(
    copies_of_a_handled_delivery_are_duplicates,
    a_copy_while_the_first_runs_is_409,
    a_non_2xx_answer_releases_the_claim,
    a_panicking_handler_releases_the_claim,
    a_dropped_request_releases_the_claim,
    another_holders_claim_survives_a_late_release,
    a_late_success_still_marks_the_delivery_done,
);

// ---------------------------------------------------------------- Redis only

#[tokio::test]
async fn redis_holds_the_cores_values_under_the_cores_keys() {
    let mut raw = manager(&redis_url()).await;
    let guard = RedisReplayGuard::new(raw.clone());
    let key = new_token().unwrap(); // stands for a replay key (hex)
    let redis_key = format!("hookseal:replay:{key}");
    assert_eq!(guard.redis_key(&key), redis_key);
    assert_eq!(guard.redis_key(&redis_key), redis_key, "a key given with the core's prefix keeps one");
    let get = |k: String| {
        let mut c = raw.clone();
        async move { redis::cmd("GET").arg(k).query_async::<Option<String>>(&mut c).await.unwrap() }
    };
    let pttl = |k: String| {
        let mut c = raw.clone();
        async move { redis::cmd("PTTL").arg(k).query_async::<i64>(&mut c).await.unwrap() }
    };

    assert_eq!(guard.claim(&key, "tok-1").await.unwrap(), Claim::New);
    assert_eq!(get(redis_key.clone()).await.as_deref(), Some("processing:tok-1"));
    let ttl = pttl(redis_key.clone()).await;
    assert!(ttl > 290_000 && ttl <= 300_000, "claim PTTL {ttl}");
    assert_eq!(guard.claim(&key, "tok-2").await.unwrap(), Claim::InProgress);
    assert!(!guard.release(&key, "tok-2").await.unwrap(), "released another holder's claim");
    assert_eq!(get(redis_key.clone()).await.as_deref(), Some("processing:tok-1"));

    assert!(guard.complete(&key, "tok-1", 600_000).await.unwrap());
    assert_eq!(get(redis_key.clone()).await.as_deref(), Some("done"));
    let ttl = pttl(redis_key.clone()).await;
    assert!(ttl > 590_000 && ttl <= 600_000, "done PTTL {ttl}");
    assert!(!guard.release(&key, "tok-1").await.unwrap(), "a done key is never released");
    assert_eq!(guard.claim(&key, "tok-3").await.unwrap(), Claim::Done);
    assert!(!guard.complete(&key, "tok-3", 600_000).await.unwrap(), "not tok-3's claim");

    assert_eq!(guard.claim(&key, "tok-4").await.map(|_| ()).ok(), Some(()));
    let _: () = redis::cmd("DEL").arg(&redis_key).query_async(&mut raw).await.unwrap();
}

#[tokio::test]
async fn redis_answers_that_are_not_the_scripts_fail_closed() {
    // A key that holds another type makes the script fail: that is an error, never a "new".
    let mut raw = manager(&redis_url()).await;
    let guard = RedisReplayGuard::new(raw.clone()).prefix("hookseal-axum-test:wrongtype:").unwrap();
    let key = new_token().unwrap();
    let _: () = redis::cmd("RPUSH").arg(guard.redis_key(&key)).arg("x").query_async(&mut raw).await.unwrap();
    let err = guard.claim(&key, "tok").await.unwrap_err();
    assert!(err.to_string().starts_with("the replay store is unavailable"), "{err}");
    let _: () = redis::cmd("DEL").arg(guard.redis_key(&key)).query_async(&mut raw).await.unwrap();
}

/// A redis-server of this test's own, to stop on purpose.
struct OwnRedis {
    child: Child,
    url: String,
    dir: std::path::PathBuf,
}

impl OwnRedis {
    fn start() -> OwnRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("hookseal-axum-redis-{}", new_token().unwrap()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is not on PATH: scripts/with-redis.sh installs it");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen on port {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        OwnRedis { child, url: format!("redis://127.0.0.1:{port}"), dir }
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill").args([sig, &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok, "kill {sig} failed");
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn redis_down_is_503_and_the_handler_never_runs() {
    let mut redis = OwnRedis::start();
    let guard = RedisReplayGuard::new(manager(&redis.url).await).timeout(Duration::from_secs(2)).unwrap();
    let (app, h) = app(verifier(), Some(guard.into()));
    assert_eq!(call(&app, delivery(&unique_body(), &[])).await.0, StatusCode::OK, "while Redis is up");
    redis.child.kill().unwrap();
    redis.child.wait().unwrap();
    for _ in 0..3 {
        let got = call(&app, delivery(&unique_body(), &[])).await;
        assert_error(&got, 503, "replay_store_unavailable");
    }
    assert_eq!(h.calls(), 1);
}

#[tokio::test]
async fn a_stalled_redis_is_503_within_the_timeout() {
    let redis = OwnRedis::start();
    let guard = RedisReplayGuard::new(manager(&redis.url).await).timeout(Duration::from_millis(300)).unwrap();
    let (app, h) = app(verifier(), Some(guard.into()));
    redis.signal("-STOP");
    let started = Instant::now();
    let got = call(&app, delivery(&unique_body(), &[])).await;
    let took = started.elapsed();
    redis.signal("-CONT");
    assert_error(&got, 503, "replay_store_unavailable");
    assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(h.calls(), 0);
}

#[tokio::test]
async fn configuration_mistakes_fail_when_the_guard_is_built() {
    assert!(matches!(MemoryReplayGuard::new(0), Err(ConfigError::OutOfRange(_))));
    assert!(matches!(
        MemoryReplayGuard::default().processing_ttl(Duration::ZERO),
        Err(ConfigError::OutOfRange(_))
    ));
    let redis = RedisReplayGuard::new(manager(&redis_url()).await);
    assert!(matches!(redis.clone().prefix(""), Err(ConfigError::OutOfRange(_))));
    assert!(matches!(redis.clone().timeout(Duration::from_micros(10)), Err(ConfigError::OutOfRange(_))));
    assert!(matches!(redis.processing_ttl(Duration::ZERO), Err(ConfigError::OutOfRange(_))));
}
