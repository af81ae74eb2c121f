"""Typed API errors that each vendor renders in its own envelope.

State and validation code raise :class:`ApiError` with a canonical ``code``; the vendor's Flask
layer turns it into that vendor's body shape, so business code never builds HTTP bodies.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol, TypeVar

__all__ = ["STATUS_CODES", "ApiError", "ErrorRenderer", "error_body", "found"]

T = TypeVar("T")

# Canonical error codes and their HTTP status. Vendors map codes to their own wording.
STATUS_CODES: dict[str, int] = {
    "validation_error": 400,
    "malformed_json": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "request_timeout": 408,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "misdirected_request": 421,
    "rate_limited": 429,
    "server_error": 500,
    "not_implemented": 501,
    "service_unavailable": 503,
}


@dataclass
class ApiError(Exception):
    """An error the client caused (or a fault we injected), with how to fix it.

    ``field`` is a dotted path (``address.postcode``) when a single field is at fault.
    """

    code: str
    message: str
    field: str | None = None
    status: int = 0
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.status:
            self.status = STATUS_CODES.get(self.code, 400)
        super().__init__(self.message)

    @classmethod
    def not_found(cls, message: str, field: str) -> ApiError:
        """404 for an id that names nothing the caller may see (missing and foreign alike)."""
        return cls("not_found", message, field=field)

    @classmethod
    def from_status(cls, status: int, message: str) -> ApiError:
        """An error for an arbitrary status, e.g. one a fault rule injects."""
        code = next((c for c, s in STATUS_CODES.items() if s == status), None)
        if code is None:
            code = "server_error" if status >= 500 else "validation_error"
        return cls(code, message, status=status)


def found(value: T | None, message: str, field: str) -> T:
    """``value``, or the 404 naming ``field`` when there is none."""
    if value is None:
        raise ApiError.not_found(message, field)
    return value


class ErrorRenderer(Protocol):
    """Turns an :class:`ApiError` into a vendor's JSON error body."""

    def __call__(self, error: ApiError) -> dict: ...


def error_body(error: ApiError) -> dict:
    """``{"error": {"code", "message", "field"?}}``: the control API's and SoPost's envelope.

    SoPost's real error body is not public; using this shape for it is an assumption.
    """
    body: dict = {"code": error.code, "message": error.message}
    if error.field:
        body["field"] = error.field
    return {"error": body}
