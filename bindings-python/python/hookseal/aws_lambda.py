"""AWS Lambda integration: decorators for handlers behind API Gateway (REST API, payload format
1.0; HTTP API, payload format 2.0) or a Lambda function URL.

    from hookseal.aws_lambda import hygraph_signature_required

    @hygraph_signature_required(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"])
    def handler(event, context):
        delivery = event["hookseal"]        # Verified
        payload = json.loads(raw_body(event))
        return {"statusCode": 200, "body": "ok"}

The handler keeps its ``(event, context)`` signature and finds what was verified in
``event["hookseal"]`` (the event is a shallow copy; the caller's dict is not changed). It returns
a proxy answer (a dict with ``statusCode``), which goes out as it is, or any other JSON value,
which is answered as 200 JSON. hookseal's own answers are ``{"statusCode", "headers", "body",
"isBase64Encoded": false}`` with a JSON body in Hasura's error shape, which all three event
sources accept.

The request is read the way each source sends it: the body as text or base64
(``isBase64Encoded``), a 1.0 event's ``multiValueHeaders`` (every copy of a repeated header) over
its ``headers``, a 2.0 event's ``cookies`` array as one ``cookie`` header; header names in any case.
Each decorator is a thin translation around hookseal's framework-neutral receiver
(``hookseal._receiver``). Lambda's Python runtime calls handlers synchronously, so the handler
must be a plain ``def``.

``MemoryReplayGuard`` remembers deliveries inside one execution environment only, and Lambda
runs many at once and recycles them: with ``replay`` use ``RedisReplayGuard``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar

from . import HEADER, HasuraAuthHeaders, HasuraAuthRequest, SecretInput, SharedSecretChecker, Verifier
from ._hasura import EVENT_DONE_TTL_SECS, RETRY_AFTER_SECS, HasuraActionCheck, HasuraAuthReceiver, HasuraEventCheck
from ._receiver import Answer, HygraphCheck, Incoming, Receiver, ReplayKeyBy, SharedSecretCheck
from .replay import ReplayGuard

__all__ = [
    "hasura_action_required",
    "hasura_auth",
    "hasura_event_required",
    "hygraph_signature_required",
    "raw_body",
    "shared_secret_required",
]

F = TypeVar("F", bound=Callable[..., Any])


def _is_v2(event: Mapping[str, Any]) -> bool:
    return event.get("version") == "2.0"


def _method(event: Mapping[str, Any]) -> str:
    if _is_v2(event):
        http = (event.get("requestContext") or {}).get("http") or {}
        method = http.get("method")
    else:
        method = event.get("httpMethod") or (event.get("requestContext") or {}).get("httpMethod")
    if not isinstance(method, str) or not method:
        raise TypeError(
            "hookseal.aws_lambda: the event is not an API Gateway or function URL request "
            "(no httpMethod / requestContext.http.method)"
        )
    return method.upper()


def _headers(event: Mapping[str, Any]) -> HasuraAuthHeaders:
    pairs: list[tuple[str, str]] = []
    multi = None if _is_v2(event) else event.get("multiValueHeaders")
    if multi:
        # Payload 1.0: `headers` keeps only the last copy of a repeated header; this has every one.
        for name, values in multi.items():
            pairs.extend((str(name), str(v)) for v in (values or ()) if v is not None)
    else:
        for name, value in (event.get("headers") or {}).items():
            if value is not None:
                pairs.append((str(name), str(value)))
    cookies = event.get("cookies") if _is_v2(event) else None
    if cookies:
        # Payload 2.0 moves the Cookie header into its own array.
        pairs.append(("cookie", "; ".join(str(c) for c in cookies)))
    return HasuraAuthHeaders(pairs)


def raw_body(event: Mapping[str, Any]) -> bytes:
    """The request body as received: base64-decoded when ``isBase64Encoded``, else the text's
    UTF-8 bytes; ``b""`` when there is none. ``ValueError`` when the base64 is broken."""
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise TypeError("hookseal.aws_lambda: event['body'] must be a string or null")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as e:
            raise ValueError(f"the event's body is marked isBase64Encoded but is not base64: {e}") from None
    return body.encode("utf-8", "surrogatepass")


def incoming(event: Mapping[str, Any]) -> Incoming:
    """A Lambda proxy event as the receiver reads it."""
    if not isinstance(event, Mapping):
        raise TypeError(f"hookseal.aws_lambda: the event must be a dict, not {type(event).__name__}")
    return Incoming(_method(event), _headers(event), raw_body(event))


def write(out: Any) -> Any:
    """hookseal's :class:`Answer` as a proxy answer; the handler's own answer unchanged."""
    if isinstance(out, Answer):
        return {
            "statusCode": out.status,
            "headers": dict(out.headers),
            "body": out.body.decode("utf-8"),
            "isBase64Encoded": False,
        }
    return out


def response_status(rv: Any) -> int | None:
    """The status of a proxy answer (a dict with ``statusCode``); None for any other value,
    which the receiver answers as 200 JSON."""
    if isinstance(rv, Mapping) and "statusCode" in rv:
        return int(rv["statusCode"])
    return None


def _sync_only(handler: Callable[..., Any]) -> None:
    if inspect.iscoroutinefunction(handler):
        raise TypeError(
            f"hookseal.aws_lambda: {getattr(handler, '__name__', 'the handler')} is async; Lambda's Python "
            "runtime calls handlers synchronously, so decorate a plain `def handler(event, context)`"
        )


def _wrap(receiver: Receiver[Any], handler: F) -> F:
    _sync_only(handler)

    @functools.wraps(handler)
    def wrapper(event: Any, context: Any) -> Any:
        try:
            req = incoming(event)
        except ValueError as e:
            return write(Answer.error(400, str(e), "malformed_payload"))

        def call(value: Any) -> Any:
            return handler({**event, "hookseal": value}, context)

        return write(receiver.run(req, call, response_status))

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
    """Verifies ``gcms-signature`` over the raw body; the handler finds :class:`hookseal.Verified`
    in ``event["hookseal"]`` (and the body in :func:`raw_body`). With ``replay``: a copy of a
    handled delivery answers 200 ``{"duplicate": true}``, a copy while the first runs 409; a
    handler that raises or answers non-2xx releases its claim. Configuration errors raise here. ``replay_key="body"``
    keys the replay guard by the environment and the body instead of the signature."""
    verifier = Verifier(secret=secret, tolerance=tolerance, environments=environments)
    receiver = Receiver(
        HygraphCheck(verifier, header, "hookseal.aws_lambda.hygraph_signature_required", replay_key), replay
    )
    return lambda handler: _wrap(receiver, handler)


def shared_secret_required(*, header: str, secret: SecretInput) -> Callable[[F], F]:
    """The Hasura shared-secret header must hold one of ``secret`` (any case, exactly once)."""
    checker = SharedSecretChecker(header=header, secret=secret)
    receiver = Receiver(SharedSecretCheck(checker, "hookseal.aws_lambda.shared_secret_required"))
    return lambda handler: _wrap(receiver, handler)


def hasura_event_required(
    *,
    header: str,
    secret: SecretInput,
    replay: ReplayGuard | None = None,
    retry_after: int = RETRY_AFTER_SECS,
    done_ttl: int = EVENT_DONE_TTL_SECS,
) -> Callable[[F], F]:
    """Hasura Event Trigger and scheduled (cron, one-off) deliveries, run once. The handler finds
    the :class:`hookseal.HasuraDelivery` in ``event["hookseal"]``.

    In order: the shared-secret ``header`` (401), the payload (400 ``malformed_payload``), then
    with ``replay`` the guard keyed by the delivery's id: a copy while the first runs → 409 with
    ``Retry-After: retry_after``; a copy of a done one → 200 ``{"duplicate": true}`` (handler not
    called); the store down → 503 with ``Retry-After``. A 2xx answer marks it done for
    ``done_ttl`` seconds (default 7 days); a non-2xx answer or an exception releases the claim (an
    exception answers 500 ``handler_failed`` and is logged). A handler that returns None answers 204."""
    check = HasuraEventCheck(
        header=header,
        secret=secret,
        retry_after=retry_after,
        done_ttl=done_ttl,
        where="hookseal.aws_lambda.hasura_event_required",
    )
    receiver = Receiver(check, replay)
    return lambda handler: _wrap(receiver, handler)


def hasura_action_required(*, header: str, secret: SecretInput) -> Callable[[F], F]:
    """A Hasura Action. The handler finds the :class:`hookseal.HasuraAction` in ``event["hookseal"]``
    and returns the Action's output (any JSON value: answered 200) or a proxy answer of its own;
    raising :class:`hookseal.HasuraActionError` answers its 4xx ``{"message", "extensions"}``; any
    other exception answers 500 ``handler_failed`` (no internals in the body) and is logged on
    ``logging.getLogger("hookseal")``."""
    receiver = Receiver(
        HasuraActionCheck(header=header, secret=secret, where="hookseal.aws_lambda.hasura_action_required")
    )
    return lambda handler: _wrap(receiver, handler)


def hasura_auth(
    *,
    mode: Literal["v2", "ddn"] = "v2",
    max_age: int | None = None,
    cache: object = None,
    clock: Callable[[], float] | None = None,
) -> Callable[[F], F]:
    """A Hasura auth webhook handler (v2 or DDN, GET and POST forms)::

        @hasura_auth(mode="v2", max_age=60)
        def handler(event, context):
            token = event["hookseal"].headers.get("authorization")     # HasuraAuthRequest
            return {"session": {"role": "user", "user_id": 42}} if ok(token) else None

    The handler returns None → 401, or ``{"session": {...}, "max_age"?: N, "expires_at"?: epoch
    seconds | aware datetime}`` → 200 with the body Hasura reads; raising → 500 ``handler_failed``;
    a session that cannot be written → 500 ``invalid_session``. ``cache``: the receiver-side cache
    (in memory it lasts as long as the execution environment; a ``redis.Redis`` shares it)."""
    receiver = HasuraAuthReceiver(
        mode=mode, max_age=max_age, cache=cache, clock=clock, where="hookseal.aws_lambda.hasura_auth"
    )
    if receiver.cache is not None and receiver.cache.is_async:
        raise TypeError(
            "hookseal.aws_lambda.hasura_auth: Lambda handlers are sync; give the cache a redis.Redis, not redis.asyncio"
        )

    def decorate(handler: F) -> F:
        _sync_only(handler)

        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            try:
                req = incoming(event)
            except ValueError as e:
                return write(Answer.error(400, str(e), "malformed_payload"))

            def resolve(auth: HasuraAuthRequest) -> Any:
                return handler({**event, "hookseal": auth}, context)

            return write(receiver.respond(req, resolve))

        return wrapper  # type: ignore[return-value]

    return decorate
