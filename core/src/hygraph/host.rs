//! Verification with the HMAC computed by the caller: for a host whose own HMAC-SHA256 is faster
//! than the core's (the WebAssembly engine in Node, `node:crypto`; on Edge and Workers,
//! `crypto.subtle`, which is asynchronous).
//!
//! The rules stay here: the core reads the header and checks the body, writes the envelope to
//! MAC, compares the MACs the caller computed with the header's in constant time, and makes the
//! remaining checks, in the order of [`Verifier::verify_at`] and [`compat::verify`]. The caller
//! only turns an envelope into one MAC per configured secret, in order. Answers are those of
//! the one-step functions (the tests hold them to it).
//!
//! ```
//! use hmac::{Hmac, Mac};
//! use hookseal::hygraph::host::{Step, Strict};
//! use hookseal::hygraph::{sign, Spelling, Verifier};
//! use hookseal::Secret;
//!
//! let header = sign(&Secret::new("k")?, "{}", "master", 1_700_000_000_000);
//! let verifier = Verifier::new(["k"])?;
//! let host_mac = |envelope: &[u8]| -> [u8; 32] {
//!     let mut m = Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
//!     m.update(envelope);
//!     m.finalize().into_bytes().into()
//! };
//! let mut envelope = Vec::new();
//! let strict = Strict::new(&verifier);
//! strict.begin(b"{}", &header, &mut envelope)?;
//! let macs = [host_mac(&envelope)];
//! let step = strict.step(b"{}", &header, Spelling::Js, &macs, 1_700_000_000_000, &mut envelope);
//! let Step::Done(ok) = step else { unreachable!() };
//! assert_eq!(ok?.environment, "master");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`compat::verify`]: super::compat::verify

use subtle::ConstantTimeEq;

use super::compat::{parse_header as compat_header, select_body};
use super::envelope::{write, Parts};
use super::{decode_sign, parse_header, Spelling, Verified, Verifier};
use crate::ecma::is_valid_json;
use crate::ecma::quote::{has_html, Style};
use crate::error::Error;

/// What a step asks for next.
#[derive(Debug)]
pub enum Step<T> {
    /// MAC the envelope now in the caller's buffer (this spelling), under every secret, and
    /// call the step again with them.
    Mac(Spelling),
    /// The answer.
    Done(T),
}

/// The index of the first MAC equal to `sign`, every one compared in constant time. A count
/// other than `secrets` matches nothing (fails closed).
fn first_equal(macs: &[[u8; 32]], secrets: usize, sign: &[u8; 32]) -> Option<usize> {
    if macs.len() != secrets {
        return None;
    }
    let mut found = None;
    for (i, m) in macs.iter().enumerate() {
        if bool::from(m.ct_eq(sign)) && found.is_none() {
            found = Some(i);
        }
    }
    found
}

fn envelope_into(parts: &Parts<'_>, style: Style, out: &mut Vec<u8>) {
    out.clear();
    write(parts, style, out);
}

/// The rule of [`super::match_envelope`], one spelling at a time: the JS spelling first; when it
/// does not match and the body is JSON holding HTML characters, the HTML-escaped one.
fn match_step(
    parts: &Parts<'_>,
    sign: &[u8; 32],
    secrets: usize,
    spelling: Spelling,
    macs: &[[u8; 32]],
    envelope: &mut Vec<u8>,
) -> Step<Option<(usize, Spelling)>> {
    if let Some(i) = first_equal(macs, secrets, sign) {
        return Step::Done(Some((i, spelling)));
    }
    if spelling == Spelling::Js {
        if let Some(body) = parts.body {
            if has_html(body) && is_valid_json(body) {
                envelope_into(parts, Style::Html, envelope);
                return Step::Mac(Spelling::HtmlEscaped);
            }
        }
    }
    Step::Done(None)
}

/// A strict verification ([`Verifier::verify_at`]) whose MACs the caller computes.
#[derive(Debug)]
pub struct Strict<'v> {
    verifier: &'v Verifier,
}

impl<'v> Strict<'v> {
    /// Verification by `verifier`'s rules and secrets.
    pub fn new(verifier: &'v Verifier) -> Self {
        Strict { verifier }
    }

    /// Checks the header and the body encoding (the answer, when either fails) and writes the
    /// envelope of the JS spelling into `envelope`: MAC it under each secret, then [`Self::step`].
    pub fn begin(&self, raw: &[u8], header: &str, envelope: &mut Vec<u8>) -> Result<(), Error> {
        let h = parse_header(header)?;
        if simdutf8::basic::from_utf8(raw).is_err() {
            let valid_up_to = std::str::from_utf8(raw).err().map_or(0, |e| e.valid_up_to());
            return Err(Error::MalformedBody { valid_up_to });
        }
        envelope_into(&strict_parts(raw, &h), Style::Js, envelope);
        Ok(())
    }

    /// Given the MACs of the envelope of `spelling` under each secret, in order: the answer, or
    /// the next envelope to MAC. Only after [`Self::begin`] accepted the same `raw` and `header`
    /// (it checked the body's encoding, which this step does not repeat).
    pub fn step(
        &self,
        raw: &[u8],
        header: &str,
        spelling: Spelling,
        macs: &[[u8; 32]],
        now_ms: u64,
        envelope: &mut Vec<u8>,
    ) -> Step<Result<Verified, Error>> {
        let h = match parse_header(header) {
            Ok(h) => h,
            Err(e) => return Step::Done(Err(e)),
        };
        let secrets = self.verifier.secrets().len();
        let (secret_index, spelling) =
            match match_step(&strict_parts(raw, &h), &h.sign, secrets, spelling, macs, envelope) {
                Step::Mac(s) => return Step::Mac(s),
                Step::Done(None) => return Step::Done(Err(Error::SignatureMismatch)),
                Step::Done(Some(found)) => found,
            };
        Step::Done(self.verifier.after_mac(&h, secret_index, spelling, now_ms))
    }
}

fn strict_parts<'a>(raw: &'a [u8], h: &super::SignatureHeader<'a>) -> Parts<'a> {
    Parts {
        body: (!raw.is_empty()).then_some(raw),
        environment: h.environment.as_bytes(),
        timestamp: h.timestamp_ms as f64,
    }
}

/// A drop-in verification ([`super::compat::verify`]) whose MACs the caller computes.
#[derive(Debug)]
pub struct Compat {
    secrets: usize,
}

impl Compat {
    /// Verification against `secrets` secrets (the number of MACs each step takes).
    pub fn new(secrets: usize) -> Self {
        Compat { secrets }
    }

    /// Reads the header as the reference does; `false` when the answer is already `false` (a
    /// header the reference throws on, or a `sign` that is no MAC). Otherwise the envelope of
    /// the JS spelling is in `envelope`: MAC it under each secret, then [`Compat::step`].
    pub fn begin(
        &self,
        signature: Option<&[u8]>,
        raw_payload: Option<&[u8]>,
        body_json: Option<&[u8]>,
        envelope: &mut Vec<u8>,
    ) -> bool {
        let Some(h) = signature.and_then(compat_header) else { return false };
        if decode_sign(&h.sign).is_none() {
            return false;
        }
        let parts = Parts {
            body: select_body(raw_payload, body_json),
            environment: &h.environment,
            timestamp: h.timestamp,
        };
        envelope_into(&parts, Style::Js, envelope);
        true
    }

    /// Given the MACs of the envelope of `spelling` under each secret, in order (the same
    /// inputs as [`Compat::begin`]): the answer, or the next envelope to MAC.
    pub fn step(
        &self,
        signature: Option<&[u8]>,
        raw_payload: Option<&[u8]>,
        body_json: Option<&[u8]>,
        spelling: Spelling,
        macs: &[[u8; 32]],
        envelope: &mut Vec<u8>,
    ) -> Step<bool> {
        let Some(h) = signature.and_then(compat_header) else { return Step::Done(false) };
        let Some(sign) = decode_sign(&h.sign) else { return Step::Done(false) };
        let parts = Parts {
            body: select_body(raw_payload, body_json),
            environment: &h.environment,
            timestamp: h.timestamp,
        };
        match match_step(&parts, &sign, self.secrets, spelling, macs, envelope) {
            Step::Mac(s) => Step::Mac(s),
            Step::Done(found) => Step::Done(found.is_some()),
        }
    }
}
