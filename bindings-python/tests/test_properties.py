"""Hypothesis: for arbitrary JSON-like values, the body= path equals raw_payload= with Node's own
JSON.stringify(JSON.parse(json.dumps(value))), computed by one batched `node` call."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import hookseal
from hypothesis import given, settings
from hypothesis import strategies as st

NODE = shutil.which("node")
assert NODE, "node is needed for the differential test (Node 18+)"

# Text with everything that matters: non-ASCII, control characters, HTML characters, U+2028/9,
# lone surrogates (json.dumps writes them as \udxxx escapes, which JSON.parse accepts).
text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["<", ">", "&", "\u2028", "\u2029", '"', "\\", "\x00", "\x1f", "\x7f"]),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    ),
    max_size=20,
)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    # Beyond the double range: JSON.parse gives ±Infinity (written null); just below the
    # rounding boundary 2**1024 - 2**970 it rounds to the largest double, as float(int) does.
    st.sampled_from([10**400, -(10**400), 2**1024 - 2**970, 2**1024 - 2**970 - 1, -(2**1024 - 2**970 - 1), 2**53 + 1]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(text, st.integers(0, 2**33).map(str)), children, max_size=5),
    ),
    max_leaves=20,
)


def node_stringify(items: list[Any]) -> list[str]:
    lines = "\n".join(json.dumps(v) for v in items)
    script = (
        "const lines = require('fs').readFileSync(0, 'utf8').split('\\n');"
        "process.stdout.write(JSON.stringify(lines.map(l => JSON.stringify(JSON.parse(l)))));"
    )
    out = subprocess.run([NODE, "-e", script], input=lines, capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


@settings(max_examples=40, deadline=None)
@given(st.lists(values.filter(lambda v: v is not None), min_size=1, max_size=60))
def test_body_path_matches_node(batch: list[Any]) -> None:
    node = node_stringify(batch)
    for value, text_ in zip(batch, node, strict=True):
        assert hookseal._hookseal.js_stringify(value) == text_, (value, text_)
        sig = hookseal.generate_webhook_signature(secret="k", raw_payload=text_, timestamp=1_700_000_000_000)
        assert hookseal.verify_webhook_signature(signature=sig, secret="k", body=value)
