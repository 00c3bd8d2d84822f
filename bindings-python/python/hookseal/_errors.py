"""The errors every hookseal function raises (the Rust engine raises these classes too)."""

from __future__ import annotations

__all__ = ["ReplayStoreError", "WebhookVerificationError"]


class WebhookVerificationError(ValueError):
    """A delivery failed verification. ``code`` is stable (see the README's table); the message
    says why and never holds a secret, a computed MAC or the body."""

    code: str

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type[WebhookVerificationError], tuple[str, str]]:
        return (type(self), (str(self), self.code))

    def __repr__(self) -> str:
        return f"WebhookVerificationError({str(self)!r}, code={self.code!r})"


class ReplayStoreError(RuntimeError):
    """The replay store (Redis) could not be reached; the wrappers answer 503 so the sender
    retries, and never accept a delivery unguarded."""
