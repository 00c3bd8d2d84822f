//! The drop-in semantics of `@hygraph/utils` 1.2.1 `verifyWebhookSignature` /
//! `generateWebhookSignature` (contract §2a).
//!
//! The header is read exactly as the reference reads it: split on `", "`, the first three
//! parts, the first occurrence of `sign=` / `env=` / `t=` removed from each, `t` through JS
//! `parseInt`. There is no time window. Where the reference throws on untrusted input, these
//! return `false`. What differs: the MAC is compared in constant time, and a body whose HTML
//! characters Hygraph's server escaped also verifies when given parsed (contract §2).
//!
//! All text is WTF-8 (a JS or Python string, lone surrogates included).
//!
//! ```
//! use hookseal::hygraph::compat::{generate, verify};
//! use hookseal::{Secret, Secrets};
//!
//! let secret = Secret::new("my-webhook-secret")?;
//! let body = br#"{"operation":"publish"}"#;
//! let header = generate(&secret, Some(body), None, b"master", 1_700_000_000_000.0);
//! let secrets = Secrets::from(secret);
//! assert!(verify(&secrets, Some(&header), Some(body), None));
//! assert!(!verify(&secrets, Some(b"not a header"), Some(body), None)); // false, never a panic
//! # Ok::<(), hookseal::ConfigError>(())
//! ```

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::envelope::{mac_one, Parts};
use super::{decode_sign, match_envelope};
use crate::ecma::quote::Style;
use crate::ecma::{number_to_string, parse_int};
use crate::secret::{Secret, Secrets};

/// A header as the reference reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Header<'a> {
    /// The first part with its first `sign=` removed.
    pub sign: Cow<'a, [u8]>,
    /// The second part with its first `env=` removed.
    pub environment: Cow<'a, [u8]>,
    /// `parseInt` of the third part with its first `t=` removed (NaN when it has no digits).
    pub timestamp: f64,
}

/// The first position of `needle` in `hay`: a scan for its first byte, then one comparison
/// (a window-by-window comparison costs a call per byte in the size-optimized WebAssembly build).
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else { return Some(0) };
    let last = hay.len().checked_sub(needle.len())?;
    let mut i = 0;
    while i <= last {
        i += hay[i..=last].iter().position(|&b| b == first)?;
        if &hay[i + 1..i + needle.len()] == rest {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// JS `s.replace(pat, "")` with a string pattern: removes the first occurrence only.
fn remove_first<'a>(s: &'a [u8], pat: &[u8]) -> Cow<'a, [u8]> {
    match find(s, pat) {
        None => Cow::Borrowed(s),
        Some(at) => {
            let mut v = Vec::with_capacity(s.len() - pat.len());
            v.extend_from_slice(&s[..at]);
            v.extend_from_slice(&s[at + pat.len()..]);
            Cow::Owned(v)
        }
    }
}

/// Reads `signature` as the reference does. `None` where the reference throws (fewer than
/// three `", "`-separated parts).
pub fn parse_header(signature: &[u8]) -> Option<Header<'_>> {
    let mut parts = [&signature[..0]; 3];
    let mut rest = signature;
    for (k, slot) in parts.iter_mut().enumerate() {
        match find(rest, b", ") {
            Some(at) => {
                *slot = &rest[..at];
                rest = &rest[at + 2..];
            }
            None if k == 2 => *slot = rest,
            None => return None,
        }
    }
    let [raw_sign, raw_env, raw_t] = parts;
    Some(Header {
        sign: remove_first(raw_sign, b"sign="),
        environment: remove_first(raw_env, b"env="),
        timestamp: parse_int(&remove_first(raw_t, b"t=")),
    })
}

/// `rawPayload || JSON.stringify(body)`: the body text the envelope holds. An empty raw
/// payload falls back to the body; `None` leaves the `Body` key out.
pub fn select_body<'a>(raw_payload: Option<&'a [u8]>, body_json: Option<&'a [u8]>) -> Option<&'a [u8]> {
    match raw_payload {
        Some(p) if !p.is_empty() => Some(p),
        _ => body_json,
    }
}

/// `verifyWebhookSignature({ body, signature, secret, rawPayload })`, where `body_json` is
/// `JSON.stringify(body)` (`None` when that is `undefined`). Never fails: a header the reference
/// would throw on is `false`.
pub fn verify(
    secrets: &Secrets,
    signature: Option<&[u8]>,
    raw_payload: Option<&[u8]>,
    body_json: Option<&[u8]>,
) -> bool {
    let Some(h) = signature.and_then(parse_header) else {
        return false;
    };
    let Some(sign) = decode_sign(&h.sign) else {
        return false;
    };
    let parts = Parts {
        body: select_body(raw_payload, body_json),
        environment: &h.environment,
        timestamp: h.timestamp,
    };
    match_envelope(secrets.as_slice(), &parts, &sign).is_some()
}

/// `generateWebhookSignature(...)`: `sign=<mac>, env=<environment>, t=<String(timestamp)>`, as
/// WTF-8 (the environment is copied in as given).
pub fn generate(
    secret: &Secret,
    raw_payload: Option<&[u8]>,
    body_json: Option<&[u8]>,
    environment: &[u8],
    timestamp: f64,
) -> Vec<u8> {
    let parts = Parts { body: select_body(raw_payload, body_json), environment, timestamp };
    let mac = mac_one(secret, &parts, Style::Js);
    let mut out = Vec::with_capacity(64 + environment.len());
    out.extend_from_slice(b"sign=");
    out.extend_from_slice(STANDARD.encode(mac).as_bytes());
    out.extend_from_slice(b", env=");
    out.extend_from_slice(environment);
    out.extend_from_slice(b", t=");
    out.extend_from_slice(number_to_string(timestamp).as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn find_is_the_first_window_that_matches() {
        let hays: [&[u8]; 7] = [b"", b",", b", ", b"a, b, c", b"sign=sign=x", b",,, , ", b"x, "];
        for hay in hays {
            for needle in [&b", "[..], b"sign=", b",", b"x", b", b", b"c"] {
                let want = hay.windows(needle.len()).position(|w| w == needle);
                assert_eq!(find(hay, needle), want, "{hay:?} {needle:?}");
            }
        }
        assert_eq!(find(b"abc", b""), Some(0));
    }
}
