"""Django integration: view decorators that verify the request before the view runs.

    from hookseal.django import hygraph_signature_required

    @hygraph_signature_required(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"], replay=hookseal.MemoryReplayGuard())
    def webhook(request):
        delivery = request.hookseal      # Verified
        ...

Sync and ``async def`` views alike (an async view stays async: Django runs it on the event loop
under ASGI). What was verified is in ``request.hookseal``. Failures answer in Hasura's error
shape ``{"message", "extensions": {"code"}}``. The decorated views are exempt from Django's CSRF
check: a webhook's sender (Hygraph, Hasura) has no CSRF token, and the signature or shared secret
is what proves the request.

Each decorator is a thin translation around hookseal's framework-neutral receiver
(``hookseal._receiver``): it reads ``request.method``, ``request.headers`` and ``request.body``,
lets the receiver check, claim, run the view and settle, and writes the answer as an
``HttpResponse``. ``MemoryReplayGuard`` remembers deliveries in one process only: under
``gunicorn -w 2`` or with several instances use ``RedisReplayGuard``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.datastructures import CaseInsensitiveMapping

from . import HEADER, HasuraAuthRequest, SecretInput, SharedSecretChecker, Verifier
from ._hasura import EVENT_DONE_TTL_SECS, RETRY_AFTER_SECS, HasuraActionCheck, HasuraAuthReceiver, HasuraEventCheck
from ._receiver import Answer, HygraphCheck, Incoming, Receiver, ReplayKeyBy, SharedSecretCheck
from .replay import ReplayGuard

__all__ = [
    "HooksealRequest",
    "hasura_action_required",
    "hasura_auth",
    "hasura_event_required",
    "hygraph_signature_required",
    "shared_secret_required",
]

F = TypeVar("F", bound=Callable[..., Any])
View = Callable[..., Any]
"""A Hasura view: it may return a plain value (the Action's output, the auth webhook's session),
which the decorator turns into the ``HttpResponse``."""


class HooksealRequest(HttpRequest):
    """For type checkers: the request a decorated view gets, with ``hookseal`` (what was verified:
    :class:`hookseal.Verified`, a :class:`hookseal.HasuraDelivery`, a :class:`hookseal.HasuraAction`,
    a :class:`hookseal.HasuraAuthRequest`, or None after a plain shared-secret check). Annotate a
    view's ``request`` with it; Django still passes its own request object."""

    hookseal: Any


def _headers(request: HttpRequest, header: str | None) -> Any:
    """``request.headers``; when the configured header name holds ``_``, the header Django files
    under the same name with ``-`` answers to it: Django (like CGI) keeps both spellings as one
    (``HTTP_ACTION_SECRET``), and ``request.headers`` shows it with ``-``."""
    if header is None or "_" not in header:
        return request.headers
    alias = header.replace("_", "-").lower()
    return CaseInsensitiveMapping({(header if k.lower() == alias else k): v for k, v in request.headers.items()})


def incoming(request: HttpRequest, header: str | None = None) -> Incoming | Answer:
    """A Django request as the receiver reads it: ``request.body`` is the raw body (read once and
    kept, so the view can read it again). ``header``: the shared-secret header's configured name.
    A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is answered 413 ``payload_too_large``."""
    try:
        body = request.body
    except RequestDataTooBig as e:
        return Answer.error(413, f"the request body is too large for this server: {e}", "payload_too_large")
    return Incoming(request.method or "GET", _headers(request, header), body)


def write(out: Any) -> Any:
    """hookseal's :class:`Answer` as an ``HttpResponse``; a view's own response unchanged."""
    if isinstance(out, Answer):
        return HttpResponse(out.body, status=out.status, headers=dict(out.headers))
    return out


def response_status(rv: Any) -> int | None:
    """The status of a Django response; None for anything else (a plain value: 200 JSON)."""
    return int(rv.status_code) if isinstance(rv, HttpResponseBase) else None


def _wrap(receiver: Receiver[Any], view: F, header: str | None = None) -> F:
    """``view`` behind ``receiver``: sync stays sync, ``async def`` stays async."""
    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def awrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            async def handler(value: Any) -> Any:
                request.hookseal = value  # type: ignore[attr-defined]
                return await view(request, *args, **kwargs)

            req = incoming(request, header)
            if isinstance(req, Answer):
                return write(req)
            return write(await receiver.arun(req, handler, response_status))

        awrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return awrapper  # type: ignore[return-value]

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        def handler(value: Any) -> Any:
            request.hookseal = value  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        req = incoming(request, header)
        if isinstance(req, Answer):
            return write(req)
        return write(receiver.run(req, handler, response_status))

    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
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
    """Verifies ``gcms-signature`` over the raw body; the view finds :class:`hookseal.Verified`
    in ``request.hookseal``. With ``replay``: a copy of a handled delivery answers 200
    ``{"duplicate": true}``, a copy while the first runs 409; a view that raises or answers
    non-2xx releases its claim so Hygraph's retry runs. Configuration errors raise here. ``replay_key="body"``
    keys the replay guard by the environment and the body instead of the signature."""
    verifier = Verifier(secret=secret, tolerance=tolerance, environments=environments)
    receiver = Receiver(
        HygraphCheck(verifier, header, "hookseal.django.hygraph_signature_required", replay_key), replay
    )
    return lambda view: _wrap(receiver, view)


def _warn_underscore(where: str, header: str) -> None:
    if "_" in header:
        warnings.warn(
            f"{where}(header={header!r}): WSGI servers (gunicorn, Django's runserver) and nginx drop "
            "header names with an underscore, so there every request would fail with missing_secret; "
            "configure Hasura to send a hyphenated name such as X-Action-Secret",
            stacklevel=3,
        )


def shared_secret_required(*, header: str, secret: SecretInput) -> Callable[[F], F]:
    """The Hasura shared-secret header must hold one of ``secret`` (any case, exactly once)."""
    checker = SharedSecretChecker(header=header, secret=secret)
    _warn_underscore("shared_secret_required", header)
    receiver = Receiver(SharedSecretCheck(checker, "hookseal.django.shared_secret_required"))
    return lambda view: _wrap(receiver, view, header)


def hasura_event_required(
    *,
    header: str,
    secret: SecretInput,
    replay: ReplayGuard | None = None,
    retry_after: int = RETRY_AFTER_SECS,
    done_ttl: int = EVENT_DONE_TTL_SECS,
) -> Callable[[View], View]:
    """Hasura Event Trigger and scheduled (cron, one-off) deliveries, run once. The view finds the
    :class:`hookseal.HasuraDelivery` in ``request.hookseal``.

    In order: the shared-secret ``header`` (401), the payload (400 ``malformed_payload``), then
    with ``replay`` the guard keyed by the delivery's id: a copy while the first runs → 409 with
    ``Retry-After: retry_after``; a copy of a done one → 200 ``{"duplicate": true}`` (view not
    called); the store down → 503 with ``Retry-After``. A 2xx answer marks it done for
    ``done_ttl`` seconds (default 7 days); a non-2xx answer or an exception releases the claim (an
    exception answers 500 ``handler_failed`` and is logged). A view that returns None answers 204."""
    _warn_underscore("hasura_event_required", header)
    check = HasuraEventCheck(
        header=header,
        secret=secret,
        retry_after=retry_after,
        done_ttl=done_ttl,
        where="hookseal.django.hasura_event_required",
    )
    receiver = Receiver(check, replay)
    return lambda view: _wrap(receiver, view, header)


def hasura_action_required(*, header: str, secret: SecretInput) -> Callable[[View], View]:
    """A Hasura Action. The view finds the :class:`hookseal.HasuraAction` in ``request.hookseal``
    and returns the Action's output (any JSON value: answered 200) or an ``HttpResponse`` of its
    own; raising :class:`hookseal.HasuraActionError` answers its 4xx ``{"message", "extensions"}``;
    any other exception answers 500 ``handler_failed`` (no internals in the body) and is logged
    on ``logging.getLogger("hookseal")``."""
    _warn_underscore("hasura_action_required", header)
    receiver = Receiver(HasuraActionCheck(header=header, secret=secret, where="hookseal.django.hasura_action_required"))
    return lambda view: _wrap(receiver, view, header)


def hasura_auth(
    *,
    mode: Literal["v2", "ddn"] = "v2",
    max_age: int | None = None,
    cache: object = None,
    clock: Callable[[], float] | None = None,
) -> Callable[[View], View]:
    """A Hasura auth webhook view (v2 or DDN; route it for GET and POST, Hasura's two forms)::

        @hasura_auth(mode="v2", max_age=60)
        def auth(request):
            token = request.hookseal.headers.get("authorization")     # HasuraAuthRequest
            return {"session": {"role": "user", "user_id": 42}} if ok(token) else None

    The view finds the :class:`hookseal.HasuraAuthRequest` in ``request.hookseal`` (the client's
    headers in any case: GET's own headers, POST's body ``headers``; v2 POST's GraphQL
    ``request``) and returns None → 401, or ``{"session": {...}, "max_age"?: N, "expires_at"?:
    epoch seconds | aware datetime}`` → 200 with the body Hasura reads; raising → 500
    ``handler_failed``; a session that cannot be written → 500 ``invalid_session``. Answers are
    only ever 200, 401 or 500 (400 for a POST body of the wrong shape). ``cache``: the
    receiver-side cache (memory, or Redis: a ``redis.asyncio`` client needs an ``async def`` view)."""
    receiver = HasuraAuthReceiver(
        mode=mode, max_age=max_age, cache=cache, clock=clock, where="hookseal.django.hasura_auth"
    )

    def decorate(view: View) -> View:
        if iscoroutinefunction(view):

            @functools.wraps(view)
            async def awrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                async def resolve(auth: HasuraAuthRequest) -> Any:
                    request.hookseal = auth  # type: ignore[attr-defined]
                    return await view(request, *args, **kwargs)

                req = incoming(request)
                if isinstance(req, Answer):
                    return write(req)
                return write(await receiver.arespond(req, resolve))

            awrapper.csrf_exempt = True  # type: ignore[attr-defined]
            return awrapper

        if receiver.cache is not None and receiver.cache.is_async:
            raise TypeError(
                "hookseal.django.hasura_auth: an asyncio cache store (redis.asyncio) needs an `async def` view; "
                "give a sync view a redis.Redis"
            )

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            def resolve(auth: HasuraAuthRequest) -> Any:
                request.hookseal = auth  # type: ignore[attr-defined]
                return view(request, *args, **kwargs)

            req = incoming(request)
            if isinstance(req, Answer):
                return write(req)
            return write(receiver.respond(req, resolve))

        wrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return wrapper

    return decorate
