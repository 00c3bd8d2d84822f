"""FastAPI (TestClient) and Flask (test_client): the integrations answer as the contract says."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import hookseal
import pytest
from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from flask import Flask, g, jsonify
from hookseal.fastapi import HygraphSignature, SharedSecret, install
from hookseal.flask import hygraph_signature_required, shared_secret_required

SECRET = "integration-secret"
BODY = b'{"operation":"publish","data":{"id":"ckx1"}}'


def sig(body: bytes = BODY, age_ms: int = 0) -> str:
    t = time.time_ns() // 1_000_000 - age_ms
    return hookseal.generate_webhook_signature(secret=SECRET, raw_payload=body, timestamp=t)


def js(r: Any) -> Any:
    """The JSON body of a TestClient (method) or Flask test (property) response."""
    return r.json() if callable(r.json) else r.json


def fastapi_app(calls: list[str], fail_first: bool = False) -> TestClient:
    app = FastAPI()
    install(app)
    dep = HygraphSignature(secret=SECRET, replay=hookseal.MemoryReplayGuard())

    @app.post("/hook")
    async def hook(v: hookseal.Verified = Depends(dep)) -> dict[str, Any]:  # noqa: B008
        calls.append(v.environment)
        if fail_first and len(calls) == 1:
            raise HTTPException(500, "handler crashed")
        return {"ok": True}

    @app.post("/action", dependencies=[Depends(SharedSecret(header="ACTION_SECRET", secret="abc"))])
    async def action() -> dict[str, str]:
        return {"greeting": "hi"}

    return TestClient(app, raise_server_exceptions=False)


def flask_app(calls: list[str], fail_first: bool = False) -> Any:
    app = Flask(__name__)

    @app.post("/hook")
    @hygraph_signature_required(secret=SECRET, replay=hookseal.MemoryReplayGuard())
    def hook() -> Any:
        calls.append(g.hookseal.environment)
        if fail_first and len(calls) == 1:
            return jsonify(error="crashed"), 500
        return jsonify(ok=True)

    @app.post("/action")
    @shared_secret_required(header="X-Action-Secret", secret="abc")
    def action() -> Any:
        return jsonify(greeting="hi")

    return app.test_client()


@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_hygraph_route(kind: str) -> None:
    calls: list[str] = []
    client = fastapi_app(calls) if kind == "fastapi" else flask_app(calls)

    def post(body: bytes, headers: dict[str, str]) -> Any:
        return (
            client.post("/hook", content=body, headers=headers)
            if kind == "fastapi"
            else client.post("/hook", data=body, headers=headers)
        )

    def code(r: Any) -> str:
        return js(r)["extensions"]["code"]

    good = sig()
    r = post(BODY, {"gcms-signature": good})
    assert r.status_code == 200 and js(r) == {"ok": True}
    r = post(BODY, {"gcms-signature": good})
    assert r.status_code == 200 and js(r) == {"duplicate": True}
    assert calls == ["master"]
    r = post(BODY + b" ", {"gcms-signature": sig()})
    assert r.status_code == 401 and code(r) == "signature_mismatch"
    r = post(BODY, {"gcms-signature": sig(age_ms=3_600_000)})
    assert r.status_code == 401 and code(r) == "timestamp_too_old"
    r = post(BODY, {})
    assert r.status_code == 401 and code(r) == "missing_signature"
    assert js(r)["message"]
    assert calls == ["master"]


@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_retry_after_failure_is_processed(kind: str) -> None:
    calls: list[str] = []
    client = fastapi_app(calls, fail_first=True) if kind == "fastapi" else flask_app(calls, fail_first=True)
    h = {"gcms-signature": sig()}
    kw = {"content": BODY} if kind == "fastapi" else {"data": BODY}
    assert client.post("/hook", headers=h, **kw).status_code == 500
    assert client.post("/hook", headers=h, **kw).status_code == 200
    r = client.post("/hook", headers=h, **kw)
    assert r.status_code == 200 and js(r) == {"duplicate": True}
    assert len(calls) == 2


@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_shared_secret_route(kind: str) -> None:
    client = fastapi_app([]) if kind == "fastapi" else flask_app([])
    name = "ACTION_SECRET" if kind == "fastapi" else "X-Action-Secret"
    assert client.post("/action", headers={name: "abc"}).status_code == 200
    r = client.post("/action", headers={name: "wrong"})
    assert r.status_code == 401 and js(r)["extensions"]["code"] == "secret_mismatch"
    r = client.post("/action")
    assert r.status_code == 401 and js(r)["extensions"]["code"] == "missing_secret"
    # A name with `_` (dropped by WSGI servers and nginx) gets the hint in the 401 itself.
    assert ("underscore" in js(r)["message"]) == ("_" in name)


def test_configuration_errors_at_construction() -> None:
    with pytest.raises(TypeError):
        HygraphSignature(secret=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        hygraph_signature_required(secret="")
    with pytest.raises(TypeError):
        SharedSecret(header="x", secret=None)  # type: ignore[arg-type]
    with pytest.warns(UserWarning, match="underscore") as caught:
        shared_secret_required(header="ACTION_SECRET", secret="abc")
    assert caught[0].filename == __file__


def test_fastapi_without_install_still_401() -> None:
    app = FastAPI()
    dep = HygraphSignature(secret=SECRET)

    @app.post("/hook")
    async def hook(v: hookseal.Verified = Depends(dep)) -> dict[str, bool]:  # noqa: B008
        return {"ok": True}

    r = TestClient(app).post("/hook", content=BODY)
    assert r.status_code == 401
    assert js(r)["detail"]["extensions"]["code"] == "missing_signature"


def _fastapi_failing_route(mode: str, installed: bool = True) -> tuple[TestClient, list[int], Any]:
    from fastapi.responses import JSONResponse

    app = FastAPI()
    if installed:
        install(app)
    guard = hookseal.MemoryReplayGuard()
    dep = HygraphSignature(secret=SECRET, replay=guard)
    calls: list[int] = []

    @app.post("/hook")
    async def hook(v: hookseal.Verified = Depends(dep)) -> Any:  # noqa: B008
        calls.append(1)
        if len(calls) == 1:
            if mode == "return-500":
                return JSONResponse({"error": "db down"}, status_code=500)
            if mode == "return-400":
                return JSONResponse({"error": "rejected"}, status_code=400)
            raise RuntimeError("handler crashed")
        return {"ok": True}

    return TestClient(app, raise_server_exceptions=False), calls, guard


@pytest.mark.parametrize("mode", ["return-500", "return-400", "raise-plain"])
def test_fastapi_retry_after_non_2xx_or_plain_exception(mode: str) -> None:
    """A route that *returns* a non-2xx response (not only one that raises) must not mark the
    delivery done: Hygraph's retry has to reach the handler (contract §5)."""
    client, calls, guard = _fastapi_failing_route(mode)
    h = {"gcms-signature": sig()}
    first = client.post("/hook", headers=h, content=BODY)
    assert first.status_code == (400 if mode == "return-400" else 500)
    assert len(guard) == 0  # released, not left in processing
    assert client.post("/hook", headers=h, content=BODY).json() == {"ok": True}
    assert client.post("/hook", headers=h, content=BODY).json() == {"duplicate": True}
    assert len(calls) == 2


def test_fastapi_without_install_plain_exception_releases() -> None:
    client, calls, _ = _fastapi_failing_route("raise-plain", installed=False)
    h = {"gcms-signature": sig()}
    with pytest.warns(RuntimeWarning, match="install") as caught:
        assert client.post("/hook", headers=h, content=BODY).status_code == 500
    # The warning points at the user's line that built the dependency, not into FastAPI.
    (w,) = [w for w in caught if "install" in str(w.message)]
    assert w.filename == __file__
    assert "HygraphSignature(" in Path(__file__).read_text().splitlines()[w.lineno - 1]
    assert client.post("/hook", headers=h, content=BODY).status_code == 200
    assert len(calls) == 2


@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_in_progress_is_409_and_handler_not_called(kind: str) -> None:
    calls: list[str] = []
    guard = hookseal.MemoryReplayGuard()
    h = {"gcms-signature": sig()}
    key = hookseal.verify(BODY, h["gcms-signature"], secret=SECRET).replay_key
    assert guard.claim(key, token="other-worker") == "new"  # another worker is handling this delivery
    if kind == "fastapi":
        app = FastAPI()
        install(app)
        dep = HygraphSignature(secret=SECRET, replay=guard)

        @app.post("/hook")
        async def hook(v: hookseal.Verified = Depends(dep)) -> dict[str, bool]:  # noqa: B008
            calls.append(v.environment)
            return {"ok": True}

        r = TestClient(app).post("/hook", headers=h, content=BODY)
        status, body = r.status_code, r.json()
    else:
        fapp = Flask(__name__)

        @fapp.post("/hook")
        @hygraph_signature_required(secret=SECRET, replay=guard)
        def fhook() -> Any:
            calls.append(g.hookseal.environment)
            return jsonify(ok=True)

        fr = fapp.test_client().post("/hook", headers=h, data=BODY)
        status, body = fr.status_code, fr.json
    assert status == 409 and body["extensions"]["code"] == "replayed"  # as in Node (contract §4)
    assert calls == []


def test_flask_decorators_wrap_async_views() -> None:
    """Flask runs `async def` views (flask[async]); the decorators must not hand Flask a coroutine."""
    calls: list[str] = []
    app = Flask(__name__)

    @app.post("/hook")
    @hygraph_signature_required(secret=SECRET, replay=hookseal.MemoryReplayGuard())
    async def hook() -> Any:
        calls.append(g.hookseal.environment)
        return jsonify(ok=True)

    @app.post("/action")
    @shared_secret_required(header="X-Action-Secret", secret="abc")
    async def action() -> Any:
        return jsonify(greeting="hi")

    c = app.test_client()
    h = {"gcms-signature": sig()}
    assert c.post("/hook", headers=h, data=BODY).json == {"ok": True}
    assert c.post("/hook", headers=h, data=BODY).json == {"duplicate": True}
    assert c.post("/hook", data=BODY).status_code == 401
    assert c.post("/action", headers={"X-Action-Secret": "abc"}).json == {"greeting": "hi"}
    assert c.post("/action", headers={"X-Action-Secret": "no"}).status_code == 401
    assert calls == ["master"]


def test_repeated_signature_header_is_malformed_not_first_wins() -> None:
    """Two gcms-signature headers (the first valid) fail, as in the Node face, where the copies
    arrive joined; taking the first would accept what Node rejects."""
    calls: list[str] = []
    client = fastapi_app(calls)
    good = sig()
    other = sig(b"{}")
    r = client.post("/hook", headers=[("gcms-signature", good), ("gcms-signature", other)], content=BODY)
    assert r.status_code == 401 and r.json()["extensions"]["code"] == "malformed_signature"
    assert "given more than once" in r.json()["message"]
    assert calls == []
    # Flask (werkzeug) headers: getlist sees each copy too.
    from werkzeug.datastructures import Headers

    with pytest.raises(hookseal.WebhookVerificationError) as e:
        from hookseal._http import signature_header

        signature_header(Headers([("Gcms-Signature", good), ("gcms-signature", other)]), "gcms-signature")
    assert e.value.code == "malformed_signature"
    assert client.post("/hook", headers={"gcms-signature": good}, content=BODY).status_code == 200
