"""hookseal: prove that a webhook request really came from the service you trust.

Hygraph signed webhooks (``gcms-signature``) and Hasura shared-secret headers, verified by the
same Rust core as the Node package: byte-exact with ``@hygraph/utils``, constant time, with a
time window, secret rotation and a retry-safe replay guard.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from . import _hookseal
from ._errors import ReplayStoreError, WebhookVerificationError
from .replay import MemoryReplayGuard, RedisReplayGuard, ReplayGuard

__all__ = [
    "HEADER",
    "HasuraAction",
    "HasuraActionError",
    "HasuraAuthHeaders",
    "HasuraAuthRequest",
    "HasuraDelivery",
    "HasuraEvent",
    "HasuraScheduledEvent",
    "MemoryReplayGuard",
    "RedisReplayGuard",
    "ReplayGuard",
    "ReplayStoreError",
    "Verified",
    "WebhookVerificationError",
    "assert_shared_secret",
    "generate_webhook_signature",
    "hasura_action_error",
    "hasura_auth_response",
    "parse_hasura_action",
    "parse_hasura_delivery",
    "parse_hasura_event",
    "verify",
    "verify_shared_secret",
    "verify_webhook_signature",
]

HEADER: str = _hookseal.HEADER
"""The name of Hygraph's signature header, ``gcms-signature``."""

SecretInput = str | bytes | Iterable[str | bytes]
"""One secret, or several (rotation: every one verifies; the index of the match is reported)."""

HeadersLike = Mapping[str, Any] | Any
"""Request headers: a dict, Starlette ``Headers``, Werkzeug ``Headers``/``EnvironHeaders``; any
object with ``items()`` (and, for repeated headers, ``getlist``)."""


def _secrets(secret: object) -> tuple[bytes, ...]:
    """Secrets as bytes. A missing secret is a configuration error, raised at once."""
    if secret is None:
        raise TypeError("secret is required (None given: is the environment variable set?)")
    if isinstance(secret, str):
        items: list[object] = [secret]
    elif isinstance(secret, (bytes, bytearray)):
        items = [bytes(secret)]
    elif isinstance(secret, Iterable):
        items = list(secret)
        if not items:
            raise ValueError("secret: the list of secrets is empty")
    else:
        raise TypeError(f"secret must be str, bytes or a list of them, not {type(secret).__name__}")
    out = []
    for s in items:
        if s is None:
            raise TypeError("secret is required (None given: is the environment variable set?)")
        if isinstance(s, str):
            out.append(s.encode("utf-8"))
        elif isinstance(s, (bytes, bytearray)):
            out.append(bytes(s))
        else:
            raise TypeError(f"secret must be str or bytes, not {type(s).__name__}")
    return tuple(out)


@functools.lru_cache(maxsize=32)
def _drop_in(secrets: tuple[bytes, ...]) -> _hookseal.DropIn:
    return _hookseal.DropIn(list(secrets))


@functools.lru_cache(maxsize=32)
def _strict(
    secrets: tuple[bytes, ...], tolerance: int | None, environments: tuple[str, ...] | None
) -> _hookseal.StrictVerifier:
    return _hookseal.StrictVerifier(list(secrets), tolerance, list(environments) if environments is not None else None)


def _payload(value: object, name: str) -> str | bytes | None:
    if value is None or isinstance(value, (str, bytes)):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{name} must be str or bytes, not {type(value).__name__}")


# ---------------------------------------------------------------- drop-in (contract §2a)


def verify_webhook_signature(
    *, signature: object, secret: SecretInput, body: Any = None, raw_payload: str | bytes | None = None
) -> bool:
    """``verifyWebhookSignature`` of ``@hygraph/utils``, with the same answers: ``True`` when the
    header's MAC matches ``raw_payload or JSON.stringify(body)``. No time window (use
    :func:`verify` for that). A missing, malformed or non-string ``signature`` is ``False``;
    a missing or empty ``secret`` raises at once.

    ``body`` is what ``json.loads`` returns; it is serialized exactly as Node would.
    """
    engine = _drop_in(_secrets(secret))
    raw = _payload(raw_payload, "raw_payload")
    if not isinstance(signature, str):
        return False
    return engine.verify(signature, raw, body)


def generate_webhook_signature(
    *,
    secret: str | bytes,
    body: Any = None,
    raw_payload: str | bytes | None = None,
    environment_name: str = "master",
    timestamp: int | float | None = None,
) -> str:
    """``generateWebhookSignature``: the ``gcms-signature`` value Hygraph would send.
    ``timestamp`` in milliseconds (default: now)."""
    (first, *_) = _secrets(secret)
    if not isinstance(environment_name, str):
        raise TypeError("environment_name must be str")
    t = float(time.time() * 1000 // 1) if timestamp is None else float(timestamp)
    return _hookseal.generate(first, _payload(raw_payload, "raw_payload"), body, environment_name, t)


# ---------------------------------------------------------------- strict (contract §2b)


@dataclass(frozen=True)
class Verified:
    """A delivery that passed every check."""

    environment: str
    """The environment named in the header."""
    timestamp: int
    """``t`` from the header, milliseconds since the Unix epoch."""
    secret_index: int
    """Which configured secret matched."""
    replay_key: str = ""
    """The replay-guard key of this delivery: lower-case hex SHA-256 of the header's ``sign``
    value (a shared store writes it under the prefix ``hookseal:replay:``)."""


# Beyond these the core's u64 milliseconds overflow; a clear ValueError instead of OverflowError.
_MAX_NOW_S = (2**64 - 1) // 1000
_MAX_TOLERANCE_S = (2**64 - 1) // 1000


def _now_ms(now: object) -> int:
    if now is None:
        return time.time_ns() // 1_000_000
    if isinstance(now, _dt.datetime):
        if now.tzinfo is None:
            raise ValueError("now: use an aware datetime (with tzinfo), not a naive one")
        return int(now.timestamp() * 1000)
    if isinstance(now, (int, float)) and not isinstance(now, bool):
        if not math.isfinite(now) or now < 0 or now > _MAX_NOW_S:
            raise ValueError("now must be finite, non-negative epoch seconds")
        return int(now * 1000)
    raise TypeError("now must be epoch seconds (int/float) or an aware datetime")


def _tolerance(tolerance: object) -> int | None:
    if tolerance is None:
        return None
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)):
        raise TypeError("tolerance must be seconds (int) or None")
    if tolerance < 0:
        raise ValueError("tolerance must not be negative (None turns the window off)")
    if not math.isfinite(tolerance) or tolerance > _MAX_TOLERANCE_S:
        raise ValueError("tolerance must be a finite number of seconds (None turns the window off)")
    return int(tolerance)


def _environments(environments: object) -> tuple[str, ...] | None:
    if environments is None:
        return None
    if isinstance(environments, str):
        return (environments,)
    if not isinstance(environments, Iterable):
        raise TypeError("environments must be a list of str")
    envs: tuple[object, ...] = tuple(environments)
    if not all(isinstance(e, str) for e in envs):
        raise TypeError("environments must be a list of str")
    return envs  # type: ignore[return-value]


class Verifier:
    """Strict verification built once (configuration errors raise here, not per request)."""

    def __init__(
        self, *, secret: SecretInput, tolerance: int | None = 300, environments: Iterable[str] | None = None
    ) -> None:
        self._engine = _strict(_secrets(secret), _tolerance(tolerance), _environments(environments))

    def verify(
        self, raw_body: str | bytes | bytearray | memoryview, signature: str | None, *, now: object = None
    ) -> Verified:
        raw = _payload(raw_body, "raw_body")
        if raw is None:
            raise TypeError("raw_body is required (b'' for an empty body)")
        if signature is not None and not isinstance(signature, str):
            raise WebhookVerificationError("the signature header is not text", "malformed_signature")
        env, ts, index, key = self._engine.verify(raw, signature, _now_ms(now))
        return Verified(env, ts, index, key)

    @property
    def done_ttl_ms(self) -> int:
        """How long an accepted delivery is remembered by a replay guard (the whole window)."""
        return self._engine.done_ttl_ms()


def verify(
    raw_body: str | bytes | bytearray | memoryview,
    signature: str | None,
    *,
    secret: SecretInput,
    tolerance: int | None = 300,
    now: float | _dt.datetime | None = None,
    environments: Iterable[str] | None = None,
) -> Verified:
    """Verifies a Hygraph delivery strictly: the raw body as received, the ``gcms-signature``
    header, one or more secrets, a time window of ``tolerance`` seconds both ways (``None``:
    off) and optionally the allowed environments. Raises :class:`WebhookVerificationError`."""
    return Verifier(secret=secret, tolerance=tolerance, environments=environments).verify(raw_body, signature, now=now)


# ---------------------------------------------------------------- shared secret (contract §3)


def _header_values(headers: HeadersLike, name: str) -> list[bytes]:
    lname = name.lower()
    getlist = getattr(headers, "getlist", None) or getattr(headers, "get_all", None)
    values: list[object] = []
    if callable(getlist):
        # Starlette Headers / Werkzeug headers: every value of a repeated header.
        values = list(getlist(name))
        if not values and lname != name:
            values = list(getlist(lname))
    else:
        for k, v in headers.items():
            if isinstance(k, str) and k.lower() == lname:
                values.extend(v if isinstance(v, (list, tuple)) else [v])
    out = []
    for v in values:
        if isinstance(v, str):
            out.append(v.encode("utf-8", "surrogateescape"))
        elif isinstance(v, (bytes, bytearray)):
            out.append(bytes(v))
        elif v is not None:
            out.append(str(v).encode("utf-8"))
    return out


@functools.lru_cache(maxsize=32)
def _shared(header: str, secrets: tuple[bytes, ...]) -> _hookseal.SharedSecret:
    return _hookseal.SharedSecret(header, list(secrets))


class SharedSecretChecker:
    """A shared-secret header check built once (configuration errors raise here)."""

    def __init__(self, *, header: str, secret: SecretInput) -> None:
        if not isinstance(header, str):
            raise TypeError("header must be the header's name (str)")
        self._engine = _shared(header, _secrets(secret))
        self.header = header

    def check(self, headers: HeadersLike) -> None:
        self._engine.check(_header_values(headers, self.header))


def assert_shared_secret(headers: HeadersLike, *, header: str, secret: SecretInput) -> None:
    """Raises :class:`WebhookVerificationError` (``missing_secret`` / ``secret_mismatch``) unless
    ``headers`` hold one of the secrets in ``header`` (any case, exactly once)."""
    SharedSecretChecker(header=header, secret=secret).check(headers)


def verify_shared_secret(headers: HeadersLike, *, header: str, secret: SecretInput) -> bool:
    """``True`` when ``headers`` hold one of the secrets in ``header``; compared in constant time."""
    try:
        assert_shared_secret(headers, header=header, secret=secret)
    except WebhookVerificationError:
        return False
    return True


# ---------------------------------------------------------------- Hasura helpers (contract §6)


def hasura_action_error(message: str, code: str, status: int = 400) -> tuple[dict[str, Any], int]:
    """The error an Action handler returns: ``({"message", "extensions": {"code"}}, status)``."""
    return json.loads(_hookseal.hasura_error_body(message, code)), status


class HasuraActionError(Exception):
    """Raise it in an Action handler (``hookseal.fastapi.HasuraActionCall``,
    ``hookseal.flask.hasura_action_required``, ...) to answer the GraphQL client with an error:
    ``status`` (a 4xx: Hasura passes only a 4xx answer's message and ``extensions`` to the client;
    a 5xx becomes its generic "internal error") and ``{"message", "extensions": {"code", ...}}``.
    ``extensions`` adds keys beside ``code``."""

    message: str
    code: str
    status: int
    extensions: dict[str, Any]

    def __init__(self, message: str, code: str, status: int = 400, extensions: Mapping[str, Any] | None = None) -> None:
        if not isinstance(message, str) or not isinstance(code, str) or not code:
            raise TypeError("HasuraActionError(message: str, code: str, ...): code must be a non-empty str")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 499:
            raise ValueError(
                f"HasuraActionError status must be a 4xx, not {status!r}: Hasura shows the client only a 4xx "
                "answer's message; anything else becomes its generic internal error"
            )
        if extensions is not None and not isinstance(extensions, Mapping):
            raise TypeError("extensions must be a mapping (dict)")
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.extensions = dict(extensions or {})

    def body(self) -> dict[str, Any]:
        """The answer's JSON: ``{"message", "extensions": {..., "code"}}`` (``code`` wins)."""
        return {"message": self.message, "extensions": {**self.extensions, "code": self.code}}

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.code, self.status, self.extensions))


def hasura_auth_response(
    session: Mapping[str, str | int | float | bool], max_age: int | None = None, expires: object = None
) -> dict[str, str]:
    """The body of an auth-webhook answer: ``X-Hasura-*`` keys (``role`` → ``X-Hasura-Role``;
    role required; ``user_id``, ``userId``, ``User-Id`` and ``x-hasura-user-id`` all become
    ``X-Hasura-User-Id``), every value a string, plus ``Cache-Control: max-age=N`` or
    ``Expires`` in the body, where Hasura's auth cache reads them. Two keys naming the same
    variable raise ``ValueError``. Keep ``max_age`` shorter than the user's token lifetime."""
    if isinstance(expires, _dt.datetime):
        if expires.tzinfo is None:
            raise ValueError("expires: use an aware datetime")
        expires = int(expires.timestamp())
    elif expires is not None and not isinstance(expires, int):
        raise TypeError("expires must be an aware datetime or epoch seconds")
    answer: dict[str, str] = json.loads(_hookseal.hasura_auth_response(list(session.items()), max_age, expires))
    return answer


@dataclass(frozen=True)
class HasuraAction:
    """A Hasura Action call."""

    name: str
    input: dict[str, Any]
    session_variables: dict[str, str]
    request_query: str | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class HasuraEvent:
    """A Hasura Event Trigger delivery."""

    op: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    table: str
    schema: str
    trigger: str
    id: str | None
    session_variables: dict[str, str] | None
    raw: dict[str, Any]
    delivery_info: dict[str, Any] | None = None
    """``{"current_retry", "max_retries"}`` (``current_retry`` restarts at 0 on a redelivery:
    it is no dedupe key; the delivery's ``id`` is)."""
    created_at: str | None = None


@dataclass(frozen=True)
class HasuraScheduledEvent:
    """A Hasura cron or one-off scheduled event delivery."""

    id: str
    scheduled_time: str
    payload: Any
    """The JSON configured on the trigger or event (None when none was)."""
    name: str | None
    """The cron trigger's name (None for a one-off event)."""
    comment: str | None
    created_at: str | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class HasuraDelivery:
    """An Event Trigger or scheduled event delivery, as the Hasura event wrappers hand it over.
    ``kind`` tells which; ``event`` / ``scheduled`` is the typed view of that kind (the other is
    None); ``payload`` is the whole body as parsed JSON."""

    kind: Literal["event", "scheduled"]
    id: str
    """Hasura's id of the delivery: the same on every retry and redelivery (the replay key)."""
    payload: dict[str, Any]
    event: HasuraEvent | None
    scheduled: HasuraScheduledEvent | None
    replay_key: str = ""
    """The replay-guard key: ``hasura:`` + hex SHA-256 of ``id`` (never a Hygraph key)."""


class HasuraAuthHeaders(Mapping[str, str]):
    """The client headers an auth webhook got: a read-only mapping whose names match in any case.
    A header sent more than once reads as its values joined with ``", "`` (as Fetch's
    ``Headers.get``); :meth:`getlist` gives each value."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = [(str(k), str(v)) for k, v in pairs]
        self._names: dict[str, str] = {}
        for k, _ in self._pairs:
            self._names.setdefault(k.lower(), k)

    def getlist(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self._pairs if k.lower() == lname]

    def __getitem__(self, name: str) -> str:
        values = self.getlist(name) if isinstance(name, str) else []
        if not values:
            raise KeyError(name)
        return ", ".join(values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._names)

    def items_all(self) -> list[tuple[str, str]]:
        """Every ``(name, value)`` as received, repeated headers once per value."""
        return list(self._pairs)

    def __repr__(self) -> str:
        return f"HasuraAuthHeaders({sorted(self._names)!r})"  # names only: values may be credentials


@dataclass(frozen=True)
class HasuraAuthRequest:
    """What an auth webhook's ``resolve`` gets: the client's ``headers`` (GET: the request's own
    headers; POST: the body's ``headers``), the GraphQL ``request`` (v2 POST; None otherwise),
    the HTTP ``method`` and the ``mode`` (``"v2"`` or ``"ddn"``)."""

    method: str
    headers: HasuraAuthHeaders
    request: dict[str, Any] | None
    mode: Literal["v2", "ddn"]


def _json_bytes(body: object) -> bytes:
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        # A lone surrogate (as a JS string may hold) goes on as WTF-8, which the core and
        # json.loads (surrogatepass for bytes) both read, instead of a UnicodeEncodeError.
        return body.encode("utf-8", "surrogatepass")
    if isinstance(body, Mapping):
        return json.dumps(body).encode("utf-8")
    raise TypeError("body must be bytes, str or a dict")


def parse_hasura_action(body: bytes | str | Mapping[str, Any]) -> HasuraAction:
    """Typed access to an Action payload; ``malformed_payload`` names the missing field."""
    raw = _json_bytes(body)
    _hookseal.hasura_check("action", raw)
    doc = json.loads(raw)
    return HasuraAction(
        name=doc["action"]["name"],
        input=doc.get("input") or {},
        session_variables=doc.get("session_variables") or {},
        request_query=doc.get("request_query"),
        raw=doc,
    )


def parse_hasura_event(body: bytes | str | Mapping[str, Any]) -> HasuraEvent:
    """Typed access to an Event Trigger payload; ``malformed_payload`` names the missing field."""
    raw = _json_bytes(body)
    _hookseal.hasura_check("event", raw)
    return _event_of(json.loads(raw))


def parse_hasura_delivery(body: bytes | str | Mapping[str, Any]) -> HasuraDelivery:
    """An Event Trigger or a scheduled (cron, one-off) event payload, typed, with ``kind`` telling
    which; another shape raises ``malformed_payload``."""
    return _delivery_of(_json_bytes(body))


def _delivery_of(raw: bytes) -> HasuraDelivery:
    kind, delivery_id, key = _hookseal.hasura_delivery(raw)
    doc = json.loads(raw)
    if kind == "event":
        return HasuraDelivery("event", delivery_id, doc, _event_of(doc), None, key)
    scheduled = HasuraScheduledEvent(
        id=delivery_id,
        scheduled_time=doc["scheduled_time"],
        payload=doc.get("payload"),
        name=doc.get("name"),
        comment=doc.get("comment"),
        created_at=doc.get("created_at"),
        raw=doc,
    )
    return HasuraDelivery("scheduled", delivery_id, doc, None, scheduled, key)


def _event_of(doc: dict[str, Any]) -> HasuraEvent:
    event = doc["event"]
    data = event.get("data") or {}
    return HasuraEvent(
        op=event["op"],
        old=data.get("old"),
        new=data.get("new"),
        table=doc["table"]["name"],
        schema=doc["table"].get("schema", "public"),
        trigger=doc["trigger"]["name"],
        id=doc.get("id"),
        session_variables=event.get("session_variables"),
        raw=doc,
        delivery_info=doc.get("delivery_info"),
        created_at=doc.get("created_at"),
    )
