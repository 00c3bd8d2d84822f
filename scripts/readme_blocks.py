#!/usr/bin/env python3
"""The fenced code blocks of Markdown files, for the tests that check the READMEs' snippets.

    python3 scripts/readme_blocks.py README.md bindings-node/README.md [--lang js,ts]

prints one line per block (`file:line language first-line`). As a module, `blocks(paths)` yields
`Block(file, line, lang, code, attrs)`: `line` is the 1-based line of the block's first code
line, so a checker can map its own error lines back to the README; `lang` is the info string's
first word (words are split at spaces and commas, as rustdoc's `rust,no_run`), normalised by
`LANGS` (`javascript` → `js`, `typescript` → `ts`, `console` → `sh`, …) and empty when the fence
has none. A checker per language picks its blocks with `of(paths, *langs)`.

The info string's further words are the block's `attrs`. One is understood by the checkers:

    ```sh not-tested

a block the tests must not run: it needs the network or a registry (`npm ci`, `pip install`),
builds or runs the whole project (`make …`), or needs a server of the reader's. Every shell block
(`sh`, `bash`, `console`, …) without it is run by `tests/readme/test_readme_facts.py`, in a
temporary directory, offline, with the `hookseal` command on `PATH`. (Rust blocks use rustdoc's
own `no_run`, which compiles without running.)
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every README of the repository with code blocks the tests check.
READMES = [
    ROOT / "README.md",
    ROOT / "core" / "README.md",
    ROOT / "integrations" / "axum" / "README.md",
    ROOT / "bindings-node" / "README.md",
    ROOT / "tests" / "vectors" / "README.md",
    # The documentation site's pages (make docs): their blocks are checked exactly as the READMEs'.
    *sorted((ROOT / "docs").rglob("*.md")),
]

# Info-string spellings that name the same language.
LANGS = {
    "javascript": "js",
    "mjs": "js",
    "cjs": "js",
    "jsx": "js",
    "typescript": "ts",
    "tsx": "ts",
    "py": "python",
    "python3": "python",
    "rs": "rust",
    "bash": "sh",
    "shell": "sh",
    "console": "sh",
    "zsh": "sh",
}

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    file: Path
    line: int
    lang: str
    code: str
    attrs: frozenset[str] = frozenset()

    @property
    def where(self) -> str:
        try:
            name = self.file.resolve().relative_to(ROOT)
        except ValueError:
            name = self.file
        return f"{name}:{self.line}"


def parse(text: str, file: Path) -> Iterator[Block]:
    """The fenced blocks of one Markdown text (CommonMark fences: ``` or ~~~, up to 3 spaces in)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m["fence"], len(m["indent"])
        word = [w for w in re.split(r"[\s,]+", m["info"].strip()) if w]  # rustdoc writes `rust,no_run`
        lang = word[0].lower() if word else ""
        start = i + 1
        j = start
        while j < len(lines):
            close = FENCE.match(lines[j])
            if (
                close
                and close["fence"][0] == fence[0]
                and len(close["fence"]) >= len(fence)
                and not close["info"].strip()
            ):
                break
            j += 1
        # CommonMark: a fence indented N spaces removes up to N spaces from each code line.
        body = [ln[min(indent, len(ln) - len(ln.lstrip(" "))) :] for ln in lines[start:j]]
        attrs = frozenset(word[1:])
        yield Block(file, start + 1, LANGS.get(lang, lang), "\n".join(body) + "\n", attrs)
        i = j + 1


def blocks(paths: Iterable[Path | str]) -> Iterator[Block]:
    for p in paths:
        path = Path(p)
        yield from parse(path.read_text(encoding="utf-8"), path)


def of(paths: Iterable[Path | str], *langs: str) -> list[Block]:
    """The blocks of `paths` in any of `langs` (normalised names: `js`, `ts`, `python`, `sh`, …)."""
    return [b for b in blocks(paths) if b.lang in langs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--lang", default="", help="comma-separated languages to list (default: all)")
    args = parser.parse_args()
    langs = [LANGS.get(x, x) for x in args.lang.split(",") if x]
    for b in of(args.files, *langs) if langs else blocks(args.files):
        print(f"{b.where} {b.lang or '-'} {b.code.splitlines()[0] if b.code.strip() else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
