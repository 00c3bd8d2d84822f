"""The auth webhook's receiver-side cache (memory and Redis, sync and asyncio clients): an answer is
served for no longer than its own lifetime, its max-age shrinks as it ages, it never serves
another credential, denials are kept only when asked; plus the auth request's headers and the
answers to what resolve may return."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import hookseal
import hookseal.fastapi
import hookseal.flask
import pytest
import redis
import redis.asyncio
from fastapi import FastAPI
from fastapi.testclient import TestClient
from flask import Flask

T0 = 1_900_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class Counting:
    """A resolve that records who asked and answers by the token."""

    def __init__(self, lifetime: dict[str, Any] | None = None) -> None:
        self.calls: list[str] = []
        self.lifetime = {"max_age": 60} if lifetime is None else lifetime

    def __call__(self, auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None:
        token = auth.headers.get("authorization", "")
        self.calls.append(token)
        if not token.startswith("Bearer ok-"):
            return None
        return {"session": {"role": "user", "userId": token.removeprefix("Bearer ok-")}, **self.lifetime}


Get = Callable[..., tuple[int, Any]]
OPEN = contextlib.ExitStack()


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    OPEN.close()


def client(kind: str, resolve: Any, **options: Any) -> Get:
    """GET/POST against a real app: (status, JSON body)."""
    if kind == "flask":
        app = Flask(__name__)
        app.add_url_rule("/auth", view_func=hookseal.flask.hasura_auth(resolve, **options), methods=["GET", "POST"])
        c = app.test_client()

        def fget(headers: dict[str, str] | None = None, post: Any = None) -> tuple[int, Any]:
            r = c.post("/auth", json=post) if post is not None else c.get("/auth", headers=headers or {})
            return r.status_code, r.json

        return fget
    fapp = FastAPI()
    fapp.add_api_route("/auth", hookseal.fastapi.hasura_auth(resolve, **options), methods=["GET", "POST"])
    # One event loop for every request, as a server has (a redis.asyncio client is bound to one).
    tc = OPEN.enter_context(TestClient(fapp))

    def get(headers: dict[str, str] | None = None, post: Any = None) -> tuple[int, Any]:
        r = tc.post("/auth", json=post) if post is not None else tc.get("/auth", headers=headers or {})
        return r.status_code, r.json()

    return get


@pytest.fixture
def stores(request: pytest.FixtureRequest) -> Iterator[dict[str, Callable[[], Any]]]:
    made: list[Any] = []

    def sync_redis() -> Any:
        r = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        made.append(r)
        return {"store": r, "prefix": f"t:{hookseal.replay.new_token()}:"}

    def async_redis() -> Any:
        r = redis.asyncio.Redis.from_url(request.getfixturevalue("redis_url"))
        return {"store": r, "prefix": f"t:{hookseal.replay.new_token()}:"}

    yield {"memory": lambda: {"store": "memory"}, "redis": sync_redis, "redis-asyncio": async_redis}
    for r in made:
        r.close()


CACHE_KINDS = [
    ("flask", "memory"),
    ("fastapi", "memory"),
    ("flask", "redis"),
    ("fastapi", "redis"),
    ("fastapi", "redis-asyncio"),
]


@pytest.mark.parametrize("kind,store", CACHE_KINDS)
def test_cached_answer_lives_no_longer_than_its_lifetime(kind: str, store: str, stores: Any) -> None:
    clock = Clock()
    resolve = Counting()
    get = client(kind, resolve, mode="v2", cache=stores[store](), clock=clock)
    ada = {"Authorization": "Bearer ok-ada"}
    assert get(ada) == (200, {"X-Hasura-Role": "user", "X-Hasura-User-Id": "ada", "Cache-Control": "max-age=60"})
    clock.now += 25.5
    # Served from the cache: resolve not asked, and the max-age is what is left, never the first 60.
    assert get(ada) == (200, {"X-Hasura-Role": "user", "X-Hasura-User-Id": "ada", "Cache-Control": "max-age=34"})
    assert resolve.calls == ["Bearer ok-ada"]
    # Another credential is never served the cached answer.
    assert get({"Authorization": "Bearer ok-bob"})[1]["X-Hasura-User-Id"] == "bob"
    assert get({"authorization": "Bearer ok-ada2"})[1]["X-Hasura-User-Id"] == "ada2"
    assert len(resolve.calls) == 3
    # The header's name matches in any case: the same credential is the same key.
    assert get({"AUTHORIZATION": "Bearer ok-ada"})[0] == 200
    assert len(resolve.calls) == 3
    clock.now = T0 + 60
    assert get(ada)[1]["Cache-Control"] == "max-age=60"  # expired: resolve ran again
    assert len(resolve.calls) == 4


@pytest.mark.parametrize("kind,store", CACHE_KINDS)
def test_lifetime_cut_to_the_token_and_none_left_not_cached(kind: str, store: str, stores: Any) -> None:
    clock = Clock()
    resolve = Counting({"max_age": 600, "expires_at": dt.datetime.fromtimestamp(T0 + 20.9, dt.timezone.utc)})
    get = client(kind, resolve, mode="v2", cache=stores[store](), clock=clock)
    h = {"Authorization": "Bearer ok-1"}
    assert get(h)[1]["Cache-Control"] == "max-age=20"
    clock.now += 19.5
    assert get(h)[1].get("Cache-Control") is None  # under a second left: no key, and a miss
    assert len(resolve.calls) == 1
    clock.now += 1
    assert get(h)[1].get("Cache-Control") is None  # the token expired: resolve asked again
    assert len(resolve.calls) == 2
    # No lifetime: never cached.
    nolife = Counting({})
    get2 = client(kind, nolife, mode="v2", cache=stores[store](), clock=clock)
    get2(h)
    get2(h)
    assert len(nolife.calls) == 2


@pytest.mark.parametrize("kind,store", CACHE_KINDS)
def test_denials_cached_only_when_asked(kind: str, store: str, stores: Any) -> None:
    clock = Clock()
    resolve = Counting()
    get = client(kind, resolve, mode="v2", cache=stores[store](), clock=clock)
    bad = {"Authorization": "Bearer revoked"}
    assert get(bad)[0] == 401 and get(bad)[0] == 401
    assert len(resolve.calls) == 2
    resolve2 = Counting()
    get2 = client(kind, resolve2, mode="v2", cache={**stores[store](), "cache_denials": 5}, clock=clock)
    assert get2(bad) == (401, {"message": "access denied", "extensions": {"code": "access_denied"}})
    clock.now += 4.9
    assert get2(bad)[0] == 401
    assert len(resolve2.calls) == 1
    clock.now += 0.2
    assert get2(bad)[0] == 401
    assert len(resolve2.calls) == 2


@pytest.mark.parametrize("kind", ["flask", "fastapi"])
def test_no_configured_header_no_cache_and_post_form_keys(kind: str) -> None:
    clock = Clock()
    resolve = Counting()
    get = client(kind, resolve, mode="v2", cache={"headers": ["authorization"]}, clock=clock)
    get({"Cookie": "s=1"})
    get({"Cookie": "s=1"})
    assert len(resolve.calls) == 2  # no Authorization: nothing to key on, resolve every time
    # POST form: the key comes from the body's headers, the same key as the GET form.
    post = {"headers": {"Authorization": "Bearer ok-7"}, "request": None}
    assert get(post=post)[1]["X-Hasura-User-Id"] == "7"
    assert get({"Authorization": "Bearer ok-7"})[1]["X-Hasura-User-Id"] == "7"
    assert len(resolve.calls) == 3


@pytest.mark.parametrize("kind", ["flask", "fastapi"])
def test_ddn_cached_answer_has_no_cache_key(kind: str) -> None:
    clock = Clock()
    resolve = Counting()
    get = client(kind, resolve, mode="ddn", cache="memory", clock=clock)
    h = {"Authorization": "Bearer ok-5"}
    assert get(h) == (200, {"x-hasura-role": "user", "x-hasura-user-id": "5"})
    clock.now += 59
    assert get(h) == (200, {"x-hasura-role": "user", "x-hasura-user-id": "5"})
    assert len(resolve.calls) == 1
    clock.now += 1
    get(h)
    assert len(resolve.calls) == 2


def test_redis_entry_expires_with_the_answer(redis_url: str) -> None:
    r = redis.Redis.from_url(redis_url)
    prefix = f"t:{hookseal.replay.new_token()}:"
    get = client("flask", Counting({"max_age": 30}), mode="v2", cache={"store": r, "prefix": prefix})
    get({"Authorization": "Bearer ok-1"})
    (key,) = r.keys(prefix + "*")
    assert key.decode().startswith(prefix + "hasura-auth:")
    assert 29_000 < r.pttl(key) <= 30_000
    assert b"ok-1" not in key  # the key is a digest, never the credential
    r.close()


@pytest.mark.parametrize("kind", ["flask", "fastapi"])
def test_resolve_results_that_cannot_be_answered(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    def answer(result: Any) -> tuple[int, Any]:
        return client(kind, lambda auth: result, mode="v2")({"Authorization": "Bearer x"})

    assert answer({"session": {"role": "user"}, "maxAge": 5})[1]["extensions"]["code"] == "invalid_session"
    assert any("max_age" in r.getMessage() for r in caplog.records)
    assert answer({"session": {"role": "user"}, "expires_at": dt.datetime(2030, 1, 1)})[0] == 500  # naive
    assert answer({"session": {"role": "user", "at": dt.date(2030, 1, 1)}})[0] == 500  # not JSON
    assert answer({"role": "user"})[0] == 500  # no session
    assert answer("user")[0] == 500
    assert answer({"session": {"role": "user"}, "max_age": True})[0] == 500
    ok = answer({"session": {"role": "user"}, "max_age": 9.9})
    assert ok == (200, {"X-Hasura-Role": "user", "Cache-Control": "max-age=9"})


def test_auth_headers_mapping() -> None:
    h = hookseal.HasuraAuthHeaders([("Authorization", "Bearer a"), ("X-Tag", "1"), ("x-tag", "2")])
    assert h["authorization"] == "Bearer a" and h.get("AUTHORIZATION") == "Bearer a"
    assert h["X-TAG"] == "1, 2" and h.getlist("x-tag") == ["1", "2"]
    assert "x-tag" in h and "nope" not in h and h.get("nope") is None
    assert sorted(h) == ["Authorization", "X-Tag"] and len(h) == 2
    assert "Bearer" not in repr(h)


def test_flask_repeated_header_reaches_resolve_joined() -> None:
    seen: list[hookseal.HasuraAuthRequest] = []

    def resolve(auth: hookseal.HasuraAuthRequest) -> dict[str, Any]:
        seen.append(auth)
        return {"session": {"role": "user"}}

    app = Flask(__name__)
    app.add_url_rule("/auth", view_func=hookseal.flask.hasura_auth(resolve))
    from werkzeug.datastructures import Headers

    app.test_client().get("/auth", headers=Headers([("X-Tag", "1"), ("X-Tag", "2")]))
    # WSGI gives a repeated header as one environ value, its copies joined.
    assert seen[0].headers["x-tag"] == "1, 2"
    assert seen[0].method == "GET" and seen[0].request is None and seen[0].mode == "v2"


def test_configuration_errors() -> None:
    with pytest.raises(ValueError):
        hookseal.fastapi.hasura_auth(lambda a: None, mode="v3")  # type: ignore[call-overload]
    with pytest.raises(ValueError):
        hookseal.flask.hasura_auth(lambda a: None, max_age=-1)
    with pytest.raises(TypeError):
        hookseal.flask.hasura_auth(lambda a: None, cache={"store": "memory", "cacheDenials": True})
    with pytest.raises(TypeError):
        hookseal.flask.hasura_auth(lambda a: None, cache={"headers": []})
    with pytest.raises(TypeError):
        hookseal.flask.hasura_auth(lambda a: None, cache=redis.asyncio.Redis())
    with pytest.raises(TypeError):
        hookseal.flask.hasura_auth(lambda a: None, cache=42)


def test_decorator_forms_keep_the_name() -> None:
    app = Flask(__name__)

    @app.route("/auth", methods=["GET", "POST"])
    @hookseal.flask.hasura_auth(mode="ddn")
    def my_auth(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None:
        return {"session": {"role": "user", "n": [1]}} if auth.headers.get("authorization") else None

    assert "my_auth" in app.view_functions
    c = app.test_client()
    assert c.get("/auth", headers={"Authorization": "x"}).json == {"x-hasura-role": "user", "x-hasura-n": [1]}
    assert c.get("/auth").status_code == 401

    fapp = FastAPI()

    @fapp.api_route("/auth", methods=["GET", "POST"])
    @hookseal.fastapi.hasura_auth(mode="v2", max_age=60)
    async def fauth(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None:
        return {"session": {"role": "admin"}} if auth.headers.get("authorization") == "Bearer t" else None

    tc = TestClient(fapp)
    assert tc.get("/auth", headers={"Authorization": "Bearer t"}).json() == {
        "X-Hasura-Role": "admin",
        "Cache-Control": "max-age=60",
    }
    assert tc.post("/auth", json={"headers": {"authorization": "Bearer t"}, "request": None}).status_code == 200
    assert tc.post("/auth", content=b"not json").status_code == 400


def test_flask_async_resolve_and_sync_receiver_refuses_awaitables() -> None:
    import asyncio

    async def resolve(auth: hookseal.HasuraAuthRequest) -> dict[str, Any] | None:
        await asyncio.sleep(0)
        return {"session": {"role": "user"}} if auth.headers.get("authorization") == "Bearer t" else None

    app = Flask(__name__)
    app.add_url_rule("/auth", view_func=hookseal.flask.hasura_auth(resolve, mode="ddn"), methods=["GET", "POST"])
    c = app.test_client()
    assert c.get("/auth", headers={"Authorization": "Bearer t"}).json == {"x-hasura-role": "user"}
    assert c.post("/auth", json={"headers": {"authorization": "Bearer t"}}).json == {"x-hasura-role": "user"}
    assert c.get("/auth").status_code == 401
    # The framework-neutral sync receiver given an async resolve answers 500, never 200 or 401.
    from hookseal._hasura import HasuraAuthReceiver
    from hookseal._receiver import Incoming

    answer = HasuraAuthReceiver().respond(Incoming("GET", {"Authorization": "Bearer t"}, b""), resolve)  # type: ignore[arg-type]
    assert (answer.status, answer.data()["extensions"]["code"]) == (500, "handler_failed")
