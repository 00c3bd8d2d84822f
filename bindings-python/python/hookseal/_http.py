"""What the framework integrations answer, shared by FastAPI and Flask."""

from __future__ import annotations

import json
from typing import Any

from . import _hookseal
from ._errors import ReplayStoreError, WebhookVerificationError


def failure(exc: Exception) -> tuple[int, dict[str, Any]]:
    """Status and body for a failed check, in Hasura's error shape."""
    if isinstance(exc, WebhookVerificationError):
        return 401, json.loads(_hookseal.hasura_error_body(str(exc), exc.code))
    if isinstance(exc, ReplayStoreError):
        return 503, json.loads(_hookseal.hasura_error_body(str(exc), "replay_store_unavailable"))
    raise exc


IN_PROGRESS: tuple[int, dict[str, Any]] = (
    409,
    json.loads(_hookseal.hasura_error_body("this delivery is being processed; retry later", "replayed")),
)
DUPLICATE: tuple[int, dict[str, Any]] = (200, {"duplicate": True})


def signature_header(headers: Any, name: str) -> str | None:
    """The signature header's value; a header sent more than once is malformed_signature, as in
    the Node face (which sees the copies joined) and the shared-secret check (contract §3)."""
    getlist = getattr(headers, "getlist", None)
    if callable(getlist):
        values = list(getlist(name))
        if len(values) > 1:
            raise WebhookVerificationError(
                f"the {name} header is malformed: it was given more than once", "malformed_signature"
            )
        return str(values[0]) if values else None
    value = headers.get(name)
    return value if value is None or isinstance(value, str) else str(value)
