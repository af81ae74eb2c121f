"""The headers of one webhook delivery, signed the Standard Webhooks way when there is a secret.

Signing uses wall-clock time even under a manual mock clock: receivers check the timestamp
against their own clock. ``webhook-id`` is the event id, so a receiver that deduplicates on it
sees a duplicate or a redelivery as the same event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

__all__ = ["delivery_headers"]


def delivery_headers(event_id: str, secret: str | None, body: bytes) -> dict[str, str]:
    """Content type, ``webhook-id`` and ``webhook-timestamp``, and the signature if signed."""
    sent_at = datetime.now(tz=UTC)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
    }
    if secret:
        headers["webhook-signature"] = Webhook(secret).sign(event_id, sent_at, body.decode())
    return headers
