//! # hookseal
//!
//! Prove that a webhook request really came from the service you trust.
//!
//! - [`hygraph`]: Hygraph's `gcms-signature` (HMAC-SHA256 over a JSON envelope), byte-exact
//!   with the reference `@hygraph/utils`, compared in constant time, with a time window, several
//!   secrets for rotation, and a drop-in mode ([`hygraph::compat`]).
//! - [`shared_secret`]: the shared-secret header of Hasura Actions and Event Triggers, compared
//!   in constant time without leaking the secret's length.
//! - [`replay`]: a retry-safe replay guard.
//! - [`hasura`]: Action error bodies, auth-webhook answers (v2 and DDN) bounded by the token's
//!   expiry, payload checks and delivery keys, typed payloads (feature `serde`, on by default).
//! - [`ecma`]: ECMAScript serialization exact to the byte (`JSON.stringify`, `Number::toString`,
//!   `parseInt`), which the envelope depends on.
//!
//! Every failure is an [`Error`] with a stable [`Error::code`]; setup mistakes are
//! [`ConfigError`]s, raised when the verifier is built. Nothing here panics on any input.
//!
//! ```
//! use hookseal::hygraph::Verifier;
//!
//! let verifier = Verifier::new(["secret-from-the-hygraph-webhook-settings"])?;
//! let err = verifier.verify(b"{}", "sign=AAAA, env=master, t=1").unwrap_err();
//! assert_eq!(err.code(), "malformed_signature");
//! # Ok::<(), hookseal::ConfigError>(())
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

// `unsafe` is forbidden in every module but `simd`, whose vector kernels need it. The workspace
// sets `unsafe_code = "forbid"`, which no `allow` below it can lift, so this crate's Cargo.toml
// lowers it to `deny` and each module is forbidden again here: `simd` is the one `allow`, and a
// new module without an attribute still gets `deny`.
#[forbid(unsafe_code)]
pub mod ecma;
#[forbid(unsafe_code)]
mod error;
#[forbid(unsafe_code)]
pub mod explain;
#[forbid(unsafe_code)]
pub mod hasura;
#[forbid(unsafe_code)]
pub mod hygraph;
#[forbid(unsafe_code)]
pub mod replay;
#[forbid(unsafe_code)]
mod secret;
#[forbid(unsafe_code)]
pub mod shared_secret;
#[allow(unsafe_code)]
mod simd;
#[forbid(unsafe_code)]
mod util;

pub use error::{ConfigError, Error};
pub use secret::{Secret, Secrets};

// The README's examples compile as doc tests too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

// So are the guide's to the core's Hasura API (docs/hasura/core.md).
#[cfg(doctest)]
#[doc = include_str!("../../docs/hasura/core.md")]
struct HasuraGuideDoctests;
