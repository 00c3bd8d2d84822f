"""A FastAPI service with a Hygraph webhook, a Hasura Action and a Hasura auth webhook.

HYGRAPH_WEBHOOK_SECRET=... HASURA_ACTION_SECRET=... PORT=8000 python examples/fastapi/app.py
"""

from __future__ import annotations

import os
import sys
from typing import Any

import hookseal
import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from hookseal.fastapi import HygraphSignature, SharedSecret, install

app = FastAPI()
install(app)  # failures answer in Hasura's shape: {"message", "extensions": {"code"}}

# A missing environment variable stops the server here (KeyError), never lets requests in.
hygraph = HygraphSignature(secret=os.environ["HYGRAPH_WEBHOOK_SECRET"], replay=hookseal.MemoryReplayGuard())
action_secret = SharedSecret(header="ACTION_SECRET", secret=os.environ["HASURA_ACTION_SECRET"])


@app.post("/api/hygraph")
async def hygraph_webhook(delivery: hookseal.Verified = Depends(hygraph)) -> dict[str, Any]:  # noqa: B008
    return {"ok": True, "environment": delivery.environment}


@app.post("/api/action", dependencies=[Depends(action_secret)])
async def greet(request: Request) -> Any:
    try:
        action = hookseal.parse_hasura_action(await request.body())
    except hookseal.WebhookVerificationError as e:
        body, status = hookseal.hasura_action_error(str(e), e.code)
        return JSONResponse(body, status_code=status)
    name = action.input.get("name")
    if action.name != "greet" or not isinstance(name, str) or not name:
        body, status = hookseal.hasura_action_error("greet needs a name", "bad_input")
        return JSONResponse(body, status_code=status)
    return {"greeting": f"Hello, {name}!"}


@app.post("/api/auth")
async def auth(request: Request) -> Any:
    # Hasura's auth webhook: answer the session, cacheable for 60 s (never longer than the token).
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
