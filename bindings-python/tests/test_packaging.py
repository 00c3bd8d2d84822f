"""A built wheel installs into a fresh venv and works without cargo on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]


def test_wheel_installs_and_works_without_cargo(tmp_path: Path) -> None:
    maturin = Path(sys.executable).parent / "maturin"
    subprocess.run(
        [str(maturin), "build", "--release", "--quiet", "-o", str(tmp_path / "dist")],
        cwd=PKG,
        check=True,
        capture_output=True,
    )
    wheels = list((tmp_path / "dist").glob("hookseal-*-abi3-*.whl"))
    assert len(wheels) == 1, wheels
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-index", str(wheels[0])], check=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no ~/.cargo/bin
    code = (
        "import shutil, hookseal;"
        "assert shutil.which('cargo') is None;"
        "h = hookseal.generate_webhook_signature(secret='s', raw_payload='{}', timestamp=1);"
        "print(hookseal.verify('{}', h, secret='s', tolerance=None).environment)"
    )
    out = subprocess.run([str(py), "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "master"
    assert os.path.exists(venv / "lib")
