"""Flask integration: decorators that verify the request before the view runs.

    @app.post("/api/hygraph")
    @hygraph_signature_required(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"], replay=MemoryReplayGuard())
    def webhook():
        delivery = flask.g.hookseal      # Verified
        ...

Failures answer 401 in Hasura's error shape (503 when the replay store is down); with
``replay``, a copy of a handled delivery answers 200 ``{"duplicate": true}`` and a copy while
the first runs 409. A view that raises or answers 5xx releases its claim so the retry runs.
``MemoryReplayGuard`` remembers deliveries in one process only: under ``gunicorn -w 2`` or with
several instances each process lets a copy through, so use ``RedisReplayGuard`` there.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import current_app, g, jsonify, make_response, request

from . import HEADER, SecretInput, SharedSecretChecker, Verifier
from ._errors import ReplayStoreError, WebhookVerificationError
from ._http import DUPLICATE, IN_PROGRESS, failure, signature_header
from .replay import GuardCalls, ReplayGuard, new_token

__all__ = ["hygraph_signature_required", "shared_secret_required"]

F = TypeVar("F", bound=Callable[..., Any])


def _call(view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # Flask runs `async def` views through ensure_sync; our sync wrapper has to do the same,
    # or an async view would hand Flask a coroutine. A sync view is returned unchanged.
    return current_app.ensure_sync(view)(*args, **kwargs)


def _answer(status: int, body: dict[str, Any]) -> Any:
    resp = jsonify(body)
    resp.status_code = status
    return resp


def hygraph_signature_required(
    *,
    secret: SecretInput,
    tolerance: int | None = 300,
    environments: Iterable[str] | None = None,
    replay: ReplayGuard | None = None,
    header: str = HEADER,
) -> Callable[[F], F]:
    """Verifies ``gcms-signature`` over the raw body; the view finds :class:`Verified` in
    ``flask.g.hookseal``. Configuration errors raise here, at import time."""
    verifier = Verifier(secret=secret, tolerance=tolerance, environments=environments)
    guard = GuardCalls(replay, "hygraph_signature_required") if replay is not None else None

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                verified = verifier.verify(request.get_data(cache=True), signature_header(request.headers, header))
            except WebhookVerificationError as e:
                return _answer(*failure(e))
            g.hookseal = verified
            if guard is None:
                return _call(view, args, kwargs)
            token = new_token()
            try:
                state = guard.claim(verified.replay_key, token)
            except ReplayStoreError as e:
                return _answer(*failure(e))
            if state == "done":
                return _answer(*DUPLICATE)
            if state == "in_progress":
                return _answer(*IN_PROGRESS)
            try:
                resp = make_response(_call(view, args, kwargs))
            except BaseException:
                guard.settle(verified.replay_key, token, None, verifier.done_ttl_ms)
                raise
            guard.settle(verified.replay_key, token, resp.status_code, verifier.done_ttl_ms)
            return resp

        return wrapper  # type: ignore[return-value]

    return decorate


def shared_secret_required(*, header: str, secret: SecretInput) -> Callable[[F], F]:
    """The Hasura shared-secret header must hold one of ``secret`` (any case, exactly once)."""
    checker = SharedSecretChecker(header=header, secret=secret)
    if "_" in header:
        warnings.warn(
            f"shared_secret_required(header={header!r}): WSGI servers (werkzeug, gunicorn) and nginx drop "
            "header names with an underscore, so every request would fail with missing_secret; "
            "configure Hasura to send a hyphenated name such as X-Action-Secret",
            stacklevel=2,
        )

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                checker.check(request.headers)
            except WebhookVerificationError as e:
                # Read the body before answering: werkzeug's server can stall on a connection
                # whose request body was left unread.
                request.get_data(cache=True)
                return _answer(*failure(e))
            return _call(view, args, kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
