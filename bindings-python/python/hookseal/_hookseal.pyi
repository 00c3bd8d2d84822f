"""The private engine of hookseal (Rust, pyo3). Use the `hookseal` package instead."""

from typing import Any, Final, final

__all__ = [
    "DropIn",
    "StrictVerifier",
    "SharedSecret",
    "MemoryGuard",
    "generate",
    "js_stringify",
    "hasura_error_body",
    "hasura_auth_response",
    "hasura_check",
    "error_codes",
    "hasura_delivery",
    "hasura_auth_answer",
    "hasura_auth_cache_key",
    "wrapper_codes",
    "replay_key_for_body",
    "REPLAY_KEY_PREFIX",
    "DEFAULT_PROCESSING_TTL_MS",
    "DEFAULT_MAX_ENTRIES",
    "REPLAY_CLAIM_SCRIPT",
    "REPLAY_COMPLETE_SCRIPT",
    "REPLAY_RELEASE_SCRIPT",
    "HEADER",
    "HASURA_EVENT_DONE_TTL_MS",
    "HASURA_RETRY_AFTER_SECS",
]

REPLAY_KEY_PREFIX: Final[str]
DEFAULT_PROCESSING_TTL_MS: Final[int]
DEFAULT_MAX_ENTRIES: Final[int]
REPLAY_CLAIM_SCRIPT: Final[str]
REPLAY_COMPLETE_SCRIPT: Final[str]
REPLAY_RELEASE_SCRIPT: Final[str]
HEADER: Final[str]
HASURA_EVENT_DONE_TTL_MS: Final[int]
HASURA_RETRY_AFTER_SECS: Final[int]

@final
class DropIn:
    def __new__(cls, secrets: list[bytes]) -> DropIn: ...
    def verify(self, signature: str, raw_payload: str | bytes | None, body: Any) -> bool: ...

@final
class StrictVerifier:
    def __new__(cls, secrets: list[bytes], tolerance: int | None, environments: list[str] | None) -> StrictVerifier: ...
    def verify(self, raw: str | bytes, header: str | None, now_ms: int) -> tuple[str, int, int, str]: ...
    def done_ttl_ms(self) -> int: ...

@final
class SharedSecret:
    def __new__(cls, header: str, secrets: list[bytes]) -> SharedSecret: ...
    @property
    def header(self) -> str: ...
    def check(self, values: list[bytes]) -> None: ...

@final
class MemoryGuard:
    def __new__(cls, max_entries: int) -> MemoryGuard: ...
    def claim(self, key: str, token: str, now_ms: int, processing_ttl_ms: int) -> str: ...
    def complete(self, key: str, token: str, now_ms: int, done_ttl_ms: int) -> bool: ...
    def release(self, key: str, token: str, now_ms: int) -> bool: ...
    def __len__(self) -> int: ...
    @property
    def max_entries(self) -> int: ...

def generate(secret: bytes, raw_payload: str | bytes | None, body: Any, environment: str, timestamp: float) -> str: ...
def js_stringify(body: Any) -> str: ...
def hasura_error_body(message: str, code: str) -> str: ...
def hasura_auth_response(
    entries: list[tuple[str, str | int | float | bool]], max_age: int | None = None, expires: int | None = None
) -> str: ...
def hasura_check(kind: str, body: bytes) -> None: ...
def error_codes() -> list[str]: ...
def hasura_delivery(body: bytes) -> tuple[str, str, str]: ...
def hasura_auth_answer(
    mode: str, session_json: bytes, max_age: int | None, expires_at: float | None, now: float
) -> tuple[str, int | None]: ...
def hasura_auth_cache_key(mode: str, names: list[str], headers: list[tuple[str, str]]) -> str | None: ...
def wrapper_codes() -> list[str]: ...
def replay_key_for_body(env: str, body: bytes) -> str: ...
