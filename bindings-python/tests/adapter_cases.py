"""The shared vectors as requests to a framework adapter (Django, AWS Lambda): what to send, how
to build the handler a case asks for, and what the answer must be. Each adapter's test file only
says how to send a request through its framework and read the answer back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import hookseal
import pytest
from conftest import load
from hookseal import _hookseal
from hookseal.replay import new_token

STRICT: list[dict[str, Any]] = load("strict.json")["cases"]
SHARED: list[dict[str, Any]] = load("shared-secret.json")["cases"]
try:
    _WRAPPERS: dict[str, Any] = load("hasura-wrappers.json")
except FileNotFoundError:  # pragma: no cover - written by the core's generator
    _WRAPPERS = {"event": [], "action": [], "auth": []}
EVENT: list[dict[str, Any]] = _WRAPPERS["event"]
ACTION: list[dict[str, Any]] = _WRAPPERS["action"]
AUTH: list[dict[str, Any]] = _WRAPPERS["auth"]


def ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in cases]


@dataclass
class Reply:
    """An answer as the client got it: status, headers (lower-case names), body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def code(self) -> str | None:
        try:
            doc = self.json()
        except ValueError:
            return None
        ext = doc.get("extensions") if isinstance(doc, dict) else None
        return ext.get("code") if isinstance(ext, dict) else None


@dataclass
class Request:
    method: str
    headers: dict[str, Any]
    body: bytes


# ---------------------------------------------------------------- Hygraph strict.json


def pin_clock(monkeypatch: pytest.MonkeyPatch, now_ms: int) -> None:
    """The verifier's clock reads ``now_ms`` (the vector's ``now``), as the other faces pin it."""
    monkeypatch.setattr(hookseal, "_now_ms", lambda now=None: now_ms)


def strict_options(case: dict[str, Any]) -> dict[str, Any]:
    opts: dict[str, Any] = {"secret": case["secrets"], "tolerance": case["tolerance"]}
    if case["environments"] is not None:
        opts["environments"] = case["environments"]
    return opts


def strict_request(case: dict[str, Any]) -> Request:
    body = bytes.fromhex(case["bodyHex"]) if "bodyHex" in case else case["body"].encode("utf-8")
    headers: dict[str, Any] = {"content-type": "application/json"}
    if case["header"] is not None:
        headers["gcms-signature"] = case["header"]
    return Request("POST", headers, body)


def check_strict(case: dict[str, Any], reply: Reply, seen: list[Any]) -> None:
    expect = case["expect"]
    if "error" in expect:
        assert (reply.status, reply.code()) == (401, expect["error"]), reply
        assert seen == []
    else:
        assert reply.status == 200, reply
        (v,) = seen
        assert isinstance(v, hookseal.Verified)
        assert (v.environment, v.timestamp, v.secret_index) == (
            expect["environment"],
            expect["timestamp"],
            expect["secretIndex"],
        )


# ---------------------------------------------------------------- shared-secret.json


def shared_request(case: dict[str, Any]) -> Request:
    return Request("POST", dict(case["headers"]), b"{}")


def check_shared(case: dict[str, Any], reply: Reply, seen: list[Any]) -> None:
    if case["expect"] == "ok":
        assert reply.status == 200, reply
        assert len(seen) == 1
    else:
        assert (reply.status, reply.code()) == (401, case["expect"]), reply
        assert seen == []


# ---------------------------------------------------------------- hasura-wrappers.json


def request_of(case: dict[str, Any]) -> Request:
    r = case["request"]
    body = r.get("body")
    return Request(r["method"], dict(r["headers"]), body.encode("utf-8") if isinstance(body, str) else b"")


class DownGuard:
    """A replay guard whose store is unreachable: every call fails (the vectors' ``store: down``)."""

    def _down(self) -> Any:
        raise hookseal.ReplayStoreError("the replay store is down (test)")

    def claim(self, key: str, processing_ttl_ms: int | None = None, *, token: str) -> Any:
        return self._down()

    def complete(self, key: str, done_ttl_ms: int, *, token: str) -> Any:
        return self._down()

    def release(self, key: str, *, token: str) -> Any:
        return self._down()

    async def aclaim(self, key: str, processing_ttl_ms: int | None = None, *, token: str) -> Any:
        return self._down()

    async def acomplete(self, key: str, done_ttl_ms: int, *, token: str) -> Any:
        return self._down()

    async def arelease(self, key: str, *, token: str) -> Any:
        return self._down()


def event_key(case: dict[str, Any]) -> str | None:
    """The delivery's replay key, from the core (None when the body is not a delivery)."""
    try:
        _, _, key = _hookseal.hasura_delivery(request_of(case).body)
    except hookseal.WebhookVerificationError:
        return None
    return key


GUARDS = ["memory", "redis"]


def event_guard(case: dict[str, Any], kind: str = "memory", redis_url: str | None = None) -> Any:
    """The replay guard in the state the case starts from (None: no ``replay`` option): a
    ``MemoryReplayGuard``, or a ``RedisReplayGuard`` on a real Redis (sync redis-py, which the
    async paths call off the event loop) under a prefix of the case's own."""
    store = case["store"]
    if store == "none":
        return None
    if store == "down":
        return DownGuard()
    guard: Any = hookseal.MemoryReplayGuard()
    if kind == "redis":
        import redis

        assert redis_url
        prefix = f"hookseal-test:{new_token()}:"
        guard = hookseal.RedisReplayGuard(redis.Redis.from_url(redis_url), prefix)
    key = event_key(case)
    if store in ("processing", "done"):
        assert key is not None
        token = new_token()
        assert guard.claim(key, token=token) == "new"
        if store == "done":
            guard.complete(key, 60_000, token=token)
    return guard


def guard_state(guard: Any, key: str) -> str:
    """absent / processing / done, read by claiming under a fresh token."""
    state = guard.claim(key, token=new_token())
    return {"new": "absent", "in_progress": "processing", "done": "done"}[state]


def event_options(case: dict[str, Any]) -> dict[str, Any]:
    opts: dict[str, Any] = {"header": case["options"]["header"], "secret": case["options"]["secret"]}
    if "retryAfter" in case["options"]:
        opts["retry_after"] = case["options"]["retryAfter"]
    return opts


def check_event(case: dict[str, Any], reply: Reply, seen: list[Any], guard: Any) -> None:
    expect = case["expect"]
    assert reply.status == expect["status"], (reply, expect)
    for name, value in expect.get("headers", {}).items():
        assert reply.headers.get(name) == value, (name, reply.headers)
    if "code" in expect:
        assert reply.code() == expect["code"], reply
    if "body" in expect:
        assert reply.json() == expect["body"], reply
    assert bool(seen) == expect["handlerCalled"]
    if seen:
        (delivery,) = seen
        assert isinstance(delivery, hookseal.HasuraDelivery)
        kind, id_, _ = _hookseal.hasura_delivery(request_of(case).body)
        assert (delivery.kind, delivery.id) == (kind, id_)
    if "after" in expect and isinstance(guard, (hookseal.MemoryReplayGuard, hookseal.RedisReplayGuard)):
        key = event_key(case)
        if key is not None:
            assert guard_state(guard, key) == expect["after"]


def action_result(case: dict[str, Any]) -> Any:
    """What the Action handler does: return the value, or raise."""
    handler = case["handler"]
    if handler == "throw":
        raise RuntimeError("database password is hunter2 (a detail no answer may show)")
    if "actionError" in handler:
        e = handler["actionError"]
        raise hookseal.HasuraActionError(e["message"], e["code"], e.get("status", 400))
    return handler["return"]


def check_action(case: dict[str, Any], reply: Reply, seen: list[Any]) -> None:
    expect = case["expect"]
    assert reply.status == expect["status"], (reply, expect)
    if "code" in expect:
        assert reply.code() == expect["code"], reply
    if "body" in expect:
        assert reply.json() == expect["body"], reply
    assert b"hunter2" not in reply.body
    got = expect.get("handlerGot")
    if got is None:  # refused before the handler
        assert seen == []
    else:
        (action,) = seen
        assert isinstance(action, hookseal.HasuraAction)
        assert (action.name, action.input) == (got["name"], got["input"])


def auth_options(case: dict[str, Any]) -> dict[str, Any]:
    opts: dict[str, Any] = {"mode": case["options"]["mode"]}
    if "maxAge" in case["options"]:
        opts["max_age"] = case["options"]["maxAge"]
    return opts


def auth_result(case: dict[str, Any], now: float) -> Any:
    """What ``resolve`` returns for the case (``now``: the pinned clock, epoch seconds)."""
    resolve = case["resolve"]
    if resolve is None:
        return None
    if resolve == "throw":
        raise RuntimeError("token Bearer abc.def.ghi is not in the database")
    out: dict[str, Any] = {"session": resolve["session"]}
    if "maxAge" in resolve:
        out["max_age"] = resolve["maxAge"]
    if "expiresIn" in resolve:
        out["expires_at"] = now + resolve["expiresIn"]
    return out


def check_auth(case: dict[str, Any], reply: Reply, seen: list[Any]) -> None:
    expect = case["expect"]
    assert reply.status == expect["status"], (reply, expect)
    if "code" in expect:
        assert reply.code() == expect["code"], reply
    if "body" in expect:
        assert reply.json() == expect["body"], reply
    assert b"Bearer" not in reply.body and b"abc.def" not in reply.body
    got = expect.get("resolveGot")
    if got is not None:
        (auth,) = seen
        assert auth.method == got["method"]
        name, value = got["header"]
        assert auth.headers.get(name) == value
        assert auth.headers.get(name.upper()) == value
        if "request" in got:
            assert auth.request == got["request"]
