"""What every client replay needs: the mocks' catalogue as a client's config would name it,
the auth headers real clients build, and the warnings a lenient answer carries.

The replays talk HTTP to the live mocks of the pytest plugin (``sopost_mock``, ``poplar_mock``)
with ``requests``, setting every header the client's own HTTP library sends, so what reaches
the mock is the client's request, not a test client's idea of it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import requests

from contracts.client import SoPostControl

__all__ = ["Catalogue", "basic", "catalogue", "warnings"]

# Net::HTTP (Ruby) sets this when a body has no Content-Type; hackney (Elixir) sends a binary
# body as octet-stream. Both are what the client's library puts on the wire, not a choice.
NET_HTTP_DEFAULT = "application/x-www-form-urlencoded"
HACKNEY_BINARY = "application/octet-stream"


@dataclass(frozen=True)
class Catalogue:
    """The ids a client's configuration holds: its activity, stock partitions, credentials."""

    user: str
    password: str
    activity_id: str
    stock_partition_ids: tuple[str, ...]
    consent_ids: tuple[str, ...]


def catalogue(sopost: SoPostControl) -> Catalogue:
    """The default organisation's first activity, as a client configured for it would see it."""
    organisation = sopost.default_organisation()
    activity = organisation["campaigns"][0]["activities"][0]
    return Catalogue(
        user=organisation["api_user"],
        password=organisation["api_password"],
        activity_id=activity["id"],
        stock_partition_ids=tuple(activity["stock_partition_ids"]),
        consent_ids=tuple(c["id"] for c in activity["consents"]),
    )


def basic(user: str, password: str) -> str:
    """The ``Authorization`` value every SoPost client builds by hand."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def warnings(response: requests.Response) -> list[str]:
    """Every ``X-Mockkit-Warning`` header, one per finding (``requests`` would join them)."""
    return response.raw.headers.getlist("X-Mockkit-Warning")
