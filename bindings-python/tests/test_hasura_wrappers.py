"""tests/vectors/hasura-wrappers.json through the real FastAPI (TestClient) and Flask (test_client)
wrappers: HasuraEventDelivery / hasura_event_required with memory and Redis guards (redis-py sync
and asyncio, on the redis-server of scripts/with-redis.sh), HasuraActionCall /
hasura_action_required, and hasura_auth (v2 and DDN, GET and POST)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import hookseal
import hookseal.fastapi
import hookseal.flask
import pytest
import redis
import redis.asyncio
from conftest import free_port, load
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient
from flask import Flask, g, jsonify
from hookseal.fastapi import HasuraActionCall, HasuraEventDelivery, install
from hookseal.flask import hasura_action_required, hasura_event_required

VECTORS = load("hasura-wrappers.json")
EVENT = VECTORS["event"]
ACTION = VECTORS["action"]
AUTH = VECTORS["auth"]


def ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in cases]


class Down:
    """A guard whose every call fails as a store that cannot be reached does."""

    def _fail(self, *a: Any, **k: Any) -> Any:
        raise hookseal.ReplayStoreError("replay store unavailable: ConnectionError")

    claim = complete = release = _fail

    async def aclaim(self, *a: Any, **k: Any) -> Any:
        self._fail()

    acomplete = arelease = aclaim


def state_of(guard: Any, key: str) -> str:
    """The key's state, read by claiming it with a fresh token (and undoing a new claim)."""
    token = hookseal.replay.new_token()
    s = guard.claim(key, token=token)
    if s == "new":
        guard.release(key, token=token)
    return {"new": "absent", "in_progress": "processing", "done": "done"}[s]


def prepare(guard: Any, key: str | None, store: str) -> None:
    if key is None or store in ("absent", "none", "down"):
        return
    token = "another-worker-" + hookseal.replay.new_token()
    assert guard.claim(key, token=token) == "new"
    if store == "done":
        guard.complete(key, 600_000, token=token)


def delivery_key(body: str) -> str | None:
    try:
        return hookseal.parse_hasura_delivery(body).replay_key
    except hookseal.WebhookVerificationError:
        return None


GuardFactory = Callable[[], tuple[Any, Any]]


@pytest.fixture
def guards(request: pytest.FixtureRequest) -> Iterator[dict[str, GuardFactory]]:
    """Replay guards by name, each with a sync twin on the same keys that the test uses to set the
    store's state and read it back; the Redis ones use a fresh key prefix per test."""
    made: list[Any] = []

    def sync_client() -> Any:
        client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        made.append(client)
        return client

    def memory() -> tuple[Any, Any]:
        guard = hookseal.MemoryReplayGuard()
        return guard, guard

    def redis_sync() -> tuple[Any, Any]:
        guard = hookseal.RedisReplayGuard(sync_client(), prefix=f"t:{hookseal.replay.new_token()}:")
        return guard, guard

    def redis_async() -> tuple[Any, Any]:
        prefix = f"t:{hookseal.replay.new_token()}:"
        client = redis.asyncio.Redis.from_url(request.getfixturevalue("redis_url"))
        return hookseal.RedisReplayGuard(client, prefix=prefix), hookseal.RedisReplayGuard(sync_client(), prefix=prefix)

    def redis_down() -> tuple[Any, Any]:
        client = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2)
        made.append(client)
        guard = hookseal.RedisReplayGuard(client)
        return guard, None

    yield {"memory": memory, "redis": redis_sync, "redis-asyncio": redis_async, "redis-down": redis_down}
    for c in made:
        c.close()


def event_guard(case: dict[str, Any], store_kind: str, guards: dict[str, GuardFactory]) -> tuple[Any, Any]:
    if case["store"] == "none":
        return None, None
    if case["store"] == "down":
        return (Down(), None) if store_kind == "memory" else guards["redis-down"]()
    return guards[store_kind]()


def check_answer(case: dict[str, Any], status: int, headers: Any, body: bytes, calls: int) -> None:
    exp = case["expect"]
    assert status == exp["status"], (case["name"], status, body)
    for name, value in exp.get("headers", {}).items():
        assert headers.get(name) == value, (case["name"], name, headers)
    if "code" in exp:
        assert json.loads(body)["extensions"]["code"] == exp["code"], body
    if "body" in exp:
        assert json.loads(body) == exp["body"]
    if "handlerCalled" in exp:
        assert (calls > 0) == exp["handlerCalled"], case["name"]


# ---------------------------------------------------------------- events


def fastapi_event(case: dict[str, Any], guard: Any, calls: list[hookseal.HasuraDelivery]) -> TestClient:
    app = FastAPI()
    install(app)
    opts = case["options"]
    extra = {"retry_after": opts["retryAfter"]} if "retryAfter" in opts else {}
    dep = HasuraEventDelivery(header=opts["header"], secret=opts["secret"], replay=guard, **extra)

    @app.post("/event")
    async def event(d: hookseal.HasuraDelivery = Depends(dep)) -> Any:  # noqa: B008
        calls.append(d)
        h = case["handler"]
        if h == "throw":
            raise RuntimeError("the database is down")
        if isinstance(h, dict):
            return Response(status_code=h["status"]) if h["status"] == 204 else JSONResponse({}, h["status"])
        return {"ok": True, "kind": d.kind, "id": d.id}

    return TestClient(app)


def flask_event(case: dict[str, Any], guard: Any, calls: list[hookseal.HasuraDelivery]) -> Any:
    app = Flask(__name__)
    opts = case["options"]
    extra = {"retry_after": opts["retryAfter"]} if "retryAfter" in opts else {}

    @app.post("/event")
    @hasura_event_required(header=opts["header"], secret=opts["secret"], replay=guard, **extra)
    def event() -> Any:
        d: hookseal.HasuraDelivery = g.hookseal
        calls.append(d)
        h = case["handler"]
        if h == "throw":
            raise RuntimeError("the database is down")
        if isinstance(h, dict):
            return ("", h["status"]) if h["status"] == 204 else (jsonify({}), h["status"])
        return jsonify(ok=True, kind=d.kind, id=d.id)

    return app.test_client()


def run_event(kind: str, store_kind: str, case: dict[str, Any], guards: dict[str, GuardFactory]) -> None:
    guard, probe = event_guard(case, store_kind, guards)
    req = case["request"]
    key = delivery_key(req["body"])
    prepare(probe, key, case["store"])
    calls: list[hookseal.HasuraDelivery] = []
    if kind == "fastapi":
        r = fastapi_event(case, guard, calls).post("/event", headers=req["headers"], content=req["body"])
        check_answer(case, r.status_code, r.headers, r.content, len(calls))
    else:
        fr = flask_event(case, guard, calls).post("/event", headers=req["headers"], data=req["body"])
        check_answer(case, fr.status_code, fr.headers, fr.data, len(calls))
    if calls:
        assert calls[0].id and calls[0].kind in ("event", "scheduled")
        assert calls[0].replay_key == key
    after = case["expect"].get("after")
    if after and probe is not None and key is not None:
        assert state_of(probe, key) == after, case["name"]


@pytest.mark.parametrize("case", EVENT, ids=ids(EVENT))
@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_event_vectors_memory(kind: str, case: dict[str, Any], guards: dict[str, GuardFactory]) -> None:
    run_event(kind, "memory", case, guards)


@pytest.mark.parametrize(
    "case", [c for c in EVENT if c["store"] != "none"], ids=ids([c for c in EVENT if c["store"] != "none"])
)
@pytest.mark.parametrize("kind,store", [("fastapi", "redis"), ("fastapi", "redis-asyncio"), ("flask", "redis")])
def test_event_vectors_redis(kind: str, store: str, case: dict[str, Any], guards: dict[str, GuardFactory]) -> None:
    run_event(kind, store, case, guards)


# ---------------------------------------------------------------- actions


def action_handler(case: dict[str, Any], got: list[hookseal.HasuraAction], action: hookseal.HasuraAction) -> Any:
    got.append(action)
    h = case["handler"]
    if h == "throw":
        raise RuntimeError("secret internals: postgres://user:pw@db")
    if "actionError" in h:
        e = h["actionError"]
        raise hookseal.HasuraActionError(e["message"], e["code"], e.get("status", 400))
    return h["return"]


@pytest.mark.parametrize("case", ACTION, ids=ids(ACTION))
@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_action_vectors(kind: str, case: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    got: list[hookseal.HasuraAction] = []
    req = case["request"]
    opts = case["options"]
    if kind == "fastapi":
        app = FastAPI()
        install(app)
        dep = HasuraActionCall(header=opts["header"], secret=opts["secret"])

        @app.post("/action")
        def action(a: hookseal.HasuraAction = Depends(dep)) -> Any:  # noqa: B008
            return action_handler(case, got, a)

        r = TestClient(app).post("/action", headers=req["headers"], content=req["body"])
        status, headers, body = r.status_code, r.headers, r.content
    else:
        fapp = Flask(__name__)

        @fapp.post("/action")
        @hasura_action_required(header=opts["header"], secret=opts["secret"])
        def faction() -> Any:
            return action_handler(case, got, g.hookseal)

        fr = fapp.test_client().post("/action", headers=req["headers"], data=req["body"])
        status, headers, body = fr.status_code, fr.headers, fr.data
    check_answer(case, status, headers, body, len(got))
    assert headers["content-type"].startswith("application/json")
    if "handlerGot" in case["expect"]:
        assert [(a.name, a.input) for a in got] == [
            (case["expect"]["handlerGot"]["name"], case["expect"]["handlerGot"]["input"])
        ]
    else:
        assert got == []
    if case["handler"] == "throw":
        assert b"postgres" not in body
        assert any(r.name == "hookseal" and "RuntimeError" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------- auth


def resolver(
    case: dict[str, Any], seen: list[hookseal.HasuraAuthRequest]
) -> Callable[[hookseal.HasuraAuthRequest], Any]:
    def resolve(auth: hookseal.HasuraAuthRequest) -> Any:
        seen.append(auth)
        spec = case["resolve"]
        if spec is None:
            return None
        if spec == "throw":
            raise RuntimeError("token store unreachable")
        out: dict[str, Any] = {"session": spec["session"]}
        if "maxAge" in spec:
            out["max_age"] = spec["maxAge"]
        if "expiresIn" in spec:
            out["expires_at"] = time.time() + spec["expiresIn"]
        return out

    return resolve


def auth_request(kind: str, case: dict[str, Any], view: Any) -> tuple[int, Any, bytes]:
    req = case["request"]
    kw: dict[str, Any] = {"headers": req["headers"]}
    if kind == "fastapi":
        app = FastAPI()
        app.add_api_route("/auth", view, methods=["GET", "POST"])
        if "body" in req:
            kw["content"] = req["body"]
        r = TestClient(app).request(req["method"], "/auth", **kw)
        return r.status_code, r.headers, r.content
    fapp = Flask(__name__)
    fapp.add_url_rule("/auth", view_func=view, methods=["GET", "POST"])
    if "body" in req:
        kw["data"] = req["body"]
    fr = fapp.test_client().open("/auth", method=req["method"], **kw)
    return fr.status_code, fr.headers, fr.data


@pytest.mark.parametrize("case", AUTH, ids=ids(AUTH))
@pytest.mark.parametrize("kind", ["fastapi", "fastapi-async", "flask"])
def test_auth_vectors(kind: str, case: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    seen: list[hookseal.HasuraAuthRequest] = []
    opts = case["options"]
    mode = opts["mode"]
    resolve = resolver(case, seen)
    if kind == "flask":
        view: Any = hookseal.flask.hasura_auth(resolve, mode=mode, max_age=opts.get("maxAge"))
    elif kind == "fastapi":
        view = hookseal.fastapi.hasura_auth(resolve, mode=mode, max_age=opts.get("maxAge"))
    else:

        async def aresolve(auth: hookseal.HasuraAuthRequest) -> Any:
            await asyncio.sleep(0)
            return resolve(auth)

        view = hookseal.fastapi.hasura_auth(aresolve, mode=mode, max_age=opts.get("maxAge"))
    status, headers, body = auth_request(kind.split("-")[0], case, view)
    check_answer(case, status, headers, body, len(seen))
    assert status in (200, 400, 401, 500)
    exp = case["expect"]
    if "resolveGot" in exp:
        (auth,) = seen
        want = exp["resolveGot"]
        assert auth.method == want["method"]
        name, value = want["header"]
        assert auth.headers[name] == value
        assert auth.headers.get(name.upper()) == value
        if "request" in want:
            assert auth.request == want["request"]
    if case["resolve"] == "throw":
        lines = [r.getMessage() for r in caplog.records if r.name == "hookseal"]
        assert any("RuntimeError" in line for line in lines)
        assert not any("abc.def.ghi" in line or "token store" in line for line in lines)
