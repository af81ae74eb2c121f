"""Real vendor paths a mock does not model, from the spec's ``x-unmodelled`` list.

A client calling a path that exists on the real API (Poplar's campaigns or Mailing API, say)
must learn that the mock stops there, not that its path is wrong: each listed path answers 501
in the vendor's envelope, naming the API and pointing to the README's Limits. A path no source
knows keeps Flask's 404. Like every route, the list comes from the one spec file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from mocks.core.errors import ApiError
from mocks.core.pipeline import exchange
from mocks.core.spec import Spec

__all__ = ["UNMODELLED_VERDICT", "Unmodelled", "unmodelled_paths"]

UNMODELLED_VERDICT = "unmodelled"  # the journal's verdict for such a request
_PATH_PARAM = re.compile(r"{([^}/]+)}")


@dataclass(frozen=True)
class Unmodelled:
    """One real path outside the model, and where it is known from."""

    vendor: str
    method: str
    path: str
    api: str
    known_from: tuple[str, ...]

    @property
    def flask_rule(self) -> str:
        return _PATH_PARAM.sub(r"<\1>", self.path)

    def view(self) -> Callable[..., NoReturn]:
        """A Flask view for this path: no gate, no validation, always the 501."""

        def answer(**_: str) -> NoReturn:
            exchange().verdict = UNMODELLED_VERDICT
            raise self.error()

        return answer

    def error(self) -> ApiError:
        """The 501 this path answers: real, named, and outside what the mock models."""
        return ApiError(
            "not_implemented",
            f"{self.method} {self.path} is part of the real {self.vendor} API "
            f"({self.api}), which this mock does not model; see 'Limits' in the mockkit "
            "README. The mock models the endpoints in its OpenAPI document.",
        )


def unmodelled_paths(spec: Spec) -> list[Unmodelled]:
    """The spec's ``x-unmodelled`` entries; messages name the vendor as the spec's title
    does ("Poplar Orders API (mockkit model)" -> Poplar)."""
    vendor = spec.document["info"]["title"].split()[0]
    return [
        Unmodelled(
            vendor,
            entry["method"].upper(),
            entry["path"],
            entry["api"],
            tuple(entry.get("known-from", ())),
        )
        for entry in spec.document.get("x-unmodelled", [])
    ]
