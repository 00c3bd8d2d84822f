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
EVENT_SECRET = "demo-" + secrets.token_hex(12)

NEXT_APP = "examples/nextjs-app-router"
NEXT_START = ["node", "node_modules/next/dist/bin/next", "start", "--hostname", "127.0.0.1", "--port", "{port}"]
# The Flask example runs under the server it is deployed with (the FastAPI one starts uvicorn itself).
GUNICORN = [str(PYTHON), "-m", "gunicorn", "--bind", "127.0.0.1:{port}", "--chdir", "examples/flask"]
GUNICORN += ["--workers", "1", "--threads", "4", "--log-level", "warning", "app:app"]
# The Django example under a WSGI server and under an ASGI one (its event view is async).
DJANGO_WSGI = [str(PYTHON), "-m", "gunicorn", "--chdir", "examples/django", "--bind", "127.0.0.1:{port}"]
DJANGO_WSGI += ["--workers", "1", "--threads", "4", "--log-level", "warning", "wsgi:application"]
DJANGO_ASGI = [str(PYTHON), "-m", "uvicorn", "--app-dir", "examples/django", "--host", "127.0.0.1"]
DJANGO_ASGI += ["--port", "{port}", "--log-level", "warning", "asgi:application"]


@dataclass(frozen=True)
class Server:
    """How to start an example (`{port}` is replaced by a free loopback port, also given as $PORT),
    where its routes live, and which engine its Hygraph route reports (`backend`), if it does.
    Servers with the same `cmd` and `cwd` share one process."""

    cmd: tuple[str, ...]
    cwd: str = "."
    prefix: str = ""
    backend: str = ""
    # Serves the Hasura routes (/api/hasura/event, /api/hasura/action, /api/hasura/auth, /api/hasura/auth-ddn).
    hasura: bool = False


SERVERS = {
    "node (Vercel)": Server(("node", "examples/node-vercel/server.js"), hasura=True),
    "node (Express)": Server(("node", "examples/express/server.mjs"), backend="native", hasura=True),
    "Next.js, Node.js runtime": Server(tuple(NEXT_START), NEXT_APP, backend="native"),
    "Next.js, Edge runtime": Server(tuple(NEXT_START), NEXT_APP, prefix="/edge", backend="wasm"),
    "Cloudflare Worker, workerd": Server(("node", "serve.mjs", "{port}"), "examples/cloudflare-worker", backend="wasm"),
    "python (FastAPI)": Server((str(PYTHON), "examples/fastapi/app.py"), hasura=True),
    "python (Flask)": Server(tuple(GUNICORN), hasura=True),
    "python (Django, gunicorn)": Server(tuple(DJANGO_WSGI), hasura=True),
    "python (Django, uvicorn ASGI)": Server(tuple(DJANGO_ASGI), hasura=True),
    "rust (axum)": Server((str(AXUM),), hasura=True),
}
# The header each example's Hasura Action expects. WSGI servers drop names with an underscore,
# so the Flask example uses a hyphenated one (see examples/flask/app.py).
ACTION_HEADER = {
    "python (Flask)": "X-Action-Secret",
    "python (Django, gunicorn)": "X-Action-Secret",
    "python (Django, uvicorn ASGI)": "X-Action-Secret",
}


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


def start(name: str, server: Server) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = dict(
        os.environ,
        PORT=str(port),
        HYGRAPH_WEBHOOK_SECRET=HYGRAPH_SECRET,
        HASURA_ACTION_SECRET=ACTION_SECRET,
        HASURA_EVENT_SECRET=EVENT_SECRET,
    )
    env.pop("REDIS_URL", None)  # every example on its own in-memory guard
    env.pop("HOOKSEAL_BACKEND", None)
    env.setdefault("NEXT_TELEMETRY_DISABLED", "1")
    cmd = [part.replace("{port}", str(port)) for part in server.cmd]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT / server.cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
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


def send_lines(url: str, *args: str) -> list[dict[str, object]]:
    """Runs `hookseal send --json URL ARGS`; returns one dict per answer (status, headers, body
    parsed when it is JSON, delivery, copy, attempt, retry_in).

    `send` exits 0 only when every copy ended in a 2xx (after its retries) and 1 otherwise (the
    401 rows): a different exit status is a failure of the scenario.
    """
    proc = subprocess.run([str(HOOKSEAL), "send", "--json", url, *args], capture_output=True, text=True)
    lines: list[dict[str, object]] = []
    for line in proc.stdout.splitlines():
        if line.strip():
            r = json.loads(line)
            body = r.get("body")
            try:
                r["body"] = json.loads(body) if isinstance(body, str) else body
            except ValueError:
                pass
            lines.append(r)
    last: dict[tuple[object, object], int] = {}
    for r in lines:
        last[(r.get("delivery"), r.get("copy"))] = int(str(r["status"]))
    expected_rc = 0 if last and all(200 <= st < 300 for st in last.values()) else 1
    if proc.returncode != expected_rc:
        raise RuntimeError(f"hookseal send exited {proc.returncode}, expected {expected_rc}: {proc.stderr.strip()}")
    return lines


def send(url: str, *args: str) -> list[tuple[int, object]]:
    """`send_lines`, as (status, parsed body) per answer."""
    return [(int(str(r["status"])), r["body"]) for r in send_lines(url, *args)]


def story(lines: list[dict[str, object]]) -> str:
    """What every copy of a delivery got, attempt after attempt, in the words of the table:
    `200 kind=event | 409 replayed retry-after=10 → 200 duplicate` (copies in the order of their
    first answer's status, so the row reads the same whichever copy won the race; an answer
    repeated by the next attempt is said once)."""
    copies: dict[object, list[str]] = {}
    for r in lines:
        headers = r.get("headers")
        text = outcome(int(str(r["status"])), r["body"])
        ra = headers.get("retry-after") if isinstance(headers, dict) else None
        if ra is not None:
            text += f" retry-after={ra}"
        steps = copies.setdefault((r.get("delivery"), r.get("copy")), [])
        if not steps or steps[-1] != text:  # the same answer again (a copy still in flight): said once
            steps.append(text)
    return " | ".join(sorted(" → ".join(steps) for steps in copies.values()))


def outcome(status: int, body: object) -> str:
    """What a response means, in the words of the table: `200`, `200 duplicate`, `401 <code>`."""
    if isinstance(body, dict):
        if body.get("duplicate") is True:
            return f"{status} duplicate"
        ext = body.get("extensions")
        if isinstance(ext, dict) and "code" in ext:
            return f"{status} {ext['code']}"
        if "backend" in body:
            return f"{status} backend={body['backend']}"
        if "greeting" in body:
            return f"{status} {body['greeting']}"
        if "X-Hasura-Role" in body:
            user = f" user-id={json.dumps(body['X-Hasura-User-Id'])}" if "X-Hasura-User-Id" in body else ""
            return f"{status} role={body['X-Hasura-Role']}{user} {body.get('Cache-Control', '')}".rstrip()
        if "x-hasura-role" in body:
            user = f" user-id={json.dumps(body['x-hasura-user-id'])}" if "x-hasura-user-id" in body else ""
            keys = " (no cache key)" if not any(k.lower() in ("cache-control", "expires") for k in body) else ""
            return f"{status} role={body['x-hasura-role']}{user}{keys}"
        if body.get("ok") is True and "kind" in body:
            return f"{status} kind={body['kind']}"
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


def scenarios(server: str, base: str) -> list[Row]:
    url = base + SERVERS[server].prefix
    hook = url + "/api/hygraph"
    action = url + "/api/action"
    backend = SERVERS[server].backend
    now = str(int(time.time() * 1000))
    hygraph = ["--hygraph", "--secret", HYGRAPH_SECRET, "--env", "master"]
    header = ACTION_HEADER.get(server, "ACTION_SECRET")
    greet = ["--hasura-action", "greet", "--input", '{"name":"Ada"}', "--session-var", "x-hasura-role=user"]
    rows = [
        ("Hygraph: valid delivery", f"200 backend={backend}" if backend else "200", lambda: send(hook, *hygraph)[0]),
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
    out.append(
        Row("Hasura auth webhook: good token", server, '200 role=user user-id="42" max-age=60', auth(url, "demo-token"))
    )
    out.append(Row("Hasura auth webhook: no token", server, "401", auth(url, None).split(" ")[0]))
    if SERVERS[server].hasura:
        out += hasura_scenarios(server, url)
    return out


def cut_max_age(got: str, limit: int) -> str:
    """`max-age=N` as `max-age<=limit` when 1 <= N <= limit (the seconds left of a token that
    expires `limit` s after the request was made: one less when a second boundary passed)."""
    head, sep, n = got.rpartition("max-age=")
    if sep and n.isdigit() and 1 <= int(n) <= limit:
        return f"{head}max-age<={limit}"
    return got


def hasura_scenarios(server: str, url: str) -> list[Row]:
    """Issue 20's rows: an event run once although delivered twice at once and again later, a
    failing handler whose retry runs, a cron event, an Action error in the client's shape, the
    auth webhook in GET and POST form, v2 and DDN, with a lifetime cut to the token and a 401.
    `hookseal send` retries as Hasura does (any non-2xx; Retry-After honoured even after the
    retries are used up), with the wait for a Retry-After cut to 1 s to keep the demo short."""
    event_url = url + "/api/hasura/event"
    action_url = url + "/api/hasura/action"
    v2, ddn = url + "/api/hasura/auth", url + "/api/hasura/auth-ddn"
    secret = ["--header", f"X-Event-Secret={EVENT_SECRET}"]
    hasura_like = ["--max-retry-after", "1"]
    slug = "".join(c if c.isalnum() else "-" for c in server.lower())
    twice = f"demo-{slug}-{secrets.token_hex(4)}"
    header = ACTION_HEADER.get(server, "ACTION_SECRET")
    soon = int(time.time()) + 20
    rows: list[tuple[str, str, object]] = [
        (
            "Hasura event: 2 copies at once (handler takes 1.5 s)",
            "200 kind=event | 409 replayed retry-after=10 → 200 duplicate",
            lambda: story(
                send_lines(
                    event_url,
                    "--hasura-event",
                    "users",
                    "--id",
                    twice,
                    "--data",
                    '{"id":1,"hold_ms":1500}',
                    "--copies",
                    "2",
                    *hasura_like,
                    *secret,
                )
            ),
        ),
        (
            "Hasura event: again after it finished",
            "200 duplicate",
            lambda: story(send_lines(event_url, "--hasura-event", "users", "--id", twice, *hasura_like, *secret)),
        ),
        (
            "Hasura event: handler fails, Hasura's retry runs",
            "500 handler_failed → 200 kind=event",
            lambda: story(
                send_lines(
                    event_url,
                    "--hasura-event",
                    "users",
                    "--data",
                    '{"id":2,"fail_until_retry":1}',
                    "--retries",
                    "1",
                    "--retry-interval",
                    "0.2",
                    *hasura_like,
                    *secret,
                )
            ),
        ),
        (
            "Hasura cron event",
            "200 kind=scheduled",
            lambda: story(send_lines(event_url, "--hasura-cron", "daily_digest", "--payload", "{}", *secret)),
        ),
        (
            "Hasura event: wrong secret",
            "401 secret_mismatch",
            lambda: story(send_lines(event_url, "--hasura-event", "users", "--header", "X-Event-Secret=wrong")),
        ),
        (
            "Hasura Action error reaches the client",
            "400 bad_input",
            lambda: story(
                send_lines(
                    action_url,
                    "--hasura-action",
                    "greet",
                    "--input",
                    '{"name":""}',
                    "--header",
                    f"{header}={ACTION_SECRET}",
                )
            ),
        ),
        (
            "Hasura Action handler fails: no internals",
            "500 handler_failed",
            lambda: story(
                send_lines(
                    action_url,
                    "--hasura-action",
                    "greet",
                    "--input",
                    '{"name":"boom"}',
                    "--header",
                    f"{header}={ACTION_SECRET}",
                )
            ),
        ),
        (
            "Hasura auth v2, GET",
            '200 role=user user-id="42" max-age=60',
            lambda: story(send_lines(v2, "--hasura-auth", "v2", "--bearer", "demo-token")),
        ),
        (
            "Hasura auth v2, POST, token expires in 20 s",
            '200 role=user user-id="42" max-age<=20',
            lambda: cut_max_age(
                story(send_lines(v2, "--hasura-auth", "v2", "--method", "POST", "--bearer", f"demo-token.{soon}")),
                20,
            ),
        ),
        (
            "Hasura auth v2, GET, bad token",
            "401 access_denied",
            lambda: story(send_lines(v2, "--hasura-auth", "v2", "--bearer", "stolen")),
        ),
        (
            "Hasura auth DDN, GET",
            "200 role=user user-id=42 (no cache key)",
            lambda: story(send_lines(ddn, "--hasura-auth", "ddn", "--bearer", "demo-token")),
        ),
        (
            "Hasura auth DDN, POST, no token",
            "401 access_denied",
            lambda: story(send_lines(ddn, "--hasura-auth", "ddn", "--method", "POST")),
        ),
    ]
    out = []
    for name, expected, run in rows:
        try:
            got = run()  # type: ignore[operator]
        except Exception as e:  # noqa: BLE001 - a failed scenario is a row, not a crash
            got = f"error: {e}"
        out.append(Row(name, server, expected, str(got)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quiet", action="store_true", help="print only mismatches and the summary")
    parser.add_argument(
        "--only",
        default="",
        help="run only the servers whose name contains one of these (comma-separated, e.g. vercel,axum)",
    )
    args = parser.parse_args()
    wanted = [w.strip().lower() for w in args.only.split(",")]
    servers = {k: v for k, v in SERVERS.items() if any(w in k.lower() for w in wanted)}
    if not HOOKSEAL.exists():
        raise SystemExit("target/release/hookseal is missing: run `make build` first")
    if "rust (axum)" in servers and not AXUM.exists():
        raise SystemExit("target/debug/hookseal-example-axum is missing: run `make build-example-axum` first")
    procs = []
    rows: list[Row] = []
    try:
        started: dict[tuple[tuple[str, ...], str], str] = {}
        for name, server in servers.items():
            key = (server.cmd, server.cwd)
            if key not in started:
                proc, started[key] = start(name, server)
                procs.append(proc)
        for name, server in servers.items():
            rows += scenarios(name, started[(server.cmd, server.cwd)])
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
    print(
        f"\n{len(rows) - bad}/{len(rows)} scenarios as expected across {len(servers)} servers ({len(procs)} processes)"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
