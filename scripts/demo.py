#!/usr/bin/env python3
"""`make demo`: start every example server on a free loopback port and drive it with
`hookseal send` the way Hygraph and Hasura would, then print what each scenario got.

Exit status is non-zero when any scenario got something other than what it expects. Every
server this script started is stopped on the way out, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOKSEAL = ROOT / "target" / "release" / "hookseal"
PYTHON = ROOT / ".venv" / "bin" / "python"
AXUM = ROOT / "target" / "debug" / "hookseal-example-axum"

# Demo-only secrets, made up for this run: nothing real is ever needed or printed.
HYGRAPH_SECRET = "demo-" + secrets.token_hex(12)
ACTION_SECRET = "demo-" + secrets.token_hex(12)

# `{port}` is replaced by a free loopback port (also given as $PORT). The Python examples run
# under the servers they are deployed with: uvicorn (inside app.py) and gunicorn.
SERVERS = {
    "node (Vercel)": ["node", "examples/node-vercel/server.js"],
    "node (Next.js)": ["node", "examples/nextjs-app-router/server.js"],
    "python (FastAPI)": [str(PYTHON), "examples/fastapi/app.py"],
    "python (Flask)": [
        str(PYTHON),
        "-m",
        "gunicorn",
        "--bind",
        "127.0.0.1:{port}",
        "--chdir",
        "examples/flask",
        "--workers",
        "1",
        "--threads",
        "4",
        "--log-level",
        "warning",
        "app:app",
    ],
    "rust (axum)": [str(AXUM)],
}
# The header each example's Hasura Action expects. WSGI servers drop names with an underscore,
# so the Flask example uses a hyphenated one (see examples/flask/app.py).
ACTION_HEADER = {"python (Flask)": "X-Action-Secret"}


@dataclass
class Row:
    scenario: str
    server: str
    expected: str
    got: str

    @property
    def ok(self) -> bool:
        return self.expected == self.got


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(name: str, cmd: list[str]) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = dict(os.environ, PORT=str(port), HYGRAPH_WEBHOOK_SECRET=HYGRAPH_SECRET, HASURA_ACTION_SECRET=ACTION_SECRET)
    cmd = [part.replace("{port}", str(port)) for part in cmd]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else ""
                raise SystemExit(f"{name} exited before listening:\n{out}") from None
            time.sleep(0.1)
    raise SystemExit(f"{name} did not start listening on port {port} within 30 s")


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def send(url: str, *args: str) -> list[tuple[int, object]]:
    """Runs `hookseal send --json URL ARGS`; returns (status, parsed body) per response.

    `send` exits 0 only when every answer was 2xx and 1 when one was not (the 401 rows): a
    different exit status is a failure of the scenario.
    """
    proc = subprocess.run([str(HOOKSEAL), "send", "--json", url, *args], capture_output=True, text=True)
    out = proc.stdout
    results = []
    for line in out.splitlines():
        if line.strip():
            r = json.loads(line)
            body = r.get("body")
            try:
                body = json.loads(body) if isinstance(body, str) else body
            except ValueError:
                pass
            results.append((int(r["status"]), body))
    expected_rc = 0 if results and all(200 <= s < 300 for s, _ in results) else 1
    if proc.returncode != expected_rc:
        raise RuntimeError(f"hookseal send exited {proc.returncode}, expected {expected_rc}: {proc.stderr.strip()}")
    return results


def outcome(status: int, body: object) -> str:
    """What a response means, in the words of the table: `200`, `200 duplicate`, `401 <code>`."""
    if isinstance(body, dict):
        if body.get("duplicate") is True:
            return f"{status} duplicate"
        ext = body.get("extensions")
        if isinstance(ext, dict) and "code" in ext:
            return f"{status} {ext['code']}"
        if "greeting" in body:
            return f"{status} {body['greeting']}"
        if "X-Hasura-Role" in body:
            return f"{status} role={body['X-Hasura-Role']} {body.get('Cache-Control', '')}".rstrip()
    return str(status)


def auth(url: str, token: str | None) -> str:
    req = urllib.request.Request(url + "/api/auth", data=b"{}", method="POST")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return outcome(resp.status, json.loads(resp.read()))
    except urllib.error.HTTPError as e:
        try:
            return outcome(e.code, json.loads(e.read()))
        except ValueError:
            return str(e.code)


def scenarios(server: str, url: str) -> list[Row]:
    hook = url + "/api/hygraph"
    action = url + "/api/action"
    now = str(int(time.time() * 1000))
    hygraph = ["--hygraph", "--secret", HYGRAPH_SECRET, "--env", "master"]
    header = ACTION_HEADER.get(server, "ACTION_SECRET")
    greet = ["--hasura-action", "greet", "--input", '{"name":"Ada"}', "--session-var", "x-hasura-role=user"]
    rows = [
        ("Hygraph: valid delivery", "200", lambda: send(hook, *hygraph)[0]),
        ("Hygraph: tampered body", "401 signature_mismatch", lambda: send(hook, *hygraph, "--tamper", "body")[0]),
        (
            "Hygraph: wrong secret",
            "401 signature_mismatch",
            lambda: send(hook, "--hygraph", "--secret", "not-the-" + HYGRAPH_SECRET)[0],
        ),
        (
            "Hygraph: stale timestamp (1 h old)",
            "401 timestamp_too_old",
            lambda: send(hook, *hygraph, "--timestamp", str(int(now) - 3_600_000))[0],
        ),
        (
            "Hygraph: replay of an accepted delivery",
            "200 duplicate",
            lambda: send(hook, *hygraph, "--timestamp", now, "--repeat", "2")[1],
        ),
        (
            "Hasura Action: right secret",
            "200 Hello, Ada!",
            lambda: send(action, *greet, "--header", f"{header}={ACTION_SECRET}")[0],
        ),
        ("Hasura Action: no secret", "401 missing_secret", lambda: send(action, *greet)[0]),
        (
            "Hasura Action: wrong secret",
            "401 secret_mismatch",
            lambda: send(action, *greet, "--header", f"{header}=wrong")[0],
        ),
    ]
    out = []
    for name, expected, call in rows:
        try:
            got = outcome(*call())
        except Exception as e:  # noqa: BLE001 - a failed scenario is a row, not a crash
            got = f"error: {e}"
        out.append(Row(name, server, expected, got))
    out.append(Row("Hasura auth webhook: good token", server, "200 role=user max-age=60", auth(url, "demo-token")))
    out.append(Row("Hasura auth webhook: no token", server, "401", auth(url, None).split(" ")[0]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quiet", action="store_true", help="print only mismatches and the summary")
    parser.add_argument("--only", default="", help="run only the servers whose name contains this (e.g. node)")
    args = parser.parse_args()
    servers = {k: v for k, v in SERVERS.items() if args.only.lower() in k.lower()}
    if not HOOKSEAL.exists():
        raise SystemExit("target/release/hookseal is missing: run `make build` first")
    if "rust (axum)" in servers and not AXUM.exists():
        raise SystemExit("target/debug/hookseal-example-axum is missing: run `make build-example-axum` first")
    procs = []
    rows: list[Row] = []
    try:
        started = []
        for name, cmd in servers.items():
            proc, url = start(name, cmd)
            procs.append(proc)
            started.append((name, url))
        for name, url in started:
            rows += scenarios(name, url)
    finally:
        for proc in procs:
            stop(proc)
    widths = [
        max(len(getattr(r, f)) for r in rows + [Row("scenario", "server", "expected", "got")])
        for f in ("scenario", "server", "expected", "got")
    ]
    line = "  ".join(["{:<" + str(w) + "}" for w in widths]) + "  {}"
    if not args.quiet:
        print(line.format("scenario", "server", "expected", "got", ""))
        print(line.format(*("-" * w for w in widths), ""))
    for r in rows:
        if not args.quiet or not r.ok:
            print(line.format(r.scenario, r.server, r.expected, r.got, "ok" if r.ok else "MISMATCH"))
    bad = sum(not r.ok for r in rows)
    print(f"\n{len(rows) - bad}/{len(rows)} scenarios as expected across {len(servers)} servers")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
