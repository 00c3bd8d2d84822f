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
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from . import HEADER, SecretInput, SharedSecretChecker, Verified, Verifier
from ._receiver import Admitted, Answer, HygraphCheck, Incoming, Receiver, SharedSecretCheck
from .replay import ReplayGuard

__all__ = ["HookSealResponse", "HygraphSignature", "SharedSecret", "install"]


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
    ) -> None:
        verifier = Verifier(secret=secret, tolerance=tolerance, environments=environments)
        self._receiver = Receiver(HygraphCheck(verifier, header, "HygraphSignature"), replay)
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
