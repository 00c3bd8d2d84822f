//! Not part of the example: one axum webhook server for the fault tests (tests/faults/run.py
//! starts several, beside the Node and Python workers, on one redis-server). It lives here for
//! the example's dependencies and build (`make build-example-axum` builds both):
//!
//! ```sh
//! MODE=hygraph|hasura HOOKSEAL_SECRET=... WORKER_NAME=... PROCESSING_TTL_MS=... \
//!   target/debug/hookseal-fault-worker axum PORT REDIS_URL
//! ```
//!
//! `POST /hook` behind `HygraphLayer` (MODE=hygraph) or `HasuraEventLayer` (MODE=hasura: header
//! X-Event-Secret, Retry-After 1) with a `RedisReplayGuard`. The handler records every run in a
//! side table: `start` when it is called, then `fail` (at `fail_rate`: it answers 500 or, in
//! Hasura mode, half the time panics, which the layer answers 500 `handler_failed`) or `done`.
//! `GET /log` returns the table, `POST /config` sets `fail_rate` and `hold_ms`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hookseal_axum::hasura::{HasuraDelivery, HasuraEventLayer};
use hookseal_axum::{HygraphDelivery, HygraphLayer, RedisReplayGuard, ReplayGuard, Verifier};
use serde_json::{json, Value};

#[derive(Default)]
struct Worker {
    name: String,
    events: Mutex<Vec<(Value, &'static str, f64, String)>>,
    config: Mutex<(f64, u64)>, // fail_rate, hold_ms
    rng: AtomicU64,
}

impl Worker {
    fn record(&self, id: &Value, what: &'static str) {
        let ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as f64 / 1e6;
        self.events.lock().unwrap().push((id.clone(), what, ms, self.name.clone()));
    }

    /// A number in [0, 1) (xorshift: the test needs spread, not secrecy).
    fn roll(&self) -> f64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One run of the handler for delivery `id`.
    async fn run(&self, id: Value, may_panic: bool) -> Response {
        self.record(&id, "start");
        let (fail_rate, hold_ms) = *self.config.lock().unwrap();
        if hold_ms > 0 {
            tokio::time::sleep(Duration::from_millis(hold_ms)).await;
        }
        if self.roll() < fail_rate {
            self.record(&id, "fail");
            if may_panic && self.roll() < 0.5 {
                panic!("injected failure");
            }
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": "injected" }))).into_response();
        }
        self.record(&id, "done");
        Json(json!({ "processed": id })).into_response()
    }
}

async fn hygraph_hook(State(w): State<Arc<Worker>>, _d: HygraphDelivery, body: Bytes) -> Response {
    let id = serde_json::from_slice::<Value>(&body).unwrap()["id"].clone();
    w.run(id, false).await
}

async fn hasura_hook(State(w): State<Arc<Worker>>, d: HasuraDelivery) -> Response {
    w.run(Value::String(d.id), true).await
}

async fn log(State(w): State<Arc<Worker>>) -> Json<Value> {
    let events = w.events.lock().unwrap();
    Json(Value::Array(events.iter().map(|(id, what, ms, name)| json!([id, what, ms, name])).collect()))
}

async fn configure(State(w): State<Arc<Worker>>, body: Bytes) -> Json<Value> {
    let body: Value = serde_json::from_slice(&body).unwrap();
    let mut config = w.config.lock().unwrap();
    if let Some(rate) = body["fail_rate"].as_f64() {
        config.0 = rate;
    }
    if let Some(ms) = body["hold_ms"].as_u64() {
        config.1 = ms;
    }
    Json(json!({ "ok": true }))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (port, redis_url) = (args[2].parse::<u16>().unwrap(), args[3].clone());
    let secret = std::env::var("HOOKSEAL_SECRET").unwrap();
    let ttl_ms: u64 = std::env::var("PROCESSING_TTL_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(300_000);
    let hasura = std::env::var("MODE").as_deref() == Ok("hasura");
    // The injected panics are expected: keep the output quiet.
    std::panic::set_hook(Box::new(|_| {}));

    let conn = redis::Client::open(redis_url).unwrap().get_connection_manager().await.unwrap();
    let guard: ReplayGuard = RedisReplayGuard::new(conn)
        .processing_ttl(Duration::from_millis(ttl_ms))
        .unwrap()
        .timeout(Duration::from_secs(1))
        .unwrap()
        .into();
    let worker = Arc::new(Worker {
        name: std::env::var("WORKER_NAME").unwrap_or_else(|_| format!("axum-{port}")),
        rng: AtomicU64::new(0x9E37_79B9_7F4A_7C15 ^ u64::from(port)),
        ..Worker::default()
    });
    let hook = if hasura {
        let layer = HasuraEventLayer::new("X-Event-Secret", [&secret])
            .unwrap()
            .replay(guard)
            .retry_after(Duration::from_secs(1))
            .unwrap();
        post(hasura_hook).layer(layer)
    } else {
        post(hygraph_hook).layer(HygraphLayer::new(Verifier::new([&secret]).unwrap()).replay(guard))
    };
    let app = Router::new()
        .route("/hook", hook)
        .route("/log", get(log))
        .route("/config", post(configure))
        .with_state(worker);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
