"""The Hasura functions of the engine (`hookseal._hookseal`) over tests/vectors/hasura-payloads.json
and the auth cases of hasura-wrappers.json: the core decides, this face only converts."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from conftest import load
from hookseal import _hookseal

PAYLOADS = load("hasura-payloads.json")["cases"]
AUTH = load("hasura-wrappers.json")["auth"]
CHECK_KIND = {"action": "action", "auth_v2": "auth_v2", "auth_ddn": "auth_ddn"}


@pytest.mark.parametrize("case", PAYLOADS, ids=[c["name"] for c in PAYLOADS])
def test_hasura_payload_vector(case: dict[str, Any]) -> None:
    body = case["body"].encode("utf-8")
    if case["kind"] == "delivery":
        if case["ok"]:
            kind, id_, key = _hookseal.hasura_delivery(body)
            assert {"kind": kind, "id": id_, "replayKey": key} == case["expect"]
            _hookseal.hasura_check(kind, body)
        else:
            with pytest.raises(ValueError) as e:
                _hookseal.hasura_delivery(body)
            assert getattr(e.value, "code", None) == case["code"]
        return
    if case["ok"]:
        _hookseal.hasura_check(CHECK_KIND[case["kind"]], body)
    else:
        with pytest.raises(ValueError) as e:
            _hookseal.hasura_check(CHECK_KIND[case["kind"]], body)
        assert getattr(e.value, "code", None) == case["code"]


AUTH_ANSWERS = [c for c in AUTH if isinstance(c["resolve"], dict) and c["expect"]["status"] != 400]


@pytest.mark.parametrize("case", AUTH_ANSWERS, ids=[c["name"] for c in AUTH_ANSWERS])
def test_hasura_auth_answer_vector(case: dict[str, Any]) -> None:
    resolve = case["resolve"]
    max_age = resolve.get("maxAge", case["options"].get("maxAge"))
    now = time.time()
    expires_at = now + resolve["expiresIn"] if "expiresIn" in resolve else None
    session = json.dumps(resolve["session"]).encode("utf-8")
    if case["expect"]["status"] == 200:
        body, lifetime = _hookseal.hasura_auth_answer(case["options"]["mode"], session, max_age, expires_at, now)
        assert json.loads(body) == case["expect"]["body"]
        if case["options"]["mode"] == "v2":
            cache = json.loads(body).get("Cache-Control")
            assert cache == (None if lifetime is None else f"max-age={lifetime}")
    else:
        assert case["expect"]["code"] == "invalid_session"
        with pytest.raises(ValueError):
            _hookseal.hasura_auth_answer(case["options"]["mode"], session, max_age, expires_at, now)


def test_hasura_engine_odds_and_ends() -> None:
    with pytest.raises(ValueError, match="kind must be"):
        _hookseal.hasura_check("actions", b"{}")
    with pytest.raises(ValueError, match="mode must be"):
        _hookseal.hasura_auth_answer("v3", b'{"role":"user"}', None, None, 0.0)
    names = ["authorization", "cookie"]
    a = _hookseal.hasura_auth_cache_key("v2", names, [("Authorization", "Bearer a"), ("Cookie", "s=1")])
    assert a is not None and a.startswith("hasura-auth:")
    assert a == _hookseal.hasura_auth_cache_key("v2", names, [("cookie", "s=1"), ("AUTHORIZATION", "Bearer a")])
    assert a != _hookseal.hasura_auth_cache_key("ddn", names, [("Authorization", "Bearer a"), ("Cookie", "s=1")])
    assert _hookseal.hasura_auth_cache_key("v2", names, [("x-other", "1")]) is None
    assert "handler_failed" in _hookseal.wrapper_codes()
    assert _hookseal.HASURA_EVENT_DONE_TTL_MS == 7 * 24 * 3600 * 1000
    assert _hookseal.HASURA_RETRY_AFTER_SECS == 10
    assert _hookseal.replay_key_for_body("ab", b"c") != _hookseal.replay_key_for_body("a", b"bc")
