"""A FastAPI service with a Hygraph webhook, Hasura Actions, Event Triggers and auth webhooks.

HYGRAPH_WEBHOOK_SECRET=... HASURA_ACTION_SECRET=... HASURA_EVENT_SECRET=... PORT=8000 python examples/fastapi/app.py
(REDIS_URL=redis://... keeps the event replay guard on Redis, shared by every worker.)
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import hookseal
import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from hookseal.fastapi import HasuraActionCall, HasuraEventDelivery, HygraphSignature, hasura_auth, install

app = FastAPI()
install(app)  # failures answer in Hasura's shape: {"message", "extensions": {"code"}}

# A missing environment variable stops the server here (KeyError), never lets requests in.
hygraph = HygraphSignature(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"], replay=hookseal.MemoryReplayGuard())
action = HasuraActionCall(header="ACTION_SECRET", secret=os.environ["HASURA_ACTION_SECRET"])


def event_guard() -> hookseal.ReplayGuard:
    url = os.environ.get("REDIS_URL")
    if not url:
        return hookseal.MemoryReplayGuard()  # one process only: use Redis with several workers
    import redis.asyncio

    return hookseal.RedisReplayGuard(redis.asyncio.Redis.from_url(url))


event = HasuraEventDelivery(header="X-Event-Secret", secret=os.environ["HASURA_EVENT_SECRET"], replay=event_guard())


@app.post("/api/hygraph")
async def hygraph_webhook(delivery: hookseal.Verified = Depends(hygraph)) -> dict[str, Any]:  # noqa: B008
    return {"ok": True, "environment": delivery.environment}


# Hasura Action `greet`: the route returns the output; HasuraActionError reaches the GraphQL
# client as {"message", "extensions"}; any other exception answers 500 handler_failed.
def greet(call: hookseal.HasuraAction) -> dict[str, str]:
    name = call.input.get("name")
    if call.name != "greet" or not isinstance(name, str) or not name:
        raise hookseal.HasuraActionError("greet needs a name", "bad_input")
    if name == "boom":
        raise RuntimeError("the greeting service is down")
    return {"greeting": f"Hello, {name}!"}


@app.post("/api/action")
async def action_route(call: hookseal.HasuraAction = Depends(action)) -> dict[str, str]:  # noqa: B008
    return greet(call)


@app.post("/api/hasura/action")
async def hasura_action(call: hookseal.HasuraAction = Depends(action)) -> dict[str, str]:  # noqa: B008
    return greet(call)


# Event Triggers and scheduled events, each delivery id run once (409 + Retry-After for a copy
# while it runs, 200 {"duplicate": true} after it finished).
@app.post("/api/hasura/event")
async def hasura_event(delivery: hookseal.HasuraDelivery = Depends(event)) -> dict[str, Any]:  # noqa: B008
    row: dict[str, Any] = {}
    if delivery.event is not None:
        row = delivery.event.new or {}
    elif delivery.scheduled is not None and isinstance(delivery.scheduled.payload, dict):
        row = delivery.scheduled.payload
    if isinstance(row.get("hold_ms"), (int, float)):
        await asyncio.sleep(row["hold_ms"] / 1000)
    retry = (delivery.event.delivery_info or {}).get("current_retry", 0) if delivery.event else 0
    if isinstance(row.get("fail_until_retry"), int) and row["fail_until_retry"] > retry:
        raise RuntimeError("failing until a later retry (demo)")
    return {"ok": True, "kind": delivery.kind, "id": delivery.id}


# Hasura auth webhooks (GET or POST mode): "Bearer demo-token" is user 42 for 60 s;
# "Bearer demo-token.<epoch seconds>" the same, but never cached past that expiry.
def demo_session(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None:
    token = auth.headers.get("authorization", "")
    if token == "Bearer demo-token":
        return {"session": {"role": "user", "userId": 42}, "max_age": 60}
    prefix = "Bearer demo-token."
    if token.startswith(prefix) and token[len(prefix) :].isdigit():
        return {"session": {"role": "user", "userId": 42}, "max_age": 60, "expires_at": int(token[len(prefix) :])}
    return None


app.add_api_route("/api/hasura/auth", hasura_auth(demo_session, mode="v2"), methods=["GET", "POST"])


@app.api_route("/api/hasura/auth-ddn", methods=["GET", "POST"])
@hasura_auth(mode="ddn")
async def auth_ddn(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None:
    return demo_session(auth)


@app.post("/api/auth")
async def auth(request: Request) -> Any:
    # The answer-body helper alone (see /api/hasura/auth for the whole webhook).
    if request.headers.get("authorization") != "Bearer demo-token":
        body, _ = hookseal.hasura_action_error("invalid token", "invalid-jwt")
        return JSONResponse(body, status_code=401)
    return hookseal.hasura_auth_response({"role": "user", "user-id": "42"}, max_age=60)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    print(f"listening {port}", flush=True, file=sys.stdout)
    server.run()
