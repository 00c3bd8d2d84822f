"""replay_key="body" (issue 20 item 8): the Hygraph wrappers key the replay guard by the
environment and the raw body, so a retry the sender signed anew (a new t, so a new MAC) is still
a copy; the signature-keyed default runs it again."""

from __future__ import annotations

import time
from typing import Any

import hookseal
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from flask import Flask, g, jsonify
from hookseal.fastapi import HygraphSignature, install
from hookseal.flask import hygraph_signature_required

SECRET = "body-key-secret"
BODY = b'{"operation":"update","data":{"id":"ck1","updatedAt":"2026-01-01T00:00:00Z"}}'


def sign(env: str = "master", age_ms: int = 0, body: bytes = BODY) -> str:
    t = time.time_ns() // 1_000_000 - age_ms
    return hookseal.generate_webhook_signature(secret=SECRET, raw_payload=body, timestamp=t, environment_name=env)


def app_for(kind: str, by: Any, seen: list[hookseal.Verified]) -> Any:
    if kind == "fastapi":
        app = FastAPI()
        install(app)
        dep = HygraphSignature(secret=SECRET, replay=hookseal.MemoryReplayGuard(), replay_key=by)

        @app.post("/hook")
        async def hook(v: hookseal.Verified = Depends(dep)) -> dict[str, bool]:  # noqa: B008
            seen.append(v)
            return {"ok": True}

        tc = TestClient(app)
        return lambda h, body=BODY: tc.post("/hook", headers=h, content=body).json()
    fapp = Flask(__name__)

    @fapp.post("/hook")
    @hygraph_signature_required(secret=SECRET, replay=hookseal.MemoryReplayGuard(), replay_key=by)
    def fhook() -> Any:
        seen.append(g.hookseal)
        return jsonify(ok=True)

    c = fapp.test_client()
    return lambda h, body=BODY: c.post("/hook", headers=h, data=body).json


@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_a_retry_signed_anew_is_a_copy_by_body(kind: str) -> None:
    seen: list[hookseal.Verified] = []
    post = app_for(kind, "body", seen)
    assert post({"gcms-signature": sign(age_ms=5_000)}) == {"ok": True}
    assert post({"gcms-signature": sign()}) == {"duplicate": True}  # re-signed retry: same body
    assert post({"gcms-signature": sign("staging")}) == {"ok": True}  # another environment
    other = BODY.replace(b"00:00:00", b"00:00:01")
    assert post({"gcms-signature": sign(body=other)}, other) == {"ok": True}
    assert [v.environment for v in seen] == ["master", "staging", "master"]
    assert seen[0].replay_key == hookseal._hookseal.replay_key_for_body("master", BODY)


@pytest.mark.parametrize("kind", ["fastapi", "flask"])
def test_signature_keyed_default_runs_a_re_signed_retry(kind: str) -> None:
    seen: list[hookseal.Verified] = []
    post = app_for(kind, "signature", seen)
    first = sign(age_ms=5_000)
    assert post({"gcms-signature": first}) == {"ok": True}
    assert post({"gcms-signature": first}) == {"duplicate": True}
    assert post({"gcms-signature": sign()}) == {"ok": True}
    assert len(seen) == 2


def test_replay_key_option_is_checked() -> None:
    with pytest.raises(ValueError):
        HygraphSignature(secret=SECRET, replay_key="sign")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        hygraph_signature_required(secret=SECRET, replay_key="mac")  # type: ignore[arg-type]
