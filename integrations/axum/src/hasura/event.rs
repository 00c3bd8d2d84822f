//! Hasura Event Trigger and scheduled-event deliveries, run once: [`HasuraEventLayer`] and the
//! [`HasuraDelivery`] extractor.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum_core::body::Body;
use axum_core::extract::{FromRequestParts, Request};
use axum_core::response::{IntoResponse, Response};
use axum_core::RequestExt as _;
use bytes::Bytes;
use hookseal::hasura::{
    delivery_key, parse_delivery, Delivery, DeliveryKind, EventTrigger, ScheduledEvent,
    DEFAULT_RETRY_AFTER_SECS, EVENT_DONE_TTL_MS,
};
use hookseal::shared_secret::SharedSecret;
use hookseal::ConfigError;
use http::request::Parts;
use http::StatusCode;
use http_body_util::BodyExt as _;
use tower_layer::Layer;
use tower_service::Service;

use super::error;
use crate::catch::{panic_message, CatchUnwind};
use crate::hygraph::MissingLayer;
use crate::hygraph::{body_error, rejected};
use crate::replay::{claim_or_answer, ReplayGuard};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A tower layer for a route that receives Hasura's Event Trigger and scheduled-event (cron and
/// one-off) deliveries, and runs each delivery's handler once.
///
/// In order, for each request (contract §8):
/// 1. the shared-secret header (as [`SharedSecretLayer`](crate::SharedSecretLayer)): 401
///    `missing_secret` / `secret_mismatch`;
/// 2. the body: an Event Trigger (an `event` key) or a scheduled event (`scheduled_time`), checked
///    and typed by the core ([`hookseal::hasura::parse_delivery`]); anything else 400
///    `malformed_payload`, a body over axum's limit 413;
/// 3. with [`replay`](Self::replay), the replay guard keyed by the delivery's `id`
///    ([`hookseal::hasura::delivery_key`]: never the key of a Hygraph delivery): a copy while the
///    first runs → 409 `replayed` with `Retry-After: <retry_after>`; a copy of a handled one → 200
///    `{"duplicate": true}`, handler not called; the store unreachable → 503
///    `replay_store_unavailable` with `Retry-After`. Hasura schedules one more attempt after a
///    `Retry-After` even when its retries are used up, so no copy is lost;
/// 4. the handler, with the delivery as [`HasuraDelivery`]. A 2xx marks the delivery done (for
///    [`done_ttl`](Self::done_ttl), 7 days by default); any other answer, a panic (answered 500
///    `handler_failed`, logged) or a dropped request releases the claim, so Hasura's retry runs.
///
/// ```
/// use axum::{routing::post, Router};
/// use hookseal_axum::hasura::{HasuraDelivery, HasuraEventLayer};
/// use hookseal_axum::MemoryReplayGuard;
///
/// async fn on_event(delivery: HasuraDelivery) -> &'static str {
///     if let Some(event) = delivery.event() {
///         println!("{} {:?} on {}", delivery.id, event.event.op, event.table.name);
///     }
///     "ok"
/// }
///
/// // Hasura: Event Trigger → Headers → X-Event-Secret from the environment variable HASURA_EVENT_SECRET.
/// let secret = "value-of-HASURA_EVENT_SECRET"; // std::env::var(...)? in a real service
/// let events = HasuraEventLayer::new("X-Event-Secret", [secret])?.replay(MemoryReplayGuard::default());
/// let app: Router = Router::new().route("/api/hasura/event", post(on_event).layer(events));
/// # Ok::<(), hookseal_axum::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct HasuraEventLayer {
    config: Arc<Config>,
}

#[derive(Clone, Debug)]
struct Config {
    secret: Arc<SharedSecret>,
    replay: Option<ReplayGuard>,
    retry_after_secs: u64,
    done_ttl_ms: u64,
}

impl HasuraEventLayer {
    /// A layer checking `header` (any case) for one of `secrets`. An empty list, an empty or
    /// blank secret, or an invalid header name is a [`ConfigError`] here, at start-up.
    pub fn new<I, S>(header: &str, secrets: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        SharedSecret::new(header, secrets).map(Self::from)
    }

    /// Runs each delivery once with `guard` (a [`MemoryReplayGuard`](crate::MemoryReplayGuard)
    /// or a `RedisReplayGuard`; the same stores as the Hygraph layer, the keys never collide).
    pub fn replay(mut self, guard: impl Into<ReplayGuard>) -> Self {
        Arc::make_mut(&mut self.config).replay = Some(guard.into());
        self
    }

    /// The `Retry-After` (whole seconds, at least 1) of a 409 for a copy that arrives while the
    /// first still runs, and of a 503: when Hasura sends the copy again. Default 10 s, Hasura's
    /// default retry interval.
    pub fn retry_after(mut self, after: Duration) -> Result<Self, ConfigError> {
        let secs = after.as_secs();
        if secs < 1 {
            return Err(ConfigError::OutOfRange(
                "retry_after must be at least 1 s (Retry-After is whole seconds)",
            ));
        }
        Arc::make_mut(&mut self.config).retry_after_secs = secs;
        Ok(self)
    }

    /// How long a handled delivery is remembered (a copy within it is answered
    /// `{"duplicate": true}`). Default 7 days
    /// ([`EVENT_DONE_TTL_MS`](hookseal::hasura::EVENT_DONE_TTL_MS)): longer than any retry
    /// schedule and the duplicates an engine restart brings. A deliberate `pg_redeliver_event`
    /// within it is a duplicate too: shorten it, or delete the key, to run such an event again.
    /// At least 1 ms.
    pub fn done_ttl(mut self, ttl: Duration) -> Result<Self, ConfigError> {
        match u64::try_from(ttl.as_millis()) {
            Ok(ms) if ms >= 1 => Arc::make_mut(&mut self.config).done_ttl_ms = ms,
            _ => return Err(ConfigError::OutOfRange("done_ttl must be at least 1 ms")),
        }
        Ok(self)
    }

    /// The header this layer checks (lower case).
    pub fn header(&self) -> &str {
        self.config.secret.header()
    }
}

impl From<SharedSecret> for HasuraEventLayer {
    fn from(secret: SharedSecret) -> Self {
        HasuraEventLayer {
            config: Arc::new(Config {
                secret: Arc::new(secret),
                replay: None,
                retry_after_secs: DEFAULT_RETRY_AFTER_SECS,
                done_ttl_ms: EVENT_DONE_TTL_MS,
            }),
        }
    }
}

impl<S> Layer<S> for HasuraEventLayer {
    type Service = HasuraEventService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HasuraEventService { inner, config: self.config.clone() }
    }
}

/// The service [`HasuraEventLayer`] wraps around a handler or router.
#[derive(Clone)]
pub struct HasuraEventService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> fmt::Debug for HasuraEventService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HasuraEventService").field("config", &self.config).finish_non_exhaustive()
    }
}

impl<S> Service<Request> for HasuraEventService<S>
where
    S: Service<Request> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Response: IntoResponse,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(handle(self.config.clone(), inner, req))
    }
}

/// The answer to a handler that panicked: 500 `handler_failed`, no internals.
pub(crate) fn handler_failed(what: &str, panic: &(dyn std::any::Any + Send), message: &str) -> Response {
    tracing::error!(target: "hookseal", "{what} panicked: {}; answered 500 handler_failed", panic_message(panic));
    error(StatusCode::INTERNAL_SERVER_ERROR, message, "handler_failed")
}

async fn handle<S>(config: Arc<Config>, mut inner: S, req: Request) -> Result<Response, S::Error>
where
    S: Service<Request>,
    S::Response: IntoResponse,
{
    let headers = req.headers().iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
    if let Err(e) = config.secret.check_headers(headers) {
        return Ok(rejected(&e));
    }
    let (mut parts, body) = req.with_limited_body().into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return Ok(body_error(e)),
    };
    let payload = match parse_delivery(&bytes) {
        Ok(d) => d,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, &e.to_string(), e.code())),
    };
    let pending = match &config.replay {
        None => None,
        Some(guard) => {
            let key = delivery_key(payload.id());
            match claim_or_answer(guard, key, config.done_ttl_ms, Some(config.retry_after_secs)).await {
                Ok(pending) => Some(pending),
                Err(early) => return Ok(early),
            }
        }
    };
    let delivery =
        HasuraDelivery { kind: payload.kind(), id: payload.id().to_owned(), payload, body: bytes.clone() };
    parts.extensions.insert(delivery);
    let req = Request::from_parts(parts, Body::from(bytes));
    let result = match CatchUnwind::new(async move { inner.call(req).await }).await {
        Ok(result) => result.map(IntoResponse::into_response),
        Err(panic) => Ok(handler_failed("the event handler", &*panic, "the event handler failed")),
    };
    if let Some(pending) = pending {
        pending.settle(matches!(&result, Ok(r) if r.status().is_success())).await;
    }
    result
}

/// A Hasura delivery that passed [`HasuraEventLayer`]'s checks, as its handler receives it (an
/// extractor: take it as an argument, beside any other).
///
/// ```
/// use hookseal_axum::hasura::{Delivery, HasuraDelivery};
///
/// async fn on_delivery(d: HasuraDelivery) -> String {
///     match &d.payload {
///         Delivery::Event(e) => format!("event {} on {}: {:?}", d.id, e.table.name, e.event.op),
///         Delivery::Scheduled(s) => format!("{} {} due {}", d.kind.as_str(), d.id, s.scheduled_time),
///     }
/// }
/// ```
///
/// On a route without the layer it answers 500 (`hookseal_layer_missing`): the handler never
/// runs unchecked.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HasuraDelivery {
    /// An Event Trigger or a scheduled event (`"event"` / `"scheduled"`).
    pub kind: DeliveryKind,
    /// The delivery's id: the same on every retry and redelivery (the replay guard's key).
    pub id: String,
    /// The typed payload.
    pub payload: Delivery,
    /// The body exactly as received.
    pub body: Bytes,
}

impl HasuraDelivery {
    /// The Event Trigger payload, if it is one.
    pub fn event(&self) -> Option<&EventTrigger> {
        match &self.payload {
            Delivery::Event(e) => Some(e),
            Delivery::Scheduled(_) => None,
        }
    }

    /// The scheduled-event payload (cron or one-off), if it is one.
    pub fn scheduled(&self) -> Option<&ScheduledEvent> {
        match &self.payload {
            Delivery::Scheduled(s) => Some(s),
            Delivery::Event(_) => None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for HasuraDelivery {
    type Rejection = MissingLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<HasuraDelivery>()
            .cloned()
            .ok_or(MissingLayer::new("HasuraDelivery", "HasuraEventLayer::new(header, secrets)"))
    }
}

/// The error of an event handler, as a thrown error is in the other faces: 500
/// `handler_failed` with no internals in the body, the cause logged (`tracing`, target
/// `hookseal`); the layer releases the delivery, so Hasura's retry runs it. `?` converts any
/// `std::error::Error` into it.
///
/// ```
/// use hookseal_axum::hasura::{HandlerError, HasuraDelivery};
///
/// async fn on_event(d: HasuraDelivery) -> Result<&'static str, HandlerError> {
///     let _row = std::fs::read_to_string("/no/such/table")?; // fails: 500, released, retried
///     let _ = d;
///     Ok("ok")
/// }
/// ```
///
/// Deliberately not a `std::error::Error` itself, so that `?` converts every error into it.
pub struct HandlerError(String);

impl HandlerError {
    /// A failure whose `cause` goes to the log, not to the answer.
    pub fn new(cause: impl fmt::Display) -> Self {
        HandlerError(cause.to_string())
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HandlerError").field(&self.0).finish()
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the event handler failed: {}", self.0)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    fn from(e: E) -> Self {
        HandlerError::new(e)
    }
}

impl IntoResponse for HandlerError {
    fn into_response(self) -> Response {
        tracing::error!(target: "hookseal", "{self}; answered 500 handler_failed");
        error(StatusCode::INTERNAL_SERVER_ERROR, "the event handler failed", "handler_failed")
    }
}
