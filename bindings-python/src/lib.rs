//! Python face of hookseal (pyo3): the private engine `hookseal._hookseal`.
//!
//! This crate converts Python values, calls the core (`hookseal`) and maps its results; the
//! public API (argument checks, framework integrations, Redis) lives in the pure-Python package
//! `hookseal`. Verification failures become `hookseal.WebhookVerificationError` (raised with the
//! core's code and message); configuration mistakes become `ValueError`/`TypeError`.
//!
//! Bodies are borrowed, never copied: `bytes` and `str` are immutable, so their data is read in
//! place, and the GIL is released while a body of more than a few KiB is hashed. A `str` holding
//! lone surrogates (which has no UTF-8) goes through UTF-16 to WTF-8, as a JS string would.

use hookseal::ecma::json::MAX_DEPTH;
use hookseal::ecma::{
    array_index, key_order, write_json_integer, write_json_number, write_json_string, wtf8_from_utf16,
};
use hookseal::hasura::{self, AuthMode, Cache, SessionValue};
use hookseal::hygraph::{compat, Verifier};
use hookseal::replay::{self, MemoryGuard as CoreGuard};
use hookseal::shared_secret::SharedSecret as CoreShared;
use hookseal::{ConfigError, Error, Secret, Secrets};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Bodies larger than this are hashed with the GIL released.
const DETACH_FROM: usize = 4096;

fn config_error(e: &ConfigError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Raises `hookseal.WebhookVerificationError(message, code)` (the class lives in Python so it
/// can be subclassed and pickled like any exception).
fn verification_error(py: Python<'_>, e: &Error) -> PyErr {
    let made = py
        .import("hookseal._errors")
        .and_then(|m| m.getattr("WebhookVerificationError"))
        .and_then(|cls| cls.call1((e.to_string(), e.code())));
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

/// Text as WTF-8: borrowed UTF-8 when the `str` is well formed, else through UTF-16.
enum Text<'a> {
    Borrowed(&'a [u8]),
    Owned(Vec<u8>),
}

impl Text<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Text::Borrowed(b) => b,
            Text::Owned(v) => v,
        }
    }
}

fn str_wtf8<'a>(s: &'a Bound<'_, PyString>) -> PyResult<Text<'a>> {
    match s.to_str() {
        Ok(t) => Ok(Text::Borrowed(t.as_bytes())),
        Err(_) => {
            // Lone surrogates: UTF-16 with surrogatepass keeps them, the core pairs and encodes.
            let raw = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
            let b = raw.cast::<PyBytes>()?.as_bytes();
            let units: Vec<u16> = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            Ok(Text::Owned(wtf8_from_utf16(&units)))
        }
    }
}

/// `bytes` borrowed or `str` as WTF-8; anything else is a TypeError naming `what`.
fn bytes_or_str<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Text<'a>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Text::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return str_wtf8(s);
    }
    Err(PyTypeError::new_err(format!("{what} must be str or bytes, not {}", obj.get_type().name()?)))
}

/// Appends `JSON.stringify(obj)` as Node writes it for the value `JSON.parse` would have
/// produced, straight from the Python objects (no intermediate tree: one pass, and strings are
/// quoted from CPython's own UTF-8 by the core's vectorized escaping).
fn write_js(obj: &Bound<'_, PyAny>, depth: usize, out: &mut Vec<u8>) -> PyResult<()> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!("body nests deeper than {MAX_DEPTH} levels")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        write_json_string(str_wtf8(s)?.bytes(), out);
    } else if let Ok(d) = obj.cast::<PyDict>() {
        write_dict(d, depth, out)?;
    } else if let Ok(l) = obj.cast::<PyList>() {
        write_items(l.iter(), depth, out)?;
    } else if let Ok(b) = obj.cast::<PyBool>() {
        out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
    } else if obj.cast::<PyInt>().is_ok() {
        match obj.extract::<i64>() {
            Ok(i) => write_json_integer(i, out),
            // Number(i) in JS: the nearest double; beyond the double range, Infinity (→ null).
            Err(_) => write_json_number(obj.extract::<f64>().unwrap_or(f64::INFINITY), out),
        }
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        write_json_number(f.value(), out);
    } else if obj.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        write_items(t.iter(), depth, out)?;
    } else {
        return Err(PyTypeError::new_err(format!(
            "body: {} is not JSON data (use what json.loads returns: dict, list, str, int, float, bool, None)",
            obj.get_type().name()?
        )));
    }
    Ok(())
}

fn write_items<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    depth: usize,
    out: &mut Vec<u8>,
) -> PyResult<()> {
    out.push(b'[');
    for (i, v) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_js(&v, depth + 1, out)?;
    }
    out.push(b']');
    Ok(())
}

fn key_error() -> PyErr {
    PyTypeError::new_err("body: object keys must be str (as json.loads produces)")
}

/// A dict as a JS object: keys must be `str`. Written in dict order in one pass; when a key turns
/// out to be an array index (JS writes those first, ascending), it starts over in JS's order.
fn write_dict(d: &Bound<'_, PyDict>, depth: usize, out: &mut Vec<u8>) -> PyResult<()> {
    let start = out.len();
    out.push(b'{');
    for (n, (k, v)) in d.iter().enumerate() {
        let key = k.cast::<PyString>().map_err(|_| key_error())?;
        let text = str_wtf8(key)?;
        if array_index(text.bytes()).is_some() {
            out.truncate(start);
            return write_dict_reordered(d, depth, out);
        }
        if n > 0 {
            out.push(b',');
        }
        write_json_string(text.bytes(), out);
        out.push(b':');
        write_js(&v, depth + 1, out)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_dict_reordered(d: &Bound<'_, PyDict>, depth: usize, out: &mut Vec<u8>) -> PyResult<()> {
    let entries: Vec<(Bound<'_, PyString>, Bound<'_, PyAny>)> = d
        .iter()
        .map(|(k, v)| Ok((k.cast_into::<PyString>().map_err(|_| key_error())?, v)))
        .collect::<PyResult<_>>()?;
    let keys: Vec<Text<'_>> = entries.iter().map(|(k, _)| str_wtf8(k)).collect::<PyResult<_>>()?;
    let order = key_order(keys.iter().map(Text::bytes)).unwrap_or_else(|| (0..keys.len()).collect());
    out.push(b'{');
    for (n, i) in order.into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_json_string(keys[i].bytes(), out);
        out.push(b':');
        write_js(&entries[i].1, depth + 1, out)?;
    }
    out.push(b'}');
    Ok(())
}

/// `JSON.stringify(body)` for a Python value, exactly as Node writes it.
fn js_json(body: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let mut out = Vec::new();
    write_js(body, 0, &mut out)?;
    Ok(out)
}

/// `JSON.stringify(body)` for a Python value, exactly as Node writes it.
#[pyfunction]
fn js_stringify(body: &Bound<'_, PyAny>) -> PyResult<String> {
    // Lone surrogates come out escaped, so the text is UTF-8.
    Ok(String::from_utf8_lossy(&js_json(body)?).into_owned())
}

fn secrets_from(secrets: Vec<Vec<u8>>) -> PyResult<Secrets> {
    Secrets::new(secrets).map_err(|e| config_error(&e))
}

/// The drop-in engine: one set of secrets, `verifyWebhookSignature` semantics.
#[pyclass(frozen, module = "hookseal._hookseal")]
struct DropIn {
    secrets: Secrets,
}

#[pymethods]
impl DropIn {
    #[new]
    fn new(secrets: Vec<Vec<u8>>) -> PyResult<Self> {
        Ok(DropIn { secrets: secrets_from(secrets)? })
    }

    /// `signature` must already be a `str` (anything else is `False` in Python).
    #[pyo3(signature = (signature, raw_payload, body))]
    fn verify(
        &self,
        py: Python<'_>,
        signature: &Bound<'_, PyString>,
        raw_payload: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let sig = str_wtf8(signature)?;
        let raw = raw_payload.map(|r| bytes_or_str(r, "raw_payload")).transpose()?;
        let raw_empty = raw.as_ref().map_or(true, |r| r.bytes().is_empty());
        // `rawPayload || JSON.stringify(body)`: serialize the body only when it is used.
        let body_json = match body {
            Some(b) if raw_empty => Some(js_json(b)?),
            _ => None,
        };
        let raw_bytes = raw.as_ref().map(Text::bytes);
        let body_bytes = body_json.as_deref();
        let len = raw_bytes.map_or(0, <[u8]>::len) + body_bytes.map_or(0, <[u8]>::len);
        let run = || compat::verify(&self.secrets, Some(sig.bytes()), raw_bytes, body_bytes);
        Ok(if len >= DETACH_FROM { py.detach(run) } else { run() })
    }
}

/// `generateWebhookSignature`: the header for these parts under the first secret.
#[pyfunction]
#[pyo3(signature = (secret, raw_payload, body, environment, timestamp))]
fn generate(
    secret: Vec<u8>,
    raw_payload: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    environment: &Bound<'_, PyString>,
    timestamp: f64,
) -> PyResult<String> {
    let secret = Secret::new(secret).map_err(|e| config_error(&e))?;
    let raw = raw_payload.map(|r| bytes_or_str(r, "raw_payload")).transpose()?;
    let raw_empty = raw.as_ref().map_or(true, |r| r.bytes().is_empty());
    let body_json = match body {
        Some(b) if raw_empty => Some(js_json(b)?),
        _ => None,
    };
    let env = str_wtf8(environment)?;
    let out = compat::generate(
        &secret,
        raw.as_ref().map(Text::bytes),
        body_json.as_deref(),
        env.bytes(),
        timestamp,
    );
    // WTF-8 back to a Python str (lone surrogates kept, as JS would keep them).
    match String::from_utf8(out) {
        Ok(s) => Ok(s),
        Err(e) => {
            let bytes = e.into_bytes();
            Python::attach(|py| {
                PyBytes::new(py, &bytes)
                    .call_method1("decode", ("utf-8", "surrogatepass"))?
                    .extract::<String>()
            })
        }
    }
}

/// The strict engine: secrets, tolerance, allowed environments, built once.
#[pyclass(frozen, module = "hookseal._hookseal")]
struct StrictVerifier {
    inner: Verifier,
}

#[pymethods]
impl StrictVerifier {
    #[new]
    #[pyo3(signature = (secrets, tolerance, environments))]
    fn new(
        secrets: Vec<Vec<u8>>,
        tolerance: Option<u64>,
        environments: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let mut inner = Verifier::from_secrets(secrets_from(secrets)?)
            .tolerance(tolerance)
            .map_err(|e| config_error(&e))?;
        if let Some(envs) = environments {
            inner = inner.environments(envs).map_err(|e| config_error(&e))?;
        }
        Ok(StrictVerifier { inner })
    }

    /// Returns `(environment, timestamp_ms, secret_index, replay_key)` or raises
    /// `WebhookVerificationError`. `raw` is `bytes` or `str`; `header` `str` or `None`.
    fn verify(
        &self,
        py: Python<'_>,
        raw: &Bound<'_, PyAny>,
        header: Option<&Bound<'_, PyString>>,
        now_ms: u64,
    ) -> PyResult<(String, u64, usize, String)> {
        let body = bytes_or_str(raw, "raw_body")?;
        let header = match header {
            Some(h) => h
                .to_str()
                .map_err(|_| verification_error(py, &Error::MalformedSignature("it is not valid text")))?,
            None => "",
        };
        let bytes = body.bytes();
        let run = || self.inner.verify_at(bytes, header, now_ms);
        let result = if bytes.len() >= DETACH_FROM { py.detach(run) } else { run() };
        match result {
            Ok(v) => {
                let key = v.replay_key();
                Ok((v.environment, v.timestamp_ms, v.secret_index, key))
            }
            Err(e) => Err(verification_error(py, &e)),
        }
    }

    /// How long a `done` replay entry lives: the whole window, both sides (ms).
    fn done_ttl_ms(&self) -> u64 {
        self.inner.replay_done_ttl_ms()
    }
}

/// The shared-secret checker (Hasura).
#[pyclass(frozen, module = "hookseal._hookseal")]
struct SharedSecret {
    inner: CoreShared,
}

#[pymethods]
impl SharedSecret {
    #[new]
    fn new(header: &str, secrets: Vec<Vec<u8>>) -> PyResult<Self> {
        CoreShared::new(header, secrets).map(|inner| SharedSecret { inner }).map_err(|e| config_error(&e))
    }

    #[getter]
    fn header(&self) -> String {
        self.inner.header().to_owned()
    }

    /// Checks the values found for the header (none, one, or several when repeated).
    fn check(&self, py: Python<'_>, values: Vec<Vec<u8>>) -> PyResult<()> {
        let result = match values.as_slice() {
            [] => self.inner.check(None),
            [one] => self.inner.check(Some(one)),
            _ => self.inner.check_headers(values.iter().map(|v| (self.inner.header(), v.as_slice()))),
        };
        result.map_err(|e| verification_error(py, &e))
    }
}

/// The bounded, expiring in-memory replay store of the core.
#[pyclass(frozen, module = "hookseal._hookseal")]
struct MemoryGuard {
    inner: CoreGuard,
}

#[pymethods]
impl MemoryGuard {
    #[new]
    fn new(max_entries: usize) -> PyResult<Self> {
        CoreGuard::new(max_entries).map(|inner| MemoryGuard { inner }).map_err(|e| config_error(&e))
    }

    /// `"new"`, `"in_progress"` or `"done"`; a new claim stores `processing:<token>`.
    fn claim(&self, key: &str, token: &str, now_ms: u64, processing_ttl_ms: u64) -> &'static str {
        self.inner.claim(key, token, now_ms, processing_ttl_ms).as_str()
    }

    /// Marks `key` done; `True` if it still held the claim of `token`.
    fn complete(&self, key: &str, token: &str, now_ms: u64, done_ttl_ms: u64) -> bool {
        self.inner.complete(key, token, now_ms, done_ttl_ms)
    }

    /// Deletes `key` only while it holds the claim of `token`; `True` if it did.
    fn release(&self, key: &str, token: &str, now_ms: u64) -> bool {
        self.inner.release(key, token, now_ms)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    #[getter]
    fn max_entries(&self) -> usize {
        self.inner.max_entries()
    }
}

/// `{"message": ..., "extensions": {"code": ...}}` as JSON text.
#[pyfunction]
fn hasura_error_body(message: &str, code: &str) -> String {
    hasura::error_body(message, code)
}

/// The auth-webhook answer as JSON text; `entries` are `(key, str | int | float | bool)`.
#[pyfunction]
#[pyo3(signature = (entries, max_age=None, expires=None))]
fn hasura_auth_response(
    entries: Vec<(String, Bound<'_, PyAny>)>,
    max_age: Option<u64>,
    expires: Option<u64>,
) -> PyResult<String> {
    let mut values: Vec<(String, SessionValue<'_>)> = Vec::with_capacity(entries.len());
    let mut strings: Vec<String> = Vec::with_capacity(entries.len());
    for (_, v) in &entries {
        strings.push(if v.cast::<PyString>().is_ok() { v.extract::<String>()? } else { String::new() });
    }
    for ((k, v), s) in entries.iter().zip(&strings) {
        let value = if v.cast::<PyString>().is_ok() {
            SessionValue::Str(s)
        } else if let Ok(b) = v.cast::<PyBool>() {
            SessionValue::Bool(b.is_true())
        } else if v.cast::<PyInt>().is_ok() || v.cast::<PyFloat>().is_ok() {
            SessionValue::Num(v.extract::<f64>()?)
        } else {
            return Err(PyTypeError::new_err(format!(
                "session value for {k} must be str, int, float or bool"
            )));
        };
        values.push((k.clone(), value));
    }
    let cache = match (max_age, expires) {
        (Some(_), Some(_)) => return Err(PyValueError::new_err("give max_age or expires, not both")),
        (Some(n), None) => Cache::MaxAge(n),
        (None, Some(t)) => Cache::Expires(t),
        (None, None) => Cache::None,
    };
    let refs: Vec<(&str, SessionValue<'_>)> = values.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    hasura::auth_response_json(&refs, cache).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Checks the shape of a Hasura payload: `kind` "action", "event", "scheduled", "auth_v2" (the
/// v2 auth webhook's POST body) or "auth_ddn"; raises `WebhookVerificationError`
/// (`malformed_payload`), or `ValueError` for another kind.
#[pyfunction]
fn hasura_check(py: Python<'_>, kind: &str, body: &[u8]) -> PyResult<()> {
    let r = match kind {
        "action" => hasura::check_action(body),
        "event" => hasura::check_event(body),
        "scheduled" => hasura::check_scheduled(body),
        "auth_v2" => hasura::check_auth_request(AuthMode::V2, body),
        "auth_ddn" => hasura::check_auth_request(AuthMode::Ddn, body),
        _ => {
            return Err(PyValueError::new_err(
                "kind must be \"action\", \"event\", \"scheduled\", \"auth_v2\" or \"auth_ddn\"",
            ))
        }
    };
    r.map_err(|e| verification_error(py, &e))
}

/// A delivery of Hasura's event system: `(kind, id, replay_key)`, kind "event" or "scheduled";
/// raises `WebhookVerificationError` (`malformed_payload`) for anything else.
#[pyfunction]
fn hasura_delivery(py: Python<'_>, body: &[u8]) -> PyResult<(&'static str, String, String)> {
    let d = hasura::check_delivery(body).map_err(|e| verification_error(py, &e))?;
    let key = d.replay_key();
    Ok((d.kind.as_str(), d.id, key))
}

fn auth_mode(mode: &str) -> PyResult<AuthMode> {
    AuthMode::from_name(mode).ok_or_else(|| PyValueError::new_err("mode must be \"v2\" or \"ddn\""))
}

/// The answer to an allowed auth-webhook request from the session as JSON text:
/// `(body, lifetime_secs | None)`. `expires_at` and `now` are epoch seconds. `ValueError` when
/// the session cannot be written (no role, a v2 value that is not a string, number or boolean,
/// ...).
#[pyfunction]
#[pyo3(signature = (mode, session_json, max_age, expires_at, now))]
fn hasura_auth_answer(
    mode: &str,
    session_json: &[u8],
    max_age: Option<u64>,
    expires_at: Option<f64>,
    now: f64,
) -> PyResult<(String, Option<u64>)> {
    let a = hasura::auth_answer(auth_mode(mode)?, session_json, max_age, expires_at, now)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((a.body, a.lifetime_secs))
}

/// The key of a receiver-side auth-answer cache (the values of the headers `names`, matched
/// case-insensitively), or `None` when none of them has a value.
#[pyfunction]
fn hasura_auth_cache_key(
    mode: &str,
    names: Vec<String>,
    headers: Vec<(String, String)>,
) -> PyResult<Option<String>> {
    let mode = auth_mode(mode)?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(hasura::auth_cache_key(mode, &names, &headers))
}

/// The codes the wrappers answer with besides the verification codes (contract §4).
#[pyfunction]
fn wrapper_codes() -> Vec<&'static str> {
    Error::WRAPPER_CODES.to_vec()
}

/// The body-keyed replay key: hex SHA-256 of the length-prefixed environment and the body.
#[pyfunction]
fn replay_key_for_body(env: &str, body: &[u8]) -> String {
    replay::key_for_body(env.as_bytes(), body)
}

/// Every error code, in contract order.
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    Error::CODES.to_vec()
}

/// The private engine of the `hookseal` package.
#[pymodule]
fn _hookseal(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<DropIn>()?;
    m.add_class::<StrictVerifier>()?;
    m.add_class::<SharedSecret>()?;
    m.add_class::<MemoryGuard>()?;
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(js_stringify, m)?)?;
    m.add_function(wrap_pyfunction!(hasura_error_body, m)?)?;
    m.add_function(wrap_pyfunction!(hasura_auth_response, m)?)?;
    m.add_function(wrap_pyfunction!(hasura_check, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(hasura_delivery, m)?)?;
    m.add_function(wrap_pyfunction!(hasura_auth_answer, m)?)?;
    m.add_function(wrap_pyfunction!(hasura_auth_cache_key, m)?)?;
    m.add_function(wrap_pyfunction!(wrapper_codes, m)?)?;
    m.add_function(wrap_pyfunction!(replay_key_for_body, m)?)?;
    m.add("HASURA_EVENT_DONE_TTL_MS", hasura::EVENT_DONE_TTL_MS)?;
    m.add("HASURA_RETRY_AFTER_SECS", hasura::DEFAULT_RETRY_AFTER_SECS)?;
    m.add("REPLAY_KEY_PREFIX", replay::KEY_PREFIX)?;
    m.add("DEFAULT_PROCESSING_TTL_MS", replay::DEFAULT_PROCESSING_TTL_MS)?;
    m.add("REPLAY_CLAIM_SCRIPT", replay::CLAIM_SCRIPT)?;
    m.add("REPLAY_COMPLETE_SCRIPT", replay::COMPLETE_SCRIPT)?;
    m.add("REPLAY_RELEASE_SCRIPT", replay::RELEASE_SCRIPT)?;
    m.add("DEFAULT_MAX_ENTRIES", replay::DEFAULT_MAX_ENTRIES)?;
    m.add("HEADER", hookseal::hygraph::HEADER)?;
    Ok(())
}
