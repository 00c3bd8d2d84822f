"""Shared helpers: the vector files and a Redis URL."""

from __future__ import annotations

import json
import os
import socket
import struct
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def from_utf16(units: list[int]) -> str:
    """A Python str from UTF-16 code units, lone surrogates kept."""
    return struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", "surrogatepass")


def text(case: dict[str, Any], field: str) -> str | None:
    if case.get(field + "Utf16") is not None:
        return from_utf16(case[field + "Utf16"])
    value = case.get(field)
    return value if isinstance(value, str) else None


def materialize(value: Any) -> str | None:
    """A catalogue field: a string, or {"repeat": s, "times": n} for huge inputs."""
    if isinstance(value, dict):
        return str(value["repeat"]) * int(value["times"])
    return value if isinstance(value, str) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set: run the suite through scripts/with-redis.sh (make test-python does)")
    return url
