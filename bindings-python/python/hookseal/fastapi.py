"""FastAPI integration: dependencies that read the raw body and verify it.

    app = FastAPI()
    hookseal.fastapi.install(app)          # answers in Hasura's error shape
    hygraph = HygraphSignature(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"], replay=MemoryReplayGuard())

    @app.post("/api/hygraph")
    async def webhook(delivery: Verified = Depends(hygraph)): ...

Without ``install(app)`` a failure is still a 401 (or 409/503), with FastAPI's usual
``{"detail": {...}}`` wrapping the same body.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from . import HEADER, SecretInput, SharedSecretChecker, Verified, Verifier
from ._errors import ReplayStoreError, WebhookVerificationError
from ._http import DUPLICATE, IN_PROGRESS, failure
from .replay import ReplayGuard

__all__ = ["HookSealResponse", "HygraphSignature", "SharedSecret", "install"]


class HookSealResponse(HTTPException):
    """Raised by the dependencies to answer without calling the route (failure, 409, duplicate)."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        super().__init__(status_code=status_code, detail=body)
        self.body = body


async def _handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HookSealResponse)
    return JSONResponse(exc.body, status_code=exc.status_code)


def install(app: FastAPI) -> None:
    """Makes the dependencies answer with exactly Hasura's error shape (and ``{"duplicate": true}``)."""
    app.add_exception_handler(HookSealResponse, _handler)


def _fail(exc: Exception) -> HookSealResponse:
    status, body = failure(exc)
    return HookSealResponse(status, body)


class HygraphSignature:
    """Dependency: verifies ``gcms-signature`` over the raw body; yields :class:`Verified`.
    With ``replay``: a copy of a handled delivery answers 200 ``{"duplicate": true}``, a copy
    while the first runs 409; if the route raises, the claim is released so a retry runs."""

    def __init__(
        self,
        *,
        secret: SecretInput,
        tolerance: int | None = 300,
        environments: Iterable[str] | None = None,
        replay: ReplayGuard | None = None,
        header: str = HEADER,
    ) -> None:
        self._verifier = Verifier(secret=secret, tolerance=tolerance, environments=environments)
        self._replay = replay
        self._header = header

    async def __call__(self, request: Request) -> AsyncIterator[Verified]:
        raw = await request.body()
        try:
            verified = self._verifier.verify(raw, request.headers.get(self._header))
        except WebhookVerificationError as e:
            raise _fail(e) from None
        if self._replay is None:
            yield verified
            return
        try:
            state = await self._replay.aclaim(verified.replay_key)
        except ReplayStoreError as e:
            raise _fail(e) from None
        if state == "done":
            raise HookSealResponse(*DUPLICATE)
        if state == "in_progress":
            raise HookSealResponse(*IN_PROGRESS)
        try:
            yield verified
        except BaseException:
            await self._replay.arelease(verified.replay_key)
            raise
        await self._replay.acomplete(verified.replay_key, self._verifier.done_ttl_ms)


class SharedSecret:
    """Dependency: the Hasura shared-secret header must hold one of ``secret``."""

    def __init__(self, *, header: str, secret: SecretInput) -> None:
        self._checker = SharedSecretChecker(header=header, secret=secret)

    async def __call__(self, request: Request) -> None:
        try:
            self._checker.check(request.headers)
        except WebhookVerificationError as e:
            raise _fail(e) from None
