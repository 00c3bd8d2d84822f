//! Node face of hookseal (napi-rs).
//!
//! This crate only converts JS values, calls the core (`hookseal`) and maps its results. The
//! hand-written `index.js` holds the public API; the classes here are its private engine.
//!
//! Conversion is where the time goes for small bodies, so:
//! - a string's UTF-16 is copied out (a memcpy for V8's two-byte strings) into a reused
//!   per-thread buffer and transcoded to WTF-8 by the core's vectorized transcoder
//!   (`hookseal::ecma::wtf8_from_utf16_into`): V8's own UTF-8 conversion of two-byte strings
//!   costs more than the hash. Lone surrogates survive as WTF-8, which is what the core's
//!   drop-in expects, so JS need not scan strings first;
//! - `Buffer` / `Uint8Array` are read in place, never copied;
//! - a Uint8Array flagged in `utf16` holds UTF-16LE code units (core `wtf8_from_utf16`).
//!
//! Configuration mistakes are thrown with status `InvalidArg` (JS maps them to `TypeError`) or
//! `NumberExpected` (→ `RangeError`); verification failures are returned as values, never thrown.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::ptr;

use hookseal::hasura::{self, AuthMode, Cache, SessionValue};
use hookseal::hygraph::{compat, Verifier};
use hookseal::replay;
use hookseal::shared_secret::SharedSecret;
use hookseal::{ConfigError, Error, Secret, Secrets};
use napi::bindgen_prelude::{External, Uint8Array, Unknown, Utf16String};
use napi::{sys, Either, JsValue, Status};
use napi_derive::napi;

use napi::Result;

fn config_error(e: &ConfigError) -> napi::Error {
    let status = match e {
        ConfigError::NoEnvironments | ConfigError::OutOfRange(_) => Status::NumberExpected,
        _ => Status::InvalidArg,
    };
    napi::Error::new(status, e.to_string())
}

fn type_error(msg: impl ToString) -> napi::Error {
    napi::Error::new(Status::InvalidArg, msg)
}

fn range_error(msg: impl ToString) -> napi::Error {
    napi::Error::new(Status::NumberExpected, msg)
}

/// Buffers kept between calls. Larger than this, a buffer is freed after use so one huge body
/// does not pin its memory.
const KEEP_SCRATCH: usize = 8 << 20;

thread_local! {
    static UTF16: RefCell<Vec<u16>> = const { RefCell::new(Vec::new()) };
    static SCRATCH: RefCell<[Vec<u8>; 3]> = const { RefCell::new([Vec::new(), Vec::new(), Vec::new()]) };
}

fn with_scratch<R>(f: impl FnOnce(&mut [Vec<u8>; 3]) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => {
            let r = f(&mut s);
            for v in s.iter_mut() {
                if v.capacity() > KEEP_SCRATCH {
                    *v = Vec::new();
                }
            }
            r
        }
        // Re-entrancy cannot happen (no JS runs inside a call), but never panic: use fresh ones.
        Err(_) => f(&mut [Vec::new(), Vec::new(), Vec::new()]),
    })
}

/// Reads a JS value as bytes: `undefined`/`null` → `None`; a string → its UTF-8 (copied into
/// `scratch`); a typed array → its bytes in place, or, when `utf16` is set, its UTF-16LE code
/// units turned into WTF-8 (into `scratch`).
///
/// `u` is an argument of the current call, so its handles are live for the whole call; the
/// returned slice borrows either `scratch` or the typed array's memory, which the call's handle
/// scope keeps alive (no JS runs while it is used).
#[allow(unsafe_code)]
fn read_bytes<'s, 'e: 's>(
    u: &Unknown<'e>,
    utf16: bool,
    scratch: &'s mut Vec<u8>,
) -> Result<Option<&'s [u8]>> {
    let (env, v) = raw(u);
    let mut ty = 0;
    check(unsafe { sys::napi_typeof(env, v, &mut ty) })?;
    match ty {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => Ok(None),
        sys::ValueType::napi_string => {
            // V8 converts two-byte strings to UTF-8 one code unit at a time, which costs more
            // than hashing; copying the UTF-16 out (a memcpy) and transcoding here is several
            // times faster, and keeps lone surrogates (as WTF-8, what the core expects).
            let mut units = 0usize;
            check(unsafe { sys::napi_get_value_string_utf16(env, v, ptr::null_mut(), 0, &mut units) })?;
            UTF16.with(|cell| {
                let mut wide = cell.try_borrow_mut().map_err(|_| type_error("re-entered"))?;
                if wide.len() < units + 1 {
                    wide.resize(units + 1, 0);
                }
                let mut copied = 0usize;
                check(unsafe {
                    sys::napi_get_value_string_utf16(env, v, wide.as_mut_ptr(), units + 1, &mut copied)
                })?;
                let copied = copied.min(units);
                scratch.clear();
                hookseal::ecma::wtf8_from_utf16_into(&wide[..copied], scratch);
                if wide.len() > KEEP_SCRATCH {
                    *wide = Vec::new();
                }
                Ok(Some(scratch.as_slice()))
            })
        }
        sys::ValueType::napi_object => {
            let mut is_ta = false;
            check(unsafe { sys::napi_is_typedarray(env, v, &mut is_ta) })?;
            if !is_ta {
                return Err(type_error("expected a string, Buffer or Uint8Array"));
            }
            let (mut kind, mut len, mut data, mut ab, mut off) =
                (0, 0usize, ptr::null_mut(), ptr::null_mut(), 0usize);
            check(unsafe {
                sys::napi_get_typedarray_info(env, v, &mut kind, &mut len, &mut data, &mut ab, &mut off)
            })?;
            if kind != sys::TypedarrayType::uint8_array {
                return Err(type_error("expected a Buffer or Uint8Array"));
            }
            let bytes: &'s [u8] = if len == 0 || data.is_null() {
                &[]
            } else {
                // SAFETY: a live Uint8Array of `len` bytes at `data`; nothing runs JS meanwhile.
                unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }
            };
            if utf16 {
                let units: Vec<u16> =
                    bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
                scratch.clear();
                hookseal::ecma::wtf8_from_utf16_into(&units, scratch);
                Ok(Some(scratch.as_slice()))
            } else {
                Ok(Some(bytes))
            }
        }
        _ => Err(type_error("expected a string, Buffer or Uint8Array")),
    }
}

fn check(status: sys::napi_status) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(Status::GenericFailure, "reading a JS value failed"))
    }
}

fn raw(u: &Unknown<'_>) -> (sys::napi_env, sys::napi_value) {
    let v = u.value();
    (v.env, v.value)
}

/// Secrets from JS: strings (UTF-8) or byte arrays.
fn secrets_from(list: Vec<Either<String, Uint8Array>>) -> Result<Secrets> {
    let bytes: Vec<Vec<u8>> = list
        .into_iter()
        .map(|s| match s {
            Either::A(s) => s.into_bytes(),
            Either::B(b) => b.to_vec(),
        })
        .collect();
    let out = Secrets::new(&bytes).map_err(|e| config_error(&e));
    for mut b in bytes {
        b.iter_mut().for_each(|x| *x = 0);
    }
    out
}

/// A verification failure as a value: `code` (contract §4) and a message without secrets.
#[derive(Debug)]
#[napi(object)]
pub struct Failure {
    /// The stable error code.
    pub code: String,
    /// What failed, for people.
    pub message: String,
}

fn failure(e: &Error) -> Failure {
    Failure { code: e.code().to_owned(), message: e.to_string() }
}

/// The drop-in engine: the configured secrets, held by JS as an opaque `External` (a method
/// call on a napi class costs ~250 ns more per call than a function taking an External, which
/// is a sixth of a whole small-body verification).
type CompatEngine = External<Secrets>;

const SIG_UTF16: u32 = 1;
const RAW_UTF16: u32 = 2;
const BODY_UTF16: u32 = 4;

/// A drop-in engine; throws (InvalidArg) for an empty list or an empty/blank secret.
#[napi]
pub fn compat_new(secrets: Vec<Either<String, Uint8Array>>) -> Result<CompatEngine> {
    Ok(External::new(secrets_from(secrets)?))
}

/// `verifyWebhookSignature`: `signature`, `rawPayload` and `bodyJson` (`JSON.stringify(body)`)
/// are strings, Uint8Arrays, or undefined; `utf16` flags values given as UTF-16LE bytes.
#[napi(catch_unwind)]
pub fn compat_verify(
    engine: &CompatEngine,
    signature: Unknown<'_>,
    raw_payload: Unknown<'_>,
    body_json: Unknown<'_>,
    utf16: u32,
) -> Result<bool> {
    with_scratch(|[s0, s1, s2]| {
        let sig = read_bytes(&signature, utf16 & SIG_UTF16 != 0, s0)?;
        let rp = read_bytes(&raw_payload, utf16 & RAW_UTF16 != 0, s1)?;
        // The reference never looks at `body` when `rawPayload` is non-empty.
        let bj = match rp {
            Some(p) if !p.is_empty() => None,
            _ => read_bytes(&body_json, utf16 & BODY_UTF16 != 0, s2)?,
        };
        Ok(compat::verify(engine, sig, rp, bj))
    })
}

/// `generateWebhookSignature` with the first secret; the header as a JS string (lone
/// surrogates in the environment kept).
#[napi(catch_unwind)]
pub fn compat_generate(
    engine: &CompatEngine,
    raw_payload: Unknown<'_>,
    body_json: Unknown<'_>,
    environment: Unknown<'_>,
    timestamp: f64,
    utf16: u32,
) -> Result<Utf16String> {
    let Some(secret) = engine.as_slice().first() else {
        return Err(type_error("no secret"));
    };
    with_scratch(|[s0, s1, s2]| {
        let rp = read_bytes(&raw_payload, utf16 & RAW_UTF16 != 0, s1)?;
        let bj = match rp {
            Some(p) if !p.is_empty() => None,
            _ => read_bytes(&body_json, utf16 & BODY_UTF16 != 0, s2)?,
        };
        let en = read_bytes(&environment, utf16 & SIG_UTF16 != 0, s0)?.unwrap_or(b"");
        let header = compat::generate(secret, rp, bj, en, timestamp);
        Ok(hookseal::ecma::wtf8_to_utf16(&header).into())
    })
}

/// A successful strict verification (or a failure, with `failure` set).
#[derive(Debug)]
#[napi(object)]
pub struct Outcome {
    /// Set when verification failed.
    pub failure: Option<Failure>,
    /// The environment named in the header.
    pub environment: Option<String>,
    /// `t`, ms since the epoch.
    pub timestamp: Option<f64>,
    /// Which configured secret matched.
    pub secret_index: Option<u32>,
    /// The replay-guard key of this delivery.
    pub replay_key: Option<String>,
}

/// The strict engine (contract §2b), held by JS as an opaque `External`.
type StrictEngine = External<Verifier>;

fn secs(name: &str, x: f64) -> Result<u64> {
    if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0) {
        return Err(range_error(format!("{name} must be a whole number of seconds >= 0")));
    }
    Ok(x as u64)
}

/// `tolerance` in seconds (`null`: no window); `environments` (`null`: any).
#[napi]
pub fn strict_new(
    secrets: Vec<Either<String, Uint8Array>>,
    tolerance: Option<f64>,
    environments: Option<Vec<String>>,
) -> Result<StrictEngine> {
    let mut v = Verifier::from_secrets(secrets_from(secrets)?);
    let tol = tolerance.map(|t| secs("tolerance", t)).transpose()?;
    v = v.tolerance(tol).map_err(|e| config_error(&e))?;
    if let Some(envs) = environments {
        v = v.environments(envs).map_err(|e| config_error(&e))?;
    }
    Ok(External::new(v))
}

/// The configured tolerance in seconds, or null.
#[napi]
pub fn strict_tolerance(engine: &StrictEngine) -> Option<f64> {
    engine.tolerance_secs().map(|t| t as f64)
}

/// Verifies `raw` (string or Uint8Array) against `header` at `nowMs`; the replay key is
/// computed only when `wantKey` is set (the wrappers), as it costs a SHA-256 and a string.
#[napi(catch_unwind)]
pub fn strict_verify(
    engine: &StrictEngine,
    raw_body: Unknown<'_>,
    header: String,
    now_ms: f64,
    want_key: bool,
) -> Result<Outcome> {
    let now = if now_ms.is_finite() && now_ms > 0.0 { now_ms as u64 } else { 0 };
    with_scratch(|[s0, _, _]| {
        let rb = read_bytes(&raw_body, false, s0)?.unwrap_or(b"");
        Ok(match engine.verify_at(rb, &header, now) {
            Ok(v) => Outcome {
                failure: None,
                replay_key: want_key.then(|| v.replay_key()),
                environment: Some(v.environment),
                timestamp: Some(v.timestamp_ms as f64),
                secret_index: Some(u32::try_from(v.secret_index).unwrap_or(u32::MAX)),
            },
            Err(e) => Outcome {
                failure: Some(failure(&e)),
                environment: None,
                timestamp: None,
                secret_index: None,
                replay_key: None,
            },
        })
    })
}

/// The Hygraph header for `body` (raw text) as Hygraph sends it.
#[napi(catch_unwind)]
pub fn sign_strict(secret: String, body: String, environment: String, timestamp_ms: f64) -> Result<String> {
    let s = Secret::new(&secret).map_err(|e| config_error(&e))?;
    let t = secs("timestamp", timestamp_ms)?;
    Ok(hookseal::hygraph::sign(&s, &body, &environment, t))
}

/// The shared-secret checker (contract §3).
#[derive(Debug)]
#[napi]
pub struct SharedSecretChecker {
    inner: SharedSecret,
}

#[napi]
impl SharedSecretChecker {
    /// A checker for `header` (any case) holding one of `secrets`.
    #[napi(constructor)]
    pub fn new(header: String, secrets: Vec<Either<String, Uint8Array>>) -> Result<Self> {
        let bytes: Vec<Vec<u8>> = secrets
            .into_iter()
            .map(|s| match s {
                Either::A(s) => s.into_bytes(),
                Either::B(b) => b.to_vec(),
            })
            .collect();
        let inner = SharedSecret::new(&header, &bytes).map_err(|e| config_error(&e));
        for mut b in bytes {
            b.iter_mut().for_each(|x| *x = 0);
        }
        Ok(SharedSecretChecker { inner: inner? })
    }

    /// The header name, lower case.
    #[napi(getter)]
    pub fn header(&self) -> String {
        self.inner.header().to_owned()
    }

    /// Checks `(name, value)` pairs (a repeated header appears as several pairs). `null` when
    /// the secret matches.
    #[napi(catch_unwind)]
    pub fn check(&self, names: Vec<String>, values: Vec<String>) -> Option<Failure> {
        let pairs = names.iter().zip(values.iter()).map(|(k, v)| (k.as_str(), v.as_bytes()));
        self.inner.check_headers(pairs).err().map(|e| failure(&e))
    }
}

/// The in-memory replay store of the core.
#[derive(Debug)]
#[napi]
pub struct MemoryStore {
    inner: replay::MemoryGuard,
}

#[napi]
impl MemoryStore {
    /// A store of at most `maxEntries` keys.
    #[napi(constructor)]
    pub fn new(max_entries: f64) -> Result<Self> {
        if !(max_entries.is_finite() && max_entries >= 1.0 && max_entries.fract() == 0.0) {
            return Err(range_error("maxEntries must be a whole number >= 1"));
        }
        let inner = replay::MemoryGuard::new(max_entries.min(usize::MAX as f64) as usize)
            .map_err(|e| config_error(&e))?;
        Ok(MemoryStore { inner })
    }

    /// `"new"`, `"in_progress"` or `"done"`; a new claim stores `processing:<token>`.
    #[napi(catch_unwind)]
    pub fn claim(&self, key: String, now_ms: f64, processing_ttl_ms: f64, token: String) -> &'static str {
        self.inner.claim(&key, &token, now_ms.max(0.0) as u64, processing_ttl_ms.max(1.0) as u64).as_str()
    }

    /// Marks `key` handled for `doneTtlMs`; `true` if it still held the claim of `token`.
    #[napi(catch_unwind)]
    pub fn complete(&self, key: String, now_ms: f64, done_ttl_ms: f64, token: String) -> bool {
        self.inner.complete(&key, &token, now_ms.max(0.0) as u64, done_ttl_ms.max(1.0) as u64)
    }

    /// Deletes `key` only while it holds the claim of `token`; `true` if it did.
    #[napi(catch_unwind)]
    pub fn release(&self, key: String, token: String, now_ms: f64) -> bool {
        self.inner.release(&key, &token, now_ms.max(0.0) as u64)
    }

    /// Entries held.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }
}

/// Replay constants of the core: key prefix, values, default TTLs, the Redis scripts.
#[derive(Debug)]
#[napi(object)]
pub struct ReplayConstants {
    /// `hookseal:replay:`.
    pub key_prefix: String,
    /// A claimed key holds this prefix and the claim's token.
    pub processing_prefix: String,
    /// The value of a handled key.
    pub done: String,
    /// Default bound of the memory store.
    pub default_max_entries: f64,
    /// Default claim lifetime.
    pub default_processing_ttl_ms: f64,
    /// `EVAL <claimScript> 1 <key> <token> <processing ttl ms>` → `new` | `in_progress` | `done`.
    pub claim_script: String,
    /// `EVAL <completeScript> 1 <key> <token> <done ttl ms>` → 1 if the claim was still the caller's.
    pub complete_script: String,
    /// `EVAL <releaseScript> 1 <key> <token>` → 1 if the caller's claim was deleted.
    pub release_script: String,
    /// How long a handled Hasura delivery is remembered by default (7 days).
    pub hasura_event_done_ttl_ms: f64,
    /// The default `Retry-After` (seconds) of the Hasura event wrapper's 409 and 503.
    pub hasura_retry_after_secs: f64,
}

/// The replay constants of the core.
#[napi]
pub fn replay_constants() -> ReplayConstants {
    ReplayConstants {
        key_prefix: replay::KEY_PREFIX.to_owned(),
        processing_prefix: replay::PROCESSING_PREFIX.to_owned(),
        done: replay::DONE.to_owned(),
        default_max_entries: replay::DEFAULT_MAX_ENTRIES as f64,
        default_processing_ttl_ms: replay::DEFAULT_PROCESSING_TTL_MS as f64,
        claim_script: replay::CLAIM_SCRIPT.to_owned(),
        complete_script: replay::COMPLETE_SCRIPT.to_owned(),
        release_script: replay::RELEASE_SCRIPT.to_owned(),
        hasura_event_done_ttl_ms: hasura::EVENT_DONE_TTL_MS as f64,
        hasura_retry_after_secs: hasura::DEFAULT_RETRY_AFTER_SECS as f64,
    }
}

/// How long a `done` entry lives for a tolerance (seconds).
#[napi(catch_unwind)]
pub fn replay_done_ttl_ms(tolerance_secs: Option<f64>) -> Result<f64> {
    let tol = tolerance_secs.map(|t| secs("tolerance", t)).transpose()?;
    Ok(replay::done_ttl_for(tol) as f64)
}

/// Hasura's error body.
#[napi(catch_unwind)]
pub fn hasura_error_body(message: String, code: String) -> String {
    hasura::error_body(&message, &code)
}

/// The JSON of an auth-webhook answer. `cacheKind`: 0 none, 1 max-age, 2 expires (unix secs).
#[napi(catch_unwind)]
pub fn hasura_auth_response_json(
    keys: Vec<String>,
    values: Vec<Either<String, Either<f64, bool>>>,
    cache_kind: u32,
    cache_value: f64,
) -> Result<String> {
    let entries: Vec<(&str, SessionValue<'_>)> = keys
        .iter()
        .zip(values.iter())
        .map(|(k, v)| {
            let sv = match v {
                Either::A(s) => SessionValue::Str(s),
                Either::B(Either::A(n)) => SessionValue::Num(*n),
                Either::B(Either::B(b)) => SessionValue::Bool(*b),
            };
            (k.as_str(), sv)
        })
        .collect();
    let cache = match cache_kind {
        0 => Cache::None,
        1 => Cache::MaxAge(secs("maxAge", cache_value)?),
        _ => Cache::Expires(secs("expires", cache_value)?),
    };
    hasura::auth_response_json(&entries, cache).map_err(type_error)
}

/// Shape check of a Hasura payload: `kind` 0 Action, 1 Event Trigger, 2 scheduled event, 3 auth
/// webhook v2 POST, 4 auth webhook DDN POST. `null` when it has the shape.
#[napi(catch_unwind)]
pub fn hasura_check(kind: u32, json: Unknown<'_>) -> Result<Option<Failure>> {
    with_scratch(|[s0, _, _]| {
        let bytes = read_bytes(&json, false, s0)?.unwrap_or(b"");
        let r = match kind {
            0 => hasura::check_action(bytes),
            1 => hasura::check_event(bytes),
            2 => hasura::check_scheduled(bytes),
            3 => hasura::check_auth_request(AuthMode::V2, bytes),
            4 => hasura::check_auth_request(AuthMode::Ddn, bytes),
            _ => return Err(type_error("hasuraCheck: kind must be 0 to 4")),
        };
        Ok(r.err().map(|e| failure(&e)))
    })
}

/// A Hasura delivery (Event Trigger or scheduled event): its kind, id and replay key, or a
/// failure (`malformed_payload`).
#[derive(Debug)]
#[napi(object)]
pub struct HasuraDelivery {
    /// Set when the body is not a delivery.
    pub failure: Option<Failure>,
    /// `"event"` or `"scheduled"`.
    pub kind: Option<String>,
    /// The delivery's id.
    pub id: Option<String>,
    /// The replay-guard key: `"hasura:"` + hex SHA-256 of the id.
    pub replay_key: Option<String>,
}

/// Checks a delivery of Hasura's event system (string or Uint8Array) and says what it is.
#[napi(catch_unwind)]
pub fn hasura_delivery(body: Unknown<'_>) -> Result<HasuraDelivery> {
    with_scratch(|[s0, _, _]| {
        let bytes = read_bytes(&body, false, s0)?.unwrap_or(b"");
        Ok(match hasura::check_delivery(bytes) {
            Ok(d) => HasuraDelivery {
                failure: None,
                kind: Some(d.kind.as_str().to_owned()),
                replay_key: Some(d.replay_key()),
                id: Some(d.id),
            },
            Err(e) => HasuraDelivery { failure: Some(failure(&e)), kind: None, id: None, replay_key: None },
        })
    })
}

fn auth_mode(mode: &str) -> Result<AuthMode> {
    AuthMode::from_name(mode).ok_or_else(|| type_error("mode must be 'v2' or 'ddn'"))
}

/// An auth-webhook answer: the 200 body and its lifetime in seconds (-1: none).
#[derive(Debug)]
#[napi(object)]
pub struct HasuraAuthAnswer {
    /// The JSON body.
    pub body: String,
    /// Whole seconds the answer may be cached, or -1.
    pub lifetime_secs: f64,
}

/// The answer to an allowed auth-webhook request from the session as JSON text. `maxAgeSecs`
/// -1: none; `expiresAtSecs` NaN: none (epoch seconds, fractional). A session that cannot be
/// written throws (InvalidArg).
#[napi(catch_unwind)]
pub fn hasura_auth_answer(
    mode: String,
    session_json: String,
    max_age_secs: f64,
    expires_at_secs: f64,
    now_secs: f64,
) -> Result<HasuraAuthAnswer> {
    let mode = auth_mode(&mode)?;
    let max_age = if max_age_secs == -1.0 { None } else { Some(secs("maxAge", max_age_secs)?) };
    let expires = (!expires_at_secs.is_nan()).then_some(expires_at_secs);
    let a =
        hasura::auth_answer(mode, session_json.as_bytes(), max_age, expires, now_secs).map_err(type_error)?;
    Ok(HasuraAuthAnswer { body: a.body, lifetime_secs: a.lifetime_secs.map_or(-1.0, |n| n as f64) })
}

/// The key of a receiver-side auth-answer cache, or null when none of `names` has a value.
/// Headers are given as two parallel lists (a repeated header appears once per value).
#[napi(catch_unwind)]
pub fn hasura_auth_cache_key(
    mode: String,
    names: Vec<String>,
    header_names: Vec<String>,
    header_values: Vec<String>,
) -> Result<Option<String>> {
    let mode = auth_mode(&mode)?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let headers: Vec<(&str, &str)> =
        header_names.iter().zip(header_values.iter()).map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(hasura::auth_cache_key(mode, &names, &headers))
}

/// The codes the wrappers answer with besides the verification codes (contract §4).
#[napi]
pub fn wrapper_codes() -> Vec<String> {
    Error::WRAPPER_CODES.iter().map(|c| (*c).to_owned()).collect()
}

/// The body-keyed replay key (`hookseal::replay::key_for_body`): hex SHA-256 of the
/// length-prefixed environment and the raw body (string or Uint8Array).
#[napi(catch_unwind)]
pub fn replay_key_for_body(env: String, body: Unknown<'_>) -> Result<String> {
    with_scratch(|[s0, _, _]| {
        let bytes = read_bytes(&body, false, s0)?.unwrap_or(b"");
        Ok(replay::key_for_body(env.as_bytes(), bytes))
    })
}
