//! The receiver-side cache of auth-webhook answers ([`AuthCache`]), in memory or on Redis, with
//! the entries and keys of the Node and Python packages (instances in any of them share it).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookseal::ConfigError;
use serde_json::{json, Value};

/// What the cache holds for a key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Entry {
    /// A denial (only with [`AuthCache::cache_denials`]).
    Denied,
    /// The session `resolve` returned (JSON text) and when the answer stops being servable.
    Session { session: String, expires_ms: u64 },
}

#[cfg_attr(not(feature = "redis"), allow(dead_code))]
impl Entry {
    /// The stored form, shared with the Node and Python packages: `{"s": session JSON, "e":
    /// expiry in ms since the epoch}` or `{"d": 1, "e": ...}`.
    fn to_text(&self, expires_ms: u64) -> String {
        match self {
            Entry::Denied => json!({ "d": 1, "e": expires_ms }).to_string(),
            Entry::Session { session, .. } => json!({ "s": session, "e": expires_ms }).to_string(),
        }
    }

    /// An entry read back, if it is one and has not expired at `now_ms`.
    fn from_text(text: &str, now_ms: f64) -> Option<Entry> {
        let v: Value = serde_json::from_str(text).ok()?;
        let e = v.get("e")?.as_f64()?;
        if e <= now_ms {
            return None;
        }
        if v.get("d").is_some_and(|d| d == 1) {
            return Some(Entry::Denied);
        }
        let session = v.get("s")?.as_str()?.to_owned();
        Some(Entry::Session { session, expires_ms: e.floor() as u64 })
    }
}

/// Keeps allowed auth-webhook answers on the receiver side, keyed by a SHA-256 of the request
/// headers you name (default `Authorization` and `Cookie`; the core's
/// [`auth_cache_key`](hookseal::hasura::auth_cache_key)), each for no longer than its own
/// lifetime (the answer's `max-age`, cut to the token's expiry; an answer without one is not
/// kept). A request without any of the named headers is never served from the cache.
///
/// For the Hasura setups that cache nothing (open-source v2 caches only websocket lifetimes,
/// DDN nothing): `resolve` (a token check, a database lookup) runs once per credential and
/// lifetime instead of once per GraphQL request. A hit is answered with the lifetime that is
/// left, never more. Denials are kept only with [`cache_denials`](Self::cache_denials).
///
/// - [`AuthCache::memory`]: in this process, bounded (the oldest entry goes first).
/// - `AuthCache::redis` (feature `redis`): on Redis, under `hookseal:hasura-auth:<hex>`, with the
///   entries the Node and Python packages write (`{"s": session, "e": expiry ms}`). A Redis
///   error is a miss (logged): `resolve` runs.
#[derive(Clone)]
pub struct AuthCache {
    store: Store,
    names: Arc<[String]>,
    denial_ms: u64,
}

#[derive(Clone)]
enum Store {
    Memory(Arc<Mutex<Memory>>),
    #[cfg(feature = "redis")]
    Redis(redis_store::RedisStore),
}

impl fmt::Debug for AuthCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = match &self.store {
            Store::Memory(_) => "memory",
            #[cfg(feature = "redis")]
            Store::Redis(_) => "redis",
        };
        f.debug_struct("AuthCache")
            .field("store", &store)
            .field("headers", &self.names)
            .field("denial_ms", &self.denial_ms)
            .finish()
    }
}

/// The bounded in-memory map: entries and their insertion order.
struct Memory {
    max: usize,
    seq: u64,
    entries: HashMap<String, (Entry, u64, u64)>,
    order: BTreeMap<u64, String>,
}

impl Memory {
    fn get(&mut self, key: &str, now_ms: f64) -> Option<Entry> {
        let (entry, expires_ms, seq) = self.entries.get(key)?.clone();
        if (expires_ms as f64) <= now_ms {
            self.entries.remove(key);
            self.order.remove(&seq);
            return None;
        }
        Some(entry)
    }

    fn put(&mut self, key: &str, entry: Entry, expires_ms: u64) {
        if let Some((_, _, old)) = self.entries.remove(key) {
            self.order.remove(&old);
        }
        self.seq += 1;
        self.entries.insert(key.to_owned(), (entry, expires_ms, self.seq));
        self.order.insert(self.seq, key.to_owned());
        while self.entries.len() > self.max {
            match self.order.pop_first() {
                Some((_, oldest)) => {
                    self.entries.remove(&oldest);
                }
                None => break,
            }
        }
    }
}

impl AuthCache {
    /// A cache in this process's memory holding at most `max_entries` answers (at least 1).
    pub fn memory(max_entries: usize) -> Result<Self, ConfigError> {
        if max_entries == 0 {
            return Err(ConfigError::OutOfRange("the auth cache must hold at least 1 entry"));
        }
        let memory = Memory { max: max_entries, seq: 0, entries: HashMap::new(), order: BTreeMap::new() };
        Ok(Self::with_store(Store::Memory(Arc::new(Mutex::new(memory)))))
    }

    fn with_store(store: Store) -> Self {
        AuthCache { store, names: Arc::from(["authorization".to_owned(), "cookie".to_owned()]), denial_ms: 0 }
    }

    /// The request headers that identify a credential (matched in any case; default
    /// `Authorization` and `Cookie`). Name every header `resolve` reads: two requests that differ
    /// only in a header not named here get the same answer. Not empty.
    pub fn headers<I, S>(mut self, names: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.is_empty() || names.iter().any(String::is_empty) {
            return Err(ConfigError::OutOfRange("the auth cache needs at least one header name, none empty"));
        }
        self.names = names.into();
        Ok(self)
    }

    /// Also keeps denials (401), for `ttl` (at least 1 ms): a flood of bad tokens stops reaching
    /// `resolve`, but a credential that becomes valid is refused until it lapses.
    pub fn cache_denials(mut self, ttl: Duration) -> Result<Self, ConfigError> {
        match u64::try_from(ttl.as_millis()) {
            Ok(ms) if ms >= 1 => self.denial_ms = ms,
            _ => return Err(ConfigError::OutOfRange("cache_denials must be at least 1 ms")),
        }
        Ok(self)
    }

    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    pub(crate) async fn get(&self, key: &str, now_secs: f64) -> Option<Entry> {
        let now_ms = now_secs * 1000.0;
        match &self.store {
            Store::Memory(m) => m.lock().ok()?.get(key, now_ms),
            #[cfg(feature = "redis")]
            Store::Redis(r) => Entry::from_text(&r.get(key).await?, now_ms),
        }
    }

    async fn put(&self, key: &str, entry: Entry, now_secs: f64, ttl_ms: u64) {
        let expires_ms = (now_secs * 1000.0).floor() as u64 + ttl_ms;
        let entry = match entry {
            Entry::Session { session, .. } => Entry::Session { session, expires_ms },
            denied => denied,
        };
        match &self.store {
            Store::Memory(m) => {
                if let Ok(mut m) = m.lock() {
                    m.put(key, entry, expires_ms);
                }
            }
            #[cfg(feature = "redis")]
            Store::Redis(r) => r.set(key, &entry.to_text(expires_ms), ttl_ms).await,
        }
    }

    pub(crate) async fn put_session(&self, key: &str, session_json: &str, now_secs: f64, lifetime_secs: u64) {
        let entry = Entry::Session { session: session_json.to_owned(), expires_ms: 0 };
        self.put(key, entry, now_secs, lifetime_secs.saturating_mul(1000)).await;
    }

    pub(crate) async fn put_denial(&self, key: &str, now_secs: f64) {
        if self.denial_ms > 0 {
            self.put(key, Entry::Denied, now_secs, self.denial_ms).await;
        }
    }
}

#[cfg(feature = "redis")]
mod redis_store {
    use std::sync::Arc;
    use std::time::Duration;

    use hookseal::ConfigError;
    use redis::aio::ConnectionManager;

    use super::{AuthCache, Store};

    #[derive(Clone)]
    pub(super) struct RedisStore {
        conn: ConnectionManager,
        prefix: Arc<str>,
        timeout: Duration,
    }

    impl RedisStore {
        pub(super) async fn get(&self, key: &str) -> Option<String> {
            let mut conn = self.conn.clone();
            let mut cmd = redis::cmd("GET");
            cmd.arg(format!("{}{key}", self.prefix));
            match tokio::time::timeout(self.timeout, cmd.query_async::<Option<String>>(&mut conn)).await {
                Ok(Ok(v)) => v,
                Ok(Err(e)) => {
                    tracing::warn!(target: "hookseal", "auth cache: Redis error ({:?}); a miss", e.kind());
                    None
                }
                Err(_) => {
                    tracing::warn!(target: "hookseal", "auth cache: Redis did not answer in time; a miss");
                    None
                }
            }
        }

        pub(super) async fn set(&self, key: &str, text: &str, ttl_ms: u64) {
            let mut conn = self.conn.clone();
            let mut cmd = redis::cmd("SET");
            cmd.arg(format!("{}{key}", self.prefix)).arg(text).arg("PX").arg(ttl_ms.max(1));
            match tokio::time::timeout(self.timeout, cmd.query_async::<()>(&mut conn)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(target: "hookseal", "auth cache: Redis error ({:?}); not cached", e.kind())
                }
                Err(_) => {
                    tracing::warn!(target: "hookseal", "auth cache: Redis did not answer in time; not cached")
                }
            }
        }
    }

    impl AuthCache {
        /// A cache on Redis through your `redis::aio::ConnectionManager`: keys
        /// `hookseal:hasura-auth:<hex>` (the Node and Python packages' keys and entries), each
        /// with `PX` its remaining lifetime; a Redis error or no answer within 1 s is a miss.
        pub fn redis(conn: ConnectionManager) -> Self {
            Self::with_store(Store::Redis(RedisStore {
                conn,
                prefix: "hookseal:".into(),
                timeout: Duration::from_secs(1),
            }))
        }

        /// Redis keys start with `prefix` (default `hookseal:`) instead; not empty. Redis caches
        /// only.
        pub fn prefix(mut self, prefix: impl Into<String>) -> Result<Self, ConfigError> {
            let prefix = prefix.into();
            if prefix.is_empty() {
                return Err(ConfigError::OutOfRange("the Redis key prefix must not be empty"));
            }
            if let Store::Redis(r) = &mut self.store {
                r.prefix = prefix.into();
            }
            Ok(self)
        }

        /// How long one Redis operation may take before it counts as a miss (default 1 s; at
        /// least 1 ms). Redis caches only.
        pub fn timeout(mut self, timeout: Duration) -> Result<Self, ConfigError> {
            if timeout < Duration::from_millis(1) {
                return Err(ConfigError::OutOfRange("the Redis timeout must be at least 1 ms"));
            }
            if let Store::Redis(r) = &mut self.store {
                r.timeout = timeout;
            }
            Ok(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_as_the_other_faces_write_them() {
        let s = Entry::Session { session: r#"{"role":"user"}"#.into(), expires_ms: 5_000 };
        assert_eq!(s.to_text(5_000), r#"{"e":5000,"s":"{\"role\":\"user\"}"}"#);
        assert_eq!(Entry::from_text(&s.to_text(5_000), 4_999.0), Some(s));
        assert_eq!(Entry::from_text(r#"{"s":"{}","e":5000}"#, 5_000.0), None, "expired at e");
        // Python writes e as a float.
        assert_eq!(Entry::from_text(r#"{"d":1,"e":5000.5}"#, 1.0), Some(Entry::Denied));
        assert_eq!(Entry::from_text("not json", 1.0), None);
    }

    #[test]
    fn memory_is_bounded_and_expiring() {
        let cache = AuthCache::memory(2).unwrap();
        let Store::Memory(m) = &cache.store else { unreachable!() };
        let mut m = m.lock().unwrap();
        m.put("a", Entry::Denied, 10);
        m.put("b", Entry::Denied, 1_000);
        m.put("c", Entry::Denied, 1_000);
        assert_eq!(m.entries.len(), 2);
        assert_eq!(m.get("a", 0.0), None, "the oldest went first");
        assert_eq!(m.get("b", 999.0), Some(Entry::Denied));
        assert_eq!(m.get("b", 1_000.0), None, "expired");
        assert_eq!(m.entries.len(), 1);
    }
}
