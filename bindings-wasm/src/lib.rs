//! WebAssembly face of hookseal (wasm32-unknown-unknown).
//!
//! The same engine surface as the napi addon (`bindings-node/src/lib.rs`), as plain
//! `extern "C"` exports that the hand-written glue `bindings-node/wasm.js` turns back into that
//! surface, so one JavaScript API runs over either engine. No wasm-bindgen: the ABI is tiny.
//!
//! - **Arguments** travel through four Rust-owned byte buffers ("slots"). JS asks for slot `i`
//!   of `n` bytes (`hs_arg`), gets its address in linear memory, writes the bytes there, then
//!   calls the function, which reads the slots as ordinary `Vec<u8>`s. A list (secrets, header
//!   names, …) is packed into one slot as `u32` little-endian length + bytes, per item.
//! - **Results** are numbers, or bytes left in the output buffer (`hs_out_ptr`/`hs_out_len`):
//!   text, or JSON for structured results. A configuration error returns [`E_TYPE`] or
//!   [`E_RANGE`] with its message in the output buffer; JS throws `TypeError` / `RangeError`.
//! - **Engines** (drop-in and strict verifiers, shared-secret checkers, replay stores) live in a
//!   registry here; JS holds a handle and frees it with `hs_drop`.
//! - **Strings** that must reach the core exactly (bodies, signatures: JS strings may hold lone
//!   surrogates, which `TextEncoder` would replace) may be given as UTF-16LE code units, flagged
//!   per slot; they become WTF-8 here (`hookseal::ecma::wtf8_from_utf16`), as in the napi addon.
//! - **Time** always comes from JS: wasm32-unknown-unknown has no clock.
//!
//! Every export is a thin shell over a safe function of [`Io`] / [`Registry`], which the host
//! tests exercise directly. Nothing here panics on any input; if something ever traps, the glue
//! throws, drops the instance and builds a fresh one.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;

use hookseal::ecma::{escape_at_level, number_to_string, quote, wtf8_from_utf16, wtf8_to_utf16, SimdLevel};
use hookseal::hasura::{self, AuthMode, Cache, SessionValue};
use hookseal::hygraph::host::{self, Step};
use hookseal::hygraph::{compat, Spelling, Verifier};
use hookseal::replay::{self, Claim, MemoryGuard};
use hookseal::shared_secret::SharedSecret;
use hookseal::{ConfigError, Error, Secret, Secrets};

/// A configuration mistake that JS throws as `TypeError` (napi status `InvalidArg`).
pub const E_TYPE: i32 = -1;
/// A configuration mistake that JS throws as `RangeError` (napi status `NumberExpected`).
pub const E_RANGE: i32 = -2;
/// Any other failure of a call (a handle that is not an engine of the right kind, a bad list).
pub const E_OTHER: i32 = -3;

/// Number of argument slots.
pub const SLOTS: usize = 4;

/// Buffers larger than this are freed after a call, so one huge body does not pin its memory.
const KEEP: usize = 8 << 20;

/// A call's failure: the status returned to JS and the message left in the output buffer.
#[derive(Debug)]
pub struct Fail(i32, String);

type Res<T> = Result<T, Fail>;

fn config(e: &ConfigError) -> Fail {
    let status = match e {
        ConfigError::NoEnvironments | ConfigError::OutOfRange(_) => E_RANGE,
        _ => E_TYPE,
    };
    Fail(status, e.to_string())
}

fn type_err(msg: impl ToString) -> Fail {
    Fail(E_TYPE, msg.to_string())
}

fn other(msg: &str) -> Fail {
    Fail(E_OTHER, msg.to_owned())
}

/// The argument slots and the output buffer.
#[derive(Debug, Default)]
pub struct Io {
    /// Argument bytes, written by JS.
    pub args: [Vec<u8>; SLOTS],
    /// The last result's bytes, read by JS.
    pub out: Vec<u8>,
}

impl Io {
    /// Makes slot `i` exactly `len` bytes long (for JS to fill); `None` for a bad slot number.
    pub fn arg(&mut self, i: usize, len: usize) -> Option<&mut Vec<u8>> {
        let v = self.args.get_mut(i)?;
        if len <= v.len() {
            v.truncate(len);
        } else {
            v.try_reserve_exact(len - v.len()).ok()?;
            v.resize(len, 0);
        }
        Some(v)
    }

    /// Slot `i` as bytes: WTF-8 from UTF-16LE code units when `utf16` is set.
    fn bytes(&self, i: usize, utf16: bool) -> std::borrow::Cow<'_, [u8]> {
        let b = self.args.get(i).map_or(&[][..], Vec::as_slice);
        if utf16 {
            let units: Vec<u16> = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            std::borrow::Cow::Owned(wtf8_from_utf16(&units))
        } else {
            std::borrow::Cow::Borrowed(b)
        }
    }

    /// Slot `i` as text (JS wrote it with `TextEncoder`, so it is UTF-8).
    fn text(&self, i: usize) -> Res<&str> {
        std::str::from_utf8(self.args.get(i).map_or(&[][..], Vec::as_slice))
            .map_err(|_| type_err("expected a string"))
    }

    /// Slot `i` as a packed list of byte strings.
    fn list(&self, i: usize) -> Res<Vec<&[u8]>> {
        let mut rest = self.args.get(i).map_or(&[][..], Vec::as_slice);
        let mut items = Vec::new();
        while !rest.is_empty() {
            let (n, tail) = rest.split_first_chunk::<4>().ok_or_else(|| other("bad list"))?;
            let n = u32::from_le_bytes(*n) as usize;
            let item = tail.get(..n).ok_or_else(|| other("bad list"))?;
            items.push(item);
            rest = &tail[n..];
        }
        Ok(items)
    }

    fn texts(&self, i: usize) -> Res<Vec<&str>> {
        self.list(i)?
            .into_iter()
            .map(|b| std::str::from_utf8(b).map_err(|_| type_err("expected a string")))
            .collect()
    }

    fn put(&mut self, s: &[u8]) {
        self.out.clear();
        self.out.extend_from_slice(s);
    }

    /// Frees argument buffers that grew past [`KEEP`] (after a call: JS never reads them).
    fn trim_args(&mut self) {
        for v in self.args.iter_mut() {
            if v.capacity() > KEEP {
                *v = Vec::new();
            }
        }
    }

    /// Frees the output buffer if it grew past [`KEEP`]: at the start of the next call, since
    /// JS reads the last result after the call returned.
    fn trim_out(&mut self) {
        if self.out.capacity() > KEEP {
            self.out = Vec::new();
        }
    }

    /// Slot 3 as MACs (32 bytes each, one per secret, written by the host); `None` when its
    /// length is not a multiple of 32.
    fn macs(&self) -> Option<Vec<[u8; 32]>> {
        let b = self.args[3].as_slice();
        if b.len() % 32 != 0 {
            return None;
        }
        Some(b.chunks_exact(32).map(|c| <[u8; 32]>::try_from(c).unwrap_or([0; 32])).collect())
    }
}

/// An engine JS holds by handle.
#[derive(Debug)]
pub enum Engine {
    /// The drop-in engine (contract §2a).
    Compat(Secrets),
    /// The strict engine (contract §2b).
    Strict(Verifier),
    /// The shared-secret checker (contract §3).
    Shared(SharedSecret),
    /// The in-memory replay store (contract §5).
    Store(MemoryGuard),
}

/// The engines, by handle (index + 1; 0 is never a handle).
#[derive(Debug, Default)]
pub struct Registry {
    items: Vec<Option<Engine>>,
    free: Vec<usize>,
}

impl Registry {
    /// Stores `e`; returns its handle.
    pub fn add(&mut self, e: Engine) -> Res<i32> {
        let i = match self.free.pop() {
            Some(i) => {
                self.items[i] = Some(e);
                i
            }
            None => {
                self.items.push(Some(e));
                self.items.len() - 1
            }
        };
        i32::try_from(i + 1).map_err(|_| other("too many engines"))
    }

    /// Frees handle `h` (an unknown handle is ignored).
    pub fn drop_handle(&mut self, h: u32) {
        let i = (h as usize).wrapping_sub(1);
        if let Some(slot @ Some(_)) = self.items.get_mut(i) {
            *slot = None;
            self.free.push(i);
        }
    }

    /// The engine behind handle `h`.
    pub fn get(&self, h: u32) -> Res<&Engine> {
        self.items
            .get((h as usize).wrapping_sub(1))
            .and_then(Option::as_ref)
            .ok_or_else(|| other("hookseal: not a live engine handle"))
    }

    /// Engines held.
    pub fn len(&self) -> usize {
        self.items.len() - self.free.len()
    }

    /// True when no engine is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn wrong_kind() -> Fail {
    other("hookseal: handle of the wrong kind of engine")
}

/// `whole number of seconds >= 0`, as the napi addon checks it.
fn secs(name: &str, x: f64) -> Res<u64> {
    if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0) {
        return Err(Fail(E_RANGE, format!("{name} must be a whole number of seconds >= 0")));
    }
    Ok(x as u64)
}

fn secrets(io: &Io, slot: usize) -> Res<Secrets> {
    Secrets::new(io.list(slot)?).map_err(|e| config(&e))
}

fn failure_json(e: &Error) -> String {
    format!("{{\"code\":{},\"message\":{}}}", quote(e.code()), quote(&e.to_string()))
}

/// Flags of `utf16` (the napi addon's), telling which slots hold UTF-16LE code units.
pub const SIG_UTF16: u32 = 1;
/// `rawPayload` is UTF-16LE.
pub const RAW_UTF16: u32 = 2;
/// `bodyJson` is UTF-16LE.
pub const BODY_UTF16: u32 = 4;

/// The calls behind the exports, on an explicit [`Io`] and [`Registry`] (host-testable).
pub mod calls {
    use super::*;

    /// Slot 0: packed secrets. A drop-in engine.
    pub fn compat_new(io: &Io, reg: &mut Registry) -> Res<i32> {
        reg.add(Engine::Compat(secrets(io, 0)?))
    }

    /// Slots 0 signature, 1 rawPayload, 2 bodyJson; `present` flags the slots given (bit 0, 1,
    /// 2), `utf16` as the napi addon's. 1 verified, 0 not.
    pub fn compat_verify(io: &Io, reg: &Registry, h: u32, present: u32, utf16: u32) -> Res<i32> {
        let Engine::Compat(s) = reg.get(h)? else { return Err(wrong_kind()) };
        let sig = (present & 1 != 0).then(|| io.bytes(0, utf16 & SIG_UTF16 != 0));
        let rp = (present & 2 != 0).then(|| io.bytes(1, utf16 & RAW_UTF16 != 0));
        // The reference never looks at `body` when `rawPayload` is non-empty.
        let bj = match &rp {
            Some(p) if !p.is_empty() => None,
            _ => (present & 4 != 0).then(|| io.bytes(2, utf16 & BODY_UTF16 != 0)),
        };
        Ok(i32::from(compat::verify(s, sig.as_deref(), rp.as_deref(), bj.as_deref())))
    }

    /// Slots 0 environment, 1 rawPayload, 2 bodyJson (`present`, `utf16` as above). The header
    /// goes to the output: UTF-8 (returns 0), or UTF-16LE (returns 1) when it holds a lone
    /// surrogate, which UTF-8 cannot carry.
    pub fn compat_generate(
        io: &mut Io,
        reg: &Registry,
        h: u32,
        present: u32,
        utf16: u32,
        timestamp: f64,
    ) -> Res<i32> {
        let Engine::Compat(s) = reg.get(h)? else { return Err(wrong_kind()) };
        let secret = s.as_slice().first().ok_or_else(|| type_err("no secret"))?;
        let rp = (present & 2 != 0).then(|| io.bytes(1, utf16 & RAW_UTF16 != 0));
        let bj = match &rp {
            Some(p) if !p.is_empty() => None,
            _ => (present & 4 != 0).then(|| io.bytes(2, utf16 & BODY_UTF16 != 0)),
        };
        let en = if present & 1 != 0 { io.bytes(0, utf16 & SIG_UTF16 != 0) } else { Default::default() };
        let header = compat::generate(secret, rp.as_deref(), bj.as_deref(), &en, timestamp);
        drop((rp, bj, en));
        if std::str::from_utf8(&header).is_ok() {
            io.out = header;
            Ok(0)
        } else {
            io.out = wtf8_to_utf16(&header).iter().flat_map(|u| u.to_le_bytes()).collect();
            Ok(1)
        }
    }

    /// Slot 0: packed secrets, slot 1: packed environments (when `has_envs`). A strict engine.
    pub fn strict_new(
        io: &Io,
        reg: &mut Registry,
        tolerance: f64,
        has_tolerance: bool,
        has_envs: bool,
    ) -> Res<i32> {
        let mut v = Verifier::from_secrets(secrets(io, 0)?);
        let tol = has_tolerance.then(|| secs("tolerance", tolerance)).transpose()?;
        v = v.tolerance(tol).map_err(|e| config(&e))?;
        if has_envs {
            v = v.environments(io.texts(1)?).map_err(|e| config(&e))?;
        }
        reg.add(Engine::Strict(v))
    }

    /// The configured tolerance in seconds, or -1 for none.
    pub fn strict_tolerance(reg: &Registry, h: u32) -> Res<f64> {
        let Engine::Strict(v) = reg.get(h)? else { return Err(wrong_kind()) };
        Ok(v.tolerance_secs().map_or(-1.0, |t| t as f64))
    }

    /// Slot 0: raw body (`raw_utf16`: as UTF-16LE), slot 1: header (UTF-8). The outcome as
    /// JSON in the output (the napi addon's `Outcome`).
    pub fn strict_verify(
        io: &mut Io,
        reg: &Registry,
        h: u32,
        raw_utf16: bool,
        now_ms: f64,
        want_key: bool,
    ) -> Res<i32> {
        let Engine::Strict(v) = reg.get(h)? else { return Err(wrong_kind()) };
        let now = if now_ms.is_finite() && now_ms > 0.0 { now_ms as u64 } else { 0 };
        let raw = io.bytes(0, raw_utf16);
        let header = String::from_utf8_lossy(io.args.get(1).map_or(&[][..], Vec::as_slice));
        let json = outcome_json(v.verify_at(&raw, &header, now), want_key);
        drop((raw, header));
        io.put(json.as_bytes());
        Ok(0)
    }

    /// [`strict_verify`] with the MAC computed by the host (`hookseal::hygraph::host`), step 1:
    /// 0 with the outcome JSON in the output (header or body refused), or 1 with the envelope
    /// to MAC in the output. Slots as [`strict_verify`].
    pub fn strict_begin(io: &mut Io, reg: &Registry, h: u32, raw_utf16: bool) -> Res<i32> {
        let Engine::Strict(v) = reg.get(h)? else { return Err(wrong_kind()) };
        let mut envelope = std::mem::take(&mut io.out);
        let raw = io.bytes(0, raw_utf16);
        let header = String::from_utf8_lossy(io.args.get(1).map_or(&[][..], Vec::as_slice));
        let r = host::Strict::new(v).begin(&raw, &header, &mut envelope);
        drop((raw, header));
        io.out = envelope;
        match r {
            Ok(()) => Ok(1),
            Err(e) => {
                io.put(outcome_json(Err(e), false).as_bytes());
                Ok(0)
            }
        }
    }

    /// Step 2: slot 3 holds the MACs of the envelope of `spelling` (0 JS, 1 HTML-escaped)
    /// under each secret. 0 with the outcome JSON in the output, or 2 with the HTML-escaped
    /// envelope to MAC next.
    pub fn strict_step(
        io: &mut Io,
        reg: &Registry,
        h: u32,
        raw_utf16: bool,
        spelling: u32,
        now_ms: f64,
        want_key: bool,
    ) -> Res<i32> {
        let Engine::Strict(v) = reg.get(h)? else { return Err(wrong_kind()) };
        let mut envelope = std::mem::take(&mut io.out);
        let now = if now_ms.is_finite() && now_ms > 0.0 { now_ms as u64 } else { 0 };
        let macs = io.macs().ok_or_else(|| other("bad MACs"))?;
        let raw = io.bytes(0, raw_utf16);
        let header = String::from_utf8_lossy(io.args.get(1).map_or(&[][..], Vec::as_slice));
        // The glue calls this only after `strict_begin` accepted the same slots 0 and 1.
        let step = host::Strict::new(v).step(&raw, &header, spelling_of(spelling), &macs, now, &mut envelope);
        drop((raw, header));
        io.out = envelope;
        Ok(match step {
            Step::Mac(_) => 2,
            Step::Done(r) => {
                io.put(outcome_json(r, want_key).as_bytes());
                0
            }
        })
    }

    /// [`compat_verify`] with the MAC computed by the host, step 1 (slots, `present` and `utf16`
    /// as there): 0 (not verified), or 1 with the envelope to MAC in the output.
    pub fn compat_begin(io: &mut Io, reg: &Registry, h: u32, present: u32, utf16: u32) -> Res<i32> {
        let Engine::Compat(_) = reg.get(h)? else { return Err(wrong_kind()) };
        let mut envelope = std::mem::take(&mut io.out);
        let (sig, rp, bj) = compat_args(io, present, utf16);
        let r = host::Compat::new(0).begin(sig.as_deref(), rp.as_deref(), bj.as_deref(), &mut envelope);
        drop((sig, rp, bj));
        io.out = envelope;
        Ok(i32::from(r))
    }

    /// Step 2: slot 3 holds the MACs of the envelope of `spelling` under each secret. 0 not
    /// verified, 1 verified, 2 with the HTML-escaped envelope to MAC next.
    pub fn compat_step(
        io: &mut Io,
        reg: &Registry,
        h: u32,
        present: u32,
        utf16: u32,
        spelling: u32,
    ) -> Res<i32> {
        let Engine::Compat(s) = reg.get(h)? else { return Err(wrong_kind()) };
        let mut envelope = std::mem::take(&mut io.out);
        let macs = io.macs().ok_or_else(|| other("bad MACs"))?;
        let (sig, rp, bj) = compat_args(io, present, utf16);
        let step = host::Compat::new(s.len()).step(
            sig.as_deref(),
            rp.as_deref(),
            bj.as_deref(),
            spelling_of(spelling),
            &macs,
            &mut envelope,
        );
        drop((sig, rp, bj));
        io.out = envelope;
        Ok(match step {
            Step::Mac(_) => 2,
            Step::Done(ok) => i32::from(ok),
        })
    }

    type Arg<'a> = Option<std::borrow::Cow<'a, [u8]>>;

    /// The drop-in's arguments: signature, rawPayload, bodyJson (not read when rawPayload is
    /// non-empty, as the reference).
    fn compat_args(io: &Io, present: u32, utf16: u32) -> (Arg<'_>, Arg<'_>, Arg<'_>) {
        let sig = (present & 1 != 0).then(|| io.bytes(0, utf16 & SIG_UTF16 != 0));
        let rp = (present & 2 != 0).then(|| io.bytes(1, utf16 & RAW_UTF16 != 0));
        let bj = match &rp {
            Some(p) if !p.is_empty() => None,
            _ => (present & 4 != 0).then(|| io.bytes(2, utf16 & BODY_UTF16 != 0)),
        };
        (sig, rp, bj)
    }

    fn spelling_of(n: u32) -> Spelling {
        if n == 0 {
            Spelling::Js
        } else {
            Spelling::HtmlEscaped
        }
    }

    /// The strict outcome as JSON (the napi addon's `Outcome`).
    fn outcome_json(r: Result<hookseal::hygraph::Verified, Error>, want_key: bool) -> String {
        match r {
            Ok(ok) => {
                let key = if want_key {
                    format!(",\"replayKey\":{}", quote(&ok.replay_key()))
                } else {
                    String::new()
                };
                format!(
                    "{{\"environment\":{},\"timestamp\":{},\"secretIndex\":{}{key}}}",
                    quote(&ok.environment),
                    number_to_string(ok.timestamp_ms as f64),
                    u32::try_from(ok.secret_index).unwrap_or(u32::MAX),
                )
            }
            Err(e) => format!("{{\"failure\":{}}}", failure_json(&e)),
        }
    }

    /// Slots 0 secret, 1 body, 2 environment (UTF-8). The header to the output.
    pub fn sign_strict(io: &mut Io, timestamp_ms: f64) -> Res<i32> {
        let s = Secret::new(io.args[0].as_slice()).map_err(|e| config(&e))?;
        let t = secs("timestamp", timestamp_ms)?;
        let header = hookseal::hygraph::sign(&s, io.text(1)?, io.text(2)?, t);
        io.put(header.as_bytes());
        Ok(0)
    }

    /// Slot 0: header name, slot 1: packed secrets. A shared-secret checker.
    pub fn shared_new(io: &Io, reg: &mut Registry) -> Res<i32> {
        let c = SharedSecret::new(io.text(0)?, io.list(1)?).map_err(|e| config(&e))?;
        reg.add(Engine::Shared(c))
    }

    /// The checker's header name (lower case) to the output.
    pub fn shared_header(io: &mut Io, reg: &Registry, h: u32) -> Res<i32> {
        let Engine::Shared(c) = reg.get(h)? else { return Err(wrong_kind()) };
        io.put(c.header().as_bytes());
        Ok(0)
    }

    /// Slots 0 names, 1 values (packed, UTF-8, pairwise). 0 when the secret matches; 1 with
    /// the failure as JSON in the output.
    pub fn shared_check(io: &mut Io, reg: &Registry, h: u32) -> Res<i32> {
        let Engine::Shared(c) = reg.get(h)? else { return Err(wrong_kind()) };
        let (names, values) = (io.texts(0)?, io.list(1)?);
        match c.check_headers(names.into_iter().zip(values)) {
            Ok(()) => Ok(0),
            Err(e) => {
                io.put(failure_json(&e).as_bytes());
                Ok(1)
            }
        }
    }

    /// A replay store of at most `max_entries` keys.
    pub fn store_new(reg: &mut Registry, max_entries: f64) -> Res<i32> {
        if !(max_entries.is_finite() && max_entries >= 1.0 && max_entries.fract() == 0.0) {
            return Err(Fail(E_RANGE, "maxEntries must be a whole number >= 1".into()));
        }
        let g = MemoryGuard::new(max_entries.min(usize::MAX as f64) as usize).map_err(|e| config(&e))?;
        reg.add(Engine::Store(g))
    }

    fn store(reg: &Registry, h: u32) -> Res<&MemoryGuard> {
        match reg.get(h)? {
            Engine::Store(g) => Ok(g),
            _ => Err(wrong_kind()),
        }
    }

    /// Slot 0: key, slot 1: the claim's token. 0 new (the key now holds
    /// `processing:<token>`), 1 in progress, 2 done.
    pub fn store_claim(io: &Io, reg: &Registry, h: u32, now_ms: f64, ttl_ms: f64) -> Res<i32> {
        let claim =
            store(reg, h)?.claim(io.text(0)?, io.text(1)?, now_ms.max(0.0) as u64, ttl_ms.max(1.0) as u64);
        Ok(match claim {
            Claim::New => 0,
            Claim::InProgress => 1,
            Claim::Done => 2,
        })
    }

    /// Slot 0: key, slot 1: token. Marks it handled for `done_ttl_ms`; 1 if it still held the
    /// claim of the token.
    pub fn store_complete(io: &Io, reg: &Registry, h: u32, now_ms: f64, done_ttl_ms: f64) -> Res<i32> {
        let mine = store(reg, h)?.complete(
            io.text(0)?,
            io.text(1)?,
            now_ms.max(0.0) as u64,
            done_ttl_ms.max(1.0) as u64,
        );
        Ok(i32::from(mine))
    }

    /// Slot 0: key, slot 1: token. Deletes the key only while it holds the claim of the token;
    /// 1 if it did.
    pub fn store_release(io: &Io, reg: &Registry, h: u32, now_ms: f64) -> Res<i32> {
        Ok(i32::from(store(reg, h)?.release(io.text(0)?, io.text(1)?, now_ms.max(0.0) as u64)))
    }

    /// Entries held.
    pub fn store_size(reg: &Registry, h: u32) -> Res<f64> {
        Ok(store(reg, h)?.len() as f64)
    }

    /// The replay constants as JSON.
    pub fn replay_constants(io: &mut Io) -> Res<i32> {
        let json = format!(
            "{{\"keyPrefix\":{},\"processingPrefix\":{},\"done\":{},\"defaultMaxEntries\":{},\
             \"defaultProcessingTtlMs\":{},\"claimScript\":{},\"completeScript\":{},\"releaseScript\":{},\
             \"hasuraEventDoneTtlMs\":{},\"hasuraRetryAfterSecs\":{}}}",
            quote(replay::KEY_PREFIX),
            quote(replay::PROCESSING_PREFIX),
            quote(replay::DONE),
            replay::DEFAULT_MAX_ENTRIES,
            replay::DEFAULT_PROCESSING_TTL_MS,
            quote(replay::CLAIM_SCRIPT),
            quote(replay::COMPLETE_SCRIPT),
            quote(replay::RELEASE_SCRIPT),
            hasura::EVENT_DONE_TTL_MS,
            hasura::DEFAULT_RETRY_AFTER_SECS,
        );
        io.put(json.as_bytes());
        Ok(0)
    }

    /// How long a `done` entry lives for a tolerance (seconds); `windowed == 0`: no window.
    pub fn replay_done_ttl_ms(tolerance_secs: f64, windowed: i32) -> Res<f64> {
        let tol = if windowed == 0 { None } else { Some(secs("tolerance", tolerance_secs)?) };
        Ok(replay::done_ttl_for(tol) as f64)
    }

    /// Slots 0 message, 1 code. Hasura's error body to the output.
    pub fn hasura_error_body(io: &mut Io) -> Res<i32> {
        let body = hasura::error_body(io.text(0)?, io.text(1)?);
        io.put(body.as_bytes());
        Ok(0)
    }

    /// Slot 0: packed keys; slot 1: packed values, each a tag byte (`s` string, `n` f64 LE,
    /// `b` bool) and its payload. `cache_kind`: 0 none, 1 max-age, 2 expires (unix secs).
    pub fn hasura_auth_response_json(io: &mut Io, cache_kind: u32, cache_value: f64) -> Res<i32> {
        let keys = io.texts(0)?;
        let mut entries = Vec::with_capacity(keys.len());
        for (k, v) in keys.into_iter().zip(io.list(1)?) {
            let sv = match v.split_first() {
                Some((b's', s)) => {
                    SessionValue::Str(std::str::from_utf8(s).map_err(|_| type_err("expected a string"))?)
                }
                Some((b'n', n)) => {
                    SessionValue::Num(f64::from_le_bytes(n.try_into().map_err(|_| other("bad number"))?))
                }
                Some((b'b', b)) => SessionValue::Bool(b.first() == Some(&1)),
                _ => return Err(other("bad session value")),
            };
            entries.push((k, sv));
        }
        let cache = match cache_kind {
            0 => Cache::None,
            1 => Cache::MaxAge(secs("maxAge", cache_value)?),
            _ => Cache::Expires(secs("expires", cache_value)?),
        };
        let json = hasura::auth_response_json(&entries, cache).map_err(type_err)?;
        io.put(json.as_bytes());
        Ok(0)
    }

    /// Slot 0: the payload (UTF-16LE when `utf16`). 0 when it has the shape of a Hasura Action
    /// (`kind` 0), Event Trigger (1), scheduled event (2), auth-webhook v2 POST (3) or DDN POST
    /// (4); 1 with the failure as JSON in the output.
    pub fn hasura_check(io: &mut Io, kind: u32, utf16: bool) -> Res<i32> {
        let bytes = io.bytes(0, utf16);
        let r = match kind {
            0 => hasura::check_action(&bytes),
            1 => hasura::check_event(&bytes),
            2 => hasura::check_scheduled(&bytes),
            3 => hasura::check_auth_request(AuthMode::V2, &bytes),
            4 => hasura::check_auth_request(AuthMode::Ddn, &bytes),
            _ => return Err(type_err("hasuraCheck: kind must be 0 to 4")),
        };
        drop(bytes);
        match r {
            Ok(()) => Ok(0),
            Err(e) => {
                io.put(failure_json(&e).as_bytes());
                Ok(1)
            }
        }
    }

    /// Slot 0: the body (UTF-16LE when `utf16`). The napi addon's `hasuraDelivery` as JSON in
    /// the output: `{"kind","id","replayKey"}` or `{"failure"}`.
    pub fn hasura_delivery(io: &mut Io, utf16: bool) -> Res<i32> {
        let bytes = io.bytes(0, utf16);
        let r = hasura::check_delivery(&bytes);
        drop(bytes);
        let json = match r {
            Ok(d) => format!(
                "{{\"kind\":{},\"id\":{},\"replayKey\":{}}}",
                quote(d.kind.as_str()),
                quote(&d.id),
                quote(&d.replay_key())
            ),
            Err(e) => format!("{{\"failure\":{}}}", failure_json(&e)),
        };
        io.put(json.as_bytes());
        Ok(0)
    }

    fn auth_mode(io: &Io, slot: usize) -> Res<AuthMode> {
        AuthMode::from_name(io.text(slot)?).ok_or_else(|| type_err("mode must be 'v2' or 'ddn'"))
    }

    /// Slots 0 mode (`v2` | `ddn`), 1 the session as JSON text. `max_age_secs` -1: none;
    /// `expires_at_secs` NaN: none. `{"body","lifetimeSecs"}` (-1: none) in the output; a
    /// session that cannot be written is [`E_TYPE`].
    pub fn hasura_auth_answer(
        io: &mut Io,
        max_age_secs: f64,
        expires_at_secs: f64,
        now_secs: f64,
    ) -> Res<i32> {
        let mode = auth_mode(io, 0)?;
        let max_age = if max_age_secs == -1.0 { None } else { Some(secs("maxAge", max_age_secs)?) };
        let expires = (!expires_at_secs.is_nan()).then_some(expires_at_secs);
        let a = hasura::auth_answer(mode, &io.args[1], max_age, expires, now_secs).map_err(type_err)?;
        let lifetime = a.lifetime_secs.map_or_else(|| "-1".to_owned(), |n| n.to_string());
        let json = format!("{{\"body\":{},\"lifetimeSecs\":{lifetime}}}", quote(&a.body));
        io.put(json.as_bytes());
        Ok(0)
    }

    /// Slots 0 mode, 1 packed names, 2 packed header names, 3 packed header values (pairwise).
    /// 1 with the key in the output, 0 when none of the names has a value.
    pub fn hasura_auth_cache_key(io: &mut Io) -> Res<i32> {
        let mode = auth_mode(io, 0)?;
        let names = io.texts(1)?;
        let headers: Vec<(&str, &str)> = io.texts(2)?.into_iter().zip(io.texts(3)?).collect();
        match hasura::auth_cache_key(mode, &names, &headers) {
            Some(key) => {
                io.put(key.as_bytes());
                Ok(1)
            }
            None => Ok(0),
        }
    }

    /// Slot 0 environment (UTF-8), slot 1 body (UTF-16LE when `utf16`). The body-keyed replay
    /// key (`hookseal::replay::key_for_body`) to the output.
    pub fn replay_key_for_body(io: &mut Io, utf16: bool) -> Res<i32> {
        let body = io.bytes(1, utf16);
        let key = replay::key_for_body(io.text(0)?.as_bytes(), &body);
        drop(body);
        io.put(key.as_bytes());
        Ok(0)
    }

    /// The wrapper codes (contract §4) as a JSON array in the output.
    pub fn wrapper_codes(io: &mut Io) -> Res<i32> {
        let list: Vec<String> = Error::WRAPPER_CODES.iter().map(|c| quote(c)).collect();
        io.put(format!("[{}]", list.join(",")).as_bytes());
        Ok(0)
    }

    /// For the tests (the escaping kernels against the portable code): slot 0 (UTF-16LE when
    /// `utf16`) escaped as `JSON.stringify` does (`html`: the HTML-escaped spelling) at the best
    /// level this build has, or at [`SimdLevel::Scalar`] (`scalar`), to the output. Returns 1
    /// when the best level is a vector one.
    pub fn escape_at(io: &mut Io, scalar: bool, html: bool, utf16: bool) -> Res<i32> {
        let level = if scalar { SimdLevel::Scalar } else { SimdLevel::best() };
        let mut out = std::mem::take(&mut io.out);
        out.clear();
        escape_at_level(level, &io.bytes(0, utf16), html, &mut out);
        io.out = out;
        Ok(i32::from(SimdLevel::best() != SimdLevel::Scalar))
    }
}

thread_local! {
    static IO: RefCell<Io> = RefCell::new(Io::default());
    static REG: RefCell<Registry> = RefCell::new(Registry::default());
}

/// Runs `f` on the global state; a failure leaves its message in the output and returns its
/// status. The state is never borrowed twice (no JS runs inside a call), but never panic.
fn run<T>(fail: impl Fn(i32) -> T, f: impl FnOnce(&mut Io, &mut Registry) -> Res<T>) -> T {
    IO.with(|io| {
        REG.with(|reg| match (io.try_borrow_mut(), reg.try_borrow_mut()) {
            (Ok(mut io), Ok(mut reg)) => {
                io.trim_out();
                let r = f(&mut io, &mut reg);
                io.trim_args();
                match r {
                    Ok(v) => v,
                    Err(Fail(status, msg)) => {
                        io.put(msg.as_bytes());
                        fail(status)
                    }
                }
            }
            _ => fail(E_OTHER),
        })
    })
}

fn run_i32(f: impl FnOnce(&mut Io, &mut Registry) -> Res<i32>) -> i32 {
    run(|s| s, f)
}

/// f64 results: a failure is `status` as a negative number (never a real result).
fn run_f64(f: impl FnOnce(&mut Io, &mut Registry) -> Res<f64>) -> f64 {
    run(f64::from, f)
}

/// The exports. `#[no_mangle]` is what the lint calls unsafe (a symbol clash would be UB at link
/// time); these names are prefixed `hs_` and this crate is the only one linked into the module.
#[allow(unsafe_code)]
mod exports {
    use super::*;

    /// Makes argument slot `slot` `len` bytes long and returns its address for JS to fill; 0
    /// for a bad slot or when memory cannot grow.
    #[no_mangle]
    pub extern "C" fn hs_arg(slot: u32, len: u32) -> *mut u8 {
        IO.with(|io| match io.try_borrow_mut() {
            Ok(mut io) => {
                io.arg(slot as usize, len as usize).map_or(std::ptr::null_mut(), |v| v.as_mut_ptr())
            }
            Err(_) => std::ptr::null_mut(),
        })
    }

    /// Address of the last result's bytes.
    #[no_mangle]
    pub extern "C" fn hs_out_ptr() -> *const u8 {
        IO.with(|io| io.try_borrow().map_or(std::ptr::null(), |io| io.out.as_ptr()))
    }

    /// Length of the last result's bytes.
    #[no_mangle]
    pub extern "C" fn hs_out_len() -> u32 {
        IO.with(|io| io.try_borrow().map_or(0, |io| u32::try_from(io.out.len()).unwrap_or(0)))
    }

    /// Frees an engine handle.
    #[no_mangle]
    pub extern "C" fn hs_drop(h: u32) {
        run_i32(|_, reg| {
            reg.drop_handle(h);
            Ok(0)
        });
    }

    /// Engines held (for the tests: handles are freed).
    #[no_mangle]
    pub extern "C" fn hs_live() -> u32 {
        REG.with(|r| r.try_borrow().map_or(0, |r| u32::try_from(r.len()).unwrap_or(u32::MAX)))
    }

    /// Traps at once. Nothing else here can trap on any input; this export exists so that a
    /// test can prove the glue survives a trap (it restarts the instance, engines rebuild).
    #[no_mangle]
    pub extern "C" fn hs_trap() {
        #[cfg(target_arch = "wasm32")]
        core::arch::wasm32::unreachable();
    }

    /// See [`calls::compat_new`].
    #[no_mangle]
    pub extern "C" fn hs_compat_new() -> i32 {
        run_i32(|io, reg| calls::compat_new(io, reg))
    }

    /// See [`calls::compat_verify`].
    #[no_mangle]
    pub extern "C" fn hs_compat_verify(h: u32, present: u32, utf16: u32) -> i32 {
        run_i32(|io, reg| calls::compat_verify(io, reg, h, present, utf16))
    }

    /// See [`calls::compat_generate`].
    #[no_mangle]
    pub extern "C" fn hs_compat_generate(h: u32, present: u32, utf16: u32, timestamp: f64) -> i32 {
        run_i32(|io, reg| calls::compat_generate(io, reg, h, present, utf16, timestamp))
    }

    /// See [`calls::strict_new`].
    #[no_mangle]
    pub extern "C" fn hs_strict_new(tolerance: f64, has_tolerance: u32, has_envs: u32) -> i32 {
        run_i32(|io, reg| calls::strict_new(io, reg, tolerance, has_tolerance != 0, has_envs != 0))
    }

    /// See [`calls::strict_begin`].
    #[no_mangle]
    pub extern "C" fn hs_strict_begin(h: u32, raw_utf16: u32) -> i32 {
        run_i32(|io, reg| calls::strict_begin(io, reg, h, raw_utf16 != 0))
    }

    /// See [`calls::strict_step`].
    #[no_mangle]
    pub extern "C" fn hs_strict_step(
        h: u32,
        raw_utf16: u32,
        spelling: u32,
        now_ms: f64,
        want_key: u32,
    ) -> i32 {
        run_i32(|io, reg| calls::strict_step(io, reg, h, raw_utf16 != 0, spelling, now_ms, want_key != 0))
    }

    /// See [`calls::compat_begin`].
    #[no_mangle]
    pub extern "C" fn hs_compat_begin(h: u32, present: u32, utf16: u32) -> i32 {
        run_i32(|io, reg| calls::compat_begin(io, reg, h, present, utf16))
    }

    /// See [`calls::compat_step`].
    #[no_mangle]
    pub extern "C" fn hs_compat_step(h: u32, present: u32, utf16: u32, spelling: u32) -> i32 {
        run_i32(|io, reg| calls::compat_step(io, reg, h, present, utf16, spelling))
    }

    /// See [`calls::strict_tolerance`].
    #[no_mangle]
    pub extern "C" fn hs_strict_tolerance(h: u32) -> f64 {
        run_f64(|_, reg| calls::strict_tolerance(reg, h))
    }

    /// See [`calls::strict_verify`].
    #[no_mangle]
    pub extern "C" fn hs_strict_verify(h: u32, raw_utf16: u32, now_ms: f64, want_key: u32) -> i32 {
        run_i32(|io, reg| calls::strict_verify(io, reg, h, raw_utf16 != 0, now_ms, want_key != 0))
    }

    /// See [`calls::sign_strict`].
    #[no_mangle]
    pub extern "C" fn hs_sign_strict(timestamp_ms: f64) -> i32 {
        run_i32(|io, _| calls::sign_strict(io, timestamp_ms))
    }

    /// See [`calls::shared_new`].
    #[no_mangle]
    pub extern "C" fn hs_shared_new() -> i32 {
        run_i32(|io, reg| calls::shared_new(io, reg))
    }

    /// See [`calls::shared_header`].
    #[no_mangle]
    pub extern "C" fn hs_shared_header(h: u32) -> i32 {
        run_i32(|io, reg| calls::shared_header(io, reg, h))
    }

    /// See [`calls::shared_check`].
    #[no_mangle]
    pub extern "C" fn hs_shared_check(h: u32) -> i32 {
        run_i32(|io, reg| calls::shared_check(io, reg, h))
    }

    /// See [`calls::store_new`].
    #[no_mangle]
    pub extern "C" fn hs_store_new(max_entries: f64) -> i32 {
        run_i32(|_, reg| calls::store_new(reg, max_entries))
    }

    /// See [`calls::store_claim`].
    #[no_mangle]
    pub extern "C" fn hs_store_claim(h: u32, now_ms: f64, ttl_ms: f64) -> i32 {
        run_i32(|io, reg| calls::store_claim(io, reg, h, now_ms, ttl_ms))
    }

    /// See [`calls::store_complete`].
    #[no_mangle]
    pub extern "C" fn hs_store_complete(h: u32, now_ms: f64, done_ttl_ms: f64) -> i32 {
        run_i32(|io, reg| calls::store_complete(io, reg, h, now_ms, done_ttl_ms))
    }

    /// See [`calls::store_release`].
    #[no_mangle]
    pub extern "C" fn hs_store_release(h: u32, now_ms: f64) -> i32 {
        run_i32(|io, reg| calls::store_release(io, reg, h, now_ms))
    }

    /// See [`calls::store_size`].
    #[no_mangle]
    pub extern "C" fn hs_store_size(h: u32) -> f64 {
        run_f64(|_, reg| calls::store_size(reg, h))
    }

    /// See [`calls::replay_constants`].
    #[no_mangle]
    pub extern "C" fn hs_replay_constants() -> i32 {
        run_i32(|io, _| calls::replay_constants(io))
    }

    /// See [`calls::replay_done_ttl_ms`].
    #[no_mangle]
    pub extern "C" fn hs_replay_done_ttl_ms(tolerance_secs: f64, windowed: i32) -> f64 {
        run_f64(|_, _| calls::replay_done_ttl_ms(tolerance_secs, windowed))
    }

    /// See [`calls::hasura_error_body`].
    #[no_mangle]
    pub extern "C" fn hs_hasura_error_body() -> i32 {
        run_i32(|io, _| calls::hasura_error_body(io))
    }

    /// See [`calls::hasura_auth_response_json`].
    #[no_mangle]
    pub extern "C" fn hs_hasura_auth_response_json(cache_kind: u32, cache_value: f64) -> i32 {
        run_i32(|io, _| calls::hasura_auth_response_json(io, cache_kind, cache_value))
    }

    /// See [`calls::hasura_check`].
    #[no_mangle]
    pub extern "C" fn hs_hasura_check(kind: u32, utf16: u32) -> i32 {
        run_i32(|io, _| calls::hasura_check(io, kind, utf16 != 0))
    }

    /// See [`calls::hasura_delivery`].
    #[no_mangle]
    pub extern "C" fn hs_hasura_delivery(utf16: u32) -> i32 {
        run_i32(|io, _| calls::hasura_delivery(io, utf16 != 0))
    }

    /// See [`calls::hasura_auth_answer`].
    #[no_mangle]
    pub extern "C" fn hs_hasura_auth_answer(max_age_secs: f64, expires_at_secs: f64, now_secs: f64) -> i32 {
        run_i32(|io, _| calls::hasura_auth_answer(io, max_age_secs, expires_at_secs, now_secs))
    }

    /// See [`calls::hasura_auth_cache_key`].
    #[no_mangle]
    pub extern "C" fn hs_hasura_auth_cache_key() -> i32 {
        run_i32(|io, _| calls::hasura_auth_cache_key(io))
    }

    /// See [`calls::replay_key_for_body`].
    #[no_mangle]
    pub extern "C" fn hs_replay_key_for_body(utf16: u32) -> i32 {
        run_i32(|io, _| calls::replay_key_for_body(io, utf16 != 0))
    }

    /// See [`calls::wrapper_codes`].
    #[no_mangle]
    pub extern "C" fn hs_wrapper_codes() -> i32 {
        run_i32(|io, _| calls::wrapper_codes(io))
    }

    /// See [`calls::escape_at`] (tests only).
    #[no_mangle]
    pub extern "C" fn hs_escape_at(scalar: u32, html: u32, utf16: u32) -> i32 {
        run_i32(|io, _| calls::escape_at(io, scalar != 0, html != 0, utf16 != 0))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pack(items: &[&[u8]]) -> Vec<u8> {
        let mut v = Vec::new();
        for i in items {
            v.extend_from_slice(&(i.len() as u32).to_le_bytes());
            v.extend_from_slice(i);
        }
        v
    }

    #[test]
    fn lists_round_trip_and_bad_lists_are_errors() {
        let mut io = Io::default();
        io.args[0] = pack(&[b"a", b"", b"xyz"]);
        assert_eq!(io.list(0).unwrap(), vec![&b"a"[..], b"", b"xyz"]);
        io.args[0] = vec![5, 0, 0, 0, b'a'];
        assert_eq!(io.list(0).unwrap_err().0, E_OTHER);
        io.args[0] = vec![1, 0];
        assert_eq!(io.list(0).unwrap_err().0, E_OTHER);
    }

    #[test]
    fn handles_are_reused_and_checked() {
        let mut io = Io::default();
        let mut reg = Registry::default();
        io.args[0] = pack(&[b"secret"]);
        let a = calls::compat_new(&io, &mut reg).unwrap();
        assert_eq!(a, 1);
        assert_eq!(calls::strict_tolerance(&reg, a as u32).unwrap_err().0, E_OTHER);
        assert_eq!(calls::strict_tolerance(&reg, 0).unwrap_err().0, E_OTHER);
        reg.drop_handle(a as u32);
        reg.drop_handle(a as u32);
        assert!(reg.is_empty());
        assert_eq!(calls::compat_new(&io, &mut reg).unwrap(), a);
        io.args[0] = pack(&[b" "]);
        assert_eq!(calls::compat_new(&io, &mut reg).unwrap_err().0, E_TYPE);
    }

    #[test]
    fn lone_surrogates_reach_the_core_as_utf16() {
        let mut io = Io::default();
        let mut reg = Registry::default();
        io.args[0] = pack(&[b"k"]);
        let h = calls::compat_new(&io, &mut reg).unwrap() as u32;
        // rawPayload "a\uD800" as UTF-16LE; environment "e\uDC00" as UTF-16LE.
        io.args[1] = [0x61u16, 0xD800].iter().flat_map(|u| u.to_le_bytes()).collect();
        io.args[0] = [0x65u16, 0xDC00].iter().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(calls::compat_generate(&mut io, &reg, h, 3, RAW_UTF16 | SIG_UTF16, 1.0).unwrap(), 1);
        let units: Vec<u16> = io.out.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let header = String::from_utf16_lossy(&units);
        assert!(header.ends_with(", t=1"), "{header}");
        assert!(units.contains(&0xDC00));
        // The same header verifies the same payload, and not the payload with U+FFFD.
        io.args[0] = io.out.clone();
        assert_eq!(calls::compat_verify(&io, &reg, h, 3, RAW_UTF16 | SIG_UTF16).unwrap(), 1);
        io.args[1] = [0x61u16, 0xFFFD].iter().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(calls::compat_verify(&io, &reg, h, 3, RAW_UTF16 | SIG_UTF16).unwrap(), 0);
    }

    #[test]
    fn strict_outcome_json() {
        let mut io = Io::default();
        let mut reg = Registry::default();
        io.args[0] = pack(&[b"k"]);
        let h = calls::strict_new(&io, &mut reg, 0.0, false, false).unwrap() as u32;
        assert_eq!(calls::strict_tolerance(&reg, h).unwrap(), -1.0);
        let header = hookseal::hygraph::sign(&Secret::new("k").unwrap(), "{}", "master", 1_700_000_000_000);
        io.args[0] = b"{}".to_vec();
        io.args[1] = header.into_bytes();
        calls::strict_verify(&mut io, &reg, h, false, 1.0, true).unwrap();
        let s = String::from_utf8(io.out.clone()).unwrap();
        assert!(
            s.starts_with(
                r#"{"environment":"master","timestamp":1700000000000,"secretIndex":0,"replayKey":""#
            ),
            "{s}"
        );
        io.args[0] = b"{ }".to_vec();
        calls::strict_verify(&mut io, &reg, h, false, 1.0, true).unwrap();
        assert!(String::from_utf8(io.out.clone())
            .unwrap()
            .starts_with(r#"{"failure":{"code":"signature_mismatch""#));
    }

    #[test]
    fn config_errors_map_to_type_and_range() {
        let mut io = Io::default();
        let mut reg = Registry::default();
        io.args[0] = pack(&[b"k"]);
        assert_eq!(calls::strict_new(&io, &mut reg, -1.0, true, false).unwrap_err().0, E_RANGE);
        io.args[1] = Vec::new();
        assert_eq!(calls::strict_new(&io, &mut reg, 1.0, true, true).unwrap_err().0, E_RANGE);
        assert_eq!(calls::store_new(&mut reg, 0.5).unwrap_err().0, E_RANGE);
        io.args[0] = Vec::new();
        assert_eq!(calls::compat_new(&io, &mut reg).unwrap_err().0, E_TYPE);
    }

    #[test]
    fn big_buffers_are_freed_after_a_call() {
        let mut io = Io::default();
        assert_eq!(io.arg(0, KEEP + 1).unwrap().len(), KEEP + 1);
        assert!(io.arg(SLOTS, 1).is_none());
        io.trim_args();
        assert_eq!(io.args[0].capacity(), 0);
    }

    #[test]
    fn a_big_result_is_kept_until_the_next_call() {
        let mut io = Io::default();
        io.put(&vec![b'x'; KEEP + 1]);
        io.trim_args();
        assert_eq!(io.out.len(), KEEP + 1, "JS reads the result after the call");
        io.trim_out();
        assert_eq!(io.out.capacity(), 0);
    }
}
