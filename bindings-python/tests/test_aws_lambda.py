"""hookseal.aws_lambda: the decorators with the event shapes of AWS's documentation (the shared
fixtures of tests/vectors/aws-lambda-events.json: API Gateway REST payload 1.0, HTTP API payload
2.0, function URL), and every shared vector put into each kind of event."""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable
from typing import Any

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
from conftest import load
from hookseal.aws_lambda import (
    hasura_action_required,
    hasura_auth,
    hasura_event_required,
    hygraph_signature_required,
    incoming,
    raw_body,
    shared_secret_required,
)

FIXTURES = load("aws-lambda-events.json")
VARIANTS: list[dict[str, Any]] = FIXTURES["variants"]
CONTEXT = object()  # Lambda's context object: passed through untouched


# ---------------------------------------------------------------- reading the fixtures' events


@pytest.mark.parametrize("case", FIXTURES["cases"], ids=ids(FIXTURES["cases"]))
def test_reads_each_event_as_aws_documents_it(case: dict[str, Any]) -> None:
    req = incoming(case["event"])
    headers: dict[str, list[str]] = {}
    for name, value in req.headers.items_all():
        headers.setdefault(name.lower(), []).append(value)
    expect = case["expect"]
    assert req.method == expect["method"]
    assert headers == expect["headers"]
    assert req.body == base64.b64decode(expect["bodyBase64"])


# ---------------------------------------------------------------- a request as each kind of event


def _case(name: str, how: str) -> str:
    if how == "lower":
        return name.lower()
    if how == "title":
        return "-".join(p[:1].upper() + p[1:].lower() for p in name.split("-"))
    return name


def event_of(req: Request, variant: dict[str, Any]) -> dict[str, Any]:
    """``req`` placed into the variant's template by the fixture file's ``placement`` rules."""
    source = variant["source"]
    event: dict[str, Any] = copy.deepcopy(FIXTURES["templates"][source])
    pairs: list[tuple[str, str]] = []
    for name, value in req.headers.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((_case(name, variant["headerCase"]), v))
    if source == "rest_v1":
        event["httpMethod"] = event["requestContext"]["httpMethod"] = req.method
        event["headers"] = {k: v for k, v in pairs}
        multi: dict[str, list[str]] = {}
        for k, v in pairs:
            multi.setdefault(k, []).append(v)
        event["multiValueHeaders"] = multi
    else:
        event["requestContext"]["http"]["method"] = req.method
        joined: dict[str, str] = {}
        cookies: list[str] = []
        for k, v in pairs:
            if k == "cookie":
                cookies.extend(v.split("; "))
            else:
                joined[k] = f"{joined[k]},{v}" if k in joined else v
        event["headers"] = joined
        if cookies:
            event["cookies"] = cookies
    has_body = req.method != "GET" or req.body
    if not has_body:
        if source == "rest_v1":
            event["body"] = None
        return event
    text: str | None = None
    if not variant["base64"]:
        try:
            text = req.body.decode("utf-8")
        except UnicodeDecodeError:
            text = None  # not text: API Gateway sends such a body base64-encoded
    if text is None:
        event["body"] = base64.b64encode(req.body).decode("ascii")
        event["isBase64Encoded"] = True
    else:
        event["body"] = text
        event["isBase64Encoded"] = False
    return event


def invoke(wrapped: Callable[[Any, Any], Any], req: Request, variant: dict[str, Any]) -> Reply:
    event = event_of(req, variant)
    before = copy.deepcopy(event)
    out = wrapped(event, CONTEXT)
    assert event == before  # the caller's event is not changed
    assert isinstance(out, dict) and isinstance(out["statusCode"], int)
    body = out.get("body") or ""
    if out.get("isBase64Encoded"):
        data = base64.b64decode(body)
    else:
        assert isinstance(body, str)
        data = body.encode("utf-8")
    return Reply(out["statusCode"], {k.lower(): v for k, v in (out.get("headers") or {}).items()}, data)


def recording(seen: list[Any], answer: Callable[[dict[str, Any]], Any]) -> Callable[[Any, Any], Any]:
    def handler(event: dict[str, Any], context: Any) -> Any:
        assert context is CONTEXT
        seen.append(event["hookseal"])
        return answer(event)

    return handler


def proxy(status: int, body: object = None) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


VIDS = [v["name"] for v in VARIANTS]


# ---------------------------------------------------------------- the shared vectors, in every kind of event


@pytest.mark.parametrize("variant", VARIANTS, ids=VIDS)
@pytest.mark.parametrize("case", STRICT, ids=ids(STRICT))
def test_strict_vectors(case: dict[str, Any], variant: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    pin_clock(monkeypatch, case["now"])
    seen: list[Any] = []
    wrapped = hygraph_signature_required(**strict_options(case))(recording(seen, lambda e: proxy(200, {"ok": True})))
    check_strict(case, invoke(wrapped, strict_request(case), variant), seen)


@pytest.mark.parametrize("variant", VARIANTS, ids=VIDS)
@pytest.mark.parametrize("case", SHARED, ids=ids(SHARED))
def test_shared_secret_vectors(case: dict[str, Any], variant: dict[str, Any]) -> None:
    seen: list[Any] = []
    decorate = shared_secret_required(header=case["header"], secret=case["secrets"])
    wrapped = decorate(recording(seen, lambda e: proxy(200, {"ok": True})))
    check_shared(case, invoke(wrapped, shared_request(case), variant), seen)


@pytest.mark.parametrize("store", GUARDS)
@pytest.mark.parametrize("variant", VARIANTS, ids=VIDS)
@pytest.mark.parametrize("case", EVENT, ids=ids(EVENT))
def test_hasura_event_vectors(
    case: dict[str, Any], variant: dict[str, Any], store: str, request: pytest.FixtureRequest
) -> None:
    seen: list[Any] = []
    guard = event_guard(case, store, request.getfixturevalue("redis_url") if store == "redis" else None)

    def answer(event: dict[str, Any]) -> Any:
        handler = case["handler"]
        if handler == "throw":
            raise RuntimeError("the handler failed (test)")
        if isinstance(handler, dict):
            return {"statusCode": handler["status"], "body": ""}
        return {"ok": True}

    wrapped = hasura_event_required(**event_options(case), replay=guard)(recording(seen, answer))
    check_event(case, invoke(wrapped, request_of(case), variant), seen, guard)


@pytest.mark.parametrize("variant", VARIANTS, ids=VIDS)
@pytest.mark.parametrize("case", ACTION, ids=ids(ACTION))
def test_hasura_action_vectors(case: dict[str, Any], variant: dict[str, Any]) -> None:
    seen: list[Any] = []
    wrapped = hasura_action_required(**case["options"])(recording(seen, lambda e: action_result(case)))
    check_action(case, invoke(wrapped, request_of(case), variant), seen)


@pytest.mark.parametrize("variant", VARIANTS, ids=VIDS)
@pytest.mark.parametrize("case", AUTH, ids=ids(AUTH))
def test_hasura_auth_vectors(case: dict[str, Any], variant: dict[str, Any]) -> None:
    seen: list[Any] = []
    wrapped = hasura_auth(**auth_options(case))(recording(seen, lambda e: auth_result(case, time.time())))
    check_auth(case, invoke(wrapped, request_of(case), variant), seen)


# ---------------------------------------------------------------- Lambda specifics

SECRET = "lambda-secret"
BODY = b'{"operation":"publish","data":{"id":"ckx1"}}'


def sig(body: bytes = BODY) -> str:
    return hookseal.generate_webhook_signature(secret=SECRET, raw_payload=body)


@pytest.mark.parametrize("variant", VARIANTS, ids=VIDS)
def test_replay_retry_and_raw_body(variant: dict[str, Any]) -> None:
    calls: list[bytes] = []

    @hygraph_signature_required(secret=SECRET, replay=hookseal.MemoryReplayGuard())
    def handler(event: dict[str, Any], context: Any) -> Any:
        assert isinstance(event["hookseal"], hookseal.Verified)
        calls.append(raw_body(event))
        if len(calls) == 1:
            return proxy(500, {"error": "db down"})
        return {"ok": True, "operation": json.loads(raw_body(event))["operation"]}

    req = Request("POST", {"gcms-signature": sig(), "content-type": "application/json"}, BODY)
    assert invoke(handler, req, variant).status == 500  # released: Hygraph's retry runs
    second = invoke(handler, req, variant)
    assert (second.status, second.json()) == (200, {"ok": True, "operation": "publish"})
    assert second.headers["content-type"] == "application/json"
    third = invoke(handler, req, variant)
    assert (third.status, third.json()) == (200, {"duplicate": True})
    assert calls == [BODY, BODY]


def test_replay_key_body() -> None:
    """replay_key="body": the same body re-signed is the same delivery."""
    for by, second in (("body", {"duplicate": True}), ("signature", {"ok": True})):
        handler = hygraph_signature_required(secret=SECRET, replay=hookseal.MemoryReplayGuard(), replay_key=by)(
            lambda event, context: {"ok": True}
        )
        t = time.time_ns() // 1_000_000
        old = hookseal.generate_webhook_signature(secret=SECRET, raw_payload=BODY, timestamp=t - 2000)
        assert invoke(handler, Request("POST", {"gcms-signature": old}, BODY), VARIANTS[2]).json() == {"ok": True}
        assert invoke(handler, Request("POST", {"gcms-signature": sig()}, BODY), VARIANTS[2]).json() == second


def test_answer_shape_is_the_proxy_answer() -> None:
    @shared_secret_required(header="X-Action-Secret", secret="abc")
    def handler(event: dict[str, Any], context: Any) -> Any:
        return {"statusCode": 201, "headers": {"x-mine": "1"}, "body": "made", "isBase64Encoded": False}

    event = event_of(Request("POST", {"x-action-secret": "abc"}, b"{}"), VARIANTS[0])
    assert handler(event, CONTEXT) == {
        "statusCode": 201,
        "headers": {"x-mine": "1"},
        "body": "made",
        "isBase64Encoded": False,
    }
    event = event_of(Request("POST", {"x-action-secret": "no"}, b"{}"), VARIANTS[0])
    out = handler(event, CONTEXT)
    assert set(out) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert out["statusCode"] == 401 and out["isBase64Encoded"] is False
    assert out["headers"] == {"content-type": "application/json"}
    assert json.loads(out["body"])["extensions"]["code"] == "secret_mismatch"


def test_broken_base64_is_400_and_not_an_event_is_a_type_error() -> None:
    @hygraph_signature_required(secret=SECRET)
    def handler(event: dict[str, Any], context: Any) -> Any:
        raise AssertionError("not reached")

    event = event_of(Request("POST", {"gcms-signature": sig()}, BODY), VARIANTS[1])
    event["body"] = "not base64!"
    out = handler(event, CONTEXT)
    assert out["statusCode"] == 400 and json.loads(out["body"])["extensions"]["code"] == "malformed_payload"
    with pytest.raises(TypeError, match="not an API Gateway"):
        handler({"Records": [{"eventSource": "aws:sqs"}]}, CONTEXT)


def test_async_handler_is_refused_at_decoration() -> None:
    async def handler(event: dict[str, Any], context: Any) -> Any:
        return None

    for decorate in (
        hygraph_signature_required(secret=SECRET),
        shared_secret_required(header="x-s", secret="abc"),
        hasura_event_required(header="x-s", secret="abc"),
        hasura_action_required(header="x-s", secret="abc"),
        hasura_auth(),
    ):
        with pytest.raises(TypeError, match="synchronously"):
            decorate(handler)


def test_event_handler_returning_none_is_204() -> None:
    body = request_of(EVENT[0]).body
    opts = event_options(EVENT[0])

    @hasura_event_required(**opts)
    def handler(event: dict[str, Any], context: Any) -> None:
        assert event["hookseal"].kind in ("event", "scheduled")

    out = handler(event_of(Request("POST", {opts["header"]: opts["secret"]}, body), VARIANTS[2]), CONTEXT)
    assert out["statusCode"] == 204 and out["body"] == ""
