"""hookseal.django: the decorators through Django's own request handling (test client: WSGI
handler for sync views, ASGI handler for async views, CSRF middleware on), the shared vectors
through them, and the example app under real servers (gunicorn for WSGI, uvicorn for ASGI)."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import django
import hookseal
import pytest
from adapter_cases import (
    ACTION,
    AUTH,
    EVENT,
    GUARDS,
    SHARED,
    STRICT,
    Reply,
    Request,
    action_result,
    auth_options,
    auth_result,
    check_action,
    check_auth,
    check_event,
    check_shared,
    check_strict,
    event_guard,
    event_options,
    ids,
    pin_clock,
    request_of,
    shared_request,
    strict_options,
    strict_request,
)
from conftest import ROOT, free_port, load
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="hookseal-tests-only",
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        # CSRF on, as in every Django project: the decorated views must still take a webhook.
        MIDDLEWARE=["django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )
    django.setup()

from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.test import AsyncClient, Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from hookseal.django import (  # noqa: E402
    hasura_action_required,
    hasura_auth,
    hasura_event_required,
    hygraph_signature_required,
    shared_secret_required,
)

urlpatterns: list[Any] = []

SECRET = "django-secret"
BODY = b'{"operation":"publish","data":{"id":"ckx1"}}'
FLAVOURS = ["sync", "async"]


def sig(body: bytes = BODY, age_ms: int = 0) -> str:
    t = time.time_ns() // 1_000_000 - age_ms
    return hookseal.generate_webhook_signature(secret=SECRET, raw_payload=body, timestamp=t)


def send(view: Callable[..., Any], req: Request, flavour: str) -> Reply:
    """``req`` to ``view`` at /hook through Django's test client: the WSGI handler (``Client``) or
    the ASGI handler (``AsyncClient``), with CSRF checks enforced as a browser-facing site has them."""
    urls = types.ModuleType("hookseal_test_urls")
    urls.urlpatterns = [path("hook", view)]  # type: ignore[attr-defined]
    headers = {k: v if isinstance(v, str) else ",".join(v) for k, v in req.headers.items()}
    with override_settings(ROOT_URLCONF=urls):
        if flavour == "async":
            client: Any = AsyncClient(enforce_csrf_checks=True)
            r = asyncio.run(client.generic(req.method, "/hook", req.body, headers=headers))
        else:
            r = Client(enforce_csrf_checks=True).generic(req.method, "/hook", req.body, headers=headers)
    return Reply(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content)


def view_of(flavour: str, body: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """A Django view (sync or ``async def``) that answers ``body(request)``."""
    if flavour == "async":

        async def aview(request: HttpRequest) -> Any:
            await asyncio.sleep(0)
            return body(request)

        return aview

    def view(request: HttpRequest) -> Any:
        return body(request)

    return view


# ---------------------------------------------------------------- the shared vectors


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("case", STRICT, ids=ids(STRICT))
def test_strict_vectors(case: dict[str, Any], flavour: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_clock(monkeypatch, case["now"])
    seen: list[Any] = []

    def answer(request: HttpRequest) -> Any:
        seen.append(request.hookseal)  # type: ignore[attr-defined]
        return JsonResponse({"ok": True})

    view = hygraph_signature_required(**strict_options(case))(view_of(flavour, answer))
    check_strict(case, send(view, strict_request(case), flavour), seen)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("case", SHARED, ids=ids(SHARED))
def test_shared_secret_vectors(case: dict[str, Any], flavour: str) -> None:
    seen: list[Any] = []

    def answer(request: HttpRequest) -> Any:
        seen.append(request.hookseal)  # type: ignore[attr-defined]
        return JsonResponse({"ok": True})

    with pytest.warns(UserWarning, match="underscore") if "_" in case["header"] else _nothing():
        decorate = shared_secret_required(header=case["header"], secret=case["secrets"])
    check_shared(case, send(decorate(view_of(flavour, answer)), shared_request(case), flavour), seen)


@pytest.mark.parametrize("store", GUARDS)
@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("case", EVENT, ids=ids(EVENT))
def test_hasura_event_vectors(case: dict[str, Any], flavour: str, store: str, request: pytest.FixtureRequest) -> None:
    seen: list[Any] = []
    guard = event_guard(case, store, request.getfixturevalue("redis_url") if store == "redis" else None)

    def answer(request: HttpRequest) -> Any:
        seen.append(request.hookseal)  # type: ignore[attr-defined]
        handler = case["handler"]
        if handler == "throw":
            raise RuntimeError("the handler failed (test)")
        if isinstance(handler, dict):
            return HttpResponse(status=handler["status"])
        return JsonResponse({"ok": True})

    view = hasura_event_required(**event_options(case), replay=guard)(view_of(flavour, answer))
    check_event(case, send(view, request_of(case), flavour), seen, guard)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("case", ACTION, ids=ids(ACTION))
def test_hasura_action_vectors(case: dict[str, Any], flavour: str) -> None:
    seen: list[Any] = []

    def answer(request: HttpRequest) -> Any:
        seen.append(request.hookseal)  # type: ignore[attr-defined]
        return action_result(case)

    view = hasura_action_required(**case["options"])(view_of(flavour, answer))
    check_action(case, send(view, request_of(case), flavour), seen)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("case", AUTH, ids=ids(AUTH))
def test_hasura_auth_vectors(case: dict[str, Any], flavour: str) -> None:
    seen: list[Any] = []

    def answer(request: HttpRequest) -> Any:
        seen.append(request.hookseal)  # type: ignore[attr-defined]
        return auth_result(case, time.time())

    view = hasura_auth(**auth_options(case))(view_of(flavour, answer))
    check_auth(case, send(view, request_of(case), flavour), seen)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# ---------------------------------------------------------------- Django specifics


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_replay_and_retry_after_failure(flavour: str) -> None:
    calls: list[str] = []

    def answer(request: HttpRequest) -> Any:
        calls.append(request.hookseal.environment)  # type: ignore[attr-defined]
        if len(calls) == 1:
            return JsonResponse({"error": "db down"}, status=500)
        # The view can still read the raw body itself.
        return JsonResponse({"ok": True, "body": json.loads(request.body)["operation"]})

    view = hygraph_signature_required(secret=SECRET, replay=hookseal.MemoryReplayGuard())(view_of(flavour, answer))
    req = Request("POST", {"gcms-signature": sig(), "content-type": "application/json"}, BODY)
    assert send(view, req, flavour).status == 500  # released: Hygraph's retry runs
    second = send(view, req, flavour)
    assert second.status == 200 and second.json() == {"ok": True, "body": "publish"}
    third = send(view, req, flavour)
    assert third.status == 200 and third.json() == {"duplicate": True}
    assert calls == ["master", "master"]
    bad = send(view, Request("POST", {"gcms-signature": sig(age_ms=3_600_000)}, BODY), flavour)
    assert (bad.status, bad.code()) == (401, "timestamp_too_old")
    assert bad.headers["content-type"] == "application/json"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_replay_key_body(flavour: str) -> None:
    """replay_key="body": the same body re-signed (another t, another signature) is the same
    delivery; with the default key by signature it is a new one."""
    for by, second in (("body", {"duplicate": True}), ("signature", {"ok": True})):
        view = hygraph_signature_required(secret=SECRET, replay=hookseal.MemoryReplayGuard(), replay_key=by)(
            view_of(flavour, lambda request: JsonResponse({"ok": True}))
        )
        assert send(view, Request("POST", {"gcms-signature": sig(age_ms=2000)}, BODY), flavour).json() == {"ok": True}
        assert send(view, Request("POST", {"gcms-signature": sig()}, BODY), flavour).json() == second


def test_decorated_views_keep_their_kind_and_are_csrf_exempt() -> None:
    from asgiref.sync import iscoroutinefunction

    def sync_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    async def async_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    for decorate in (
        hygraph_signature_required(secret=SECRET),
        shared_secret_required(header="X-Action-Secret", secret="abc"),
        hasura_event_required(header="X-Event-Secret", secret="abc"),
        hasura_action_required(header="X-Action-Secret", secret="abc"),
        hasura_auth(mode="v2"),
    ):
        s, a = decorate(sync_view), decorate(async_view)
        assert not iscoroutinefunction(s) and iscoroutinefunction(a)
        assert s.__name__ == "sync_view" and a.__name__ == "async_view"
        assert s.csrf_exempt is True and a.csrf_exempt is True  # type: ignore[attr-defined]


def test_async_view_under_wsgi_and_sync_view_under_asgi() -> None:
    """Django runs an async view under WSGI (async_to_sync) and a sync view under ASGI (in a
    thread): the decorators work either way."""
    for flavour, client in (("async", "sync"), ("sync", "async")):
        seen: list[Any] = []

        def answer(request: HttpRequest) -> Any:
            seen.append(request.hookseal)  # noqa: B023  # type: ignore[attr-defined]
            return JsonResponse({"ok": True})

        view = hygraph_signature_required(secret=SECRET)(view_of(flavour, answer))
        reply = send(view, Request("POST", {"gcms-signature": sig()}, BODY), client)
        assert reply.status == 200 and len(seen) == 1


def test_view_exception_goes_to_django_for_hygraph() -> None:
    """Hygraph and shared-secret views that raise: the claim is released and the exception is
    Django's (its 500 handler, its logging), as the Flask decorators do."""
    guard = hookseal.MemoryReplayGuard()

    @hygraph_signature_required(secret=SECRET, replay=guard)
    def view(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("boom")

    urls = types.ModuleType("hookseal_test_urls")
    urls.urlpatterns = [path("hook", view)]  # type: ignore[attr-defined]
    with override_settings(ROOT_URLCONF=urls):
        with pytest.raises(RuntimeError, match="boom"):
            Client().post("/hook", BODY, content_type="application/json", headers={"gcms-signature": sig()})
        r = Client(raise_request_exception=False).post(
            "/hook", BODY, content_type="application/json", headers={"gcms-signature": sig()}
        )
    assert r.status_code == 500
    assert len(guard) == 0  # released


def test_underscore_header_name_matches_what_django_shows() -> None:
    """Django files ACTION_SECRET and Action-Secret under one name (HTTP_ACTION_SECRET); a header
    configured with an underscore is found there, and the decorator warns about WSGI servers."""
    with pytest.warns(UserWarning, match="underscore") as caught:
        decorate = shared_secret_required(header="ACTION_SECRET", secret="abc")
    assert caught[0].filename == __file__
    view = decorate(view_of("sync", lambda request: JsonResponse({"ok": True})))
    assert send(view, Request("POST", {"Action-Secret": "abc"}, b"{}"), "sync").status == 200
    assert send(view, Request("POST", {"Action-Secret": "abc"}, b"{}"), "async").status == 200
    r = send(view, Request("POST", {}, b"{}"), "sync")
    assert (r.status, r.code()) == (401, "missing_secret")
    assert "underscore" in r.json()["message"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_body_over_djangos_limit_is_413(flavour: str) -> None:
    """Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; the decorators answer 413
    payload_too_large in Hasura's shape (not Django's bare 400), and the view is not called."""
    seen: list[Any] = []
    view = hygraph_signature_required(secret=SECRET)(view_of(flavour, lambda request: seen.append(1)))
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=16):
        r = send(view, Request("POST", {"gcms-signature": sig()}, BODY), flavour)
    assert (r.status, r.code()) == (413, "payload_too_large") and seen == []
    assert send(view, Request("POST", {"gcms-signature": sig()}, BODY), flavour).status == 200


def test_configuration_errors_at_decoration() -> None:
    with pytest.raises(TypeError):
        hygraph_signature_required(secret=None)
    with pytest.raises(ValueError):
        hygraph_signature_required(secret="")
    with pytest.raises(TypeError):
        shared_secret_required(header="x", secret=None)
    with pytest.raises(ValueError):
        hasura_event_required(header="x", secret="s", retry_after=0)
    with pytest.raises(ValueError):
        hasura_auth(mode="v3")


# ---------------------------------------------------------------- the example app, served


def _serve(cmd: list[str], redis_url: str | None = None) -> Iterator[str]:
    port = free_port()
    env = dict(
        os.environ,
        PORT=str(port),
        HYGRAPH_WEBHOOK_SECRET=SECRET,
        HASURA_ACTION_SECRET="action-secret",
        HASURA_EVENT_SECRET="event-secret",
    )
    # Without REDIS_URL the example's guard is in memory: one process, as started here.
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    cmd = [c.replace("{port}", str(port)) for c in cmd]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    out = proc.stdout.read() if proc.stdout else ""
                    raise AssertionError(f"{cmd[2]} did not start:\n{out}") from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


GUNICORN = [sys.executable, "-m", "gunicorn", "--chdir", "examples/django", "--bind", "127.0.0.1:{port}"]
GUNICORN += ["--threads", "4", "--log-level", "warning", "wsgi:application"]
SERVERS = {
    # WSGI, as Django is most often deployed: sync views in threads, async views via async_to_sync.
    "gunicorn": [*GUNICORN, "--workers", "1"],
    # ASGI: async views on uvicorn's event loop.
    "uvicorn": [sys.executable, "-m", "uvicorn", "--app-dir", "examples/django", "--host", "127.0.0.1"]
    + ["--port", "{port}", "--log-level", "warning", "asgi:application"],
    # Two worker processes sharing the replay guard on Redis (REDIS_URL), as a scaled deployment.
    "gunicorn-2-workers-redis": [*GUNICORN, "--workers", "2"],
}


@pytest.fixture(scope="module", params=list(SERVERS))
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    redis_url = request.getfixturevalue("redis_url") if request.param.endswith("redis") else None
    for host in _serve(SERVERS[request.param], redis_url):
        yield host + ("#redis" if redis_url else "")


def http_send(host: str, path_: str, req: Request) -> Reply:
    conn = http.client.HTTPConnection(host.split("#")[0], timeout=10)
    headers = {k: v if isinstance(v, str) else ",".join(v) for k, v in req.headers.items()}
    conn.request(req.method, path_, body=req.body if req.method != "GET" else None, headers=headers)
    r = conn.getresponse()
    out = Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    conn.close()
    return out


PAYLOADS: list[dict[str, Any]] = load("hasura-payloads.json")["cases"]


def signed_delivery(body: bytes = BODY, secret: str = SECRET) -> dict[str, str]:
    return {"gcms-signature": hookseal.generate_webhook_signature(secret=secret, raw_payload=body)}


def test_served_hygraph(server: str) -> None:
    h = {**signed_delivery(), "content-type": "application/json"}
    first = http_send(server, "/api/hygraph", Request("POST", h, BODY))
    assert (first.status, first.json()) == (200, {"ok": True, "environment": "master"})
    assert http_send(server, "/api/hygraph", Request("POST", h, BODY)).json() == {"duplicate": True}
    tampered = http_send(server, "/api/hygraph", Request("POST", h, BODY + b" "))
    assert (tampered.status, tampered.code()) == (401, "signature_mismatch")
    old = hookseal.generate_webhook_signature(
        secret=SECRET, raw_payload=BODY, timestamp=time.time_ns() // 1_000_000 - 3_600_000
    )
    stale = http_send(server, "/api/hygraph", Request("POST", {"gcms-signature": old}, BODY))
    assert (stale.status, stale.code()) == (401, "timestamp_too_old")
    assert stale.headers["content-type"] == "application/json"
    # Not a POST: Django's require_POST, before any check.
    assert http_send(server, "/api/hygraph", Request("GET", {}, b"")).status == 405


@pytest.mark.parametrize("case", STRICT, ids=ids(STRICT))
def test_served_strict_vectors_signed_now(server: str, case: dict[str, Any]) -> None:
    """strict.json's bodies and header shapes over HTTP: a case the core accepts is signed afresh
    with the example's secret (the server's clock is its own); every refusal that does not
    depend on the clock or the configured secret is refused the same way through the server."""
    req = strict_request(case)
    expect = case["expect"]
    error = expect.get("error")
    if error in ("timestamp_too_old", "timestamp_in_future", "environment_not_allowed", "signature_mismatch"):
        pytest.skip("depends on the vector's clock, environments or secrets")
    if error is None:
        req.headers["gcms-signature"] = hookseal.generate_webhook_signature(
            secret=SECRET, raw_payload=req.body, environment_name=expect["environment"]
        )
    reply = http_send(server, "/api/hygraph", req)
    if error is None:
        assert reply.status == 200 and reply.json() == {"ok": True, "environment": expect["environment"]}
    else:
        assert (reply.status, reply.code()) == (401, error), reply


def test_served_action_routes(server: str) -> None:
    greet = json.dumps({"action": {"name": "greet"}, "input": {"name": "Ada"}, "session_variables": {}}).encode()
    good = {"X-Action-Secret": "action-secret", "content-type": "application/json"}
    for route in ("/api/action", "/api/hasura/action"):
        ok = http_send(server, route, Request("POST", good, greet))
        assert (ok.status, ok.json()) == (200, {"greeting": "Hello, Ada!"}), route
        missing = http_send(server, route, Request("POST", {"content-type": "application/json"}, greet))
        assert (missing.status, missing.code()) == (401, "missing_secret")
        wrong = http_send(server, route, Request("POST", {**good, "X-Action-Secret": "nope"}, greet))
        assert (wrong.status, wrong.code()) == (401, "secret_mismatch")
    nameless = json.dumps({"action": {"name": "greet"}, "input": {}, "session_variables": {}}).encode()
    r = http_send(server, "/api/hasura/action", Request("POST", good, nameless))
    assert (r.status, r.json()) == (400, {"message": "greet needs a name", "extensions": {"code": "bad_input"}})
    boom = json.dumps({"action": {"name": "greet"}, "input": {"name": "boom"}, "session_variables": {}}).encode()
    r = http_send(server, "/api/hasura/action", Request("POST", good, boom))
    assert (r.status, r.json()) == (
        500,
        {"message": "the action handler failed", "extensions": {"code": "handler_failed"}},
    )


@pytest.mark.parametrize("case", PAYLOADS, ids=ids(PAYLOADS))
def test_served_hasura_payload_vectors(server: str, case: dict[str, Any], seen_ids: set[tuple[str, str]]) -> None:
    """hasura-payloads.json through the served routes: deliveries to the event route (run once per
    id), Actions to the Action route, auth bodies to the auth webhooks (POST form)."""
    body = case["body"].encode("utf-8")
    kind = case["kind"]
    if kind == "delivery" and case["ok"] and server.endswith("#redis"):
        pytest.skip("these ids may be done on this Redis already (other suites send them too)")
    if kind == "delivery":
        r = http_send(server, "/api/hasura/event", Request("POST", {"X-Event-Secret": "event-secret"}, body))
        if not case["ok"]:
            assert (r.status, r.code()) == (400, "malformed_payload"), r
            return
        expect = case["expect"]
        first = (server, expect["id"]) not in seen_ids
        seen_ids.add((server, expect["id"]))
        want = {"ok": True, "kind": expect["kind"], "id": expect["id"]} if first else {"duplicate": True}
        assert (r.status, r.json()) == (200, want), r
    elif kind == "action":
        r = http_send(server, "/api/hasura/action", Request("POST", {"X-Action-Secret": "action-secret"}, body))
        # The example's greet needs input.name, which these payloads do not have.
        assert (r.status, r.code()) == (400, "bad_input" if case["ok"] else "malformed_payload"), r
    else:
        route = "/api/hasura/auth" if kind == "auth_v2" else "/api/hasura/auth-ddn"
        r = http_send(server, route, Request("POST", {"content-type": "application/json"}, body))
        # None of them carries the example's demo token: allowed shape → 401, other shape → 400.
        assert (r.status, r.code()) == ((401, "access_denied") if case["ok"] else (400, "malformed_payload")), r


@pytest.fixture(scope="module")
def seen_ids() -> set[tuple[str, str]]:
    return set()


def _event(id_: str, new: dict[str, Any], retry: int = 0) -> bytes:
    return json.dumps(
        {
            "id": id_,
            "created_at": "2026-12-02T00:00:00.000Z",
            "trigger": {"name": "user_created"},
            "table": {"schema": "public", "name": "users"},
            "delivery_info": {"current_retry": retry, "max_retries": 3},
            "event": {"op": "INSERT", "session_variables": None, "data": {"old": None, "new": new}},
        }
    ).encode()


def test_served_event_runs_once(server: str) -> None:
    import concurrent.futures

    h = {"X-Event-Secret": "event-secret", "content-type": "application/json"}
    id_ = f"served-{server}-{time.time_ns()}"
    body = _event(id_, {"id": 1, "hold_ms": 2500})
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(http_send, server, "/api/hasura/event", Request("POST", h, body))
        time.sleep(0.5)
        second = http_send(server, "/api/hasura/event", Request("POST", h, body))
        replies = sorted([first.result(), second], key=lambda r: r.status)
    # Whichever claimed the id first runs it (2.5 s); the copy meanwhile gets 409 + Retry-After.
    done, copy_ = replies
    assert (done.status, done.json()) == (200, {"ok": True, "kind": "event", "id": id_})
    assert (copy_.status, copy_.code(), copy_.headers.get("retry-after")) == (409, "replayed", "10")
    again = http_send(server, "/api/hasura/event", Request("POST", h, body))
    assert (again.status, again.json()) == (200, {"duplicate": True})
    # A handler that fails releases the claim; Hasura's retry (the same id) runs it.
    id2 = id_ + "-fail"
    failed = http_send(server, "/api/hasura/event", Request("POST", h, _event(id2, {"fail_until_retry": 1})))
    assert (failed.status, failed.code()) == (500, "handler_failed")
    retried = http_send(server, "/api/hasura/event", Request("POST", h, _event(id2, {"fail_until_retry": 1}, 1)))
    assert (retried.status, retried.json()) == (200, {"ok": True, "kind": "event", "id": id2})


def test_served_auth_webhooks(server: str) -> None:
    good = {"Authorization": "Bearer demo-token"}
    r = http_send(server, "/api/hasura/auth", Request("GET", good, b""))
    assert (r.status, r.json()) == (
        200,
        {"X-Hasura-Role": "user", "X-Hasura-User-Id": "42", "Cache-Control": "max-age=60"},
    )
    expiring = {"Authorization": f"Bearer demo-token.{int(time.time()) + 20}"}
    r = http_send(server, "/api/hasura/auth", Request("GET", expiring, b""))
    assert r.status == 200 and r.json()["Cache-Control"] in ("max-age=19", "max-age=20")
    r = http_send(server, "/api/hasura/auth", Request("GET", {}, b""))
    assert (r.status, r.code()) == (401, "access_denied")
    post = json.dumps({"headers": good, "request": {"query": "{ me { id } }"}}).encode()
    r = http_send(server, "/api/hasura/auth", Request("POST", {"content-type": "application/json"}, post))
    assert r.status == 200 and r.json()["X-Hasura-User-Id"] == "42"
    ddn = json.dumps({"headers": {"authorization": "Bearer demo-token"}}).encode()
    r = http_send(server, "/api/hasura/auth-ddn", Request("POST", {"content-type": "application/json"}, ddn))
    assert (r.status, r.json()) == (200, {"x-hasura-role": "user", "x-hasura-user-id": 42})
    r = http_send(server, "/api/hasura/auth-ddn", Request("GET", good, b""))
    assert (r.status, r.json()) == (200, {"x-hasura-role": "user", "x-hasura-user-id": 42})
