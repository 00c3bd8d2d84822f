#!/usr/bin/env python3
"""Writes tests/vectors/strict.json, shared-secret.json, hasura-session.json and replay.json.

An independent oracle: the envelope is built here with Python's json module (which, for
well-formed strings and with ensure_ascii=False and compact separators, quotes exactly like
ECMAScript's QuoteJSONString) and hmac, never with hookseal's code. The expected answers come from
the contract (sections 2b, 3, 5 and 6), not from running hookseal. Deterministic: run it twice, get
byte-identical files.

    python3 tests/gen/strict_vectors.py
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "vectors"
NOW = 1_700_000_000_000
SECRET = "strict-vectors-secret-1"
OLD_SECRET = "strict-vectors-secret-0"
BODY = '{"operation":"publish","data":{"id":"ckx1","title":"Grüße – “quoted” \\"text\\""}}'
RICH = '{"operation":"update","data":{"content":{"html":"<p>Fish & chips</p>"}}}'


def envelope(body: str, env: str, t: int, html: bool = False) -> bytes:
    if html:
        for ch, esc in (
            ("<", "\\u003c"),
            (">", "\\u003e"),
            ("&", "\\u0026"),
            ("\u2028", "\\u2028"),
            ("\u2029", "\\u2029"),
        ):
            body = body.replace(ch, esc)
    doc: dict[str, object] = {}
    if body:
        doc["Body"] = body
    doc["EnvironmentName"] = env
    doc["TimeStamp"] = t
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def mac(secret: str, body: str, env: str, t: int, html: bool = False) -> str:
    digest = hmac.new(secret.encode(), envelope(body, env, t, html), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def header(secret: str = SECRET, body: str = BODY, env: str = "master", t: int = NOW) -> str:
    return f"sign={mac(secret, body, env, t)}, env={env}, t={t}"


def ok(env: str = "master", t: int = NOW, index: int = 0) -> dict[str, object]:
    return {"ok": True, "environment": env, "timestamp": t, "secretIndex": index}


def err(code: str) -> dict[str, object]:
    return {"error": code}


def strict_cases() -> list[dict[str, object]]:
    good = header()
    sign = mac(SECRET, BODY, "master", NOW)
    raw = base64.b64decode(sign)
    cases: list[dict[str, object]] = []

    def case(
        name: str,
        expect: dict[str, object],
        *,
        hdr: str | None = good,
        body: str | None = BODY,
        body_hex: str | None = None,
        secrets: list[str] | None = None,
        tolerance: int | None = 300,
        environments: list[str] | None = None,
        now: int = NOW,
    ) -> None:
        c: dict[str, object] = {
            "name": name,
            "secrets": secrets or [SECRET],
            "tolerance": tolerance,
            "environments": environments,
            "now": now,
        }
        if body_hex is not None:
            c["bodyHex"] = body_hex
        else:
            c["body"] = body
        c["header"] = hdr
        c["expect"] = expect
        cases.append(c)

    # Accepted deliveries.
    case("valid", ok())
    case("valid-fields-reordered", ok(), hdr=f"t={NOW},env=master,sign={sign}")
    case("valid-no-spaces", ok(), hdr=f"sign={sign},env=master,t={NOW}")
    case("valid-unknown-field-ignored", ok(), hdr=f"sign={sign}, env=master, t={NOW}, v=2")
    case("valid-rotation-second-secret", ok(index=1), secrets=[OLD_SECRET, SECRET])
    case("valid-rotation-first-secret", ok(index=0), secrets=[SECRET, OLD_SECRET])
    case("valid-empty-body", ok(), body="", hdr=header(body=""))
    case("valid-environment-allowed", ok(env="staging"), hdr=header(env="staging"), environments=["master", "staging"])
    case("valid-at-tolerance-past-edge", ok(t=NOW - 300_000), hdr=header(t=NOW - 300_000))
    case("valid-at-tolerance-future-edge", ok(t=NOW + 300_000), hdr=header(t=NOW + 300_000))
    case("valid-window-off", ok(t=NOW - 86_400_000), hdr=header(t=NOW - 86_400_000), tolerance=None)
    case("valid-leading-zero-t", ok(), hdr=f"sign={sign}, env=master, t=0{NOW}")
    html_sign = mac(SECRET, RICH, "master", NOW, html=True)
    case("valid-html-escaped-variant", ok(), body=RICH, hdr=f"sign={html_sign}, env=master, t={NOW}")

    # missing_signature
    case("missing-header", err("missing_signature"), hdr=None)
    case("empty-header", err("missing_signature"), hdr="")

    # malformed_signature
    url_sign = base64.urlsafe_b64encode(bytes([0xFB]) * 32).decode()
    malformed = {
        "no-sign": f"env=master, t={NOW}",
        "no-env": f"sign={sign}, t={NOW}",
        "no-t": f"sign={sign}, env=master",
        "duplicate-sign": f"sign={sign}, sign={sign}, env=master, t={NOW}",
        "duplicate-env": f"sign={sign}, env=master, env=master, t={NOW}",
        "duplicate-t": f"sign={sign}, env=master, t={NOW}, t={NOW}",
        "sign-not-base64": f"sign=!!!!{sign[4:]}, env=master, t={NOW}",
        "sign-unpadded": f"sign={sign.rstrip('=')}, env=master, t={NOW}",
        "sign-base64url": f"sign={url_sign}, env=master, t={NOW}",
        "sign-31-bytes": f"sign={base64.b64encode(raw[:31]).decode()}, env=master, t={NOW}",
        "sign-33-bytes": f"sign={base64.b64encode(raw + b'x').decode()}, env=master, t={NOW}",
        "sign-empty": f"sign=, env=master, t={NOW}",
        "t-signed": f"sign={sign}, env=master, t=+{NOW}",
        "t-negative": f"sign={sign}, env=master, t=-{NOW}",
        "t-hex": f"sign={sign}, env=master, t=0x{NOW:x}",
        "t-exponent": f"sign={sign}, env=master, t=1.7e12",
        "t-17-digits": f"sign={sign}, env=master, t=1{NOW:016d}",
        "t-empty": f"sign={sign}, env=master, t=",
        "t-trailing-garbage": f"sign={sign}, env=master, t={NOW}ms",
        "env-empty": f"sign={sign}, env=, t={NOW}",
        "field-without-equals": f"sign={sign}, env=master, t={NOW}, junk",
        "uppercase-keys": f"SIGN={sign}, ENV=master, T={NOW}",
        "tab-separated": f"sign={sign},\tenv=master,\tt={NOW}",
        "over-long": f"sign={sign}, env=master, t={NOW}, pad={'x' * 1024}",
    }
    for name, hdr in malformed.items():
        case(f"malformed-{name}", err("malformed_signature"), hdr=hdr)

    # malformed_body
    case("body-not-utf8", err("malformed_body"), body_hex="7b2261223a22ff227d", hdr=f"sign={sign}, env=master, t={NOW}")

    # signature_mismatch
    case("tampered-body", err("signature_mismatch"), body=BODY.replace("ckx1", "ckx2"))
    case("tampered-environment", err("signature_mismatch"), hdr=f"sign={sign}, env=staging, t={NOW}")
    case("tampered-timestamp", err("signature_mismatch"), hdr=f"sign={sign}, env=master, t={NOW + 1}")
    case("wrong-secret", err("signature_mismatch"), secrets=["not-the-secret"])
    case("secret-with-trailing-newline", err("signature_mismatch"), secrets=[SECRET + "\n"])
    case(
        "html-variant-not-for-non-json",
        err("signature_mismatch"),
        body="<p>Fish & chips",
        hdr=f"sign={mac(SECRET, '<p>Fish & chips', 'master', NOW, html=True)}, env=master, t={NOW}",
    )

    # environment_not_allowed (checked after the MAC)
    case("environment-not-allowed", err("environment_not_allowed"), environments=["production"])

    # time window
    case("too-old-by-1ms", err("timestamp_too_old"), hdr=header(t=NOW - 300_001))
    case("too-old-1h", err("timestamp_too_old"), hdr=header(t=NOW - 3_600_000))
    case("in-future-by-1ms", err("timestamp_in_future"), hdr=header(t=NOW + 300_001))
    case("tolerance-zero-exact", ok(), tolerance=0)
    case("tolerance-zero-1ms-old", err("timestamp_too_old"), tolerance=0, now=NOW + 1)

    # check order: header, MAC, environment, timestamp
    case("order-header-before-mac", err("malformed_signature"), hdr=f"sign={sign}, env=master", secrets=["wrong"])
    case("order-mac-before-environment", err("signature_mismatch"), secrets=["wrong"], environments=["production"])
    case("order-mac-before-time", err("signature_mismatch"), secrets=["wrong"], now=NOW + 3_600_000)
    case(
        "order-environment-before-time",
        err("environment_not_allowed"),
        environments=["production"],
        now=NOW + 3_600_000,
    )
    return cases


def shared_cases() -> list[dict[str, object]]:
    s = "hasura-action-secret-1"
    old = "hasura-action-secret-0"
    rows: list[tuple[str, str, list[str], dict[str, object], str]] = [
        ("right", "action_secret", [s], {"action_secret": s}, "ok"),
        ("configured-upper-sent-lower", "ACTION_SECRET", [s], {"action_secret": s}, "ok"),
        ("configured-lower-sent-upper", "action_secret", [s], {"ACTION_SECRET": s}, "ok"),
        ("mixed-case", "Action_Secret", [s], {"aCtIoN_sEcReT": s}, "ok"),
        ("rotation-old", "action_secret", [s, old], {"action_secret": old}, "ok"),
        ("other-headers-present", "action_secret", [s], {"content-type": "application/json", "action_secret": s}, "ok"),
        ("missing", "action_secret", [s], {"content-type": "application/json"}, "missing_secret"),
        ("no-headers", "action_secret", [s], {}, "missing_secret"),
        ("empty-value", "action_secret", [s], {"action_secret": ""}, "missing_secret"),
        ("wrong", "action_secret", [s], {"action_secret": "wrong"}, "secret_mismatch"),
        ("prefix-of-secret", "action_secret", [s], {"action_secret": s[:-1]}, "secret_mismatch"),
        ("secret-plus-suffix", "action_secret", [s], {"action_secret": s + "x"}, "secret_mismatch"),
        ("padded-with-space", "action_secret", [s], {"action_secret": " " + s}, "secret_mismatch"),
        ("other-case-value", "action_secret", [s], {"action_secret": s.upper()}, "secret_mismatch"),
        ("repeated-header", "action_secret", [s], {"action_secret": [s, s]}, "secret_mismatch"),
        ("secret-in-other-header", "action_secret", [s], {"x-action-secret": s}, "missing_secret"),
    ]
    return [{"name": n, "header": h, "secrets": sec, "headers": hd, "expect": e} for n, h, sec, hd, e in rows]


def session_cases() -> list[dict[str, object]]:
    """Auth-webhook answers (contract §6): session keys as users write them, values, cache hints."""
    uid = "X-Hasura-User-Id"
    cases: list[dict[str, object]] = []

    def ok(name: str, session: list[list[object]], answer: list[list[str]], **cache: int) -> None:
        cases.append({"name": name, "session": session, **cache, "expect": {"ok": answer}})

    def err(name: str, session: list[list[object]], mentions: list[str], **cache: int) -> None:
        cases.append({"name": name, "session": session, **cache, "expect": {"error": mentions}})

    for i, spelling in enumerate(
        ["userId", "user_id", "User-Id", "x-hasura-user-id", "X-Hasura-User-Id", "X-HASURA-USER-ID",
         "userID", "UserId", "user-id", "USER_ID", "x_hasura_user_id", "xHasuraUserId", "X-Hasura-UserId"]
    ):
        session: list[list[object]] = [["role", "user"], [spelling, "42"]]
        ok(f"user-id-{i:02d}-{spelling}", session, [["X-Hasura-Role", "user"], [uid, "42"]])
    for i, spelling in enumerate(["role", "Role", "ROLE", "x-hasura-role", "X-Hasura-Role", "x_hasura_role"]):
        ok(f"role-{i}-{spelling}", [[spelling, "editor"]], [["X-Hasura-Role", "editor"]])
    ok(
        "multi-word-names",
        [["role", "user"], ["orgId", "7"], ["isOwner", True], ["team_ids", "{1,2}"], ["APIKey", "k"],
         ["user2Id", "u"], ["x-hasura-project-slug", "p"]],
        [["X-Hasura-Role", "user"], ["X-Hasura-Org-Id", "7"], ["X-Hasura-Is-Owner", "true"],
         ["X-Hasura-Team-Ids", "{1,2}"], ["X-Hasura-Api-Key", "k"], ["X-Hasura-User2-Id", "u"],
         ["X-Hasura-Project-Slug", "p"]],
    )
    ok(
        "values-become-strings",
        [["role", "user"], ["a", 42], ["b", 1.5], ["c", False], ["d", -0.0], ["e", 1e21], ["f", 12345678901234567890],
         ["g", ""], ["h", "Grüße"]],
        [["X-Hasura-Role", "user"], ["X-Hasura-A", "42"], ["X-Hasura-B", "1.5"], ["X-Hasura-C", "false"],
         ["X-Hasura-D", "0"], ["X-Hasura-E", "1e+21"], ["X-Hasura-F", "12345678901234567000"], ["X-Hasura-G", ""],
         ["X-Hasura-H", "Grüße"]],
    )
    ok("max-age", [["role", "user"]], [["X-Hasura-Role", "user"], ["Cache-Control", "max-age=60"]], maxAge=60)
    ok(
        "expires",
        [["role", "user"]],
        [["X-Hasura-Role", "user"], ["Expires", "Sun, 06 Nov 1994 08:49:37 GMT"]],
        expires=784_111_777,
    )
    err("twice-userId-user_id", [["role", "user"], ["userId", "1"], ["user_id", "2"]], [uid, "userId", "user_id"])
    err("twice-User-Id-x-hasura", [["role", "u"], ["User-Id", "1"], ["x-hasura-user-id", "1"]], [uid, "User-Id"])
    err("twice-role", [["role", "a"], ["X-Hasura-Role", "b"]], ["X-Hasura-Role", "role"])
    err("twice-same-value", [["role", "a"], ["userId", "1"], ["UserID", "1"]], [uid])
    err("no-role", [["userId", "1"]], ["role"])
    err("empty-role", [["role", ""]], ["role"])
    for i, bad in enumerate(["user id", "user.id", "", "x-hasura-", "X-Hasura", "user__id", "-user", "user-", "usér"]):
        err(f"bad-name-{i}", [["role", "user"], [bad, "1"]], [json.dumps(bad, ensure_ascii=False)])
    return cases


def replay_scenarios() -> list[dict[str, object]]:
    """Replay-guard steps (contract §5): claim / complete / release with per-claim tokens.

    `at` is the guard's clock in ms. Scenarios with `"clock": true` need a claim or a done entry to
    lapse between steps: stores with a real clock (Redis) skip them or run them on their own terms.
    """
    long = 600_000

    def claim(key: str, token: str, expect: str, at: int = 0, ttl: int = long) -> dict[str, object]:
        return {"op": "claim", "key": key, "token": token, "at": at, "ttlMs": ttl, "expect": expect}

    def complete(key: str, token: str, expect: bool, at: int = 0, ttl: int = long) -> dict[str, object]:
        return {"op": "complete", "key": key, "token": token, "at": at, "ttlMs": ttl, "expect": expect}

    def release(key: str, token: str, expect: bool, at: int = 0) -> dict[str, object]:
        return {"op": "release", "key": key, "token": token, "at": at, "expect": expect}

    rows: list[tuple[str, bool, list[dict[str, object]]]] = [
        ("claim-then-copy-in-progress", False, [claim("k", "a", "new"), claim("k", "b", "in_progress")]),
        ("release-own-claim", False, [claim("k", "a", "new"), release("k", "a", True), claim("k", "b", "new")]),
        (
            "release-with-other-token-keeps-claim",
            False,
            [claim("k", "a", "new"), release("k", "b", False), claim("k", "c", "in_progress"), release("k", "a", True)],
        ),
        (
            "complete-then-duplicates",
            False,
            [claim("k", "a", "new"), complete("k", "a", True), claim("k", "b", "done"), release("k", "a", False),
             claim("k", "c", "done")],
        ),
        ("release-absent", False, [release("k", "a", False), claim("k", "a", "new")]),
        ("complete-without-claim-marks-done", False, [complete("k", "a", False), claim("k", "b", "done")]),
        (
            "complete-by-other-token-marks-done",
            False,
            [claim("k", "a", "new"), complete("k", "b", False), claim("k", "c", "done"), release("k", "a", False)],
        ),
        (
            "keys-are-independent",
            False,
            [claim("k1", "a", "new"), claim("k2", "a", "new"), complete("k1", "a", True),
             claim("k2", "b", "in_progress"), claim("k1", "b", "done"), release("k2", "a", True),
             claim("k2", "b", "new")],
        ),
        (
            "crashed-claim-lapses",
            True,
            [claim("k", "a", "new", at=0, ttl=100), claim("k", "b", "in_progress", at=99),
             claim("k", "b", "new", at=100)],
        ),
        (
            "outlived-claim-failure-keeps-takeover",
            True,
            [claim("k", "a", "new", at=0, ttl=100), claim("k", "b", "new", at=150, ttl=100),
             release("k", "a", False, at=160), claim("k", "c", "in_progress", at=170), complete("k", "b", True, at=180),
             claim("k", "d", "done", at=190)],
        ),
        (
            "outlived-claim-success-marks-done",
            True,
            [claim("k", "a", "new", at=0, ttl=100), claim("k", "b", "new", at=150, ttl=100),
             complete("k", "a", False, at=160), claim("k", "c", "done", at=170), release("k", "b", False, at=180),
             claim("k", "d", "done", at=190)],
        ),
        (
            "release-after-own-claim-lapsed",
            True,
            [claim("k", "a", "new", at=0, ttl=100), release("k", "a", False, at=150), claim("k", "b", "new", at=160)],
        ),
        (
            "complete-after-own-claim-lapsed",
            True,
            [claim("k", "a", "new", at=0, ttl=100), complete("k", "a", False, at=150), claim("k", "b", "done", at=160)],
        ),
        (
            "done-lapses",
            True,
            [claim("k", "a", "new", at=0), complete("k", "a", True, at=10, ttl=1000), claim("k", "b", "done", at=1009),
             claim("k", "b", "new", at=1010)],
        ),
    ]
    return [{"name": n, "clock": c, "steps": steps} for n, c, steps in rows]


def write(name: str, description: str, cases: list[dict[str, object]]) -> None:
    doc = {"description": description, "generator": "tests/gen/strict_vectors.py", "cases": cases}
    (OUT / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(
        "strict.json",
        "Strict Hygraph verification (contract §2b): expected result or error code per case.",
        strict_cases(),
    )
    write(
        "shared-secret.json", "Shared-secret header checks (contract §3): expected `ok` or error code.", shared_cases()
    )
    write(
        "hasura-session.json",
        "Hasura auth-webhook answers (contract §6): session keys as users write them, values, cache hints.",
        session_cases(),
    )
    write(
        "replay.json",
        "Replay-guard steps (contract §5): claim, complete, release with per-claim tokens; `at` is the clock in ms.",
        replay_scenarios(),
    )
