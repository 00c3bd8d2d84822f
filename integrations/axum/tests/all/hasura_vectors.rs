//! The shared Hasura wrapper vectors (tests/vectors/hasura-wrappers.json) through the axum
//! layers: every event case on the memory guard and on a real redis-server (store "down" on
//! Redis only: a key of the wrong type makes the guard's script fail), every Action case, every
//! auth case (v2 and DDN, GET and POST).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hookseal_axum::hasura::{
    AuthCall, AuthSession, HasuraAction, HasuraActionError, HasuraActionLayer, HasuraAuth, HasuraDelivery,
    HasuraEventLayer,
};
use hookseal_axum::hookseal::hasura::{check_delivery, delivery_key, AuthMode};
use hookseal_axum::{new_token, Claim, MemoryReplayGuard, RedisReplayGuard, ReplayGuard};
use redis::aio::ConnectionManager;
use serde_json::Value;

use crate::common::{call, read};

pub fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/hasura-wrappers.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn redis_url() -> String {
    std::env::var("REDIS_URL")
        .expect("REDIS_URL is not set: run the tests through scripts/with-redis.sh (make test-rust does)")
}

pub async fn manager() -> ConnectionManager {
    redis::Client::open(redis_url()).unwrap().get_connection_manager().await.unwrap()
}

/// The vector's request as an axum request to `path`.
fn request(path: &str, req: &Value) -> Request<Body> {
    let mut b = Request::builder().method(req["method"].as_str().unwrap()).uri(path);
    for (k, v) in req["headers"].as_object().into_iter().flatten() {
        b = b.header(k.as_str(), v.as_str().unwrap());
    }
    let body = req["body"].as_str().unwrap_or("").to_owned();
    b.body(Body::from(body)).unwrap()
}

/// Status, headers, code and exact body as the vector expects.
fn check_answer(name: &str, res: (StatusCode, Value), headers: &axum::http::HeaderMap, expect: &Value) {
    let (status, body) = res;
    assert_eq!(status.as_u16(), expect["status"].as_u64().unwrap() as u16, "{name}: status, body {body}");
    for (k, v) in expect["headers"].as_object().into_iter().flatten() {
        assert_eq!(headers.get(k.as_str()).and_then(|h| h.to_str().ok()), v.as_str(), "{name}: header {k}");
    }
    if let Some(code) = expect.get("code") {
        assert_eq!(&body["extensions"]["code"], code, "{name}: code, body {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{name}: {body}");
    }
    if let Some(want) = expect.get("body") {
        assert_eq!(&body, want, "{name}: body");
    }
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
    use tower::ServiceExt as _;
    let res = app.clone().oneshot(req).await.unwrap();
    let headers = res.headers().clone();
    let (status, body) = read(res).await;
    (status, body, headers)
}

// ---------------------------------------------------------------- events

#[derive(Clone, Copy, Debug, PartialEq)]
enum Store {
    Memory,
    Redis,
}

enum Guard {
    Memory(MemoryReplayGuard),
    Redis(RedisReplayGuard, ConnectionManager),
}

impl Guard {
    async fn new(store: Store) -> Guard {
        match store {
            Store::Memory => Guard::Memory(MemoryReplayGuard::default()),
            Store::Redis => {
                let conn = manager().await;
                let guard = RedisReplayGuard::new(conn.clone())
                    .prefix(format!("hookseal-axum-hasura:{}:", new_token().unwrap()))
                    .unwrap();
                Guard::Redis(guard, conn)
            }
        }
    }

    fn layer_guard(&self) -> ReplayGuard {
        match self {
            Guard::Memory(g) => g.clone().into(),
            Guard::Redis(g, _) => g.clone().into(),
        }
    }

    async fn claim(&self, key: &str, token: &str) -> Claim {
        match self {
            Guard::Memory(g) => g.claim(key, token),
            Guard::Redis(g, _) => g.claim(key, token).await.unwrap(),
        }
    }

    async fn complete(&self, key: &str, token: &str) {
        match self {
            Guard::Memory(g) => {
                g.complete(key, token, 600_000);
            }
            Guard::Redis(g, _) => {
                g.complete(key, token, 600_000).await.unwrap();
            }
        }
    }

    async fn release(&self, key: &str, token: &str) {
        match self {
            Guard::Memory(g) => {
                g.release(key, token);
            }
            Guard::Redis(g, _) => {
                g.release(key, token).await.unwrap();
            }
        }
    }

    /// The key's state, by claiming it with a fresh token (and releasing a new claim again).
    async fn state(&self, key: &str) -> &'static str {
        let token = new_token().unwrap();
        match self.claim(key, &token).await {
            Claim::New => {
                self.release(key, &token).await;
                "absent"
            }
            Claim::InProgress => "processing",
            Claim::Done => "done",
        }
    }
}

/// The test handler of an event case: counts its calls and answers as the vector says.
async fn event_handler(spec: Arc<(Value, AtomicUsize)>, delivery: HasuraDelivery) -> Response {
    spec.1.fetch_add(1, Ordering::SeqCst);
    let check = check_delivery(&delivery.body).unwrap();
    assert_eq!((delivery.kind, delivery.id.as_str()), (check.kind, check.id.as_str()));
    match &spec.0 {
        Value::String(s) if s == "ok" => {
            Json(serde_json::json!({ "ok": true, "id": delivery.id })).into_response()
        }
        Value::String(s) if s == "throw" => panic!("the event handler fails on purpose"),
        v => StatusCode::from_u16(v["status"].as_u64().unwrap() as u16).unwrap().into_response(),
    }
}

async fn run_event_case(case: &Value, store: Store) -> bool {
    let name = case["name"].as_str().unwrap();
    let state = case["store"].as_str().unwrap();
    if state == "down" && store == Store::Memory {
        return false; // a memory guard cannot fail
    }
    let opts = &case["options"];
    let mut layer =
        HasuraEventLayer::new(opts["header"].as_str().unwrap(), [opts["secret"].as_str().unwrap()]).unwrap();
    if let Some(secs) = opts["retryAfter"].as_u64() {
        layer = layer.retry_after(Duration::from_secs(secs)).unwrap();
    }
    let guard = Guard::new(store).await;
    if state != "none" {
        layer = layer.replay(guard.layer_guard());
    }
    let body = case["request"]["body"].as_str().unwrap();
    let key = check_delivery(body.as_bytes()).ok().map(|d| delivery_key(&d.id));
    match (state, &key) {
        ("processing", Some(key)) => assert_eq!(guard.claim(key, "another-holder").await, Claim::New),
        ("done", Some(key)) => {
            guard.claim(key, "earlier").await;
            guard.complete(key, "earlier").await;
        }
        ("down", Some(key)) => {
            let Guard::Redis(g, conn) = &guard else { unreachable!() };
            let mut conn = conn.clone();
            let _: () =
                redis::cmd("RPUSH").arg(g.redis_key(key)).arg("x").query_async(&mut conn).await.unwrap();
        }
        _ => {}
    }
    let spec = Arc::new((case["handler"].clone(), AtomicUsize::new(0)));
    let s = spec.clone();
    let app = Router::new()
        .route("/event", post(move |d: HasuraDelivery| event_handler(s.clone(), d)).layer(layer));
    let (status, got, headers) = send(&app, request("/event", &case["request"])).await;
    let expect = &case["expect"];
    check_answer(name, (status, got), &headers, expect);
    let called = spec.1.load(Ordering::SeqCst) > 0;
    assert_eq!(called, expect["handlerCalled"].as_bool().unwrap(), "{name}: handler called");
    if let (Some(after), Some(key)) = (expect["after"].as_str(), &key) {
        assert_eq!(guard.state(key).await, after, "{name} on {store:?}: the key after");
    }
    if let (Guard::Redis(g, conn), Some(key)) = (&guard, &key) {
        let mut conn = conn.clone();
        let _: () = redis::cmd("DEL").arg(g.redis_key(key)).query_async(&mut conn).await.unwrap();
    }
    true
}

#[tokio::test]
async fn event_vectors_on_memory_and_redis() {
    let file = vectors();
    let mut ran = 0;
    for case in file["event"].as_array().unwrap() {
        for store in [Store::Memory, Store::Redis] {
            ran += usize::from(run_event_case(case, store).await);
        }
    }
    assert!(ran >= 30, "only {ran} event runs");
}

// ---------------------------------------------------------------- actions

async fn action_handler(
    spec: Arc<(Value, Mutex<Option<Value>>)>,
    call: HasuraAction,
) -> Result<Response, HasuraActionError> {
    *spec.1.lock().unwrap() = Some(serde_json::json!({ "name": call.name(), "input": call.input }));
    let h = &spec.0;
    if h == "throw" {
        // Any error through `?`: 500 handler_failed.
        Err(std::io::Error::other("the database is gone"))?;
    }
    if let Some(v) = h.get("return") {
        return Ok(Json(v.clone()).into_response());
    }
    let e = &h["actionError"];
    let mut err = HasuraActionError::new(e["message"].as_str().unwrap(), e["code"].as_str().unwrap());
    if let Some(status) = e["status"].as_u64() {
        err = err.status(StatusCode::from_u16(status as u16).unwrap());
    }
    Err(err)
}

#[tokio::test]
async fn action_vectors() {
    let file = vectors();
    for case in file["action"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let opts = &case["options"];
        let layer =
            HasuraActionLayer::new(opts["header"].as_str().unwrap(), [opts["secret"].as_str().unwrap()])
                .unwrap();
        let spec = Arc::new((case["handler"].clone(), Mutex::new(None)));
        let s = spec.clone();
        let app = Router::new()
            .route("/action", post(move |c: HasuraAction| action_handler(s.clone(), c)).layer(layer));
        let (status, got, headers) = send(&app, request("/action", &case["request"])).await;
        check_answer(name, (status, got), &headers, &case["expect"]);
        let handler_got = spec.1.lock().unwrap().clone();
        match case["expect"].get("handlerGot") {
            Some(want) => assert_eq!(handler_got.as_ref(), Some(want), "{name}: what the handler got"),
            None => assert_eq!(handler_got, None, "{name}: the handler must not run"),
        }
    }
}

// ---------------------------------------------------------------- auth

fn now_secs() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

type Seen = Arc<Mutex<Option<AuthCall>>>;

fn auth_service(
    case: &Value,
    seen: Seen,
) -> HasuraAuth<
    impl Fn(AuthCall) -> std::future::Ready<Result<Option<AuthSession>, String>> + Send + Sync + 'static,
> {
    let resolve = case["resolve"].clone();
    let mode = match case["options"]["mode"].as_str().unwrap() {
        "v2" => AuthMode::V2,
        _ => AuthMode::Ddn,
    };
    let mut auth = HasuraAuth::new(mode, move |call: AuthCall| {
        *seen.lock().unwrap() = Some(call);
        std::future::ready(match &resolve {
            Value::Null => Ok(None),
            Value::String(_) => Err("the token service is down".to_owned()),
            r => {
                let mut s = AuthSession::new(r["session"].clone());
                if let Some(m) = r["maxAge"].as_u64() {
                    s = s.max_age(m);
                }
                if let Some(e) = r["expiresIn"].as_f64() {
                    s = s.expires_at_unix(now_secs() + e);
                }
                Ok(Some(s))
            }
        })
    });
    if let Some(m) = case["options"]["maxAge"].as_u64() {
        auth = auth.max_age(m);
    }
    auth
}

#[tokio::test]
async fn auth_vectors() {
    let file = vectors();
    for case in file["auth"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let seen: Seen = Arc::default();
        let app = Router::new().route_service("/auth", auth_service(case, seen.clone()));
        let (status, got, headers) = send(&app, request("/auth", &case["request"])).await;
        let expect = &case["expect"];
        check_answer(name, (status, got.clone()), &headers, expect);
        assert!([200, 401, 500, 400].contains(&status.as_u16()), "{name}: {status}");
        if status == StatusCode::OK {
            assert_eq!(headers["content-type"], "application/json", "{name}");
        }
        if let Some(want) = expect.get("resolveGot") {
            let call = seen.lock().unwrap().clone().unwrap_or_else(|| panic!("{name}: resolve never ran"));
            assert_eq!(call.method.as_str(), want["method"], "{name}");
            let (h, v) = (want["header"][0].as_str().unwrap(), want["header"][1].as_str().unwrap());
            assert_eq!(
                call.headers.get(h).and_then(|x| x.to_str().ok()),
                Some(v),
                "{name}: header {h}, any case"
            );
            assert_eq!(call.headers.get(h.to_uppercase()).and_then(|x| x.to_str().ok()), Some(v), "{name}");
            let request = call.request.map(Value::Object).unwrap_or(Value::Null);
            assert_eq!(request, want["request"], "{name}: request");
        }
    }
}

/// Not in the vectors: the same answers in a real server's hands is `call` — a smoke check that
/// the service mounts with `route_service` and answers both methods.
#[tokio::test]
async fn the_auth_service_answers_get_and_post_on_one_route_and_nothing_else() {
    let case = &vectors()["auth"][0];
    let app = Router::new().route_service("/auth", auth_service(case, Seen::default()));
    let got = call(
        &app,
        Request::builder().uri("/auth").header("authorization", "Bearer x").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(got.0, StatusCode::OK);
    let put = Request::builder().method("PUT").uri("/auth").body(Body::empty()).unwrap();
    let (status, _, headers) = send(&app, put).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "GET, POST");
}
