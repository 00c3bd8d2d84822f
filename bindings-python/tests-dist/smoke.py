"""A smoke test of every public name of an installed hookseal (run by test_dist.py with the
interpreter of a fresh venv). Fails when `hookseal.__all__` names something this file does not
exercise, so a new public function cannot ship untried."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Callable

import hookseal
from hookseal.replay import new_token

SECRET = "smoke-secret-0123456789"
BODY = '{"operation":"update","data":{"id":"ck1"}}'
NOW_MS = 1_700_000_000_000


def header() -> str:
    return hookseal.generate_webhook_signature(secret=SECRET, raw_payload=BODY, timestamp=NOW_MS)


def check_header() -> None:
    assert hookseal.HEADER == "gcms-signature"


def check_generate() -> None:
    sign, env, t = header().split(", ")
    assert env == "env=master" and t == f"t={NOW_MS}", (env, t)
    envelope = json.dumps({"Body": BODY, "EnvironmentName": "master", "TimeStamp": NOW_MS}, separators=(",", ":"))
    mac = base64.b64encode(hmac.new(SECRET.encode(), envelope.encode(), hashlib.sha256).digest()).decode()
    assert sign == f"sign={mac}", (sign, mac)


def check_drop_in() -> None:
    assert hookseal.verify_webhook_signature(signature=header(), secret=SECRET, raw_payload=BODY) is True
    assert hookseal.verify_webhook_signature(signature=header(), secret=SECRET, body=json.loads(BODY)) is True
    assert hookseal.verify_webhook_signature(signature=header(), secret="wrong", raw_payload=BODY) is False
    assert hookseal.verify_webhook_signature(signature=None, secret=SECRET, raw_payload=BODY) is False


def check_verify() -> None:
    v = hookseal.verify(BODY, header(), secret=SECRET, now=NOW_MS / 1000)
    assert isinstance(v, hookseal.Verified) and (v.environment, v.timestamp, v.secret_index) == ("master", NOW_MS, 0)
    assert isinstance(v.replay_key, str) and v.replay_key, v
    try:
        hookseal.verify(BODY + " ", header(), secret=SECRET, now=NOW_MS / 1000)
    except hookseal.WebhookVerificationError as e:
        assert e.code == "signature_mismatch", e.code
    else:
        raise AssertionError("a tampered body verified")


def check_shared_secret() -> None:
    headers = {"X-Action-Secret": "s3cret"}
    assert hookseal.verify_shared_secret(headers, header="x-action-secret", secret="s3cret") is True
    assert hookseal.verify_shared_secret(headers, header="x-action-secret", secret="other") is False
    hookseal.assert_shared_secret(headers, header="X-Action-Secret", secret="s3cret")
    try:
        hookseal.assert_shared_secret({}, header="X-Action-Secret", secret="s3cret")
    except hookseal.WebhookVerificationError as e:
        assert e.code == "missing_secret", e.code
    else:
        raise AssertionError("a missing header passed")


def check_hasura() -> None:
    body, status = hookseal.hasura_action_error("no such user", "not_found", 404)
    assert status == 404 and body["extensions"]["code"] == "not_found", body
    auth = hookseal.hasura_auth_response({"role": "user", "user-id": "42"}, max_age=60)
    assert auth["X-Hasura-Role"] == "user" and "max-age=60" in auth["Cache-Control"], auth
    action = hookseal.parse_hasura_action(
        {"action": {"name": "greet"}, "input": {"name": "Ada"}, "session_variables": {"x-hasura-role": "user"}}
    )
    assert isinstance(action, hookseal.HasuraAction) and action.name == "greet" and action.input == {"name": "Ada"}
    event = hookseal.parse_hasura_event(
        {
            "id": "85558393-c75d-4d2f-9c15-e80591b83894",
            "created_at": "2024-01-01T00:00:00.000Z",
            "trigger": {"name": "on_user"},
            "table": {"schema": "public", "name": "users"},
            "event": {"op": "INSERT", "data": {"old": None, "new": {"id": 1}}, "session_variables": None},
            "delivery_info": {"current_retry": 0, "max_retries": 0},
        }
    )
    assert isinstance(event, hookseal.HasuraEvent) and event.trigger == "on_user" and event.op == "INSERT", event


def check_hasura_kit() -> None:
    event = hookseal.parse_hasura_delivery(
        {
            "id": "85558393-c75d-4d2f-9c15-e80591b83894",
            "created_at": "2026-11-22T12:00:00.123456",
            "trigger": {"name": "user_created"},
            "table": {"schema": "public", "name": "users"},
            "event": {"op": "INSERT", "data": {"old": None, "new": {"id": 1}}, "session_variables": None},
            "delivery_info": {"current_retry": 0, "max_retries": 0},
        }
    )
    assert isinstance(event, hookseal.HasuraDelivery) and event.kind == "event" and event.scheduled is None
    assert event.event is not None and event.event.op == "INSERT" and event.event.new == {"id": 1}
    assert event.replay_key == "hasura:" + hashlib.sha256(event.id.encode()).hexdigest()
    cron = hookseal.parse_hasura_delivery(
        b'{"id":"c1","name":"nightly","scheduled_time":"2026-11-22T03:00:00Z","payload":{"k":1},"comment":null}'
    )
    assert cron.kind == "scheduled" and isinstance(cron.scheduled, hookseal.HasuraScheduledEvent)
    assert (cron.scheduled.name, cron.scheduled.payload) == ("nightly", {"k": 1})
    try:
        hookseal.parse_hasura_delivery({"payload": {"event": {}}})
    except hookseal.WebhookVerificationError as e:
        assert e.code == "malformed_payload", e.code
    else:
        raise AssertionError("a docs-page-wrapped event was accepted")
    err = hookseal.HasuraActionError("no such user", "not_found", 404, {"field": "id"})
    assert err.body() == {"message": "no such user", "extensions": {"field": "id", "code": "not_found"}}
    try:
        hookseal.HasuraActionError("boom", "internal", 500)
    except ValueError:
        pass
    else:
        raise AssertionError("a 5xx HasuraActionError was accepted")
    headers = hookseal.HasuraAuthHeaders([("Authorization", "Bearer t"), ("X-Trace", "1"), ("x-trace", "2")])
    assert headers["authorization"] == "Bearer t" and headers.getlist("X-TRACE") == ["1", "2"]
    auth = hookseal.HasuraAuthRequest(method="GET", headers=headers, request=None, mode="v2")
    assert auth.headers.get("AUTHORIZATION") == "Bearer t" and auth.mode == "v2"


def check_replay() -> None:
    guard: hookseal.ReplayGuard = hookseal.MemoryReplayGuard(max_entries=8)
    first, copy = new_token(), new_token()
    assert guard.claim("k", token=first) == "new" and guard.claim("k", token=copy) == "in_progress"
    assert guard.complete("k", 60_000, token=first) is True
    assert guard.claim("k", token=copy) == "done"
    assert asyncio.run(guard.aclaim("k2", token=copy)) == "new"
    assert asyncio.run(guard.arelease("k2", token=copy)) is True
    try:
        hookseal.RedisReplayGuard(None)
    except TypeError:
        pass
    else:
        raise AssertionError("RedisReplayGuard(None) was accepted")
    assert issubclass(hookseal.ReplayStoreError, Exception)


CHECKS: dict[str, Callable[[], None]] = {
    "HEADER": check_header,
    "generate_webhook_signature": check_generate,
    "verify_webhook_signature": check_drop_in,
    "verify": check_verify,
    "Verified": check_verify,
    "WebhookVerificationError": check_verify,
    "verify_shared_secret": check_shared_secret,
    "assert_shared_secret": check_shared_secret,
    "hasura_action_error": check_hasura,
    "hasura_auth_response": check_hasura,
    "parse_hasura_action": check_hasura,
    "parse_hasura_event": check_hasura,
    "HasuraAction": check_hasura,
    "HasuraEvent": check_hasura,
    "parse_hasura_delivery": check_hasura_kit,
    "HasuraDelivery": check_hasura_kit,
    "HasuraScheduledEvent": check_hasura_kit,
    "HasuraActionError": check_hasura_kit,
    "HasuraAuthHeaders": check_hasura_kit,
    "HasuraAuthRequest": check_hasura_kit,
    "MemoryReplayGuard": check_replay,
    "ReplayGuard": check_replay,
    "RedisReplayGuard": check_replay,
    "ReplayStoreError": check_replay,
}

if __name__ == "__main__":
    untried = sorted(set(hookseal.__all__) - set(CHECKS))
    assert not untried, f"public names this smoke test does not exercise: {untried}"
    for check in dict.fromkeys(CHECKS.values()):
        check()
    print(f"smoke: {len(hookseal.__all__)} public names OK from {hookseal.__file__}")
