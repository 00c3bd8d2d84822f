//! The signed envelope, `JSON.stringify({Body, EnvironmentName, TimeStamp})`, fed to HMAC-SHA256
//! in spans: the envelope and the escaped body are never built in memory.

use hmac::Mac;

use crate::ecma::quote::{with_stage, Sink, Style};
use crate::ecma::NumberText;
use crate::secret::{HmacSha256, Secret};
use crate::simd::Level;

/// What the envelope is made of. Text is WTF-8 (valid UTF-8 in the strict API).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parts<'a> {
    /// `None`: the `Body` key is left out (the reference does so for an empty body).
    pub body: Option<&'a [u8]>,
    pub environment: &'a [u8],
    pub timestamp: f64,
}

/// Streams the envelope into `sink`, through one staging buffer so a small envelope reaches the
/// MAC in a single update.
pub(crate) fn write<S: Sink + ?Sized>(parts: &Parts<'_>, style: Style, sink: &mut S) {
    write_at(Level::best(), parts, style, sink);
}

fn write_at<S: Sink + ?Sized>(level: Level, parts: &Parts<'_>, style: Style, sink: &mut S) {
    let len = parts.body.map_or(0, <[u8]>::len) + parts.environment.len();
    with_stage(level, len, sink, |st| {
        match parts.body {
            Some(body) => {
                st.put(b"{\"Body\":\"");
                st.quote(body, style);
                st.put(b"\",\"EnvironmentName\":\"");
            }
            None => st.put(b"{\"EnvironmentName\":\""),
        }
        st.quote(parts.environment, Style::Js);
        st.put(b"\",\"TimeStamp\":");
        st.put(NumberText::new(parts.timestamp).as_bytes());
        st.put(b"}");
    });
}

/// The envelope as bytes (for tests, `explain` and the naive benchmark; verification never
/// builds it).
pub fn build(body: Option<&[u8]>, environment: &[u8], timestamp: f64, html: bool) -> Vec<u8> {
    build_at(Level::best(), body, environment, timestamp, html)
}

/// [`build`] with the escaping done at `level` (tests and benchmarks compare the levels; a level
/// this CPU lacks runs the scalar code).
pub fn build_at(
    level: Level,
    body: Option<&[u8]>,
    environment: &[u8],
    timestamp: f64,
    html: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let style = if html { Style::Html } else { Style::Js };
    write_at(level, &Parts { body, environment, timestamp }, style, &mut out);
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
