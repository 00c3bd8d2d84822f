//! Hasura's auth webhook, v2 and DDN: [`HasuraAuth`] (a service to mount on a route) around your
//! `resolve`, with an optional receiver-side [`AuthCache`].

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use axum_core::extract::Request;
use axum_core::response::{IntoResponse, Response};
use axum_core::RequestExt as _;
use hookseal::hasura::{auth_answer, auth_cache_key, parse_auth_request, AuthMode};
use http::header::{HeaderName, HeaderValue, ALLOW};
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{Map, Value};
use tower_service::Service;

use super::cache::{AuthCache, Entry};
use super::{error, json};
use crate::catch::CatchUnwind;
use crate::hygraph::body_error;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What `resolve` is given: the GraphQL client's request as the auth webhook received it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AuthCall {
    /// `GET` (the client's headers came as this request's headers) or `POST` (in its body).
    pub method: Method,
    /// The client's headers (a `HeaderMap`: names in any case). In the POST form, a name or value
    /// that is not a valid HTTP header is left out.
    pub headers: HeaderMap,
    /// The client's GraphQL request (`query`, `variables`, `operationName`): v2 POST only;
    /// `None` in GET, in DDN, and when the engine sends `"request": null`.
    pub request: Option<Map<String, Value>>,
}

impl AuthCall {
    /// The token of an `Authorization: Bearer <token>` header (scheme in any case).
    pub fn bearer(&self) -> Option<&str> {
        let v = self.headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
    }
}

/// An allowed request's session, as `resolve` returns it: the session variables and how long
/// the answer may be cached.
///
/// Keys are written through the core's rule ([`hookseal::hasura::session_key`]): `role` →
/// `X-Hasura-Role` (required), `userId` / `user_id` / `X-Hasura-User-Id` → `X-Hasura-User-Id`.
/// v2 writes every value as a string (a number as JS writes it, a boolean as `true`/`false`; null,
/// an array or an object is refused); DDN keeps JSON values and needs a string role. A session
/// that cannot be written is answered 500 `invalid_session` (logged), never a 200 Hasura would
/// reject for every request.
///
/// ```
/// use hookseal_axum::hasura::AuthSession;
/// use serde_json::json;
///
/// let s = AuthSession::new(json!({ "role": "user", "userId": 42 })).max_age(300).expires_at_unix(1_900_000_000.0);
/// # let _ = s;
/// ```
#[derive(Clone, Debug)]
pub struct AuthSession {
    session: Value,
    max_age: Option<u64>,
    expires_at: Option<f64>,
}

impl AuthSession {
    /// A session of these variables (a JSON object).
    pub fn new(session: impl Into<Value>) -> Self {
        AuthSession { session: session.into(), max_age: None, expires_at: None }
    }

    /// How long Hasura (v2: `"Cache-Control": "max-age=N"` in the body) and the receiver-side
    /// cache may keep the answer, in seconds; overrides [`HasuraAuth::max_age`].
    pub fn max_age(mut self, secs: u64) -> Self {
        self.max_age = Some(secs);
        self
    }

    /// When the user's token expires: the lifetime is cut to the whole seconds left until then
    /// (none left: no cache key at all), so a cached session never outlives its token.
    pub fn expires_at(self, at: SystemTime) -> Self {
        let secs = match at.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs_f64(),
            Err(e) => -e.duration().as_secs_f64(),
        };
        self.expires_at_unix(secs)
    }

    /// [`expires_at`](Self::expires_at) in seconds since the Unix epoch (a JWT's `exp`).
    pub fn expires_at_unix(mut self, secs: f64) -> Self {
        self.expires_at = Some(secs);
        self
    }
}

/// What `resolve` may return: `Option<AuthSession>` (None denies: 401), or a `Result` of it whose
/// error is answered 500 `handler_failed` (never a 200 or a 401). The log line names the error's
/// type, not its text: an error of a token check may quote the token.
pub trait AuthOutcome: Send {
    /// `Ok(Some(session))` allows, `Ok(None)` denies, `Err(type name)` failed.
    fn into_outcome(self) -> Result<Option<AuthSession>, &'static str>;
}

impl AuthOutcome for Option<AuthSession> {
    fn into_outcome(self) -> Result<Option<AuthSession>, &'static str> {
        Ok(self)
    }
}

impl<E: Send> AuthOutcome for Result<Option<AuthSession>, E> {
    fn into_outcome(self) -> Result<Option<AuthSession>, &'static str> {
        self.map_err(|_| std::any::type_name::<E>())
    }
}

/// A Hasura auth webhook (v2 or DDN, GET and POST forms) around your `resolve`: a tower
/// service, mounted with `Router::route_service`.
///
/// - GET: the client's headers are the request's headers. POST: the body is checked by the core
///   (v2 `{"headers": {...}, "request": {...} | null}`, DDN `{"headers": {...}}`; another shape 400
///   `malformed_payload`).
/// - `resolve(call)` gets an [`AuthCall`] and returns `None` → **401**
///   `{"message": "access denied", "extensions": {"code": "access_denied"}}`, or an
///   [`AuthSession`] → **200** with the body the core writes ([`hookseal::hasura::auth_answer`]):
///   v2 `X-Hasura-*` strings and `"Cache-Control": "max-age=N"` with N the smaller of the
///   max-age and the whole seconds left until the token expires; DDN lower-case keys, JSON values,
///   no cache key. An `Err` or a panic → 500 `handler_failed` (the log line names the error's
///   type, never its text or a header); a session that cannot be written → 500 `invalid_session`.
///   Hasura accepts only 200 and 401: nothing else is ever answered to its two methods.
/// - [`cache`](Self::cache): keeps allowed answers on the receiver side (memory or Redis), for no
///   longer than their own lifetime, so `resolve` runs once per token and lifetime.
///
/// ```
/// use axum::Router;
/// use hookseal_axum::hasura::{AuthCache, AuthCall, AuthSession, HasuraAuth};
/// use serde_json::json;
///
/// async fn resolve(call: AuthCall) -> Result<Option<AuthSession>, std::io::Error> {
///     // Look the token up (a JWT check, a database query, ...): None denies.
///     Ok(match call.bearer() {
///         Some("demo-token") => Some(AuthSession::new(json!({ "role": "user", "userId": 42 })).max_age(60)),
///         _ => None,
///     })
/// }
///
/// let auth = HasuraAuth::v2(resolve).cache(AuthCache::memory(10_000)?);
/// let app: Router = Router::new().route_service("/api/hasura/auth", auth);
/// # Ok::<(), hookseal_axum::ConfigError>(())
/// ```
pub struct HasuraAuth<R> {
    resolve: Arc<R>,
    config: Config,
}

#[derive(Clone, Debug)]
struct Config {
    mode: AuthMode,
    max_age: Option<u64>,
    cache: Option<AuthCache>,
}

impl<R> Clone for HasuraAuth<R> {
    fn clone(&self) -> Self {
        HasuraAuth { resolve: self.resolve.clone(), config: self.config.clone() }
    }
}

impl<R> fmt::Debug for HasuraAuth<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HasuraAuth").field("config", &self.config).finish_non_exhaustive()
    }
}

impl<R> HasuraAuth<R> {
    /// An auth webhook for `mode`.
    pub fn new(mode: AuthMode, resolve: R) -> Self {
        HasuraAuth { resolve: Arc::new(resolve), config: Config { mode, max_age: None, cache: None } }
    }

    /// A Hasura v2 auth webhook.
    pub fn v2(resolve: R) -> Self {
        Self::new(AuthMode::V2, resolve)
    }

    /// A Hasura DDN (v3) auth webhook.
    pub fn ddn(resolve: R) -> Self {
        Self::new(AuthMode::Ddn, resolve)
    }

    /// The lifetime (seconds) of an allowed answer whose [`AuthSession`] sets none; still cut
    /// to the token's expiry.
    pub fn max_age(mut self, secs: u64) -> Self {
        self.config.max_age = Some(secs);
        self
    }

    /// Keeps allowed answers in `cache` ([`AuthCache`]).
    pub fn cache(mut self, cache: AuthCache) -> Self {
        self.config.cache = Some(cache);
        self
    }

    /// The mode.
    pub fn mode(&self) -> AuthMode {
        self.config.mode
    }
}

fn now_secs() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

impl<R, Fut> Service<Request> for HasuraAuth<R>
where
    R: Fn(AuthCall) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: AuthOutcome,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let (resolve, config) = (self.resolve.clone(), self.config.clone());
        Box::pin(async move { Ok(handle(resolve, config, req).await) })
    }
}

fn denied() -> Response {
    error(StatusCode::UNAUTHORIZED, "access denied", "access_denied")
}

fn invalid_session(why: &str) -> Response {
    tracing::error!(target: "hookseal", "HasuraAuth: resolve returned a session that cannot be written: {why}; answered 500");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the auth webhook returned a session that cannot be written",
        "invalid_session",
    )
}

async fn handle<R, Fut>(resolve: Arc<R>, inner: Config, req: Request) -> Response
where
    R: Fn(AuthCall) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: AuthOutcome,
{
    let mode = inner.mode;
    let method = req.method().clone();
    // The client's headers, as pairs (for the cache key) and as a HeaderMap (for resolve).
    let Client { pairs, headers, request } = if method == Method::GET {
        // Every header, as text. A value that is not UTF-8 cannot be part of a cache key as it
        // is, and must not be dropped from it either (two credentials could then share a key):
        // such a request is not cached (`pairs` None).
        let pairs = req
            .headers()
            .iter()
            .map(|(k, v)| String::from_utf8(v.as_bytes().to_vec()).map(|v| (k.as_str().to_owned(), v)))
            .collect::<Result<Vec<_>, _>>()
            .ok();
        Client { pairs, headers: req.headers().clone(), request: None }
    } else if method == Method::POST {
        let bytes = match req.with_limited_body().into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => return body_error(e),
        };
        let parsed = match parse_auth_request(mode, &bytes) {
            Ok(p) => p,
            Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string(), e.code()),
        };
        let pairs: Vec<(String, String)> = parsed
            .headers
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect();
        let mut map = HeaderMap::new();
        for (k, v) in &pairs {
            if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
                map.append(name, value);
            }
        }
        Client { pairs: Some(pairs), headers: map, request: parsed.request }
    } else {
        // Hasura calls its auth webhook with GET or POST only.
        let mut res = StatusCode::METHOD_NOT_ALLOWED.into_response();
        res.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, POST"));
        return res;
    };

    let key = inner.cache.as_ref().zip(pairs.as_ref()).and_then(|(cache, pairs)| {
        let names: Vec<&str> = cache.names().iter().map(String::as_str).collect();
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        auth_cache_key(mode, &names, &pairs)
    });
    if let (Some(cache), Some(key)) = (&inner.cache, &key) {
        let now = now_secs();
        match cache.get(key, now).await {
            Some(Entry::Denied) => return denied(),
            Some(Entry::Session { session, expires_ms }) => {
                // The lifetime left is cut to the entry's own expiry: never served past it.
                if let Ok(a) =
                    auth_answer(mode, session.as_bytes(), None, Some(expires_ms as f64 / 1000.0), now)
                {
                    return json(StatusCode::OK, a.body);
                }
            }
            None => {}
        }
    }

    let call = AuthCall { method, headers, request };
    let resolved = match CatchUnwind::new(async move { (*resolve)(call).await }).await {
        Ok(outcome) => outcome.into_outcome(),
        Err(_) => {
            // Not the panic's message: it could quote a credential (the panic hook has printed
            // where it happened).
            tracing::error!(target: "hookseal", "HasuraAuth: resolve panicked; answered 500 handler_failed");
            return error(StatusCode::INTERNAL_SERVER_ERROR, "the auth webhook failed", "handler_failed");
        }
    };
    let session = match resolved {
        Ok(Some(session)) => session,
        Ok(None) => {
            if let (Some(cache), Some(key)) = (&inner.cache, &key) {
                cache.put_denial(key, now_secs()).await;
            }
            return denied();
        }
        Err(type_name) => {
            tracing::error!(
                target: "hookseal",
                "HasuraAuth: resolve returned an error ({type_name}; its text is not logged: it could \
                 quote a credential); answered 500 handler_failed"
            );
            return error(StatusCode::INTERNAL_SERVER_ERROR, "the auth webhook failed", "handler_failed");
        }
    };
    let session_json = match &session.session {
        Value::Object(_) => session.session.to_string(),
        other => {
            return invalid_session(&format!("the session must be a JSON object, not {}", kind_of(other)))
        }
    };
    let now = now_secs();
    let max_age = session.max_age.or(inner.max_age);
    match auth_answer(mode, session_json.as_bytes(), max_age, session.expires_at, now) {
        Ok(answer) => {
            if let (Some(cache), Some(key), Some(secs)) = (&inner.cache, &key, answer.lifetime_secs) {
                cache.put_session(key, &session_json, now, secs).await;
            }
            json(StatusCode::OK, answer.body)
        }
        Err(e) => invalid_session(&e.to_string()),
    }
}

/// The GraphQL client's headers: as pairs (for the cache key) and as a `HeaderMap` (for
/// `resolve`), and v2 POST's GraphQL request.
struct Client {
    /// `None`: a header value is not UTF-8; the request is not cached.
    pairs: Option<Vec<(String, String)>>,
    headers: HeaderMap,
    request: Option<Map<String, Value>>,
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
