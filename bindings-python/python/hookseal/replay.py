"""Retry-safe replay guards (contract §5).

States per accepted signature: absent → ``processing:<token>`` (claimed, short TTL; the token is
random, one per claim) → ``done`` (TTL = the whole tolerance window, both sides), or released
(deleted) when the handler fails so the sender's retry is processed. A release deletes the key
only while it still holds the caller's own token, so a handler that outlived its claim never
deletes the claim of the instance that took over; ``complete`` marks the key ``done`` whatever it
holds. Only deliveries that passed the MAC and time checks are recorded.

The integrations make a token per claim (:func:`new_token`) and pass it as ``token=`` to
``claim``, ``complete`` and ``release``. A guard you wrote yourself whose methods take no
``token`` keeps working: it is called without one, and hookseal warns once (see the README).
"""

from __future__ import annotations

import inspect
import logging
import secrets
import time
import warnings
from typing import Any, Literal, Protocol

from . import _hookseal
from ._errors import ReplayStoreError

__all__ = ["Claim", "MemoryReplayGuard", "RedisReplayGuard", "ReplayGuard", "new_token"]

Claim = Literal["new", "in_progress", "done"]

PROCESSING_TTL_MS: int = _hookseal.DEFAULT_PROCESSING_TTL_MS
"""How long a claim lives unless it is settled first: 300 s, the longest a Vercel function runs
unless its ``maxDuration`` says otherwise. Set ``processing_ttl_ms`` to your platform's limit."""

_log = logging.getLogger("hookseal")


def new_token() -> str:
    """A fresh claim token: 128 random bits from :mod:`secrets`, as 32 hex digits."""
    return secrets.token_hex(16)


async def _off_loop(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """A sync redis-py call from async code (FastAPI with ``redis.Redis``): run it in a worker
    thread so a slow or unreachable Redis does not stall the event loop."""
    try:
        import anyio.to_thread
    except ImportError:  # pragma: no cover - anyio comes with Starlette/FastAPI
        return fn(*args, **kwargs)
    return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _ttl(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of milliseconds >= 1")
    return value


def _token(token: object) -> str:
    if not isinstance(token, str) or not token:
        raise TypeError("token must be a non-empty str, fresh for every claim (hookseal.replay.new_token())")
    return token


class ReplayGuard(Protocol):
    """What the framework integrations need from a guard (sync and async forms). ``token`` is
    fresh for every claim; ``release`` must delete the key only while it holds that token.
    ``complete`` and ``release`` may return whether the key still held the claim of ``token``."""

    def claim(self, key: str, processing_ttl_ms: int | None = ..., *, token: str) -> Claim: ...
    def complete(self, key: str, done_ttl_ms: int, *, token: str) -> bool | None: ...
    def release(self, key: str, *, token: str) -> bool | None: ...
    async def aclaim(self, key: str, processing_ttl_ms: int | None = ..., *, token: str) -> Claim: ...
    async def acomplete(self, key: str, done_ttl_ms: int, *, token: str) -> bool | None: ...
    async def arelease(self, key: str, *, token: str) -> bool | None: ...


class MemoryReplayGuard:
    """In-process store (the core's): bounded (oldest evicted first), expiring, thread-safe.
    One per process; use :class:`RedisReplayGuard` across instances."""

    def __init__(
        self, max_entries: int = _hookseal.DEFAULT_MAX_ENTRIES, *, processing_ttl_ms: int = PROCESSING_TTL_MS
    ) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int):
            raise TypeError("max_entries must be an int")
        self.processing_ttl_ms = _ttl(processing_ttl_ms, "processing_ttl_ms")
        self._guard = _hookseal.MemoryGuard(max_entries)

    def claim(self, key: str, processing_ttl_ms: int | None = None, *, token: str) -> Claim:
        ttl = self.processing_ttl_ms if processing_ttl_ms is None else _ttl(processing_ttl_ms, "processing_ttl_ms")
        state: Claim = self._guard.claim(key, _token(token), _now_ms(), ttl)  # type: ignore[assignment]
        return state

    def complete(self, key: str, done_ttl_ms: int, *, token: str) -> bool:
        return self._guard.complete(key, _token(token), _now_ms(), _ttl(done_ttl_ms, "done_ttl_ms"))

    def release(self, key: str, *, token: str) -> bool:
        return self._guard.release(key, _token(token), _now_ms())

    async def aclaim(self, key: str, processing_ttl_ms: int | None = None, *, token: str) -> Claim:
        return self.claim(key, processing_ttl_ms, token=token)

    async def acomplete(self, key: str, done_ttl_ms: int, *, token: str) -> bool:
        return self.complete(key, done_ttl_ms, token=token)

    async def arelease(self, key: str, *, token: str) -> bool:
        return self.release(key, token=token)

    def __len__(self) -> int:
        return len(self._guard)

    @property
    def max_entries(self) -> int:
        return int(self._guard.max_entries)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _state(value: Any) -> Claim:
    s = _text(value)
    if s not in ("new", "in_progress", "done"):
        raise ReplayStoreError(f"unexpected answer from the replay store: {s[:40]!r}")
    return s  # type: ignore[return-value]


class RedisReplayGuard:
    """The same states on Redis, through your own client: ``redis.Redis`` (sync methods) or
    ``redis.asyncio.Redis`` (``a``-prefixed methods). Each operation is one Lua script from the
    core (the same scripts the Node package sends). Keys live under ``prefix``; any Redis error
    raises :class:`ReplayStoreError` (the integrations answer 503)."""

    def __init__(
        self, client: Any, prefix: str = _hookseal.REPLAY_KEY_PREFIX, *, processing_ttl_ms: int = PROCESSING_TTL_MS
    ) -> None:
        if client is None:
            raise TypeError("client is required (a redis.Redis or redis.asyncio.Redis)")
        if not isinstance(prefix, str) or not prefix:
            raise ValueError("prefix must be a non-empty str")
        self._client = client
        self._prefix = prefix
        self.processing_ttl_ms = _ttl(processing_ttl_ms, "processing_ttl_ms")
        # redis.asyncio's `eval` is a plain method returning a coroutine; its execute_command is async.
        self.is_async = any(
            inspect.iscoroutinefunction(getattr(client, name, None)) for name in ("set", "execute_command")
        )

    def _key(self, key: str) -> str:
        # Keys come from the core as `hookseal:replay:<hex>`; a custom prefix replaces that one.
        base = _hookseal.REPLAY_KEY_PREFIX
        return self._prefix + (key[len(base) :] if key.startswith(base) else key)

    def _claim_args(self, key: str, processing_ttl_ms: int | None, token: str) -> tuple[Any, ...]:
        ttl = self.processing_ttl_ms if processing_ttl_ms is None else _ttl(processing_ttl_ms, "processing_ttl_ms")
        return (_hookseal.REPLAY_CLAIM_SCRIPT, 1, self._key(key), _token(token), ttl)

    def _complete_args(self, key: str, done_ttl_ms: int, token: str) -> tuple[Any, ...]:
        return (_hookseal.REPLAY_COMPLETE_SCRIPT, 1, self._key(key), _token(token), _ttl(done_ttl_ms, "done_ttl_ms"))

    def _release_args(self, key: str, token: str) -> tuple[Any, ...]:
        return (_hookseal.REPLAY_RELEASE_SCRIPT, 1, self._key(key), _token(token))

    def _eval(self, args: tuple[Any, ...]) -> Any:
        if self.is_async:
            raise TypeError("this RedisReplayGuard has an asyncio client: use aclaim/acomplete/arelease")
        try:
            return self._client.eval(*args)
        except Exception as e:  # redis.exceptions.RedisError, ConnectionError, TimeoutError
            raise ReplayStoreError(f"replay store unavailable: {type(e).__name__}") from e

    async def _aeval(self, args: tuple[Any, ...]) -> Any:
        if not self.is_async:
            return await _off_loop(self._eval, args)
        try:
            return await self._client.eval(*args)
        except Exception as e:
            raise ReplayStoreError(f"replay store unavailable: {type(e).__name__}") from e

    def claim(self, key: str, processing_ttl_ms: int | None = None, *, token: str) -> Claim:
        return _state(self._eval(self._claim_args(key, processing_ttl_ms, token)))

    def complete(self, key: str, done_ttl_ms: int, *, token: str) -> bool:
        return int(self._eval(self._complete_args(key, done_ttl_ms, token))) == 1

    def release(self, key: str, *, token: str) -> bool:
        return int(self._eval(self._release_args(key, token))) == 1

    async def aclaim(self, key: str, processing_ttl_ms: int | None = None, *, token: str) -> Claim:
        return _state(await self._aeval(self._claim_args(key, processing_ttl_ms, token)))

    async def acomplete(self, key: str, done_ttl_ms: int, *, token: str) -> bool:
        return int(await self._aeval(self._complete_args(key, done_ttl_ms, token))) == 1

    async def arelease(self, key: str, *, token: str) -> bool:
        return int(await self._aeval(self._release_args(key, token))) == 1


# ---------------------------------------------------------------- how the integrations call a guard


def _takes_token(method: Any) -> bool:
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: assume the current interface
        return True
    return any(p.name == "token" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


class GuardCalls:
    """A guard as the integrations call it: with a fresh token per claim where the guard's
    methods take ``token``; without one for a guard written before tokens existed (it keeps
    working, and hookseal warns once that its release cannot tell its own claim from another's).
    Also logs a warning when a handler outlived its claim (``complete`` answered ``False``)."""

    _METHODS = ("claim", "complete", "release", "aclaim", "acomplete", "arelease")

    def __init__(self, guard: ReplayGuard, where: str) -> None:
        self.guard = guard
        self._tok = {m: _takes_token(getattr(guard, m, None)) for m in self._METHODS if hasattr(guard, m)}
        old = sorted(m for m, ok in self._tok.items() if not ok)
        if old:
            warnings.warn(
                f"{where}: the replay guard {type(guard).__name__} has methods without a token parameter "
                f"({', '.join(old)}); they are called the old way, and a release cannot tell the guard's own "
                "claim from one another instance took over after it lapsed. Take token= (keyword) and delete "
                "on release only while the key holds it, or use MemoryReplayGuard / RedisReplayGuard",
                RuntimeWarning,
                stacklevel=3,
            )

    def _old(self, method: str) -> bool:
        return not self._tok.get(method, True)

    def _settled(self, mine: object) -> None:
        if mine is False:
            ttl = getattr(self.guard, "processing_ttl_ms", None)
            _log.warning(
                "hookseal: a delivery's replay claim was gone when its handler finished: the handler outlived "
                "processing_ttl_ms%s (another copy may have run meanwhile; make the claim at least as long as "
                "a handler may run) or the store lost the key",
                f" ({ttl} ms)" if isinstance(ttl, int) else "",
            )

    # A guard without `token` parameters is called the old way (hence the type: ignore).

    def claim(self, key: str, token: str) -> Claim:
        if self._old("claim"):
            return self.guard.claim(key)  # type: ignore[call-arg]
        return self.guard.claim(key, token=token)

    def complete(self, key: str, done_ttl_ms: int, token: str) -> None:
        if self._old("complete"):
            self.guard.complete(key, done_ttl_ms)  # type: ignore[call-arg]
        else:
            self._settled(self.guard.complete(key, done_ttl_ms, token=token))

    def release(self, key: str, token: str) -> None:
        if self._old("release"):
            self.guard.release(key)  # type: ignore[call-arg]
        else:
            self.guard.release(key, token=token)

    async def aclaim(self, key: str, token: str) -> Claim:
        if self._old("aclaim"):
            return await self.guard.aclaim(key)  # type: ignore[call-arg]
        return await self.guard.aclaim(key, token=token)

    async def acomplete(self, key: str, done_ttl_ms: int, token: str) -> None:
        if self._old("acomplete"):
            await self.guard.acomplete(key, done_ttl_ms)  # type: ignore[call-arg]
        else:
            self._settled(await self.guard.acomplete(key, done_ttl_ms, token=token))

    async def arelease(self, key: str, token: str) -> None:
        if self._old("arelease"):
            await self.guard.arelease(key)  # type: ignore[call-arg]
        else:
            await self.guard.arelease(key, token=token)

    def settle(self, key: str, token: str, status: int | None, done_ttl_ms: int) -> None:
        """After the handler ran: complete the claim on a 2xx answer, release it otherwise
        (``status`` None: the handler raised). A store that fails now is logged, not raised: the
        handler's answer goes out unchanged, and the claim lapses on its own."""
        try:
            if status is not None and 200 <= status < 300:
                self.complete(key, done_ttl_ms, token)
            else:
                self.release(key, token)
        except ReplayStoreError:
            _log.warning(_SETTLE_FAILED)

    async def asettle(self, key: str, token: str, status: int | None, done_ttl_ms: int) -> None:
        """:meth:`settle` for async code."""
        try:
            if status is not None and 200 <= status < 300:
                await self.acomplete(key, done_ttl_ms, token)
            else:
                await self.arelease(key, token)
        except ReplayStoreError:
            _log.warning(_SETTLE_FAILED)


_SETTLE_FAILED = "hookseal: replay store unavailable while settling a delivery; its claim lapses on its own"
