"""Replay guards: the memory store and Redis (sync and asyncio) through the integrations,
against a real redis-server (REDIS_URL, from scripts/with-redis.sh)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from typing import Any

import hookseal
import pytest
import redis
import redis.asyncio as aioredis
from conftest import free_port
from flask import Flask, jsonify
from hookseal.flask import hygraph_signature_required

SECRET = "replay-secret"


def delivery(n: int = 0) -> tuple[bytes, str]:
    body = b'{"operation":"publish","data":{"n":%d}}' % n
    t = time.time_ns() // 1_000_000
    return body, hookseal.generate_webhook_signature(secret=SECRET, raw_payload=body, timestamp=t)


def app_with(guard: Any, calls: list[int], fail_first: bool = False, delay: float = 0.0) -> Any:
    app = Flask(__name__)

    @app.post("/hook")
    @hygraph_signature_required(secret=SECRET, replay=guard)
    def hook() -> Any:
        calls.append(1)
        if delay:
            time.sleep(delay)
        if fail_first and len(calls) == 1:
            raise RuntimeError("handler crashed")
        return jsonify(ok=True)

    app.testing = False
    return app.test_client()


def test_memory_guard_states_and_eviction() -> None:
    g = hookseal.MemoryReplayGuard(max_entries=3)
    assert g.claim("a", token="t1") == "new"
    assert g.claim("a", token="t2") == "in_progress"
    assert g.release("a", token="t2") is False, "another token's release leaves the claim"
    assert g.claim("a", token="t3") == "in_progress"
    assert g.release("a", token="t1") is True
    assert g.claim("a", token="t4") == "new"
    assert g.complete("a", 60_000, token="t4") is True
    assert g.claim("a", token="t5") == "done"
    for k in ("b", "c", "d"):
        assert g.claim(k, token="t") == "new"
    assert len(g) == 3
    assert g.claim("a", token="t6") == "new", "the oldest entry was evicted at max_entries"
    with pytest.raises(ValueError):
        hookseal.MemoryReplayGuard(max_entries=0)
    with pytest.raises(TypeError, match="token"):
        g.claim("z")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="token"):
        g.claim("z", token="")


@pytest.fixture()
def sync_client(redis_url: str) -> Any:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


def test_redis_retry_then_duplicate(sync_client: Any) -> None:
    calls: list[int] = []
    c = app_with(hookseal.RedisReplayGuard(sync_client), calls, fail_first=True)
    body, sig = delivery(1)
    assert c.post("/hook", data=body, headers={"gcms-signature": sig}).status_code == 500
    assert c.post("/hook", data=body, headers={"gcms-signature": sig}).status_code == 200
    r = c.post("/hook", data=body, headers={"gcms-signature": sig})
    assert r.status_code == 200 and r.json == {"duplicate": True}
    assert len(calls) == 2
    keys = [k.decode() for k in sync_client.keys("*")]
    assert len(keys) == 1 and keys[0].startswith("hookseal:replay:")
    assert sync_client.get(keys[0]) == b"done"
    assert 0 < sync_client.pttl(keys[0]) <= 600_000


def test_redis_concurrent_copies(sync_client: Any) -> None:
    calls: list[int] = []
    c = app_with(hookseal.RedisReplayGuard(sync_client), calls, delay=0.3)
    body, sig = delivery(2)
    statuses: list[int] = []

    def send() -> None:
        statuses.append(c.post("/hook", data=body, headers={"gcms-signature": sig}).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409] and len(calls) == 1


def test_two_instances_separate_clients(redis_url: str, sync_client: Any) -> None:
    calls: list[int] = []
    a = app_with(hookseal.RedisReplayGuard(redis.Redis.from_url(redis_url)), calls)
    b = app_with(hookseal.RedisReplayGuard(redis.Redis.from_url(redis_url)), calls)
    body, sig = delivery(3)
    assert a.post("/hook", data=body, headers={"gcms-signature": sig}).status_code == 200
    r = b.post("/hook", data=body, headers={"gcms-signature": sig})
    assert r.json == {"duplicate": True} and len(calls) == 1


def test_release_never_deletes_done(sync_client: Any) -> None:
    g = hookseal.RedisReplayGuard(sync_client, prefix="t:")
    assert g.claim("k", token="a") == "new"
    assert sync_client.get("t:k") == b"processing:a"
    assert g.complete("k", 60_000, token="a") is True
    assert g.release("k", token="a") is False
    assert g.claim("k", token="b") == "done"
    assert sync_client.get("t:k") == b"done"


def test_redis_processing_ttl(sync_client: Any) -> None:
    g = hookseal.RedisReplayGuard(sync_client, prefix="t:", processing_ttl_ms=5_000)
    assert g.claim("k", token="a") == "new"
    assert 0 < sync_client.pttl("t:k") <= 5_000
    assert g.claim("k2", 100, token="a") == "new"
    assert 0 < sync_client.pttl("t:k2") <= 100
    assert hookseal.RedisReplayGuard(sync_client).processing_ttl_ms == 300_000
    with pytest.raises(ValueError):
        hookseal.RedisReplayGuard(sync_client, processing_ttl_ms=0)


def test_asyncio_client(redis_url: str) -> None:
    async def run() -> None:
        client = aioredis.Redis.from_url(redis_url)
        await client.flushdb()
        g = hookseal.RedisReplayGuard(client)
        assert g.is_async
        assert await g.aclaim("x", token="a") == "new"
        assert await g.aclaim("x", token="b") == "in_progress"
        assert await g.arelease("x", token="b") is False
        assert await g.arelease("x", token="a") is True
        assert await g.aclaim("x", token="c") == "new"
        assert await g.acomplete("x", 60_000, token="c") is True
        assert await g.aclaim("x", token="d") == "done"
        with pytest.raises(TypeError):
            g.claim("x", token="e")
        await client.aclose()

    asyncio.run(run())


def test_fastapi_with_asyncio_redis(redis_url: str) -> None:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient
    from hookseal.fastapi import HygraphSignature, install

    calls: list[int] = []
    app = FastAPI()
    install(app)
    dep = HygraphSignature(secret=SECRET, replay=hookseal.RedisReplayGuard(aioredis.Redis.from_url(redis_url)))

    @app.post("/hook")
    async def hook(v: hookseal.Verified = Depends(dep)) -> dict[str, bool]:  # noqa: B008
        calls.append(1)
        return {"ok": True}

    body, sig = delivery(4)
    with TestClient(app) as c:
        assert c.post("/hook", content=body, headers={"gcms-signature": sig}).json() == {"ok": True}
        assert c.post("/hook", content=body, headers={"gcms-signature": sig}).json() == {"duplicate": True}
    assert len(calls) == 1


def test_redis_down_is_503_and_nothing_runs() -> None:
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (scripts/with-redis.sh installs it)"
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, socket_connect_timeout=1, socket_timeout=1)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        calls: list[int] = []
        c = app_with(hookseal.RedisReplayGuard(client), calls)
        body, sig = delivery(5)
        assert c.post("/hook", data=body, headers={"gcms-signature": sig}).status_code == 200
        proc.terminate()
        proc.wait(timeout=10)
        body, sig = delivery(6)
        r = c.post("/hook", data=body, headers={"gcms-signature": sig})
        assert r.status_code == 503 and r.json["extensions"]["code"] == "replay_store_unavailable"
        assert len(calls) == 1, "nothing processed unguarded"
    finally:
        proc.kill()


def test_fastapi_asyncio_redis_retry_after_500_then_store_down_is_503() -> None:
    """FastAPI + redis.asyncio on our own redis-server: a route that returns 500 releases its
    claim (the retry runs), a handled delivery is a duplicate, and with Redis stopped the
    dependency answers 503 without calling the route."""
    from fastapi import Depends, FastAPI
    from fastapi.responses import JSONResponse
    from fastapi.testclient import TestClient
    from hookseal.fastapi import HygraphSignature, install

    server = shutil.which("redis-server")
    assert server, "redis-server is needed (scripts/with-redis.sh installs it)"
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        probe = redis.Redis(port=port, socket_connect_timeout=1, socket_timeout=1)
        for _ in range(50):
            try:
                probe.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        client = aioredis.Redis(port=port, socket_connect_timeout=1, socket_timeout=1)
        guard = hookseal.RedisReplayGuard(client, prefix="test:fastapi:")
        calls: list[int] = []
        app = FastAPI()
        install(app)
        dep = HygraphSignature(secret=SECRET, replay=guard)

        @app.post("/hook")
        async def hook(v: hookseal.Verified = Depends(dep)) -> Any:  # noqa: B008
            calls.append(1)
            if len(calls) == 1:
                return JSONResponse({"error": "db down"}, status_code=500)
            return {"ok": True}

        body, sig = delivery(7)
        h = {"gcms-signature": sig}
        with TestClient(app) as c:
            assert c.post("/hook", content=body, headers=h).status_code == 500
            assert c.post("/hook", content=body, headers=h).json() == {"ok": True}
            assert c.post("/hook", content=body, headers=h).json() == {"duplicate": True}
            keys = probe.keys("test:fastapi:*")
            assert len(keys) == 1 and probe.get(keys[0]) == b"done"
            assert 0 < probe.pttl(keys[0]) <= 600_000  # done_ttl_ms(300 s): both sides of the window
            proc.terminate()
            proc.wait(timeout=10)
            body, sig = delivery(8)
            r = c.post("/hook", content=body, headers={"gcms-signature": sig})
            assert r.status_code == 503 and r.json()["extensions"]["code"] == "replay_store_unavailable"
        assert len(calls) == 2, "nothing processed unguarded"
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_fastapi_with_sync_redis_client_runs_off_the_event_loop(sync_client: Any) -> None:
    """A redis.Redis (sync) guard under FastAPI: the calls run in a worker thread, not on the
    event loop thread, and the retry/duplicate states are the same."""
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient
    from hookseal.fastapi import HygraphSignature, install

    loop_threads: list[int] = []
    redis_threads: list[int] = []
    real_eval = sync_client.eval

    def spy_eval(*args: Any, **kwargs: Any) -> Any:
        redis_threads.append(threading.get_ident())
        return real_eval(*args, **kwargs)

    sync_client.eval = spy_eval
    calls: list[int] = []
    app = FastAPI()
    install(app)
    dep = HygraphSignature(secret=SECRET, replay=hookseal.RedisReplayGuard(sync_client))

    @app.post("/hook")
    async def hook(v: hookseal.Verified = Depends(dep)) -> dict[str, bool]:  # noqa: B008
        loop_threads.append(threading.get_ident())
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("handler crashed")
        return {"ok": True}

    body, sig = delivery(9)
    h = {"gcms-signature": sig}
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.post("/hook", content=body, headers=h).status_code == 500
        assert c.post("/hook", content=body, headers=h).json() == {"ok": True}
        assert c.post("/hook", content=body, headers=h).json() == {"duplicate": True}
    assert len(calls) == 2
    assert redis_threads and loop_threads[0] not in redis_threads


class PreTokenGuard:
    """A guard a user wrote against the interface before per-claim tokens: no `token` anywhere."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def claim(self, key: str, processing_ttl_ms: int = 60_000) -> str:
        if key in self.values:
            return "done" if self.values[key] == "done" else "in_progress"
        self.values[key] = "processing"
        return "new"

    def complete(self, key: str, done_ttl_ms: int) -> None:
        self.values[key] = "done"

    def release(self, key: str) -> None:
        if self.values.get(key) == "processing":
            del self.values[key]


def test_pre_token_guard_keeps_working_and_warns_once() -> None:
    guard = PreTokenGuard()
    calls: list[int] = []
    with pytest.warns(RuntimeWarning, match=r"PreTokenGuard has methods without a token parameter \(claim, complete"):
        c = app_with(guard, calls, fail_first=True)
    body, sig = delivery(10)
    h = {"gcms-signature": sig}
    assert c.post("/hook", data=body, headers=h).status_code == 500
    assert c.post("/hook", data=body, headers=h).status_code == 200
    assert c.post("/hook", data=body, headers=h).json == {"duplicate": True}
    assert len(calls) == 2 and list(guard.values.values()) == ["done"]


def test_handler_outliving_its_claim_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    guard = hookseal.MemoryReplayGuard(processing_ttl_ms=50)
    calls: list[int] = []
    c = app_with(guard, calls, delay=0.2)
    body, sig = delivery(11)
    with caplog.at_level("WARNING", logger="hookseal"):
        assert c.post("/hook", data=body, headers={"gcms-signature": sig}).status_code == 200
    assert "outlived processing_ttl_ms (50 ms)" in caplog.text
    # complete marked it done anyway: the delivery was processed.
    assert c.post("/hook", data=body, headers={"gcms-signature": sig}).json == {"duplicate": True}
