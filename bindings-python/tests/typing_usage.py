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


def hasura_usage(body: bytes) -> str:
    """The Hasura wrappers and types, as docs/hasura/python.md shows them."""
    from typing import Any, Literal

    import hookseal.fastapi
    import hookseal.flask

    d: hookseal.HasuraDelivery = hookseal.parse_hasura_delivery(body)
    kind: Literal["event", "scheduled"] = d.kind
    out = f"{kind}{d.id}{d.replay_key}{d.payload}"
    if d.event is not None:
        op: str = d.event.op
        info: dict[str, Any] | None = d.event.delivery_info
        out += f"{op}{info}{d.event.new}"
    if d.scheduled is not None:
        when: str = d.scheduled.scheduled_time
        name: str | None = d.scheduled.name
        out += f"{when}{name}{d.scheduled.payload}"
    err = hookseal.HasuraActionError("no such user", "not_found", 404, {"id": 1})
    status: int = err.status
    shape: dict[str, Any] = err.body()
    events = hookseal.fastapi.HasuraEventDelivery(
        header="X-Event-Secret", secret="s", replay=hookseal.MemoryReplayGuard(), retry_after=5, done_ttl=3600
    )
    action = hookseal.fastapi.HasuraActionCall(header="X-Action-Secret", secret=["new", "old"])

    async def resolve(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None:
        token: str | None = auth.headers.get("authorization")
        method: str = auth.method
        return {"session": {"role": "user"}, "max_age": 60} if token and method else None

    endpoint = hookseal.fastapi.hasura_auth(resolve, mode="ddn", cache={"store": "memory"})
    deco = hookseal.fastapi.hasura_auth(mode="v2", max_age=60)(resolve)

    def sync_resolve(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None:
        return None

    view = hookseal.flask.hasura_auth(sync_resolve, mode="v2", max_age=30)
    ev = hookseal.flask.hasura_event_required(header="X-Event-Secret", secret="s", replay=None)
    act = hookseal.flask.hasura_action_required(header="X-Action-Secret", secret="s")
    return f"{out}{status}{shape}{events}{action}{endpoint}{deco}{view}{ev}{act}"
