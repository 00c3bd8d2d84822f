"""One Python webhook server for the fault tests (tests/faults/run.py starts several).

    python worker.py fastapi|flask PORT REDIS_URL

A real server (uvicorn for FastAPI with a redis.asyncio client, werkzeug's threaded server for
Flask with a redis.Redis client) behind hookseal's Hygraph wrapper (MODE=hygraph, the default) or
its Hasura event wrapper (MODE=hasura: Event Trigger deliveries, header X-Event-Secret,
Retry-After 1) with a RedisReplayGuard. The
handler records every run in an in-memory side table: `start` when it is called, then `fail`
(it raises or answers 500, at random, at FAIL_RATE) or `done`. GET /log returns the table;
POST /config sets fail_rate and hold_ms (how long a run takes). Environment: HOOKSEAL_SECRET (the
webhook secret), WORKER_NAME, PROCESSING_TTL_MS (the guard's claim lifetime), MODE.
"""

import json
import logging
import os
import random
import sys
import threading
import time
from typing import Any

import hookseal

KIND, PORT, REDIS_URL = sys.argv[1], int(sys.argv[2]), sys.argv[3]
SECRET = os.environ["HOOKSEAL_SECRET"]
NAME = os.environ.get("WORKER_NAME", f"{KIND}-{PORT}")
TTL_MS = int(os.environ.get("PROCESSING_TTL_MS", "300000"))
HASURA = os.environ.get("MODE", "hygraph") == "hasura"

events: list[tuple[int | str, str, float, str]] = []  # (delivery id, start|fail|done, wall-clock ms, worker)
lock = threading.Lock()
config: dict[str, Any] = {"fail_rate": 0.0, "hold_ms": 0}
rng = random.Random(PORT)


def record(delivery: int | str, what: str) -> None:
    with lock:
        events.append((delivery, what, time.time_ns() / 1e6, NAME))


def finish(delivery: int | str) -> str:
    """After the run's work: `fail` (answer 'raise' or '500') at FAIL_RATE, else `done` ('ok')."""
    with lock:
        roll = rng.random()
        mode = rng.choice(("raise", "500"))
    if roll < config["fail_rate"]:
        record(delivery, "fail")
        return mode
    record(delivery, "done")
    return "ok"


def reconfigure(body: dict[str, Any]) -> None:
    config.update({k: body[k] for k in ("fail_rate", "hold_ms") if k in body})


def fastapi_app() -> Any:
    import asyncio

    import redis.asyncio as aioredis
    from fastapi import Depends, FastAPI, Request
    from fastapi.responses import JSONResponse
    from hookseal.fastapi import HasuraEventDelivery, HygraphSignature, install

    client = aioredis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    guard = hookseal.RedisReplayGuard(client, processing_ttl_ms=TTL_MS)
    app = FastAPI()
    install(app)

    async def run(delivery: int | str) -> Any:
        record(delivery, "start")
        if config["hold_ms"]:
            await asyncio.sleep(config["hold_ms"] / 1000)
        mode = finish(delivery)
        if mode == "raise":
            raise RuntimeError("injected failure")
        if mode == "500":
            return JSONResponse({"error": "injected"}, status_code=500)
        return {"processed": delivery}

    if HASURA:
        event = HasuraEventDelivery(header="X-Event-Secret", secret=SECRET, replay=guard, retry_after=1)

        @app.post("/hook")
        async def hasura_hook(d: hookseal.HasuraDelivery = Depends(event)) -> Any:  # noqa: B008
            return await run(d.id)

    else:
        hygraph = HygraphSignature(secret=SECRET, replay=guard)

        @app.post("/hook")
        async def hook(request: Request, v: hookseal.Verified = Depends(hygraph)) -> Any:  # noqa: B008
            return await run(json.loads(await request.body())["id"])

    @app.get("/log")
    async def log() -> Any:
        with lock:
            return list(events)

    @app.post("/config")
    async def configure(request: Request) -> Any:
        reconfigure(json.loads(await request.body()))
        return {"ok": True}

    return app


def flask_app() -> Any:
    import redis
    from flask import Flask, g, jsonify, request
    from hookseal.flask import hasura_event_required, hygraph_signature_required

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    guard = hookseal.RedisReplayGuard(client, processing_ttl_ms=TTL_MS)
    app = Flask(NAME)
    app.logger.setLevel(logging.CRITICAL)  # the injected exceptions are expected

    def run(delivery: int | str) -> Any:
        record(delivery, "start")
        if config["hold_ms"]:
            time.sleep(config["hold_ms"] / 1000)
        mode = finish(delivery)
        if mode == "raise":
            raise RuntimeError("injected failure")
        if mode == "500":
            return jsonify(error="injected"), 500
        return jsonify(processed=delivery)

    if HASURA:

        @app.post("/hook")
        @hasura_event_required(header="X-Event-Secret", secret=SECRET, replay=guard, retry_after=1)
        def hasura_hook() -> Any:
            return run(g.hookseal.id)

    else:

        @app.post("/hook")
        @hygraph_signature_required(secret=SECRET, replay=guard)
        def hook() -> Any:
            return run(json.loads(request.get_data())["id"])

    @app.get("/log")
    def log() -> Any:
        with lock:
            return jsonify(list(events))

    @app.post("/config")
    def configure() -> Any:
        reconfigure(json.loads(request.get_data()))
        return jsonify(ok=True)

    return app


if __name__ == "__main__":
    # The injected failures and a stopped Redis are expected here; keep the output readable.
    # (The Hasura wrappers log each injected failure they answer 500 handler_failed, at ERROR.)
    logging.getLogger("hookseal").setLevel(logging.CRITICAL if HASURA else logging.ERROR)
    if KIND == "fastapi":
        import uvicorn

        uvicorn.run(fastapi_app(), host="127.0.0.1", port=PORT, log_level="critical", access_log=False)
    else:
        from werkzeug.serving import WSGIRequestHandler, run_simple

        WSGIRequestHandler.log = lambda *a, **k: None  # type: ignore[method-assign]
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        run_simple("127.0.0.1", PORT, flask_app(), threaded=True)
