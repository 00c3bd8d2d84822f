"""Type-checked (mypy --strict) use of the public API, as the README shows it."""

from __future__ import annotations

import datetime as dt

import hookseal


def handle(raw: bytes, header: str | None) -> str:
    try:
        v: hookseal.Verified = hookseal.verify(raw, header, secret=["new", "old"], tolerance=300)
    except hookseal.WebhookVerificationError as e:
        code: str = e.code
        return code
    ok: bool = hookseal.verify_webhook_signature(signature=header, secret="s", body={"a": 1})
    sig: str = hookseal.generate_webhook_signature(secret="s", raw_payload=raw, timestamp=1)
    shared: bool = hookseal.verify_shared_secret({"x": "y"}, header="x", secret="y")
    auth: dict[str, str] = hookseal.hasura_auth_response({"role": "user"}, max_age=60)
    err, status = hookseal.hasura_action_error("m", "c")
    when = dt.datetime.now(dt.timezone.utc)
    hookseal.verify(raw, header, secret="s", now=when, environments=["master"], tolerance=None)
    guard: hookseal.MemoryReplayGuard = hookseal.MemoryReplayGuard(max_entries=10)
    token: str = hookseal.replay.new_token()
    state = guard.claim(v.replay_key, token=token)
    mine: bool = guard.complete(v.replay_key, 600_000, token=token)
    guard.release(v.replay_key, token=token)
    return f"{v.environment}{ok}{sig}{shared}{auth}{err}{status}{state}{mine}"
