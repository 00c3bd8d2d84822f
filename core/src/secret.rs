//! Secrets: held in memory that is wiped on drop, never printed.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::ConfigError;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// One secret key. Its bytes are wiped when it is dropped and `Debug` prints `[redacted]`.
///
/// ```
/// use hookseal::{Secret, Secrets};
///
/// let secret = Secret::new("my-webhook-secret\n")?;
/// assert_eq!(format!("{secret:?}"), "Secret([redacted])");
/// assert!(secret.has_edge_whitespace()); // a newline from a .env file: usually a slip
/// assert_eq!(Secrets::new(["new-secret", "old-secret"])?.len(), 2);
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Secret {
    bytes: Zeroizing<Vec<u8>>,
    /// HMAC-SHA256 keyed with `bytes` (its inner and outer pad blocks absorbed), cloned for each
    /// MAC: keying costs two SHA-256 compressions, a quarter of the work on a 200-byte body.
    keyed: HmacSha256,
}

impl Secret {
    /// A secret from its bytes (a string secret is used as its UTF-8 bytes, as Node's
    /// `createHmac` does). Empty or whitespace-only secrets are configuration errors.
    pub fn new(bytes: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let bytes = bytes.as_ref();
        if bytes.is_empty() {
            return Err(ConfigError::EmptySecret);
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ConfigError::BlankSecret);
        }
        Ok(Secret { keyed: keyed(bytes), bytes: Zeroizing::new(bytes.to_vec()) })
    }

    /// True when the secret starts or ends with whitespace: legal, but usually a copy-paste slip
    /// (a trailing newline from a `.env` file). `explain` reports it.
    pub fn has_edge_whitespace(&self) -> bool {
        let b = &self.bytes;
        b.first().is_some_and(u8::is_ascii_whitespace) || b.last().is_some_and(u8::is_ascii_whitespace)
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }

    /// A fresh HMAC-SHA256 under this secret.
    pub(crate) fn hmac(&self) -> HmacSha256 {
        self.keyed.clone()
    }
}

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable_hmac(),
    }
}

#[cold]
fn unreachable_hmac() -> HmacSha256 {
    // `Hmac::new_from_slice` only fails for fixed-size-key MACs; HMAC takes any key length.
    // Fall back to an all-zero state rather than panic: it can never match a real signature
    // under a real secret (the key differs), which fails closed.
    <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default())
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// One or more secrets (rotation: the old and the new one are both accepted for a while).
#[derive(Clone)]
pub struct Secrets(Vec<Secret>);

impl Secrets {
    /// At least one secret; each is checked like [`Secret::new`].
    pub fn new<I, S>(secrets: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let v = secrets.into_iter().map(Secret::new).collect::<Result<Vec<_>, _>>()?;
        if v.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        Ok(Secrets(v))
    }

    /// The secrets, in configured order (the order `secret_index` refers to).
    pub fn as_slice(&self) -> &[Secret] {
        &self.0
    }

    /// How many secrets are configured.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a `Secrets` holds at least one secret.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Secret> for Secrets {
    fn from(s: Secret) -> Self {
        Secrets(vec![s])
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets([redacted; {}])", self.0.len())
    }
}
