//! Hasura's answers as axum responses (contract §6), built by the core's [`hookseal::hasura`]:
//! the error an Action handler returns and the body of an auth-webhook answer.

use axum_core::body::Body;
use axum_core::response::Response;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};

pub use hookseal::hasura::{Cache, HasuraError, SessionValue};

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
