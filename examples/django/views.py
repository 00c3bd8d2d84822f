"""A Django service with a Hygraph webhook, Hasura Actions, Event Triggers and auth webhooks.

HYGRAPH_WEBHOOK_SECRET=... HASURA_ACTION_SECRET=... HASURA_EVENT_SECRET=... \
    gunicorn --chdir examples/django --bind 127.0.0.1:8000 wsgi:application      # WSGI
    uvicorn --app-dir examples/django --port 8000 asgi:application                # or ASGI

Sync and async views side by side: each runs under either server.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import hookseal
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from hookseal.django import (
    HooksealRequest,
    hasura_action_required,
    hasura_auth,
    hasura_event_required,
    hygraph_signature_required,
    shared_secret_required,
)


def _guard() -> hookseal.ReplayGuard:
    """A replay guard on Redis when REDIS_URL is set (several workers share it); else in memory
    (one process: run gunicorn with --workers 1)."""
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        return hookseal.RedisReplayGuard(redis.Redis.from_url(url))
    return hookseal.MemoryReplayGuard()


# A missing environment variable stops the server at start-up (KeyError), never lets requests in.
HYGRAPH_SECRET = os.environ["HYGRAPH_WEBHOOK_SECRET"]
ACTION_SECRET = os.environ["HASURA_ACTION_SECRET"]
EVENT_SECRET = os.environ["HASURA_EVENT_SECRET"]
GUARD = _guard()


# ---------------------------------------------------------------- Hygraph


@require_POST
@hygraph_signature_required(secret=HYGRAPH_SECRET, replay=GUARD)
def hygraph_webhook(request: HooksealRequest) -> HttpResponse:
    delivery: hookseal.Verified = request.hookseal
    return JsonResponse({"ok": True, "environment": delivery.environment})


# ---------------------------------------------------------------- Hasura, the plain helpers

# WSGI servers (gunicorn) and nginx drop header names with an underscore, so behind Django
# configure the Action's header in Hasura as X-Action-Secret, not ACTION_SECRET.


@require_POST
@shared_secret_required(header="X-Action-Secret", secret=ACTION_SECRET)
def greet(request: HttpRequest) -> HttpResponse:
    try:
        action = hookseal.parse_hasura_action(request.body)
    except hookseal.WebhookVerificationError as e:
        body, status = hookseal.hasura_action_error(str(e), e.code)
        return JsonResponse(body, status=status)
    name = action.input.get("name")
    if action.name != "greet" or not isinstance(name, str) or not name:
        body, status = hookseal.hasura_action_error("greet needs a name", "bad_input")
        return JsonResponse(body, status=status)
    return JsonResponse({"greeting": f"Hello, {name}!"})


@csrf_exempt
@require_POST
def auth(request: HttpRequest) -> HttpResponse:
    # Hasura's auth webhook, by hand: the session, cacheable for 60 s (never longer than the token).
    if request.headers.get("Authorization") != "Bearer demo-token":
        body, _ = hookseal.hasura_action_error("invalid token", "invalid-jwt")
        return JsonResponse(body, status=401)
    return JsonResponse(hookseal.hasura_auth_response({"role": "user", "user-id": "42"}, max_age=60))


# ---------------------------------------------------------------- Hasura, the wrappers


@hasura_event_required(header="X-Event-Secret", secret=EVENT_SECRET, replay=GUARD)
async def hasura_event(request: HooksealRequest) -> HttpResponse:
    """An Event Trigger or a cron / one-off scheduled event, run once per delivery id."""
    delivery: hookseal.HasuraDelivery = request.hookseal
    if delivery.event is not None:
        data: Any = delivery.event.new or {}
        retry = (delivery.event.delivery_info or {}).get("current_retry", 0)
    else:
        data = delivery.payload.get("payload") or {}
        retry = 0
    hold_ms = data.get("hold_ms") if isinstance(data, dict) else None
    if isinstance(hold_ms, (int, float)) and hold_ms > 0:
        await asyncio.sleep(hold_ms / 1000)  # a slow handler: a copy sent meanwhile gets 409
    fail_until = data.get("fail_until_retry") if isinstance(data, dict) else None
    if delivery.event is not None and isinstance(fail_until, int) and fail_until > retry:
        raise RuntimeError(f"failing until retry {fail_until} (demo)")  # 500 handler_failed; claim released
    return JsonResponse({"ok": True, "kind": delivery.kind, "id": delivery.id})


@require_POST
@hasura_action_required(header="X-Action-Secret", secret=ACTION_SECRET)
def hasura_greet(request: HooksealRequest) -> Any:
    """The Action `greet`: the return value is the Action's output (200)."""
    action: hookseal.HasuraAction = request.hookseal
    name = action.input.get("name")
    if not isinstance(name, str) or not name:
        raise hookseal.HasuraActionError("greet needs a name", "bad_input")  # 400, shown to the client
    if name == "boom":
        raise RuntimeError("an unexpected failure (demo)")  # 500 handler_failed, logged, no internals
    return {"greeting": f"Hello, {name}!"}


def _session(request: HooksealRequest) -> dict[str, Any] | None:
    """`Bearer demo-token` → a session for 60 s; `Bearer demo-token.<N>` → the same, never past N
    (the token's expiry, epoch seconds); anything else → None (401)."""
    auth: hookseal.HasuraAuthRequest = request.hookseal
    token = auth.headers.get("authorization", "")
    session = {"session": {"role": "user", "userId": 42}, "max_age": 60}
    if token == "Bearer demo-token":
        return session
    prefix = "Bearer demo-token."
    if token.startswith(prefix) and token[len(prefix) :].isdigit():
        expires_at = int(token[len(prefix) :])
        return {**session, "expires_at": expires_at} if expires_at > 0 else None
    return None


@hasura_auth(mode="v2")
def hasura_auth_v2(request: HooksealRequest) -> dict[str, Any] | None:
    """Hasura v2's auth webhook, GET or POST mode."""
    return _session(request)


@hasura_auth(mode="ddn")
async def hasura_auth_ddn(request: HooksealRequest) -> dict[str, Any] | None:
    """Hasura DDN's auth webhook (lower-case x-hasura-* keys, JSON values kept)."""
    return _session(request)
