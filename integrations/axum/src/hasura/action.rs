//! Hasura Actions: [`HasuraActionLayer`], the [`HasuraAction`] extractor and
//! [`HasuraActionError`], the error that reaches the GraphQL client.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_core::body::Body;
use axum_core::extract::{FromRequestParts, Request};
use axum_core::response::{IntoResponse, Response};
use axum_core::RequestExt as _;
use hookseal::hasura::{parse_action, Action};
use hookseal::shared_secret::SharedSecret;
use hookseal::ConfigError;
use http::request::Parts;
use http::StatusCode;
use http_body_util::BodyExt as _;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tower_layer::Layer;
use tower_service::Service;

use super::event::handler_failed;
use super::{error, json};
use crate::catch::CatchUnwind;
use crate::hygraph::{body_error, rejected, MissingLayer};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What the GraphQL client sees when an Action handler fails with something that is not a
/// [`HasuraActionError::new`]: a 500 whose body names no internals (Hasura turns any 5xx into
/// its generic "internal error" anyway; the cause goes to the log).
const HANDLER_FAILED: &str = "the action handler failed";

/// A tower layer for a Hasura Action handler: the shared-secret header (401 `missing_secret` /
/// `secret_mismatch`, as [`SharedSecretLayer`](crate::SharedSecretLayer)), then the body, checked
/// and typed by the core ([`hookseal::hasura::parse_action`]; another shape 400
/// `malformed_payload`), then the handler with the call as [`HasuraAction`]. A handler that
/// panics is answered 500 `handler_failed` (logged), never a dropped connection.
///
/// ```
/// use axum::{routing::post, Json, Router};
/// use hookseal_axum::hasura::{HasuraAction, HasuraActionError, HasuraActionLayer};
/// use serde_json::{json, Value};
///
/// #[derive(serde::Deserialize)]
/// struct Greet {
///     name: String,
/// }
///
/// async fn greet(call: HasuraAction) -> Result<Json<Value>, HasuraActionError> {
///     let input: Greet = call.input()?; // 400 invalid_input when it does not fit
///     if input.name.is_empty() {
///         return Err(HasuraActionError::new("greet needs a name", "bad_input")); // reaches the client
///     }
///     Ok(Json(json!({ "greeting": format!("Hello, {}!", input.name) })))
/// }
///
/// let secret = "value-of-HASURA_ACTION_SECRET"; // std::env::var(...)? in a real service
/// let app: Router = Router::new()
///     .route("/api/hasura/action", post(greet).layer(HasuraActionLayer::new("ACTION_SECRET", [secret])?));
/// # Ok::<(), hookseal_axum::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct HasuraActionLayer {
    secret: Arc<SharedSecret>,
}

impl HasuraActionLayer {
    /// A layer checking `header` (any case) for one of `secrets`. An empty list, an empty or
    /// blank secret, or an invalid header name is a [`ConfigError`] here, at start-up.
    pub fn new<I, S>(header: &str, secrets: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        SharedSecret::new(header, secrets).map(Self::from)
    }

    /// The header this layer checks (lower case).
    pub fn header(&self) -> &str {
        self.secret.header()
    }
}

impl From<SharedSecret> for HasuraActionLayer {
    fn from(secret: SharedSecret) -> Self {
        HasuraActionLayer { secret: Arc::new(secret) }
    }
}

impl<S> Layer<S> for HasuraActionLayer {
    type Service = HasuraActionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HasuraActionService { inner, secret: self.secret.clone() }
    }
}

/// The service [`HasuraActionLayer`] wraps around a handler or router.
#[derive(Clone)]
pub struct HasuraActionService<S> {
    inner: S,
    secret: Arc<SharedSecret>,
}

impl<S> fmt::Debug for HasuraActionService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HasuraActionService").field("secret", &self.secret).finish_non_exhaustive()
    }
}

impl<S> Service<Request> for HasuraActionService<S>
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
        Box::pin(handle(self.secret.clone(), inner, req))
    }
}

async fn handle<S>(secret: Arc<SharedSecret>, mut inner: S, req: Request) -> Result<Response, S::Error>
where
    S: Service<Request>,
    S::Response: IntoResponse,
{
    let headers = req.headers().iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
    if let Err(e) = secret.check_headers(headers) {
        return Ok(rejected(&e));
    }
    let (mut parts, body) = req.with_limited_body().into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return Ok(body_error(e)),
    };
    let action = match parse_action(&bytes) {
        Ok(a) => a,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, &e.to_string(), e.code())),
    };
    parts.extensions.insert(HasuraAction(Arc::new(action)));
    let req = Request::from_parts(parts, Body::from(bytes));
    match CatchUnwind::new(async move { inner.call(req).await }).await {
        Ok(result) => result.map(IntoResponse::into_response),
        Err(panic) => Ok(handler_failed("the action handler", &*panic, HANDLER_FAILED)),
    }
}

/// A Hasura Action call that passed [`HasuraActionLayer`]'s checks (an extractor). It derefs to
/// the core's typed [`Action`]: `call.action.name`, `call.input`, `call.session_variables`
/// (lower-case keys), `call.request_query`.
///
/// On a route without the layer it answers 500 (`hookseal_layer_missing`).
#[derive(Clone, Debug)]
pub struct HasuraAction(pub Arc<Action>);

impl std::ops::Deref for HasuraAction {
    type Target = Action;

    fn deref(&self) -> &Action {
        &self.0
    }
}

impl HasuraAction {
    /// The Action's name.
    pub fn name(&self) -> &str {
        &self.0.action.name
    }

    /// The input as your own type; one that does not fit is a [`HasuraActionError`] (400
    /// `invalid_input`, naming the field), which the client sees.
    pub fn input<T: DeserializeOwned>(&self) -> Result<T, HasuraActionError> {
        serde_json::from_value(Value::Object(self.0.input.clone())).map_err(|e| {
            HasuraActionError::new(format!("the action's input does not fit: {e}"), "invalid_input")
        })
    }

    /// A session variable, by name in any case (`x-hasura-user-id`, `X-Hasura-User-Id`), as the
    /// string Hasura sends.
    pub fn session_variable(&self, name: &str) -> Option<&str> {
        self.0
            .session_variables
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for HasuraAction {
    type Rejection = MissingLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<HasuraAction>()
            .cloned()
            .ok_or(MissingLayer::new("HasuraAction", "HasuraActionLayer::new(header, secrets)"))
    }
}

/// The error of an Action handler, answered in the shape Hasura passes on to the GraphQL client.
///
/// - [`HasuraActionError::new`]`(message, code)`: a 4xx (400 unless [`status`](Self::status)
///   says otherwise) with `{"message": ..., "extensions": {"code": ..., ...}}`; Hasura hands
///   `message` and `extensions` to the client.
/// - Any other error, through `?` (`From<E>` for every `std::error::Error`) or
///   [`HasuraActionError::internal`]: a 500 `{"message": "the action handler failed",
///   "extensions": {"code": "handler_failed"}}`, with no internals; the error goes to the log
///   (`tracing`, target `hookseal`). Hasura shows any 5xx as its generic "internal error".
///
/// ```
/// use axum::http::StatusCode;
/// use axum::response::IntoResponse;
/// use hookseal_axum::hasura::HasuraActionError;
///
/// let res = HasuraActionError::new("no such user", "not_found").status(StatusCode::NOT_FOUND).into_response();
/// assert_eq!(res.status(), 404);
/// fn read_config() -> Result<String, HasuraActionError> {
///     Ok(std::fs::read_to_string("/no/such/file")?) // a 500 handler_failed, logged
/// }
/// assert_eq!(read_config().unwrap_err().into_response().status(), 500);
/// ```
///
/// It is deliberately not a `std::error::Error` itself, so that `?` converts every error into it.
pub struct HasuraActionError {
    inner: Inner,
}

enum Inner {
    Client { status: StatusCode, message: String, code: String, extensions: Map<String, Value> },
    Internal(String),
}

impl HasuraActionError {
    /// An error the GraphQL client sees: 400 with `{"message", "extensions": {"code"}}`.
    pub fn new(message: impl Into<String>, code: impl Into<String>) -> Self {
        HasuraActionError {
            inner: Inner::Client {
                status: StatusCode::BAD_REQUEST,
                message: message.into(),
                code: code.into(),
                extensions: Map::new(),
            },
        }
    }

    /// Another 4xx status. Only a 4xx reaches the client with its message (Hasura turns a 5xx
    /// into a generic "internal error"), so a status outside 400–499 is ignored and 400 kept.
    pub fn status(mut self, status: StatusCode) -> Self {
        if let Inner::Client { status: s, .. } = &mut self.inner {
            if status.is_client_error() {
                *s = status;
            } else {
                tracing::warn!(
                    target: "hookseal",
                    "HasuraActionError::status({status}) ignored: only a 4xx reaches the client; answering {s}"
                );
            }
        }
        self
    }

    /// One more key of `extensions` (`code` stays the one given to [`new`](Self::new)).
    pub fn extension(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        if let Inner::Client { extensions, .. } = &mut self.inner {
            extensions.insert(key.into(), value.into());
        }
        self
    }

    /// A failure the client should not see the details of: 500 `handler_failed`; `cause` is logged.
    pub fn internal(cause: impl fmt::Display) -> Self {
        HasuraActionError { inner: Inner::Internal(cause.to_string()) }
    }

    /// The HTTP status it answers with.
    pub fn status_code(&self) -> StatusCode {
        match &self.inner {
            Inner::Client { status, .. } => *status,
            Inner::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `extensions.code` it answers with.
    pub fn code(&self) -> &str {
        match &self.inner {
            Inner::Client { code, .. } => code,
            Inner::Internal(_) => "handler_failed",
        }
    }
}

impl fmt::Debug for HasuraActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Client { status, message, code, .. } => f
                .debug_struct("HasuraActionError")
                .field("status", status)
                .field("message", message)
                .field("code", code)
                .finish_non_exhaustive(),
            Inner::Internal(cause) => f.debug_tuple("HasuraActionError::internal").field(cause).finish(),
        }
    }
}

impl fmt::Display for HasuraActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Client { message, code, .. } => write!(f, "{message} ({code})"),
            Inner::Internal(cause) => write!(f, "{HANDLER_FAILED}: {cause}"),
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HasuraActionError {
    fn from(e: E) -> Self {
        HasuraActionError::internal(e)
    }
}

impl IntoResponse for HasuraActionError {
    fn into_response(self) -> Response {
        match self.inner {
            Inner::Client { status, message, code, extensions } if extensions.is_empty() => {
                error(status, &message, &code)
            }
            Inner::Client { status, message, code, mut extensions } => {
                extensions.insert("code".into(), Value::String(code));
                let body = serde_json::json!({ "message": message, "extensions": extensions });
                json(status, body.to_string())
            }
            Inner::Internal(cause) => {
                tracing::error!(target: "hookseal", "the action handler failed: {cause}; answered 500 handler_failed");
                error(StatusCode::INTERNAL_SERVER_ERROR, HANDLER_FAILED, "handler_failed")
            }
        }
    }
}
