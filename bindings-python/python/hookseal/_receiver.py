"""The framework-neutral receiver: every framework adapter is a thin translation around it.

A *check* (Hygraph signature, shared secret, Hasura event, Hasura Action) looks at a request as
``(method, headers, raw body)`` and either refuses it with an :class:`Answer` or admits it with a
value for the handler (``Verified``, a Hasura delivery, an Action call). With a replay guard the
receiver claims the delivery before the handler runs, and settles the claim by the handler's
result: a 2xx completes it, anything else (or an exception) releases it so the sender's retry runs.

Two ways to drive it:

* wrap-style (Flask, Django, AWS Lambda): :meth:`Receiver.run` / :meth:`Receiver.arun` do it all:
  admit, call the handler, settle, and return either hookseal's :class:`Answer` or the handler's
  own result (the adapter writes whichever it gets);
* two-phase (FastAPI dependencies): :meth:`Receiver.aadmit` / :meth:`Receiver.admit` before the
  route, then :meth:`Admitted.asettle` / :meth:`Admitted.settle` with the status the route
  answered (``None``: it raised), and :meth:`Receiver.failed` for the answer to an exception.

Nothing here knows a framework; nothing here re-implements a rule of the core.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from . import HEADER, HasuraActionError, SharedSecretChecker, Verified, Verifier, _hookseal
from ._errors import ReplayStoreError, WebhookVerificationError
from ._http import signature_header
from .replay import Claim, GuardCalls, ReplayGuard, new_token

__all__ = [
    "Admitted",
    "Answer",
    "Check",
    "HygraphCheck",
    "Incoming",
    "Receiver",
    "ReplayKeyBy",
    "SharedSecretCheck",
    "header_pairs",
]

V = TypeVar("V")
R = TypeVar("R")

_log = logging.getLogger("hookseal")

JSON_HEADERS: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)


def _dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class Answer:
    """What hookseal answers itself: a status, response headers (lower-case names) and a JSON body."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS

    @classmethod
    def json(cls, status: int, value: object, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
        """``value`` as compact JSON (raises ``TypeError``/``ValueError`` when it is not JSON)."""
        return cls(status, _dumps(value), JSON_HEADERS + headers)

    @classmethod
    def error(cls, status: int, message: str, code: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
        """Hasura's error shape ``{"message", "extensions": {"code"}}``, written by the core."""
        return cls(status, _hookseal.hasura_error_body(message, code).encode("utf-8"), JSON_HEADERS + headers)

    def data(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        """A response header's value (any case), or None."""
        lname = name.lower()
        return next((v for k, v in self.headers if k == lname), None)


@dataclass(frozen=True)
class Incoming:
    """A request as the receiver sees it. ``headers``: any mapping (dict, Starlette, Werkzeug,
    Django ``HttpHeaders``); names are matched case-insensitively, and a repeated header is seen
    through ``getlist`` where the mapping has it. ``body``: the raw bytes as received."""

    method: str
    headers: Any
    body: bytes


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Every ``(name, value)`` of a header mapping, a repeated header once per value, in order.
    Mappings with ``getlist`` (Starlette, Werkzeug) are asked for every value of each name;
    a plain dict may hold a list of values."""
    out: list[tuple[str, str]] = []
    getlist = getattr(headers, "getlist", None)
    if callable(getlist):
        seen: set[str] = set()
        for k in headers.keys():
            name = _text(k)
            if name.lower() not in seen:
                seen.add(name.lower())
                out.extend((name, _text(v)) for v in getlist(name))
        return out
    for k, v in headers.items():
        if isinstance(v, (list, tuple)):
            out.extend((_text(k), _text(x)) for x in v)
        elif v is not None:
            out.append((_text(k), _text(v)))
    return out


def _text(v: object) -> str:
    if isinstance(v, bytes):
        return v.decode("latin-1")
    return v if isinstance(v, str) else str(v)


class Check(Generic[V]):
    """One kind of delivery: what it needs to see, what it admits, how it answers."""

    where: str = "hookseal"
    """The public name the user built (for warnings)."""
    retry_after: int | None = None
    """Seconds for ``Retry-After`` on a 409 (in progress) and 503 (store down); None: no header."""
    answers_handler_failures: bool = False
    """Whether a handler that raises gets hookseal's 500 ``handler_failed`` answer (Hasura) or the
    exception goes on to the framework (the Hygraph and shared-secret wrappers, as before)."""
    failure_message: str = "the handler failed"

    def inspect(self, req: Incoming) -> V:
        """The value for the handler; raises :class:`WebhookVerificationError` to refuse."""
        raise NotImplementedError

    def replay_key(self, value: V) -> str:
        """The key a replay guard claims for this delivery."""
        raise NotImplementedError

    def done_ttl_ms(self, value: V) -> int:
        """How long a done delivery is remembered."""
        raise NotImplementedError

    def refusal(self, exc: WebhookVerificationError) -> Answer:
        status = 400 if exc.code == "malformed_payload" else 401
        return Answer.error(status, str(exc), exc.code)

    def _retry_after(self) -> tuple[tuple[str, str], ...]:
        return () if self.retry_after is None else (("retry-after", str(self.retry_after)),)

    def in_progress(self) -> Answer:
        return Answer.error(409, "this delivery is being processed; retry later", "replayed", self._retry_after())

    def duplicate(self) -> Answer:
        return Answer.json(200, {"duplicate": True})

    def store_down(self, exc: ReplayStoreError) -> Answer:
        return Answer.error(503, str(exc), "replay_store_unavailable", self._retry_after())

    def handler_failed(self, exc: BaseException) -> Answer:
        """The answer to a handler that raised ``exc`` (called only when answers_handler_failures)."""
        _log.error("hookseal: %s: %s raised", self.where, type(exc).__name__, exc_info=exc)
        return Answer.error(500, self.failure_message, "handler_failed")

    def result(self, value: object) -> Answer:
        """A handler's plain return value (not a framework response) as the answer: 200 JSON."""
        return Answer.json(200, value)


ReplayKeyBy = Literal["signature", "body"]


class HygraphCheck(Check[Verified]):
    """``gcms-signature`` over the raw body (contract §2b). ``replay_key``: what the replay guard
    keys a delivery by: ``"signature"`` (the header's MAC, the default) or ``"body"`` (SHA-256 of
    the environment and the raw body, for a sender that signs a retry anew; two deliveries with
    identical bodies within the done TTL then count as one)."""

    def __init__(
        self,
        verifier: Verifier,
        header: str = HEADER,
        where: str = "hygraph_signature_required",
        replay_key: ReplayKeyBy = "signature",
    ) -> None:
        if replay_key not in ("signature", "body"):
            raise ValueError("replay_key must be 'signature' or 'body'")
        self.verifier = verifier
        self.header = header
        self.where = where
        self.by_body = replay_key == "body"

    def inspect(self, req: Incoming) -> Verified:
        verified = self.verifier.verify(req.body, signature_header(req.headers, self.header))
        if self.by_body:
            key = _hookseal.replay_key_for_body(verified.environment, bytes(req.body))
            return dataclasses.replace(verified, replay_key=key)
        return verified

    def replay_key(self, value: Verified) -> str:
        return value.replay_key

    def done_ttl_ms(self, value: Verified) -> int:
        return self.verifier.done_ttl_ms


class SharedSecretCheck(Check[None]):
    """A shared-secret header (contract §3); no replay guard (a plain shared secret names no delivery)."""

    def __init__(self, checker: SharedSecretChecker, where: str = "shared_secret_required") -> None:
        self.checker = checker
        self.where = where

    def inspect(self, req: Incoming) -> None:
        self.checker.check(req.headers)


@dataclass
class Admitted(Generic[V]):
    """A request the check let through. ``value`` goes to the handler; :meth:`settle` (or
    :meth:`asettle`) must be called once the handler's status is known (None: it raised).
    Settling twice does nothing."""

    value: V
    _guard: GuardCalls | None = None
    _key: str = ""
    _token: str = ""
    _ttl_ms: int = 0
    _settled: bool = field(default=False, repr=False)

    def settle(self, status: int | None) -> None:
        if self._guard is None or self._settled:
            return
        self._settled = True
        self._guard.settle(self._key, self._token, status, self._ttl_ms)

    async def asettle(self, status: int | None) -> None:
        if self._guard is None or self._settled:
            return
        self._settled = True
        await self._guard.asettle(self._key, self._token, status, self._ttl_ms)


class Receiver(Generic[V]):
    """A check plus an optional replay guard: the one place where a delivery is admitted, handed
    to its handler and settled. Build it once (configuration errors raise here)."""

    def __init__(self, check: Check[V], replay: ReplayGuard | None = None) -> None:
        self.check = check
        self.guard = GuardCalls(replay, check.where) if replay is not None else None

    # ------------------------------------------------------------ phase 1: admit

    def _inspect(self, req: Incoming) -> V | Answer:
        try:
            return self.check.inspect(req)
        except WebhookVerificationError as e:
            return self.check.refusal(e)

    def _claimed(self, value: V, key: str, token: str, state: Claim) -> Answer | Admitted[V]:
        if state == "done":
            return self.check.duplicate()
        if state == "in_progress":
            return self.check.in_progress()
        return Admitted(value, self.guard, key, token, self.check.done_ttl_ms(value))

    def admit(self, req: Incoming) -> Answer | Admitted[V]:
        """Checks the request and claims it (sync guard calls). An :class:`Answer` refuses it."""
        value = self._inspect(req)
        if isinstance(value, Answer):
            return value
        if self.guard is None:
            return Admitted(value)
        key, token = self.check.replay_key(value), new_token()
        try:
            state = self.guard.claim(key, token)
        except ReplayStoreError as e:
            return self.check.store_down(e)
        return self._claimed(value, key, token, state)

    async def aadmit(self, req: Incoming) -> Answer | Admitted[V]:
        """:meth:`admit` for async code (asyncio guards awaited, sync redis-py off the loop)."""
        value = self._inspect(req)
        if isinstance(value, Answer):
            return value
        if self.guard is None:
            return Admitted(value)
        key, token = self.check.replay_key(value), new_token()
        try:
            state = await self.guard.aclaim(key, token)
        except ReplayStoreError as e:
            return self.check.store_down(e)
        return self._claimed(value, key, token, state)

    # ------------------------------------------------------------ phase 2: the handler's outcome

    def failed(self, exc: BaseException) -> Answer:
        """The answer to a handler that raised ``exc``; re-raises it when this receiver leaves
        handler exceptions to the framework (Hygraph, shared secret) or ``exc`` is not an
        ``Exception`` (KeyboardInterrupt, cancellation)."""
        if isinstance(exc, HasuraActionError):
            # The 4xx the Action handler chose, in the shape Hasura passes on to the client.
            return Answer.json(exc.status, exc.body())
        if not isinstance(exc, Exception) or not self.check.answers_handler_failures:
            raise exc
        return self.check.handler_failed(exc)

    def outcome(self, result: R, status: int | None) -> Answer | R:
        """A handler's result: a framework response (``status`` known) goes out as it is; a plain
        value (``status`` None) becomes the check's answer for it (200 JSON)."""
        if status is not None:
            return result
        try:
            return self.check.result(result)
        except (TypeError, ValueError) as e:  # not JSON
            if not self.check.answers_handler_failures:
                raise
            return self.check.handler_failed(e)

    # ------------------------------------------------------------ wrap-style: everything

    def run(self, req: Incoming, handler: Callable[[V], R], status_of: Callable[[R], int | None]) -> Answer | R:
        """Admit, run ``handler(value)``, settle by its status, answer. ``status_of`` reads the
        status of a framework response, or returns None for a plain value (answered as 200 JSON)."""
        admitted = self.admit(req)
        if isinstance(admitted, Answer):
            return admitted
        try:
            result = handler(admitted.value)
            out = self.outcome(result, status_of(result))
        except BaseException as e:
            admitted.settle(None)
            return self.failed(e)
        admitted.settle(out.status if isinstance(out, Answer) else status_of(out))
        return out

    async def arun(
        self,
        req: Incoming,
        handler: Callable[[V], Awaitable[R] | R],
        status_of: Callable[[R], int | None],
    ) -> Answer | R:
        """:meth:`run` for async code; ``handler`` may be sync or async."""
        admitted = await self.aadmit(req)
        if isinstance(admitted, Answer):
            return admitted
        try:
            result = handler(admitted.value)
            if inspect.isawaitable(result):
                result = await result
            out = self.outcome(result, status_of(result))
        except BaseException as e:
            await admitted.asettle(None)
            return self.failed(e)
        await admitted.asettle(out.status if isinstance(out, Answer) else status_of(out))
        return out
