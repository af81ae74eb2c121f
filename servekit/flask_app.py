"""The Flask app the mocks and the harness serve: JSON answers written by orjson, and each
hook and view checked for being a coroutine once, not on every call.

Flask's ``ensure_sync`` inspects the function it is given each time it calls a view or a
``before_request`` / ``after_request`` hook, three times a request; none of ours is async, and
a function's nature does not change, so the answer is kept. That was 2 % of the instructions
of the SoPost mock's ``GET /orders/{id}``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask

from servekit.json_provider import OrjsonProvider

__all__ = ["ServedFlask"]

# Distinct functions remembered; far more than an app has hooks and views, and a bound on
# anything that would hand Flask a fresh function per request.
_KEPT = 1024


class ServedFlask(Flask):
    def __init__(self, import_name: str, **options: Any) -> None:
        super().__init__(import_name, **options)
        self.json = OrjsonProvider(self)  # keeps the documented field order
        self._checked = functools.lru_cache(maxsize=_KEPT)(super().ensure_sync)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return self._checked(func)
