#!/usr/bin/env python3
"""Writes tests/vectors/aws-lambda-events.json: AWS Lambda proxy events, as AWS documents them.

Three event sources put an HTTP request into a Lambda event, each its own way:

- API Gateway REST API, Lambda proxy integration (payload format 1.0): `httpMethod`, `headers`
  (one value per name: the last) and `multiValueHeaders` (every value), header names as the client
  sent them; `body` a string or null; `isBase64Encoded`.
  https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
- API Gateway HTTP API (payload format 2.0): `requestContext.http.method`, header names in lower
  case, repeated headers joined with commas in one value, the `Cookie` header(s) moved to a
  `cookies` array; `body` absent when there is none.
  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
- Lambda function URLs: the 2.0 format, `requestContext.domainName` `<url-id>.lambda-url.<region>.on.aws`.
  https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html

The events below follow those pages' examples (their account ids, request ids and times are the
documentation's placeholders). Each face's Lambda adapter (Node `withLambda`, Python
`hookseal.aws_lambda`) is tested with them in two ways:

1. `cases`: whole events and the HTTP request the adapter must read out of each (method, headers,
   body bytes).
2. `templates` + `variants`: how a test puts any request of the shared Hygraph and Hasura vectors
   (method, headers, body) into an event of each source, so every vector runs through every
   source, with text and base64 bodies and the header spellings each source produces.

Deterministic: run it twice, get byte-identical files.

    python3 tests/gen/aws_lambda_events.py
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "vectors" / "aws-lambda-events.json"

HYGRAPH_BODY = '{"operation":"publish","data":{"id":"ckx1","title":"Grüße – “quoted” <b>&</b>"}}'
HYGRAPH_HEADER = "sign=WsyZsNPPlU9uhGHCdtBPuwI+jPrVyICpwSBph+RfXq8=, env=master, t=1700000000000"
HASURA_EVENT = (
    '{"event":{"session_variables":null,"op":"INSERT","data":{"old":null,"new":{"id":1,"name":"é"}},'
    '"trace_context":null},"created_at":"2026-01-01T00:00:00.000Z",'
    '"id":"85558393-c75d-4d2f-9c15-e80591b83894","delivery_info":{"max_retries":0,"current_retry":0},'
    '"trigger":{"name":"user_created"},"table":{"schema":"public","name":"users"}}'
)
# Bytes that are not UTF-8: only a base64 body can carry them.
BINARY = bytes([0x7B, 0x22, 0x78, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x00, 0x22, 0x7D])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# ------------------------------------------------------------------ the documentation's shapes

REST_V1 = {
    "resource": "/hook",
    "path": "/hook",
    "httpMethod": "POST",
    "headers": {},
    "multiValueHeaders": {},
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": None,
    "stageVariables": None,
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "id",
        "authorizer": None,
        "domainName": "id.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "id",
        "extendedRequestId": "request-id",
        "httpMethod": "POST",
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": "192.0.2.1",
            "user": None,
            "userAgent": "hasura-graphql-engine/v2.48.0",
            "userArn": None,
            "clientCert": None,
        },
        "path": "/my/hook",
        "protocol": "HTTP/1.1",
        "requestId": "id=",
        "requestTime": "04/Mar/2020:19:15:17 +0000",
        "requestTimeEpoch": 1583349317135,
        "resourceId": None,
        "resourcePath": "/hook",
        "stage": "$default",
    },
    "body": None,
    "isBase64Encoded": False,
}

HTTP_V2 = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/hook",
    "rawQueryString": "",
    "headers": {},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "api-id",
        "domainName": "id.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "id",
        "http": {
            "method": "POST",
            "path": "/hook",
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1",
            "userAgent": "hasura-graphql-engine/v2.48.0",
        },
        "requestId": "id",
        "routeKey": "$default",
        "stage": "$default",
        "time": "12/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1583348638390,
    },
    "isBase64Encoded": False,
}

FUNCTION_URL = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/hook",
    "rawQueryString": "",
    "headers": {},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "abcdefghijklmnopqrstuvwxyz123456",
        "authorizer": None,
        "domainName": "abcdefghijklmnopqrstuvwxyz123456.lambda-url.us-west-2.on.aws",
        "domainPrefix": "abcdefghijklmnopqrstuvwxyz123456",
        "http": {
            "method": "POST",
            "path": "/hook",
            "protocol": "HTTP/1.1",
            "sourceIp": "198.51.100.7",
            "userAgent": "hasura-graphql-engine/v2.48.0",
        },
        "requestId": "id",
        "routeKey": "$default",
        "stage": "$default",
        "time": "12/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1583348638390,
    },
    "pathParameters": None,
    "isBase64Encoded": False,
    "stageVariables": None,
}
# The AWS docs print authorizer for IAM-authorised URLs; the NONE auth type (a webhook's) has none.
del FUNCTION_URL["requestContext"]["authorizer"]


def title(name: str) -> str:
    return "-".join(p[:1].upper() + p[1:] for p in name.split("-"))


def rest_v1(method: str, headers: list[tuple[str, str]], body: bytes | None, base64_body: bool) -> dict:
    """A REST API (payload 1.0) event: names as sent, `headers` keeps the last value of each."""
    ev = copy.deepcopy(REST_V1)
    ev["httpMethod"] = method
    ev["requestContext"]["httpMethod"] = method
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    ev["headers"] = single
    ev["multiValueHeaders"] = multi
    if body is None:
        ev["body"] = None
        ev["isBase64Encoded"] = False
    elif base64_body:
        ev["body"] = b64(body)
        ev["isBase64Encoded"] = True
    else:
        ev["body"] = body.decode("utf-8")
        ev["isBase64Encoded"] = False
    return ev


def v2(template: dict, method: str, headers: list[tuple[str, str]], body: bytes | None, base64_body: bool) -> dict:
    """An HTTP API (payload 2.0) or function URL event: lower-case names, repeats joined by ",",
    cookies split out of the Cookie header(s) into `cookies`."""
    ev = copy.deepcopy(template)
    ev["requestContext"]["http"]["method"] = method
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        low = name.lower()
        if low == "cookie":
            cookies.extend(c for c in value.split("; ") if c)
            continue
        joined[low] = joined[low] + "," + value if low in joined else value
    ev["headers"] = joined
    if cookies:
        # The docs' examples put `cookies` before `headers`; key order means nothing in JSON.
        ev["cookies"] = cookies
    if body is None:
        ev.pop("body", None)
        ev["isBase64Encoded"] = False
    elif base64_body:
        ev["body"] = b64(body)
        ev["isBase64Encoded"] = True
    else:
        ev["body"] = body.decode("utf-8")
        ev["isBase64Encoded"] = False
    return ev


def expect(method: str, headers: dict[str, list[str]], body: bytes | None) -> dict:
    return {"method": method, "headers": headers, "bodyBase64": b64(body or b"")}


def cases() -> list[dict]:
    out: list[dict] = []
    hy = HYGRAPH_BODY.encode()
    ev_body = HASURA_EVENT.encode()

    out.append(
        {
            "name": "rest-v1-hygraph-text-body",
            "source": "rest_v1",
            "note": "REST API keeps the client's header spelling; a JSON body arrives as text.",
            "event": rest_v1(
                "POST",
                [("Content-Type", "application/json"), ("Gcms-Signature", HYGRAPH_HEADER), ("User-Agent", "Hygraph")],
                hy,
                False,
            ),
            "expect": expect(
                "POST",
                {"content-type": ["application/json"], "gcms-signature": [HYGRAPH_HEADER], "user-agent": ["Hygraph"]},
                hy,
            ),
        }
    )
    out.append(
        {
            "name": "rest-v1-base64-binary-body",
            "source": "rest_v1",
            "note": "A binary media type: the body is base64 (isBase64Encoded true) and its bytes are not UTF-8.",
            "event": rest_v1("POST", [("content-type", "application/octet-stream")], BINARY, True),
            "expect": expect("POST", {"content-type": ["application/octet-stream"]}, BINARY),
        }
    )
    out.append(
        {
            "name": "rest-v1-repeated-header",
            "source": "rest_v1",
            "note": "A header sent twice: `headers` holds only the last value, `multiValueHeaders` both. "
            "The adapter reads multiValueHeaders, so a secret sent twice is still seen twice (secret_mismatch).",
            "event": rest_v1(
                "POST",
                [
                    ("Content-Type", "application/json"),
                    ("X-Hasura-Event-Secret", "wrong"),
                    ("X-Hasura-Event-Secret", "event-secret"),
                ],
                ev_body,
                False,
            ),
            "expect": expect(
                "POST",
                {"content-type": ["application/json"], "x-hasura-event-secret": ["wrong", "event-secret"]},
                ev_body,
            ),
        }
    )
    out.append(
        {
            "name": "rest-v1-get-no-body",
            "source": "rest_v1",
            "note": "A Hasura auth webhook GET: no body (null); Authorization and Cookie as the client sent them.",
            "event": rest_v1(
                "GET",
                [("Authorization", "Bearer token-1"), ("Cookie", "session=abc; theme=dark"), ("X-Hasura-Role", "user")],
                None,
                False,
            ),
            "expect": expect(
                "GET",
                {
                    "authorization": ["Bearer token-1"],
                    "cookie": ["session=abc; theme=dark"],
                    "x-hasura-role": ["user"],
                },
                None,
            ),
        }
    )
    nulls = rest_v1("POST", [], b"{}", False)
    nulls["headers"] = None
    nulls["multiValueHeaders"] = None
    out.append(
        {
            "name": "rest-v1-null-headers",
            "source": "rest_v1",
            "note": "The API Gateway console's test invoke sends null header maps: no headers, not a crash.",
            "event": nulls,
            "expect": expect("POST", {}, b"{}"),
        }
    )
    only_single = rest_v1("POST", [("X-Hasura-Action-Secret", "s1")], b"{}", False)
    del only_single["multiValueHeaders"]
    out.append(
        {
            "name": "rest-v1-headers-without-multi-value",
            "source": "rest_v1",
            "note": "A hand-written test event (or an older integration) with `headers` only: they are used.",
            "event": only_single,
            "expect": expect("POST", {"x-hasura-action-secret": ["s1"]}, b"{}"),
        }
    )
    out.append(
        {
            "name": "http-v2-text-body-cookies",
            "source": "http_v2",
            "note": "HTTP API: lower-case names, a repeated header comma-joined, cookies in their own array "
            "(the adapter gives them back as one Cookie header, joined with '; ').",
            "event": v2(
                HTTP_V2,
                "POST",
                [
                    ("Content-Type", "application/json"),
                    ("X-Hasura-Event-Secret", "event-secret"),
                    ("Accept", "application/json"),
                    ("Accept", "text/plain"),
                    ("Cookie", "cookie1=a"),
                    ("Cookie", "cookie2=b"),
                ],
                ev_body,
                False,
            ),
            "expect": expect(
                "POST",
                {
                    "content-type": ["application/json"],
                    "x-hasura-event-secret": ["event-secret"],
                    "accept": ["application/json,text/plain"],
                    "cookie": ["cookie1=a; cookie2=b"],
                },
                ev_body,
            ),
        }
    )
    out.append(
        {
            "name": "http-v2-base64-body",
            "source": "http_v2",
            "note": "HTTP API base64-encodes a body it does not treat as text.",
            "event": v2(
                HTTP_V2,
                "POST",
                [("Content-Type", "application/octet-stream"), ("Gcms-Signature", HYGRAPH_HEADER)],
                BINARY,
                True,
            ),
            "expect": expect(
                "POST", {"content-type": ["application/octet-stream"], "gcms-signature": [HYGRAPH_HEADER]}, BINARY
            ),
        }
    )
    out.append(
        {
            "name": "http-v2-get-no-body",
            "source": "http_v2",
            "note": "A GET: the 2.0 format has no `body` key at all.",
            "event": v2(HTTP_V2, "GET", [("Authorization", "Bearer token-2"), ("Cookie", "session=xyz")], None, False),
            "expect": expect("GET", {"authorization": ["Bearer token-2"], "cookie": ["session=xyz"]}, None),
        }
    )
    out.append(
        {
            "name": "function-url-base64-json",
            "source": "function_url",
            "note": "A function URL base64-encodes bodies too (here a JSON one, UTF-8 inside).",
            "event": v2(
                FUNCTION_URL,
                "POST",
                [("Content-Type", "application/json; charset=utf-8"), ("Gcms-Signature", HYGRAPH_HEADER)],
                hy,
                True,
            ),
            "expect": expect(
                "POST", {"content-type": ["application/json; charset=utf-8"], "gcms-signature": [HYGRAPH_HEADER]}, hy
            ),
        }
    )
    out.append(
        {
            "name": "function-url-get-cookies",
            "source": "function_url",
            "note": "A function URL GET with cookies and a header whose value has a comma of its own.",
            "event": v2(
                FUNCTION_URL,
                "GET",
                [
                    ("Authorization", "Bearer token-3"),
                    ("Cookie", "a=1; b=2"),
                    ("X-Forwarded-For", "198.51.100.7, 10.0.0.1"),
                ],
                None,
                False,
            ),
            "expect": expect(
                "GET",
                {
                    "authorization": ["Bearer token-3"],
                    "cookie": ["a=1; b=2"],
                    "x-forwarded-for": ["198.51.100.7, 10.0.0.1"],
                },
                None,
            ),
        }
    )
    return out


def templates() -> dict:
    def strip(ev: dict) -> dict:
        ev = copy.deepcopy(ev)
        ev.pop("body", None)
        return ev

    return {"rest_v1": strip(REST_V1), "http_v2": strip(HTTP_V2), "function_url": strip(FUNCTION_URL)}


PLACEMENT = {
    "rest_v1": [
        "httpMethod and requestContext.httpMethod = the request's method",
        "header names spelled per the variant's headerCase; headers = {name: last value}, "
        "multiValueHeaders = {name: [every value, in order]}",
        "body: null when the request has none (and isBase64Encoded false); else the UTF-8 text "
        "(isBase64Encoded false) or standard padded base64 of the bytes (isBase64Encoded true), per the variant",
    ],
    "http_v2": [
        "requestContext.http.method = the request's method",
        "header names in lower case; a name given more than once: its values joined with ',' (no space) in one value",
        "Cookie headers are not in headers: each value split on '; ' into the cookies array (absent when none)",
        "body: the key absent when the request has none; else as rest_v1",
    ],
    "function_url": ["as http_v2"],
}

VARIANTS = [
    {"name": "rest-v1-text", "source": "rest_v1", "base64": False, "headerCase": "title"},
    {"name": "rest-v1-base64", "source": "rest_v1", "base64": True, "headerCase": "as-sent"},
    {"name": "http-v2-text", "source": "http_v2", "base64": False, "headerCase": "lower"},
    {"name": "http-v2-base64", "source": "http_v2", "base64": True, "headerCase": "lower"},
    {"name": "function-url-base64", "source": "function_url", "base64": True, "headerCase": "lower"},
]


def main() -> None:
    doc = {
        "description": (
            "AWS Lambda proxy events (API Gateway REST payload 1.0, HTTP API payload 2.0, function URL) "
            "in the shapes of AWS's documentation, for every face's Lambda adapter. `cases`: whole events "
            "and the request (method, lower-case header name -> values in order, body bytes as base64) "
            "the adapter must read from each (only the reading is checked: the signatures in them need not "
            "verify). `templates` + `placement` + `variants`: how a test puts any "
            "request of the shared vectors into each kind of event. A text body (isBase64Encoded false) "
            "is the UTF-8 encoding of the string. The answer an adapter returns is "
            "{statusCode, headers: {name: value}, body: string, isBase64Encoded: false}, valid for all three "
            "sources. See tests/vectors/README.md."
        ),
        "generator": "tests/gen/aws_lambda_events.py",
        "sources": {
            "rest_v1": "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html",
            "http_v2": "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html",
            "function_url": "https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html",
        },
        "cases": cases(),
        "templates": templates(),
        "placement": PLACEMENT,
        "headerCase": {
            "as-sent": "the vector's spelling",
            "title": "each '-'-separated part with its first letter upper-cased (gcms-signature -> Gcms-Signature)",
            "lower": "lower case",
        },
        "variants": VARIANTS,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
