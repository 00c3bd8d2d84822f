"""A Flask service with a Hygraph webhook, Hasura Actions, Event Triggers and auth webhooks.

HYGRAPH_WEBHOOK_SECRET=... HASURA_ACTION_SECRET=... HASURA_EVENT_SECRET=... PORT=8000 python examples/flask/app.py
(REDIS_URL=redis://... keeps the event replay guard on Redis, shared by every gunicorn worker.)
"""

from __future__ import annotations

import os
import time
from typing import Any

import hookseal
from flask import Flask, g, jsonify, request
from hookseal.flask import hasura_action_required, hasura_auth, hasura_event_required, hygraph_signature_required

app = Flask(__name__)


def event_guard() -> hookseal.ReplayGuard:
    url = os.environ.get("REDIS_URL")
    if not url:
        return hookseal.MemoryReplayGuard()  # one process only: use Redis with several workers
    import redis

    return hookseal.RedisReplayGuard(redis.Redis.from_url(url))


@app.post("/api/hygraph")
@hygraph_signature_required(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"], replay=hookseal.MemoryReplayGuard())
def hygraph_webhook() -> Any:
    return jsonify(ok=True, environment=g.hookseal.environment)


# WSGI servers (werkzeug, gunicorn) and nginx drop header names with an underscore, so behind
# Flask configure the Action's header in Hasura as X-Action-Secret, not ACTION_SECRET.
action = hasura_action_required(header="X-Action-Secret", secret=os.environ["HASURA_ACTION_SECRET"])


def greet() -> dict[str, str]:
    # Hasura Action `greet`: return the output; HasuraActionError reaches the GraphQL client as
    # {"message", "extensions"}; any other exception answers 500 handler_failed.
    call: hookseal.HasuraAction = g.hookseal
    name = call.input.get("name")
    if call.name != "greet" or not isinstance(name, str) or not name:
        raise hookseal.HasuraActionError("greet needs a name", "bad_input")
    if name == "boom":
        raise RuntimeError("the greeting service is down")
    return {"greeting": f"Hello, {name}!"}


app.add_url_rule("/api/action", "action", action(greet), methods=["POST"])
app.add_url_rule("/api/hasura/action", "hasura_action", action(greet), methods=["POST"])


# Event Triggers and scheduled events, each delivery id run once (409 + Retry-After for a copy
# while it runs, 200 {"duplicate": true} after it finished).
@app.post("/api/hasura/event")
@hasura_event_required(header="X-Event-Secret", secret=os.environ["HASURA_EVENT_SECRET"], replay=event_guard())
def hasura_event() -> Any:
    delivery: hookseal.HasuraDelivery = g.hookseal
    row: dict[str, Any] = {}
    if delivery.event is not None:
        row = delivery.event.new or {}
    elif delivery.scheduled is not None and isinstance(delivery.scheduled.payload, dict):
        row = delivery.scheduled.payload
    if isinstance(row.get("hold_ms"), (int, float)):
        time.sleep(row["hold_ms"] / 1000)
    retry = (delivery.event.delivery_info or {}).get("current_retry", 0) if delivery.event else 0
    if isinstance(row.get("fail_until_retry"), int) and row["fail_until_retry"] > retry:
        raise RuntimeError("failing until a later retry (demo)")
    return jsonify(ok=True, kind=delivery.kind, id=delivery.id)


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


both = ["GET", "POST"]
app.add_url_rule("/api/hasura/auth", "hasura_auth_v2", hasura_auth(demo_session, mode="v2"), methods=both)
app.add_url_rule("/api/hasura/auth-ddn", "hasura_auth_ddn", hasura_auth(demo_session, mode="ddn"), methods=both)


@app.post("/api/auth")
def auth() -> Any:
    # The answer-body helper alone (see /api/hasura/auth for the whole webhook).
    if request.headers.get("Authorization") != "Bearer demo-token":
        body, _ = hookseal.hasura_action_error("invalid token", "invalid-jwt")
        return jsonify(body), 401
    return jsonify(hookseal.hasura_auth_response({"role": "user", "user-id": "42"}, max_age=60))


if __name__ == "__main__":
    from werkzeug.serving import make_server

    port = int(os.environ.get("PORT", "8000"))
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"listening {port}", flush=True)
    server.serve_forever()
