"""Every Python code block of the READMEs passes `mypy --strict` against the installed package and
runs as written:

- each block is a module of its own (`block_NN.py`); one mypy run checks them all;
- each block is imported with only the environment variables it reads set (a block that uses a
  name it neither imports nor defines fails here with its `NameError`);
- what a block defines is then driven like a user would: a FastAPI `app` with FastAPI's
  `TestClient`, a Flask `app` with Flask's `test_client`, plain functions `handle(raw_body, headers)`
  and `handle_drop_in(...)` called; each with a delivery signed by
  `hookseal.generate_webhook_signature` (200 / True) and a wrongly signed one (401 / False), and an
  Action route with the right and a wrong shared secret and a payload of another shape.

A block no driver knows still has to import cleanly; `test_every_block_is_driven` makes sure the
README's framework and plain-function blocks are each driven, not only imported.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from readme_blocks import READMES, Block, of  # noqa: E402

BLOCKS = of(READMES, "python")
ENV = {
    "HYGRAPH_WEBHOOK_SECRET": "readme-hygraph-secret",
    "HASURA_ACTION_SECRET": "readme-action-secret",
    "HASURA_EVENT_SECRET": "readme-event-secret",
}
MYPY_ERROR = re.compile(r"^(?P<file>[^:\s]+\.py):(?P<line>\d+): (?P<msg>error: .*)$")
DELIVERY = {"operation": "publish", "data": {"id": "ckx", "title": "<b>Ada</b> & co"}}


def module_name(i: int, block: Block) -> str:
    return f"block{i:02d}_{block.file.name.replace('.', '_')}_L{block.line}"


def typecheck(tmp: Path, blocks: list[Block]) -> dict[str, list[str]]:
    """Writes `blocks` as modules into `tmp`, runs `mypy --strict` once; errors per module."""
    names = [module_name(i, b) for i, b in enumerate(blocks)]
    for name, b in zip(names, blocks, strict=True):
        (tmp / f"{name}.py").write_text(b.code)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes",
         "--cache-dir", str(tmp / ".mypy_cache"), *(f"{n}.py" for n in names)],
        capture_output=True, text=True, cwd=tmp,
    )  # fmt: skip
    errors: dict[str, list[str]] = {n: [] for n in names}
    for line in proc.stdout.splitlines():
        m = MYPY_ERROR.match(line)
        if m:
            errors.setdefault(Path(m["file"]).stem, []).append(f"{m['line']}: {m['msg']}")
    if proc.returncode != 0 and not any(errors.values()):
        raise AssertionError(f"mypy failed without an error we could read:\n{proc.stdout}\n{proc.stderr}")
    return errors


def load(tmp: Path, name: str, code: str) -> types.ModuleType:
    """Imports `code` as the module `name`, the way `python -m name` / an ASGI server would."""
    path = tmp / f"{name}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def signed(secret: str = ENV["HYGRAPH_WEBHOOK_SECRET"]) -> tuple[bytes, str]:
    import hookseal

    raw = json.dumps(DELIVERY, separators=(",", ":")).encode()
    return raw, hookseal.generate_webhook_signature(secret=secret, raw_payload=raw)


ACTION = json.dumps({"action": {"name": "greet"}, "input": {"name": "Ada"}, "session_variables": {}}).encode()


def post(client: Any, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    from fastapi.testclient import TestClient

    if isinstance(client, TestClient):  # Starlette's, on httpx
        r = client.post(path, content=body, headers=headers)
        return r.status_code, r.json()
    r = client.post(path, data=body, headers=headers)  # werkzeug's test client
    return r.status_code, r.get_json()


def drive_app(client: Any, action_header: str) -> None:
    raw, sig = signed()
    status, body = post(client, "/api/hygraph", raw, {"gcms-signature": sig})
    assert (status, body.get("ok")) == (200, True), body
    status, body = post(client, "/api/hygraph", raw, {"gcms-signature": sig})
    assert status in (200, 409) and body.get("ok") is None, (status, body)  # the replay guard: a copy
    raw, bad = signed("another-secret")
    status, body = post(client, "/api/hygraph", raw, {"gcms-signature": bad})
    assert (status, body["extensions"]["code"]) == (401, "signature_mismatch"), body

    good = {action_header: ENV["HASURA_ACTION_SECRET"], "content-type": "application/json"}
    assert post(client, "/api/action", ACTION, good) == (200, {"greeting": "Hello, Ada!"})
    status, body = post(client, "/api/action", ACTION, {**good, action_header: "wrong"})
    assert (status, body["extensions"]["code"]) == (401, "secret_mismatch"), body
    status, body = post(client, "/api/action", b'{"input": {}}', good)
    assert (status, body["extensions"]["code"]) == (400, "malformed_payload"), body


def routes(app: Any) -> set[str]:
    """The paths a FastAPI or Flask app serves (empty for anything else)."""
    if hasattr(app, "url_map"):  # Flask
        return {r.rule for r in app.url_map.iter_rules()}
    return {getattr(r, "path", "") for r in getattr(app, "routes", [])}


def drive(module: types.ModuleType) -> bool:
    """Drives what `module` defines; False when no driver knows it."""
    app: Any = getattr(module, "app", None)
    if app is not None and not {"/api/hygraph", "/api/action"} <= routes(app):
        return False  # an app of other routes (a guide's Hasura or framework page): imported and type-checked
    if type(app).__module__.startswith("fastapi"):
        from fastapi.testclient import TestClient

        drive_app(TestClient(app, raise_server_exceptions=False), "ACTION_SECRET")
        return True
    if type(app).__module__.startswith("flask"):
        drive_app(app.test_client(), "X-Action-Secret")
        return True
    handle = getattr(module, "handle", None)
    if callable(handle):
        raw, sig = signed()
        assert handle(raw, {"gcms-signature": sig}) is True
        raw, bad = signed("another-secret")
        assert handle(raw, {"gcms-signature": bad}) is False
        assert handle(raw, {}) is False
        drop_in = getattr(module, "handle_drop_in", None)
        if callable(drop_in):
            good, sig = signed()
            assert drop_in(good, {"gcms-signature": sig}) is True
            assert drop_in(raw, {"gcms-signature": bad}) is False
        return True
    return False


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for k in os.environ.keys() & {"HYGRAPH_WEBHOOK_SECRET", "HASURA_ACTION_SECRET", "HASURA_EVENT_SECRET", "REDIS_URL"}:
        monkeypatch.delenv(k)
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    yield


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return typecheck(tmp_path_factory.mktemp("mypy"), BLOCKS)


def where(block: Block, found: list[str]) -> str:
    file = block.where.rsplit(":", 1)[0]
    return "\n".join(f"{file}:{block.line + int(e.split(':', 1)[0]) - 1}: {e.split(' ', 1)[1]}" for e in found)


def test_the_readmes_have_python_blocks() -> None:
    assert len(BLOCKS) >= 3, [b.where for b in BLOCKS]


@pytest.mark.parametrize("i", range(len(BLOCKS)), ids=[b.where for b in BLOCKS])
def test_block_passes_mypy_strict(i: int, mypy_errors: dict[str, list[str]]) -> None:
    found = mypy_errors[module_name(i, BLOCKS[i])]
    assert not found, where(BLOCKS[i], found)


@pytest.mark.parametrize("i", range(len(BLOCKS)), ids=[b.where for b in BLOCKS])
@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_block_runs(i: int, tmp_path: Path, env: None) -> None:
    module = load(tmp_path, module_name(i, BLOCKS[i]), BLOCKS[i].code)
    drive(module)


QUOTED = re.compile(r'# e\.g\. "(?P<quote>[^"]+)"')


def test_quoted_messages_are_what_the_program_prints(tmp_path: Path, env: None) -> None:
    """A block's `# e.g. "…"` comment quotes what `handle` prints for a delivery signed 912 s ago:
    the README never quotes a message the program does not print."""
    import contextlib
    import io
    import time

    import hookseal

    quoting = [(i, b, m["quote"]) for i, b in enumerate(BLOCKS) for m in QUOTED.finditer(b.code)]
    assert quoting, "no block quotes a message"
    raw = json.dumps(DELIVERY).encode()
    old = hookseal.generate_webhook_signature(
        secret=ENV["HYGRAPH_WEBHOOK_SECRET"], raw_payload=raw, timestamp=int(time.time() * 1000) - 912_000
    )
    for i, block, quote in quoting:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert load(tmp_path, module_name(i, block), block.code).handle(raw, {"gcms-signature": old}) is False
        assert out.getvalue().startswith(quote.split("…")[0]), (block.where, quote, out.getvalue())


def test_every_block_is_driven(tmp_path: Path, env: None) -> None:
    """The README's FastAPI, Flask and plain-function blocks are each driven, not just imported."""
    kinds = []
    for i, b in enumerate(BLOCKS):
        module = load(tmp_path, module_name(i, b), b.code)
        app = getattr(module, "app", None)
        kinds.append(
            type(app).__module__.split(".")[0] if app is not None else getattr(module, "handle", None) and "plain"
        )
    assert {"fastapi", "flask", "plain"} <= set(kinds), kinds


def test_a_wrong_snippet_fails(tmp_path: Path, env: None) -> None:
    """The checkers are not vacuous: a block without `import os`, one without return types, and a
    handler that accepts a wrong signature are each reported."""
    no_os = Block(Path("bad.md"), 1, "python", 'import hookseal\nSECRET = os.environ["HYGRAPH_WEBHOOK_SECRET"]\n')
    untyped = Block(Path("bad.md"), 5, "python", "def handle(raw_body, headers):\n    return True\n")
    with pytest.raises(NameError, match="'os'"):
        load(tmp_path, "bad_no_os", no_os.code)
    found = typecheck(tmp_path, [no_os, untyped])
    assert any('Name "os" is not defined' in e for e in found[module_name(0, no_os)]), found
    assert any("no-untyped-def" in e for e in found[module_name(1, untyped)]), found
    with pytest.raises(AssertionError):
        drive(load(tmp_path, "bad_accepts_all", untyped.code))
