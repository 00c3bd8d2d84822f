"""Python face benchmark (`make bench`): hookseal vs the hand-written recipe vs bare hmac.new.

Interleaved in one process: each round times every contender once, in turn, at each size; the
table shows medians and ratios of medians. Also: 1 vs 2 threads at 1 MiB (the GIL is released
while hashing) and the peak-RSS growth of verifying a 100 MiB body (in a subprocess).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import hookseal

SECRET = "rCNwyiloY3oJYYkxgpBXaleIiUv5MYlx"
T = 1_700_000_000_000
SIZES = [("200 B", 200), ("4 KiB", 4096), ("64 KiB", 65536), ("1 MiB", 1 << 20)]
# (shape, size label, size): every size of the rich-text shape, the ends of the others.
CASES = [("rich text", label, size) for label, size in SIZES] + [
    (shape, label, size) for shape in ("ASCII only", "few escapes") for label, size in (SIZES[0], SIZES[3])
]

ASCII_ITEM = (
    '{{"__typename":"Post","id":"ckx{i:08}","title":"Hello from Cologne, item {i}","slug":"post-{i}",'
    '"content":{{"html":"<p>Lorem ipsum dolor sit amet, <strong>consectetur</strong> adipiscing elit</p>",'
    '"text":"Lorem ipsum dolor sit amet consectetur"}},"published":true,"rank":{i}.5}}'
)
SPARSE_ITEM = (
    '{{"id":"ckx{i:08}","text":"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor '
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco "
    "laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit "
    "esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa "
    'qui officia deserunt mollit anim id est laborum."}}'
)


def shaped(shape: str, size: int) -> str:
    """A body of `shape` of about `size` bytes (the same shapes as the Rust and Node benches)."""
    if shape == "rich text":
        return payload(size)
    item = ASCII_ITEM if shape == "ASCII only" else SPARSE_ITEM
    head, tail = '{"operation":"update","data":{"items":[', "]}}"
    items: list[str] = []
    n = len(head) + len(tail)
    i = 0
    while True:
        nxt = item.format(i=i)
        if items and n + len(nxt) + 1 > size:
            break
        items.append(nxt)
        n += len(nxt) + 1
        i += 1
    body = head + ",".join(items) + tail
    if len(body) > size:  # one item too long for a short body: trim its text, keeping JSON valid
        cut = len(body) - size
        at = body.index("Lorem ipsum")
        body = body[:at] + body[at + cut :]
    return body


def payload(size: int) -> str:
    """A Hygraph-like body: keys, rich text as Hygraph's server spells it, non-ASCII."""
    if size < 400:
        head = (
            '{"operation":"publish","data":{"id":"ckx1","title":"\\u003ch1\\u003eHi “there”\\u003c/h1\\u003e","pad":"'
        )
        return head + "x" * max(1, size - len(head.encode()) - 4) + '"}}'
    items = []
    n = 60
    i = 0
    while n < size:
        item = (
            f'{{"__typename":"Post","id":"ckx{i:08}","title":"Grüße aus Köln – Ünïcödé {i}","slug":"post-{i}",'
            '"content":{"html":"\\u003cp\\u003eLorem ipsum dolor sit amet, \\u003cstrong\\u003econsectetur'
            '\\u003c/strong\\u003e adipiscing elit — “quoted” \\"text\\" 😀\\u003c/p\\u003e",'
            f'"text":"Lorem ipsum dolor sit amet\\nconsectetur"}},"published":true,"rank":{i}.5}}'
        )
        n += len(item.encode()) + 1
        items.append(item)
        i += 1
    return '{"operation":"update","data":{"items":[' + ",".join(items) + "]}}"


def manual_recipe(raw: str, header: str) -> bool:
    """What people write by hand: split the header, json.dumps the envelope, hmac, compare."""
    parts = dict(p.split("=", 1) for p in header.split(", "))
    envelope = json.dumps(
        {"Body": raw, "EnvironmentName": parts["env"], "TimeStamp": int(parts["t"])},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    mac = hmac.new(SECRET.encode(), envelope.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), parts["sign"])


def median_ns(fn: Callable[[], object], budget_s: float) -> float:
    """Median of per-call times over batches sized to ~1 ms each."""
    t0 = time.perf_counter_ns()
    fn()
    one = max(1, time.perf_counter_ns() - t0)
    reps = max(1, int(1_000_000 // one))
    samples = []
    end = time.perf_counter() + budget_s
    while time.perf_counter() < end or len(samples) < 5:
        t0 = time.perf_counter_ns()
        for _ in range(reps):
            fn()
        samples.append((time.perf_counter_ns() - t0) / reps)
    return statistics.median(samples)


def fmt(ns: float) -> str:
    return f"{ns / 1e6:.3f} ms" if ns >= 1e6 else f"{ns / 1e3:.2f} µs"


def contenders_for(raw: str) -> dict[str, Callable[[], object]]:
    raw_b = raw.encode()
    body = json.loads(raw)
    header = hookseal.generate_webhook_signature(secret=SECRET, raw_payload=raw, timestamp=T)
    envelope = json.dumps(
        {"Body": raw, "EnvironmentName": "master", "TimeStamp": T}, separators=(",", ":"), ensure_ascii=False
    ).encode()
    key = SECRET.encode()
    verifier = hookseal.Verifier(secret=SECRET, tolerance=None)
    return {
        "str": lambda: hookseal.verify_webhook_signature(signature=header, secret=SECRET, raw_payload=raw),
        "bytes": lambda: hookseal.verify_webhook_signature(signature=header, secret=SECRET, raw_payload=raw_b),
        "dict": lambda: hookseal.verify_webhook_signature(signature=header, secret=SECRET, body=body),
        "strict": lambda: verifier.verify(raw_b, header),
        "manual": lambda: manual_recipe(raw, header),
        "hmac": lambda: hmac.new(key, envelope, hashlib.sha256).digest(),
    }


def bench_sizes() -> list[str]:
    rows = [
        "| body | drop-in (str) | drop-in (bytes) | drop-in (body=dict) | strict verify | manual recipe"
        " | hmac.new over envelope | recipe ÷ drop-in (target ≥ 4× / ≥ 8×) | drop-in ÷ hmac.new (≤ 1.5× at 1 MiB)"
        " | recipe ÷ body=dict (≥ 1.5× at 1 MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for shape, label, size in CASES:
        body = shaped(shape, size)
        json.loads(body)
        contenders = contenders_for(body)
        assert all(bool(f()) for f in contenders.values())
        budget = 0.05 if size < 100_000 else 0.15
        times: dict[str, list[float]] = {k: [] for k in contenders}
        for _ in range(5):  # interleaved rounds
            for k, f in contenders.items():
                times[k].append(median_ns(f, budget))
        m = {k: statistics.median(v) for k, v in times.items()}
        rows.append(
            f"| {shape}, {label} | {fmt(m['str'])} | {fmt(m['bytes'])} | {fmt(m['dict'])} | {fmt(m['strict'])}"
            f" | {fmt(m['manual'])} | {fmt(m['hmac'])} | {m['manual'] / m['str']:.1f}× | {m['str'] / m['hmac']:.2f}×"
            f" | {m['manual'] / m['dict']:.2f}× |"
        )
    return rows


def bench_threads() -> list[str]:
    raw = payload(1 << 20).encode()
    header = hookseal.generate_webhook_signature(secret=SECRET, raw_payload=raw, timestamp=T)
    verifier = hookseal.Verifier(secret=SECRET, tolerance=None)
    n = 200

    def run(threads: int) -> float:
        def work() -> None:
            for _ in range(n // threads):
                verifier.verify(raw, header)

        ts = [threading.Thread(target=work) for _ in range(threads)]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return n / (time.perf_counter() - t0)

    one = statistics.median(run(1) for _ in range(3))
    two = statistics.median(run(2) for _ in range(3))
    return [
        "| 1 MiB strict verify | verifications/s |",
        "|---|---|",
        f"| 1 thread | {one:.0f} |",
        f"| 2 threads | {two:.0f} ({two / one:.2f}× one thread; target ≥ 1.7×) |",
    ]


RSS_SCRIPT = """
import resource, sys, hookseal
size = 100 << 20
raw = b'{"t":"' + b"x" * (size - 8) + b'"}'
h = hookseal.generate_webhook_signature(secret="k", raw_payload=b"{}", timestamp=1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[1] == "verify":
    try:
        hookseal.verify(raw, h, secret="k", tolerance=None)
    except hookseal.WebhookVerificationError:
        pass
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(after - before)
"""


def bench_memory() -> list[str]:
    growth = int(
        subprocess.run([sys.executable, "-c", RSS_SCRIPT, "verify"], capture_output=True, text=True, check=True).stdout
    )
    return [
        "| 100 MiB body, strict verify | peak RSS growth |",
        "|---|---|",
        f"| Python face | {growth} KiB (target ≤ 1024 KiB) |",
    ]


def main() -> None:
    print("### Drop-in and strict vs the manual recipe and hmac.new (medians)\n")
    print("\n".join(bench_sizes()))
    print("\n### Threads (GIL released while hashing)\n")
    print("\n".join(bench_threads()))
    print("\n### Memory\n")
    print("\n".join(bench_memory()))


if __name__ == "__main__":
    main()
