"""What the READMEs state that the code can contradict, and their shell blocks:

- every shell block (`sh`, `bash`, `console`) not marked `not-tested` (see `scripts/readme_blocks.py`)
  runs with `bash -euo pipefail` in an empty temporary directory, offline, with the `hookseal`
  command (`target/debug/hookseal`, or `$HOOKSEAL_CLI`) first on `PATH`, and exits 0;
- every README with Rust blocks is compiled by `cargo test --doc` (a crate's `lib.rs` includes it
  under `cfg(doctest)`; `make test-readme` runs those doc tests), and rustdoc rejects a wrong one;
- README.md's *Error codes* tables list exactly the codes the core's `Error::code` and the
  wrappers (Node, Python, axum) can answer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from readme_blocks import READMES, Block, blocks, of  # noqa: E402

CLI = Path(os.environ.get("HOOKSEAL_CLI") or ROOT / "target" / "debug" / "hookseal").resolve()
SHELL = of(READMES, "sh")
TO_RUN = [b for b in SHELL if "not-tested" not in b.attrs]


def run_shell(block: Block, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{CLI.parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        # Offline: a block that reaches for a proxy or a registry fails rather than hangs.
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.code], cwd=tmp, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def cli() -> Path:
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing: `cargo build -p hookseal-cli` builds it (make test-readme does)")
    return CLI


def test_the_readmes_have_shell_blocks_to_run() -> None:
    assert TO_RUN, [b.where for b in SHELL]


@pytest.mark.parametrize("block", TO_RUN, ids=[b.where for b in TO_RUN])
def test_shell_block_runs(block: Block, tmp_path: Path, cli: Path) -> None:
    proc = run_shell(block, tmp_path)
    assert proc.returncode == 0, f"{block.where}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


def test_a_wrong_shell_block_fails(tmp_path: Path, cli: Path) -> None:
    """The runner is not vacuous: an unset variable, a failing command and a rejected signature
    each fail the block."""
    for code in [
        'hookseal verify --secret "$S" --signature "$H" body.json\n',
        "hookseal-no-such-command --help\n",
        "printf '{}' > b.json\nhookseal verify --secret s --signature 'sign=AAAA, env=master, t=1' b.json\n",
    ]:
        assert run_shell(Block(Path("bad.md"), 1, "sh", code), tmp_path).returncode != 0, code


def test_every_readme_with_rust_blocks_is_doctested() -> None:
    """A crate's lib.rs includes each README with Rust blocks as a `cfg(doctest)` item."""
    included = set()
    for lib in [ROOT / "core" / "src" / "lib.rs", ROOT / "integrations" / "axum" / "src" / "lib.rs"]:
        src = lib.read_text()
        for m in re.finditer(r'#\[cfg\(doctest\)\]\s*#\[doc = include_str!\("([^"]+)"\)\]', src):
            included.add((lib.parent / m[1]).resolve())
    with_rust = {Path(b.file).resolve() for b in blocks(READMES) if b.lang == "rust"}
    assert with_rust, "no Rust blocks found"
    assert with_rust <= included, sorted(str(p.relative_to(ROOT)) for p in with_rust - included)


def test_rustdoc_rejects_a_wrong_rust_block(tmp_path: Path) -> None:
    """The doc-test mechanism is not vacuous: the issue's case, a `String` where the verifier takes
    `&[u8]`, fails to compile (E0308) under `rustdoc --test`, while the same block with bytes passes."""
    bad = "```rust\nfn verify(_raw: &[u8]) {}\nlet raw_body = String::new();\nverify(raw_body);\n```\n"
    good = bad.replace("verify(raw_body);", "verify(raw_body.as_bytes());")
    for name, text in [("bad.md", bad), ("good.md", good)]:
        (tmp_path / name).write_text(text)
    run = [os.environ.get("RUSTDOC", "rustdoc"), "--test", "--test-run-directory", str(tmp_path)]
    bad_run = subprocess.run([*run, "bad.md"], cwd=tmp_path, capture_output=True, text=True)
    assert bad_run.returncode != 0 and "E0308" in bad_run.stdout + bad_run.stderr, bad_run.stdout
    good_run = subprocess.run([*run, "good.md"], cwd=tmp_path, capture_output=True, text=True)
    assert good_run.returncode == 0, good_run.stdout + good_run.stderr


# ---------------------------------------------------------------- error codes

FACES = [
    ROOT / "bindings-node" / "js" / "api.mjs",
    *sorted((ROOT / "bindings-python" / "python" / "hookseal").glob("*.py")),
    *sorted((ROOT / "integrations" / "axum" / "src").glob("*.rs")),
]
# An error answer built by a wrapper: `errorJson(msg, 'code')` (Node), `hasura_error_body(msg, "code")`
# (Python), `error(status, msg, "code")` (axum), `this.code = 'code'` (Node's ReplayStoreError).
CALL = re.compile(r"(?:errorJson|hasura_error_body|\berror)\(((?:[^()]|\([^()]*\))*)\)|this\.code\s*=\s*('[a-z_]+')")
CODE_LITERAL = re.compile(r"""["']([a-z]+(?:_[a-z]+)*)["']\s*,?$""")


def core_codes() -> set[str]:
    src = (ROOT / "core" / "src" / "error.rs").read_text()
    body = src[src.index("pub fn code(&self)") :]
    body = body[: body.index("\n    }\n")]
    return set(re.findall(r'=> "([a-z_]+)"', body))


def face_codes() -> set[str]:
    found = set()
    for f in FACES:
        for m in CALL.finditer(f.read_text()):
            literal = CODE_LITERAL.search((m[1] if m[1] is not None else m[2]).strip())
            if literal:
                found.add(literal[1])
    return found


def readme_codes() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Error codes\n") :]
    section = section[: section.index("\n## ", 1)]
    rows = [ln.split("|")[1] for ln in section.splitlines() if ln.startswith("| `")]
    return {c for row in rows for c in re.findall(r"`([a-z_]+)`", row)}


def test_the_code_scanners_find_codes() -> None:
    assert {"signature_mismatch", "missing_secret", "malformed_payload"} <= core_codes()
    assert {"not_configured", "replay_store_unavailable", "payload_too_large", "hookseal_layer_missing"} <= face_codes()


def test_the_error_table_lists_every_code() -> None:
    expected = core_codes() | face_codes()
    listed = readme_codes()
    assert listed == expected, (
        f"missing from README.md: {sorted(expected - listed)}; unknown: {sorted(listed - expected)}"
    )
