//! The auth webhook, v2 and DDN: the POST request's shape, the answer's body and lifetime, and
//! the key of a receiver-side answer cache.

use sha2::{Digest, Sha256};

use super::payload::{field, malformed, parse_payload};
use super::{quote, session_key, Cache, HasuraError, SessionValue};
use crate::ecma::{quote_wtf8, JsValue};
use crate::error::Error;

/// Which engine calls the auth webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthMode {
    /// Hasura v2: `X-Hasura-*` keys, string values, `Cache-Control` in the body.
    V2,
    /// Hasura DDN (v3): lower-case `x-hasura-*` keys, JSON values kept, no cache key.
    Ddn,
}

impl AuthMode {
    /// `"v2"` or `"ddn"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMode::V2 => "v2",
            AuthMode::Ddn => "ddn",
        }
    }

    /// The mode named `"v2"` or `"ddn"`; `None` for anything else.
    pub fn from_name(name: &str) -> Option<AuthMode> {
        match name {
            "v2" => Some(AuthMode::V2),
            "ddn" => Some(AuthMode::Ddn),
            _ => None,
        }
    }

    fn payload_name(self) -> &'static str {
        match self {
            AuthMode::V2 => "auth-webhook (v2 POST)",
            AuthMode::Ddn => "auth-webhook (DDN POST)",
        }
    }
}

pub(crate) fn auth_request_value(mode: AuthMode, v: &JsValue) -> Result<(), Error> {
    let kind = mode.payload_name();
    match field(v, "headers") {
        Some(JsValue::Object(h)) => {
            for (k, value) in h.ordered() {
                if !matches!(value, JsValue::String(_)) {
                    let path = format!("headers[{}]", quote_wtf8(k));
                    return Err(malformed(kind, &path, "a string"));
                }
            }
        }
        _ => return Err(malformed(kind, "headers", "an object of header names to strings")),
    }
    if mode == AuthMode::V2 {
        match field(v, "request") {
            None | Some(JsValue::Object(_) | JsValue::Null) => {}
            Some(_) => return Err(malformed(kind, "request", "an object or null")),
        }
    }
    Ok(())
}

/// Checks the body of an auth-webhook POST: v2 `{"headers": {name: string}, "request"?: object |
/// null}` (the client's GraphQL request; null when the engine does not send it); DDN
/// `{"headers": {name: string}}` (other top-level keys ignored).
///
/// ```
/// use hookseal::hasura::{check_auth_request, AuthMode};
/// assert!(check_auth_request(AuthMode::V2, br#"{"headers":{"Authorization":"Bearer x"},"request":null}"#).is_ok());
/// assert!(check_auth_request(AuthMode::Ddn, br#"{"headers":{"authorization":"Bearer x"}}"#).is_ok());
/// assert_eq!(check_auth_request(AuthMode::Ddn, br#"{"headers":{"n":1}}"#).unwrap_err().code(), "malformed_payload");
/// ```
pub fn check_auth_request(mode: AuthMode, json: &[u8]) -> Result<(), Error> {
    auth_request_value(mode, &parse_payload(mode.payload_name(), json)?)
}

/// The answer of an allowed auth-webhook request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthAnswer {
    /// The 200 answer's JSON body.
    pub body: String,
    /// How long the answer may be cached, in whole seconds (at least 1); `None`: not at all. In
    /// v2 the body carries it as `"Cache-Control": "max-age=N"`; in DDN only a receiver-side
    /// cache uses it.
    pub lifetime_secs: Option<u64>,
}

/// `min(max_age, floor(expires_at - now))` over the ones given; `None` when neither is given or
/// less than one second is left. A NaN `expires_at` counts as not given.
pub(crate) fn lifetime(max_age: Option<u64>, expires_at_secs: Option<f64>, now_secs: f64) -> Option<u64> {
    let left = expires_at_secs.filter(|e| !e.is_nan()).map(|e| {
        let d = (e - now_secs).floor();
        if d.is_nan() || d < 1.0 {
            0
        } else if d >= u64::MAX as f64 {
            u64::MAX
        } else {
            d as u64
        }
    });
    let n = match (max_age, left) {
        (None, None) => return None,
        (Some(a), None) => a,
        (None, Some(l)) => l,
        (Some(a), Some(l)) => a.min(l),
    };
    (n >= 1).then_some(n)
}

fn kind_of(v: &JsValue) -> &'static str {
    match v {
        JsValue::Null => "null",
        JsValue::Bool(_) => "a boolean",
        JsValue::Number(_) => "a number",
        JsValue::String(_) => "a string",
        JsValue::Array(_) => "an array",
        JsValue::Object(_) => "an object",
    }
}

fn parse_session(session_json: &[u8]) -> Result<JsValue, HasuraError> {
    match crate::ecma::parse_json(session_json) {
        Ok(v @ JsValue::Object(_)) => Ok(v),
        Ok(other) => Err(HasuraError(format!("the session must be an object, not {}", kind_of(&other)))),
        Err(e) => Err(HasuraError(format!("the session is {e}"))),
    }
}

fn unusable_name(k: &[u8]) -> HasuraError {
    HasuraError(format!(
        "session variable name {} is not usable: write words of letters and digits joined by '-' or '_' (userId, user_id, X-Hasura-User-Id)",
        quote_wtf8(k)
    ))
}

fn v2_body(session: &JsValue, lifetime: Option<u64>) -> Result<String, HasuraError> {
    let JsValue::Object(obj) = session else {
        return Err(HasuraError("the session must be an object".into()));
    };
    let entries = obj.ordered();
    let mut texts: Vec<(String, Option<String>)> = Vec::with_capacity(entries.len());
    for (k, v) in &entries {
        let name = String::from_utf8_lossy(k).into_owned();
        let value = match v {
            JsValue::String(s) => Some(String::from_utf8_lossy(s).into_owned()),
            JsValue::Number(_) | JsValue::Bool(_) => None,
            other => {
                let shown = session_key(&name).unwrap_or_else(|| name.clone());
                return Err(HasuraError(format!(
                    "session variable {shown} is {}: Hasura v2 takes only strings (numbers and booleans are written as strings); write it as a string, e.g. JSON text, or use mode \"ddn\"",
                    kind_of(other)
                )));
            }
        };
        texts.push((name, value));
    }
    let session_values: Vec<(&str, SessionValue<'_>)> = texts
        .iter()
        .zip(&entries)
        .map(|((name, text), (_, v))| {
            let sv = match (text, v) {
                (Some(t), _) => SessionValue::Str(t),
                (None, JsValue::Number(n)) => SessionValue::Num(*n),
                (None, JsValue::Bool(b)) => SessionValue::Bool(*b),
                (None, _) => SessionValue::Str(""),
            };
            (name.as_str(), sv)
        })
        .collect();
    let cache = lifetime.map_or(Cache::None, Cache::MaxAge);
    super::auth_response_json(&session_values, cache)
}

fn ddn_body(session: &JsValue) -> Result<String, HasuraError> {
    let JsValue::Object(obj) = session else {
        return Err(HasuraError("the session must be an object".into()));
    };
    let mut keys: Vec<(String, &[u8])> = Vec::new();
    let mut out = Vec::from(&b"{"[..]);
    let mut role_ok = None;
    for (k, v) in obj.ordered() {
        let name = std::str::from_utf8(k).ok().and_then(session_key).ok_or_else(|| unusable_name(k))?;
        let key = name.to_ascii_lowercase();
        if let Some((_, first)) = keys.iter().find(|(k2, _)| *k2 == key) {
            return Err(HasuraError(format!(
                "session variable {key} is given twice, as {} and as {}: keep one",
                quote_wtf8(first),
                quote_wtf8(k)
            )));
        }
        if key == "x-hasura-role" {
            role_ok = Some(match v {
                JsValue::String(s) if !s.is_empty() => Ok(()),
                JsValue::String(_) => Err(HasuraError("the role is empty".into())),
                other => Err(HasuraError(format!(
                    "the role (x-hasura-role) must be a string, not {}: Hasura DDN refuses the answer otherwise",
                    kind_of(other)
                ))),
            });
        }
        if !keys.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(quote(&key).as_bytes());
        out.push(b':');
        v.write_json(&mut out);
        keys.push((key, k));
    }
    match role_ok {
        None => return Err(HasuraError("an auth-webhook answer needs a role (x-hasura-role)".into())),
        Some(r) => r?,
    }
    out.push(b'}');
    String::from_utf8(out).map_err(|_| HasuraError("the session is not UTF-8".into()))
}

/// The answer to an allowed auth-webhook request, from the session as JSON text (an object).
///
/// The lifetime is `min(max_age, floor(expires_at - now))` over the ones given (seconds; the
/// token's expiry must bound it: Hasura cannot invalidate a cached session); less than one
/// second left, or neither given, means none.
///
/// - [`AuthMode::V2`]: keys through [`session_key`] (`role` → `X-Hasura-Role`), values strings
///   (numbers as JS `String(n)`, booleans `true`/`false`; null, objects and arrays are refused,
///   naming the key), the role required and non-empty, and `"Cache-Control": "max-age=N"` last
///   when there is a lifetime — in the body, where Hasura reads it.
/// - [`AuthMode::Ddn`]: keys [`session_key`] lower-cased (`x-hasura-role`), values the JSON they
///   were (key order kept), the role required and a non-empty string, no cache key.
///
/// Two keys naming one variable are refused. A refused session is a [`HasuraError`] (the
/// wrappers answer 500 `invalid_session`: never a 200 that Hasura would reject for every request).
///
/// ```
/// use hookseal::hasura::{auth_answer, AuthMode};
/// let s = br#"{"role":"user","userId":25}"#;
/// let v2 = auth_answer(AuthMode::V2, s, Some(300), Some(1_030.5), 1_000.0)?;
/// assert_eq!(v2.body, r#"{"X-Hasura-Role":"user","X-Hasura-User-Id":"25","Cache-Control":"max-age=30"}"#);
/// assert_eq!(v2.lifetime_secs, Some(30));
/// let ddn = auth_answer(AuthMode::Ddn, s, Some(60), None, 1_000.0)?;
/// assert_eq!((ddn.body.as_str(), ddn.lifetime_secs), (r#"{"x-hasura-role":"user","x-hasura-user-id":25}"#, Some(60)));
/// assert!(auth_answer(AuthMode::Ddn, br#"{"role":1}"#, None, None, 0.0).is_err());
/// # Ok::<(), hookseal::hasura::HasuraError>(())
/// ```
pub fn auth_answer(
    mode: AuthMode,
    session_json: &[u8],
    max_age: Option<u64>,
    expires_at_secs: Option<f64>,
    now_secs: f64,
) -> Result<AuthAnswer, HasuraError> {
    let session = parse_session(session_json)?;
    let lifetime_secs = lifetime(max_age, expires_at_secs, now_secs);
    let body = match mode {
        AuthMode::V2 => v2_body(&session, lifetime_secs)?,
        AuthMode::Ddn => ddn_body(&session)?,
    };
    Ok(AuthAnswer { body, lifetime_secs })
}

/// The key of a receiver-side cache of auth answers: the values of the headers named in
/// `names` (in that order; names match ASCII case-insensitively; every value of a name, in the
/// order given), hashed with the mode. `None` when none of the names has a value (such a
/// request is never cached).
///
/// The key is `"hasura-auth:"` + lower-case hex SHA-256 of: one mode byte (0 v2, 1 DDN); then for
/// each name its lower-case bytes, a NUL byte, the number of its values as a u64 little-endian,
/// and each value as its length (u64 little-endian) followed by its bytes.
///
/// ```
/// use hookseal::hasura::{auth_cache_key, AuthMode};
/// let a = auth_cache_key(AuthMode::V2, &["authorization", "cookie"], &[("Authorization", "Bearer a")]);
/// let b = auth_cache_key(AuthMode::V2, &["authorization", "cookie"], &[("Authorization", "Bearer b")]);
/// assert!(a.as_deref().is_some_and(|k| k.starts_with("hasura-auth:")));
/// assert_ne!(a, b);
/// assert_eq!(auth_cache_key(AuthMode::V2, &["authorization"], &[("x-other", "1")]), None);
/// ```
pub fn auth_cache_key(mode: AuthMode, names: &[&str], headers: &[(&str, &str)]) -> Option<String> {
    let mut h = Sha256::new();
    h.update([match mode {
        AuthMode::V2 => 0u8,
        AuthMode::Ddn => 1u8,
    }]);
    let mut any = false;
    for name in names {
        let values: Vec<&str> =
            headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v).collect();
        any |= !values.is_empty();
        h.update(name.to_ascii_lowercase().as_bytes());
        h.update([0u8]);
        h.update((values.len() as u64).to_le_bytes());
        for v in values {
            h.update((v.len() as u64).to_le_bytes());
            h.update(v.as_bytes());
        }
    }
    if !any {
        return None;
    }
    let mut s = String::with_capacity(12 + 64);
    s.push_str("hasura-auth:");
    for b in h.finalize() {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_rules() {
        assert_eq!(lifetime(None, None, 0.0), None);
        assert_eq!(lifetime(Some(60), None, 0.0), Some(60));
        assert_eq!(lifetime(Some(0), None, 0.0), None);
        assert_eq!(lifetime(Some(300), Some(130.5), 100.0), Some(30));
        assert_eq!(lifetime(Some(10), Some(130.5), 100.0), Some(10));
        assert_eq!(lifetime(None, Some(145.9), 100.0), Some(45));
        assert_eq!(lifetime(Some(60), Some(100.5), 100.0), None);
        assert_eq!(lifetime(Some(60), Some(70.0), 100.0), None);
        assert_eq!(lifetime(Some(60), Some(f64::NAN), 100.0), Some(60));
        assert_eq!(lifetime(Some(60), Some(f64::INFINITY), 100.0), Some(60));
        assert_eq!(lifetime(Some(60), Some(f64::NEG_INFINITY), 100.0), None);
    }

    #[test]
    fn v2_answers() {
        let a = auth_answer(
            AuthMode::V2,
            br#"{"X-Hasura-Role":"editor","x-hasura-org-id":"7","isAdmin":false}"#,
            None,
            None,
            0.0,
        )
        .unwrap();
        assert_eq!(a.body, r#"{"X-Hasura-Role":"editor","X-Hasura-Org-Id":"7","X-Hasura-Is-Admin":"false"}"#);
        assert_eq!(a.lifetime_secs, None);
        for (bad, words) in [
            (&br#"{"userId":"1"}"#[..], "needs a role"),
            (br#"{"role":""}"#, "role is empty"),
            (br#"{"role":"u","orgIds":[1]}"#, "X-Hasura-Org-Ids is an array"),
            (br#"{"role":"u","userId":null}"#, "X-Hasura-User-Id is null"),
            (br#"{"role":"u","o":{}}"#, "is an object"),
            (br#"{"role":"u","Role":"v"}"#, "given twice"),
            (br#"{"role":"u","bad key":"v"}"#, "not usable"),
            (br#"[]"#, "must be an object"),
            (br#"{"role":"#, "not valid JSON"),
            (br#"{"role":"u","n":1e400}"#, "not a finite number"),
        ] {
            let e = auth_answer(AuthMode::V2, bad, None, None, 0.0).unwrap_err();
            assert!(e.to_string().contains(words), "{e} / {words}");
        }
    }

    #[test]
    fn ddn_answers() {
        let a = auth_answer(
            AuthMode::Ddn,
            br#"{"role":"user","userId":25,"orgIds":[1,2],"isAdmin":false,"x":{"b":1.50,"a":null}}"#,
            Some(60),
            Some(20.5),
            0.0,
        )
        .unwrap();
        assert_eq!(
            a.body,
            r#"{"x-hasura-role":"user","x-hasura-user-id":25,"x-hasura-org-ids":[1,2],"x-hasura-is-admin":false,"x-hasura-x":{"b":1.5,"a":null}}"#
        );
        assert_eq!(a.lifetime_secs, Some(20));
        for (bad, words) in [
            (&br#"{"userId":25}"#[..], "needs a role"),
            (br#"{"role":1}"#, "must be a string, not a number"),
            (br#"{"role":""}"#, "role is empty"),
            (br#"{"X-Hasura-Role":"u","role":"v"}"#, "given twice"),
        ] {
            let e = auth_answer(AuthMode::Ddn, bad, None, None, 0.0).unwrap_err();
            assert!(e.to_string().contains(words), "{e} / {words}");
        }
    }

    #[test]
    fn cache_keys() {
        let names = ["authorization", "cookie"];
        let k = |mode, h: &[(&str, &str)]| auth_cache_key(mode, &names, h);
        let base = k(AuthMode::V2, &[("Authorization", "Bearer a"), ("Cookie", "s=1")]);
        assert!(base.is_some());
        assert_eq!(base, k(AuthMode::V2, &[("cookie", "s=1"), ("AUTHORIZATION", "Bearer a"), ("x", "y")]));
        assert_ne!(base, k(AuthMode::Ddn, &[("Authorization", "Bearer a"), ("Cookie", "s=1")]));
        assert_ne!(base, k(AuthMode::V2, &[("Authorization", "Bearer a")]));
        // A value cannot move between names, or split into two values.
        assert_ne!(
            k(AuthMode::V2, &[("authorization", "a"), ("cookie", "")]),
            k(AuthMode::V2, &[("authorization", ""), ("cookie", "a")])
        );
        assert_ne!(
            k(AuthMode::V2, &[("cookie", "ab")]),
            k(AuthMode::V2, &[("cookie", "a"), ("cookie", "b")])
        );
        assert_eq!(k(AuthMode::V2, &[]), None);
    }

    #[test]
    fn auth_requests() {
        assert!(check_auth_request(AuthMode::V2, br#"{"headers":{}}"#).is_ok());
        assert!(check_auth_request(AuthMode::V2, br#"{"headers":{},"request":5}"#).is_err());
        assert!(check_auth_request(AuthMode::Ddn, br#"{"headers":{},"request":5}"#).is_ok());
        let e = check_auth_request(AuthMode::V2, br#"{"headers":{"X-User":1}}"#).unwrap_err();
        assert!(e.to_string().contains(r#"headers["X-User"]"#), "{e}");
    }
}
