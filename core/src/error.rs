//! Errors: what went wrong with a delivery ([`Error`], with a stable [`Error::code`]) and what is
//! wrong with the configuration ([`ConfigError`]).
//!
//! Messages say why a check failed and how to fix it. They never contain a secret, a computed MAC
//! or the body; the only input they quote is an environment name that was already authenticated.

use std::fmt;

/// A delivery failed verification. `code()` is stable and shared by every face of hookseal
/// (Node `err.code`, Python `e.code`); the message is for people.
///
/// ```
/// use hookseal::hygraph::Verifier;
///
/// let err = Verifier::new(["my-webhook-secret"])?.verify(b"{}", "").unwrap_err();
/// assert_eq!(err.code(), "missing_signature");
/// assert!(err.to_string().contains("gcms-signature header is missing"));
/// assert!(hookseal::Error::CODES.contains(&err.code()));
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// No signature header, or an empty one.
    MissingSignature,
    /// The signature header breaks the strict grammar; the reason is a fixed text.
    MalformedSignature(&'static str),
    /// The raw body is not UTF-8; `valid_up_to` is the offset of the first bad byte.
    MalformedBody {
        /// Offset of the first byte that is not UTF-8.
        valid_up_to: usize,
    },
    /// No configured secret produces the MAC in the header.
    SignatureMismatch,
    /// The (authenticated) environment is not one of the allowed ones.
    EnvironmentNotAllowed {
        /// The environment named in the header.
        environment: String,
    },
    /// The signature is older than the tolerance allows.
    TimestampTooOld {
        /// How far in the past `t` lies, in whole seconds (rounded down).
        skew_secs: u64,
        /// The configured tolerance in seconds.
        tolerance_secs: u64,
    },
    /// The signature is dated further in the future than the tolerance allows.
    TimestampInFuture {
        /// How far in the future `t` lies, in whole seconds (rounded down).
        skew_secs: u64,
        /// The configured tolerance in seconds.
        tolerance_secs: u64,
    },
    /// This delivery was already accepted.
    Replayed,
    /// A Hasura Action or Event Trigger payload does not have the expected shape; the text
    /// names the field.
    MalformedPayload(String),
    /// The shared-secret header is absent (or empty).
    MissingSecret {
        /// The header that was looked up (lower case).
        header: String,
    },
    /// The shared-secret header does not hold a configured secret (or was given more than once).
    SecretMismatch {
        /// The header that was looked up (lower case).
        header: String,
    },
}

impl Error {
    /// The stable code of this error, as listed in the contract (`missing_signature`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingSignature => "missing_signature",
            Error::MalformedSignature(_) => "malformed_signature",
            Error::MalformedBody { .. } => "malformed_body",
            Error::SignatureMismatch => "signature_mismatch",
            Error::EnvironmentNotAllowed { .. } => "environment_not_allowed",
            Error::TimestampTooOld { .. } => "timestamp_too_old",
            Error::TimestampInFuture { .. } => "timestamp_in_future",
            Error::Replayed => "replayed",
            Error::MalformedPayload(_) => "malformed_payload",
            Error::MissingSecret { .. } => "missing_secret",
            Error::SecretMismatch { .. } => "secret_mismatch",
        }
    }

    /// Every code an [`Error`] can carry, in contract order.
    pub const CODES: &'static [&'static str] = &[
        "missing_signature",
        "malformed_signature",
        "malformed_body",
        "signature_mismatch",
        "environment_not_allowed",
        "timestamp_too_old",
        "timestamp_in_future",
        "replayed",
        "malformed_payload",
        "missing_secret",
        "secret_mismatch",
    ];

    /// The codes the wrappers of every face answer with besides [`Error::CODES`] (contract §4),
    /// one list for all of them, each with its HTTP status:
    ///
    /// | code | status | when |
    /// |---|---|---|
    /// | `not_configured` | 500 | the secret is still missing at request time |
    /// | `replay_store_unavailable` | 503 | the replay store cannot be reached |
    /// | `payload_too_large` | 413 | the body is over the size limit |
    /// | `hookseal_layer_missing` | 500 | axum: the extractor without its layer |
    /// | `handler_failed` | 500 | the handler threw (an Event handler; an Action handler, with anything but an action error; an auth `resolve`) |
    /// | `access_denied` | 401 | an auth `resolve` denied (returned null / None) |
    /// | `invalid_session` | 500 | an auth `resolve` returned a session that cannot be written (no role, a v2 value that is not a string, number or boolean, a DDN role that is not a string, ...) |
    ///
    /// ```
    /// assert!(hookseal::Error::WRAPPER_CODES.contains(&"handler_failed"));
    /// assert_eq!(hookseal::Error::wrapper_status("access_denied"), Some(401));
    /// ```
    pub const WRAPPER_CODES: &'static [&'static str] = &[
        "not_configured",
        "replay_store_unavailable",
        "payload_too_large",
        "hookseal_layer_missing",
        "handler_failed",
        "access_denied",
        "invalid_session",
    ];

    /// The HTTP status a wrapper answers with for a code of [`Error::WRAPPER_CODES`]; `None` for
    /// any other code.
    pub fn wrapper_status(code: &str) -> Option<u16> {
        Some(match code {
            "not_configured" | "hookseal_layer_missing" | "handler_failed" | "invalid_session" => 500,
            "replay_store_unavailable" => 503,
            "payload_too_large" => 413,
            "access_denied" => 401,
            _ => return None,
        })
    }
}

/// Environment names are quoted in messages only after the MAC proved them genuine; still cap
/// their length so a message stays a line.
fn short(s: &str) -> String {
    const MAX: usize = 64;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A `t` this far in the past (about 32 years) lies near 1970: the mark of a timestamp written in
/// seconds where milliseconds are expected.
const NEAR_EPOCH_SECS: u64 = 1_000_000_000;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingSignature => f.write_str(
                "the gcms-signature header is missing or empty: was this request sent by Hygraph, \
                 and does the webhook have a secret key set?",
            ),
            Error::MalformedSignature(reason) => {
                write!(f, "the gcms-signature header is malformed: {reason}")
            }
            Error::MalformedBody { valid_up_to } => write!(
                f,
                "the request body is not UTF-8 (first bad byte at offset {valid_up_to}); \
                 pass the raw body bytes exactly as received"
            ),
            Error::SignatureMismatch => f.write_str(
                "no configured secret produces this signature: check the secret (stray whitespace \
                 or a newline is a common cause) and pass the raw body exactly as received, not a \
                 parsed and re-serialized one",
            ),
            Error::EnvironmentNotAllowed { environment } => write!(
                f,
                "the signature is valid but environment \"{}\" is not in the allowed environments",
                short(environment)
            ),
            Error::TimestampTooOld { skew_secs, tolerance_secs } if *skew_secs >= NEAR_EPOCH_SECS => write!(
                f,
                "the signature is {skew_secs} s old, beyond the tolerance of {tolerance_secs} s: t \
                 lies near 1970, so it was probably written in seconds; Hygraph's t is milliseconds"
            ),
            Error::TimestampTooOld { skew_secs, tolerance_secs } => write!(
                f,
                "the signature is {skew_secs} s old, beyond the tolerance of {tolerance_secs} s \
                 (a replayed or long-delayed request, or this machine's clock is ahead)"
            ),
            Error::TimestampInFuture { skew_secs, tolerance_secs } => write!(
                f,
                "the signature is dated {skew_secs} s in the future, beyond the tolerance of \
                 {tolerance_secs} s: this machine's clock is behind the sender's (or the \
                 sender's is ahead); check that the clocks are synchronized (NTP)"
            ),
            Error::Replayed => f.write_str("this delivery was already accepted (replay)"),
            Error::MalformedPayload(text) => f.write_str(text),
            Error::MissingSecret { header } if header.contains('_') => write!(
                f,
                "the shared-secret header \"{header}\" is missing or empty; its name holds an \
                 underscore, which WSGI servers (gunicorn, werkzeug), nginx and many proxies drop: \
                 configure the header with a hyphen instead (e.g. \"{}\") in Hasura and here",
                header.replace('_', "-")
            ),
            Error::MissingSecret { header } => {
                write!(f, "the shared-secret header \"{header}\" is missing or empty")
            }
            Error::SecretMismatch { header } => {
                write!(f, "the shared-secret header \"{header}\" does not hold the configured secret")
            }
        }
    }
}

impl std::error::Error for Error {}

/// A setup mistake: it fails at once, when the verifier is built, never per request.
///
/// ```
/// use hookseal::{hygraph::Verifier, ConfigError};
///
/// let unset = std::env::var("HOOKSEAL_DOC_UNSET_VARIABLE").unwrap_or_default();
/// assert_eq!(Verifier::new([unset]).unwrap_err(), ConfigError::EmptySecret);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// No secret was configured (an empty list, or a missing environment variable).
    NoSecret,
    /// A configured secret is empty.
    EmptySecret,
    /// A configured secret is only whitespace.
    BlankSecret,
    /// An allowed-environments list was given but it is empty (nothing could ever pass).
    NoEnvironments,
    /// The shared-secret header name is empty or not a valid header name.
    InvalidHeaderName,
    /// A numeric setting is out of range; the text names it.
    OutOfRange(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigError::NoSecret => "no secret configured: is the environment variable that holds it set?",
            ConfigError::EmptySecret => {
                "a configured secret is empty: is the environment variable that holds it set?"
            }
            ConfigError::BlankSecret => "a configured secret is only whitespace",
            ConfigError::NoEnvironments => {
                "the list of allowed environments is empty: nothing could ever pass"
            }
            ConfigError::InvalidHeaderName => "the header name is empty or not a valid HTTP header name",
            ConfigError::OutOfRange(what) => what,
        })
    }
}

impl std::error::Error for ConfigError {}
