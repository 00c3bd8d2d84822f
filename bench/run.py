#!/usr/bin/env python3
"""`make bench`: run the Rust, Node and Python harnesses in one go and write bench/results.md.

Each harness times hookseal against what a user would otherwise pick, interleaved in one
process; this script only runs them and collects their tables. Rust goes through criterion
(its median estimates are read back from target/criterion), Node and Python print their own
markdown tables. The memory check runs the `rss` example under /usr/bin/time -v.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (shape, size label, criterion id): the rich-text shape keeps its old ids.
RUST_CASES = [
    ("rich text", "200B", "200B"),
    ("rich text", "4KiB", "4KiB"),
    ("rich text", "64KiB", "64KiB"),
    ("rich text", "1MiB", "1MiB"),
    ("ASCII only", "200B", "ascii-200B"),
    ("ASCII only", "1MiB", "ascii-1MiB"),
    ("few escapes", "200B", "sparse-200B"),
    ("few escapes", "1MiB", "sparse-1MiB"),
]
RUST_IDS = ["hookseal_streaming", "naive_serde_json", "bare_hmac_of_envelope", "escape_only"]


def run(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    print("+", " ".join(cmd), f"(in {cwd.relative_to(ROOT) or '.'})", file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return out.stdout


def fmt_time(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.3f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def rust_table() -> str:
    run(["cargo", "bench", "--quiet", "-p", "hookseal", "--bench", "verify"])
    base = ROOT / "target" / "criterion" / "verify"
    medians: dict[tuple[str, str], float] = {}
    for ident in RUST_IDS:
        for _, _, case in RUST_CASES:
            est = json.loads((base / ident / case / "new" / "estimates.json").read_text())
            medians[(ident, case)] = est["median"]["point_estimate"]
    lines = [
        "| body | hookseal streaming | naive serde_json | bare HMAC of envelope | escaping alone"
        " | streaming / bare (target ≤ 1.5× at 200 B, ≤ 1.25× at 1 MiB) | naive / streaming |",
        "|---|---|---|---|---|---|---|",
    ]
    for shape, size, case in RUST_CASES:
        s, n, b, e = (medians[(ident, case)] for ident in RUST_IDS)
        lines.append(
            f"| {shape}, {size} | {fmt_time(s)} | {fmt_time(n)} | {fmt_time(b)} | {fmt_time(e)}"
            f" | {s / b:.2f}× | {n / s:.2f}× |"
        )
    return "\n".join(lines)


def max_rss_kib(args: list[str]) -> int:
    out = subprocess.run(
        ["/usr/bin/time", "-v", str(ROOT / "target/release/examples/rss"), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ).stderr
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out)
    if not m:
        raise SystemExit("could not read the peak RSS from /usr/bin/time -v")
    return int(m.group(1))


def memory_table() -> str:
    run(["cargo", "build", "--quiet", "--release", "-p", "hookseal", "--example", "rss"])
    built = max(max_rss_kib(["build-only"]) for _ in range(3))
    verified = max(max_rss_kib(["verify"]) for _ in range(3))
    growth = verified - built
    verdict = "met" if growth <= 1024 else "NOT met"
    return (
        "| 100 MiB body | peak RSS |\n|---|---|\n"
        f"| body built, not verified | {built} KiB |\n"
        f"| body built and verified | {verified} KiB |\n"
        f"| growth from verification | {growth} KiB (target ≤ 1024 KiB: {verdict}) |"
    )


def npm_version() -> str:
    return str(json.loads((ROOT / "bindings-node" / "package.json").read_text())["version"])


def simd_level() -> str:
    """The escaping level the core picks on this machine (from the CPU flags, as it does)."""
    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    wanted = os.environ.get("HOOKSEAL_SIMD")
    if wanted:
        return wanted
    if platform.machine() in ("aarch64", "arm64"):
        return "neon"
    if {"avx2", "popcnt"} <= flags:
        return "avx2"
    return "ssse3" if "ssse3" in flags else "scalar"


def machine() -> str:
    cpu = "unknown CPU"
    sha = "unknown"
    try:
        info = Path("/proc/cpuinfo").read_text()
        for line in info.splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in info.splitlines():
            if line.startswith(("flags", "Features")):
                sha = "yes" if {"sha_ni", "sha2"} & set(line.split(":", 1)[1].split()) else "no"
                break
    except OSError:
        pass
    cpu = f"{cpu} (SHA-256 instructions: {sha})"
    node = subprocess.run(["node", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    rustc = subprocess.run(["rustc", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"{rustc}; Node {node}; Python {platform.python_version()}"
    )


def main() -> None:
    python = str(ROOT / ".venv" / "bin" / "python")
    sections = [
        ("Rust: streaming verify vs naive vs bare HMAC (criterion medians)", rust_table()),
        ("Rust: memory while verifying a 100 MiB body", memory_table()),
        (
            "Node: drop-in and strict vs @hygraph/utils vs createHmac",
            run(["npm", "run", "--silent", "bench"], ROOT / "bindings-node").strip(),
        ),
        (
            "npm package: the WebAssembly engine (size; drop-in in Node vs @hygraph/utils; "
            "Fetch wrapper vs a hand-written Web Crypto verify)",
            run(
                ["node", "bench/wasm.js", str(ROOT / "dist" / "npm" / f"hookseal-{npm_version()}.tgz")],
                ROOT / "bindings-node",
            ).strip(),
        ),
        (
            "Python: drop-in and strict vs the manual recipe vs hmac.new",
            run([python, "bindings-python/bench/bench.py"]).strip(),
        ),
    ]
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    parts = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {today}. Machine: {machine()}.",
        "All numbers come from one run of `make bench`; each table's contenders ran interleaved in "
        "one process. Ratios are of medians. Three body shapes: Hygraph rich text (escaped quotes, "
        "non-ASCII, `\\u003c` sequences: a quote or backslash every ~8 bytes), ASCII-only JSON "
        "(a quote every ~10 bytes), and long text with few escapes (one every ~450 bytes). "
        f"String escaping ran at the `{simd_level()}` level (`HOOKSEAL_SIMD` picks another). "
        "Wall-clock numbers on a shared machine are noisy: rerun on a quiet one before quoting them.",
    ]
    for title, table in sections:
        parts += ["", f"## {title}", "", table]
    out = ROOT / "bench" / "results.md"
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    print("\n".join(parts))
    print(f"\nwritten to {out.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
