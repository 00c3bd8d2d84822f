#!/usr/bin/env python3
"""Rewrites the lockfiles of the npm examples that install hookseal from dist/npm/ (`make
example-locks`, after `make dist-npm`, whenever an example's dependencies or the platform
packages change).

Each example lists the main tarball and every platform tarball as `file:` dependencies: npm ci
refuses a lockfile that lacks an optional dependency of the main package, and npm keeps only the
platform package that matches the machine. The lock is resolved by `npm install
--package-lock-only`, then the local tarballs lose their "integrity": with one, npm ci installs the
copy of an older tarball that its cache holds under that hash instead of the file (tried).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "examples" / "nextjs-app-router", ROOT / "examples" / "cloudflare-worker"]


def strip_local_integrity(lock: Path) -> None:
    data = json.loads(lock.read_text())
    for entry in data["packages"].values():
        if str(entry.get("resolved", "")).startswith("file:"):
            entry.pop("integrity", None)
    lock.write_text(json.dumps(data, indent=2) + "\n")


def forget_local(lock: Path) -> None:
    """Drops the entries of the local tarballs, so npm reads their manifests again (otherwise
    "up to date" keeps what an older tarball said, e.g. its licence)."""
    if not lock.exists():
        return
    data = json.loads(lock.read_text())
    data["packages"] = {k: v for k, v in data["packages"].items() if not str(v.get("resolved", "")).startswith("file:")}
    lock.write_text(json.dumps(data, indent=2) + "\n")


def main() -> int:
    for app in EXAMPLES:
        forget_local(app / "package-lock.json")
        subprocess.run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], cwd=app, check=True)
        strip_local_integrity(app / "package-lock.json")
        print(f"{app.relative_to(ROOT)}/package-lock.json written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
