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
from typing import Any, Literal, TypeVar, overload

from flask import current_app, g, make_response, request
from werkzeug.wrappers import Response

from . import HEADER, HasuraAuthRequest, SecretInput, SharedSecretChecker, Verifier
from ._hasura import (
    EVENT_DONE_TTL_SECS,
    RETRY_AFTER_SECS,
    AuthResult,
    HasuraActionCheck,
    HasuraAuthReceiver,
    HasuraEventCheck,
)
from ._receiver import Answer, HygraphCheck, Incoming, Receiver, ReplayKeyBy, SharedSecretCheck
from .replay import ReplayGuard

__all__ = [
    "hasura_action_required",
    "hasura_auth",
    "hasura_event_required",
    "hygraph_signature_required",
    "shared_secret_required",
]

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
    """A response's status; None for a plain value."""
    return int(rv.status_code) if isinstance(rv, Response) else None


def _as_response(rv: Any) -> Any:
    """Every view result as a Flask response (Flask's own rules)."""
    return make_response(rv)


def _none_or_response(rv: Any) -> Any:
    """An event view may return None (answered 204); anything else is Flask's."""
    return None if rv is None else make_response(rv)


def _value_or_response(rv: Any) -> Any:
    """An Action view returns the Action's output (any JSON value, answered 200) or a response."""
    return make_response(rv) if isinstance(rv, (Response, tuple)) else rv


def _wrap(receiver: Receiver[Any], view: F, convert: Callable[[Any], Any] = _as_response) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        def handler(value: Any) -> Any:
            g.hookseal = value
            return convert(_call(view, args, kwargs))

        return write(receiver.run(incoming(), handler, response_status))

    return wrapper  # type: ignore[return-value]


def hygraph_signature_required(
    *,
    secret: SecretInput,
    tolerance: int | None = 300,
    environments: Iterable[str] | None = None,
    replay: ReplayGuard | None = None,
    header: str = HEADER,
    replay_key: ReplayKeyBy = "signature",
) -> Callable[[F], F]:
    """Verifies ``gcms-signature`` over the raw body; the view finds :class:`Verified` in
    ``flask.g.hookseal``. Configuration errors raise here, at import time. ``replay_key="body"``
    keys the replay guard by the environment and body instead of the signature."""
    verifier = Verifier(secret=secret, tolerance=tolerance, environments=environments)
    receiver = Receiver(HygraphCheck(verifier, header, "hygraph_signature_required", replay_key), replay)
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


def _warn_underscore(where: str, header: str) -> None:
    if "_" in header:
        warnings.warn(
            f"{where}(header={header!r}): WSGI servers (werkzeug, gunicorn) and nginx drop header names with an "
            "underscore, so every request would fail with missing_secret; configure Hasura to send a hyphenated "
            "name such as X-Hasura-Event-Secret",
            stacklevel=3,
        )


def hasura_event_required(
    *,
    header: str,
    secret: SecretInput,
    replay: ReplayGuard | None = None,
    retry_after: int = RETRY_AFTER_SECS,
    done_ttl: int = EVENT_DONE_TTL_SECS,
) -> Callable[[F], F]:
    """Hasura Event Trigger and scheduled (cron, one-off) deliveries, run once. The view finds the
    :class:`hookseal.HasuraDelivery` in ``flask.g.hookseal``.

    In order: the shared-secret ``header`` (401), the payload (400 ``malformed_payload``), then
    with ``replay`` the guard keyed by the delivery's id: a copy while the first runs → 409 with
    ``Retry-After: retry_after``; a copy of a done one → 200 ``{"duplicate": true}`` (view not
    called); the store down → 503 with ``Retry-After``. A 2xx answer marks it done for
    ``done_ttl`` seconds (default 7 days); a non-2xx answer or an exception releases the claim (an
    exception answers 500 ``handler_failed`` and is logged). A view that returns None answers 204."""
    _warn_underscore("hasura_event_required", header)
    check = HasuraEventCheck(header=header, secret=secret, retry_after=retry_after, done_ttl=done_ttl)
    receiver = Receiver(check, replay)
    return lambda view: _wrap(receiver, view, _none_or_response)


def hasura_action_required(*, header: str, secret: SecretInput) -> Callable[[F], F]:
    """A Hasura Action. The view finds the :class:`hookseal.HasuraAction` in ``flask.g.hookseal``
    and returns the Action's output (any JSON value: answered 200) or a response of its own;
    raising :class:`hookseal.HasuraActionError` answers its 4xx ``{"message", "extensions"}``;
    any other exception answers 500 ``handler_failed`` (no internals in the body) and is logged
    on ``logging.getLogger("hookseal")``."""
    _warn_underscore("hasura_action_required", header)
    receiver = Receiver(HasuraActionCheck(header=header, secret=secret))
    return lambda view: _wrap(receiver, view, _value_or_response)


FlaskResolve = Callable[[HasuraAuthRequest], Any]


@overload
def hasura_auth(
    resolve: FlaskResolve,
    *,
    mode: Literal["v2", "ddn"] = ...,
    max_age: int | None = ...,
    cache: object = ...,
    clock: Callable[[], float] | None = ...,
) -> Callable[..., Any]: ...
@overload
def hasura_auth(
    resolve: None = ...,
    *,
    mode: Literal["v2", "ddn"] = ...,
    max_age: int | None = ...,
    cache: object = ...,
    clock: Callable[[], float] | None = ...,
) -> Callable[[FlaskResolve], Callable[..., Any]]: ...
def hasura_auth(
    resolve: FlaskResolve | None = None,
    *,
    mode: Literal["v2", "ddn"] = "v2",
    max_age: int | None = None,
    cache: object = None,
    clock: Callable[[], float] | None = None,
) -> Callable[..., Any]:
    """A Hasura auth webhook view (v2 or DDN, GET and POST forms) around ``resolve``::

        @app.route("/auth", methods=["GET", "POST"])
        @hookseal.flask.hasura_auth(mode="v2", max_age=60)
        def auth(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None: ...

    ``resolve(auth)`` (sync, or ``async def`` with ``flask[async]``) returns None → 401, or
    ``{"session": {...}, "max_age"?: N, "expires_at"?: epoch seconds | aware datetime}`` → 200 with
    the body Hasura reads; it raising → 500 ``handler_failed``. ``cache``: memory or a sync
    ``redis.Redis`` (see the docs)."""
    receiver = HasuraAuthReceiver(mode=mode, max_age=max_age, cache=cache, clock=clock, where="hasura_auth")
    if receiver.cache is not None and receiver.cache.is_async:
        raise TypeError(
            "hookseal.flask.hasura_auth: Flask views are sync; give the cache a redis.Redis, not redis.asyncio"
        )

    def build(fn: FlaskResolve) -> Callable[..., Any]:
        @functools.wraps(fn)
        def view(*args: Any, **kwargs: Any) -> Any:
            run = current_app.ensure_sync(fn)

            def call(auth: HasuraAuthRequest) -> AuthResult:
                result: AuthResult = run(auth)
                return result

            return write(receiver.respond(incoming(), call))

        return view

    return build(resolve) if resolve is not None else build
