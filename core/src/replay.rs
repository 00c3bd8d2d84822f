//! Replay protection that never turns a retry into lost data (contract §5).
//!
//! A guard keeps one entry per accepted signature, keyed by `sha256(sign)`:
//! absent → `processing` (claimed while the handler runs, short TTL) → `done` (kept for the whole
//! tolerance window, both sides) — or released (deleted) when the handler fails, so the sender's
//! retry is processed. Only deliveries that passed the MAC and time checks are ever recorded.
//!
//! [`MemoryGuard`] is the in-process store. Shared stores (Redis) live in the Node and Python
//! packages, over the user's own client, and use the same keys, states and TTLs from here.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use crate::error::ConfigError;

/// Prefix of every key a shared store writes.
pub const KEY_PREFIX: &str = "hookseal:replay:";
/// Default bound of the in-memory store.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;
/// How long a claim lives if the handler never finishes (a crashed process): 60 s, longer than
/// the usual serverless function timeout, shorter than Hygraph's retry spacing.
pub const DEFAULT_PROCESSING_TTL_MS: u64 = 60_000;
/// The value stored while a delivery is being handled.
pub const PROCESSING: &str = "processing";
/// The value stored once a delivery was handled.
pub const DONE: &str = "done";

/// The key of a delivery: lower-case hex SHA-256 of the header's `sign` value.
pub fn key_for_sign(sign: &[u8]) -> String {
    crate::util::sha256_hex(sign)
}

/// How long a `done` entry must live for a tolerance of `tolerance_secs`: a copy stays valid
/// until `t + tolerance`, and `t` may lie up to `tolerance` in the future, so twice the window.
pub fn done_ttl_ms(tolerance_secs: u64) -> u64 {
    tolerance_secs.saturating_mul(2_000).max(1)
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Processing,
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

    /// Claims `key` at `now_ms`; a new claim lives `processing_ttl_ms`.
    pub fn claim(&self, key: &str, now_ms: u64, processing_ttl_ms: u64) -> Claim {
        let mut g = self.lock();
        if let Some(e) = g.map.get(key) {
            if e.expires_ms > now_ms {
                return match e.state {
                    State::Processing => Claim::InProgress,
                    State::Done => Claim::Done,
                };
            }
        }
        let expires = now_ms.saturating_add(processing_ttl_ms);
        self.put(&mut g, key, State::Processing, expires, now_ms);
        Claim::New
    }

    /// Marks `key` handled; it is remembered for `done_ttl_ms`.
    pub fn complete(&self, key: &str, now_ms: u64, done_ttl_ms: u64) {
        let mut g = self.lock();
        let expires = now_ms.saturating_add(done_ttl_ms);
        match g.map.get_mut(key) {
            Some(e) => {
                e.state = State::Done;
                e.expires_ms = expires;
            }
            None => self.put(&mut g, key, State::Done, expires, now_ms),
        }
    }

    /// Forgets `key` (the handler failed; the sender's retry must be processed).
    pub fn release(&self, key: &str) {
        self.lock().map.remove(key);
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
