"""FastAPI integration: dependencies that read the raw body and verify it.

    app = FastAPI()
    hookseal.fastapi.install(app)          # answers in Hasura's error shape
    hygraph = HygraphSignature(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"], replay=MemoryReplayGuard())

    @app.post("/api/hygraph")
    async def webhook(delivery: Verified = Depends(hygraph)): ...

``install(app)`` also adds a small ASGI middleware that watches the status the route answers:
with ``replay``, a delivery is marked done only after a 2xx response, and its claim is released
when the route raises *or returns* a non-2xx response (``JSONResponse(..., status_code=500)``), so
Hygraph's retry is processed. ``MemoryReplayGuard`` remembers deliveries in one process only:
with ``uvicorn --workers``, ``gunicorn -w`` or several instances use ``RedisReplayGuard``.

Without ``install(app)`` a failure is still a 401 (or 409/503), with FastAPI's usual
``{"detail": {...}}`` wrapping the same body, and a dependency cannot see the response: the
claim is released only when the route raises (``HTTPException`` or any other exception), and a
route that *returns* a 5xx response would be marked done. Call ``install(app)``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Generic, Literal, TypeVar, overload

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from . import (
    HEADER,
    HasuraAction,
    HasuraActionError,
    HasuraDelivery,
    SecretInput,
    SharedSecretChecker,
    Verified,
    Verifier,
)
from ._hasura import (
    EVENT_DONE_TTL_SECS,
    RETRY_AFTER_SECS,
    HasuraActionCheck,
    HasuraAuthReceiver,
    HasuraEventCheck,
    Resolve,
)
from ._receiver import Admitted, Answer, HygraphCheck, Incoming, Receiver, ReplayKeyBy, SharedSecretCheck
from .replay import ReplayGuard

__all__ = [
    "HasuraActionCall",
    "HasuraEventDelivery",
    "HookSealResponse",
    "HygraphSignature",
    "SharedSecret",
    "hasura_auth",
    "install",
]

V = TypeVar("V")


class HookSealResponse(HTTPException):
    """Raised by the dependencies to answer without calling the route (failure, 409, duplicate)."""

    def __init__(self, status_code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status_code, detail=body, headers=headers)
        self.body = body

    @classmethod
    def of(cls, answer: Answer) -> HookSealResponse:
        extra = {k: v for k, v in answer.headers if k != "content-type"}
        return cls(answer.status, answer.data(), extra or None)


# Claims the dependencies made during this request, settled by _ReplayMiddleware once the
# response status is known: (receiver, admitted).
_PENDING = "hookseal.pending"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

Pending = list[tuple[Receiver[Any], Admitted[Any]]]


async def _handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HookSealResponse)
    return JSONResponse(exc.body, status_code=exc.status_code, headers=exc.headers)


async def _action_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HasuraActionError)
    return JSONResponse(exc.body(), status_code=exc.status)


def _response(answer: Answer) -> Response:
    return Response(answer.body, status_code=answer.status, headers=dict(answer.headers))


async def _settle(pending: Pending, status: int | None) -> None:
    for _, admitted in pending:
        await admitted.asettle(status)


async def _send_answer(send: Send, answer: Answer) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    headers.append((b"content-length", str(len(answer.body)).encode("ascii")))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


class _ReplayMiddleware:
    """Completes (2xx) or releases (anything else, or an exception) the request's replay claims;
    answers a Hasura route's exception with the receiver's 500 ``handler_failed``."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        pending: Pending = []
        scope[_PENDING] = pending
        status: int | None = None

        async def send_status(message: Message) -> None:
            nonlocal status
            if message.get("type") == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except Exception as exc:
            await _settle(pending, None)
            if status is not None:
                raise
            for receiver, _ in pending:
                if receiver.check.answers_handler_failures:
                    await _send_answer(send, receiver.failed(exc))
                    return
            raise
        except BaseException:
            await _settle(pending, None)
            raise
        await _settle(pending, status)


def install(app: FastAPI) -> None:
    """Makes the dependencies answer with exactly Hasura's error shape (and ``{"duplicate": true}``),
    and settles replay claims by the status the route answered (see the module docstring).
    Call it before the app starts."""
    app.add_exception_handler(HookSealResponse, _handler)
    app.add_exception_handler(HasuraActionError, _action_error)
    app.add_middleware(_ReplayMiddleware)


def _incoming(request: Request, body: bytes) -> Incoming:
    return Incoming(request.method, request.headers, body)


class HygraphSignature:
    """Dependency: verifies ``gcms-signature`` over the raw body; yields :class:`Verified`.
    With ``replay``: a copy of a handled delivery answers 200 ``{"duplicate": true}``, a copy
    while the first runs 409. With ``install(app)`` the delivery is marked done only after a 2xx
    answer and released otherwise (raised or returned), so a retry runs; without it, only a
    route that raises releases its claim."""

    def __init__(
        self,
        *,
        secret: SecretInput,
        tolerance: int | None = 300,
        environments: Iterable[str] | None = None,
        replay: ReplayGuard | None = None,
        header: str = HEADER,
        replay_key: ReplayKeyBy = "signature",
    ) -> None:
        verifier = Verifier(secret=secret, tolerance=tolerance, environments=environments)
        self._receiver = Receiver(HygraphCheck(verifier, header, "HygraphSignature", replay_key), replay)
        self._warned = False
        # Where the user built this dependency: a warning found at request time points there,
        # not into FastAPI's machinery.
        caller = sys._getframe(1)
        self._origin = (caller.f_code.co_filename, caller.f_lineno)

    async def __call__(self, request: Request) -> AsyncIterator[Verified]:
        admitted = await self._receiver.aadmit(_incoming(request, await request.body()))
        if isinstance(admitted, Answer):
            raise HookSealResponse.of(admitted)
        pending = request.scope.get(_PENDING)
        if isinstance(pending, list):
            # install(app): the middleware settles the claim once the response status is known.
            pending.append((self._receiver, admitted))
            yield admitted.value
            return
        if self._receiver.guard is None:
            yield admitted.value
            return
        if not self._warned:
            self._warned = True
            warnings.warn_explicit(
                "hookseal.fastapi.HygraphSignature(replay=...) without hookseal.fastapi.install(app): "
                "a route that returns a non-2xx response (instead of raising) marks the delivery done, "
                "and Hygraph's retry is answered as a duplicate; call install(app)",
                RuntimeWarning,
                *self._origin,
            )
        try:
            yield admitted.value
        except BaseException:
            await admitted.asettle(None)
            raise
        await admitted.asettle(200)


class SharedSecret:
    """Dependency: the Hasura shared-secret header must hold one of ``secret``."""

    def __init__(self, *, header: str, secret: SecretInput) -> None:
        self._receiver = Receiver(SharedSecretCheck(SharedSecretChecker(header=header, secret=secret), "SharedSecret"))

    async def __call__(self, request: Request) -> None:
        admitted = self._receiver.admit(Incoming(request.method, request.headers, b""))
        if isinstance(admitted, Answer):
            raise HookSealResponse.of(admitted)


class _HasuraDependency(Generic[V]):
    """A Hasura dependency: admits the request through its receiver and leaves the claim (and the
    answer to an exception) to ``install(app)``'s middleware. Without ``install(app)`` it answers
    500 ``hookseal_layer_missing``: a raised ``HasuraActionError`` or handler exception could not
    be answered the way Hasura reads them, nor a claim settled by the route's status."""

    _receiver: Receiver[V]
    _name: str

    async def __call__(self, request: Request) -> V:
        pending = request.scope.get(_PENDING)
        if not isinstance(pending, list):
            raise HookSealResponse.of(
                Answer.error(
                    500,
                    f"hookseal.fastapi.{self._name} needs hookseal.fastapi.install(app): call it where the app "
                    "is built",
                    "hookseal_layer_missing",
                )
            )
        admitted = await self._receiver.aadmit(_incoming(request, await request.body()))
        if isinstance(admitted, Answer):
            raise HookSealResponse.of(admitted)
        pending.append((self._receiver, admitted))
        return admitted.value


class HasuraEventDelivery(_HasuraDependency[HasuraDelivery]):
    """Dependency for Hasura Event Trigger and scheduled (cron, one-off) deliveries, run once;
    its value is the :class:`hookseal.HasuraDelivery` (``.kind``, ``.id``, ``.event`` /
    ``.scheduled``, ``.payload``). Needs ``install(app)``.

    In order: the shared-secret ``header`` (401), the payload (400 ``malformed_payload``), then
    with ``replay`` the guard keyed by the delivery's id: a copy while the first runs → 409 with
    ``Retry-After: retry_after``; a copy of a done one → 200 ``{"duplicate": true}`` (route not
    called); the store down → 503 with ``Retry-After``. A 2xx answer marks it done for
    ``done_ttl`` seconds (default 7 days); a non-2xx answer or an exception releases the claim (an
    exception answers 500 ``handler_failed`` and is logged)."""

    def __init__(
        self,
        *,
        header: str,
        secret: SecretInput,
        replay: ReplayGuard | None = None,
        retry_after: int = RETRY_AFTER_SECS,
        done_ttl: int = EVENT_DONE_TTL_SECS,
    ) -> None:
        check = HasuraEventCheck(
            header=header, secret=secret, retry_after=retry_after, done_ttl=done_ttl, where="HasuraEventDelivery"
        )
        self._receiver = Receiver(check, replay)
        self._name = "HasuraEventDelivery"


class HasuraActionCall(_HasuraDependency[HasuraAction]):
    """Dependency for a Hasura Action; its value is the parsed :class:`hookseal.HasuraAction`
    (``name``, ``input``, ``session_variables``, ``request_query``). Needs ``install(app)``.
    The route returns the Action's output (200 JSON); raising :class:`hookseal.HasuraActionError`
    answers its 4xx ``{"message", "extensions"}``, which Hasura passes to the client; any other
    exception answers 500 ``handler_failed`` (no internals in the body) and is logged on
    ``logging.getLogger("hookseal")``."""

    def __init__(self, *, header: str, secret: SecretInput) -> None:
        self._receiver = Receiver(HasuraActionCheck(header=header, secret=secret, where="HasuraActionCall"))
        self._name = "HasuraActionCall"


Endpoint = Callable[[Request], Awaitable[Response]]


@overload
def hasura_auth(
    resolve: Resolve,
    *,
    mode: Literal["v2", "ddn"] = ...,
    max_age: int | None = ...,
    cache: object = ...,
    clock: Callable[[], float] | None = ...,
) -> Endpoint: ...
@overload
def hasura_auth(
    resolve: None = ...,
    *,
    mode: Literal["v2", "ddn"] = ...,
    max_age: int | None = ...,
    cache: object = ...,
    clock: Callable[[], float] | None = ...,
) -> Callable[[Resolve], Endpoint]: ...
def hasura_auth(
    resolve: Resolve | None = None,
    *,
    mode: Literal["v2", "ddn"] = "v2",
    max_age: int | None = None,
    cache: object = None,
    clock: Callable[[], float] | None = None,
) -> Endpoint | Callable[[Resolve], Endpoint]:
    """A Hasura auth webhook endpoint (v2 or DDN, GET and POST forms) around ``resolve``::

        @app.api_route("/auth", methods=["GET", "POST"])
        @hookseal.fastapi.hasura_auth(mode="v2", max_age=60)
        async def auth(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None: ...

    ``resolve(auth)`` (sync: run in a worker thread, or async) returns None → 401, or
    ``{"session": {...}, "max_age"?: N, "expires_at"?: epoch seconds | aware datetime}`` → 200 with
    the body Hasura reads; it raising → 500 ``handler_failed``. ``cache``: see the docs (memory or
    Redis, keyed by the ``Authorization`` and ``Cookie`` headers, never kept past an answer's
    lifetime). Needs no ``install(app)``."""
    receiver = HasuraAuthReceiver(mode=mode, max_age=max_age, cache=cache, clock=clock, where="hasura_auth")

    def build(fn: Resolve) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            body = await request.body() if request.method.upper() == "POST" else b""
            return _response(await receiver.arespond(_incoming(request, body), fn))

        endpoint.__name__ = getattr(fn, "__name__", "hasura_auth")
        endpoint.__qualname__ = getattr(fn, "__qualname__", endpoint.__name__)
        endpoint.__doc__ = getattr(fn, "__doc__", None)
        return endpoint

    return build(resolve) if resolve is not None else build
