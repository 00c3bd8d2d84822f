"""A Flask service with a Hygraph webhook, a Hasura Action and a Hasura auth webhook.

HYGRAPH_WEBHOOK_SECRET=... HASURA_ACTION_SECRET=... PORT=8000 python examples/flask/app.py
"""

from __future__ import annotations

import os
from typing import Any

import hookseal
from flask import Flask, g, jsonify, request
from hookseal.flask import hygraph_signature_required, shared_secret_required

app = Flask(__name__)


@app.post("/api/hygraph")
@hygraph_signature_required(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"], replay=hookseal.MemoryReplayGuard())
def hygraph_webhook() -> Any:
    return jsonify(ok=True, environment=g.hookseal.environment)


# WSGI servers (werkzeug, gunicorn) and nginx drop header names with an underscore, so behind
# Flask configure the Action's header in Hasura as X-Action-Secret, not ACTION_SECRET.
@app.post("/api/action")
@shared_secret_required(header="X-Action-Secret", secret=os.environ["HASURA_ACTION_SECRET"])
def greet() -> Any:
    try:
        action = hookseal.parse_hasura_action(request.get_data())
    except hookseal.WebhookVerificationError as e:
        body, status = hookseal.hasura_action_error(str(e), e.code)
        return jsonify(body), status
    name = action.input.get("name")
    if action.name != "greet" or not isinstance(name, str) or not name:
        body, status = hookseal.hasura_action_error("greet needs a name", "bad_input")
        return jsonify(body), status
    return jsonify(greeting=f"Hello, {name}!")


@app.post("/api/auth")
def auth() -> Any:
    # Hasura's auth webhook: answer the session, cacheable for 60 s (never longer than the token).
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
