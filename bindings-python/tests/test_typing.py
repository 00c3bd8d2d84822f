"""The stubs cannot drift: mypy --strict on the package and a usage file, and stubtest on the
engine's .pyi against the compiled module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PKG = HERE.parent


def run(*args: str) -> None:
    out = subprocess.run([sys.executable, "-m", *args], cwd=PKG, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict() -> None:
    run("mypy", "--strict", "--no-incremental", "python/hookseal", "tests/typing_usage.py")


def test_stubtest() -> None:
    run("mypy.stubtest", "hookseal._hookseal")
