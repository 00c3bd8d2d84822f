#!/usr/bin/env python3
"""`make release-check`: what `npm install hookseal`, `pip install hookseal` and `cargo add
hookseal` will do once they are published, proven against real registries on loopback.

Verdaccio (npm) and pypiserver (PyPI) start on free loopback ports with empty storage; every
`dist/npm/*.tgz` goes in through `npm publish` and every `dist/python/*` through `twine upload`
(the real clients). Then each case installs **by name**, in a fresh project or venv, and checks
what the installer chose and that it runs:

- npm: the default (linux-x64-gnu, native engine, the shared vectors), `--cpu=arm64 --os=linux`
  (the arm64 package; the vectors under qemu-user with an arm64 Node), `--libc=musl`,
  `--os=darwin --cpu=arm64` (no platform package: the WebAssembly engine passes the vectors), and
  a fresh Next.js app that depends on `hookseal`, built by `next build`, answering a signed request;
- pip: the manylinux2014 wheel (vectors), the extras `[fastapi,redis]`, the musllinux and aarch64
  wheels chosen by `--platform` (the aarch64 one runs the vectors under qemu-user on Debian's arm64
  CPython), and a platform with no wheel (macOS arm64) resolving to the sdist, which builds and
  passes the smoke test;
- crates: `cargo publish --dry-run` of hookseal then hookseal-axum, and a fresh crate built against
  the packaged hookseal (the .crate's contents) verifying a vector.

The registries are stopped and every temporary folder removed on the way out, also on failure or
Ctrl-C. One line per case: `ok <case>: <what> (<seconds>)`. Run it through `make release-check`,
which builds dist/, installs the tools (.cache/release) and passes the toolchain paths.
Run a subset with `--only SUBSTRING` (repeatable).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DIST_NPM = ROOT / "dist" / "npm"
DIST_PY = ROOT / "dist" / "python"
NODE_PKG = ROOT / "bindings-node"
PY_PKG = ROOT / "bindings-python"
NEXT_EXAMPLE = ROOT / "examples" / "nextjs-app-router"
CACHE = Path(os.environ.get("HOOKSEAL_CACHE") or ROOT / ".cache")
TOOLS = CACHE / "release"
VERDACCIO = TOOLS / "npm" / "node_modules" / ".bin" / "verdaccio"
PYPI_SERVER = TOOLS / "venv" / "bin" / "pypi-server"
TWINE = TOOLS / "venv" / "bin" / "twine"
BUILD_WHEELHOUSE = TOOLS / "wheelhouse"  # maturin, for building the sdist in pip's isolated env

NODE_JSON = json.loads((NODE_PKG / "package.json").read_text())
NPM_VERSION: str = NODE_JSON["version"]
PY_VERSION = re.search(r'^version = "(.+)"$', (PY_PKG / "pyproject.toml").read_text(), re.M)[1]  # type: ignore[index]
PLATFORMS = ["linux-x64-gnu", "linux-arm64-gnu", "linux-x64-musl"]
VECTORS_JS = NODE_PKG / "tests" / "vectors.test.js"
SMOKE_PY = PY_PKG / "tests-dist" / "smoke.py"
SECRET = "release-check-secret"


class Failed(Exception):
    """A case's check did not hold."""


def need(cond: object, message: str) -> None:
    if not cond:
        raise Failed(message)


def tool(name: str) -> str:
    """A path `make release-check` passes in the environment."""
    value = os.environ.get(name, "")
    if not value or not Path(value).exists():
        raise Failed(f"{name}={value!r}: missing; run this with `make release-check`, which installs it")
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    """Runs CMD; its stdout, or Failed with both streams."""
    res = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if res.returncode != 0:
        shown = " ".join(cmd[:6]) + (" …" if len(cmd) > 6 else "")
        raise Failed(f"`{shown}` failed ({res.returncode}):\n{res.stdout[-4000:]}\n{res.stderr[-4000:]}")
    return res.stdout


# ---------------------------------------------------------------- processes and clean-up


class Session:
    """Owns the servers and temporary folders of one run; `close` stops and removes them all."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="hookseal-release-"))
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def tmp(self, prefix: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.base))

    def start(self, name: str, cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Path:
        """Starts a server in a process group of its own; its output goes to a log file."""
        log = self.base / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        self.procs.append((name, proc))
        return log

    def stop(self, name: str) -> None:
        for entry in [p for p in self.procs if p[0] == name]:
            self.procs.remove(entry)
            terminate(entry[1])

    def close(self) -> None:
        procs = [p for _, p in self.procs]
        self.procs.clear()
        terminate(*procs)
        shutil.rmtree(self.base, ignore_errors=True)


def terminate(*procs: subprocess.Popen[bytes]) -> None:
    """SIGTERM to each process group, SIGKILL to those still there after 5 s."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        alive = [p for p in procs if p.poll() is None]
        for p in alive:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        for p in alive:
            try:
                p.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass


def wait_http(url: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status < 500:
                    return
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise Failed(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


# ---------------------------------------------------------------- the registries


class Registries:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.npm_port = free_port()
        self.pypi_port = free_port()
        self.npm_url = f"http://127.0.0.1:{self.npm_port}/"
        self.pypi_url = f"http://127.0.0.1:{self.pypi_port}/"
        self.npmrc = session.base / "npmrc"
        self.npm_cache = session.tmp("npm-cache-")  # the hookseal-only installs: nothing from earlier runs

    def start_verdaccio(self) -> None:
        """Empty storage. hookseal and its platform packages exist only here (never proxied); any
        other name is proxied to the npm registry this machine uses (the Next.js app's
        dependencies, which npm takes from its cache when it has them)."""
        home = self.session.tmp("verdaccio-")
        upstream = os.environ.get("npm_config_registry") or run(["npm", "config", "get", "registry"]).strip()
        config = {
            "storage": str(home / "storage"),
            "uplinks": {"upstream": {"url": upstream, "timeout": "60s", "cache": False}},
            "packages": {
                "hookseal": {"access": "$all", "publish": "$all"},
                "hookseal-*": {"access": "$all", "publish": "$all"},
                "**": {"access": "$all", "publish": "$all", "proxy": "upstream"},
            },
            "server": {"keepAliveTimeout": 60},
            "log": {"type": "stdout", "format": "pretty", "level": "warn"},
            "max_body_size": "50mb",
        }
        # A JSON document is YAML.
        (home / "config.yaml").write_text(json.dumps(config, indent=2))
        log = self.session.start(
            "verdaccio",
            [str(VERDACCIO), "--config", str(home / "config.yaml"), "--listen", f"127.0.0.1:{self.npm_port}"],
            cwd=home,
        )
        wait_http(self.npm_url + "-/ping", log)
        self.npmrc.write_text(
            f"registry={self.npm_url}\n//127.0.0.1:{self.npm_port}/:_authToken=release-check\n"
            "audit=false\nfund=false\nupdate-notifier=false\nloglevel=error\n"
        )

    def start_pypiserver(self) -> None:
        """Uploads go into an empty folder; the test tools and the extras' dependencies (pytest,
        FastAPI, redis-py, …: the wheelhouse of `make test-dist`) and maturin (the sdist's build
        backend) are served beside them, read-only. No fallback to pypi.org."""
        self.pypi_dir = self.session.tmp("pypi-")
        roots = [str(self.pypi_dir), tool("WHEELHOUSE"), str(BUILD_WHEELHOUSE)]
        log = self.session.start(
            "pypiserver",
            [str(PYPI_SERVER), "run", "-i", "127.0.0.1", "-p", str(self.pypi_port), "-a", ".", "-P", ".",
             "--disable-fallback", "--hash-algo", "sha256", *roots],
        )  # fmt: skip
        wait_http(self.pypi_url + "simple/", log)

    def npm_env(self, *, shared_cache: bool = False) -> dict[str, str]:
        env = dict(os.environ, npm_config_userconfig=str(self.npmrc))
        env.pop("npm_config_registry", None)
        if not shared_cache:
            env["npm_config_cache"] = str(self.npm_cache)
        for k in ("NODE_TEST_CONTEXT", "HOOKSEAL_BACKEND", "HOOKSEAL_PACKAGE", "HOOKSEAL_EXPECT_BACKEND"):
            env.pop(k, None)
        return env

    def pip_env(self, home: Path) -> dict[str, str]:
        """pip as a user's, pointed at pypiserver only: no config file, no find-links, no cache."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "VIRTUAL_ENV"}
        env.update(
            PIP_CONFIG_FILE=os.devnull,
            PIP_INDEX_URL=self.pypi_url + "simple/",
            PIP_NO_CACHE_DIR="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            PYTHONDONTWRITEBYTECODE="1",
            HOME=str(home),
            # rustup and cargo keep their toolchains and registry cache under the real home.
            RUSTUP_HOME=os.environ.get("RUSTUP_HOME") or os.path.expanduser("~/.rustup"),
            CARGO_HOME=os.environ.get("CARGO_HOME") or os.path.expanduser("~/.cargo"),
        )
        if "PIP_CERT" in os.environ:
            env["PIP_CERT"] = os.environ["PIP_CERT"]
        return env


def publish(reg: Registries) -> str:
    """Every tarball through `npm publish` (platform packages first, as a release does), every
    wheel and the sdist through `twine upload`; then the registries must list them."""
    tarballs = sorted(DIST_NPM.glob("*.tgz"))
    expected = {f"hookseal-{NPM_VERSION}.tgz"} | {f"hookseal-{p}-{NPM_VERSION}.tgz" for p in PLATFORMS}
    need({t.name for t in tarballs} == expected, f"dist/npm holds {[t.name for t in tarballs]}, want {expected}")
    main = DIST_NPM / f"hookseal-{NPM_VERSION}.tgz"
    env = reg.npm_env()
    for t in [t for t in tarballs if t != main] + [main]:
        run(["npm", "publish", str(t)], env=env, cwd=reg.session.base)
    view = json.loads(run(["npm", "view", "hookseal", "--json"], env=env, cwd=reg.session.base))
    need(view["version"] == NPM_VERSION, f"npm view: {view.get('version')}")
    need(
        view.get("optionalDependencies") == {f"hookseal-{p}": NPM_VERSION for p in PLATFORMS},
        f"optionalDependencies: {view.get('optionalDependencies')}",
    )

    files = sorted(DIST_PY.iterdir())
    need(len(files) == 4, f"dist/python holds {[f.name for f in files]}: three wheels and the sdist")
    run(
        [str(TWINE), "upload", "--non-interactive", "--disable-progress-bar", "--repository-url", reg.pypi_url,
         "-u", "release-check", "-p", "release-check", *map(str, files)],
    )  # fmt: skip
    with urllib.request.urlopen(reg.pypi_url + "simple/hookseal/") as r:
        listed = set(re.findall(r">([^<]+)</a>", r.read().decode()))
    need(listed == {f.name for f in files}, f"pypiserver lists {listed}")
    return f"{len(tarballs)} npm tarballs (npm publish), {len(files)} Python files (twine upload)"


# ---------------------------------------------------------------- npm cases


def npm_project(reg: Registries, flags: list[str]) -> Path:
    """A fresh project where `npm install hookseal FLAGS` ran against Verdaccio."""
    app = reg.session.tmp("npm-app-")
    (app / "package.json").write_text('{"name":"app","version":"1.0.0","private":true}\n')
    run(["npm", "install", "hookseal", *flags], cwd=app, env=reg.npm_env())
    installed = json.loads((app / "node_modules" / "hookseal" / "package.json").read_text())
    need(installed["version"] == NPM_VERSION, f"installed hookseal {installed['version']}")
    return app


def platform_packages(app: Path) -> list[str]:
    return sorted(p.name for p in (app / "node_modules").iterdir() if p.name.startswith("hookseal-"))


def engine_and_vectors(
    app: Path, backend: str, addon: str | None, node: list[str], env: dict[str, str], vector_args: tuple[str, ...] = ()
) -> int:
    """The installed hookseal's engine (and the .node it loaded), then the shared vector suite
    through it (VECTOR_ARGS: node options for it); the number of tests that passed."""
    script = (
        "const hs = require('hookseal');"
        "const h = hs.sign('{\"a\":1}', { secret: 's3cret', timestamp: 1700000000000 });"
        "const ok = hs.verifyWebhookSignature({ rawPayload: '{\"a\":1}', signature: h, secret: 's3cret' });"
        "const addons = Object.keys(require.cache).filter((k) => k.endsWith('.node'));"
        "process.stdout.write(JSON.stringify({ backend: hs.backend, ok, addons }))"
    )
    got = json.loads(run([*node, "-e", script], cwd=app, env=env))
    real = os.path.realpath(app)
    want_addons = [os.path.join(real, "node_modules", addon)] if addon else []
    need(got == {"backend": backend, "ok": True, "addons": want_addons}, f"engine: {got}")
    venv = dict(env, HOOKSEAL_PACKAGE=str(app / "node_modules" / "hookseal"), HOOKSEAL_EXPECT_BACKEND=backend)
    out = run([*node, *vector_args, str(VECTORS_JS)], cwd=app, env=venv, timeout=1800)
    need(re.search(r"^# fail 0$", out, re.M), f"vector failures:\n{out[-3000:]}")
    passed = re.search(r"^# pass (\d+)$", out, re.M)
    need(passed and int(passed[1]) > 0, f"no vector passed:\n{out[-3000:]}")
    return int(passed[1]) if passed else 0


def case_npm_default(reg: Registries) -> str:
    app = npm_project(reg, [])
    need(platform_packages(app) == ["hookseal-linux-x64-gnu"], f"platform packages: {platform_packages(app)}")
    n = engine_and_vectors(
        app, "native", "hookseal-linux-x64-gnu/hookseal.linux-x64-gnu.node", [sys_node()], reg.npm_env()
    )
    return f"hookseal-linux-x64-gnu, native engine, {n} vector tests pass"


def case_npm_arm64(reg: Registries) -> str:
    app = npm_project(reg, ["--cpu=arm64", "--os=linux"])
    need(platform_packages(app) == ["hookseal-linux-arm64-gnu"], f"platform packages: {platform_packages(app)}")
    node = [tool("QEMU_AARCH64"), "-L", tool("ARM64_ROOT"), tool("ARM64_NODE")]
    need(run([*node, "-p", "process.arch"]).strip() == "arm64", "the arm64 Node is not arm64")
    # Every vector file but the bad-input catalogue, whose 100 MiB rows take a minute under qemu:
    # make test-dist runs it on this same addon (the bytes of dist/npm's arm64 tarball).
    skip = ("--test-name-pattern=^(?!bad-input)",)
    addon = "hookseal-linux-arm64-gnu/hookseal.linux-arm64-gnu.node"
    n = engine_and_vectors(app, "native", addon, node, reg.npm_env(), skip)
    return f"hookseal-linux-arm64-gnu, native engine on an arm64 Node under qemu-user, {n} vector tests pass"


def case_npm_musl(reg: Registries) -> str:
    app = npm_project(reg, ["--libc=musl"])
    need(platform_packages(app) == ["hookseal-linux-x64-musl"], f"platform packages: {platform_packages(app)}")
    pkg = app / "node_modules" / "hookseal-linux-x64-musl"
    need((pkg / "hookseal.linux-x64-musl.node").is_file(), "the musl addon is missing")
    need(json.loads((pkg / "package.json").read_text())["libc"] == ["musl"], "libc field")
    return "hookseal-linux-x64-musl (no musl Node here to run it; test-dist checks its linkage)"


def case_npm_darwin(reg: Registries) -> str:
    app = npm_project(reg, ["--os=darwin", "--cpu=arm64"])
    need(platform_packages(app) == [], f"platform packages: {platform_packages(app)}")
    n = engine_and_vectors(app, "wasm", None, [sys_node()], reg.npm_env())
    return f"no platform package, WebAssembly engine, {n} vector tests pass"


def sys_node() -> str:
    return shutil.which("node") or "node"


NEXT_ROUTE = """\
// A Hygraph webhook on the Node.js runtime: hookseal installed by name from the registry.
import { withHygraphSignature, fromEnv, backend } from "hookseal";

export const POST = withHygraphSignature(
  async (request, verified) => {
    const event = await request.json();
    return Response.json({ ok: true, environment: verified.environment, operation: event.operation, backend });
  },
  { secret: fromEnv("HYGRAPH_WEBHOOK_SECRET") },
);
"""


def forget_registry(reg: Registries, env: dict[str, str]) -> None:
    """Deletes the entries npm's own cache keeps under this run's Verdaccio address, so that a
    later run on the same port can never read this run's packuments (the tarballs' contents stay,
    addressed by their hashes)."""
    keys = [k for k in run(["npm", "cache", "ls"], env=env).split() if f"//127.0.0.1:{reg.npm_port}/" in k]
    if keys:
        run(["npm", "cache", "clean", *keys], env=env)


def hygraph_signature(body: str, secret: str, ts_ms: int, env_name: str = "master") -> str:
    envelope = json.dumps({"Body": body, "EnvironmentName": env_name, "TimeStamp": ts_ms}, separators=(",", ":"))
    mac = base64.b64encode(hmac.new(secret.encode(), envelope.encode(), hashlib.sha256).digest()).decode()
    return f"sign={mac}, env={env_name}, t={ts_ms}"


def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def case_nextjs(reg: Registries) -> str:
    """A fresh Next.js app with `hookseal` by name. Next and React come at the versions the
    example's lockfile pins (so npm takes them from its cache); hookseal is not in the lockfile,
    so npm resolves it and its platform package from Verdaccio."""
    app = reg.session.tmp("next-app-")
    example = json.loads((NEXT_EXAMPLE / "package.json").read_text())
    lock = json.loads((NEXT_EXAMPLE / "package-lock.json").read_text())
    pinned = {n: lock["packages"][f"node_modules/{n}"]["version"] for n in ("next", "react", "react-dom")}
    deps = {"hookseal": f"^{NPM_VERSION}", **pinned}
    pkg = {"name": "release-check-next-app", "private": True, "dependencies": deps}
    if "allowScripts" in example:
        pkg["allowScripts"] = example["allowScripts"]
    (app / "package.json").write_text(json.dumps(pkg, indent=2) + "\n")
    lock["name"] = pkg["name"]
    lock["packages"] = {k: v for k, v in lock["packages"].items() if not re.match(r"node_modules/hookseal(-|$)", k)}
    lock["packages"][""] = {"name": pkg["name"], "dependencies": deps}
    (app / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    env = reg.npm_env(shared_cache=True)
    try:
        run(["npm", "install", "--prefer-offline"], cwd=app, env=env, timeout=900)
    finally:
        forget_registry(reg, env)
    need(platform_packages(app) == ["hookseal-linux-x64-gnu"], f"platform packages: {platform_packages(app)}")
    resolved = json.loads((app / "package-lock.json").read_text())["packages"]["node_modules/hookseal"]
    need(resolved["version"] == NPM_VERSION, f"lockfile: {resolved}")

    route = app / "app" / "api" / "hygraph"
    route.mkdir(parents=True)
    (route / "route.js").write_text(NEXT_ROUTE)
    (app / "next.config.mjs").write_text('export default { serverExternalPackages: ["hookseal"] };\n')
    next_bin = str(app / "node_modules" / "next" / "dist" / "bin" / "next")
    build_env = dict(env, NEXT_TELEMETRY_DISABLED="1")
    build_env.pop("HYGRAPH_WEBHOOK_SECRET", None)
    run([sys_node(), next_bin, "build"], cwd=app, env=build_env, timeout=900)

    port = free_port()
    log = reg.session.start(
        "next",
        [sys_node(), next_bin, "start", "-H", "127.0.0.1", "-p", str(port)],
        cwd=app,
        env=dict(build_env, HYGRAPH_WEBHOOK_SECRET=SECRET),
    )
    try:
        url = f"http://127.0.0.1:{port}/api/hygraph"
        wait_http(f"http://127.0.0.1:{port}/", log)
        body = '{"operation":"publish","data":{"id":"ckx"}}'
        sig = hygraph_signature(body, SECRET, int(time.time() * 1000))
        status, answer = post(url, body, {"content-type": "application/json", "gcms-signature": sig})
        want = {"ok": True, "environment": "master", "operation": "publish", "backend": "native"}
        need((status, answer) == (200, want), f"signed request: {status} {answer}\n{log.read_text()[-2000:]}")
        status, answer = post(url, body + " ", {"content-type": "application/json", "gcms-signature": sig})
        need(status == 401 and "signature_mismatch" in json.dumps(answer), f"tampered request: {status} {answer}")
    finally:
        reg.session.stop("next")
    return f"next {pinned['next']}, hookseal by name: next build; 200 to a signed request (native), 401 tampered"


# ---------------------------------------------------------------- pip cases


def venv(reg: Registries, name: str) -> tuple[Path, dict[str, str]]:
    where = reg.session.tmp(f"venv-{name}-")
    subprocess.run([sys.executable, "-m", "venv", str(where / "venv")], check=True)
    return where / "venv" / "bin" / "python", reg.pip_env(where)


def pip_install(py: Path, env: dict[str, str], args: list[str], timeout: float = 900) -> dict[str, str]:
    """`pip install ARGS` with a report: {name: file it installed}."""
    report = py.parent.parent / f"report-{time.monotonic_ns()}.json"
    run([str(py), "-m", "pip", "install", "-q", "--report", str(report), *args], env=env, timeout=timeout)
    items = json.loads(report.read_text())["install"]
    return {i["metadata"]["name"].lower(): i["download_info"]["url"].rsplit("/", 1)[-1] for i in items}


def python_vectors(cmd: list[str], env: dict[str, str]) -> int:
    out = run([*cmd, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_vectors.py"], cwd=PY_PKG, env=env)
    last = out.strip().splitlines()[-1]
    m = re.match(r"^(\d+) passed", last)
    need(m and "failed" not in last and "error" not in last, f"vectors: {last}\n{out[-3000:]}")
    return int(m[1]) if m else 0


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        raise Failed("REDIS_URL is not set: `make release-check` runs this under scripts/with-redis.sh")
    return url


def case_pip_default(reg: Registries) -> str:
    py, env = venv(reg, "default")
    got = pip_install(py, env, ["hookseal"])
    need(list(got) == ["hookseal"], f"pip installed {got}")
    wheel = got["hookseal"]
    need(re.fullmatch(rf"hookseal-{PY_VERSION}-cp310-abi3-manylinux2014_x86_64\..*\.whl", wheel), wheel)
    pip_install(py, env, ["pytest", "redis"])
    where = run([str(py), "-c", "import hookseal._hookseal as m; print(m.__file__)"], env=env, cwd=py.parent)
    need(where.startswith(str(py.parent.parent)), f"hookseal imported from {where}")
    n = python_vectors([str(py)], dict(env, REDIS_URL=redis_url()))
    return f"{wheel}, {n} vector tests pass"


def case_pip_extras(reg: Registries) -> str:
    py, env = venv(reg, "extras")
    got = pip_install(py, env, ["hookseal[fastapi,redis]"])
    need({"hookseal", "fastapi", "starlette", "pydantic", "redis"} <= set(got), f"pip installed {sorted(got)}")
    need("flask" not in got, "flask came without its extra")
    need("manylinux2014_x86_64" in got["hookseal"], got["hookseal"])
    run([str(py), "-c", "import hookseal, hookseal.fastapi, fastapi, redis"], env=env, cwd=py.parent)
    fastapi, redis = (got[n].split("-")[1] for n in ("fastapi", "redis"))
    return f"hookseal with {len(got) - 1} dependencies: fastapi {fastapi}, redis {redis}, …"


def pip_download(reg: Registries, platform: str, *, binary: bool = True) -> tuple[int, str, Path]:
    """`pip download hookseal` for another platform (CPython 3.12): exit code, output, folder."""
    where = reg.session.tmp("download-")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(where), "--platform", platform,
           "--python-version", "3.12", "--implementation", "cp"]  # fmt: skip
    if binary:
        cmd.append("--only-binary=:all:")
    res = subprocess.run([*cmd, "hookseal"], capture_output=True, text=True, env=reg.pip_env(where), timeout=900)
    return res.returncode, res.stdout + res.stderr, where


def downloaded_wheel(reg: Registries, platform: str) -> str:
    code, out, where = pip_download(reg, platform)
    need(code == 0, f"pip download --platform {platform}:\n{out}")
    (name,) = [p.name for p in where.iterdir()]
    need(name.startswith(f"hookseal-{PY_VERSION}-cp310-abi3-") and platform in name, f"{platform}: {name}")
    return name


def case_pip_musl(reg: Registries) -> str:
    return downloaded_wheel(reg, "musllinux_1_2_x86_64")


def case_pip_aarch64(reg: Registries) -> str:
    name = downloaded_wheel(reg, "manylinux2014_aarch64")
    qemu, root, python = tool("QEMU_AARCH64"), tool("ARM64_ROOT"), tool("ARM64_PYTHON")
    site = reg.session.tmp("arm64-site-")
    env = reg.pip_env(site)
    pip = [sys.executable, "-m", "pip", "install", "-q", "--target", str(site)]
    # pip resolves and unpacks hookseal by name as for an arm64 CPython 3.11 (Debian's python3.11).
    run([*pip, "--platform", "manylinux2014_aarch64", "--python-version", "3.11", "--implementation", "cp",
         "--only-binary=:all:", "--no-deps", "hookseal"], env=env)  # fmt: skip
    # Pure Python; async-timeout is what redis-py needs on Debian's 3.11.2 (< 3.11.3).
    run([*pip, "pytest", "redis", "async-timeout"], env=env)
    arm = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(site)}
    # The 100 MiB rows of the bad-input catalogue: test-dist runs them on the same wheel's bytes.
    arm.update(REDIS_URL=redis_url(), HOOKSEAL_SKIP_HUGE="1")
    cmd = [qemu, "-L", root, python]
    probe = run(
        [*cmd, "-c", "import platform, hookseal._hookseal as m; print(platform.machine(), m.__file__)"], env=arm
    )
    need(probe.split() == ["aarch64", str(site / "hookseal" / "_hookseal.abi3.so")], probe)
    n = python_vectors(cmd, arm)
    return f"{name}, {n} vector tests pass on arm64 CPython under qemu-user"


SDIST_TARGET = TOOLS / "sdist-target"


def forget_hookseal_builds() -> None:
    for d in SDIST_TARGET.glob("*/*"):
        if d.name in ("deps", "build", ".fingerprint", "incremental") or "hookseal" in d.name:
            targets = [d] if "hookseal" in d.name else list(d.glob("*hookseal*"))
            for t in targets:
                if t.is_dir():
                    shutil.rmtree(t)
                else:
                    t.unlink()


def case_pip_sdist(reg: Registries) -> str:
    code, out, _ = pip_download(reg, "macosx_11_0_arm64")
    need(code != 0 and "No matching distribution" in out, f"a wheel for macOS arm64?\n{out}")
    code, out, where = pip_download(reg, "macosx_11_0_arm64", binary=False)
    need(code == 0, f"pip download (sdist):\n{out}")
    (name,) = [p.name for p in where.iterdir()]
    need(name == f"hookseal-{PY_VERSION}.tar.gz", f"macOS arm64 resolves to {name}")
    # Built the way such a machine would: pip takes the sdist (no wheel may be used), fetches
    # maturin into an isolated build env, and cargo builds it.
    py, env = venv(reg, "sdist")
    # Dependencies (pyo3, …) stay built between runs in a target dir of their own; hookseal's own
    # artifacts are removed before and after, so the extension is always this sdist's.
    env["CARGO_TARGET_DIR"] = str(SDIST_TARGET)
    forget_hookseal_builds()
    try:
        got = pip_install(py, env, ["--no-binary", "hookseal", "hookseal"], timeout=1800)
    finally:
        forget_hookseal_builds()
    need(got.get("hookseal") == name, f"pip installed {got}")
    smoke = run([str(py), str(SMOKE_PY)], env=env, cwd=py.parent)
    need(smoke.startswith("smoke: "), smoke)
    return f"no wheel; {name} builds and passes the smoke test ({smoke.split(' from ')[0][7:]})"


# ---------------------------------------------------------------- crates


def case_crates(reg: Registries) -> str:
    """`cargo publish --dry-run` packages and builds each crate on its own, hookseal-axum against
    the packaged hookseal; then a fresh crate depends on the packaged hookseal."""
    started = time.time() - 1
    run(
        ["cargo", "publish", "--dry-run", "--allow-dirty", "--quiet", "-p", "hookseal", "-p", "hookseal-axum"],
        cwd=ROOT,
        timeout=1800,
    )
    version = NPM_VERSION
    # A dry run of several crates leaves them in target/package/tmp-crate (cargo 1.90+).
    package = ROOT / "target" / "package"
    found = [p / f"hookseal-{version}.crate" for p in (package / "tmp-crate", package)]
    found = [p for p in found if p.is_file() and p.stat().st_mtime >= started]
    need(found, f"no hookseal-{version}.crate written by the dry run in target/package")
    crate = found[0]
    where = reg.session.tmp("crate-")
    with tarfile.open(crate) as t:
        t.extractall(where, filter="data")
    app = where / "consumer"
    (app / "src").mkdir(parents=True)
    (app / "Cargo.toml").write_text(
        '[package]\nname = "consumer"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\nhookseal = {{ path = "../hookseal-{version}" }}\n'
    )
    # The workspace's lockfile: the same dependency versions, all in cargo's cache (offline).
    shutil.copy(ROOT / "Cargo.lock", app / "Cargo.lock")
    (app / "src" / "main.rs").write_text(CONSUMER)
    vectors = json.loads((ROOT / "tests" / "vectors" / "hygraph.json").read_text())["cases"]
    case = next(c for c in vectors if c["expected"] is True and c.get("rawPayload"))
    env = dict(os.environ, CARGO_TARGET_DIR=str(TOOLS / "cargo-target"))
    env.update(HS_SECRET=case["secret"], HS_SIGNATURE=case["signature"], HS_BODY=case["rawPayload"])
    out = run(["cargo", "run", "--offline", "--quiet"], cwd=app, env=env, timeout=1800)
    need(out.strip() == "verified master; tampered: signature_mismatch", out)
    return f"dry runs of hookseal, hookseal-axum; a fresh crate on hookseal-{version}.crate verifies {case['name']!r}"


CONSUMER = """\
use hookseal::hygraph::Verifier;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |k: &str| std::env::var(k);
    let verifier = Verifier::new([var("HS_SECRET")?])?.tolerance(None)?;
    let (body, header) = (var("HS_BODY")?, var("HS_SIGNATURE")?);
    let ok = verifier.verify(body.as_bytes(), &header)?;
    let tampered = verifier.verify(format!("{body} ").as_bytes(), &header);
    let code = tampered.err().map(|e| e.code().to_string()).unwrap_or_default();
    println!("verified {}; tampered: {code}", ok.environment);
    Ok(())
}
"""


# ---------------------------------------------------------------- main

CASES: list[tuple[str, Callable[[Registries], str]]] = [
    ("npm install hookseal", case_npm_default),
    ("npm install hookseal --cpu=arm64 --os=linux", case_npm_arm64),
    ("npm install hookseal --libc=musl", case_npm_musl),
    ("npm install hookseal --os=darwin --cpu=arm64", case_npm_darwin),
    ("next build with hookseal by name", case_nextjs),
    ("pip install hookseal", case_pip_default),
    ("pip install hookseal[fastapi,redis]", case_pip_extras),
    ("pip download --platform musllinux_1_2_x86_64", case_pip_musl),
    ("pip download --platform manylinux2014_aarch64", case_pip_aarch64),
    ("pip, macosx_11_0_arm64: the sdist", case_pip_sdist),
    ("cargo publish --dry-run", case_crates),
]


def on_signal(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", action="append", default=[], help="run the cases whose name holds this")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.only or any(o in c[0] for o in args.only)]
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    started = time.monotonic()
    session = Session()
    failed: list[str] = []
    try:
        reg = Registries(session)
        if any(not c[0].startswith("cargo") for c in cases):  # the crates need neither registry
            t0 = time.monotonic()
            reg.start_verdaccio()
            reg.start_pypiserver()
            took = time.monotonic() - t0
            print(f"ok   registries: Verdaccio on {reg.npm_url}, pypiserver on {reg.pypi_url} ({took:.1f} s)")
            t0 = time.monotonic()
            print(f"ok   publish: {publish(reg)} ({time.monotonic() - t0:.1f} s)", flush=True)
        for name, fn in cases:
            t0 = time.monotonic()
            try:
                what = fn(reg)
            except (Failed, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as e:
                failed.append(name)
                detail = str(e) if isinstance(e, Failed) else traceback.format_exc()
                print(f"FAIL {name} ({time.monotonic() - t0:.1f} s):\n{detail}", flush=True)
            else:
                print(f"ok   {name}: {what} ({time.monotonic() - t0:.1f} s)", flush=True)
    except Failed as e:
        print(f"FAIL setting up the registries:\n{e}")
        failed.append("registries")
    finally:
        session.close()
    total = time.monotonic() - started
    if failed:
        print(f"release-check: {len(failed)} of {len(cases)} cases failed ({total:.0f} s): {', '.join(failed)}")
        return 1
    print(f"release-check: every case passed ({len(cases)} cases, {total:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
