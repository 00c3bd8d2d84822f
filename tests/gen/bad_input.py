#!/usr/bin/env python3
"""Writes tests/vectors/bad-input.json: the bad-input catalogue every face runs (issue 8).

MACs are computed here with Python's hmac over the JSON envelope built with json.dumps, which
spells ASCII-only envelopes exactly as Node's JSON.stringify does; no hookseal code is used.
Run: python3 tests/gen/bad_input.py
"""

import base64
import hashlib
import hmac
import json
import pathlib

SECRET = "bad-input-catalogue-secret"
NOW = 1_700_000_000_000
T = NOW - 1_000
OUT = pathlib.Path(__file__).resolve().parents[1] / "vectors" / "bad-input.json"


def mac(body, env, t):
    envelope = {}
    if body:
        envelope["Body"] = body
    envelope["EnvironmentName"] = env
    envelope["TimeStamp"] = t
    text = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).digest()).decode()


BODY = '{"operation":"publish","data":{"id":"ckx1"}}'
X = mac(BODY, "master", T)
GOOD = f"sign={X}, env=master, t={T}"
cases = []


def case(name, signature, body, drop_in, strict, **extra):
    c = {"name": name, "signature": signature, "body": body, "dropIn": drop_in, "strict": strict}
    c.update(extra)
    cases.append(c)


case("control-valid", GOOD, BODY, True, "ok")
case("missing-header", None, BODY, False, "missing_signature")
case("empty-header", "", BODY, False, "missing_signature")
case("blank-header", "   ", BODY, False, "missing_signature")
case("one-mib-header", {"repeat": "a", "times": 1 << 20}, BODY, False, "malformed_signature")
case(
    "one-mib-header-with-separators",
    {"repeat": "sign=, env=, t=1, ", "times": 65536},
    BODY,
    False,
    "malformed_signature",
)
case("nul-in-sign", f"sign={X[:10]}\u0000{X[11:]}, env=master, t={T}", BODY, False, "malformed_signature")
case("nul-in-env", f"sign={X}, env=mas\u0000ter, t={T}", BODY, False, "malformed_signature")
case("non-utf8-header-latin1", f"sign={X}, env=ma\u00c3\u0028ster, t={T}", BODY, False, "signature_mismatch")
case(
    "lone-surrogate-header",
    None,
    BODY,
    False,
    "malformed_signature",
    signatureUtf16=[ord(c) for c in f"sign={X}, env=master, t="] + [0xD800],
)
case("duplicated-sign", f"sign={X}, sign={X}, env=master, t={T}", BODY, False, "malformed_signature")
case("duplicated-env", f"sign={X}, env=master, env=master, t={T}", BODY, False, "malformed_signature")
case("duplicated-t", f"sign={X}, env=master, t={T}, t={T}", BODY, True, "malformed_signature")
case("reordered", f"t={T}, env=master, sign={X}", BODY, False, "ok")
case("reordered-env-first", f"env=master, sign={X}, t={T}", BODY, False, "ok")
case("no-spaces", f"sign={X},env=master,t={T}", BODY, False, "ok")
case("upper-case-keys", f"SIGN={X}, ENV=master, T={T}", BODY, False, "malformed_signature")
case("mixed-case-key", f"Sign={X}, env=master, t={T}", BODY, False, "malformed_signature")
case("upper-case-env-value", f"sign={X}, env=MASTER, t={T}", BODY, False, "signature_mismatch")
case("tab-separated", f"sign={X},\tenv=master,\tt={T}", BODY, False, "malformed_signature")
case(
    "base64url",
    f"sign={X.replace('+', '-').replace('/', '_')}, env=master, t={T}",
    BODY,
    X.replace("+", "-").replace("/", "_") == X,
    "malformed_signature" if ("+" in X or "/" in X) else "ok",
)
case("unpadded", f"sign={X.rstrip('=')}, env=master, t={T}", BODY, False, "malformed_signature")
case("over-long-sign", f"sign={X}AAAA, env=master, t={T}", BODY, False, "malformed_signature")
case("truncated-sign", f"sign={X[:40]}, env=master, t={T}", BODY, False, "malformed_signature")
case("empty-sign", f"sign=, env=master, t={T}", BODY, False, "malformed_signature")
case(
    "sign-of-64-bytes",
    f"sign={base64.b64encode(bytes(64)).decode()}, env=master, t={T}",
    BODY,
    False,
    "malformed_signature",
)
case("t-with-plus", f"sign={X}, env=master, t=+{T}", BODY, True, "malformed_signature")
case("t-with-minus", f"sign={X}, env=master, t=-{T}", BODY, False, "malformed_signature")
case("t-hex", f"sign={X}, env=master, t={hex(T)}", BODY, True, "malformed_signature")
case("t-exponent", f"sign={X}, env=master, t=1.7e12", BODY, False, "malformed_signature")
case("t-seventeen-digits", f"sign={X}, env=master, t=1{T:016d}", BODY, False, "malformed_signature")
case("t-leading-zeros", f"sign={X}, env=master, t=000{T}", BODY, True, "ok")  # 16 digits: within the grammar
case("t-empty", f"sign={X}, env=master, t=", BODY, False, "malformed_signature")
case("t-trailing-garbage", f"sign={X}, env=master, t={T}ms", BODY, True, "malformed_signature")
E = mac(BODY, "", T)
case("empty-env", f"sign={E}, env=, t={T}", BODY, True, "malformed_signature")
HUGE_ENV = "e" * 2000
H = mac(BODY, HUGE_ENV, T)
case("huge-env", f"sign={H}, env={HUGE_ENV}, t={T}", BODY, True, "malformed_signature")
case("non-utf8-body", GOOD, None, False, "malformed_body", bodyHex="7b2261223a22ff227d")
case("tampered-body", GOOD, BODY.replace("ckx1", "ckx2"), False, "signature_mismatch")
case("wrong-environment-value", f"sign={X}, env=staging, t={T}", BODY, False, "signature_mismatch")
EMPTY = mac("", "master", T)
case("empty-body", f"sign={EMPTY}, env=master, t={T}", "", True, "ok")
case("empty-body-against-nonempty-signature", GOOD, "", False, "signature_mismatch")
STALE = mac(BODY, "master", NOW - 3_600_000)
case("stale", f"sign={STALE}, env=master, t={NOW - 3_600_000}", BODY, True, "timestamp_too_old")
FUTURE = mac(BODY, "master", NOW + 3_600_000)
case("future", f"sign={FUTURE}, env=master, t={NOW + 3_600_000}", BODY, True, "timestamp_in_future")
BIG = "x" * (100 << 20)
case(
    "hundred-mib-body",
    f"sign={mac(BIG, 'master', T)}, env=master, t={T}",
    {"repeat": "x", "times": 100 << 20},
    True,
    "ok",
    large=True,
)
case(
    "hundred-mib-body-tampered",
    f"sign={X}, env=master, t={T}",
    {"repeat": "x", "times": 100 << 20},
    False,
    "signature_mismatch",
    large=True,
)

doc = {
    "description": "Bad-input catalogue (issue 8): every face runs every row through the drop-in (dropIn: "
    "expected boolean, rawPayload = body) and the strict API (strict: 'ok' or the error code, "
    "with secret, now and tolerance below). See tests/vectors/README.md.",
    "generator": "tests/gen/bad_input.py (Python hmac + json.dumps, independent of hookseal)",
    "secret": SECRET,
    "now": NOW,
    "tolerance": 300,
    "cases": cases,
}
OUT.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"{OUT}: {len(cases)} cases")
