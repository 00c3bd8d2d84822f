//! Shared-secret headers (Hasura Actions and Event Triggers): the caller adds a header whose
//! value is a secret both sides know; the handler checks it (contract §3).
//!
//! The check compares SHA-256 digests with `subtle`, so neither the secret's bytes nor its
//! length leak through timing.
//!
//! ```
//! use hookseal::shared_secret::SharedSecret;
//!
//! // Hasura: Action → Headers → ACTION_SECRET; two secrets while rotating.
//! let check = SharedSecret::new("ACTION_SECRET", ["the-new-secret", "the-old-secret"])?;
//! let headers = [("content-type", &b"application/json"[..]), ("action_secret", b"the-old-secret")];
//! assert!(check.check_headers(headers).is_ok());
//! assert_eq!(check.check(Some(b"guess")).unwrap_err().code(), "secret_mismatch");
//! assert_eq!(check.check(None).unwrap_err().code(), "missing_secret");
//! assert!(SharedSecret::new("ACTION_SECRET", [""]).is_err()); // an unset variable fails at start-up
//! # Ok::<(), hookseal::ConfigError>(())
//! ```

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{ConfigError, Error};
use crate::secret::Secret;

/// What a header lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The header is absent.
    Absent,
    /// The header is present once, with this value.
    One(&'a [u8]),
    /// The header was given more than once.
    Many,
}

/// Finds header `name` among `(name, value)` pairs, ignoring ASCII case in names.
pub fn find_header<'a, I>(headers: I, name: &str) -> Lookup<'a>
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    let mut found = Lookup::Absent;
    for (k, v) in headers {
        if k.eq_ignore_ascii_case(name) {
            found = match found {
                Lookup::Absent => Lookup::One(v),
                _ => return Lookup::Many,
            };
        }
    }
    found
}

/// Checks a shared-secret header against one or more configured secrets.
#[derive(Clone)]
pub struct SharedSecret {
    header: String,
    digests: Vec<Zeroizing<[u8; 32]>>,
}

fn valid_header_name(name: &str) -> bool {
    // RFC 9110 token characters.
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl SharedSecret {
    /// A checker for `header` (any case) holding one of `secrets`.
    pub fn new<I, S>(header: &str, secrets: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        if !valid_header_name(header) {
            return Err(ConfigError::InvalidHeaderName);
        }
        let mut digests = Vec::new();
        for s in secrets {
            let secret = Secret::new(s)?;
            digests.push(Zeroizing::new(Sha256::digest(secret.expose()).into()));
        }
        if digests.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        Ok(SharedSecret { header: header.to_ascii_lowercase(), digests })
    }

    /// The header name, lower case.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// Checks the header's value: `None` when it is absent. An empty value counts as absent.
    pub fn check(&self, value: Option<&[u8]>) -> Result<(), Error> {
        let value = match value {
            Some(v) if !v.is_empty() => v,
            _ => return Err(Error::MissingSecret { header: self.header.clone() }),
        };
        let got: Zeroizing<[u8; 32]> = Zeroizing::new(Sha256::digest(value).into());
        let mut ok = subtle::Choice::from(0);
        for d in &self.digests {
            ok |= d.as_slice().ct_eq(got.as_slice());
        }
        if bool::from(ok) {
            Ok(())
        } else {
            Err(Error::SecretMismatch { header: self.header.clone() })
        }
    }

    /// Looks the header up among `(name, value)` pairs and checks it. Given more than once, it
    /// fails (`secret_mismatch`).
    pub fn check_headers<'a, I>(&self, headers: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        match find_header(headers, &self.header) {
            Lookup::Absent => self.check(None),
            Lookup::One(v) => self.check(Some(v)),
            Lookup::Many => Err(Error::SecretMismatch { header: self.header.clone() }),
        }
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SharedSecret {{ header: {:?}, secrets: [redacted; {}] }}", self.header, self.digests.len())
    }
}
