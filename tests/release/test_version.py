"""scripts/version.py, on a copy of every file it reads: the tree agrees today; `set` changes
every place and nothing else (a round trip gives the same bytes back); `check` names a place
that disagrees. `make release-check` runs it."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "version.py"
spec = importlib.util.spec_from_file_location("version", SCRIPT)
assert spec and spec.loader
version = importlib.util.module_from_spec(spec)
spec.loader.exec_module(version)


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root), *args], capture_output=True, text=True)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel in dict.fromkeys(p.path for p in version.places()):
        src = ROOT / rel
        if src.exists():
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, tmp_path / rel)
    return tmp_path


def test_the_tree_agrees() -> None:
    res = run(ROOT, "check")
    assert res.returncode == 0, res.stdout + res.stderr


def test_set_changes_every_place_and_round_trips(tree: Path) -> None:
    old = version.current(tree)
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    res = run(tree, "set", "9.8.7")
    assert res.returncode == 0, res.stdout + res.stderr
    for place in version.places():
        text = (tree / place.path).read_text()
        found = place.get(text)
        assert found and set(found) == {"9.8.7"} or (not found and place.path in version.GUIDES), (place.path, found)
    changelog = (tree / "CHANGELOG.md").read_text()
    assert "## [9.8.7] - Unreleased" in changelog and f"## [{old}]" in changelog
    # Back: every file as it was (the CHANGELOG aside: going down adds a heading, undone here).
    assert run(tree, "set", old).returncode == 0
    (tree / "CHANGELOG.md").write_bytes(before[tree / "CHANGELOG.md"])
    assert run(tree, "check").returncode == 0
    after = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    changed = [str(p.relative_to(tree)) for p in before if before[p] != after[p]]
    assert changed == [], f"not byte-identical after a round trip: {changed}"


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        ("bindings-python/pyproject.toml", 'version = "{v}"', 'version = "0.0.9"'),
        ("Cargo.toml", 'version = "{v}"\nedition', 'version = "0.0.9"\nedition'),
        ("Cargo.lock", 'name = "hookseal-axum"\nversion = "{v}"', 'name = "hookseal-axum"\nversion = "0.0.9"'),
        ("bindings-node/package-lock.json", '"version": "{v}"', '"version": "0.0.9"'),
        (
            "examples/nextjs-app-router/package.json",
            "hookseal-linux-x64-gnu-{v}.tgz",
            "hookseal-linux-x64-gnu-0.0.9.tgz",
        ),
    ],
)
def test_check_names_the_place_that_disagrees(tree: Path, rel: str, old: str, new: str) -> None:
    v = version.current(tree)
    path = tree / rel
    text = path.read_text()
    assert old.format(v=v) in text, f"{rel} no longer holds {old!r}"
    path.write_text(text.replace(old.format(v=v), new, 1))
    res = run(tree, "check")
    assert res.returncode == 1 and f"{rel}: 0.0.9" in res.stdout, res.stdout


def test_set_refuses_what_is_not_x_y_z(tree: Path) -> None:
    for bad in ["1.0", "v1.0.0", "1.0.0-rc.1", "01.0.0"]:
        assert run(tree, "set", bad).returncode == 2, bad
