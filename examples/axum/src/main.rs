//! An axum service with a Hygraph webhook, a Hasura Action and a Hasura auth webhook, guarded by
//! hookseal-axum.
//!
//! ```sh
//! HYGRAPH_WEBHOOK_SECRET=... HASURA_ACTION_SECRET=... PORT=3000 cargo run -p hookseal-example-axum
//! ```
//!
//! With `REDIS_URL` set, the replay guard lives on Redis (shared by every instance); without it,
//! in this process's memory.

use std::process::ExitCode;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hookseal_axum::hasura::{action_error, auth_response, Cache, SessionValue};
use hookseal_axum::{
    HygraphDelivery, HygraphLayer, MemoryReplayGuard, RedisReplayGuard, ReplayGuard, SharedSecretLayer,
    Verifier,
};
use serde_json::{json, Value};

/// The Hygraph webhook: runs only for a genuine delivery, once (copies are answered by the layer).
async fn hygraph_webhook(delivery: HygraphDelivery) -> Json<Value> {
    Json(json!({ "ok": true, "environment": delivery.verified.environment }))
}

/// The Hasura Action `greet`: runs only when the ACTION_SECRET header holds the secret.
async fn greet(body: Bytes) -> Response {
    // The core checks the payload's shape and names the field that is wrong.
    if let Err(e) = hookseal_axum::hookseal::hasura::check_action(&body) {
        return action_error(&e.to_string(), e.code());
    }
    let call: Value = serde_json::from_slice(&body).unwrap_or_default();
    match (call["action"]["name"].as_str(), call["input"]["name"].as_str()) {
        (Some("greet"), Some(name)) if !name.is_empty() => {
            Json(json!({ "greeting": format!("Hello, {name}!") })).into_response()
        }
        _ => action_error("greet needs a name", "bad_input"),
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
    let action_secret = SharedSecretLayer::new("ACTION_SECRET", [env("HASURA_ACTION_SECRET")?])
        .map_err(|e| format!("HASURA_ACTION_SECRET: {e}"))?;
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
    let app = Router::new()
        .route("/api/hygraph", post(hygraph_webhook).layer(HygraphLayer::new(verifier).replay(replay)))
        .route("/api/action", post(greet).layer(action_secret))
        .route("/api/auth", post(auth));

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
