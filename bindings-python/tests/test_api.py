"""The public API's behaviour beyond the vectors: configuration errors, types, secret hygiene."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import threading

import hookseal
import pytest

SECRET = "s3cret-value-for-tests"
BODY = '{"operation":"publish","data":{"title":"<b>Grüße</b>"}}'
T = 1_700_000_000_000


def header(body: str = BODY, t: int = T, env: str = "master", secret: str = SECRET) -> str:
    return hookseal.generate_webhook_signature(secret=secret, raw_payload=body, environment_name=env, timestamp=t)


@pytest.mark.parametrize("secret", [None, "", "   ", "\n", [], [None], [""], 42, os.environ.get("HOOKSEAL_UNSET_VAR")])
def test_missing_or_empty_secret_fails_loudly(secret: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        hookseal.verify_webhook_signature(signature=header(), secret=secret, raw_payload=BODY)  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError)):
        hookseal.verify(BODY, header(), secret=secret)  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError)):
        hookseal.verify_shared_secret({"x": "y"}, header="x", secret=secret)  # type: ignore[arg-type]


@pytest.mark.parametrize("signature", [None, 42, 4.2, b"sign=", {"sign": 1}, ["a"], "", "garbage", "x" * 2_000_000])
def test_drop_in_bad_signatures_are_false(signature: object) -> None:
    assert hookseal.verify_webhook_signature(signature=signature, secret=SECRET, raw_payload=BODY) is False


def test_strict_codes_and_order() -> None:
    now = T / 1000
    assert hookseal.verify(BODY.encode(), header(), secret=SECRET, now=now).environment == "master"
    for raw in (BODY, BODY.encode(), bytearray(BODY.encode()), memoryview(BODY.encode())):
        assert hookseal.verify(raw, header(), secret=SECRET, now=now).secret_index == 0
    cases = {
        "missing_signature": (BODY, None, {}),
        "malformed_signature": (BODY, "sign=abc, env=master, t=1", {}),
        "malformed_body": (b"\xff", header(), {}),
        "signature_mismatch": (BODY + " ", header(), {}),
        "environment_not_allowed": (BODY, header(), {"environments": ["production"]}),
        "timestamp_too_old": (BODY, header(t=T - 301_000), {}),
        "timestamp_in_future": (BODY, header(t=T + 301_000), {}),
    }
    for code, (raw, sig, extra) in cases.items():
        with pytest.raises(hookseal.WebhookVerificationError) as info:
            hookseal.verify(raw, sig, secret=SECRET, now=now, **extra)
        assert info.value.code == code
        assert isinstance(info.value, ValueError)
        for leak in (SECRET, BODY, header().split(",")[0][5:]):
            assert leak not in str(info.value) and leak not in repr(info.value)
    with pytest.raises(hookseal.WebhookVerificationError) as old:
        hookseal.verify(BODY, header(t=T - 912_000), secret=SECRET, now=now)
    assert "912" in str(old.value)


def test_now_tolerance_and_rotation() -> None:
    aware = dt.datetime.fromtimestamp(T / 1000, tz=dt.timezone.utc)
    assert hookseal.verify(BODY, header(), secret=SECRET, now=aware).timestamp == T
    with pytest.raises(ValueError):
        hookseal.verify(BODY, header(), secret=SECRET, now=dt.datetime(2023, 11, 14))
    assert hookseal.verify(BODY, header(t=1), secret=SECRET, tolerance=None).timestamp == 1
    with pytest.raises(ValueError):
        hookseal.verify(BODY, header(), secret=SECRET, tolerance=-1)
    v = hookseal.verify(BODY, header(), secret=["old-secret", SECRET], now=T / 1000)
    assert v.secret_index == 1


def test_lone_surrogates_round_trip_like_js() -> None:
    body = {"s": "\ud800x", "pair": "\ud83d\ude00"}
    sig = hookseal.generate_webhook_signature(secret=SECRET, body=body, timestamp=T)
    # Node writes the lone one as \ud800 and the pair as the emoji.
    node_text = '{"s":"\\ud800x","pair":"😀"}'
    assert hookseal.verify_webhook_signature(signature=sig, secret=SECRET, raw_payload=node_text)
    assert hookseal.verify_webhook_signature(signature=sig, secret=SECRET, body=body)


def test_body_types() -> None:
    sig = hookseal.generate_webhook_signature(secret=SECRET, body={"a": (1, 2.0, True, None)}, timestamp=T)
    assert hookseal.verify_webhook_signature(signature=sig, secret=SECRET, raw_payload='{"a":[1,2,true,null]}')
    for bad in ({"a": {1, 2}}, {1: "int key"}, {"a": object()}, {"a": b"bytes"}):
        with pytest.raises(TypeError):
            hookseal.verify_webhook_signature(signature=sig, secret=SECRET, body=bad)
    deep: list = []
    for _ in range(600):
        deep = [deep]
    with pytest.raises(ValueError):
        hookseal.verify_webhook_signature(signature=sig, secret=SECRET, body=deep)


def test_error_pickles_and_codes_are_the_contracts() -> None:
    e = hookseal.WebhookVerificationError("m", "signature_mismatch")
    back = pickle.loads(pickle.dumps(e))
    assert back.code == "signature_mismatch" and str(back) == "m"
    assert hookseal._hookseal.error_codes()[:3] == ["missing_signature", "malformed_signature", "malformed_body"]


def test_gil_released_threads_agree() -> None:
    big = '{"t":"' + "x" * (1 << 20) + '"}'
    sig = header(big)
    results: list[bool] = []

    def work() -> None:
        for _ in range(5):
            results.append(hookseal.verify(big, sig, secret=SECRET, now=T / 1000).secret_index == 0)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 20


def test_shared_secret_mappings() -> None:
    from starlette.datastructures import Headers
    from werkzeug.datastructures import Headers as WHeaders

    ok = {"header": "ACTION_SECRET", "secret": "abc"}
    assert hookseal.verify_shared_secret(Headers({"action_secret": "abc"}), **ok)
    assert not hookseal.verify_shared_secret(
        Headers(raw=[(b"action_secret", b"abc"), (b"action_secret", b"abc")]), **ok
    )
    w = WHeaders()
    w.add("Action_Secret", "abc")
    assert hookseal.verify_shared_secret(w, **ok)
    w.add("Action_Secret", "abc")
    assert not hookseal.verify_shared_secret(w, **ok)
    with pytest.raises(hookseal.WebhookVerificationError) as info:
        hookseal.assert_shared_secret({}, **ok)
    assert info.value.code == "missing_secret" and "abc" not in str(info.value)


def test_hasura_helpers() -> None:
    body, status = hookseal.hasura_action_error("nope", "bad_input", 422)
    assert body == {"message": "nope", "extensions": {"code": "bad_input"}} and status == 422
    auth = hookseal.hasura_auth_response({"role": "user", "user-id": 42, "x-hasura-org": "o"}, max_age=60)
    assert auth == {
        "X-Hasura-Role": "user",
        "X-Hasura-User-Id": "42",
        "X-Hasura-Org": "o",
        "Cache-Control": "max-age=60",
    }
    exp = hookseal.hasura_auth_response({"role": "r"}, expires=dt.datetime(2026, 11, 22, 12, tzinfo=dt.timezone.utc))
    assert exp["Expires"] == "Sun, 22 Nov 2026 12:00:00 GMT"
    with pytest.raises(ValueError):
        hookseal.hasura_auth_response({"user-id": "1"})
    action = hookseal.parse_hasura_action(
        b'{"action":{"name":"greet"},"input":{"name":"Ada"},"session_variables":{"x-hasura-role":"user"}}'
    )
    assert action.name == "greet" and action.input == {"name": "Ada"}
    event = hookseal.parse_hasura_event(
        {
            "event": {"op": "UPDATE", "data": {"old": {"id": 1}, "new": {"id": 2}}, "session_variables": None},
            "table": {"schema": "public", "name": "users"},
            "trigger": {"name": "users_update"},
            "id": "x",
        }
    )
    assert (event.op, event.old, event.new, event.table) == ("UPDATE", {"id": 1}, {"id": 2}, "users")
    for bad in (b"{}", b"[]", b"not json", {"action": {"name": 1}, "input": {}, "session_variables": {}}):
        with pytest.raises(hookseal.WebhookVerificationError) as info:
            hookseal.parse_hasura_action(bad)
        assert info.value.code == "malformed_payload"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"now": float("nan")},
        {"now": float("inf")},
        {"now": -1},
        {"now": 1e30},
        {"tolerance": float("inf")},
        {"tolerance": float("nan")},
        {"tolerance": 10**30},
    ],
)
def test_non_finite_or_huge_now_and_tolerance_are_value_errors(kwargs: dict[str, float]) -> None:
    """A configuration mistake is a ValueError with a message, never an OverflowError."""
    with pytest.raises(ValueError):
        hookseal.verify(b"{}", "sign=a, env=master, t=1", secret="s", **kwargs)  # type: ignore[arg-type]


def test_hasura_parsers_take_str_with_lone_surrogates() -> None:
    """A str holding a lone surrogate (a JS string can) is passed on as WTF-8, as the core
    reads text everywhere; no UnicodeEncodeError escapes."""
    text = '{"action":{"name":"\udc80"},"input":{},"session_variables":{}}'
    assert hookseal.parse_hasura_action(text).name == "\udc80"
    with pytest.raises(hookseal.WebhookVerificationError) as e:
        hookseal.parse_hasura_event(text)
    assert e.value.code == "malformed_payload"
    # The escaped spelling (as Hasura sends it) gives the same value.
    action = hookseal.parse_hasura_action('{"action":{"name":"g"},"input":{"s":"\\udc80"},"session_variables":{}}')
    assert action.input == {"s": "\udc80"}
