//! The signed envelope, `JSON.stringify({Body, EnvironmentName, TimeStamp})`, fed to HMAC-SHA256
//! in spans: the envelope and the escaped body are never built in memory.

use hmac::Mac;

use crate::ecma::quote::{is_clean, with_stage, Sink, Style};
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
    let env = parts.environment;
    // What follows the body, gathered on the stack and staged with one call: the staging calls
    // are dynamic, and on a small body each costs about as much as the piece it copies. An
    // environment name that needs no escaping (any usual one) is copied in as it is.
    let mut tail = Tail { buf: [0; TAIL], len: 0 };
    let env_inline = env.len() <= MAX_INLINE_ENV && is_clean(env, Style::Js);
    with_stage(level, len, sink, |st| {
        match parts.body {
            Some(body) => {
                st.put(b"{\"Body\":\"");
                st.quote(body, style);
                tail.push(b"\",\"EnvironmentName\":\"");
            }
            None => tail.push(b"{\"EnvironmentName\":\""),
        }
        if env_inline {
            tail.push(env);
        } else {
            st.put(tail.as_bytes());
            tail.len = 0;
            st.quote(env, Style::Js);
        }
        tail.push(b"\",\"TimeStamp\":");
        tail.push(NumberText::new(parts.timestamp).as_bytes());
        tail.push(b"}");
        st.put(tail.as_bytes());
    });
}

/// The longest environment name copied into the [`Tail`].
const MAX_INLINE_ENV: usize = 64;
/// Room for `","EnvironmentName":"`, the name, `","TimeStamp":`, a number (at most 32 bytes), `}`.
const TAIL: usize = 21 + MAX_INLINE_ENV + 14 + 32 + 1;

/// The end of the envelope, on the stack.
struct Tail {
    buf: [u8; TAIL],
    len: usize,
}

impl Tail {
    #[inline(always)]
    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
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
    if let [one] = secrets {
        let tag = mac_one(one, parts, style);
        return tag_eq(&tag, expected).then_some(0);
    }
    let mut states: Vec<HmacSha256> = secrets.iter().map(Secret::hmac).collect();
    write(parts, style, states.as_mut_slice());
    let mut found = None;
    for (i, m) in states.into_iter().enumerate() {
        let tag: [u8; 32] = m.finalize().into_bytes().into();
        if tag_eq(&tag, expected) && found.is_none() {
            found = Some(i);
        }
    }
    found
}

/// Whether two MACs are equal, in constant time: `subtle`'s comparison over four 64-bit words
/// (over 32 single bytes it costs ten times as many instructions, a tenth of a small verify).
#[inline]
fn tag_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    use subtle::ConstantTimeEq;
    let words = |m: &[u8; 32]| -> [u64; 4] {
        let mut w = [0u64; 4];
        for (w, c) in w.iter_mut().zip(m.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            *w = u64::from_le_bytes(b);
        }
        w
    };
    bool::from(words(a).ct_eq(&words(b)))
}

/// HMAC-SHA256 of the envelope under one secret.
pub(crate) fn mac_one(secret: &Secret, parts: &Parts<'_>, style: Style) -> [u8; 32] {
    let mut m = secret.hmac();
    write(parts, style, std::slice::from_mut(&mut m));
    m.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::{build, MAX_INLINE_ENV};
    use crate::ecma::{json_number, quote_wtf8};

    /// The envelope written piece by piece from the ECMAScript serializers.
    fn expected(body: Option<&[u8]>, env: &[u8], t: f64) -> Vec<u8> {
        let mut s = String::from("{");
        if let Some(b) = body {
            s += &format!("\"Body\":{},", quote_wtf8(b));
        }
        s += &format!("\"EnvironmentName\":{},\"TimeStamp\":{}}}", quote_wtf8(env), json_number(t));
        s.into_bytes()
    }

    #[test]
    fn every_environment_and_number_shape() {
        let long = "e".repeat(MAX_INLINE_ENV);
        let longer = "e".repeat(MAX_INLINE_ENV + 1);
        let escaped = format!("{}\"", "e".repeat(MAX_INLINE_ENV - 1));
        let envs: [&[u8]; 9] = [
            b"master",
            b"",
            long.as_bytes(),
            longer.as_bytes(),
            escaped.as_bytes(),
            b"a\"b\\c\n",
            b"\xED\xA0\x80 lone surrogate",
            "Grüße \u{2028}".as_bytes(),
            b"<p>&",
        ];
        let numbers =
            [1.7e12, 0.0, -0.0, f64::NAN, f64::INFINITY, -1.234_567_890_123_456_7e-7, 1e21, -9.007e15];
        for env in envs {
            for t in numbers {
                for body in [None, Some(&b"{\"a\":\"<\\u003c>\"}"[..]), Some(&b"x"[..])] {
                    assert_eq!(build(body, env, t, false), expected(body, env, t), "{env:?} {t}");
                }
            }
        }
    }
}
