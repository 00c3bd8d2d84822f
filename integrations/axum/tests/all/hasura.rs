//! The Hasura layers beyond the shared vectors: copies that meet for real (memory and Redis),
//! a panicking or dropped handler, keys that never collide with Hygraph's, the done TTL, typed
//! payloads; Action errors; the auth cache (memory and Redis): served without `resolve`, never
//! past its lifetime, never for another credential, shared with the other faces' entries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hookseal_axum::hasura::{
    AuthCache, AuthCall, AuthSession, HandlerError, HasuraAction, HasuraActionError, HasuraActionLayer,
    HasuraAuth, HasuraDelivery, HasuraEventLayer,
};
use hookseal_axum::hookseal::hasura::{auth_cache_key, delivery_key, AuthMode};
use hookseal_axum::{new_token, ConfigError, MemoryReplayGuard, RedisReplayGuard, ReplayGuard};
use serde_json::{json, Value};
use tokio::sync::Notify;
use tower::ServiceExt as _;

use crate::common::{assert_error, call, read};
use crate::hasura_vectors::manager;

const SECRET: &str = "hasura-event-secret-for-axum";

fn event_body(id: &str) -> String {
    json!({
        "event": {"session_variables": {"x-hasura-role": "admin"}, "op": "INSERT",
                  "data": {"old": null, "new": {"id": 1}}, "trace_context": null},
        "created_at": "2026-12-01T10:15:30.123456", "id": id,
        "delivery_info": {"current_retry": 0, "max_retries": 0},
        "trigger": {"name": "user_created"}, "table": {"schema": "public", "name": "users"},
    })
    .to_string()
}

fn cron_body(id: &str) -> String {
    json!({"id": id, "name": "daily_digest", "scheduled_time": "2026-12-02T00:00:00Z", "payload": {"n": 1}})
        .to_string()
}

fn event(body: &str, controls: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::builder().method("POST").uri("/event").header("x-event-secret", SECRET);
    for (k, v) in controls {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_owned())).unwrap()
}

#[derive(Default)]
struct Handler {
    calls: AtomicUsize,
    entered: Notify,
    open: Notify,
}

/// Counts, holds when `x-hold` is set (until `open`), answers as `x-answer` says (`panic`, a
/// status) or echoes what it got.
async fn handler(h: Arc<Handler>, headers: HeaderMap, d: HasuraDelivery) -> Response {
    h.calls.fetch_add(1, Ordering::SeqCst);
    if headers.contains_key("x-hold") {
        h.entered.notify_one();
        h.open.notified().await;
    }
    match headers.get("x-answer").map(|v| v.to_str().unwrap()) {
        Some("panic") => panic!("the event handler panics on purpose"),
        Some("error") => HandlerError::from(std::io::Error::other("the database is gone")).into_response(),
        Some(status) => StatusCode::from_bytes(status.as_bytes()).unwrap().into_response(),
        None => {
            let detail = match (d.event(), d.scheduled()) {
                (Some(e), None) => json!({ "op": e.event.op, "table": e.table.name }),
                (None, Some(s)) => json!({ "name": s.name, "payload": s.payload }),
                _ => unreachable!(),
            };
            Json(json!({ "kind": d.kind.as_str(), "id": d.id, "detail": detail })).into_response()
        }
    }
}

fn event_app(
    guard: Option<ReplayGuard>,
    layer: impl FnOnce(HasuraEventLayer) -> HasuraEventLayer,
) -> (Router, Arc<Handler>) {
    let h = Arc::new(Handler::default());
    let mut l = layer(HasuraEventLayer::new("X-Event-Secret", [SECRET]).unwrap());
    if let Some(g) = guard {
        l = l.replay(g);
    }
    let hh = h.clone();
    let app = Router::new()
        .route("/event", post(move |hd: HeaderMap, d: HasuraDelivery| handler(hh.clone(), hd, d)).layer(l));
    (app, h)
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Memory,
    Redis,
}

async fn guard(kind: Kind) -> ReplayGuard {
    match kind {
        Kind::Memory => MemoryReplayGuard::default().into(),
        Kind::Redis => RedisReplayGuard::new(manager().await)
            .prefix(format!("hookseal-axum-hasura:{}:", new_token().unwrap()))
            .unwrap()
            .into(),
    }
}

async fn copies_meet_once(kind: Kind) {
    let (app, h) = event_app(Some(guard(kind).await), |l| l);
    let id = new_token().unwrap();
    let body = event_body(&id);
    let first = tokio::spawn(app.clone().oneshot(event(&body, &[("x-hold", "1")])));
    h.entered.notified().await;
    let res = app.clone().oneshot(event(&body, &[])).await.unwrap();
    assert_eq!(res.headers()["retry-after"], "10", "Hasura schedules the copy again after 10 s");
    assert_error(&read(res).await, 409, "replayed");
    h.open.notify_one();
    let (status, got) = read(first.await.unwrap().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, json!({ "kind": "event", "id": id, "detail": { "op": "INSERT", "table": "users" } }));
    for _ in 0..2 {
        assert_eq!(call(&app, event(&body, &[])).await, (StatusCode::OK, json!({ "duplicate": true })));
    }
    assert_eq!(h.calls.load(Ordering::SeqCst), 1, "the handler ran once");
}

async fn a_panic_answers_500_and_the_retry_runs(kind: Kind) {
    let (app, h) = event_app(Some(guard(kind).await), |l| l);
    let body = cron_body(&new_token().unwrap());
    let got = call(&app, event(&body, &[("x-answer", "panic")])).await;
    assert_eq!(
        got.1,
        json!({ "message": "the event handler failed", "extensions": { "code": "handler_failed" } })
    );
    assert_eq!(got.0, StatusCode::INTERNAL_SERVER_ERROR);
    let (status, again) = call(&app, event(&body, &[])).await;
    assert_eq!(status, StatusCode::OK, "the claim was released: {again}");
    assert_eq!(again["kind"], "scheduled");
    assert_eq!(again["detail"], json!({ "name": "daily_digest", "payload": { "n": 1 } }));
    assert_eq!(call(&app, event(&body, &[("x-answer", "500")])).await.1, json!({ "duplicate": true }));
    assert_eq!(h.calls.load(Ordering::SeqCst), 2);
    // A HandlerError answers the same, and releases too.
    let body = event_body(&new_token().unwrap());
    let got = call(&app, event(&body, &[("x-answer", "error")])).await;
    assert_eq!(
        got.1,
        json!({ "message": "the event handler failed", "extensions": { "code": "handler_failed" } })
    );
    assert_eq!(call(&app, event(&body, &[])).await.0, StatusCode::OK);
}

async fn a_dropped_request_and_a_non_2xx_release(kind: Kind) {
    let (app, h) = event_app(Some(guard(kind).await), |l| l);
    let body = event_body(&new_token().unwrap());
    let gone = tokio::spawn(app.clone().oneshot(event(&body, &[("x-hold", "1")])));
    h.entered.notified().await;
    gone.abort();
    assert!(gone.await.unwrap_err().is_cancelled());
    // Redis releases on a spawned task: Hasura would retry after Retry-After; so do we, quickly.
    let mut status = StatusCode::CONFLICT;
    for _ in 0..200 {
        status = call(&app, event(&body, &[("x-answer", "503")])).await.0;
        if status != StatusCode::CONFLICT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "the handler's own answer goes out");
    assert_eq!(call(&app, event(&body, &[])).await.0, StatusCode::OK, "503 released the claim too");
    assert_eq!(h.calls.load(Ordering::SeqCst), 3);
}

async fn the_done_ttl_is_the_option(kind: Kind) {
    let (app, h) = event_app(Some(guard(kind).await), |l| l.done_ttl(Duration::from_millis(300)).unwrap());
    let body = event_body(&new_token().unwrap());
    assert_eq!(call(&app, event(&body, &[])).await.0, StatusCode::OK);
    assert_eq!(call(&app, event(&body, &[])).await.1, json!({ "duplicate": true }));
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(call(&app, event(&body, &[])).await.0, StatusCode::OK, "a redelivery after done_ttl runs");
    assert_eq!(h.calls.load(Ordering::SeqCst), 2);
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
    copies_meet_once,
    a_panic_answers_500_and_the_retry_runs,
    a_dropped_request_and_a_non_2xx_release,
    the_done_ttl_is_the_option
);

#[tokio::test]
async fn redis_keys_are_the_cores_and_never_a_hygraph_key() {
    let mut raw = manager().await;
    let prefix = format!("hookseal-axum-hasura-keys:{}:", new_token().unwrap());
    let guard = RedisReplayGuard::new(raw.clone()).prefix(prefix.clone()).unwrap();
    let (app, _) = event_app(Some(guard.into()), |l| l);
    let id = "85558393-c75d-4d2f-9c15-e80591b83894";
    assert_eq!(call(&app, event(&event_body(id), &[])).await.0, StatusCode::OK);
    let key = format!("{prefix}{}", delivery_key(id));
    assert!(key.contains(":hasura:"), "{key}");
    let v: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut raw).await.unwrap();
    assert_eq!(v.as_deref(), Some("done"));
    let ttl: i64 = redis::cmd("PTTL").arg(&key).query_async(&mut raw).await.unwrap();
    assert!(ttl > 7 * 24 * 3_600_000 - 60_000, "done is kept 7 days by default: {ttl}");
    let _: () = redis::cmd("DEL").arg(&key).query_async(&mut raw).await.unwrap();
}

#[tokio::test]
async fn configuration_mistakes_and_a_missing_layer() {
    assert!(matches!(HasuraEventLayer::new("X-Event-Secret", [""]), Err(ConfigError::EmptySecret)));
    assert!(HasuraEventLayer::new("X-Event-Secret", Vec::<String>::new()).is_err());
    let l = HasuraEventLayer::new("X-Event-Secret", [SECRET]).unwrap();
    assert!(l.clone().retry_after(Duration::from_millis(500)).is_err(), "Retry-After is whole seconds");
    assert!(l.done_ttl(Duration::ZERO).is_err());
    assert!(HasuraActionLayer::new("ACTION_SECRET", ["  "]).is_err());
    assert!(AuthCache::memory(0).is_err());
    assert!(AuthCache::memory(1).unwrap().headers(Vec::<String>::new()).is_err());

    let app = Router::new()
        .route("/event", post(|_: HasuraDelivery| async { "ran" }))
        .route("/action", post(|_: HasuraAction| async { "ran" }));
    let got = call(&app, event(&event_body("x"), &[])).await;
    assert_error(&got, 500, "hookseal_layer_missing");
    assert!(got.1["message"].as_str().unwrap().contains("HasuraEventLayer"), "{}", got.1);
    let req = Request::builder().method("POST").uri("/action").body(Body::from("{}")).unwrap();
    assert_error(&call(&app, req).await, 500, "hookseal_layer_missing");
}

#[tokio::test]
async fn a_custom_retry_after_on_the_409_and_the_503() {
    // The 503: a key of the wrong type makes the guard's script fail.
    let mut raw = manager().await;
    let guard = RedisReplayGuard::new(raw.clone())
        .prefix(format!("hookseal-axum-ra:{}:", new_token().unwrap()))
        .unwrap();
    let id = new_token().unwrap();
    let redis_key = guard.redis_key(&delivery_key(&id));
    let _: () = redis::cmd("RPUSH").arg(&redis_key).arg("x").query_async(&mut raw).await.unwrap();
    let (app, h) = event_app(Some(guard.into()), |l| l.retry_after(Duration::from_secs(3)).unwrap());
    let res = app.clone().oneshot(event(&event_body(&id), &[])).await.unwrap();
    assert_eq!(res.headers()["retry-after"], "3");
    assert_error(&read(res).await, 503, "replay_store_unavailable");
    assert_eq!(h.calls.load(Ordering::SeqCst), 0);
    let _: () = redis::cmd("DEL").arg(&redis_key).query_async(&mut raw).await.unwrap();
}

// ---------------------------------------------------------------- Actions

#[derive(serde::Deserialize)]
struct Greet {
    name: String,
}

async fn greet(call: HasuraAction) -> Result<Json<Value>, HasuraActionError> {
    let input: Greet = call.input()?;
    match input.name.as_str() {
        "" => Err(HasuraActionError::new("greet needs a name", "bad_input").extension("field", "name")),
        "teapot" => Err(HasuraActionError::new("no", "teapot").status(StatusCode::IM_A_TEAPOT)),
        "five-hundred" => Err(HasuraActionError::new("hidden", "nope").status(StatusCode::BAD_GATEWAY)),
        "boom" => panic!("the action handler panics on purpose"),
        name => Ok(Json(
            json!({ "greeting": format!("Hello, {name}!"), "role": call.session_variable("X-Hasura-Role") }),
        )),
    }
}

fn action(input: Value) -> Request<Body> {
    let body = json!({
        "action": {"name": "greet"}, "input": input,
        "session_variables": {"x-hasura-role": "user"}, "request_query": "mutation { greet }",
    });
    Request::builder()
        .method("POST")
        .uri("/action")
        .header("action_secret", "s3cret")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn action_errors_reach_the_client_in_hasuras_shape() {
    let layer = HasuraActionLayer::new("ACTION_SECRET", ["s3cret"]).unwrap();
    let app = Router::new().route("/action", post(greet).layer(layer));
    assert_eq!(
        call(&app, action(json!({ "name": "Ada" }))).await,
        (StatusCode::OK, json!({ "greeting": "Hello, Ada!", "role": "user" }))
    );
    assert_eq!(
        call(&app, action(json!({ "name": "" }))).await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "message": "greet needs a name", "extensions": { "field": "name", "code": "bad_input" } })
        )
    );
    assert_error(&call(&app, action(json!({ "name": "teapot" }))).await, 418, "teapot");
    assert_error(&call(&app, action(json!({ "name": "five-hundred" }))).await, 400, "nope");
    let bad_input = call(&app, action(json!({ "name": 5 }))).await;
    assert_error(&bad_input, 400, "invalid_input");
    let panicked = call(&app, action(json!({ "name": "boom" }))).await;
    assert_eq!(
        panicked,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "message": "the action handler failed", "extensions": { "code": "handler_failed" } })
        )
    );
}

// ---------------------------------------------------------------- the auth cache

fn now_secs() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// A resolve that counts its calls: `Bearer ok-<secs>` allows with max-age <secs>, `Bearer
/// exp-<epoch secs>` allows until then (max-age 60), anything else denies.
fn counting(
    calls: Arc<AtomicUsize>,
) -> impl Fn(AuthCall) -> std::future::Ready<Option<AuthSession>> + Send + Sync + 'static {
    move |call: AuthCall| {
        calls.fetch_add(1, Ordering::SeqCst);
        let token = call.bearer().unwrap_or("").to_owned();
        let user = token.rsplit('/').next().unwrap_or("").to_owned();
        let session = AuthSession::new(json!({ "role": "user", "userId": user }));
        std::future::ready(if let Some(secs) = token.strip_prefix("ok-") {
            Some(session.max_age(secs.split('/').next().unwrap().parse().unwrap()))
        } else if let Some(secs) = token.strip_prefix("exp-") {
            let at: f64 = secs.split('/').next().unwrap().parse().unwrap();
            Some(session.max_age(60).expires_at_unix(at))
        } else {
            None
        })
    }
}

fn get(token: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri("/auth");
    if let Some(t) = token {
        b = b.header("Authorization", format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

fn post_auth(body: Value) -> Request<Body> {
    Request::builder().method("POST").uri("/auth").body(Body::from(body.to_string())).unwrap()
}

#[derive(Clone, Copy, Debug)]
enum CacheKind {
    Memory,
    Redis,
}

async fn cache(kind: CacheKind) -> AuthCache {
    match kind {
        CacheKind::Memory => AuthCache::memory(100).unwrap(),
        CacheKind::Redis => AuthCache::redis(manager().await)
            .prefix(format!("hookseal-axum-auth:{}:", new_token().unwrap()))
            .unwrap(),
    }
}

fn max_age(body: &Value) -> Option<u64> {
    body["Cache-Control"].as_str().map(|c| c.strip_prefix("max-age=").unwrap().parse().unwrap())
}

async fn served_from_cache_for_its_lifetime_only(kind: CacheKind) {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route_service("/auth", HasuraAuth::v2(counting(calls.clone())).cache(cache(kind).await));
    let user = new_token().unwrap();
    let token = format!("ok-2/{user}");
    let (status, first) = call(&app, get(Some(&token))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["X-Hasura-User-Id"], user.as_str());
    assert_eq!(max_age(&first), Some(2));
    let (_, second) = call(&app, get(Some(&token))).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the second answer came from the cache");
    assert_eq!(second["X-Hasura-User-Id"], user.as_str());
    assert!(max_age(&second).is_some_and(|n| n <= 2), "never more than what is left: {second}");
    // The same credential in the POST form is the same key.
    let (_, posted) = call(
        &app,
        post_auth(json!({ "headers": { "authorization": format!("Bearer {token}") }, "request": null })),
    )
    .await;
    assert_eq!(posted["X-Hasura-User-Id"], user.as_str());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // Another credential never gets this answer.
    let (_, other) = call(&app, get(Some(&format!("ok-2/{}", new_token().unwrap())))).await;
    assert_ne!(other["X-Hasura-User-Id"], user.as_str());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // Past its lifetime, resolve runs again.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    call(&app, get(Some(&token))).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3, "the entry lapsed with its lifetime");
}

async fn the_lifetime_is_cut_to_the_token(kind: CacheKind) {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route_service("/auth", HasuraAuth::v2(counting(calls.clone())).cache(cache(kind).await));
    let token = format!("exp-{}/{}", now_secs() + 1.5, new_token().unwrap());
    let (_, first) = call(&app, get(Some(&token))).await;
    assert_eq!(max_age(&first), Some(1), "max-age 60 cut to the 1.5 s the token has: {first}");
    call(&app, get(Some(&token))).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (_, late) = call(&app, get(Some(&token))).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2, "not served past the token's expiry");
    assert_eq!(max_age(&late), None, "under a second left: no cache key at all: {late}");
    // An answer without a lifetime is never kept.
    call(&app, get(Some(&token))).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

async fn denials_are_kept_only_when_asked(kind: CacheKind) {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route_service("/auth", HasuraAuth::ddn(counting(calls.clone())).cache(cache(kind).await));
    for _ in 0..2 {
        assert_error(&call(&app, get(Some("bad"))).await, 401, "access_denied");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // No named header: never cached.
    call(&app, get(None)).await;
    call(&app, get(None)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // DDN answers carry no cache key, but the receiver-side cache keeps them for their lifetime.
    let token = format!("ok-30/{}", new_token().unwrap());
    let (_, a) = call(&app, get(Some(&token))).await;
    let (_, b) = call(&app, get(Some(&token))).await;
    assert_eq!(a, b);
    assert_eq!(a["x-hasura-role"], "user");
    assert!(a.get("Cache-Control").is_none());
    assert_eq!(calls.load(Ordering::SeqCst), 5);

    let denials = cache(kind).await.cache_denials(Duration::from_secs(5)).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route_service("/auth", HasuraAuth::v2(counting(calls.clone())).cache(denials));
    for _ in 0..3 {
        assert_error(&call(&app, get(Some("bad"))).await, 401, "access_denied");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

macro_rules! on_both_caches {
    ($($name:ident),* $(,)?) => {
        mod cache_in_memory {
            $(#[tokio::test] async fn $name() { super::$name(super::CacheKind::Memory).await })*
        }
        mod cache_on_redis {
            $(#[tokio::test] async fn $name() { super::$name(super::CacheKind::Redis).await })*
        }
    };
}

on_both_caches!(
    served_from_cache_for_its_lifetime_only,
    the_lifetime_is_cut_to_the_token,
    denials_are_kept_only_when_asked
);

#[tokio::test]
async fn redis_entries_are_the_other_faces_entries() {
    let mut raw = manager().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route_service("/auth", HasuraAuth::v2(counting(calls.clone())).cache(AuthCache::redis(raw.clone())));
    let token = format!("ok-30/{}", new_token().unwrap());
    let bearer = format!("Bearer {token}");
    call(&app, get(Some(&token))).await;
    let key = format!(
        "hookseal:{}",
        auth_cache_key(AuthMode::V2, &["authorization", "cookie"], &[("authorization", &bearer)]).unwrap()
    );
    let text: String = redis::cmd("GET").arg(&key).query_async(&mut raw).await.unwrap();
    let entry: Value = serde_json::from_str(&text).unwrap();
    let session: Value = serde_json::from_str(entry["s"].as_str().unwrap()).unwrap();
    assert_eq!(session["role"], "user");
    let e = entry["e"].as_f64().unwrap();
    assert!((e / 1000.0 - now_secs() - 30.0).abs() < 2.0, "e is the expiry in ms: {entry}");
    let ttl: i64 = redis::cmd("PTTL").arg(&key).query_async(&mut raw).await.unwrap();
    assert!(ttl > 28_000 && ttl <= 30_000, "PX is the lifetime: {ttl}");

    // An entry as the Python package writes it (e a float) is served as it is, with what is left.
    let other = format!("Bearer {}", new_token().unwrap());
    let other_key =
        auth_cache_key(AuthMode::V2, &["authorization", "cookie"], &[("Authorization", &other)]).unwrap();
    let written =
        json!({ "s": r#"{"role":"editor","userId":7}"#, "e": (now_secs() + 20.0) * 1000.0 }).to_string();
    let _: () = redis::cmd("SET")
        .arg(format!("hookseal:{other_key}"))
        .arg(written)
        .arg("PX")
        .arg(20_000)
        .query_async(&mut raw)
        .await
        .unwrap();
    let req =
        Request::builder().uri("/auth").header("authorization", other.as_str()).body(Body::empty()).unwrap();
    let (status, got) = call(&app, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["X-Hasura-Role"], "editor");
    assert_eq!(got["X-Hasura-User-Id"], "7");
    assert!(max_age(&got).is_some_and(|n| (18..=20).contains(&n)), "{got}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "served from the other face's entry");
    let _: () =
        redis::cmd("DEL").arg(&key).arg(format!("hookseal:{other_key}")).query_async(&mut raw).await.unwrap();
}

/// A resolve that panics before it even returns its future.
fn explode(_: AuthCall) -> std::future::Ready<Option<AuthSession>> {
    panic!("resolve panics on purpose")
}

#[tokio::test]
async fn resolve_failing_is_500_never_200_or_401() {
    let app = Router::new()
        .route_service(
            "/auth",
            HasuraAuth::v2(|_: AuthCall| async {
                Err::<Option<AuthSession>, _>("the token service is down")
            })
            .cache(AuthCache::memory(10).unwrap().cache_denials(Duration::from_secs(5)).unwrap()),
        )
        .route_service("/panics", HasuraAuth::ddn(explode))
        .route_service(
            "/bad",
            HasuraAuth::v2(|_: AuthCall| async {
                Some(AuthSession::new(json!({ "role": "user", "org": { "id": 1 } })))
            }),
        );
    for _ in 0..2 {
        let got = call(&app, get(Some("t"))).await;
        assert_eq!(
            got,
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "message": "the auth webhook failed", "extensions": { "code": "handler_failed" } })
            )
        );
    }
    let req =
        Request::builder().uri("/panics").header("authorization", "Bearer t").body(Body::empty()).unwrap();
    assert_error(&call(&app, req).await, 500, "handler_failed");
    let req = Request::builder().uri("/bad").body(Body::empty()).unwrap();
    assert_error(&call(&app, req).await, 500, "invalid_session");
}

#[tokio::test]
async fn a_header_that_is_not_utf8_is_never_dropped_from_the_key() {
    // Two credentials that differ only in bytes that are not UTF-8 must not share an answer.
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let allow_all = move |_: AuthCall| {
        c.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Some(AuthSession::new(json!({ "role": "user" })).max_age(60)))
    };
    let app =
        Router::new().route_service("/auth", HasuraAuth::v2(allow_all).cache(AuthCache::memory(10).unwrap()));
    for token in [&b"Bearer \xff\xfe"[..], &b"Bearer \xfe\xff"[..]] {
        let req = Request::builder()
            .uri("/auth")
            .header("authorization", axum::http::HeaderValue::from_bytes(token).unwrap())
            .header("cookie", "same=1")
            .body(Body::empty())
            .unwrap();
        assert_eq!(call(&app, req).await.0, StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2, "not served from one cached answer");
}
