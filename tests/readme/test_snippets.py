"""Every JS/TS code block of the READMEs and the docs/ pages (`readme_blocks.READMES`) type-checks against the npm
package's bundled types, under `strict: true`, the way a user's file would:

- a block with `import`/`export` is an ES module in a `.ts` file (like a Next.js `route.ts`);
- a block that uses `require` is a CommonJS `.cjs` file, checked with `checkJs`;
- `hookseal` resolves through the package's `exports` to its `index.d.ts`, as when installed;
- names a snippet uses but does not define come from `snippet-globals.d.ts`, and only those.

One `tsc` run checks them all; each block is a test case, failing with the errors at README lines.
Blocks are found by `scripts/readme_blocks.py`, which other checkers (Python, Rust, shell) share.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from readme_blocks import READMES, Block, of  # noqa: E402

NODE = ROOT / "bindings-node"
TSC = NODE / "node_modules" / ".bin" / "tsc"
GLOBALS = Path(__file__).with_name("snippet-globals.d.ts")
ERROR = re.compile(r"^(?P<file>[^(\s]+)\((?P<line>\d+),(?P<col>\d+)\): (?P<msg>error TS\d+: .*)$")

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "es2022",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "lib": ["es2022", "dom"],
        "types": ["node"],
        "allowJs": True,
        "checkJs": True,
        "skipLibCheck": False,
    },
}


def file_name(i: int, block: Block) -> str:
    esm = re.search(r"^\s*(import|export)\b", block.code, re.M)
    ext = "ts" if block.lang == "ts" or esm or "require(" not in block.code else "cjs"
    return f"block{i:02d}_{Path(block.file).name.replace('.', '_')}_L{block.line}.{ext}"


def typecheck(tmp: Path, blocks: list[Block]) -> dict[str, list[str]]:
    """Writes `blocks` into a fresh project in `tmp`, runs tsc once; errors per file name."""
    (tmp / "node_modules").mkdir(parents=True)
    (tmp / "node_modules" / "hookseal").symlink_to(NODE)
    # @types/node, and the frameworks docs/frameworks/*.md use (Express with its @types, Hono with
    # its own): dev-dependencies of bindings-node. `"types": ["node"]` keeps the globals to Node's.
    (tmp / "node_modules" / "@types").symlink_to(NODE / "node_modules" / "@types")
    for name in ("express", "hono"):
        (tmp / "node_modules" / name).symlink_to(NODE / "node_modules" / name)
    (tmp / "package.json").write_text('{"name": "readme-snippets", "private": true, "type": "module"}\n')
    names = [file_name(i, b) for i, b in enumerate(blocks)]
    for name, b in zip(names, blocks, strict=True):
        (tmp / name).write_text(b.code)
    (tmp / "globals.d.ts").write_text(GLOBALS.read_text())
    (tmp / "tsconfig.json").write_text(json.dumps({**TSCONFIG, "files": ["globals.d.ts", *names]}, indent=2))
    proc = subprocess.run([str(TSC), "-p", str(tmp), "--pretty", "false"], capture_output=True, text=True, cwd=tmp)
    errors: dict[str, list[str]] = {n: [] for n in names}
    for line in proc.stdout.splitlines():
        m = ERROR.match(line.strip())
        if m:
            errors.setdefault(Path(m["file"]).name, []).append(f"{m['line']}:{m['col']} {m['msg']}")
        elif line.startswith(" ") and errors:  # a continuation of the last message
            last = next(reversed([v for v in errors.values() if v]), None)
            if last is not None:
                last[-1] += "\n    " + line.strip()
    if proc.returncode != 0 and not any(errors.values()):
        raise AssertionError(f"tsc failed without an error we could read:\n{proc.stdout}\n{proc.stderr}")
    return errors


BLOCKS = of(READMES, "js", "ts")


@pytest.fixture(scope="module")
def errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    if not TSC.exists():
        pytest.fail("bindings-node/node_modules is missing: `make node-deps` installs TypeScript")
    return typecheck(tmp_path_factory.mktemp("snippets"), BLOCKS)


def test_the_readmes_have_js_blocks() -> None:
    assert len(BLOCKS) >= 5, [b.where for b in BLOCKS]


@pytest.mark.parametrize("i", range(len(BLOCKS)), ids=[b.where for b in BLOCKS])
def test_block_typechecks(i: int, errors: dict[str, list[str]]) -> None:
    block = BLOCKS[i]
    found = errors[file_name(i, block)]
    file = block.where.rsplit(":", 1)[0]
    where = [f"{file}:{block.line + int(e.split(':', 1)[0]) - 1}: {e.split(' ', 1)[1]}" for e in found]
    assert not found, "\n".join(where)


def test_a_wrong_snippet_fails(tmp_path: Path) -> None:
    """The checker is not vacuous: a handler that reads a field the types do not have, a wrong
    argument type and an unannotated `(req, res)` App Router misuse are all reported."""
    bad = [
        Block(Path("bad.md"), 1, "js", 'import { verify } from "hookseal";\nverify("{}", "h", { secret: 42 });\n'),
        Block(
            Path("bad.md"), 5, "js", 'const { verify } = require("hookseal");\nverify("{}", "h", { secrets: "s" });\n'
        ),
        Block(Path("bad.md"), 9, "ts", 'import { backend } from "hookseal";\nconst b: "native" = backend;\n'),
    ]
    found = typecheck(tmp_path, bad)
    assert all(found[file_name(i, b)] for i, b in enumerate(bad)), found
