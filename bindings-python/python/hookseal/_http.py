"""HTTP details the receiver shares with every adapter."""

from __future__ import annotations

from typing import Any

from ._errors import WebhookVerificationError


def signature_header(headers: Any, name: str) -> str | None:
    """The signature header's value, its name matched in any case (a plain mapping is scanned; a
    list value is the header's copies); a header sent more than once is malformed_signature, as in
    the Node face (which sees the copies joined) and the shared-secret check (contract §3)."""
    getlist = getattr(headers, "getlist", None)
    if callable(getlist):
        values = list(getlist(name))
        if len(values) > 1:
            raise WebhookVerificationError(
                f"the {name} header is malformed: it was given more than once", "malformed_signature"
            )
        return str(values[0]) if values else None
    lname = name.lower()
    found = [v for k, v in headers.items() if isinstance(k, str) and k.lower() == lname]
    values = [x for v in found for x in (v if isinstance(v, (list, tuple)) else [v]) if x is not None]
    if len(values) > 1:
        raise WebhookVerificationError(
            f"the {name} header is malformed: it was given more than once", "malformed_signature"
        )
    if not values:
        return None
    value = values[0]
    return value if isinstance(value, str) else value.decode("latin-1") if isinstance(value, bytes) else str(value)
