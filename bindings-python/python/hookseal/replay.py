"""Retry-safe replay guards (contract §5).

States per accepted signature: absent → ``processing`` (claimed, short TTL) → ``done`` (TTL = the
whole tolerance window, both sides), or released (deleted) when the handler fails so the
sender's retry is processed. Only deliveries that passed the MAC and time checks are recorded.
"""

from __future__ import annotations

import inspect
import time
from typing import Any, Literal, Protocol

from . import _hookseal
from ._errors import ReplayStoreError

__all__ = ["Claim", "MemoryReplayGuard", "RedisReplayGuard", "ReplayGuard"]

Claim = Literal["new", "in_progress", "done"]

PROCESSING_TTL_MS: int = _hookseal.DEFAULT_PROCESSING_TTL_MS

# Compare-and-delete: release only our own `processing` claim, never a `done` entry.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


async def _off_loop(fn: Any, *args: Any) -> Any:
    """A sync redis-py call from async code (FastAPI with ``redis.Redis``): run it in a worker
    thread so a slow or unreachable Redis does not stall the event loop."""
    try:
        import anyio.to_thread
    except ImportError:  # pragma: no cover - anyio comes with Starlette/FastAPI
        return fn(*args)
    return await anyio.to_thread.run_sync(fn, *args)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class ReplayGuard(Protocol):
    """What the framework integrations need from a guard (sync and async forms)."""

    def claim(self, key: str, processing_ttl_ms: int = ...) -> Claim: ...
    def complete(self, key: str, done_ttl_ms: int) -> None: ...
    def release(self, key: str) -> None: ...
    async def aclaim(self, key: str, processing_ttl_ms: int = ...) -> Claim: ...
    async def acomplete(self, key: str, done_ttl_ms: int) -> None: ...
    async def arelease(self, key: str) -> None: ...


class MemoryReplayGuard:
    """In-process store (the core's): bounded (oldest evicted first), expiring, thread-safe.
    One per process; use :class:`RedisReplayGuard` across instances."""

    def __init__(self, max_entries: int = _hookseal.DEFAULT_MAX_ENTRIES) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int):
            raise TypeError("max_entries must be an int")
        self._guard = _hookseal.MemoryGuard(max_entries)

    def claim(self, key: str, processing_ttl_ms: int = PROCESSING_TTL_MS) -> Claim:
        state: Claim = self._guard.claim(key, _now_ms(), processing_ttl_ms)  # type: ignore[assignment]
        return state

    def complete(self, key: str, done_ttl_ms: int) -> None:
        self._guard.complete(key, _now_ms(), done_ttl_ms)

    def release(self, key: str) -> None:
        self._guard.release(key)

    async def aclaim(self, key: str, processing_ttl_ms: int = PROCESSING_TTL_MS) -> Claim:
        return self.claim(key, processing_ttl_ms)

    async def acomplete(self, key: str, done_ttl_ms: int) -> None:
        self.complete(key, done_ttl_ms)

    async def arelease(self, key: str) -> None:
        self.release(key)

    def __len__(self) -> int:
        return len(self._guard)

    @property
    def max_entries(self) -> int:
        return int(self._guard.max_entries)


def _state(value: Any) -> Claim:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return "done" if value == "done" else "in_progress"


class RedisReplayGuard:
    """The same states on Redis, through your own client: ``redis.Redis`` (sync methods) or
    ``redis.asyncio.Redis`` (``a``-prefixed methods). Keys live under ``prefix``; any Redis
    error raises :class:`ReplayStoreError` (the integrations answer 503)."""

    def __init__(self, client: Any, prefix: str = _hookseal.REPLAY_KEY_PREFIX) -> None:
        if client is None:
            raise TypeError("client is required (a redis.Redis or redis.asyncio.Redis)")
        if not isinstance(prefix, str) or not prefix:
            raise ValueError("prefix must be a non-empty str")
        self._client = client
        self._prefix = prefix
        # redis.asyncio's `set` is a plain method returning a coroutine; its execute_command is async.
        self.is_async = any(
            inspect.iscoroutinefunction(getattr(client, name, None)) for name in ("set", "execute_command")
        )

    def _key(self, key: str) -> str:
        # Keys come from the core as `hookseal:replay:<hex>`; a custom prefix replaces that one.
        base = _hookseal.REPLAY_KEY_PREFIX
        return self._prefix + (key[len(base) :] if key.startswith(base) else key)

    def _sync_only(self) -> None:
        if self.is_async:
            raise TypeError("this RedisReplayGuard has an asyncio client: use aclaim/acomplete/arelease")

    def claim(self, key: str, processing_ttl_ms: int = PROCESSING_TTL_MS) -> Claim:
        self._sync_only()
        k = self._key(key)
        try:
            if self._client.set(k, "processing", nx=True, px=processing_ttl_ms):
                return "new"
            return _state(self._client.get(k))
        except Exception as e:  # redis.exceptions.RedisError, ConnectionError, TimeoutError
            raise ReplayStoreError(f"replay store unavailable: {type(e).__name__}") from e

    def complete(self, key: str, done_ttl_ms: int) -> None:
        self._sync_only()
        try:
            self._client.set(self._key(key), "done", px=done_ttl_ms)
        except Exception as e:
            raise ReplayStoreError(f"replay store unavailable: {type(e).__name__}") from e

    def release(self, key: str) -> None:
        self._sync_only()
        try:
            self._client.eval(_RELEASE, 1, self._key(key), "processing")
        except Exception as e:
            raise ReplayStoreError(f"replay store unavailable: {type(e).__name__}") from e

    async def aclaim(self, key: str, processing_ttl_ms: int = PROCESSING_TTL_MS) -> Claim:
        if not self.is_async:
            state: Claim = await _off_loop(self.claim, key, processing_ttl_ms)
            return state
        k = self._key(key)
        try:
            if await self._client.set(k, "processing", nx=True, px=processing_ttl_ms):
                return "new"
            return _state(await self._client.get(k))
        except Exception as e:
            raise ReplayStoreError(f"replay store unavailable: {type(e).__name__}") from e

    async def acomplete(self, key: str, done_ttl_ms: int) -> None:
        if not self.is_async:
            await _off_loop(self.complete, key, done_ttl_ms)
            return
        try:
            await self._client.set(self._key(key), "done", px=done_ttl_ms)
        except Exception as e:
            raise ReplayStoreError(f"replay store unavailable: {type(e).__name__}") from e

    async def arelease(self, key: str) -> None:
        if not self.is_async:
            await _off_loop(self.release, key)
            return
        try:
            await self._client.eval(_RELEASE, 1, self._key(key), "processing")
        except Exception as e:
            raise ReplayStoreError(f"replay store unavailable: {type(e).__name__}") from e
