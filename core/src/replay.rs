//! Replay protection that never turns a retry into lost data (contract §5).
//!
//! A guard keeps one entry per accepted signature, keyed by `sha256(sign)`:
//! absent → `processing:<token>` (claimed while the handler runs, short TTL; the token is random,
//! one per claim) → `done` (kept for the whole tolerance window, both sides) — or released
//! (deleted) when the handler fails, so the sender's retry is processed. Only deliveries that
//! passed the MAC and time checks are ever recorded.
//!
//! The token makes a claim the caller's own. [`MemoryGuard::release`] (and [`RELEASE_SCRIPT`] on
//! Redis) deletes the key only while it still holds the caller's token: a handler that outlived
//! its claim, whose key another instance has claimed since, never deletes that instance's claim.
//! `complete` marks the key `done` whatever it holds: the delivery has been processed.
//!
//! The core draws no random numbers: each face makes the token (Node `crypto.randomUUID()`,
//! Python `secrets`) and passes it in.
//!
//! [`MemoryGuard`] is the in-process store. Shared stores (Redis) live in the Node and Python
//! packages, over the user's own client; they send the Lua scripts defined here
//! ([`CLAIM_SCRIPT`], [`COMPLETE_SCRIPT`], [`RELEASE_SCRIPT`]), so every face stores the same
//! values under the same keys.
//!
//! ```
//! use hookseal::replay::{done_ttl_ms, key_for_sign, processing_value, Claim, MemoryGuard};
//!
//! let guard = MemoryGuard::new(10_000)?;
//! let key = key_for_sign(b"Xk5v...the sign= value of the header...=");
//! let now = 1_700_000_000_000;
//! assert_eq!(guard.claim(&key, "token-a", now, 300_000), Claim::New); // run the handler
//! assert_eq!(guard.claim(&key, "token-b", now + 1, 300_000), Claim::InProgress); // answer 409
//! assert!(!guard.release(&key, "token-b", now + 2)); // not token-b's claim: kept
//! assert!(guard.complete(&key, "token-a", now + 3, done_ttl_ms(300))); // handled, claim was live
//! assert_eq!(guard.claim(&key, "token-c", now + 4, 300_000), Claim::Done); // answer 200 duplicate
//! assert_eq!(processing_value("token-a"), "processing:token-a"); // what Redis holds meanwhile
//! # Ok::<(), hookseal::ConfigError>(())
//! ```

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use crate::error::ConfigError;

// The stored values, as macros so the scripts below are built from the same literals.
macro_rules! processing_prefix {
    () => {
        "processing:"
    };
}
macro_rules! done_value {
    () => {
        "done"
    };
}

/// Prefix of every key a shared store writes.
pub const KEY_PREFIX: &str = "hookseal:replay:";
/// Default bound of the in-memory store.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;
/// How long a claim lives unless the handler settles it first: 300 s, the longest a Vercel
/// function runs unless its `maxDuration` says otherwise. A claim must outlive the handler (a
/// copy arriving after the claim lapsed runs again, concurrently); it should not outlive it by
/// much (after a crash, copies are answered 409 until it lapses). Set it to your platform's limit.
pub const DEFAULT_PROCESSING_TTL_MS: u64 = 300_000;
/// The stored value of a claim is this prefix followed by the claim's token.
pub const PROCESSING_PREFIX: &str = processing_prefix!();
/// The value stored once a delivery was handled.
pub const DONE: &str = done_value!();

/// Claim a key (Redis `EVAL CLAIM_SCRIPT 1 <key> <token> <processing ttl ms>`): stores
/// `processing:<token>` if the key is absent and answers `new`; otherwise answers `done` or
/// `in_progress` from what the key holds. One script, so nothing can expire between the two steps.
pub const CLAIM_SCRIPT: &str = concat!(
    "if redis.call('SET', KEYS[1], '",
    processing_prefix!(),
    "' .. ARGV[1], 'NX', 'PX', ARGV[2]) then return 'new' end ",
    "if redis.call('GET', KEYS[1]) == '",
    done_value!(),
    "' then return 'done' end ",
    "return 'in_progress'"
);

/// Mark a key handled (`EVAL COMPLETE_SCRIPT 1 <key> <token> <done ttl ms>`): stores `done`
/// whatever the key holds; answers 1 if it still held the caller's claim, 0 if the claim had
/// lapsed or another instance had claimed the key since (the handler outlived its claim).
pub const COMPLETE_SCRIPT: &str = concat!(
    "local mine = redis.call('GET', KEYS[1]) == '",
    processing_prefix!(),
    "' .. ARGV[1] ",
    "redis.call('SET', KEYS[1], '",
    done_value!(),
    "', 'PX', ARGV[2]) ",
    "if mine then return 1 end return 0"
);

/// Release a claim (`EVAL RELEASE_SCRIPT 1 <key> <token>`): deletes the key only while it holds
/// the caller's own `processing:<token>`; answers 1 if it deleted it, else 0.
pub const RELEASE_SCRIPT: &str = concat!(
    "if redis.call('GET', KEYS[1]) == '",
    processing_prefix!(),
    "' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
);

/// The value a claim with `token` stores: `processing:<token>`.
pub fn processing_value(token: &str) -> String {
    format!("{PROCESSING_PREFIX}{token}")
}

/// The key of a delivery: lower-case hex SHA-256 of the header's `sign` value.
pub fn key_for_sign(sign: &[u8]) -> String {
    crate::util::sha256_hex(sign)
}

/// The key of a delivery by its content rather than its signature: lower-case hex SHA-256 of
/// the environment's length (u64 little-endian), the environment's bytes, and the raw body.
///
/// For a sender that signs a retry anew (a new `t`, so a new `sign`): the signature-keyed guard
/// ([`key_for_sign`]) would run such a retry again, this key does not. The trade-off: two
/// deliveries with identical bodies in one environment within the done TTL count as one — the
/// second is answered `{"duplicate": true}` and never handled. Use it only when two real
/// deliveries never have identical bodies (a payload that includes the entry's `updatedAt`, say).
///
/// ```
/// use hookseal::replay::key_for_body;
/// let a = key_for_body(b"master", br#"{"operation":"update"}"#);
/// assert_eq!(a.len(), 64);
/// assert_ne!(a, key_for_body(b"staging", br#"{"operation":"update"}"#));
/// // The length prefix keeps the two parts apart: ("ab", "c") is not ("a", "bc").
/// assert_ne!(key_for_body(b"ab", b"c"), key_for_body(b"a", b"bc"));
/// ```
pub fn key_for_body(env: &[u8], body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update((env.len() as u64).to_le_bytes());
    h.update(env);
    h.update(body);
    let mut s = String::with_capacity(64);
    for b in h.finalize() {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

/// How long a `done` entry must live for a tolerance of `tolerance_secs`: a copy stays valid
/// until `t + tolerance`, and `t` may lie up to `tolerance` in the future, so twice the window.
pub fn done_ttl_ms(tolerance_secs: u64) -> u64 {
    tolerance_secs.saturating_mul(2_000).max(1)
}

/// How long a `done` entry lives when the time window is off: 48 hours. Without a window a copy
/// stays valid forever, so no lifetime is enough; 48 h covers every retry schedule of a sender and
/// a day of clock trouble, and keeps a shared store bounded. Turn the window on to be complete.
pub const NO_WINDOW_DONE_TTL_MS: u64 = 48 * 3_600_000;

/// How long a `done` entry lives for a verifier's window (`None`: the window is off). Every
/// face asks this one function, so they remember a handled delivery for the same time.
pub fn done_ttl_for(tolerance_secs: Option<u64>) -> u64 {
    tolerance_secs.map_or(NO_WINDOW_DONE_TTL_MS, done_ttl_ms)
}

/// The answer to a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// New delivery: it is now `processing`; run the handler, then `complete` or `release`.
    New,
    /// Another copy is being handled right now: answer 409 so the sender retries later.
    InProgress,
    /// Already handled: answer 200 `{"duplicate": true}` without running the handler.
    Done,
}

impl Claim {
    /// The claim's name, as [`CLAIM_SCRIPT`] answers it and every face spells it: `new`,
    /// `in_progress` or `done`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Claim::New => "new",
            Claim::InProgress => "in_progress",
            Claim::Done => "done",
        }
    }

    /// The claim an answer of [`CLAIM_SCRIPT`] names; `None` for anything else.
    ///
    /// ```
    /// use hookseal::replay::Claim;
    /// for c in [Claim::New, Claim::InProgress, Claim::Done] {
    ///     assert_eq!(Claim::from_script_answer(c.as_str()), Some(c));
    /// }
    /// assert_eq!(Claim::from_script_answer("processing"), None);
    /// ```
    pub fn from_script_answer(answer: &str) -> Option<Claim> {
        [Claim::New, Claim::InProgress, Claim::Done].into_iter().find(|c| c.as_str() == answer)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    /// Claimed by the holder of this token.
    Processing(Box<str>),
    Done,
}

#[derive(Debug)]
struct Entry {
    state: State,
    expires_ms: u64,
    seq: u64,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<String, Entry>,
    order: VecDeque<(String, u64)>,
    seq: u64,
}

/// A bounded, expiring, thread-safe in-memory replay store; O(1) per operation (amortized).
/// At `max_entries` the oldest entry is evicted first.
pub struct MemoryGuard {
    inner: Mutex<Inner>,
    max_entries: usize,
}

impl fmt::Debug for MemoryGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemoryGuard {{ entries: {}, max_entries: {} }}", self.len(), self.max_entries)
    }
}

impl Default for MemoryGuard {
    fn default() -> Self {
        MemoryGuard { inner: Mutex::default(), max_entries: DEFAULT_MAX_ENTRIES }
    }
}

impl MemoryGuard {
    /// A store holding at most `max_entries` keys (at least 1).
    pub fn new(max_entries: usize) -> Result<Self, ConfigError> {
        if max_entries == 0 {
            return Err(ConfigError::OutOfRange("max_entries must be at least 1"));
        }
        Ok(MemoryGuard { inner: Mutex::default(), max_entries })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves consistent data (every method makes
        // its change in one step), so a poisoned lock is still safe to use.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Claims `key` for the holder of `token` at `now_ms`; a new claim lives `processing_ttl_ms`.
    /// `token` is random and fresh for every claim (the faces make it); an expired entry is
    /// claimed anew.
    pub fn claim(&self, key: &str, token: &str, now_ms: u64, processing_ttl_ms: u64) -> Claim {
        let mut g = self.lock();
        if let Some(e) = g.map.get(key) {
            if e.expires_ms > now_ms {
                return match e.state {
                    State::Processing(_) => Claim::InProgress,
                    State::Done => Claim::Done,
                };
            }
        }
        let expires = now_ms.saturating_add(processing_ttl_ms);
        self.put(&mut g, key, State::Processing(token.into()), expires, now_ms);
        Claim::New
    }

    /// Marks `key` handled, whatever it holds; it is remembered for `done_ttl_ms`. Returns
    /// `true` if the key still held the claim of `token` (live), `false` if that claim had
    /// lapsed or another holder had claimed the key since: the handler outlived its claim.
    pub fn complete(&self, key: &str, token: &str, now_ms: u64, done_ttl_ms: u64) -> bool {
        let mut g = self.lock();
        let expires = now_ms.saturating_add(done_ttl_ms);
        match g.map.get_mut(key) {
            Some(e) => {
                let mine = e.expires_ms > now_ms && matches!(&e.state, State::Processing(t) if **t == *token);
                e.state = State::Done;
                e.expires_ms = expires;
                mine
            }
            None => {
                self.put(&mut g, key, State::Done, expires, now_ms);
                false
            }
        }
    }

    /// Forgets `key` if it still holds the claim of `token` (the handler failed; the sender's
    /// retry must be processed). A key claimed by another holder since, or `done`, is left as it
    /// is. Returns `true` if a live claim was deleted (an expired one of `token` is dropped too,
    /// but it had already lapsed, as it would have on Redis).
    pub fn release(&self, key: &str, token: &str, now_ms: u64) -> bool {
        let mut g = self.lock();
        let live = match g.map.get(key) {
            Some(Entry { state: State::Processing(t), expires_ms, .. }) if **t == *token => {
                *expires_ms > now_ms
            }
            _ => return false,
        };
        g.map.remove(key);
        live
    }

    /// Number of entries held (expired ones included until they are dropped).
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The configured bound.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    fn put(&self, g: &mut Inner, key: &str, state: State, expires_ms: u64, now_ms: u64) {
        g.map.remove(key);
        // Drop expired or stale entries at the front, then evict the oldest while full.
        loop {
            let evict = match g.order.front() {
                None => break,
                Some((k, seq)) => match g.map.get(k) {
                    Some(e) if e.seq == *seq => {
                        if e.expires_ms <= now_ms || g.map.len() >= self.max_entries {
                            true
                        } else {
                            break;
                        }
                    }
                    _ => false,
                },
            };
            if let Some((k, _)) = g.order.pop_front() {
                if evict {
                    g.map.remove(&k);
                }
            }
        }
        g.seq += 1;
        let seq = g.seq;
        g.map.insert(key.to_owned(), Entry { state, expires_ms, seq });
        g.order.push_back((key.to_owned(), seq));
        if g.order.len() > 2 * self.max_entries + 64 {
            let Inner { map, order, .. } = g;
            order.retain(|(k, s)| map.get(k).is_some_and(|e| e.seq == *s));
        }
    }
}
