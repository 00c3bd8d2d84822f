"""The Hasura pieces beyond the wrapper vectors: the payload vectors through the typed parsers, the
framework-neutral receiver driven directly (sync and async), a copy arriving while the first
still runs (real concurrency on FastAPI), FastAPI without install(app), Flask async views, and
the Action error's own rules."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import hookseal
import httpx
import pytest
from conftest import load
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from flask import Flask, g
from hookseal._hasura import HasuraActionCheck, HasuraEventCheck
from hookseal._receiver import Answer, Incoming, Receiver
from hookseal.fastapi import HasuraActionCall, HasuraEventDelivery, install
from hookseal.flask import hasura_action_required, hasura_event_required

PAYLOADS = load("hasura-payloads.json")["cases"]
WRAPPERS = load("hasura-wrappers.json")
EVENT_BODY: str = WRAPPERS["event"][0]["request"]["body"]
ACTION_BODY: str = WRAPPERS["action"][0]["request"]["body"]
SECRET = {"X-Event-Secret": "s3"}


@pytest.mark.parametrize("case", PAYLOADS, ids=[c["name"] for c in PAYLOADS])
def test_payload_vectors(case: dict[str, Any]) -> None:
    body = case["body"].encode("utf-8", "surrogatepass")
    kind = case["kind"]

    def parse() -> Any:
        if kind == "delivery":
            return hookseal.parse_hasura_delivery(body)
        if kind == "action":
            return hookseal.parse_hasura_action(body)
        return hookseal._hookseal.hasura_check(kind, body)

    if not case["ok"]:
        with pytest.raises(hookseal.WebhookVerificationError) as e:
            parse()
        assert e.value.code == case["code"]
        return
    got = parse()
    if kind == "delivery":
        exp = case["expect"]
        assert (got.kind, got.id, got.replay_key) == (exp["kind"], exp["id"], exp["replayKey"])
        assert (got.event is None) == (got.kind == "scheduled") and (got.scheduled is None) == (got.kind == "event")
        assert got.payload == json.loads(case["body"])
        if got.scheduled is not None:
            assert got.scheduled.scheduled_time == got.payload["scheduled_time"]
            assert got.scheduled.payload == got.payload.get("payload")
        else:
            assert got.event is not None and got.event.op == got.payload["event"]["op"]


def event_receiver(guard: Any = None) -> Receiver[hookseal.HasuraDelivery]:
    return Receiver(HasuraEventCheck(header="x-event-secret", secret="s3", retry_after=7), guard)


def test_receiver_run_sync_settles_by_the_handler() -> None:
    guard = hookseal.MemoryReplayGuard()
    rx = event_receiver(guard)
    req = Incoming("POST", {"X-EVENT-SECRET": "s3"}, EVENT_BODY.encode())
    seen: list[hookseal.HasuraDelivery] = []

    def fail(d: hookseal.HasuraDelivery) -> Any:
        seen.append(d)
        raise ValueError("db down")

    out = rx.run(req, fail, lambda r: None)
    assert isinstance(out, Answer) and out.status == 500 and out.data()["extensions"]["code"] == "handler_failed"
    assert len(guard) == 0  # released
    out = rx.run(req, lambda d: ("mine", 201), lambda r: r[1])
    assert out == ("mine", 201)  # a framework response goes out as it is
    out = rx.run(req, lambda d: {"never": True}, lambda r: None)
    assert isinstance(out, Answer) and out.status == 200 and out.data() == {"duplicate": True}
    assert len(seen) == 1


def test_receiver_two_phase_and_retry_after() -> None:
    guard = hookseal.MemoryReplayGuard()
    rx = event_receiver(guard)
    req = Incoming("POST", {"x-event-secret": "s3"}, EVENT_BODY.encode())

    async def go() -> None:
        first = await rx.aadmit(req)
        assert not isinstance(first, Answer)
        copy = await rx.aadmit(req)
        assert isinstance(copy, Answer) and copy.status == 409 and copy.header("Retry-After") == "7"
        await first.asettle(503)  # released: the retry runs
        second = await rx.aadmit(req)
        assert not isinstance(second, Answer)
        await second.asettle(200)
        await second.asettle(None)  # settling twice does nothing
        dup = await rx.aadmit(req)
        assert isinstance(dup, Answer) and dup.data() == {"duplicate": True}

    asyncio.run(go())


def test_receiver_arun_async_handler_and_plain_values() -> None:
    rx: Receiver[hookseal.HasuraAction] = Receiver(HasuraActionCheck(header="x-action-secret", secret="a"))
    req = Incoming("POST", {"x-action-secret": "a"}, ACTION_BODY.encode())

    async def handler(a: hookseal.HasuraAction) -> Any:
        await asyncio.sleep(0)
        return [a.name]

    async def error(a: hookseal.HasuraAction) -> Any:
        raise hookseal.HasuraActionError("nope", "bad", 422, {"field": "x", "code": "overridden"})

    out = asyncio.run(rx.arun(req, handler, lambda r: None))
    assert isinstance(out, Answer) and (out.status, out.data()) == (200, ["UserLogin"])
    out = asyncio.run(rx.arun(req, error, lambda r: None))
    assert isinstance(out, Answer) and out.status == 422
    assert out.data() == {"message": "nope", "extensions": {"field": "x", "code": "bad"}}
    out = rx.run(req, lambda a: object(), lambda r: None)  # not JSON: the handler failed
    assert isinstance(out, Answer) and out.status == 500
    with pytest.raises(KeyboardInterrupt):
        rx.run(req, lambda a: (_ for _ in ()).throw(KeyboardInterrupt()), lambda r: None)


def test_copy_while_the_first_runs_gets_409_with_retry_after() -> None:
    """Two copies of one delivery at the same moment on a real ASGI app: the route runs once, the
    copy gets 409 + Retry-After; after the first finished, a copy is a duplicate."""
    app = FastAPI()
    install(app)
    dep = HasuraEventDelivery(header="X-Event-Secret", secret="s3", replay=hookseal.MemoryReplayGuard())
    started = asyncio.Event()
    release = asyncio.Event()
    runs: list[str] = []

    @app.post("/event")
    async def event(d: hookseal.HasuraDelivery = Depends(dep)) -> dict[str, str]:  # noqa: B008
        runs.append(d.id)
        started.set()
        await release.wait()
        return {"id": d.id}

    async def go() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            first = asyncio.create_task(c.post("/event", content=EVENT_BODY, headers=SECRET))
            await asyncio.wait_for(started.wait(), 10)
            copy = await c.post("/event", content=EVENT_BODY, headers=SECRET)
            release.set()
            done = await first
            later = await c.post("/event", content=EVENT_BODY, headers=SECRET)
            return done, copy, later

    done, copy, later = asyncio.run(go())
    assert done.status_code == 200
    assert copy.status_code == 409 and copy.headers["retry-after"] == "10"
    assert copy.json()["extensions"]["code"] == "replayed"
    assert later.json() == {"duplicate": True}
    assert len(runs) == 1


def test_fastapi_hasura_dependencies_need_install() -> None:
    app = FastAPI()
    ev = HasuraEventDelivery(header="X-Event-Secret", secret="s3")
    act = HasuraActionCall(header="X-Action-Secret", secret="a")

    @app.post("/event")
    async def event(d: hookseal.HasuraDelivery = Depends(ev)) -> None:  # noqa: B008
        raise AssertionError("not reached")

    @app.post("/action")
    async def action(a: hookseal.HasuraAction = Depends(act)) -> None:  # noqa: B008
        raise AssertionError("not reached")

    c = TestClient(app)
    for path in ("/event", "/action"):
        r = c.post(path, content=EVENT_BODY, headers=SECRET)
        assert r.status_code == 500
        assert r.json()["detail"]["extensions"]["code"] == "hookseal_layer_missing"
        assert "install(app)" in r.json()["detail"]["message"]


def test_fastapi_other_routes_keep_their_own_errors() -> None:
    """install(app) answers handler_failed only for Hasura routes; others keep FastAPI's 500."""
    app = FastAPI()
    install(app)

    @app.get("/plain")
    async def plain() -> None:
        raise RuntimeError("boom")

    r = TestClient(app, raise_server_exceptions=False).get("/plain")
    assert r.status_code == 500 and r.text == "Internal Server Error"


def test_fastapi_returned_non_2xx_releases_and_retry_runs() -> None:
    from fastapi.responses import JSONResponse

    app = FastAPI()
    install(app)
    guard = hookseal.MemoryReplayGuard()
    dep = HasuraEventDelivery(header="X-Event-Secret", secret="s3", replay=guard)
    calls: list[int] = []

    @app.post("/event")
    async def event(d: hookseal.HasuraDelivery = Depends(dep)) -> Any:  # noqa: B008
        calls.append(1)
        return JSONResponse({"retry": True}, status_code=503) if len(calls) == 1 else {"ok": True}

    c = TestClient(app)
    assert c.post("/event", content=EVENT_BODY, headers=SECRET).status_code == 503
    assert c.post("/event", content=EVENT_BODY, headers=SECRET).json() == {"ok": True}
    assert c.post("/event", content=EVENT_BODY, headers=SECRET).json() == {"duplicate": True}
    assert len(calls) == 2


def test_flask_async_views_and_none_is_204(caplog: pytest.LogCaptureFixture) -> None:
    app = Flask(__name__)
    guard = hookseal.MemoryReplayGuard()

    @app.post("/event")
    @hasura_event_required(header="X-Event-Secret", secret="s3", replay=guard, retry_after=3)
    async def event() -> None:
        await asyncio.sleep(0)
        assert isinstance(g.hookseal, hookseal.HasuraDelivery)

    @app.post("/action")
    @hasura_action_required(header="X-Action-Secret", secret="a")
    async def action() -> Any:
        if g.hookseal.input.get("username") == "jake":
            raise KeyError("internal detail")
        return None

    c = app.test_client()
    r = c.post("/event", data=EVENT_BODY, headers=SECRET)
    assert r.status_code == 204 and r.data == b""
    assert c.post("/event", data=EVENT_BODY, headers=SECRET).json == {"duplicate": True}
    with caplog.at_level(logging.ERROR, logger="hookseal"):
        r = c.post("/action", data=ACTION_BODY, headers={"X-Action-Secret": "a"})
    assert r.status_code == 500 and b"internal detail" not in r.data
    assert r.json == {"message": "the action handler failed", "extensions": {"code": "handler_failed"}}
    assert any("KeyError" in rec.getMessage() for rec in caplog.records)


def test_flask_underscore_header_warns() -> None:
    with pytest.warns(UserWarning, match="underscore") as caught:
        hasura_event_required(header="EVENT_SECRET", secret="s")
    assert caught[0].filename == __file__


def test_action_error_rules() -> None:
    e = hookseal.HasuraActionError("m", "c")
    assert (e.status, e.body()) == (400, {"message": "m", "extensions": {"code": "c"}})
    assert str(e) == "m"
    for status in (200, 500, 399, True):
        with pytest.raises(ValueError, match="4xx"):
            hookseal.HasuraActionError("m", "c", status)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hookseal.HasuraActionError("m", "")
    import pickle

    back = pickle.loads(pickle.dumps(hookseal.HasuraActionError("m", "c", 404, {"a": 1})))
    assert (back.status, back.body()) == (404, {"message": "m", "extensions": {"a": 1, "code": "c"}})


def test_event_options_checked_at_construction() -> None:
    with pytest.raises(ValueError):
        HasuraEventDelivery(header="x", secret="s", retry_after=0)
    with pytest.raises(ValueError):
        hasura_event_required(header="x", secret="s", done_ttl=-1)
    with pytest.raises(TypeError):
        HasuraActionCall(header="x", secret=None)  # type: ignore[arg-type]


def test_every_code_the_wrappers_answer_is_in_the_cores_lists() -> None:
    codes = set(hookseal._hookseal.error_codes()) | set(hookseal._hookseal.wrapper_codes())
    answered = {"handler_failed", "access_denied", "invalid_session", "hookseal_layer_missing"}
    answered |= {"replay_store_unavailable", "replayed", "malformed_payload", "missing_secret", "secret_mismatch"}
    for case in WRAPPERS["event"] + WRAPPERS["action"] + WRAPPERS["auth"]:
        if (
            "code" in case["expect"]
            and case["expect"]["status"] != 400
            or case["expect"].get("code") == "malformed_payload"
        ):
            answered.add(case["expect"]["code"])
    answered -= {"invalid_credentials", "not_found"}  # the Action handler's own codes
    assert answered <= codes, answered - codes


def test_receiver_hygraph_with_plain_mappings() -> None:
    """The receiver on plain dicts (Lambda, Django): header names in any case, a list value is
    the header's copies (two copies are malformed, as in every face)."""
    from hookseal import Verifier
    from hookseal._receiver import HygraphCheck

    rx = Receiver(HygraphCheck(Verifier(secret="s")), hookseal.MemoryReplayGuard())
    body = b'{"a":1}'
    sig = hookseal.generate_webhook_signature(secret="s", raw_payload=body)
    ok = rx.run(Incoming("POST", {"GCMS-Signature": sig}, body), lambda v: {"env": v.environment}, lambda r: None)
    assert isinstance(ok, Answer) and ok.data() == {"env": "master"}
    dup = rx.run(Incoming("POST", {"gcms-signature": [sig]}, body), lambda v: {}, lambda r: None)
    assert isinstance(dup, Answer) and dup.data() == {"duplicate": True}
    two = rx.run(Incoming("POST", {"gcms-signature": [sig, sig]}, body), lambda v: {}, lambda r: None)
    assert isinstance(two, Answer) and two.status == 401 and two.data()["extensions"]["code"] == "malformed_signature"
