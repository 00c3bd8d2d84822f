#!/usr/bin/env python3
"""One version, one place: `make version V=x.y.z` sets it everywhere, `check` fails when any
place disagrees (`make lint` runs it; `make release-check` also checks the artifacts of dist/).

    scripts/version.py check [--dist] [--root DIR]
    scripts/version.py set X.Y.Z [--root DIR]

The places: the Cargo workspace (`[workspace.package] version`, the `hookseal` workspace
dependency, the workspace crates in Cargo.lock and fuzz/Cargo.lock); the npm package
(bindings-node/package.json and package-lock.json: the platform packages and the main package's
optionalDependencies are generated from that version by bindings-node/scripts/dist.js); the
Python package (bindings-python/pyproject.toml); the npm examples that install the tarballs of
dist/npm (their package.json and package-lock.json name the files); the file names the install
guide quotes (README.md, docs/install.md); and CHANGELOG.md, whose newest release heading must be
this version (`set` adds one when it is not). With `--dist`, every file of dist/npm and
dist/python must carry the version too (names and manifests).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

DEFAULT_ROOT = Path(__file__).resolve().parent.parent
# x.y.z, no pre-release: npm and PEP 440 spell those differently.
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
EXAMPLES = ["examples/nextjs-app-router", "examples/cloudflare-worker"]
GUIDES = ["README.md", "docs/install.md"]
# A file name of dist/: hookseal-0.1.0.tgz, hookseal-linux-x64-gnu-0.1.0.tgz, hookseal-0.1.0-cp310-….whl,
# hookseal-0.1.0.tar.gz.
DIST_NAME = re.compile(
    r"(hookseal(?:-(?:linux|darwin|win32)-[a-z0-9]+(?:-[a-z]+)?)?-)(\d+\.\d+\.\d+)(?=\.tgz|\.tar\.gz|-cp)"
)
WORKSPACE_CRATE = re.compile(r'(\[\[package\]\]\nname = "hookseal(?:-[a-z-]+)?"\nversion = ")([^"]+)(")')


class Place:
    """One spot that holds the version: `get` reads what it says (a list: some hold it several
    times), `put` writes a new one."""

    def __init__(self, path: str, get: Callable[[str], list[str]], put: Callable[[str, str], str]) -> None:
        self.path, self.get, self.put = path, get, put


def toml_key(section: str, key: str) -> tuple[Callable[[str], list[str]], Callable[[str, str], str]]:
    """`key = "…"` inside `[section]` (up to the next section header)."""
    pattern = re.compile(rf'(^\[{re.escape(section)}\]\n(?:(?!\[).*\n)*?{re.escape(key)} = ")([^"]*)(")', re.M)
    return (
        lambda text: [m[2] for m in pattern.finditer(text)] or ["<missing>"],
        lambda text, v: pattern.sub(lambda m: m[1] + v + m[3], text),
    )


def regex(pattern: re.Pattern[str], group: int = 2) -> tuple[Callable[[str], list[str]], Callable[[str, str], str]]:
    return (
        lambda text: [m[group] for m in pattern.finditer(text)] or ["<missing>"],
        lambda text, v: pattern.sub(lambda m: "".join(v if i == group else m[i] for i in range(1, 4)), text),
    )


def dist_names() -> tuple[Callable[[str], list[str]], Callable[[str, str], str]]:
    """Every dist/ file name the text quotes (none is fine)."""
    return (
        lambda text: [m[2] for m in DIST_NAME.finditer(text)],
        lambda text, v: DIST_NAME.sub(lambda m: m[1] + v, text),
    )


def npm_lock() -> tuple[Callable[[str], list[str]], Callable[[str, str], str]]:
    """bindings-node/package-lock.json: the top-level version and the root package's."""

    def get(text: str) -> list[str]:
        data = json.loads(text)
        return [data.get("version", "<missing>"), data["packages"][""].get("version", "<missing>")]

    def put(text: str, v: str) -> str:
        data = json.loads(text)
        data["version"] = v
        data["packages"][""]["version"] = v
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"  # as npm writes it

    return get, put


def json_version() -> tuple[Callable[[str], list[str]], Callable[[str, str], str]]:
    pattern = re.compile(r'^(  "version": ")([^"]+)(")', re.M)  # the top-level key (two-space indent)
    return regex(pattern)


def example_manifest() -> tuple[Callable[[str], list[str]], Callable[[str, str], str]]:
    return dist_names()


def example_lock() -> tuple[Callable[[str], list[str]], Callable[[str, str], str]]:
    """An example's lockfile: the dist/ file names, and the hookseal entries' versions (and the
    versions of the platform packages the main package's entry lists)."""

    def entries(data: dict[str, object]) -> list[dict[str, object]]:
        packages = data["packages"]
        assert isinstance(packages, dict)
        return [v for k, v in packages.items() if re.fullmatch(r"node_modules/hookseal(-[a-z0-9-]+)?", k)]

    def get(text: str) -> list[str]:
        data = json.loads(text)
        found = [m[2] for m in DIST_NAME.finditer(text)]
        for e in entries(data):
            found.append(str(e.get("version")))
            optional = e.get("optionalDependencies") or {}
            assert isinstance(optional, dict)
            found += [str(x) for k, x in optional.items() if k.startswith("hookseal-")]
        return found or ["<missing>"]

    def put(text: str, v: str) -> str:
        data = json.loads(DIST_NAME.sub(lambda m: m[1] + v, text))
        for e in entries(data):
            e["version"] = v
            optional = e.get("optionalDependencies")
            if isinstance(optional, dict):
                for k in optional:
                    if k.startswith("hookseal-"):
                        optional[k] = v
        return json.dumps(data, indent=2) + "\n"

    return get, put


def changelog() -> tuple[Callable[[str], list[str]], Callable[[str, str], str]]:
    """The newest release heading, `## [x.y.z] - date` (an `## [Unreleased]` above it is fine)."""
    heading = re.compile(r"^## \[(?!Unreleased\])([^\]]+)\]", re.M)

    def get(text: str) -> list[str]:
        m = heading.search(text)
        return [m[1]] if m else ["<missing>"]

    def put(text: str, v: str) -> str:
        m = heading.search(text)
        if m and m[1] == v:
            return text
        entry = f"## [{v}] - Unreleased\n\n"
        if m:
            return text[: m.start()] + entry + text[m.start() :]
        return text.rstrip("\n") + "\n\n" + entry

    return get, put


def places() -> list[Place]:
    out = [
        Place("Cargo.toml", *toml_key("workspace.package", "version")),
        Place("Cargo.toml", *regex(re.compile(r'^(hookseal = \{ path = "core", version = ")([^"]+)(")', re.M))),
        Place("Cargo.lock", *regex(WORKSPACE_CRATE)),
        Place("fuzz/Cargo.lock", *regex(re.compile(r'(\[\[package\]\]\nname = "hookseal"\nversion = ")([^"]+)(")'))),
        Place("bindings-node/package.json", *json_version()),
        Place("bindings-node/package-lock.json", *npm_lock()),
        Place("bindings-python/pyproject.toml", *toml_key("project", "version")),
        Place("CHANGELOG.md", *changelog()),
    ]
    for ex in EXAMPLES:
        out.append(Place(f"{ex}/package.json", *example_manifest()))
        out.append(Place(f"{ex}/package-lock.json", *example_lock()))
    out += [Place(g, *dist_names()) for g in GUIDES]
    return out


def current(root: Path) -> str:
    return str(json.loads((root / "bindings-node" / "package.json").read_text())["version"])


def dist_problems(root: Path, v: str) -> list[str]:
    problems: list[str] = []
    npm, py = root / "dist" / "npm", root / "dist" / "python"
    for t in sorted(npm.glob("*.tgz")):
        with tarfile.open(t) as tar:
            f = tar.extractfile("package/package.json")
            manifest = json.loads(f.read()) if f else {}
        found = {manifest.get("version")} | set((manifest.get("optionalDependencies") or {}).values())
        if not t.name.endswith(f"-{v}.tgz") or found != {v}:
            problems.append(f"dist/npm/{t.name}: {sorted(map(str, found))}")
    for w in sorted(py.iterdir()) if py.is_dir() else []:
        if not (w.name.startswith(f"hookseal-{v}-") or w.name == f"hookseal-{v}.tar.gz"):
            problems.append(f"dist/python/{w.name}")
        elif w.suffix == ".whl":
            with zipfile.ZipFile(w) as z:
                meta = z.read(f"hookseal-{v}.dist-info/METADATA").decode()
            if f"\nVersion: {v}\n" not in meta:
                problems.append(f"dist/python/{w.name}: METADATA")
    return problems


def check(root: Path, with_dist: bool) -> int:
    v = current(root)
    problems: list[str] = []
    for p in places():
        path = root / p.path
        if not path.exists():
            problems.append(f"{p.path}: missing")
            continue
        wrong = sorted({x for x in p.get(path.read_text()) if x != v})
        if wrong:
            problems.append(f"{p.path}: {', '.join(wrong)}")
    if with_dist:
        problems += dist_problems(root, v)
    if problems:
        print(f"version: bindings-node/package.json says {v}; these disagree (`make version V={v}` fixes the sources):")
        for line in problems:
            print(f"  {line}")
        return 1
    print(f"version: {v} everywhere ({len(places())} places{', and dist/' if with_dist else ''})")
    return 0


def set_version(root: Path, v: str) -> int:
    if not SEMVER.fullmatch(v):
        print(f"version: {v!r} is not x.y.z (SemVer)", file=sys.stderr)
        return 2
    changed = []
    for p in places():
        path = root / p.path
        if not path.exists():
            continue
        text = path.read_text()
        new = p.put(text, v)
        if new != text:
            path.write_text(new)
            changed.append(p.path)
    for c in dict.fromkeys(changed):
        print(f"  {c}")
    return check(root, with_dist=False)


def main() -> int:
    parser = argparse.ArgumentParser(description="One version everywhere: check it, or set it.")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("--dist", action="store_true", help="also the files of dist/npm and dist/python")
    s = sub.add_parser("set")
    s.add_argument("version")
    args = parser.parse_args()
    if args.cmd == "check":
        return check(args.root, args.dist)
    return set_version(args.root, args.version)


if __name__ == "__main__":
    sys.exit(main())
