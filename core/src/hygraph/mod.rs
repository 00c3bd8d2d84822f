//! Hygraph signed webhooks: header `gcms-signature: sign=<base64>, env=<name>, t=<ms>`, the MAC
//! of `JSON.stringify({Body, EnvironmentName, TimeStamp})` under the webhook's secret key.
//!
//! - [`Verifier`]: the strict API (what the README recommends): a raw body, one or more secrets,
//!   a time window, allowed environments, and an [`Error`] that says what failed.
//! - [`compat`]: the drop-in semantics of `@hygraph/utils` `verifyWebhookSignature`.
//! - [`sign`]: the header for a body, as Hygraph would send it.
//!
//! ```
//! use hookseal::hygraph::{check_window, parse_header, sign};
//! use hookseal::Secret;
//!
//! let header = sign(&Secret::new("my-webhook-secret")?, "{}", "master", 1_700_000_000_000);
//! let parsed = parse_header(&header)?;
//! assert_eq!((parsed.environment, parsed.timestamp_ms), ("master", 1_700_000_000_000));
//! assert_eq!(parse_header("sign=abc").unwrap_err().code(), "malformed_signature");
//! assert_eq!(check_window(1_700_000_000_000, 1_700_000_600_000, 300).unwrap_err().code(), "timestamp_too_old");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod compat;
pub mod envelope;
pub mod host;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::ecma::is_valid_json;
use crate::ecma::quote::{has_html, Style};
use crate::error::{ConfigError, Error};
use crate::secret::{Secret, Secrets};
pub use crate::util::now_ms;
use envelope::{mac_one, matching_secret, Parts};

/// The header Hygraph signs with.
pub const HEADER: &str = "gcms-signature";
/// The default time window, in seconds, both directions.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// The longest header the strict parser reads.
pub const MAX_HEADER_LEN: usize = 1024;
/// The largest tolerance accepted (about 100 years): beyond it, turn the window off instead.
pub const MAX_TOLERANCE_SECS: u64 = 3_153_600_000;

/// A strictly parsed `gcms-signature` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureHeader<'a> {
    /// The decoded MAC.
    pub sign: [u8; 32],
    /// The environment name.
    pub environment: &'a str,
    /// `t`, milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

/// The value of each standard base64 symbol; bit 24 set for bytes outside the alphabet (`=`
/// included). Four symbols shifted into place (by 18, 12, 6, 0) fill bits 0 to 23, and an
/// invalid one puts a bit at 24 or above, so one test per header finds them all. (Four tables
/// pre-shifted saved ~40 more instructions a header but cost 4 KB of the WebAssembly module.)
const B64: [u32; 256] = {
    let mut t = [1u32 << 24; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u32;
        i += 1;
    }
    t
};

/// The symbol `c`'s table entry, widened for the shifts.
#[inline(always)]
fn b64(c: u8) -> u64 {
    u64::from(B64[usize::from(c)])
}

/// Decodes canonical, padded, standard base64 of exactly 32 bytes; nothing else. Canonical
/// encodings are one-to-one with MACs, so this agrees with the reference's string comparison.
///
/// That is 43 symbols, then `=`, the last symbol's two unused bits zero: what the `base64`
/// crate's `STANDARD.decode_slice` accepts as 32 bytes (a test compares the two), decoded on the
/// stack, a table look-up per symbol.
pub(crate) fn decode_sign(s: &[u8]) -> Option<[u8; 32]> {
    let s: &[u8; 44] = s.try_into().ok()?;
    if s[43] != b'=' {
        return None;
    }
    let mut out = [0u8; 32];
    let mut all = 0u64;
    // 10 groups of 4 symbols make 30 bytes.
    for (q, o) in s[..40].chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let n = (b64(q[0]) << 18) | (b64(q[1]) << 12) | (b64(q[2]) << 6) | b64(q[3]);
        all |= n;
        o.copy_from_slice(&n.to_be_bytes()[5..]);
    }
    // 3 symbols make the last 2 bytes and 2 bits that must be zero.
    let n = (b64(s[40]) << 12) | (b64(s[41]) << 6) | b64(s[42]);
    if (all | n) >> 24 != 0 || n & 3 != 0 {
        return None;
    }
    out[30] = (n >> 10) as u8;
    out[31] = (n >> 2) as u8;
    Some(out)
}

/// Parses a header by the strict grammar of contract §2b: comma-separated `key=value` fields,
/// spaces around commas allowed, any order, `sign`, `env` and `t` exactly once each, unknown
/// keys ignored; at most [`MAX_HEADER_LEN`] bytes.
pub fn parse_header(header: &str) -> Result<SignatureHeader<'_>, Error> {
    if let Some(h) = parse_canonical(header) {
        return Ok(h);
    }
    let bytes = header.as_bytes();
    if bytes.iter().all(|&c| c == b' ' || c == b'\t') {
        return Err(Error::MissingSignature);
    }
    if header.len() > MAX_HEADER_LEN {
        return Err(Error::MalformedSignature("it is longer than 1024 bytes"));
    }
    if starts_with_header_name(header) {
        return Err(Error::MalformedSignature(
            "it starts with the header's name (\"gcms-signature:\"): pass only the value after the colon",
        ));
    }
    // One pass over the bytes: fields end at `,`, each trimmed of spaces, split at its first `=`.
    // A field that starts with `sign=`, `env=` or `t=` has that key (its first `=` ends it);
    // others are looked at only for their `=`. Values are kept as byte ranges of `header`.
    let (mut sign, mut env, mut t) = (None, None, None);
    let mut from = 0;
    loop {
        while from < bytes.len() && bytes[from] == b' ' {
            from += 1;
        }
        let field = &bytes[from..];
        let (slot, value) = if field.starts_with(b"sign=") {
            (Some(&mut sign), from + 5)
        } else if field.starts_with(b"env=") {
            (Some(&mut env), from + 4)
        } else if field.starts_with(b"t=") {
            (Some(&mut t), from + 2)
        } else {
            (None, from) // an unknown key, or no key at all: checked below
        };
        let end = find_comma(bytes, value);
        let mut to = end;
        while to > value && bytes[to - 1] == b' ' {
            to -= 1;
        }
        // `Some(true)`: a known key seen before; `None`: an unknown key.
        match slot.map(|slot| slot.replace((value, to)).is_some()) {
            Some(true) => {
                return Err(Error::MalformedSignature("a field (sign, env or t) appears twice"));
            }
            Some(false) => {}
            None if to == from => {
                return Err(Error::MalformedSignature("it has an empty field (two commas in a row?)"));
            }
            None if !bytes[from..to].contains(&b'=') => {
                return Err(Error::MalformedSignature("a field is not of the form key=value"));
            }
            None => {} // unknown keys are ignored
        }
        if end == bytes.len() {
            break;
        }
        from = end + 1;
    }
    let Some((sign_from, sign_to)) = sign else {
        return Err(Error::MalformedSignature("there is no sign= field"));
    };
    let Some((env_from, env_to)) = env else {
        return Err(Error::MalformedSignature("there is no env= field"));
    };
    let Some((t_from, t_to)) = t else { return Err(Error::MalformedSignature("there is no t= field")) };
    let Some(sign) = decode_sign(&bytes[sign_from..sign_to]) else {
        return Err(Error::MalformedSignature("sign= is not padded standard base64 of 32 bytes"));
    };
    // Both ends sit next to ASCII delimiters, so they are char boundaries.
    let environment = &header[env_from..env_to];
    let t = &bytes[t_from..t_to];
    if environment.is_empty() {
        return Err(Error::MalformedSignature("env= is empty"));
    }
    // Control characters are C0, DEL and C1 (U+0080..U+009F, lead byte 0xC2): only a name with
    // one of those bytes needs the look at its characters.
    let maybe_control = environment.bytes().any(|c| c < 0x20 || c == 0x7F || c == 0xC2);
    if maybe_control && environment.chars().any(char::is_control) {
        return Err(Error::MalformedSignature("env= holds a control character"));
    }
    let Some(timestamp_ms) = digits(t) else {
        return Err(Error::MalformedSignature("t= is not 1 to 16 digits of milliseconds"));
    };
    Ok(SignatureHeader { sign, environment, timestamp_ms })
}

/// The layout Hygraph sends, `sign=<44 symbols>, env=<name>, t=<digits>`, read in place: what
/// the grammar of [`parse_header`] reads from such a header, or `None` for any other header (or
/// one this cannot vouch for, such as a name with a control character or padded with spaces),
/// which the general reading then takes, its errors included. Half the cost of the general one.
#[inline]
fn parse_canonical(header: &str) -> Option<SignatureHeader<'_>> {
    let b = header.as_bytes();
    if b.len() > MAX_HEADER_LEN || !b.starts_with(b"sign=") || b.get(49..55)? != b", env=" {
        return None;
    }
    // 44 base64 symbols hold no `,` or space: the first field is exactly `sign=<them>`.
    let sign = decode_sign(&b[5..49])?;
    let env_end = find_comma(b, 55);
    let t = b.get(env_end..)?.strip_prefix(b", t=")?;
    let env = &b[55..env_end];
    let (&first, &last) = (env.first()?, env.last()?);
    if first == b' ' || last == b' ' || env.iter().any(|&c| c < 0x20 || c == 0x7F || c == 0xC2) {
        return None;
    }
    let timestamp_ms = digits(t)?;
    // Both ends sit next to ASCII delimiters, so they are char boundaries.
    let environment = header.get(55..env_end)?;
    Some(SignatureHeader { sign, environment, timestamp_ms })
}

/// The value of 1 to 16 ASCII digits (below 10^16, so it cannot overflow); `None` for anything
/// else.
#[inline]
fn digits(t: &[u8]) -> Option<u64> {
    if t.is_empty() || t.len() > 16 {
        return None;
    }
    let mut value = 0u64;
    for &c in t {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value * 10 + u64::from(d);
    }
    Some(value)
}

/// The index of the first `,` in `bytes` at or after `from`, or `bytes.len()`: eight bytes a
/// step (the classic zero-byte test on the word XORed with `,,,,,,,,`; its lowest flagged byte
/// is always a real match, later ones may be false, so only the lowest is taken).
#[inline]
fn find_comma(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const COMMAS: u64 = u64::from_le_bytes([b','; 8]);
    let mut i = from;
    while i + 8 <= bytes.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[i..i + 8]);
        let x = u64::from_le_bytes(w) ^ COMMAS;
        let zero = x.wrapping_sub(ONES) & !x & HIGHS;
        if zero != 0 {
            return i + (zero.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    bytes[i..].iter().position(|&c| c == b',').map_or(bytes.len(), |k| i + k)
}

/// True when `header` is a whole header line (`gcms-signature: sign=…`) rather than its value: a
/// usual slip when the value is copied from a log or a request dump.
pub(crate) fn starts_with_header_name(header: &str) -> bool {
    let h = header.trim_start_matches([' ', '\t']).as_bytes();
    h.len() > HEADER.len()
        && h[..HEADER.len()].eq_ignore_ascii_case(HEADER.as_bytes())
        && h[HEADER.len()..].trim_ascii_start().first() == Some(&b':')
}

/// Which spelling of the body the signature covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// `JSON.stringify` of the body string as it is.
    Js,
    /// The body with `<`, `>`, `&`, U+2028, U+2029 written as `\u003c` etc. first (how Hygraph's
    /// server spells a body that was since parsed or re-serialized).
    HtmlEscaped,
}

/// A delivery that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The environment named in the header.
    pub environment: String,
    /// `t` from the header, milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// Which configured secret matched (its index).
    pub secret_index: usize,
    /// Which spelling of the body matched.
    pub spelling: Spelling,
    sign: [u8; 32],
}

impl Verified {
    /// The replay-guard key of this delivery: hex SHA-256 of the header's `sign` value.
    pub fn replay_key(&self) -> String {
        crate::replay::key_for_sign(STANDARD.encode(self.sign).as_bytes())
    }
}

/// Strict verification (contract §2b). Build it once, at start-up; configuration mistakes fail
/// there, not per request.
///
/// ```
/// use hookseal::hygraph::{sign, Verifier};
/// use hookseal::Secret;
///
/// let secret = Secret::new("my-webhook-secret")?;
/// let header = sign(&secret, r#"{"operation":"create"}"#, "master", 1_700_000_000_000);
/// let verifier = Verifier::new(["my-webhook-secret"])?;
/// let ok = verifier.verify_at(br#"{"operation":"create"}"#, &header, 1_700_000_060_000)?;
/// assert_eq!(ok.environment, "master");
/// assert_eq!(ok.secret_index, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    secrets: Secrets,
    tolerance_secs: Option<u64>,
    environments: Option<Vec<String>>,
}

impl Verifier {
    /// A verifier for one or more secrets, with the default tolerance of 300 s and any
    /// environment allowed.
    pub fn new<I, S>(secrets: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self::from_secrets(Secrets::new(secrets)?))
    }

    /// A verifier over secrets already checked.
    pub fn from_secrets(secrets: Secrets) -> Self {
        Verifier { secrets, tolerance_secs: Some(DEFAULT_TOLERANCE_SECS), environments: None }
    }

    /// The time window in seconds, both directions; `None` turns it off.
    pub fn tolerance(mut self, secs: Option<u64>) -> Result<Self, ConfigError> {
        if secs.is_some_and(|s| s > MAX_TOLERANCE_SECS) {
            return Err(ConfigError::OutOfRange(
                "tolerance is beyond 100 years: turn the window off instead",
            ));
        }
        self.tolerance_secs = secs;
        Ok(self)
    }

    /// Only these environments pass (after the MAC is checked).
    pub fn environments<I, S>(mut self, names: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let v: Vec<String> = names.into_iter().map(Into::into).collect();
        if v.is_empty() {
            return Err(ConfigError::NoEnvironments);
        }
        self.environments = Some(v);
        Ok(self)
    }

    /// The configured tolerance in seconds (`None`: no window).
    pub fn tolerance_secs(&self) -> Option<u64> {
        self.tolerance_secs
    }

    /// How long a replay guard remembers a delivery this verifier accepted: twice the window, or
    /// [`crate::replay::NO_WINDOW_DONE_TTL_MS`] when the window is off.
    pub fn replay_done_ttl_ms(&self) -> u64 {
        crate::replay::done_ttl_for(self.tolerance_secs())
    }

    /// The configured secrets.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// Verifies `raw` (the body exactly as received) against `header` at the current time.
    pub fn verify(&self, raw: &[u8], header: &str) -> Result<Verified, Error> {
        self.verify_at(raw, header, now_ms())
    }

    /// Verifies at `now_ms` (milliseconds since the Unix epoch). Checks run in this order and
    /// stop at the first failure: header, body encoding, MAC, environment, timestamp.
    pub fn verify_at(&self, raw: &[u8], header: &str, now_ms: u64) -> Result<Verified, Error> {
        let h = parse_header(header)?;
        if simdutf8::basic::from_utf8(raw).is_err() {
            let valid_up_to = std::str::from_utf8(raw).err().map_or(0, |e| e.valid_up_to());
            return Err(Error::MalformedBody { valid_up_to });
        }
        let parts = Parts {
            body: (!raw.is_empty()).then_some(raw),
            environment: h.environment.as_bytes(),
            timestamp: h.timestamp_ms as f64,
        };
        let (secret_index, spelling) =
            match_envelope(self.secrets.as_slice(), &parts, &h.sign).ok_or(Error::SignatureMismatch)?;
        self.after_mac(&h, secret_index, spelling, now_ms)
    }

    /// The checks after the MAC matched: environment, then timestamp.
    pub(crate) fn after_mac(
        &self,
        h: &SignatureHeader<'_>,
        secret_index: usize,
        spelling: Spelling,
        now_ms: u64,
    ) -> Result<Verified, Error> {
        if let Some(allowed) = &self.environments {
            if !allowed.iter().any(|e| e == h.environment) {
                return Err(Error::EnvironmentNotAllowed { environment: h.environment.to_owned() });
            }
        }
        if let Some(tol) = self.tolerance_secs {
            check_window(h.timestamp_ms, now_ms, tol)?;
        }
        Ok(Verified {
            environment: h.environment.to_owned(),
            timestamp_ms: h.timestamp_ms,
            secret_index,
            spelling,
            sign: h.sign,
        })
    }
}

/// The time-window rule: `t` may be at most `tolerance_secs` before or after `now_ms`.
pub fn check_window(timestamp_ms: u64, now_ms: u64, tolerance_secs: u64) -> Result<(), Error> {
    let tol_ms = u128::from(tolerance_secs) * 1000;
    if now_ms >= timestamp_ms {
        let age = u128::from(now_ms - timestamp_ms);
        if age > tol_ms {
            let skew_secs = (now_ms - timestamp_ms) / 1000;
            return Err(Error::TimestampTooOld { skew_secs, tolerance_secs });
        }
    } else {
        let ahead = u128::from(timestamp_ms - now_ms);
        if ahead > tol_ms {
            let skew_secs = (timestamp_ms - now_ms) / 1000;
            return Err(Error::TimestampInFuture { skew_secs, tolerance_secs });
        }
    }
    Ok(())
}

/// Tries the JS spelling of the envelope and, when it fails and the body is JSON holding HTML
/// characters, the HTML-escaped spelling (contract §2).
pub(crate) fn match_envelope(
    secrets: &[Secret],
    parts: &Parts<'_>,
    sign: &[u8; 32],
) -> Option<(usize, Spelling)> {
    if let Some(i) = matching_secret(secrets, parts, Style::Js, sign) {
        return Some((i, Spelling::Js));
    }
    let body = parts.body?;
    if has_html(body) && is_valid_json(body) {
        if let Some(i) = matching_secret(secrets, parts, Style::Html, sign) {
            return Some((i, Spelling::HtmlEscaped));
        }
    }
    None
}

/// The `gcms-signature` header Hygraph would send for `body` (the raw body text) in
/// `environment` at `timestamp_ms`.
pub fn sign(secret: &Secret, body: &str, environment: &str, timestamp_ms: u64) -> String {
    let parts = Parts {
        body: (!body.is_empty()).then_some(body.as_bytes()),
        environment: environment.as_bytes(),
        timestamp: timestamp_ms as f64,
    };
    let mac = mac_one(secret, &parts, Style::Js);
    format!("sign={}, env={}, t={}", STANDARD.encode(mac), environment, timestamp_ms)
}

/// The base64 MAC of the envelope for these parts under `secret` (what `sign=` holds). For
/// tools that show a diagnosis; verification compares decoded bytes instead.
pub fn envelope_mac(
    secret: &Secret,
    body: Option<&[u8]>,
    environment: &[u8],
    timestamp: f64,
    spelling: Spelling,
) -> [u8; 32] {
    let style = match spelling {
        Spelling::Js => Style::Js,
        Spelling::HtmlEscaped => Style::Html,
    };
    mac_one(secret, &Parts { body, environment, timestamp }, style)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use proptest::prelude::*;

    use super::{decode_sign, parse_header, SignatureHeader, MAX_HEADER_LEN};
    use crate::error::Error;

    /// The decoder this one replaced: the `base64` crate, 32 bytes out of 44 symbols.
    fn base64_crate(s: &[u8]) -> Option<[u8; 32]> {
        if s.len() != 44 {
            return None;
        }
        let mut buf = [0u8; 36];
        match STANDARD.decode_slice(s, &mut buf) {
            Ok(32) => Some(buf[..32].try_into().unwrap()),
            _ => None,
        }
    }

    /// The parser this one replaced (str splitting), kept as the oracle.
    fn split_parser(header: &str) -> Result<SignatureHeader<'_>, Error> {
        if header.trim_matches(|c| c == ' ' || c == '\t').is_empty() {
            return Err(Error::MissingSignature);
        }
        if header.len() > MAX_HEADER_LEN {
            return Err(Error::MalformedSignature("it is longer than 1024 bytes"));
        }
        if super::starts_with_header_name(header) {
            return Err(Error::MalformedSignature(
                "it starts with the header's name (\"gcms-signature:\"): pass only the value after the colon",
            ));
        }
        let (mut sign, mut env, mut t) = (None, None, None);
        for field in header.split(',') {
            let field = field.trim_matches(' ');
            if field.is_empty() {
                return Err(Error::MalformedSignature("it has an empty field (two commas in a row?)"));
            }
            let Some((key, value)) = field.split_once('=') else {
                return Err(Error::MalformedSignature("a field is not of the form key=value"));
            };
            let slot = match key {
                "sign" => &mut sign,
                "env" => &mut env,
                "t" => &mut t,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(Error::MalformedSignature("a field (sign, env or t) appears twice"));
            }
        }
        let sign = sign.ok_or(Error::MalformedSignature("there is no sign= field"))?;
        let environment = env.ok_or(Error::MalformedSignature("there is no env= field"))?;
        let t = t.ok_or(Error::MalformedSignature("there is no t= field"))?;
        let sign = base64_crate(sign.as_bytes())
            .ok_or(Error::MalformedSignature("sign= is not padded standard base64 of 32 bytes"))?;
        if environment.is_empty() {
            return Err(Error::MalformedSignature("env= is empty"));
        }
        if environment.chars().any(char::is_control) {
            return Err(Error::MalformedSignature("env= holds a control character"));
        }
        if t.is_empty() || t.len() > 16 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::MalformedSignature("t= is not 1 to 16 digits of milliseconds"));
        }
        let timestamp_ms = t.parse::<u64>().map_err(|_| Error::MalformedSignature("t= is not a number"))?;
        Ok(SignatureHeader { sign, environment, timestamp_ms })
    }

    fn same(header: &str) {
        assert_eq!(parse_header(header), split_parser(header), "{header:?}");
    }

    /// Pieces headers are made of: good and bad values, delimiters, spaces, control characters.
    fn piece() -> impl Strategy<Value = String> {
        let mac = prop::array::uniform32(any::<u8>()).prop_map(|m| STANDARD.encode(m));
        prop_oneof![
            mac.clone().prop_map(|m| format!("sign={m}")),
            mac.prop_map(|m| m.replace('=', "")),
            Just("sign=".to_owned()),
            Just("env=master".to_owned()),
            Just("env=".to_owned()),
            Just("env=a\u{85}b".to_owned()),
            Just("env=Grüße".to_owned()),
            Just("env=x\u{7f}".to_owned()),
            "[0-9]{0,18}".prop_map(|d| format!("t={d}")),
            Just("t=12a".to_owned()),
            Just("foo=bar".to_owned()),
            Just("sign =x".to_owned()),
            Just("noequals".to_owned()),
            Just(",".to_owned()),
            Just(", ".to_owned()),
            Just(" ".to_owned()),
            Just("\t".to_owned()),
            Just("=".to_owned()),
            Just("gcms-signature: ".to_owned()),
            "[ -~\u{80}-\u{10ffff}]{0,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn parse_header_agrees_with_the_str_splitting_parser(pieces in prop::collection::vec(piece(), 0..9)) {
            same(&pieces.concat());
            same(&pieces.join(","));
            same(&pieces.join(", "));
        }

        #[test]
        fn canonical_headers_and_their_mutations_agree_with_the_str_splitting_parser(
            mac in prop::array::uniform32(any::<u8>()),
            env in prop_oneof![
                Just("master".to_owned()),
                "[a-z]{1,12}",
                "[ -~]{0,12}",
                "[ -~\u{80}-\u{10ffff}\u{0}-\u{1f}\u{7f}-\u{9f}]{0,8}",
            ],
            t in prop_oneof!["[0-9]{1,18}", "[0-9 ,a=]{0,6}"],
            at in 0usize..96,
            byte in prop_oneof![Just(b' '), Just(b','), Just(b'='), Just(b'\t'), any::<u8>()],
        ) {
            let header = format!("sign={}, env={env}, t={t}", STANDARD.encode(mac));
            same(&header);
            // One byte changed anywhere (kept only where the result is still UTF-8).
            let mut bytes = header.clone().into_bytes();
            if at < bytes.len() {
                bytes[at] = byte;
                if let Ok(h) = String::from_utf8(bytes) {
                    same(&h);
                }
            }
            same(&format!("{header} "));
            same(&format!("{header},x=y"));
            same(&format!(" {header}"));
        }

        #[test]
        fn decode_sign_agrees_with_the_base64_crate(
            mac in prop::array::uniform32(any::<u8>()),
            at in 0usize..44,
            byte in any::<u8>(),
            junk in prop::collection::vec(any::<u8>(), 40..48),
        ) {
            let good = STANDARD.encode(mac);
            prop_assert_eq!(decode_sign(good.as_bytes()), Some(mac));
            let mut bad = good.into_bytes();
            bad[at] = byte;
            prop_assert_eq!(decode_sign(&bad), base64_crate(&bad));
            prop_assert_eq!(decode_sign(&junk), base64_crate(&junk));
        }
    }

    #[test]
    fn decode_sign_edges() {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        let good = STANDARD.encode([0xA5u8; 32]).into_bytes();
        // Every symbol (and `=`, and a byte outside the alphabet) at every position.
        for at in 0..44 {
            for &c in alphabet.iter().chain(b"-_ \0\xff") {
                let mut s = good.clone();
                s[at] = c;
                assert_eq!(decode_sign(&s), base64_crate(&s), "{:?}", String::from_utf8_lossy(&s));
            }
        }
        for s in [&b""[..], b"=", &good[..43], &[b'A'; 44], &[b'A'; 45]] {
            assert_eq!(decode_sign(s), base64_crate(s));
        }
    }

    #[test]
    fn parse_header_edges() {
        let sign = STANDARD.encode([7u8; 32]);
        for h in [
            format!("sign={sign}, env=master, t=1700000000000"),
            format!(" t=0001 ,env=a=b,  sign={sign} , x=y"),
            format!("sign={sign},env=master,t=9999999999999999"),
            format!("sign={sign},env=master,t=99999999999999999"),
            format!("sign={sign},env=master,t=1,"),
            format!("sign={sign},,env=master,t=1"),
            format!("sign={sign},env=master,t=1,t=2"),
            format!("sign={sign},env=master\u{9f},t=1"),
            format!("sign={sign},env=\t,t=1"),
            format!("\tsign={sign},env=master,t=1"),
            format!("sign={sign},env=master,t="),
            format!("GCMS-Signature : sign={sign},env=master,t=1"),
            " \t ".to_owned(),
            String::new(),
            "x".repeat(1025),
        ] {
            same(&h);
        }
    }
}
