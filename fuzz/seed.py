#!/usr/bin/env python3
"""Writes a seed corpus for every fuzz target from the shared vectors in tests/vectors/."""

import json
import pathlib

root = pathlib.Path(__file__).resolve().parent
vectors = root.parent / "tests" / "vectors"
corpus = root / "corpus"


def utf16_to_bytes(units):
    # Lone surrogates cannot be UTF-8; the fuzzers see them replaced.
    return bytes(
        bytearray(
            b"".join(chr(u).encode("utf-8", "replace") if not 0xD800 <= u <= 0xDFFF else b"\xef\xbf\xbd" for u in units)
        )
    )


def text(case, field):
    if case.get(field + "Utf16") is not None:
        return utf16_to_bytes(case[field + "Utf16"])
    value = case.get(field)
    return value.encode("utf-8") if isinstance(value, str) else None


seeds = {
    t: []
    for t in [
        "strict_header",
        "compat_header",
        "js_serialization",
        "envelope_stream",
        "strict_verify",
        "simd_escape",
        "simd_utf16",
        "hasura_payloads",
    ]
}
for path in sorted(vectors.glob("*.json")):
    data = json.loads(path.read_text(encoding="utf-8"))
    for case in data.get("cases", []):
        sig = text(case, "signature")
        raw_body = case.get("body")
        if not isinstance(raw_body, str):
            # Some files (bad-input.json) describe the body instead of holding its text.
            raw_body = "" if raw_body is None else json.dumps(raw_body, ensure_ascii=False)
        body = text(case, "rawPayload") or raw_body.encode("utf-8")
        if sig:
            seeds["strict_header"].append(sig)
            seeds["compat_header"].append(sig)
            seeds["strict_verify"].append(bytes([min(len(sig), 255)]) + sig[:255] + body)
        if body:
            seeds["envelope_stream"].append(body)
            seeds["simd_escape"].append(bytes([len(seeds["simd_escape"]) % 32]) + body)
            seeds["simd_utf16"].append(body.decode("utf-8", "replace").encode("utf-16-le", "surrogatepass"))
            seeds["js_serialization"].append(body)
        if path.name.startswith("hasura-"):
            seeds["hasura_payloads"].append(body)
    for section in ("reserialize", "quote"):
        for case in data.get(section, []):
            value = text(case, "input")
            if value:
                seeds["js_serialization"].append(value)

for target, items in seeds.items():
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    for i, item in enumerate(items):
        (d / f"seed-{i:05d}").write_bytes(item)
    print(f"{target}: {len(items)} seeds")
