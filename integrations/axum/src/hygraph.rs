//! Hygraph signed webhooks: [`HygraphLayer`] verifies, [`HygraphDelivery`] hands the result to
//! the handler.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_core::body::Body;
use axum_core::extract::{FromRequestParts, Request};
use axum_core::response::{IntoResponse, Response};
use axum_core::{BoxError, RequestExt as _};
use bytes::Bytes;
use hookseal::hygraph::{Verified, Verifier, HEADER};
use http::request::Parts;
use http::StatusCode;
use http_body_util::BodyExt as _;
use tower_layer::Layer;
use tower_service::Service;

use crate::hasura::error;
use crate::replay::{claim_or_answer, Pending, ReplayGuard};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A tower layer that lets a request through only when it is a genuine Hygraph delivery.
///
/// For each request it reads the raw body (within axum's
/// [`DefaultBodyLimit`](https://docs.rs/axum/latest/axum/extract/struct.DefaultBodyLimit.html),
/// 2 MB unless set), verifies the `gcms-signature` header with the strict rules of the core's
/// [`Verifier`] (MAC in constant time, time window, allowed environments), and passes the
/// request on with the same body, so the handler may still use `Json<T>`, `Bytes` or `String`;
/// [`HygraphDelivery`] gives it the verified delivery and the body bytes.
///
/// A failure answers 401 with Hasura's `{"message", "extensions": {"code"}}` (the code from
/// [`hookseal::Error::code`]) and the handler does not run; a body over the limit answers 413
/// (`payload_too_large`), one that cannot be read 400 (`malformed_body`).
///
/// With [`replay`](Self::replay), a copy of a delivery that is being handled answers 409
/// (`replayed`: the sender retries later), a copy of a handled one 200 `{"duplicate": true}`,
/// and an unreachable store 503 (`replay_store_unavailable`); the delivery is marked done when
/// the handler answers 2xx, and its claim is released when it answers anything else, returns an
/// error, panics, or is dropped (the client went away), so the sender's retry is processed.
///
/// ```
/// use axum::{routing::post, Router};
/// use hookseal_axum::{HygraphDelivery, HygraphLayer, MemoryReplayGuard, Verifier};
///
/// async fn on_publish(delivery: HygraphDelivery) -> String {
///     format!("{} bytes from {}", delivery.body.len(), delivery.verified.environment)
/// }
///
/// let verifier = Verifier::new(["secret-from-the-hygraph-webhook-settings"])?
///     .environments(["master"])?;
/// let app: Router = Router::new().route(
///     "/api/hygraph",
///     post(on_publish).layer(HygraphLayer::new(verifier).replay(MemoryReplayGuard::default())),
/// );
/// # Ok::<(), hookseal_axum::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct HygraphLayer {
    config: Arc<Config>,
}

#[derive(Clone, Debug)]
struct Config {
    verifier: Verifier,
    replay: Option<ReplayGuard>,
    done_ttl_ms: u64,
}

impl HygraphLayer {
    /// A layer that verifies with `verifier`. Build the verifier at start-up: a missing or empty
    /// secret is a [`ConfigError`](hookseal::ConfigError) there, never a request let through.
    pub fn new(verifier: Verifier) -> Self {
        let done_ttl_ms = verifier.replay_done_ttl_ms();
        HygraphLayer { config: Arc::new(Config { verifier, replay: None, done_ttl_ms }) }
    }

    /// Guards against replays with `guard` (a [`MemoryReplayGuard`](crate::MemoryReplayGuard)
    /// or a `RedisReplayGuard`). A handled delivery is remembered for the whole tolerance window,
    /// both sides (with the window off, for the default window).
    pub fn replay(mut self, guard: impl Into<ReplayGuard>) -> Self {
        Arc::make_mut(&mut self.config).replay = Some(guard.into());
        self
    }

    /// The verifier this layer uses.
    pub fn verifier(&self) -> &Verifier {
        &self.config.verifier
    }
}

impl<S> Layer<S> for HygraphLayer {
    type Service = HygraphService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HygraphService { inner, config: self.config.clone() }
    }
}

/// The service [`HygraphLayer`] wraps around a handler or router.
#[derive(Clone)]
pub struct HygraphService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> fmt::Debug for HygraphService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HygraphService").field("config", &self.config).finish_non_exhaustive()
    }
}

impl<S> Service<Request> for HygraphService<S>
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
        // The service that was polled ready handles this request; a clone takes its place.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(handle(self.config.clone(), inner, req))
    }
}

async fn handle<S>(config: Arc<Config>, mut inner: S, req: Request) -> Result<Response, S::Error>
where
    S: Service<Request>,
    S::Response: IntoResponse,
{
    let (mut parts, body) = req.with_limited_body().into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return Ok(body_error(e)),
    };
    let verified = match signature_header(&parts).and_then(|h| config.verifier.verify(&bytes, h)) {
        Ok(v) => v,
        Err(e) => return Ok(rejected(&e)),
    };
    let pending = match &config.replay {
        None => None,
        Some(guard) => match claim(guard, &verified, config.done_ttl_ms).await {
            Ok(pending) => Some(pending),
            Err(early) => return Ok(early),
        },
    };
    parts.extensions.insert(HygraphDelivery { verified, body: bytes.clone() });
    let result = inner.call(Request::from_parts(parts, Body::from(bytes))).await;
    let result = result.map(IntoResponse::into_response);
    if let Some(pending) = pending {
        pending.settle(matches!(&result, Ok(r) if r.status().is_success())).await;
    }
    result
}

/// Claims the delivery; answers early for a copy (409 / 200 duplicate) or a store failure (503).
async fn claim(guard: &ReplayGuard, verified: &Verified, done_ttl_ms: u64) -> Result<Pending, Response> {
    claim_or_answer(guard, verified.replay_key(), done_ttl_ms, None).await
}

/// The signature header's value: absent is empty (`missing_signature`); given more than once
/// or not text, `malformed_signature`, as in the Node and Python wrappers.
fn signature_header(parts: &Parts) -> Result<&str, hookseal::Error> {
    let mut values = parts.headers.get_all(HEADER).iter();
    match (values.next(), values.next()) {
        (None, _) => Ok(""),
        (Some(v), None) => std::str::from_utf8(v.as_bytes())
            .map_err(|_| hookseal::Error::MalformedSignature("it is not valid text")),
        (Some(_), Some(_)) => Err(hookseal::Error::MalformedSignature("it was given more than once")),
    }
}

/// 401 in Hasura's error shape, for a delivery that failed a check.
pub(crate) fn rejected(e: &hookseal::Error) -> Response {
    error(StatusCode::UNAUTHORIZED, &e.to_string(), e.code())
}

/// 413 when the body is over the limit (the `Bytes` extractor's rule), 400 when it could not be
/// read.
pub(crate) fn body_error(e: axum_core::Error) -> Response {
    // `with_limited_body` wraps the limit's error in one or two `axum_core::Error`s.
    let mut source: BoxError = e.into_inner();
    loop {
        match source.downcast::<axum_core::Error>() {
            Ok(wrapped) => source = wrapped.into_inner(),
            Err(other) => {
                source = other;
                break;
            }
        }
    }
    if source.is::<http_body_util::LengthLimitError>() {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is larger than the route's limit (axum's DefaultBodyLimit, 2 MB \
             unless set): raise it with DefaultBodyLimit::max",
            "payload_too_large",
        )
    } else {
        error(StatusCode::BAD_REQUEST, "the request body could not be read", "malformed_body")
    }
}

/// A verified Hygraph delivery, as a handler behind [`HygraphLayer`] receives it (an extractor:
/// take it as an argument, beside `Json<T>` or any other extractor).
///
/// ```
/// use axum::Json;
/// use hookseal_axum::HygraphDelivery;
///
/// async fn on_publish(delivery: HygraphDelivery, Json(event): Json<serde_json::Value>) -> String {
///     let hookseal_axum::Verified { environment, timestamp_ms, .. } = delivery.verified;
///     format!("{} from {environment} at {timestamp_ms}", event["operation"])
/// }
/// ```
///
/// On a route without the layer it answers 500 (`hookseal_layer_missing`): the handler never
/// runs unverified.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HygraphDelivery {
    /// What the signature proved: environment, timestamp, which secret matched.
    pub verified: Verified,
    /// The body exactly as received (the bytes the signature covers).
    pub body: Bytes,
}

impl<S: Send + Sync> FromRequestParts<S> for HygraphDelivery {
    type Rejection = MissingLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<HygraphDelivery>()
            .cloned()
            .ok_or(MissingLayer::new("HygraphDelivery", "HygraphLayer::new(verifier)"))
    }
}

/// The rejection of an extractor ([`HygraphDelivery`], [`HasuraDelivery`](crate::hasura::HasuraDelivery),
/// [`HasuraAction`](crate::hasura::HasuraAction)) on a route that its layer does not wrap: a
/// programming error, answered 500 (`hookseal_layer_missing`) so nothing runs unchecked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MissingLayer {
    extractor: &'static str,
    layer: &'static str,
}

impl MissingLayer {
    pub(crate) const fn new(extractor: &'static str, layer: &'static str) -> Self {
        MissingLayer { extractor, layer }
    }
}

impl fmt::Display for MissingLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layer = self.layer.split("::").next().unwrap_or(self.layer);
        write!(
            f,
            "{} is taken by a handler that no {layer} wraps: add .layer({}) to this route",
            self.extractor, self.layer
        )
    }
}

impl std::error::Error for MissingLayer {}

impl IntoResponse for MissingLayer {
    fn into_response(self) -> Response {
        tracing::error!(target: "hookseal", "{self}");
        error(StatusCode::INTERNAL_SERVER_ERROR, &self.to_string(), "hookseal_layer_missing")
    }
}
