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

from flask import Response, current_app, g, make_response, request

from . import HEADER, SecretInput, SharedSecretChecker, Verifier
from ._receiver import Answer, HygraphCheck, Incoming, Receiver, SharedSecretCheck
from .replay import ReplayGuard

__all__ = ["hygraph_signature_required", "shared_secret_required"]

F = TypeVar("F", bound=Callable[..., Any])


def _call(view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # Flask runs `async def` views through ensure_sync; our sync wrapper has to do the same,
    # or an async view would hand Flask a coroutine. A sync view is returned unchanged.
    return current_app.ensure_sync(view)(*args, **kwargs)


def incoming() -> Incoming:
    """The current Flask request as the receiver reads it (the body is cached for the view)."""
    return Incoming(request.method, request.headers, request.get_data(cache=True))


def write(out: Any) -> Any:
    """hookseal's :class:`Answer` as a Flask response; a view's own response unchanged."""
    if isinstance(out, Answer):
        return Response(out.body, status=out.status, headers=list(out.headers))
    return out


def response_status(rv: Any) -> int | None:
    return int(rv.status_code) if isinstance(rv, Response) else None


def _wrap(receiver: Receiver[Any], view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        def handler(value: Any) -> Any:
            g.hookseal = value
            return make_response(_call(view, args, kwargs))

        return write(receiver.run(incoming(), handler, response_status))

    return wrapper  # type: ignore[return-value]


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
    receiver = Receiver(HygraphCheck(verifier, header, "hygraph_signature_required"), replay)
    return lambda view: _wrap(receiver, view)


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
    receiver = Receiver(SharedSecretCheck(checker, "shared_secret_required"))
    return lambda view: _wrap(receiver, view)
