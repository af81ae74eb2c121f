"""Turn a webhook request (raw body + headers) into a validated :class:`NewEvent`.

The signature is checked over the raw bytes before anything is parsed, and the payload is
validated against ``OrderEvent`` from ``openapi/sopost.yaml``: the same document the SoPost
mock serves, so the harness and the mock cannot disagree about what an event looks like.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Mapping
from functools import cache
from itertools import accumulate
from typing import Any

import jsonschema_rs
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from harness.store import NewEvent

__all__ = [
    "MAX_JSON_DEPTH",
    "PayloadError",
    "SignatureError",
    "WebhookReceiver",
    "json_depth",
    "order_event_validator",
]

# An OrderEvent is one flat object; the limit only has to stop recursion in the parser and
# the validator (Python's json raises RecursionError near 1,000 levels, even when signed).
MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


class SignatureError(Exception):
    """Missing, malformed, stale or wrong Standard Webhooks signature."""


class PayloadError(Exception):
    """The body is not a valid OrderEvent; ``errors`` say which field and why."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@cache
def _sopost_components() -> dict[str, Any]:
    # Package data shipped with mockkit. The enforced view: the real SoPost is held only to
    # what is known of it (the 40-hex event_id, for one, is an assumption from one example).
    from openapi.provenance import load_view

    return load_view("sopost", enforced_only=True)["components"]


def order_event_validator() -> Any:
    """A compiled validator for ``components.schemas.OrderEvent``.

    Formats are asserted (not just annotations): ``order_id`` ends up in a SoPost URL, so a
    non-UUID there is refused at the door rather than discovered by a worker.
    """
    schema = {"$ref": "#/components/schemas/OrderEvent", "components": _sopost_components()}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def json_depth(body: bytes) -> int:
    """How deeply the body's arrays and objects nest, counted without parsing (no recursion).

    Strings are removed first so brackets inside them do not count; an unterminated string
    leaves its brackets in, which can only over-count a body that is not JSON anyway.
    """
    brackets = _BRACKET.findall(_STRING.sub(b"", body))
    return max(accumulate(1 if b in (b"[", b"{") else -1 for b in brackets), default=0)


class WebhookReceiver:
    def __init__(self, secret: str | None, validator: Any | None = None) -> None:
        self._webhook = Webhook(secret) if secret else None
        self._validator = validator or order_event_validator()

    @property
    def verifies_signatures(self) -> bool:
        return self._webhook is not None

    def parse(self, body: bytes, headers: Mapping[str, str]) -> NewEvent:
        if self._webhook is not None:
            try:
                # The library enforces the 5-minute timestamp tolerance (replay protection).
                self._webhook.verify(body, dict(headers), json_parse=False)
            except (WebhookVerificationError, ValueError, binascii.Error) as exc:
                # ValueError covers malformed headers ("v1" without a comma, bad base64...).
                raise SignatureError(str(exc) or type(exc).__name__) from exc
        if (depth := json_depth(body)) > MAX_JSON_DEPTH:
            raise PayloadError([f"(body): JSON nested {depth} deep, more than {MAX_JSON_DEPTH}"])
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PayloadError([f"body is not JSON: {exc}"]) from exc
        errors = [
            f"{'/'.join(map(str, error.instance_path)) or '(body)'}: {error.message}"
            for error in self._validator.iter_errors(payload)
        ]
        if errors:
            raise PayloadError(errors)
        return NewEvent(
            event_id=payload["event_id"],
            event=payload["event"],
            order_id=payload["order_id"],
            activity_id=payload["activity_id"],
            payload=body.decode("utf-8"),
        )
