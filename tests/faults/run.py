#!/usr/bin/env python3
"""Fault tests of the replay guard (contract §5): real webhook servers sharing a real redis-server.

    python tests/faults/run.py [--only NAME] [--scale X]

Each scenario starts worker processes (tests/faults/worker.js: Node with ioredis or node-redis;
tests/faults/worker.py: FastAPI with redis.asyncio or Flask with redis-py;
examples/axum/src/bin/hookseal-fault-worker.rs: axum with the redis crate), a redis-server of its
own (it stops and restarts it), and sends signed Hygraph deliveries, several copies of each at
once, retried the way Hygraph retries: after a non-2xx answer (409, 500, 503), with growing,
jittered delays. Handlers fail at random. Every run of a handler is written to a side table in its
worker; at the end the tables give the invariants:

- every delivery completed exactly once (duplicates: completed runs beyond the first; losses:
  deliveries never completed), and no run started after the delivery's run completed;
- every 2xx `processed` answer is one completed run;
- with Redis stopped: every request sent while it was down was answered 503, and no run started.

The `hasura-*` scenarios do the same with Hasura Event Trigger deliveries through the Hasura event
wrappers (Node `withHasuraEvent`, FastAPI `HasuraEventDelivery`, Flask `hasura_event_required`),
keyed by the event's id, and a Hasura-like sender: any non-2xx is a failure, retried
`num_retries` times after `interval_sec` (`delivery_info.current_retry` counting up); an integer
`Retry-After` sets the delay and schedules one more attempt even when the retries are used up,
as Hasura's engine does. The sender's clock runs scaled (HASURA_TIME_SCALE: one Hasura second is
10 ms here). Besides the invariants above: every 409 and 503 carried a Retry-After, and with Redis
restarted and `num_retries` 0 (Hasura's default) no event is lost: Retry-After alone carries them.

Prints the numbers of every scenario; exits 1 if any invariant fails. Needs `redis-server`,
`node`, and the Python packages of the repository's .venv (`make test-faults` runs it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hookseal
import httpx  # start-up and /log only; the deliveries go through Http below
import redis

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# The axum worker (examples/axum/src/bin/hookseal-fault-worker.rs): hookseal-axum's layers.
AXUM_WORKER = ROOT / "target" / "debug" / "hookseal-fault-worker"
SECRET = "fault-tests-" + os.urandom(8).hex()
FAILURES: list[str] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def now_ms() -> float:
    return time.time_ns() / 1e6


# ---------------------------------------------------------------- Redis under our control


class RedisServer:
    """A redis-server on a loopback port with its own directory; `persist` turns on the
    append-only file with an fsync before every reply (appendfsync always)."""

    def __init__(self, persist: bool) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise SystemExit("redis-server not found: the fault tests start and stop their own (make test-faults)")
        self.binary = binary
        self.persist = persist
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="hookseal-faults-")
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir, "--save", ""]
            + aof
            + ["--pidfile", os.path.join(self.dir, "redis.pid"), "--logfile", os.path.join(self.dir, "redis.log")],
            stdout=subprocess.DEVNULL,
        )
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                probe.ping()
                probe.close()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise SystemExit(f"redis-server did not start (log: {self.dir}/redis.log)")

    def kill(self) -> None:
        """SIGKILL: a crash, no chance to flush anything that was not already written."""
        if self.proc:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- workers


@dataclass
class Worker:
    name: str
    url: str
    proc: subprocess.Popen[bytes]


def start_workers(
    kinds: list[str], redis_url: str, processing_ttl_ms: int = 300_000, mode: str = "hygraph"
) -> list[Worker]:
    workers = []
    for i, kind in enumerate(kinds):
        port = free_port()
        name = f"{kind}-{i}"
        if kind in ("ioredis", "node-redis"):
            cmd = ["node", str(HERE / "worker.js"), kind, str(port), redis_url]
        elif kind == "axum":
            if not AXUM_WORKER.exists():
                raise SystemExit(f"{AXUM_WORKER} is missing: make build-example-axum builds it")
            cmd = [str(AXUM_WORKER), kind, str(port), redis_url]
        else:
            cmd = [sys.executable, str(HERE / "worker.py"), kind, str(port), redis_url]
        env = dict(
            os.environ, HOOKSEAL_SECRET=SECRET, WORKER_NAME=name, PROCESSING_TTL_MS=str(processing_ttl_ms), MODE=mode
        )
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
        workers.append(Worker(name, f"http://127.0.0.1:{port}", proc))
    for w in workers:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(w.url + "/log", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if w.proc.poll() is not None or time.monotonic() > deadline:
                    stop_workers(workers)
                    raise SystemExit(f"worker {w.name} did not start") from None
                time.sleep(0.1)
    return workers


def stop_workers(workers: list[Worker]) -> None:
    for w in workers:
        if w.proc.poll() is None:
            os.killpg(w.proc.pid, signal.SIGTERM)
    for w in workers:
        try:
            w.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(w.proc.pid, signal.SIGKILL)


def configure(workers: list[Worker], **config: Any) -> None:
    for w in workers:
        httpx.post(w.url + "/config", content=json.dumps(config), timeout=5).raise_for_status()


Row = tuple[Any, str, float, str]  # (delivery id, start|fail|done, wall-clock ms, worker)


def side_table(workers: list[Worker]) -> list[Row]:
    rows: list[Row] = []
    for w in workers:
        rows.extend(tuple(r) for r in httpx.get(w.url + "/log", timeout=30).json())  # type: ignore[misc]
    return rows


# ---------------------------------------------------------------- the sender (Hygraph's part)


Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Http:
    """A small HTTP/1.1 keep-alive client on asyncio streams: the sender must not be what limits
    the test on a 2-core machine (a full client library costs several times the CPU per request)."""

    def __init__(self) -> None:
        self.idle: dict[str, list[Conn]] = defaultdict(list)

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """(status, body text); status 0 when there was no answer."""
        status, text, _ = await self.post_full(url, body, headers)
        return status, text

    async def post_full(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        """(status, body text, response headers with lower-case names); status 0 when there was
        no answer. A kept-alive connection that the server closed since (uvicorn closes one after
        an exception) fails before any byte of an answer: then the request is sent again on a new
        connection, as HTTP clients do."""
        pool = self.idle[url]
        while True:
            reused = bool(pool)
            status, text, got = await self._post(url, pool, body, headers)
            if status >= 0 or not reused:
                return max(status, 0), text, got

    async def _post(
        self,
        url: str,
        pool: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
        body: bytes,
        headers: dict[str, str],
    ) -> tuple[int, str, dict[str, str]]:
        host, port = url.removeprefix("http://").split(":")
        got: dict[str, str] = {}
        try:
            reader, writer = pool.pop() if pool else await asyncio.open_connection(host, int(port))
        except OSError:
            return 0, "", got
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(
            f"POST /hook HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body
        )
        try:
            status_line = await reader.readline()
        except OSError:
            status_line = b""
        if not status_line:
            writer.close()
            return -1, "", got  # closed before answering
        try:
            status = int(status_line.split()[1])
            length, chunked, close = 0, False, status_line.startswith(b"HTTP/1.0")
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                name, value = name.strip().lower(), value.strip().lower()
                got[name] = value
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding":
                    chunked = value == "chunked"
                elif name == "connection":
                    close = value == "close"
            if chunked:
                data = b""
                while size := int((await reader.readline()).strip(), 16):
                    data += await reader.readexactly(size + 2)
                await reader.readline()
            else:
                data = await reader.readexactly(length)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            writer.close()
            return 0, "", got
        if close:
            writer.close()
        else:
            pool.append((reader, writer))
        return status, data.decode("utf-8", "replace"), got

    def close(self) -> None:
        for pool in self.idle.values():
            for _, writer in pool:
                writer.close()


@dataclass
class Delivery:
    id: int
    body: bytes
    header: str
    acked: asyncio.Event = field(default_factory=asyncio.Event)


def make_delivery(i: int) -> Delivery:
    body = json.dumps({"id": i, "operation": "update", "data": {"title": f"entry {i}"}}).encode()
    header = hookseal.generate_webhook_signature(secret=SECRET, raw_payload=body)
    return Delivery(i, body, header)


@dataclass
class Answer:
    delivery: Any
    status: int
    kind: str  # processed | duplicate | in_progress | failed | unavailable | unexpected
    sent: float
    received: float


def classify(status: int, text: str) -> str:
    if status == 200:
        return "duplicate" if '"duplicate"' in text else "processed"
    return {409: "in_progress", 500: "failed", 503: "unavailable"}.get(status, "unexpected")


class Sender:
    """Sends copies of deliveries to random workers and retries each copy after a non-2xx
    answer with full-jitter exponential backoff (a scaled-down Hygraph). `window` deliveries are
    in flight at once, all copies of each sent together, so copies of one delivery meet.
    `stop_when_acked`: a copy stops once any copy of its delivery got a 2xx (Hygraph stops
    retrying a delivered webhook); otherwise every copy retries until it gets its own 2xx."""

    def __init__(self, workers: list[Worker], stop_when_acked: bool, window: int = 16, seed: int = 7) -> None:
        self.workers = workers
        self.stop_when_acked = stop_when_acked
        self.gate = asyncio.Semaphore(window)
        self.rng = random.Random(seed)
        self.answers: list[Answer] = []
        self.finals: list[Answer] = []  # the 2xx that ended each copy
        self.http = Http()

    async def copy(self, d: Delivery) -> None:
        for attempt in range(400):
            if self.stop_when_acked and d.acked.is_set():
                return
            w = self.rng.choice(self.workers)
            sent = now_ms()
            status, text = await self.http.post(
                w.url, d.body, {"gcms-signature": d.header, "content-type": "application/json"}
            )
            kind = classify(status, text)
            self.answers.append(Answer(d.id, status, kind, sent, now_ms()))
            if kind == "unexpected":
                FAILURES.append(f"delivery {d.id}: unexpected answer {status} {text[:120]!r}")
                return
            if 200 <= status < 300:
                self.finals.append(self.answers[-1])
                d.acked.set()
                return
            await asyncio.sleep(self.rng.uniform(0, min(250, 10 * 2**attempt)) / 1000)
        FAILURES.append(f"delivery {d.id}: a copy never got a 2xx in 400 attempts")

    async def deliver(self, d: Delivery, copies: int) -> None:
        async with self.gate:
            await asyncio.gather(*(self.copy(d) for _ in range(copies)))

    async def send_all(self, deliveries: list[Delivery], copies: int) -> None:
        await asyncio.gather(*(self.deliver(d, copies) for d in deliveries))

    async def close(self) -> None:
        self.http.close()


# ---------------------------------------------------------------- the sender (Hasura's part)

# One second of Hasura's clock is this many seconds here: a Retry-After of 1 s waits 10 ms, the
# default retry interval of 10 s waits 100 ms.
HASURA_TIME_SCALE = 0.01
HASURA_INTERVAL_SECS = 10


@dataclass
class HasuraEvent:
    """One Event Trigger event: its id is the same on every copy and retry, as Hasura's is."""

    id: str
    payload: dict[str, Any]
    acked: asyncio.Event = field(default_factory=asyncio.Event)

    def body(self, tries: int) -> bytes:
        self.payload["delivery_info"]["current_retry"] = tries
        return json.dumps(self.payload).encode()


def make_hasura_event(i: int, num_retries: int) -> HasuraEvent:
    event_id = str(uuid.UUID(int=random.Random(i).getrandbits(128), version=4))
    payload = {
        "event": {
            "session_variables": {"x-hasura-role": "admin"},
            "op": "UPDATE",
            "data": {"old": {"id": i}, "new": {"id": i, "title": f"entry {i}"}},
            "trace_context": None,
        },
        "created_at": "2026-12-02T01:00:00.000000",
        "id": event_id,
        "delivery_info": {"max_retries": num_retries, "current_retry": 0},
        "trigger": {"name": "entries_update"},
        "table": {"schema": "public", "name": "entries"},
    }
    return HasuraEvent(event_id, payload)


class HasuraSender(Sender):
    """Hasura's engine, scaled down: each copy of an event is retried after any non-2xx answer
    `num_retries` times, `interval_sec` apart; an integer Retry-After sets the delay and schedules
    one more attempt even when the retries are used up (`retryOrSetError`). Counts the 409 and 503
    answers that came without a Retry-After (each one an event Hasura could drop) and the copies
    that gave up (retries used up, no Retry-After)."""

    def __init__(self, workers: list[Worker], stop_when_acked: bool, num_retries: int, window: int = 16) -> None:
        super().__init__(workers, stop_when_acked, window)
        self.num_retries = num_retries
        self.missing_retry_after = 0
        self.gave_up = 0

    async def copy(self, d: Any) -> None:
        tries = 0
        for _ in range(2000):
            if self.stop_when_acked and d.acked.is_set():
                return
            w = self.rng.choice(self.workers)
            sent = now_ms()
            status, text, headers = await self.http.post_full(
                w.url, d.body(tries), {"x-event-secret": SECRET, "content-type": "application/json"}
            )
            kind = classify(status, text)
            self.answers.append(Answer(d.id, status, kind, sent, now_ms()))
            if kind == "unexpected":
                FAILURES.append(f"event {d.id}: unexpected answer {status} {text[:120]!r}")
                return
            if 200 <= status < 300:
                self.finals.append(self.answers[-1])
                d.acked.set()
                return
            ra = headers.get("retry-after", "")
            retry_after = int(ra) if ra.isdigit() and int(ra) > 0 else None
            if status in (409, 503) and retry_after is None:
                self.missing_retry_after += 1
            if retry_after is not None:
                delay = retry_after
            elif tries < self.num_retries:
                delay = HASURA_INTERVAL_SECS
            else:
                self.gave_up += 1
                return
            tries += 1
            await asyncio.sleep(delay * HASURA_TIME_SCALE)
        FAILURES.append(f"event {d.id}: a copy was still retried after 2000 attempts")


@dataclass(frozen=True)
class Proto:
    """What a scenario delivers: signed Hygraph webhooks, or Hasura events with `num_retries`."""

    mode: str = "hygraph"
    num_retries: int = 0

    def make(self, i: int) -> Any:
        return make_hasura_event(i, self.num_retries) if self.mode == "hasura" else make_delivery(i)

    def sender(self, workers: list[Worker], stop_when_acked: bool) -> Sender:
        if self.mode == "hasura":
            return HasuraSender(workers, stop_when_acked, self.num_retries)
        return Sender(workers, stop_when_acked)

    def report(self, name: str, sender: Sender) -> str:
        """The Hasura sender's own numbers (and failures): Retry-After on every 409 and 503."""
        if not isinstance(sender, HasuraSender):
            return ""
        if sender.missing_retry_after:
            FAILURES.append(f"{name}: {sender.missing_retry_after} answers 409/503 without a Retry-After")
        return (
            f"; num_retries {self.num_retries}, 409/503 without Retry-After {sender.missing_retry_after}, "
            f"copies that gave up (retries used up on injected failures) {sender.gave_up}"
        )


HYGRAPH = Proto()


# ---------------------------------------------------------------- invariants and the report


def check(
    name: str,
    deliveries: list[Any],
    copies: int,
    sender: Sender,
    rows: list[Row],
    seconds: float,
    extra: str = "",
) -> dict[str, int]:
    done: dict[int, list[float]] = defaultdict(list)
    starts: dict[int, list[float]] = defaultdict(list)
    events = Counter(what for _, what, _, _ in rows)
    for d, what, t, _ in rows:
        if what == "done":
            done[d].append(t)
        elif what == "start":
            starts[d].append(t)
    ids = {d.id for d in deliveries}
    duplicates = sum(max(0, len(done.get(i, [])) - 1) for i in ids)
    losses = sum(1 for i in ids if not done.get(i))
    after_done = sum(1 for i in ids if done.get(i) for t in starts.get(i, []) if t > min(done[i]))
    answers = Counter(a.kind for a in sender.answers)
    numbers = {
        "deliveries": len(deliveries),
        "copies": len(deliveries) * copies,
        "requests": len(sender.answers),
        "failures injected": events["fail"],
        "runs": events["start"],
        "runs completed": events["done"],
        "duplicates": duplicates,
        "losses": losses,
        "runs after done": after_done,
    }
    print(
        f"faults: {name}: "
        + ", ".join(f"{k} {v}" for k, v in numbers.items())
        + f"; answers {dict(sorted(answers.items()))}{extra}; {seconds:.1f} s",
        flush=True,
    )
    for label, bad in (("duplicates", duplicates), ("losses", losses), ("runs after done", after_done)):
        if bad:
            FAILURES.append(f"{name}: {label} {bad}")
    if events["start"] != events["done"] + events["fail"]:
        FAILURES.append(f"{name}: runs {events['start']} != completed {events['done']} + failed {events['fail']}")
    if answers["processed"] != events["done"]:
        FAILURES.append(f"{name}: {answers['processed']} processed answers but {events['done']} completed runs")
    return numbers


# ---------------------------------------------------------------- scenarios


async def many_workers(name: str, kinds: list[str], n: int, copies: int, proto: Proto = HYGRAPH) -> None:
    """Workers sharing one Redis; every delivery sent `copies` times at once; 20% of runs fail."""
    server = RedisServer(persist=False)
    server.start()
    workers = start_workers(kinds, server.url, mode=proto.mode)
    try:
        configure(workers, fail_rate=0.2, hold_ms=2)
        deliveries = [proto.make(i) for i in range(n)]
        sender = proto.sender(workers, stop_when_acked=False)
        t0 = time.monotonic()
        await sender.send_all(deliveries, copies)
        seconds = time.monotonic() - t0
        await sender.close()
        extra = f"; {len(workers)} workers" + proto.report(name, sender)
        check(name, deliveries, copies, sender, side_table(workers), seconds, extra)
    finally:
        stop_workers(workers)
        server.close()


async def redis_restart(
    name: str, kinds: list[str], n: int, copies: int, proto: Proto = HYGRAPH, fail_rate: float = 0.1
) -> None:
    """Redis killed (SIGKILL) in the middle and started again from its append-only file."""
    server = RedisServer(persist=True)
    server.start()
    # A short claim lifetime: claims left behind by the crash (a handler whose release could not
    # reach Redis, or a claim a client queued while Redis was down) lapse within the test.
    workers = start_workers(kinds, server.url, processing_ttl_ms=3_000, mode=proto.mode)
    try:
        configure(workers, fail_rate=fail_rate, hold_ms=2)
        deliveries = [proto.make(i) for i in range(n)]
        sender = proto.sender(workers, stop_when_acked=True)
        t0 = time.monotonic()
        window: dict[str, float] = {}

        async def crash() -> None:
            while sum(d.acked.is_set() for d in deliveries) < n * 0.4:
                await asyncio.sleep(0.01)
            window["kill"] = now_ms()
            server.kill()
            await asyncio.sleep(0.3)  # runs that were claimed before the crash have started
            window["from"] = now_ms()
            await asyncio.sleep(3)
            window["to"] = now_ms()
            server.start()

        await asyncio.gather(sender.send_all(deliveries, copies), crash())
        seconds = time.monotonic() - t0
        rows = side_table(workers)
        # Requests that reached a worker while Redis was down wait for their client's timeout
        # (ioredis, node-redis queue commands) or fail at once (redis-py): every answer given
        # while it was down must be 503, and no run may start.
        down = [a for a in sender.answers if window["from"] <= a.received <= window["to"]]
        # A run that started before the crash and failed (the injected failures) answers its own
        # 500 once its release gives up on Redis: that answer may land in the window.
        failed_early = {r[0] for r in rows if r[1] == "fail"} & {
            r[0] for r in rows if r[1] == "start" and r[2] < window["from"]
        }
        # Likewise a run that started before the crash and completed answers its own 200 once marking
        # it done gives up on Redis (the axum layer waits for that, up to its Redis timeout, before
        # it answers): its run started before the window opened. "Before the window" as for the
        # failed runs above, not before `kill` was noted: a claim Redis granted in the instant
        # between noting the kill and the process dying starts its run a moment after the note
        # (seen once in a fresh-clone run: one such 200 inside the window). No run may start inside
        # the window itself: `started` below still checks that.
        done_early = {r[0] for r in rows if r[1] == "done"} & {
            r[0] for r in rows if r[1] == "start" and r[2] < window["from"]
        }
        not_503 = [
            a
            for a in down
            if a.status != 503
            and not (a.status == 500 and a.sent < window["from"] and a.delivery in failed_early)
            and not (a.kind == "processed" and a.sent < window["from"] and a.delivery in done_early)
        ]
        started = [r for r in rows if r[1] == "start" and window["from"] <= r[2] <= window["to"]]
        extra = f"; while Redis was down: {len(down)} answers, {len(not_503)} not 503, {len(started)} runs started"
        extra += proto.report(name, sender)
        check(name, deliveries, copies, sender, rows, seconds, extra)
        if not down:
            FAILURES.append(f"{name}: no request was answered while Redis was down")
        if not_503:
            statuses = Counter(a.status for a in not_503)
            FAILURES.append(f"{name}: answers other than 503 while Redis was down: {statuses}")
        if started:
            FAILURES.append(f"{name}: {len(started)} runs started while Redis was down")
        await sender.close()

        # Crash it again once every answer is settled: the append-only file (fsync before each
        # reply) brings back exactly the keys Redis held, so a late copy of every delivery marked
        # done is a duplicate. A handler that finished while Redis was down could not mark its
        # delivery done; its claim lapses and a late copy runs again (the README says so).
        # Claims left behind by the crash live 3 s; wait until they lapse, or one could expire
        # between the two snapshots (seen once: 992/993 keys back) and the comparison would
        # measure the clock, not the AOF.
        probe = redis.Redis.from_url(server.url)
        deadline = time.monotonic() + 10
        while True:
            before = {k: probe.get(k) for k in probe.scan_iter("hookseal:replay:*")}
            if all(v in (None, b"done") for v in before.values()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        before = {k: v for k, v in before.items() if v is not None}
        probe.close()
        server.kill()
        server.start()
        probe = redis.Redis.from_url(server.url)
        after = {k: probe.get(k) for k in probe.scan_iter("hookseal:replay:*")}
        probe.close()
        marked = sum(v == b"done" for v in before.values())
        late = proto.sender(workers, stop_when_acked=False)
        for d in deliveries:
            d.acked.clear()
        await late.send_all(deliveries, 1)
        await late.close()
        finals = Counter(a.kind for a in late.finals)
        print(
            f"faults: {name}: crashed again and restarted from the AOF: {len(after)}/{len(before)} keys back "
            f"({marked} done; {n - marked} handlers finished while Redis was down, so their done was never "
            f"recorded); {n} late copies answered {dict(finals)}",
            flush=True,
        )
        if after != before:
            FAILURES.append(f"{name}: the AOF restart did not bring back the keys Redis held")
        if finals != Counter(duplicate=marked, processed=n - marked):
            FAILURES.append(f"{name}: late copies after the AOF restart: {finals}, want {marked} duplicates")
    finally:
        stop_workers(workers)
        server.close()


async def volatile_restart(name: str, kinds: list[str], n: int) -> None:
    """Redis without persistence restarted: the done keys are gone, and a late copy runs again.
    Not a bug to fix here but the risk the README names (configure AOF to avoid it)."""
    server = RedisServer(persist=False)
    server.start()
    workers = start_workers(kinds, server.url)
    try:
        deliveries = [make_delivery(i) for i in range(n)]
        sender = Sender(workers, stop_when_acked=True)
        await sender.send_all(deliveries, 1)
        await asyncio.sleep(0.5)  # every answer settled: the done keys are in Redis
        server.kill()
        server.start()
        late = Sender(workers, stop_when_acked=False)
        await late.send_all(deliveries, 1)
        kinds_late = Counter(a.kind for a in late.finals)
        print(
            f"faults: {name}: Redis restarted without persistence: {n} late copies of handled deliveries "
            f"answered {dict(kinds_late)} (they ran again: the done keys were lost)",
            flush=True,
        )
        if kinds_late["processed"] != n:
            FAILURES.append(f"{name}: expected every late copy to run again, got {kinds_late}")
        await sender.close()
        await late.close()
    finally:
        stop_workers(workers)
        server.close()


async def outlived_claim(name: str, kinds: list[str]) -> None:
    """A handler outlives its claim (claims live 1 s). Worker A's run takes 1.6 s and fails;
    at 1.3 s a copy reaches worker B, whose claim is new (A's lapsed) and whose run takes 2 s.
    A's failure must not delete B's claim: a copy at 2.0 s gets 409. B completes at 3.3 s; a
    copy at 3.6 s is a duplicate. With a release that compares the bare value `processing`,
    A's release would delete B's claim and the copy at 2.0 s would run a third time."""
    server = RedisServer(persist=False)
    server.start()
    a_kind, b_kind = kinds
    workers = start_workers([a_kind, b_kind], server.url, processing_ttl_ms=1_000)
    try:
        a, b = workers
        configure([a], fail_rate=1.0, hold_ms=1_600)
        configure([b], fail_rate=0.0, hold_ms=2_000)
        d = make_delivery(1)
        client = httpx.AsyncClient(timeout=10)
        h = {"gcms-signature": d.header, "content-type": "application/json"}

        async def at(ms: int, w: Worker) -> tuple[int, str]:
            await asyncio.sleep(ms / 1000)
            r = await client.post(w.url + "/hook", content=d.body, headers=h)
            return r.status_code, classify(r.status_code, r.text)

        got = await asyncio.gather(at(0, a), at(1_300, b), at(2_000, a), at(3_600, a))
        await client.aclose()
        want = [(500, "failed"), (200, "processed"), (409, "in_progress"), (200, "duplicate")]
        runs = Counter(what for _, what, _, _ in side_table(workers))
        print(
            f"faults: {name}: copies at 0 s (A), 1.3 s (B), 2.0 s (A), 3.6 s (A) answered {[k for _, k in got]}; "
            f"runs {runs['start']}, completed {runs['done']}, failed {runs['fail']}",
            flush=True,
        )
        if got != want:
            FAILURES.append(f"{name}: answers {got}, want {want}")
        if (runs["start"], runs["done"], runs["fail"]) != (2, 1, 1):
            FAILURES.append(f"{name}: runs {dict(runs)}, want 2 started, 1 completed, 1 failed")
    finally:
        stop_workers(workers)
        server.close()


NODE = ["ioredis", "ioredis", "node-redis", "node-redis"]
PYTHON = ["fastapi", "fastapi", "flask", "flask"]


def scenarios(scale: float) -> dict[str, Any]:
    n = int(2000 * scale)
    return {
        "node-4-workers": lambda: many_workers("node, 4 workers (2 ioredis, 2 node-redis)", NODE, n, 3),
        "python-4-workers": lambda: many_workers("python, 4 workers (2 FastAPI, 2 Flask)", PYTHON, n, 3),
        "mixed-4-workers": lambda: many_workers(
            "node + python on one Redis", ["ioredis", "fastapi", "node-redis", "flask"], n // 2, 3
        ),
        "node-redis-restart": lambda: redis_restart("node, Redis killed and restarted (AOF)", NODE, n // 2, 2),
        "python-redis-restart": lambda: redis_restart("python, Redis killed and restarted (AOF)", PYTHON, n // 2, 2),
        "node-volatile-restart": lambda: volatile_restart("node", ["ioredis"], 50),
        "python-volatile-restart": lambda: volatile_restart("python", ["fastapi"], 50),
        "node-outlived-claim": lambda: outlived_claim("node, handler outlives its claim", ["ioredis", "node-redis"]),
        "python-outlived-claim": lambda: outlived_claim("python, handler outlives its claim", ["fastapi", "flask"]),
        # Hasura Event Trigger deliveries through the Hasura event wrappers, a Hasura-like sender.
        "hasura-node-4-workers": lambda: many_workers(
            "hasura events, node, 4 workers (2 ioredis, 2 node-redis)", NODE, n // 2, 3, Proto("hasura", 3)
        ),
        "hasura-python-4-workers": lambda: many_workers(
            "hasura events, python, 4 workers (2 FastAPI, 2 Flask)", PYTHON, n // 2, 3, Proto("hasura", 3)
        ),
        "hasura-mixed-4-workers": lambda: many_workers(
            "hasura events, node + python on one Redis",
            ["ioredis", "fastapi", "node-redis", "flask"],
            n // 4,
            3,
            Proto("hasura", 3),
        ),
        "axum-4-workers": lambda: many_workers(
            "axum + node + python on one Redis", ["axum", "ioredis", "axum", "flask"], n // 2, 3
        ),
        "hasura-all-faces": lambda: many_workers(
            "hasura events, axum + node + python on one Redis",
            ["axum", "ioredis", "fastapi", "axum", "node-redis", "flask"],
            n // 2,
            3,
            Proto("hasura", 3),
        ),
        "hasura-axum-redis-restart": lambda: redis_restart(
            "hasura events, axum + node + python, Redis killed and restarted (AOF), num_retries 0",
            ["axum", "axum", "ioredis", "fastapi"],
            n // 4,
            2,
            Proto("hasura", 0),
            fail_rate=0.0,
        ),
        # num_retries 0, Hasura's default, and no injected failures: only Retry-After (on the 409s
        # and on the 503s while Redis is down) brings an event back.
        "hasura-node-redis-restart": lambda: redis_restart(
            "hasura events, node, Redis killed and restarted (AOF), num_retries 0",
            NODE,
            n // 4,
            2,
            Proto("hasura", 0),
            fail_rate=0.0,
        ),
        "hasura-python-redis-restart": lambda: redis_restart(
            "hasura events, python, Redis killed and restarted (AOF), num_retries 0",
            PYTHON,
            n // 4,
            2,
            Proto("hasura", 0),
            fail_rate=0.0,
        ),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", help="run only these scenarios (repeatable)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the number of deliveries")
    args = ap.parse_args()
    table = scenarios(args.scale)
    names = args.only or list(table)
    t0 = time.monotonic()
    for name in names:
        asyncio.run(table[name]())
    print(f"faults: {len(names)} scenarios in {time.monotonic() - t0:.1f} s", flush=True)
    for f in FAILURES:
        print(f"faults: FAILED: {f}", flush=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
