//! Hasura for axum (contract §6, §8), every rule in the core's [`hookseal::hasura`]:
//!
//! - [`HasuraEventLayer`] + [`HasuraDelivery`]: Event Trigger and scheduled-event (cron, one-off)
//!   deliveries, checked, typed and run once with a replay guard keyed by the delivery's id
//!   (409 + `Retry-After` for a copy in flight, 200 `{"duplicate": true}` for a handled one).
//! - [`HasuraActionLayer`] + [`HasuraAction`] + [`HasuraActionError`]: Action calls, and errors in
//!   the shape Hasura passes on to the GraphQL client (any other failure: 500 `handler_failed`,
//!   no internals).
//! - [`HasuraAuth`] (+ [`AuthCache`]): the auth webhook, v2 and DDN, GET and POST, answering only
//!   200 or 401 (500 when `resolve` fails), with a lifetime never longer than the token's.
//! - [`action_error`] and [`auth_response`]: the answers alone, for handlers of your own.

use axum_core::body::Body;
use axum_core::response::Response;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};

mod action;
mod auth;
mod cache;
mod event;

pub use self::action::{HasuraAction, HasuraActionError, HasuraActionLayer, HasuraActionService};
pub use self::auth::{AuthCall, AuthOutcome, AuthSession, HasuraAuth};
pub use self::cache::AuthCache;
pub use self::event::{HandlerError, HasuraDelivery, HasuraEventLayer, HasuraEventService};
pub use hookseal::hasura::{
    Action, AuthMode, Cache, Delivery, DeliveryKind, EventTrigger, HasuraError, Op, ScheduledEvent,
    SessionValue,
};

/// A JSON response with `status`.
pub(crate) fn json(status: StatusCode, body: String) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// Hasura's error shape, `{"message": "...", "extensions": {"code": "..."}}`, with `status`.
pub(crate) fn error(status: StatusCode, message: &str, code: &str) -> Response {
    json(status, hookseal::hasura::error_body(message, code))
}

/// The error an Action handler returns: 400 with `{"message", "extensions": {"code"}}`, which
/// Hasura passes on to the client. For another status, pair it with one:
/// `(StatusCode::UNAUTHORIZED, action_error(...))`.
///
/// ```
/// use hookseal_axum::hasura::action_error;
///
/// let res = action_error("greet needs a name", "bad_input");
/// assert_eq!(res.status(), 400);
/// ```
pub fn action_error(message: &str, code: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message, code)
}

/// An auth-webhook answer (200): the `X-Hasura-*` session variables (a `role` key becomes
/// `X-Hasura-Role` and is required; `userId`, `user_id`, `User-Id` all become
/// `X-Hasura-User-Id`), every value a string, and `Cache-Control` or `Expires` in the JSON body,
/// where Hasura's auth cache reads them. Keep `max-age` shorter than the user's token's life.
/// A session Hasura could not use (no role, a name given twice, a bad name) is an error.
///
/// ```
/// use hookseal_axum::hasura::{auth_response, Cache, SessionValue};
///
/// let res = auth_response(&[("role", SessionValue::Str("user")), ("userId", SessionValue::Num(42.0))], Cache::MaxAge(60))?;
/// assert_eq!(res.status(), 200);
/// // body: {"X-Hasura-Role":"user","X-Hasura-User-Id":"42","Cache-Control":"max-age=60"}
/// # Ok::<(), hookseal_axum::hasura::HasuraError>(())
/// ```
pub fn auth_response(session: &[(&str, SessionValue<'_>)], cache: Cache) -> Result<Response, HasuraError> {
    hookseal::hasura::auth_response_json(session, cache).map(|body| json(StatusCode::OK, body))
}
