"""What a vendor request leaves behind: its journal entry and, if asked, one log line.

Both are written after the answer is known, from the request's
:class:`~mocks.core.pipeline.Exchange`; the log line reuses the journal's redacted query, so a
secret sent as a query parameter is written nowhere.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from flask import Response
from werkzeug.exceptions import HTTPException

from mocks.core.pipeline import Exchange
from mocks.core.request_log import REQUEST_LOGGER

if TYPE_CHECKING:
    from mocks.core.runtime import MockRuntime

__all__ = ["record_exchange"]

request_log = logging.getLogger(REQUEST_LOGGER)
# Answers given before the body was read whole: there is no body to keep.
_BODY_NOT_READ = (408, 413)


def record_exchange(runtime: MockRuntime, current: Exchange, response: Response) -> None:
    duration = (time.perf_counter() - current.started) * 1000
    verdict = current.verdict or ("valid" if response.status_code < 400 else "invalid")
    request = current.request
    entry = runtime.journal.record(
        time=runtime.clock.now(),
        method=request.method,
        path=request.path,
        query=request.query_string.decode("latin-1"),
        status=0 if current.dropped else response.status_code,  # 0: no answer was sent
        verdict=verdict,
        operation_id=current.operation_id,
        error=current.error,
        body=current.body,
        raw_body=_raw_body(runtime.config.max_body, current, response),
        account=current.account,
        duration_ms=round(duration, 3),
        warnings=list(current.warnings),
    )
    if runtime.config.log_requests:
        query = f"?{entry.query}" if entry.query else ""  # redacted, like the journal's
        request_log.info(
            "%s %s %s%s %d %.1fms %s%s",
            runtime.vendor,
            request.method,
            request.path,
            query,
            response.status_code,
            duration,
            verdict,
            "".join(f"\n  warning: {text}" for text in current.warnings),
        )


def _raw_body(max_body: int, current: Exchange, response: Response) -> bytes | None:
    """The request body for the journal, read only within the limit and only if sent."""
    if response.status_code in _BODY_NOT_READ:
        return None
    if current.operation and not current.operation.has_body:
        return None
    length = current.request.content_length  # chunked ones have one too (servekit reads them)
    if not length or length > max_body:
        return None
    try:
        return current.request.get_data(cache=True)
    except HTTPException:  # werkzeug's own limit (MAX_CONTENT_LENGTH), kept as a backstop
        return None
