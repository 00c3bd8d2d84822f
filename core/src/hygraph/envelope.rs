//! The signed envelope, `JSON.stringify({Body, EnvironmentName, TimeStamp})`, fed to HMAC-SHA256
//! in spans: the envelope and the escaped body are never built in memory.

use hmac::Mac;

use crate::ecma::json_number_into;
use crate::ecma::quote::{quote_inner, Sink, Style};
use crate::secret::{HmacSha256, Secret};

/// What the envelope is made of. Text is WTF-8 (valid UTF-8 in the strict API).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parts<'a> {
    /// `None`: the `Body` key is left out (the reference does so for an empty body).
    pub body: Option<&'a [u8]>,
    pub environment: &'a [u8],
    pub timestamp: f64,
}

/// Streams the envelope into `sink`.
pub(crate) fn write<S: Sink + ?Sized>(parts: &Parts<'_>, style: Style, sink: &mut S) {
    match parts.body {
        Some(body) => {
            sink.put(b"{\"Body\":\"");
            quote_inner(body, style, sink);
            sink.put(b"\",\"EnvironmentName\":\"");
        }
        None => sink.put(b"{\"EnvironmentName\":\""),
    }
    quote_inner(parts.environment, Style::Js, sink);
    let mut tail = Vec::with_capacity(40);
    tail.extend_from_slice(b"\",\"TimeStamp\":");
    json_number_into(parts.timestamp, &mut tail);
    tail.push(b'}');
    sink.put(&tail);
}

/// The envelope as bytes (for tests, `explain` and the naive benchmark; verification never
/// builds it).
pub fn build(body: Option<&[u8]>, environment: &[u8], timestamp: f64, html: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let style = if html { Style::Html } else { Style::Js };
    write(&Parts { body, environment, timestamp }, style, &mut out);
    out
}

/// The index of the first secret whose MAC of the envelope equals `expected`, compared in
/// constant time. One pass over the body whatever the number of secrets.
pub(crate) fn matching_secret(
    secrets: &[Secret],
    parts: &Parts<'_>,
    style: Style,
    expected: &[u8; 32],
) -> Option<usize> {
    use subtle::ConstantTimeEq;
    if let [one] = secrets {
        let tag = mac_one(one, parts, style);
        return bool::from(tag.ct_eq(expected)).then_some(0);
    }
    let mut states: Vec<HmacSha256> = secrets.iter().map(Secret::hmac).collect();
    write(parts, style, states.as_mut_slice());
    let mut found = None;
    for (i, m) in states.into_iter().enumerate() {
        let tag: [u8; 32] = m.finalize().into_bytes().into();
        if bool::from(tag.ct_eq(expected)) && found.is_none() {
            found = Some(i);
        }
    }
    found
}

/// HMAC-SHA256 of the envelope under one secret.
pub(crate) fn mac_one(secret: &Secret, parts: &Parts<'_>, style: Style) -> [u8; 32] {
    let mut state = [secret.hmac()];
    write(parts, style, state.as_mut_slice());
    let [m] = state;
    m.finalize().into_bytes().into()
}
