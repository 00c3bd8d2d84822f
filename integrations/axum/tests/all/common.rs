//! What the test files share: signed requests, a handler whose answer each request chooses, and
//! reading responses.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use hookseal_axum::hookseal::hygraph::{now_ms, sign};
use hookseal_axum::hookseal::Secret;
use hookseal_axum::{HygraphDelivery, HygraphLayer, ReplayGuard, Verifier};
use serde_json::Value;
use tokio::sync::Notify;
use tower::ServiceExt as _;

pub const SECRET: &str = "test-secret-for-the-axum-layer";

/// A body no other test sends, so its signature (and replay key) is its own.
pub fn unique_body() -> String {
    format!(
        r#"{{"operation":"publish","data":{{"id":"{}","html":"\u003cp\u003eGrüße\u003c/p\u003e"}}}}"#,
        hookseal_axum::new_token().unwrap()
    )
}

/// The `gcms-signature` header Hygraph would send for `body`. Every test signs at the same `t`
/// (when the first one signed), so sending a body twice sends the same bytes: a copy.
pub fn header_for(body: &str) -> String {
    static T: OnceLock<u64> = OnceLock::new();
    header_at(body, SECRET, *T.get_or_init(now_ms))
}

pub fn header_at(body: &str, secret: &str, t: u64) -> String {
    sign(&Secret::new(secret).unwrap(), body, "master", t)
}

/// A POST of `body` to `path` with `headers`.
pub fn post_req(path: &str, body: impl Into<Body>, headers: &[(&str, &str)]) -> Request {
    let mut b = Request::builder().method("POST").uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.into()).unwrap()
}

/// A signed delivery of `body` to `/hook`, with test controls (`x-answer`, `x-hold`).
pub fn delivery(body: &str, controls: &[(&str, &str)]) -> Request {
    let header = header_for(body);
    let mut headers = vec![("gcms-signature", header.as_str()), ("content-type", "application/json")];
    headers.extend_from_slice(controls);
    post_req("/hook", body.to_owned(), &headers)
}

pub async fn call(app: &Router, req: Request) -> (StatusCode, Value) {
    read(app.clone().oneshot(req).await.unwrap()).await
}

pub async fn read(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, value)
}

/// Asserts Hasura's error shape, exactly `{"message": <text>, "extensions": {"code": <code>}}`.
pub fn assert_error(got: &(StatusCode, Value), status: u16, code: &str) {
    let (s, body) = got;
    assert_eq!(s.as_u16(), status, "status of {body}");
    let obj = body.as_object().unwrap_or_else(|| panic!("not an object: {body}"));
    assert_eq!(obj.len(), 2, "{body}");
    assert!(obj["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(body["extensions"], serde_json::json!({ "code": code }), "{body}");
}

/// A gate: "the call has started", then "let it answer".
type Gate = (Arc<Notify>, Arc<Notify>);

/// The state of the test handler: how often it ran, and gates that hold a call until released.
#[derive(Default)]
pub struct Harness {
    pub calls: AtomicUsize,
    gates: Mutex<HashMap<String, Gate>>,
}

impl Harness {
    fn gate(&self, name: &str) -> Gate {
        self.gates.lock().unwrap().entry(name.to_owned()).or_default().clone()
    }

    /// Waits until a call holding at `name` has started (it has been claimed).
    pub async fn entered(&self, name: &str) {
        let entered = self.gate(name).0;
        tokio::time::timeout(Duration::from_secs(10), entered.notified())
            .await
            .expect("the handler never started");
    }

    /// Lets the call holding at `name` answer.
    pub fn open(&self, name: &str) {
        self.gate(name).1.notify_one();
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// The handler: counts the call, holds at gate `x-hold` if given, then answers as `x-answer`
/// says (`200` by default, any status, or `panic`). It echoes what the layer verified.
async fn handler(State(h): State<Arc<Harness>>, headers: HeaderMap, delivery: HygraphDelivery) -> Response {
    h.calls.fetch_add(1, Ordering::SeqCst);
    if let Some(name) = headers.get("x-hold").and_then(|v| v.to_str().ok()) {
        let (entered, open) = h.gate(name);
        entered.notify_one();
        open.notified().await;
    }
    let answer = headers.get("x-answer").and_then(|v| v.to_str().ok()).unwrap_or("200");
    if answer == "panic" {
        panic!("the handler panics on purpose");
    }
    let status = StatusCode::from_bytes(answer.as_bytes()).unwrap();
    let body = serde_json::json!({
        "environment": delivery.verified.environment,
        "secret_index": delivery.verified.secret_index,
        "body": String::from_utf8_lossy(&delivery.body),
    });
    (status, axum::Json(body)).into_response()
}

/// `/hook` behind a HygraphLayer with `guard` (or none).
pub fn app(verifier: Verifier, guard: Option<ReplayGuard>) -> (Router, Arc<Harness>) {
    let harness = Arc::new(Harness::default());
    let mut layer = HygraphLayer::new(verifier);
    if let Some(g) = guard {
        layer = layer.replay(g);
    }
    let router = Router::new().route("/hook", post(handler).layer(layer)).with_state(harness.clone());
    (router, harness)
}

pub fn verifier() -> Verifier {
    Verifier::new([SECRET]).unwrap()
}
