"""The Hasura checks of the receiver (contract §8): event and scheduled deliveries run once,
Actions answered the way Hasura reads them, and the auth webhook (v2 and DDN) with an optional
receiver-side cache. Every rule is the core's; this module only puts the steps in order."""

from __future__ import annotations

import collections
import datetime as _dt
import inspect
import json
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

from . import (
    HasuraAction,
    HasuraAuthHeaders,
    HasuraAuthRequest,
    HasuraDelivery,
    SharedSecretChecker,
    _delivery_of,
    _hookseal,
    parse_hasura_action,
)
from ._receiver import Answer, Check, Incoming, header_pairs
from .replay import RedisReplayGuard, _off_loop

__all__ = [
    "AuthResult",
    "HasuraActionCheck",
    "HasuraAuthReceiver",
    "HasuraEventCheck",
    "Resolve",
    "auth_cache",
]

_log = logging.getLogger("hookseal")

RETRY_AFTER_SECS: int = _hookseal.HASURA_RETRY_AFTER_SECS
"""``Retry-After`` on a 409 (a copy while the first runs) and a 503 (store down): 10 s."""
EVENT_DONE_TTL_SECS: int = _hookseal.HASURA_EVENT_DONE_TTL_MS // 1000
"""How long a done Hasura delivery is remembered by default: 7 days."""


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of seconds >= 1")
    return value


def _where(exc: BaseException) -> str:
    """Where an exception was raised (innermost frame), for a log line that names no message."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    code = tb.tb_frame.f_code
    return f" at {code.co_filename}:{tb.tb_lineno} in {code.co_name}"


# ---------------------------------------------------------------- events and scheduled events


class HasuraEventCheck(Check[HasuraDelivery]):
    """Shared secret, then an Event Trigger or scheduled event payload (else 400
    ``malformed_payload``); the replay key is the delivery's ``id``. A 409 (copy while the first
    runs) and a 503 (store down) carry ``Retry-After``, which Hasura honours even after its
    retries are used up."""

    answers_handler_failures = True
    failure_message = "the event handler failed"

    def __init__(
        self,
        *,
        header: str,
        secret: Any,
        retry_after: int = RETRY_AFTER_SECS,
        done_ttl: int = EVENT_DONE_TTL_SECS,
        where: str = "hasura_event_required",
    ) -> None:
        self.checker = SharedSecretChecker(header=header, secret=secret)
        self.retry_after = _positive_int(retry_after, "retry_after")
        self._done_ttl_ms = _positive_int(done_ttl, "done_ttl") * 1000
        self.where = where

    def inspect(self, req: Incoming) -> HasuraDelivery:
        self.checker.check(req.headers)
        return _delivery_of(req.body)

    def replay_key(self, value: HasuraDelivery) -> str:
        return value.replay_key

    def done_ttl_ms(self, value: HasuraDelivery) -> int:
        return self._done_ttl_ms

    def handler_failed(self, exc: BaseException) -> Answer:
        _log.error(
            "hookseal: %s: the event handler raised %s; answered 500", self.where, type(exc).__name__, exc_info=exc
        )
        return Answer.error(500, self.failure_message, "handler_failed")

    def result(self, value: object) -> Answer:
        if value is None:
            return Answer(204, b"", ())
        return Answer.json(200, value)


# ---------------------------------------------------------------- Actions


class HasuraActionCheck(Check[HasuraAction]):
    """Shared secret, then an Action payload (else 400 ``malformed_payload``). The handler's
    return value answers 200 JSON; ``hookseal.HasuraActionError`` its 4xx; anything else raised
    500 ``handler_failed`` (logged; the body names no internals)."""

    answers_handler_failures = True
    failure_message = "the action handler failed"

    def __init__(self, *, header: str, secret: Any, where: str = "hasura_action_required") -> None:
        self.checker = SharedSecretChecker(header=header, secret=secret)
        self.where = where

    def inspect(self, req: Incoming) -> HasuraAction:
        self.checker.check(req.headers)
        return parse_hasura_action(req.body)

    def handler_failed(self, exc: BaseException) -> Answer:
        _log.error(
            "hookseal: %s: the action handler raised %s; answered 500", self.where, type(exc).__name__, exc_info=exc
        )
        return Answer.error(500, self.failure_message, "handler_failed")


# ---------------------------------------------------------------- auth webhook

AuthResult = Mapping[str, Any] | None
"""What ``resolve`` returns: None denies (401); ``{"session": {...}, "max_age": N?,
"expires_at": epoch seconds | aware datetime?}`` allows (200)."""

Resolve = Callable[[HasuraAuthRequest], AuthResult | Awaitable[AuthResult]]

_MODES = {"v2": "auth_v2", "ddn": "auth_ddn"}
_DEFAULT_CACHE_HEADERS = ("authorization", "cookie")


class _MemoryStore:
    """Bounded, expiring, thread-safe: the oldest entry goes first when full."""

    is_async = False

    def __init__(self, max_entries: int) -> None:
        self._map: collections.OrderedDict[str, tuple[str, float]] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str, at_ms: float) -> str | None:
        with self._lock:
            hit = self._map.get(key)
            if hit is None:
                return None
            if hit[1] <= at_ms:
                del self._map[key]
                return None
            return hit[0]

    def set(self, key: str, text: str, ttl_ms: int, at_ms: float) -> None:
        with self._lock:
            self._map.pop(key, None)
            self._map[key] = (text, at_ms + ttl_ms)
            while len(self._map) > self._max:
                self._map.popitem(last=False)

    def __len__(self) -> int:
        return len(self._map)


class _RedisStore:
    """``GET`` / ``SET key value PX ttl`` through redis-py (``redis.Redis`` or ``redis.asyncio.Redis``)."""

    def __init__(self, client: Any, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self.is_async = inspect.iscoroutinefunction(getattr(client, "execute_command", None))

    def get(self, key: str, at_ms: float) -> Any:
        return self._client.get(self._prefix + key)

    def set(self, key: str, text: str, ttl_ms: int, at_ms: float) -> Any:
        return self._client.set(self._prefix + key, text, px=ttl_ms)


class _CustomStore:
    """Your own ``get(key) -> str | None`` and ``set(key, value, ttl_ms)`` (sync or async)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.is_async = inspect.iscoroutinefunction(store.get)

    def get(self, key: str, at_ms: float) -> Any:
        return self._store.get(key)

    def set(self, key: str, text: str, ttl_ms: int, at_ms: float) -> Any:
        return self._store.set(key, text, ttl_ms)


class AuthCache:
    """The receiver-side auth cache: each allowed answer kept under a SHA-256 of the configured
    request headers (the core's ``hasura_auth_cache_key``), for no longer than its own lifetime.
    Entries are ``{"s": session JSON, "e": expiry ms}`` (``{"d": 1, "e"}`` for a cached denial),
    the same as the Node package writes. A store error is a miss (resolve runs)."""

    def __init__(
        self,
        store: Any = "memory",
        headers: Sequence[str] = _DEFAULT_CACHE_HEADERS,
        cache_denials: bool | int = False,
        prefix: str = "hookseal:",
        max_entries: int = 10_000,
    ) -> None:
        if isinstance(headers, str) or not headers or not all(isinstance(h, str) and h for h in headers):
            raise TypeError("cache headers must be a non-empty list of header names")
        self.names = list(headers)
        if cache_denials is True:
            self.denial_secs = 10
        elif cache_denials is False:
            self.denial_secs = 0
        else:
            self.denial_secs = _positive_int(cache_denials, "cache_denials")
        if not isinstance(prefix, str):
            raise TypeError("cache prefix must be a str")
        if store == "memory":
            if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
                raise ValueError("cache max_entries must be a whole number >= 1")
            self.store: Any = _MemoryStore(max_entries)
        elif isinstance(store, RedisReplayGuard):
            self.store = _RedisStore(store._client, prefix)
        elif callable(getattr(store, "execute_command", None)) and callable(getattr(store, "get", None)):
            self.store = _RedisStore(store, prefix)
        elif callable(getattr(store, "get", None)) and callable(getattr(store, "set", None)):
            self.store = _CustomStore(store)
        else:
            raise TypeError(
                "cache store must be 'memory', a redis.Redis / redis.asyncio.Redis client (or a RedisReplayGuard), "
                "or an object with get(key) and set(key, value, ttl_ms)"
            )

    @property
    def is_async(self) -> bool:
        return bool(self.store.is_async)

    @staticmethod
    def _entry(text: Any, at_ms: float) -> dict[str, Any] | None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if not isinstance(text, str):
            return None
        try:
            entry = json.loads(text)
        except ValueError:
            return None
        if isinstance(entry, dict) and isinstance(entry.get("e"), (int, float)) and entry["e"] > at_ms:
            return entry
        return None

    def get(self, key: str, at_ms: float) -> dict[str, Any] | None:
        try:
            return self._entry(self.store.get(key, at_ms), at_ms)
        except Exception:  # noqa: BLE001 - a store error is a miss
            return None

    async def aget(self, key: str, at_ms: float) -> dict[str, Any] | None:
        try:
            if self.store.is_async:
                return self._entry(await self.store.get(key, at_ms), at_ms)
            if isinstance(self.store, _MemoryStore):
                return self._entry(self.store.get(key, at_ms), at_ms)
            return self._entry(await _off_loop(self.store.get, key, at_ms), at_ms)
        except Exception:  # noqa: BLE001
            return None

    @staticmethod
    def _ttl(entry: dict[str, Any], at_ms: float) -> int:
        return int(math.floor(entry["e"] - at_ms))

    def set(self, key: str, entry: dict[str, Any], at_ms: float) -> None:
        ttl = self._ttl(entry, at_ms)
        if ttl < 1:
            return
        try:
            self.store.set(key, json.dumps(entry, separators=(",", ":")), ttl, at_ms)
        except Exception:  # noqa: BLE001 - not cached: the next request asks resolve again
            _log.warning("hookseal: the auth cache store failed; the answer was not cached")

    async def aset(self, key: str, entry: dict[str, Any], at_ms: float) -> None:
        ttl = self._ttl(entry, at_ms)
        if ttl < 1:
            return
        text = json.dumps(entry, separators=(",", ":"))
        try:
            if self.store.is_async:
                await self.store.set(key, text, ttl, at_ms)
            elif isinstance(self.store, _MemoryStore):
                self.store.set(key, text, ttl, at_ms)
            else:
                await _off_loop(self.store.set, key, text, ttl, at_ms)
        except Exception:  # noqa: BLE001
            _log.warning("hookseal: the auth cache store failed; the answer was not cached")


def auth_cache(cache: object) -> AuthCache | None:
    """The ``cache=`` option: None/False (off), ``"memory"``/True, an :class:`AuthCache`, a redis
    client, or a mapping ``{"store", "headers", "cache_denials", "prefix", "max_entries"}``."""
    if cache is None or cache is False:
        return None
    if isinstance(cache, AuthCache):
        return cache
    if cache is True or cache == "memory":
        return AuthCache()
    if isinstance(cache, Mapping):
        unknown = set(cache) - {"store", "headers", "cache_denials", "prefix", "max_entries"}
        if unknown:
            raise TypeError(
                f"cache: unknown option(s) {sorted(unknown)}; use store, headers, cache_denials, prefix, max_entries"
            )
        return AuthCache(**cache)
    return AuthCache(store=cache)


class _Invalid(Exception):
    pass


class HasuraAuthReceiver:
    """The auth webhook (v2 or DDN): reads the GET or POST form, asks ``resolve``, answers only
    200, 401 or 500 (400 for a POST body of the wrong shape). Build it once."""

    where = "hasura_auth"

    def __init__(
        self,
        *,
        mode: Literal["v2", "ddn"] = "v2",
        max_age: int | None = None,
        cache: object = None,
        clock: Callable[[], float] | None = None,
        where: str = "hasura_auth",
    ) -> None:
        if mode not in _MODES:
            raise ValueError("mode must be 'v2' or 'ddn'")
        if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0):
            raise ValueError("max_age must be a whole number of seconds >= 0")
        if clock is not None and not callable(clock):
            raise TypeError("clock must be a function returning epoch seconds")
        self.mode: Literal["v2", "ddn"] = mode
        self.max_age = max_age
        self.cache = auth_cache(cache)
        self._clock = clock or time.time
        self.where = where

    # ------------------------------------------------------------ steps

    def _denied(self) -> Answer:
        return Answer.error(401, "access denied", "access_denied")

    def _invalid(self, why: str) -> Answer:
        _log.error("hookseal: %s: resolve returned a session that cannot be written: %s", self.where, why)
        return Answer.error(500, "the auth webhook returned a session that cannot be written", "invalid_session")

    def _failed(self, exc: BaseException) -> Answer:
        # The message is left out: it may hold a header value (a token).
        _log.error("hookseal: %s: resolve raised %s%s; answered 500", self.where, type(exc).__name__, _where(exc))
        return Answer.error(500, "the auth webhook failed", "handler_failed")

    def _read(self, req: Incoming) -> Answer | HasuraAuthRequest:
        method = (req.method or "GET").upper()
        graphql: dict[str, Any] | None = None
        if method == "POST":
            try:
                _hookseal.hasura_check(_MODES[self.mode], req.body)
            except Exception as e:  # WebhookVerificationError: malformed_payload
                return Answer.error(400, str(e), getattr(e, "code", "malformed_payload"))
            doc = json.loads(req.body)
            pairs = [(str(k), str(v)) for k, v in doc["headers"].items()]
            if self.mode == "v2" and isinstance(doc.get("request"), dict):
                graphql = doc["request"]
        else:
            pairs = header_pairs(req.headers)
        return HasuraAuthRequest(method, HasuraAuthHeaders(pairs), graphql, self.mode)

    def _key(self, auth: HasuraAuthRequest) -> str | None:
        if self.cache is None:
            return None
        key: str | None = _hookseal.hasura_auth_cache_key(self.mode, self.cache.names, auth.headers.items_all())
        return key

    def _hit(self, entry: dict[str, Any] | None, at: float) -> Answer | None:
        if entry is None:
            return None
        if entry.get("d"):
            return self._denied()
        if isinstance(entry.get("s"), str):
            try:
                body, _ = _hookseal.hasura_auth_answer(self.mode, entry["s"].encode(), None, entry["e"] / 1000, at)
            except ValueError:
                return None
            return Answer(200, body.encode("utf-8"))
        return None

    def _allow(self, result: object, at: float) -> tuple[Answer, dict[str, Any] | None]:
        """The answer to resolve's result, and the cache entry to store (or None)."""
        if result is None:
            if self.cache is not None and self.cache.denial_secs > 0:
                return self._denied(), {"d": 1, "e": at * 1000 + self.cache.denial_secs * 1000}
            return self._denied(), None
        try:
            session_json, max_age, expires_at = self._parts(result)
            body, lifetime = _hookseal.hasura_auth_answer(self.mode, session_json, max_age, expires_at, at)
        except _Invalid as e:
            return self._invalid(str(e)), None
        except ValueError as e:
            return self._invalid(str(e)), None
        entry = None
        if lifetime is not None and lifetime >= 1:
            entry = {"s": session_json.decode("utf-8"), "e": at * 1000 + lifetime * 1000}
        return Answer(200, body.encode("utf-8")), entry

    def _parts(self, result: object) -> tuple[bytes, int | None, float | None]:
        if not isinstance(result, Mapping):
            raise _Invalid("resolve must return None or a mapping {session, max_age?, expires_at?}")
        for camel, snake in (("maxAge", "max_age"), ("expiresAt", "expires_at")):
            if camel in result:
                raise _Invalid(f"resolve returned {camel!r}: in Python it is {snake!r}")
        session = result.get("session")
        if not isinstance(session, Mapping):
            raise _Invalid("resolve must return None or a mapping {session, max_age?, expires_at?}")
        ma = result.get("max_age")
        if ma is None:
            ma = self.max_age
        if ma is not None and (isinstance(ma, bool) or not isinstance(ma, (int, float)) or not ma >= 0):
            raise _Invalid("max_age must be a number of seconds >= 0")
        exp = result.get("expires_at")
        if isinstance(exp, _dt.datetime):
            if exp.tzinfo is None:
                raise _Invalid("expires_at: use an aware datetime (with tzinfo), not a naive one")
            exp = exp.timestamp()
        if exp is not None and (isinstance(exp, bool) or not isinstance(exp, (int, float)) or math.isnan(exp)):
            raise _Invalid("expires_at must be epoch seconds or an aware datetime")
        try:
            session_json = json.dumps(dict(session), allow_nan=False).encode("utf-8")
        except (TypeError, ValueError):
            raise _Invalid("the session is not JSON") from None
        return session_json, None if ma is None else int(math.floor(ma)), None if exp is None else float(exp)

    # ------------------------------------------------------------ the whole answer

    def respond(self, req: Incoming, resolve: Callable[[HasuraAuthRequest], AuthResult]) -> Answer:
        """The answer to one auth-webhook request (sync ``resolve``, sync cache store)."""
        auth = self._read(req)
        if isinstance(auth, Answer):
            return auth
        key = self._key(auth)
        if key is not None and self.cache is not None:
            if self.cache.is_async:
                raise TypeError(f"{self.where}: an asyncio cache store needs the async receiver (arespond)")
            at = self._clock()
            hit = self._hit(self.cache.get(key, at * 1000), at)
            if hit is not None:
                return hit
        try:
            result = resolve(auth)
        except Exception as e:
            return self._failed(e)
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if callable(close):
                close()
            return self._failed(TypeError("resolve returned an awaitable to a sync view; make the view async"))
        at = self._clock()
        answer, entry = self._allow(result, at)
        if key is not None and entry is not None and self.cache is not None:
            self.cache.set(key, entry, at * 1000)
        return answer

    async def arespond(self, req: Incoming, resolve: Resolve) -> Answer:
        """:meth:`respond` for async code: ``resolve`` may be sync (run in a worker thread) or async."""
        auth = self._read(req)
        if isinstance(auth, Answer):
            return auth
        key = self._key(auth)
        if key is not None and self.cache is not None:
            at = self._clock()
            hit = self._hit(await self.cache.aget(key, at * 1000), at)
            if hit is not None:
                return hit
        try:
            if inspect.iscoroutinefunction(resolve) or inspect.iscoroutinefunction(type(resolve).__call__):
                result: Any = await resolve(auth)  # type: ignore[misc]
            else:
                result = await _off_loop(resolve, auth)
                if inspect.isawaitable(result):
                    result = await result
        except Exception as e:
            return self._failed(e)
        at = self._clock()
        answer, entry = self._allow(result, at)
        if key is not None and entry is not None and self.cache is not None:
            await self.cache.aset(key, entry, at * 1000)
        return answer
