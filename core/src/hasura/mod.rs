//! Hasura (contract §6, §8): what its engine sends and what it accepts back.
//!
//! - Payload checks: [`check_action`], [`check_event`], [`check_scheduled`], and
//!   [`check_delivery`], which tells an Event Trigger from a scheduled event and gives its id;
//!   [`delivery_key`] is the replay-guard key of a delivery.
//! - Answers: [`error_body`] (an Action's error), [`auth_response_json`] and [`auth_answer`]
//!   (the auth webhook's 200 body, v2 or DDN, with a lifetime bounded by the token's expiry),
//!   [`auth_cache_key`] (a receiver-side answer cache), [`check_auth_request`] (the POST form).
//! - Typed payloads (feature `serde`, on by default): [`Action`], [`EventTrigger`],
//!   [`ScheduledEvent`], [`Delivery`], [`AuthRequest`], parsed by `parse_*` after the same check.
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

use crate::ecma::{number_to_string, quote};

mod auth;
mod payload;
#[cfg(feature = "serde")]
mod typed;

pub use auth::{auth_answer, auth_cache_key, check_auth_request, AuthAnswer, AuthMode};
pub use payload::{
    check_action, check_delivery, check_event, check_scheduled, delivery_key, DeliveryInfo, DeliveryKind,
};
#[cfg(feature = "serde")]
pub use typed::{
    parse_action, parse_auth_request, parse_delivery, parse_event, parse_scheduled, Action, ActionName,
    AuthRequest, Delivery, Event, EventData, EventTrigger, Op, RetryInfo, ScheduledEvent, TableName,
    TriggerName,
};

/// How long a handled Hasura delivery is remembered by default (`done` in the replay guard): 7
/// days. Hasura has no time window: its retries follow `retry_conf` (10 s apart by default, a
/// `Retry-After` adds one more), and a duplicate after an engine restart or scale-up arrives
/// within minutes; a week outlasts any sane retry schedule and a weekend of downtime. A
/// deliberate `pg_redeliver_event` within that time is answered `{"duplicate": true}`.
pub const EVENT_DONE_TTL_MS: u64 = 7 * 24 * 3_600_000;

/// The default `Retry-After` (seconds) of a 409 for a copy that arrives while the first still
/// runs, and of a 503 when the store is down: Hasura's default retry interval. Hasura schedules
/// one more attempt after it even when its retries are used up.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 10;

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
