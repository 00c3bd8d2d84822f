#!/usr/bin/env python3
"""Writes tests/vectors/hasura-payloads.json and tests/vectors/hasura-wrappers.json.

The payloads are the shapes Hasura's engine sends (../shared/docs/hasura.md: the v2 server's
Event Trigger, cron and one-off scheduled event, Action and auth-webhook POST bodies, the DDN
auth-webhook POST body), the docs' examples among them, and malformed variants. The expected
answers of the three wrappers (withHasuraEvent, withHasuraAction, withHasuraAuth and their Python
and Rust twins) come from the contract (section 8), not from running hookseal; the replay keys are
computed here with hashlib. Deterministic: run it twice, get byte-identical files.

    python3 tests/gen/hasura_vectors.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "vectors"
GENERATOR = "tests/gen/hasura_vectors.py"

EVENT_ID = "85558393-c75d-4d2f-9c15-e80591b83894"
SECRET = "hasura-event-secret-1"
ACTION_SECRET = "hasura-action-secret-1"


def text(doc: Any) -> str:
    """The body as Hasura's engine writes it: compact JSON, UTF-8."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def replay_key(delivery_id: str) -> str:
    return "hasura:" + hashlib.sha256(delivery_id.encode("utf-8")).hexdigest()


# --- Event Triggers (v2 engine: top-level keys, no "payload" wrapper) -----------------------


def event(
    op: str,
    old: Any,
    new: Any,
    *,
    eid: str = EVENT_ID,
    session: Any = None,
    trace: bool = True,
    delivery: bool = True,
    trigger: str = "user_created",
    table: tuple[str, str] = ("public", "users"),
) -> dict[str, Any]:
    ev: dict[str, Any] = {"session_variables": session, "op": op, "data": {"old": old, "new": new}}
    if trace:
        ev["trace_context"] = {"trace_id": "3b5b0d9a2b6a4c1f", "span_id": "a1b2c3d4e5f60718"}
    doc: dict[str, Any] = {
        "event": ev,
        "created_at": "2026-12-01T10:15:30.123456",
        "id": eid,
        "trigger": {"name": trigger},
        "table": {"schema": table[0], "name": table[1]},
    }
    if delivery:
        doc["delivery_info"] = {"current_retry": 0, "max_retries": 0}
    return doc


ADMIN_SESSION = {
    "x-hasura-role": "admin",
    "x-hasura-allowed-roles": '["user","admin"]',
    "x-hasura-user-id": "1",
}
ROW = {"id": 1, "name": "Ada", "email": "ada@example.com", "note": "Fish & chips <b>"}
ROW2 = {"id": 1, "name": "Ada Lovelace", "email": "ada@example.com", "note": None}

CRON = {
    "id": "0f4c8e4e-7c9a-4f3d-9a63-1f0d2e5c8b71",
    "name": "daily_digest",
    "scheduled_time": "2026-12-02T00:00:00Z",
    "payload": {"kind": "digest", "since_hours": 24},
    "comment": "send the daily digest",
}
ONE_OFF = {
    "id": "7d2a1c3b-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
    "scheduled_time": "2026-12-01T12:00:00Z",
    "payload": {"email": "ada@example.com", "template": "welcome"},
    "comment": None,
    "created_at": "2026-12-01T11:59:00.000001Z",
}

ACTION = {
    "action": {"name": "UserLogin"},
    "input": {"username": "jake", "password": "secretpassword"},
    "session_variables": {"x-hasura-user-id": "42", "x-hasura-role": "user"},
    "request_query": 'mutation { UserLogin(username: "jake", password: "secretpassword") { accessToken userId } }',
}

AUTH_REQUEST = {"query": "query { me { id } }", "variables": {}, "operationName": None}


def payload_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []

    def ok_delivery(name: str, doc: Any, kind: str) -> None:
        cases.append(
            {
                "name": name,
                "kind": "delivery",
                "body": text(doc),
                "ok": True,
                "expect": {"kind": kind, "id": doc["id"], "replayKey": replay_key(doc["id"])},
            }
        )

    def ok(name: str, kind: str, doc: Any) -> None:
        cases.append({"name": name, "kind": kind, "body": doc if isinstance(doc, str) else text(doc), "ok": True})

    def bad(name: str, kind: str, doc: Any) -> None:
        cases.append(
            {
                "name": name,
                "kind": kind,
                "body": doc if isinstance(doc, str) else text(doc),
                "ok": False,
                "code": "malformed_payload",
            }
        )

    # Event Triggers.
    ok_delivery("event-docs-insert", event("INSERT", None, ROW, session=ADMIN_SESSION), "event")
    ok_delivery(
        "event-update",
        event("UPDATE", ROW, ROW2, eid="b6d1f2e0-3c4a-4d5e-8f90-a1b2c3d4e5f6", session={"x-hasura-role": "user"}),
        "event",
    )
    ok_delivery("event-delete", event("DELETE", ROW2, None, eid="c0ffee00-0000-4000-8000-000000000001"), "event")
    ok_delivery(
        "event-manual-null-session",
        event("MANUAL", None, ROW, eid="c0ffee00-0000-4000-8000-000000000002", session=None),
        "event",
    )
    ok_delivery(
        "event-v1-shape-no-trace-no-delivery-info",
        event("INSERT", None, ROW, eid="c0ffee00-0000-4000-8000-000000000003", trace=False, delivery=False),
        "event",
    )
    retry = event("INSERT", None, ROW, session=ADMIN_SESSION)
    retry["delivery_info"] = {"current_retry": 3, "max_retries": 5}
    ok_delivery("event-retry-same-id-same-key", retry, "event")
    ok_delivery(
        "event-non-ascii-id",
        event("INSERT", None, {"name": "Grüße “quoted”"}, eid="événement-ünïcode-1"),
        "event",
    )
    # Scheduled events.
    ok_delivery("scheduled-cron", CRON, "scheduled")
    ok_delivery(
        "scheduled-cron-null-payload-no-comment",
        {k: v for k, v in CRON.items() if k != "comment"} | {"payload": None},
        "scheduled",
    )
    ok_delivery("scheduled-one-off", ONE_OFF, "scheduled")

    # Malformed deliveries.
    bad("delivery-not-json", "delivery", '{"id": ')
    bad("delivery-empty-body", "delivery", "")
    bad("delivery-empty-object", "delivery", {})
    bad("delivery-docs-payload-wrapper", "delivery", {"payload": event("INSERT", None, ROW, session=ADMIN_SESSION)})
    bad("event-bad-op", "delivery", event("TRUNCATE", None, ROW))
    bad("event-data-new-string", "delivery", event("INSERT", None, "row"))
    bad("event-data-missing", "delivery", {**event("INSERT", None, ROW), "event": {"op": "INSERT"}})
    bad("event-id-number", "delivery", {**event("INSERT", None, ROW), "id": 17})
    bad("event-id-missing", "delivery", {k: v for k, v in event("INSERT", None, ROW).items() if k != "id"})
    bad("event-trigger-missing", "delivery", {k: v for k, v in event("INSERT", None, ROW).items() if k != "trigger"})
    bad("event-session-variables-string", "delivery", event("INSERT", None, ROW, session="x-hasura-role=admin"))
    bad("scheduled-id-missing", "delivery", {k: v for k, v in CRON.items() if k != "id"})
    bad("scheduled-time-number", "delivery", CRON | {"scheduled_time": 1764633600})
    bad("scheduled-payload-missing", "delivery", {k: v for k, v in CRON.items() if k != "payload"})
    bad("scheduled-name-number", "delivery", CRON | {"name": 7})
    bad("scheduled-comment-object", "delivery", CRON | {"comment": {"text": "x"}})
    bad("scheduled-created-at-null", "delivery", ONE_OFF | {"created_at": None})

    # Actions.
    ok("action-docs-example", "action", ACTION)
    ok("action-async-request-query-null", "action", ACTION | {"request_query": None})
    ok("action-no-request-query", "action", {k: v for k, v in ACTION.items() if k != "request_query"})
    bad("action-name-missing", "action", ACTION | {"action": {}})
    bad("action-input-missing", "action", {k: v for k, v in ACTION.items() if k != "input"})
    bad("action-session-variables-null", "action", ACTION | {"session_variables": None})
    bad("action-request-query-number", "action", ACTION | {"request_query": 1})
    bad("action-not-json", "action", "action=UserLogin")
    bad("action-event-payload", "action", event("INSERT", None, ROW))

    # Auth webhook POST bodies.
    ok(
        "auth-v2-post",
        "auth_v2",
        {"headers": {"Authorization": "Bearer abc.def.ghi", "X-Request-Id": "r-1"}, "request": AUTH_REQUEST},
    )
    ok("auth-v2-post-request-null", "auth_v2", {"headers": {"Cookie": "session=s1"}, "request": None})
    ok("auth-v2-post-request-absent", "auth_v2", {"headers": {}})
    bad("auth-v2-headers-missing", "auth_v2", {"request": AUTH_REQUEST})
    bad("auth-v2-header-value-number", "auth_v2", {"headers": {"X-User": 1}, "request": None})
    bad("auth-v2-headers-array", "auth_v2", {"headers": [["Authorization", "Bearer x"]], "request": None})
    bad("auth-v2-request-string", "auth_v2", {"headers": {}, "request": "query { me { id } }"})
    ok("auth-ddn-post", "auth_ddn", {"headers": {"authorization": "Bearer abc.def.ghi", "x-request-id": "r-1"}})
    ok("auth-ddn-post-extra-keys-ignored", "auth_ddn", {"headers": {"cookie": "session=s1"}, "request": 5})
    bad("auth-ddn-headers-missing", "auth_ddn", {})
    bad("auth-ddn-header-value-null", "auth_ddn", {"headers": {"authorization": None}})
    return cases


# --- Wrappers -------------------------------------------------------------------------------

EVENT_OPTIONS = {"header": "x-hasura-event-secret", "secret": SECRET}
EVENT_BODY = text(event("INSERT", None, ROW, session=ADMIN_SESSION))
JSON_CT = {"content-type": "application/json"}


def ev_req(
    body: str = EVENT_BODY, secret: str | None = SECRET, header: str = "x-hasura-event-secret"
) -> dict[str, Any]:
    headers = dict(JSON_CT)
    if secret is not None:
        headers[header] = secret
    return {"method": "POST", "headers": headers, "body": body}


def err(code: str) -> dict[str, Any]:
    return {"code": code}


def event_cases() -> list[dict[str, Any]]:
    c: list[dict[str, Any]] = []

    def add(
        name: str,
        request: dict[str, Any],
        handler: Any,
        store: str,
        expect: dict[str, Any],
        options: dict[str, Any] | None = None,
    ) -> None:
        c.append(
            {
                "name": name,
                "options": options or EVENT_OPTIONS,
                "request": request,
                "handler": handler,
                "store": store,
                "expect": expect,
            }
        )

    add("new-delivery-handler-ok", ev_req(), "ok", "absent", {"status": 200, "handlerCalled": True, "after": "done"})
    add(
        "header-name-any-case",
        ev_req(header="X-Hasura-Event-Secret"),
        "ok",
        "absent",
        {"status": 200, "handlerCalled": True, "after": "done"},
    )
    add(
        "copy-while-processing-409-retry-after",
        ev_req(),
        "ok",
        "processing",
        {
            "status": 409,
            "headers": {"retry-after": "10"},
            **err("replayed"),
            "handlerCalled": False,
            "after": "processing",
        },
    )
    add(
        "copy-while-processing-custom-retry-after",
        ev_req(),
        "ok",
        "processing",
        {
            "status": 409,
            "headers": {"retry-after": "3"},
            **err("replayed"),
            "handlerCalled": False,
            "after": "processing",
        },
        EVENT_OPTIONS | {"retryAfter": 3},
    )
    add(
        "copy-when-done-duplicate",
        ev_req(),
        "ok",
        "done",
        {"status": 200, "body": {"duplicate": True}, "handlerCalled": False, "after": "done"},
    )
    add(
        "store-down-503-retry-after",
        ev_req(),
        "ok",
        "down",
        {"status": 503, "headers": {"retry-after": "10"}, **err("replay_store_unavailable"), "handlerCalled": False},
    )
    add(
        "handler-throws-500-released",
        ev_req(),
        "throw",
        "absent",
        {"status": 500, **err("handler_failed"), "handlerCalled": True, "after": "absent"},
    )
    add(
        "handler-answers-500-released",
        ev_req(),
        {"status": 500},
        "absent",
        {"status": 500, "handlerCalled": True, "after": "absent"},
    )
    add(
        "handler-answers-204-done",
        ev_req(),
        {"status": 204},
        "absent",
        {"status": 204, "handlerCalled": True, "after": "done"},
    )
    add(
        "wrong-secret-401",
        ev_req(secret="not-the-secret"),
        "ok",
        "absent",
        {"status": 401, **err("secret_mismatch"), "handlerCalled": False, "after": "absent"},
    )
    add(
        "missing-secret-401",
        ev_req(secret=None),
        "ok",
        "absent",
        {"status": 401, **err("missing_secret"), "handlerCalled": False, "after": "absent"},
    )
    add(
        "wrong-secret-before-store-down",
        ev_req(secret="not-the-secret"),
        "ok",
        "down",
        {"status": 401, **err("secret_mismatch"), "handlerCalled": False},
    )
    add(
        "malformed-400",
        ev_req(body=text({"payload": json.loads(EVENT_BODY)})),
        "ok",
        "absent",
        {"status": 400, **err("malformed_payload"), "handlerCalled": False, "after": "absent"},
    )
    add(
        "not-json-400",
        ev_req(body="id=1"),
        "ok",
        "absent",
        {"status": 400, **err("malformed_payload"), "handlerCalled": False, "after": "absent"},
    )
    add(
        "cron-delivery-ok",
        ev_req(body=text(CRON)),
        "ok",
        "absent",
        {"status": 200, "handlerCalled": True, "after": "done"},
    )
    add(
        "cron-copy-when-done-duplicate",
        ev_req(body=text(CRON)),
        "ok",
        "done",
        {"status": 200, "body": {"duplicate": True}, "handlerCalled": False, "after": "done"},
    )
    add("no-replay-guard-ok", ev_req(), "ok", "none", {"status": 200, "handlerCalled": True})
    add(
        "no-replay-guard-throw",
        ev_req(),
        "throw",
        "none",
        {"status": 500, **err("handler_failed"), "handlerCalled": True},
    )
    add(
        "no-replay-guard-malformed",
        ev_req(body="[]"),
        "ok",
        "none",
        {"status": 400, **err("malformed_payload"), "handlerCalled": False},
    )
    return c


ACTION_OPTIONS = {"header": "x-action-secret", "secret": ACTION_SECRET}


def act_req(body: Any = ACTION, secret: str | None = ACTION_SECRET) -> dict[str, Any]:
    headers = dict(JSON_CT)
    if secret is not None:
        headers["x-action-secret"] = secret
    return {"method": "POST", "headers": headers, "body": body if isinstance(body, str) else text(body)}


GOT = {"name": "UserLogin", "input": ACTION["input"]}
FAILED = {"message": "the action handler failed", "extensions": {"code": "handler_failed"}}


def action_cases() -> list[dict[str, Any]]:
    c: list[dict[str, Any]] = []

    def add(name: str, request: dict[str, Any], handler: Any, expect: dict[str, Any]) -> None:
        c.append({"name": name, "options": ACTION_OPTIONS, "request": request, "handler": handler, "expect": expect})

    out = {"accessToken": "tok-1", "userId": 42}
    add("return-200", act_req(), {"return": out}, {"status": 200, "body": out, "handlerGot": GOT})
    add(
        "return-list-200",
        act_req(),
        {"return": [{"id": 1}, {"id": 2}]},
        {"status": 200, "body": [{"id": 1}, {"id": 2}], "handlerGot": GOT},
    )
    add(
        "async-request-query-null",
        act_req(ACTION | {"request_query": None}),
        {"return": out},
        {"status": 200, "body": out, "handlerGot": GOT},
    )
    add(
        "action-error-400",
        act_req(),
        {"actionError": {"message": "wrong username or password", "code": "invalid_credentials"}},
        {
            "status": 400,
            "code": "invalid_credentials",
            "body": {"message": "wrong username or password", "extensions": {"code": "invalid_credentials"}},
            "handlerGot": GOT,
        },
    )
    add(
        "action-error-404",
        act_req(),
        {"actionError": {"message": "no such user", "code": "not_found", "status": 404}},
        {
            "status": 404,
            "code": "not_found",
            "body": {"message": "no such user", "extensions": {"code": "not_found"}},
            "handlerGot": GOT,
        },
    )
    add(
        "throw-500-no-internals",
        act_req(),
        "throw",
        {"status": 500, "code": "handler_failed", "body": FAILED, "handlerGot": GOT},
    )
    add("wrong-secret-401", act_req(secret="nope"), {"return": out}, {"status": 401, "code": "secret_mismatch"})
    add("missing-secret-401", act_req(secret=None), {"return": out}, {"status": 401, "code": "missing_secret"})
    add(
        "malformed-400", act_req(ACTION | {"action": {}}), {"return": out}, {"status": 400, "code": "malformed_payload"}
    )
    add("not-json-400", act_req("mutation"), {"return": out}, {"status": 400, "code": "malformed_payload"})
    return c


BEARER = "Bearer abc.def.ghi"
DENIED = {"message": "access denied", "extensions": {"code": "access_denied"}}


def auth_cases() -> list[dict[str, Any]]:
    c: list[dict[str, Any]] = []

    def add(name: str, options: dict[str, Any], request: dict[str, Any], resolve: Any, expect: dict[str, Any]) -> None:
        c.append({"name": name, "options": options, "request": request, "resolve": resolve, "expect": expect})

    v2 = {"mode": "v2"}
    ddn = {"mode": "ddn"}
    get = {"method": "GET", "headers": {"Authorization": BEARER, "X-Request-Id": "r-1"}}

    def post(body: Any) -> dict[str, Any]:
        return {"method": "POST", "headers": dict(JSON_CT), "body": body if isinstance(body, str) else text(body)}

    got_get = {"method": "GET", "header": ["authorization", BEARER], "request": None}
    user = {"role": "user", "userId": 25}

    # v2
    add(
        "v2-get-allow-number-user-id-string",
        v2,
        get,
        {"session": user},
        {"status": 200, "body": {"X-Hasura-Role": "user", "X-Hasura-User-Id": "25"}, "resolveGot": got_get},
    )
    add(
        "v2-get-max-age-option",
        v2 | {"maxAge": 60},
        get,
        {"session": user},
        {
            "status": 200,
            "body": {"X-Hasura-Role": "user", "X-Hasura-User-Id": "25", "Cache-Control": "max-age=60"},
            "resolveGot": got_get,
        },
    )
    add(
        "v2-resolve-max-age-wins-over-option",
        v2 | {"maxAge": 60},
        get,
        {"session": user, "maxAge": 10},
        {"status": 200, "body": {"X-Hasura-Role": "user", "X-Hasura-User-Id": "25", "Cache-Control": "max-age=10"}},
    )
    add(
        "v2-max-age-cut-by-expiry",
        v2,
        get,
        {"session": user, "maxAge": 300, "expiresIn": 30.5},
        {"status": 200, "body": {"X-Hasura-Role": "user", "X-Hasura-User-Id": "25", "Cache-Control": "max-age=30"}},
    )
    add(
        "v2-expiry-alone-gives-lifetime",
        v2,
        get,
        {"session": user, "expiresIn": 45.9},
        {"status": 200, "body": {"X-Hasura-Role": "user", "X-Hasura-User-Id": "25", "Cache-Control": "max-age=45"}},
    )
    add(
        "v2-under-a-second-left-no-cache-key",
        v2 | {"maxAge": 60},
        get,
        {"session": user, "expiresIn": 0.5},
        {"status": 200, "body": {"X-Hasura-Role": "user", "X-Hasura-User-Id": "25"}},
    )
    add(
        "v2-expired-token-no-cache-key",
        v2 | {"maxAge": 60},
        get,
        {"session": user, "expiresIn": -30},
        {"status": 200, "body": {"X-Hasura-Role": "user", "X-Hasura-User-Id": "25"}},
    )
    add(
        "v2-values-bool-and-header-spellings",
        v2,
        get,
        {"session": {"X-Hasura-Role": "editor", "x-hasura-org-id": "7", "isAdmin": False}},
        {"status": 200, "body": {"X-Hasura-Role": "editor", "X-Hasura-Org-Id": "7", "X-Hasura-Is-Admin": "false"}},
    )
    add(
        "v2-post-request-given",
        v2,
        post({"headers": {"Authorization": BEARER, "X-Request-Id": "r-1"}, "request": AUTH_REQUEST}),
        {"session": user},
        {
            "status": 200,
            "body": {"X-Hasura-Role": "user", "X-Hasura-User-Id": "25"},
            "resolveGot": {"method": "POST", "header": ["authorization", BEARER], "request": AUTH_REQUEST},
        },
    )
    add(
        "v2-post-request-null",
        v2,
        post({"headers": {"Cookie": "session=s1"}, "request": None}),
        {"session": {"role": "anonymous"}},
        {
            "status": 200,
            "body": {"X-Hasura-Role": "anonymous"},
            "resolveGot": {"method": "POST", "header": ["cookie", "session=s1"], "request": None},
        },
    )
    add("v2-deny-401", v2, get, None, {"status": 401, "code": "access_denied", "body": DENIED})
    add("v2-resolve-throws-500", v2, get, "throw", {"status": 500, "code": "handler_failed"})
    add("v2-no-role-500", v2, get, {"session": {"userId": "25"}}, {"status": 500, "code": "invalid_session"})
    add(
        "v2-object-value-500",
        v2,
        get,
        {"session": {"role": "user", "orgIds": [1, 2]}},
        {"status": 500, "code": "invalid_session"},
    )
    add(
        "v2-null-value-500",
        v2,
        get,
        {"session": {"role": "user", "userId": None}},
        {"status": 500, "code": "invalid_session"},
    )
    add(
        "v2-post-malformed-400",
        v2,
        post({"headers": "Authorization: Bearer x", "request": None}),
        {"session": user},
        {"status": 400, "code": "malformed_payload"},
    )
    # DDN
    add(
        "ddn-get-allow-json-values-kept",
        ddn,
        get,
        {"session": {"role": "user", "userId": 25, "orgIds": [1, 2], "isAdmin": False}},
        {
            "status": 200,
            "body": {
                "x-hasura-role": "user",
                "x-hasura-user-id": 25,
                "x-hasura-org-ids": [1, 2],
                "x-hasura-is-admin": False,
            },
            "resolveGot": got_get,
        },
    )
    add(
        "ddn-no-cache-key-even-with-max-age",
        ddn | {"maxAge": 60},
        get,
        {"session": {"role": "user"}, "maxAge": 30, "expiresIn": 20.5},
        {"status": 200, "body": {"x-hasura-role": "user"}},
    )
    add(
        "ddn-post-allow",
        ddn,
        post({"headers": {"authorization": BEARER, "x-request-id": "r-1"}}),
        {"session": {"X-Hasura-Role": "user", "x-hasura-user-id": "25"}},
        {
            "status": 200,
            "body": {"x-hasura-role": "user", "x-hasura-user-id": "25"},
            "resolveGot": {"method": "POST", "header": ["Authorization", BEARER], "request": None},
        },
    )
    add("ddn-deny-401", ddn, get, None, {"status": 401, "code": "access_denied", "body": DENIED})
    add("ddn-resolve-throws-500", ddn, get, "throw", {"status": 500, "code": "handler_failed"})
    add(
        "ddn-number-role-500",
        ddn,
        get,
        {"session": {"role": 1, "userId": 25}},
        {"status": 500, "code": "invalid_session"},
    )
    add("ddn-no-role-500", ddn, get, {"session": {"userId": 25}}, {"status": 500, "code": "invalid_session"})
    add(
        "ddn-post-malformed-400",
        ddn,
        post({"headers": {"authorization": 5}}),
        {"session": {"role": "user"}},
        {"status": 400, "code": "malformed_payload"},
    )
    return c


def write(name: str, doc: dict[str, Any]) -> None:
    (OUT / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    payloads = payload_cases()
    names = [c["name"] for c in payloads]
    assert len(names) == len(set(names)), "duplicate payload case names"
    write(
        "hasura-payloads.json",
        {
            "description": "Hasura payloads as the engine sends them (contract §8), and malformed variants.",
            "generator": GENERATOR,
            "cases": payloads,
        },
    )
    wrappers = {"event": event_cases(), "action": action_cases(), "auth": auth_cases()}
    for group in wrappers.values():
        group_names = [c["name"] for c in group]
        assert len(group_names) == len(set(group_names)), "duplicate wrapper case names"
    write(
        "hasura-wrappers.json",
        {
            "description": "What withHasuraEvent, withHasuraAction and withHasuraAuth answer (contract §8).",
            "generator": GENERATOR,
            **wrappers,
        },
    )


if __name__ == "__main__":
    main()
