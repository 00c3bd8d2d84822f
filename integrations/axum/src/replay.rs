//! Replay guards for [`HygraphLayer`](crate::HygraphLayer) (contract §5), with the states, keys,
//! values and Lua scripts of the core ([`hookseal::replay`]), the same as the Node and Python
//! packages: absent → `processing:<token>` (claimed while the handler runs; the token is random,
//! one per claim) → `done` (for the whole tolerance window, both sides), or released (deleted)
//! when the handler fails, so the sender's retry is processed. A release deletes the key only
//! while it still holds the caller's own token; `complete` marks it `done` whatever it holds.
//!
//! - [`MemoryReplayGuard`]: the core's bounded, expiring store, for one process.
//! - `RedisReplayGuard` (feature `redis`): the same on Redis through the `redis` crate's async
//!   `ConnectionManager`, for several instances.
//!
//! The layer takes either (as a [`ReplayGuard`]). Both are also usable directly; the layer is the
//! usual way.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum_core::response::Response;
use hookseal::hygraph::now_ms;
use hookseal::replay::{Claim, MemoryGuard};
use hookseal::ConfigError;
use http::{HeaderValue, StatusCode};

use crate::hasura::{error, json};

/// The replay store could not answer (Redis unreachable, too slow, or an unexpected reply), or
/// no claim token could be drawn. The layer answers 503 and never runs the handler unguarded.
#[derive(Debug)]
pub struct ReplayStoreError {
    reason: String,
}

impl ReplayStoreError {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        ReplayStoreError { reason: reason.into() }
    }
}

impl fmt::Display for ReplayStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the replay store is unavailable: {}", self.reason)
    }
}

impl std::error::Error for ReplayStoreError {}

/// A fresh claim token: 128 bits from the operating system's random generator, as 32 lower-case
/// hex digits (the Python package draws the same, `secrets.token_hex(16)`). The layer draws one
/// per claim; it makes the claim the caller's own, so a handler that outlived its claim never
/// releases the claim another copy took over.
///
/// ```
/// let a = hookseal_axum::new_token()?;
/// let b = hookseal_axum::new_token()?;
/// assert_eq!(a.len(), 32);
/// assert_ne!(a, b);
/// # Ok::<(), hookseal_axum::ReplayStoreError>(())
/// ```
pub fn new_token() -> Result<String, ReplayStoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| ReplayStoreError::new(format!("no random numbers for a claim token ({e})")))?;
    let mut s = String::with_capacity(32);
    for b in bytes {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    Ok(s)
}

fn duration_ms(d: Duration, what: &'static str) -> Result<u64, ConfigError> {
    match u64::try_from(d.as_millis()) {
        Ok(ms) if ms >= 1 => Ok(ms),
        _ => Err(ConfigError::OutOfRange(what)),
    }
}

/// The core's in-memory replay store ([`MemoryGuard`]): bounded (the oldest entry is evicted
/// first), expiring, thread-safe. One per process: clones share the store. Use
/// `RedisReplayGuard` when several instances serve the webhook.
///
/// ```
/// use hookseal_axum::{MemoryReplayGuard, Claim};
///
/// let guard = MemoryReplayGuard::new(10_000)?;
/// assert_eq!(guard.claim("key", "token-a"), Claim::New);
/// assert_eq!(guard.claim("key", "token-b"), Claim::InProgress);
/// assert!(!guard.release("key", "token-b")); // not token-b's claim: left as it is
/// assert!(guard.complete("key", "token-a", 600_000)); // token-a's claim was still live
/// assert_eq!(guard.claim("key", "token-c"), Claim::Done);
/// # Ok::<(), hookseal_axum::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MemoryReplayGuard {
    store: Arc<MemoryGuard>,
    processing_ttl_ms: u64,
}

impl Default for MemoryReplayGuard {
    /// At most [`hookseal::replay::DEFAULT_MAX_ENTRIES`] keys; claims live
    /// [`hookseal::replay::DEFAULT_PROCESSING_TTL_MS`].
    fn default() -> Self {
        MemoryGuard::default().into()
    }
}

impl From<MemoryGuard> for MemoryReplayGuard {
    fn from(store: MemoryGuard) -> Self {
        MemoryReplayGuard {
            store: Arc::new(store),
            processing_ttl_ms: hookseal::replay::DEFAULT_PROCESSING_TTL_MS,
        }
    }
}

impl MemoryReplayGuard {
    /// A store holding at most `max_entries` keys (at least 1).
    pub fn new(max_entries: usize) -> Result<Self, ConfigError> {
        MemoryGuard::new(max_entries).map(Self::from)
    }

    /// How long a claim lives unless the handler settles it first (default 300 s): at least as
    /// long as a handler may run, or a copy arriving after it lapsed runs concurrently. At least
    /// 1 ms.
    pub fn processing_ttl(mut self, ttl: Duration) -> Result<Self, ConfigError> {
        self.processing_ttl_ms = duration_ms(ttl, "processing_ttl must be at least 1 ms")?;
        Ok(self)
    }

    /// The configured claim lifetime, in milliseconds.
    pub fn processing_ttl_ms(&self) -> u64 {
        self.processing_ttl_ms
    }

    /// Claims `key` for the holder of `token` (fresh for every claim: [`new_token`]).
    pub fn claim(&self, key: &str, token: &str) -> Claim {
        self.store.claim(key, token, now_ms(), self.processing_ttl_ms)
    }

    /// Marks `key` handled for `done_ttl_ms`, whatever it holds; `true` if it still held the
    /// claim of `token`, `false` if the handler outlived its claim.
    pub fn complete(&self, key: &str, token: &str, done_ttl_ms: u64) -> bool {
        self.store.complete(key, token, now_ms(), done_ttl_ms)
    }

    /// Forgets `key` only while it holds the claim of `token`; `true` if a live claim was deleted.
    pub fn release(&self, key: &str, token: &str) -> bool {
        self.store.release(key, token, now_ms())
    }

    /// Number of keys held (expired ones included until they are dropped).
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

#[cfg(feature = "redis")]
pub use self::redis_guard::RedisReplayGuard;

#[cfg(feature = "redis")]
mod redis_guard {
    use std::fmt;
    use std::future::Future;
    use std::sync::Arc;
    use std::time::Duration;

    use hookseal::replay::{Claim, CLAIM_SCRIPT, COMPLETE_SCRIPT, KEY_PREFIX, RELEASE_SCRIPT};
    use hookseal::ConfigError;
    use redis::aio::ConnectionManager;

    use super::{duration_ms, ReplayStoreError};

    /// The replay guard on Redis, through your own `redis::aio::ConnectionManager` (which
    /// reconnects by itself). Each operation is one `EVAL` of the core's Lua scripts
    /// ([`CLAIM_SCRIPT`], [`COMPLETE_SCRIPT`], [`RELEASE_SCRIPT`]), the same the Node and Python
    /// packages send, under the same keys (`hookseal:replay:<sha256(sign)>`) with the same
    /// values, so instances written in any of them share one store. Any Redis error, or no
    /// answer within [`timeout`](Self::timeout), fails closed: the layer answers 503.
    ///
    /// ```no_run
    /// use hookseal_axum::RedisReplayGuard;
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = redis::Client::open(std::env::var("REDIS_URL")?)?;
    /// let guard = RedisReplayGuard::new(client.get_connection_manager().await?);
    /// # let _ = guard;
    /// # Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct RedisReplayGuard {
        conn: ConnectionManager,
        prefix: Arc<str>,
        processing_ttl_ms: u64,
        timeout: Duration,
    }

    impl fmt::Debug for RedisReplayGuard {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("RedisReplayGuard")
                .field("prefix", &self.prefix)
                .field("processing_ttl_ms", &self.processing_ttl_ms)
                .field("timeout", &self.timeout)
                .finish_non_exhaustive()
        }
    }

    impl RedisReplayGuard {
        /// A guard over `conn`, with keys under `hookseal:replay:`, claims of 300 s and a
        /// 2 s timeout per operation.
        pub fn new(conn: ConnectionManager) -> Self {
            RedisReplayGuard {
                conn,
                prefix: KEY_PREFIX.into(),
                processing_ttl_ms: hookseal::replay::DEFAULT_PROCESSING_TTL_MS,
                timeout: Duration::from_secs(2),
            }
        }

        /// Keys live under `prefix` instead of `hookseal:replay:` (not empty).
        pub fn prefix(mut self, prefix: impl Into<String>) -> Result<Self, ConfigError> {
            let prefix = prefix.into();
            if prefix.is_empty() {
                return Err(ConfigError::OutOfRange("the Redis key prefix must not be empty"));
            }
            self.prefix = prefix.into();
            Ok(self)
        }

        /// How long a claim lives unless the handler settles it first (default 300 s): at
        /// least as long as a handler may run. At least 1 ms.
        pub fn processing_ttl(mut self, ttl: Duration) -> Result<Self, ConfigError> {
            self.processing_ttl_ms = duration_ms(ttl, "processing_ttl must be at least 1 ms")?;
            Ok(self)
        }

        /// How long one operation may wait for Redis before it fails closed (default 2 s; at
        /// least 1 ms).
        pub fn timeout(mut self, timeout: Duration) -> Result<Self, ConfigError> {
            duration_ms(timeout, "the Redis timeout must be at least 1 ms")?;
            self.timeout = timeout;
            Ok(self)
        }

        /// The configured claim lifetime, in milliseconds.
        pub fn processing_ttl_ms(&self) -> u64 {
            self.processing_ttl_ms
        }

        /// The Redis key of a replay key (as [`hookseal::hygraph::Verified::replay_key`] gives
        /// it): the prefix, then the key (a key that already starts with `hookseal:replay:` has
        /// that part replaced by the prefix, as in the Python package).
        pub fn redis_key(&self, key: &str) -> String {
            format!("{}{}", self.prefix, key.strip_prefix(KEY_PREFIX).unwrap_or(key))
        }

        async fn eval<T: redis::FromRedisValue>(
            &self,
            script: &str,
            key: &str,
            args: &[&str],
        ) -> Result<T, ReplayStoreError> {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(script).arg(1).arg(self.redis_key(key));
            for a in args {
                cmd.arg(*a);
            }
            let mut conn = self.conn.clone();
            let call = async move { cmd.query_async::<T>(&mut conn).await };
            within(self.timeout, call).await
        }

        /// Claims `key` for the holder of `token` (fresh for every claim: [`new_token`](crate::new_token)).
        pub async fn claim(&self, key: &str, token: &str) -> Result<Claim, ReplayStoreError> {
            let ttl = self.processing_ttl_ms.to_string();
            let state: String = self.eval(CLAIM_SCRIPT, key, &[token, &ttl]).await?;
            Claim::from_script_answer(&state).ok_or_else(|| {
                ReplayStoreError::new(format!(
                    "unexpected answer to a claim: {:?}",
                    state.chars().take(40).collect::<String>()
                ))
            })
        }

        /// Marks `key` handled for `done_ttl_ms`, whatever it holds; `true` if it still held the
        /// claim of `token`, `false` if the handler outlived its claim.
        pub async fn complete(
            &self,
            key: &str,
            token: &str,
            done_ttl_ms: u64,
        ) -> Result<bool, ReplayStoreError> {
            let ttl = done_ttl_ms.max(1).to_string();
            let mine: i64 = self.eval(COMPLETE_SCRIPT, key, &[token, &ttl]).await?;
            Ok(mine == 1)
        }

        /// Deletes `key` only while it holds the claim of `token`; `true` if it did.
        pub async fn release(&self, key: &str, token: &str) -> Result<bool, ReplayStoreError> {
            let deleted: i64 = self.eval(RELEASE_SCRIPT, key, &[token]).await?;
            Ok(deleted == 1)
        }
    }

    async fn within<T>(
        timeout: Duration,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, ReplayStoreError> {
        match tokio::time::timeout(timeout, call).await {
            Ok(Ok(v)) => Ok(v),
            // The kind and category only: a Redis error message may quote the server's address.
            Ok(Err(e)) => {
                Err(ReplayStoreError::new(format!("Redis error ({:?}, {})", e.kind(), e.category())))
            }
            Err(_) => {
                Err(ReplayStoreError::new(format!("Redis did not answer within {} ms", timeout.as_millis())))
            }
        }
    }
}

/// The replay guard of a [`HygraphLayer`](crate::HygraphLayer): a [`MemoryReplayGuard`] or a
/// `RedisReplayGuard`, converted with `.into()` (the layer's `replay` takes either).
#[derive(Clone, Debug)]
pub struct ReplayGuard(Store);

#[derive(Clone, Debug)]
enum Store {
    Memory(MemoryReplayGuard),
    #[cfg(feature = "redis")]
    Redis(RedisReplayGuard),
}

impl From<MemoryReplayGuard> for ReplayGuard {
    fn from(g: MemoryReplayGuard) -> Self {
        ReplayGuard(Store::Memory(g))
    }
}

#[cfg(feature = "redis")]
impl From<RedisReplayGuard> for ReplayGuard {
    fn from(g: RedisReplayGuard) -> Self {
        ReplayGuard(Store::Redis(g))
    }
}

impl ReplayGuard {
    pub(crate) async fn claim(&self, key: &str, token: &str) -> Result<Claim, ReplayStoreError> {
        match &self.0 {
            Store::Memory(g) => Ok(g.claim(key, token)),
            #[cfg(feature = "redis")]
            Store::Redis(g) => g.claim(key, token).await,
        }
    }

    async fn complete(&self, key: &str, token: &str, done_ttl_ms: u64) -> Result<bool, ReplayStoreError> {
        match &self.0 {
            Store::Memory(g) => Ok(g.complete(key, token, done_ttl_ms)),
            #[cfg(feature = "redis")]
            Store::Redis(g) => g.complete(key, token, done_ttl_ms).await,
        }
    }

    async fn release(&self, key: &str, token: &str) -> Result<bool, ReplayStoreError> {
        match &self.0 {
            Store::Memory(g) => Ok(g.release(key, token)),
            #[cfg(feature = "redis")]
            Store::Redis(g) => g.release(key, token).await,
        }
    }

    fn processing_ttl_ms(&self) -> u64 {
        match &self.0 {
            Store::Memory(g) => g.processing_ttl_ms(),
            #[cfg(feature = "redis")]
            Store::Redis(g) => g.processing_ttl_ms(),
        }
    }
}

/// Claims `key` with a fresh token; answers early for a copy being handled (409 `replayed`), a
/// copy of a handled delivery (200 `{"duplicate": true}`) or a store failure (503
/// `replay_store_unavailable`). With `retry_after` (Hasura), the 409 and the 503 carry
/// `Retry-After: <secs>`: Hasura schedules one more attempt after it even when its retries are
/// used up, so the copy is never lost.
pub(crate) async fn claim_or_answer(
    guard: &ReplayGuard,
    key: String,
    done_ttl_ms: u64,
    retry_after: Option<u64>,
) -> Result<Pending, Response> {
    let claimed = match new_token() {
        Ok(token) => guard.claim(&key, &token).await.map(|state| (state, token)),
        Err(e) => Err(e),
    };
    let with_retry_after = |mut res: Response| {
        if let Some(secs) = retry_after {
            res.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    };
    match claimed {
        Ok((Claim::New, token)) => Ok(Pending::new(guard.clone(), key, token, done_ttl_ms)),
        Ok((Claim::InProgress, _)) => Err(with_retry_after(error(
            StatusCode::CONFLICT,
            "this delivery is being processed; retry later",
            hookseal::Error::Replayed.code(),
        ))),
        Ok((Claim::Done, _)) => Err(json(StatusCode::OK, r#"{"duplicate":true}"#.to_owned())),
        Err(e) => {
            tracing::warn!(target: "hookseal", "{e}: answering 503, the delivery is not accepted unguarded");
            Err(with_retry_after(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the replay store is unavailable; retry later",
                "replay_store_unavailable",
            )))
        }
    }
}

/// What a claim becomes when the request's future is dropped before it settled it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Settle {
    Complete,
    Release,
}

/// A claim the layer holds while the handler runs. Settled by the handler's answer (2xx:
/// complete; anything else: release); if the request's future is dropped first (the handler
/// panicked, or the client went away and the server dropped the request), `Drop` settles it:
/// at once in memory, on a spawned task for Redis.
#[derive(Debug)]
pub(crate) struct Pending {
    guard: ReplayGuard,
    key: String,
    token: String,
    done_ttl_ms: u64,
    on_drop: Option<Settle>,
}

impl Pending {
    pub(crate) fn new(guard: ReplayGuard, key: String, token: String, done_ttl_ms: u64) -> Self {
        Pending { guard, key, token, done_ttl_ms, on_drop: Some(Settle::Release) }
    }

    /// Completes the claim after a 2xx answer, releases it otherwise. A store that fails now is
    /// logged, not answered: the handler's answer goes out unchanged and the claim lapses.
    pub(crate) async fn settle(mut self, success: bool) {
        let how = if success { Settle::Complete } else { Settle::Release };
        // Should this future be dropped while it waits on the store, Drop finishes the job.
        self.on_drop = Some(how);
        let result = run(&self.guard, how, &self.key, &self.token, self.done_ttl_ms).await;
        self.on_drop = None;
        report(&self.guard, how, result);
    }
}

async fn run(
    guard: &ReplayGuard,
    how: Settle,
    key: &str,
    token: &str,
    done_ttl_ms: u64,
) -> Result<bool, ReplayStoreError> {
    match how {
        Settle::Complete => guard.complete(key, token, done_ttl_ms).await,
        Settle::Release => guard.release(key, token).await,
    }
}

fn report(guard: &ReplayGuard, how: Settle, result: Result<bool, ReplayStoreError>) {
    match result {
        Ok(false) if how == Settle::Complete => tracing::warn!(
            target: "hookseal",
            "a delivery's replay claim was gone when its handler finished: the handler outlived \
             processing_ttl ({} ms; another copy may have run meanwhile: make the claim at least \
             as long as a handler may run) or the store lost the key",
            guard.processing_ttl_ms()
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(
            target: "hookseal",
            "{e} while settling a delivery; its claim lapses on its own"
        ),
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let Some(how) = self.on_drop.take() else { return };
        let (key, token) = (std::mem::take(&mut self.key), std::mem::take(&mut self.token));
        match &self.guard.0 {
            Store::Memory(g) => {
                let result = Ok(match how {
                    Settle::Complete => g.complete(&key, &token, self.done_ttl_ms),
                    Settle::Release => g.release(&key, &token),
                });
                report(&self.guard, how, result);
            }
            #[cfg(feature = "redis")]
            Store::Redis(_) => {
                let guard = self.guard.clone();
                let done_ttl_ms = self.done_ttl_ms;
                match tokio::runtime::Handle::try_current() {
                    Ok(rt) => {
                        rt.spawn(async move {
                            let result = run(&guard, how, &key, &token, done_ttl_ms).await;
                            report(&guard, how, result);
                        });
                    }
                    Err(_) => tracing::warn!(
                        target: "hookseal",
                        "no Tokio runtime to settle a delivery's replay claim on; it lapses on its own"
                    ),
                }
            }
        }
    }
}
