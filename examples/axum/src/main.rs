//! An axum service with a Hygraph webhook and Hasura's three kinds of calls (Actions, Event
//! Triggers and cron / one-off scheduled events, the auth webhook in v2 and DDN form), guarded
//! by hookseal-axum.
//!
//! ```sh
//! HYGRAPH_WEBHOOK_SECRET=... HASURA_ACTION_SECRET=... HASURA_EVENT_SECRET=... PORT=3000 \
//!   cargo run -p hookseal-example-axum
//! ```
//!
//! With `REDIS_URL` set, the replay guard lives on Redis (shared by every instance); without it,
//! in this process's memory.

use std::process::ExitCode;
use std::time::Duration;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hookseal_axum::hasura::{
    action_error, auth_response, AuthCache, AuthCall, AuthSession, Cache, Delivery, HandlerError,
    HasuraAction, HasuraActionError, HasuraActionLayer, HasuraAuth, HasuraDelivery, HasuraEventLayer,
    SessionValue,
};
use hookseal_axum::{
    HygraphDelivery, HygraphLayer, MemoryReplayGuard, RedisReplayGuard, ReplayGuard, Verifier,
};
use serde_json::{json, Value};

/// The Hygraph webhook: runs only for a genuine delivery, once (copies are answered by the layer).
async fn hygraph_webhook(delivery: HygraphDelivery) -> Json<Value> {
    Json(json!({ "ok": true, "environment": delivery.verified.environment }))
}

/// The input of the Hasura Action `greet`.
#[derive(serde::Deserialize)]
struct Greet {
    #[serde(default)]
    name: String,
}

/// The Hasura Action `greet` (POST /api/action and /api/hasura/action): runs only when the
/// ACTION_SECRET header holds the secret and the body is an Action call. A `HasuraActionError`
/// reaches the GraphQL client; any other error, or a panic, is a 500 `handler_failed`.
async fn greet(call: HasuraAction) -> Result<Json<Value>, HasuraActionError> {
    if call.name() != "greet" {
        let unknown = HasuraActionError::new(format!("unknown action {}", call.name()), "not_found");
        return Err(unknown.status(StatusCode::NOT_FOUND));
    }
    let input: Greet = call.input()?;
    match input.name.as_str() {
        "" => Err(HasuraActionError::new("greet needs a name", "bad_input")),
        "boom" => Err(HasuraActionError::internal("the greeting service is down")),
        name => Ok(Json(json!({ "greeting": format!("Hello, {name}!") }))),
    }
}

/// POST /api/hasura/event: an Event Trigger or a cron / one-off scheduled event, run once. The
/// demo's controls: `hold_ms` (in the row, or the scheduled event's payload) makes it take that
/// long; `fail_until_retry` fails an event until Hasura's `delivery_info.current_retry` reaches
/// it (the layer releases the delivery, so the retry runs).
async fn on_event(delivery: HasuraDelivery) -> Result<Json<Value>, HandlerError> {
    let (controls, retry) = match &delivery.payload {
        Delivery::Event(e) => {
            let row = e.event.data.new.clone().map(Value::Object).unwrap_or_default();
            (row, e.delivery_info.map_or(0, |d| d.current_retry))
        }
        Delivery::Scheduled(s) => (s.payload.clone(), 0),
    };
    println!("hasura {} {} try {retry}", delivery.kind.as_str(), delivery.id);
    if let Some(ms) = controls.get("hold_ms").and_then(Value::as_u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let fail_until = controls.get("fail_until_retry").and_then(Value::as_u64);
    if delivery.event().is_some() && fail_until.is_some_and(|n| n > u64::from(retry)) {
        // 500 handler_failed (the cause logged, not answered), and the delivery released so
        // Hasura's retry runs it; any error through `?` does the same, and so does a panic.
        return Err(HandlerError::new("failing on purpose until a later retry"));
    }
    Ok(Json(json!({ "ok": true, "kind": delivery.kind.as_str(), "id": delivery.id })))
}

/// The demo's token check for the auth webhooks: `Bearer demo-token` is user 42 for 60 s;
/// `Bearer demo-token.<N>` also expires at N (epoch seconds), so the answer's lifetime is cut to
/// it. A real resolve verifies a JWT or looks a session up; anything else here is denied (401).
async fn resolve(call: AuthCall) -> Option<AuthSession> {
    let rest = call.bearer()?.strip_prefix("demo-token")?;
    let session = AuthSession::new(json!({ "role": "user", "userId": 42 })).max_age(60);
    match rest {
        "" => Some(session),
        _ => rest.strip_prefix('.')?.parse::<u64>().ok().map(|n| session.expires_at_unix(n as f64)),
    }
}

/// Hasura's auth webhook: the session for a valid token, cacheable for 60 s (never longer than
/// the token lives).
async fn auth(headers: HeaderMap) -> Response {
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some("Bearer demo-token") {
        return (StatusCode::UNAUTHORIZED, action_error("invalid token", "invalid-jwt")).into_response();
    }
    let session = [("role", SessionValue::Str("user")), ("user-id", SessionValue::Str("42"))];
    match auth_response(&session, Cache::MaxAge(60)) {
        Ok(res) => res,
        Err(e) => action_error(&e.to_string(), "bad_session"),
    }
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

async fn run() -> Result<(), String> {
    // A missing or empty secret stops the server here, never lets a request in.
    let verifier = Verifier::new([env("HYGRAPH_WEBHOOK_SECRET")?])
        .map_err(|e| format!("HYGRAPH_WEBHOOK_SECRET: {e}"))?;
    let action_secret = env("HASURA_ACTION_SECRET")?;
    let action = HasuraActionLayer::new("ACTION_SECRET", [&action_secret])
        .map_err(|e| format!("HASURA_ACTION_SECRET: {e}"))?;
    let events = HasuraEventLayer::new("X-Event-Secret", [env("HASURA_EVENT_SECRET")?])
        .map_err(|e| format!("HASURA_EVENT_SECRET: {e}"))?;
    // One replay store for both: Hygraph and Hasura keys never collide.
    let replay: ReplayGuard = match std::env::var("REDIS_URL") {
        Ok(url) => {
            let client = redis::Client::open(url).map_err(|e| format!("REDIS_URL: {e}"))?;
            let conn = client
                .get_connection_manager()
                .await
                .map_err(|e| format!("REDIS_URL: Redis unreachable: {e}"))?;
            RedisReplayGuard::new(conn).into()
        }
        Err(_) => MemoryReplayGuard::default().into(),
    };
    // The auth answers are also kept here, per token, for their lifetime (never past the token).
    let auth_cache = AuthCache::memory(10_000)
        .map_err(|e| e.to_string())?
        .headers(["authorization"])
        .map_err(|e| e.to_string())?;
    let app = Router::new()
        .route(
            "/api/hygraph",
            post(hygraph_webhook).layer(HygraphLayer::new(verifier).replay(replay.clone())),
        )
        .route("/api/action", post(greet).layer(action.clone()))
        .route("/api/auth", post(auth))
        .route("/api/hasura/event", post(on_event).layer(events.replay(replay)))
        .route("/api/hasura/action", post(greet).layer(action))
        .route_service("/api/hasura/auth", HasuraAuth::v2(resolve).cache(auth_cache.clone()))
        .route_service("/api/hasura/auth-ddn", HasuraAuth::ddn(resolve).cache(auth_cache));

    let port: u16 = std::env::var("PORT")
        .unwrap_or_else(|_| "3000".into())
        .parse()
        .map_err(|_| "PORT is not a port number")?;
    let listener =
        tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| format!("port {port}: {e}"))?;
    println!("listening {port}");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hookseal-example-axum: {e}");
            ExitCode::FAILURE
        }
    }
}
