"""Structured (JSON, one object per line) decision logs.

Operators grep and ship these, so every decision is one line with ``event_id`` and
``order_id``; personal data (the email above all) is never passed in, so it cannot leak.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

__all__ = ["JsonFormatter", "configure_logging", "log_decision", "logging_configured"]

LOGGER_NAME = "harness"


class JsonFormatter(logging.Formatter):
    """Render a record as JSON; fields passed in ``extra={"fields": {...}}`` are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def logging_configured() -> bool:
    """Whether :func:`configure_logging` ran in this process (the worker process follows)."""
    logger = logging.getLogger(LOGGER_NAME)
    return any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the harness loggers to stderr as JSON (called by ``python -m harness`` only)."""
    if logging_configured():
        return
    logger = logging.getLogger(LOGGER_NAME)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def log_decision(logger: logging.Logger, decision: str, level: int = logging.INFO, **fields: Any):
    """One line per decision: ``decision`` plus event_id, order_id, reason, attempt..."""
    logger.log(level, decision, extra={"fields": {"decision": decision, **fields}})
