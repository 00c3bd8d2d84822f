//! Hasura helpers (contract §6): the error body an Action handler returns, the body of an
//! auth-webhook answer that Hasura can cache, and shape checks of Action and Event Trigger
//! payloads.
//!
//! ```
//! use hookseal::hasura::{auth_response_json, check_action, error_body, session_key, Cache, SessionValue};
//!
//! assert_eq!(error_body("no such user", "not_found"), r#"{"message":"no such user","extensions":{"code":"not_found"}}"#);
//! assert_eq!(session_key("userId").as_deref(), Some("X-Hasura-User-Id"));
//! let session = [("role", SessionValue::Str("user")), ("user_id", SessionValue::Num(42.0))];
//! assert_eq!(
//!     auth_response_json(&session, Cache::MaxAge(60))?,
//!     r#"{"X-Hasura-Role":"user","X-Hasura-User-Id":"42","Cache-Control":"max-age=60"}"#
//! );
//! assert!(check_action(br#"{"action":{"name":"greet"},"input":{},"session_variables":{}}"#).is_ok());
//! assert_eq!(check_action(br#"{"action":{}}"#).unwrap_err().code(), "malformed_payload");
//! # Ok::<(), hookseal::hasura::HasuraError>(())
//! ```

use std::fmt;

use crate::ecma::{number_to_string, parse_json, quote, JsValue};
use crate::error::Error;

/// Hasura's error shape: `{"message": "...", "extensions": {"code": "..."}}`.
pub fn error_body(message: &str, code: &str) -> String {
    format!("{{\"message\":{},\"extensions\":{{\"code\":{}}}}}", quote(message), quote(code))
}

/// A session variable's value as the caller gave it; Hasura wants every value as a string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SessionValue<'a> {
    /// Kept as it is.
    Str(&'a str),
    /// Written as JS `String(n)` (`5`, not `5.0`); must be finite.
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
}

/// How long Hasura may cache the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cache {
    /// No caching hint: Hasura asks the webhook on every request.
    None,
    /// `"Cache-Control": "max-age=N"` (seconds).
    MaxAge(u64),
    /// `"Expires": "<HTTP date>"` at this Unix time (seconds).
    Expires(u64),
}

/// A mistake in an auth-webhook answer (a programming error: faces raise TypeError/ValueError).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HasuraError(String);

impl fmt::Display for HasuraError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HasuraError {}

/// The words of a session-variable name as users write it: split at `-` and `_` and at
/// camel-case boundaries (`userId` → `user`, `Id`; `APIKey` → `API`, `Key`). `None` if the name
/// is empty, holds a character other than ASCII letters, digits, `-`, `_`, or has an empty word
/// (a leading, trailing or doubled separator).
fn words(key: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    for part in key.split(['-', '_']) {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let b = part.as_bytes();
        let mut start = 0;
        for i in 1..b.len() {
            let (prev, cur) = (b[i - 1], b[i]);
            let next_lower = b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            // `userId`, `user2Id`: lower case or digit, then upper case. `APIKey`: the last
            // capital of a run of capitals starts a word when lower case follows.
            let boundary = cur.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower));
            if boundary {
                out.push(&part[start..i]);
                start = i;
            }
        }
        out.push(&part[start..]);
    }
    Some(out)
}

/// The session-variable header name for `key`, written the way users write it: `role` →
/// `X-Hasura-Role`; `userId`, `user_id`, `User-Id`, `x-hasura-user-id`, `X-Hasura-User-Id`,
/// `x_hasura_user_id` → `X-Hasura-User-Id`. Words are split at `-`, `_` and camel-case
/// boundaries, an `X-Hasura` prefix is dropped, and each word is capitalized. `None` for a name
/// that is empty, holds other characters than ASCII letters, digits, `-` and `_`, has an empty
/// word, or is only the prefix.
pub fn session_key(key: &str) -> Option<String> {
    let mut w = words(key)?;
    if w.len() >= 2 && w[0].eq_ignore_ascii_case("x") && w[1].eq_ignore_ascii_case("hasura") {
        w.drain(..2);
    }
    if w.is_empty() {
        return None;
    }
    let mut out = String::from("X-Hasura");
    for word in w {
        out.push('-');
        let mut chars = word.chars();
        if let Some(c) = chars.next() {
            out.push(c.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    Some(out)
}

/// The body of an auth-webhook answer: `X-Hasura-*` session variables (role required), every
/// value a string, plus `Cache-Control` or `Expires` where Hasura's auth cache reads them.
/// Keep `max-age` shorter than the lifetime of the user's token.
pub fn auth_response(
    entries: &[(&str, SessionValue<'_>)],
    cache: Cache,
) -> Result<Vec<(String, String)>, HasuraError> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(entries.len() + 1);
    // `out[j]` comes from `entries[j]`: every entry is pushed or ends the call.
    for (k, v) in entries {
        let key = session_key(k).ok_or_else(|| {
            HasuraError(format!(
                "session variable name {} is not usable: write words of letters and digits joined by '-' or '_' (userId, user_id, X-Hasura-User-Id)",
                quote(k)
            ))
        })?;
        if let Some(j) = out.iter().position(|(k2, _)| *k2 == key) {
            return Err(HasuraError(format!(
                "session variable {key} is given twice, as {} and as {}: keep one",
                quote(entries[j].0),
                quote(k)
            )));
        }
        let value = match v {
            SessionValue::Str(s) => (*s).to_owned(),
            SessionValue::Num(n) if n.is_finite() => number_to_string(*n),
            SessionValue::Num(_) => {
                return Err(HasuraError(format!("session variable {key} is not a finite number")))
            }
            SessionValue::Bool(b) => b.to_string(),
        };
        out.push((key, value));
    }
    match out.iter().find(|(k, _)| k == "X-Hasura-Role") {
        None => return Err(HasuraError("an auth-webhook answer needs a role (X-Hasura-Role)".into())),
        Some((_, r)) if r.is_empty() => return Err(HasuraError("the role is empty".into())),
        Some(_) => {}
    }
    match cache {
        Cache::None => {}
        Cache::MaxAge(n) => out.push(("Cache-Control".into(), format!("max-age={n}"))),
        Cache::Expires(t) => out.push(("Expires".into(), http_date(t))),
    }
    Ok(out)
}

/// [`auth_response`] as the JSON text of the answer.
pub fn auth_response_json(entries: &[(&str, SessionValue<'_>)], cache: Cache) -> Result<String, HasuraError> {
    let pairs = auth_response(entries, cache)?;
    let mut s = String::from("{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&quote(k));
        s.push(':');
        s.push_str(&quote(v));
    }
    s.push('}');
    Ok(s)
}

/// Year, month (1-12) and day of the civil (proleptic Gregorian) date `days` after 1970-01-01
/// (Howard Hinnant's algorithm).
fn civil(days: u64) -> (i64, u64, u64) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u64, d as u64)
}

/// An HTTP date (IMF-fixdate, RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(unix_secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = unix_secs / 86_400;
    let secs = unix_secs % 86_400;
    let (y, m, d) = civil(days);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// The `created_at` of a Hasura Event Trigger payload: UTC with microseconds and no zone,
/// `2026-11-22T12:00:00.123456`.
pub fn event_timestamp(unix_micros: u64) -> String {
    let secs = unix_micros / 1_000_000;
    let (y, m, d) = civil(secs / 86_400);
    let s = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        unix_micros % 1_000_000
    )
}

fn malformed(kind: &str, path: &str, want: &str) -> Error {
    Error::MalformedPayload(format!("not a Hasura {kind} payload: `{path}` must be {want}"))
}

fn field<'a>(v: &'a JsValue, key: &str) -> Option<&'a JsValue> {
    match v {
        JsValue::Object(o) => o.get(key.as_bytes()),
        _ => None,
    }
}

fn want_object(kind: &str, v: Option<&JsValue>, path: &str) -> Result<(), Error> {
    match v {
        Some(JsValue::Object(_)) => Ok(()),
        _ => Err(malformed(kind, path, "an object")),
    }
}

fn want_string(kind: &str, v: Option<&JsValue>, path: &str) -> Result<(), Error> {
    match v {
        Some(JsValue::String(_)) => Ok(()),
        _ => Err(malformed(kind, path, "a string")),
    }
}

fn parse_payload(kind: &str, json: &[u8]) -> Result<JsValue, Error> {
    let v = parse_json(json)
        .map_err(|e| Error::MalformedPayload(format!("not a Hasura {kind} payload: the body is {e}")))?;
    if !matches!(v, JsValue::Object(_)) {
        return Err(malformed(kind, "(body)", "an object"));
    }
    Ok(v)
}

/// Checks the shape of an Action payload:
/// `{"action": {"name": string}, "input": object, "session_variables": object, "request_query"?: string}`.
pub fn check_action(json: &[u8]) -> Result<(), Error> {
    const K: &str = "Action";
    let v = parse_payload(K, json)?;
    want_object(K, field(&v, "action"), "action")?;
    want_string(K, field(&v, "action").and_then(|a| field(a, "name")), "action.name")?;
    want_object(K, field(&v, "input"), "input")?;
    want_object(K, field(&v, "session_variables"), "session_variables")?;
    match field(&v, "request_query") {
        None | Some(JsValue::String(_)) => Ok(()),
        Some(_) => Err(malformed(K, "request_query", "a string")),
    }
}

/// Checks the shape of an Event Trigger payload: `event.op` one of INSERT, UPDATE, DELETE,
/// MANUAL; `event.data.old` / `event.data.new` objects or null; `table.schema`, `table.name`,
/// `trigger.name` strings; `id` a string.
pub fn check_event(json: &[u8]) -> Result<(), Error> {
    const K: &str = "Event Trigger";
    let v = parse_payload(K, json)?;
    let event = field(&v, "event");
    want_object(K, event, "event")?;
    match event.and_then(|e| field(e, "op")) {
        Some(JsValue::String(op))
            if [&b"INSERT"[..], b"UPDATE", b"DELETE", b"MANUAL"].contains(&op.as_slice()) => {}
        _ => return Err(malformed(K, "event.op", "one of INSERT, UPDATE, DELETE, MANUAL")),
    }
    let data = event.and_then(|e| field(e, "data"));
    want_object(K, data, "event.data")?;
    for side in ["old", "new"] {
        match data.and_then(|d| field(d, side)) {
            Some(JsValue::Object(_) | JsValue::Null) => {}
            _ => return Err(malformed(K, &format!("event.data.{side}"), "an object or null")),
        }
    }
    want_object(K, field(&v, "table"), "table")?;
    want_string(K, field(&v, "table").and_then(|t| field(t, "schema")), "table.schema")?;
    want_string(K, field(&v, "table").and_then(|t| field(t, "name")), "table.name")?;
    want_object(K, field(&v, "trigger"), "trigger")?;
    want_string(K, field(&v, "trigger").and_then(|t| field(t, "name")), "trigger.name")?;
    want_string(K, field(&v, "id"), "id")
}
