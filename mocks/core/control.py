"""Handlers of the control API operations both mocks serve (``openapi/control.yaml``).

Vendor apps merge these with their own control handlers; routing and validation come from the
control spec like any vendor route, so the control API is held to its spec too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mocks.core.clock import iso_utc
from mocks.core.errors import ApiError
from mocks.core.faults import unsendable_header
from mocks.core.runtime import Handler, MockRuntime
from mocks.core.spec import ValidatedRequest

__all__ = ["common_control_handlers"]


def common_control_handlers(runtime: MockRuntime, reset: Callable[[], None]) -> dict[str, Handler]:
    """Health, reset, journal, faults and clock for ``runtime``; ``reset`` rebuilds vendor state."""

    def get_health(_: ValidatedRequest) -> dict[str, Any]:
        return {
            "status": "ok",
            "vendor": runtime.vendor,
            "seed": runtime.config.seed,
            "clock": "manual" if runtime.clock.manual else "real",
        }

    def do_reset(_: ValidatedRequest) -> dict[str, Any]:
        runtime.faults.clear()
        runtime.journal.clear()
        runtime.scheduler.clear()
        reset()
        return {"status": "reset"}

    def list_requests(req: ValidatedRequest) -> dict[str, Any]:
        entries = runtime.journal.entries(**req.query)
        return {"requests": [entry.to_dict() for entry in entries]}

    def clear_requests(_: ValidatedRequest) -> dict[str, Any]:
        return {"cleared": runtime.journal.clear()}

    def add_fault(req: ValidatedRequest) -> tuple[dict[str, Any], int]:
        problem = unsendable_header(req.body.get("headers") or {})
        if problem is not None:
            raise ApiError("validation_error", f"Fault rule header {problem}", field="headers")
        rule = runtime.faults.add(**req.body)
        return rule.to_dict(), 201

    def list_faults(_: ValidatedRequest) -> dict[str, Any]:
        return {"faults": [rule.to_dict() for rule in runtime.faults.list()]}

    def clear_faults(_: ValidatedRequest) -> dict[str, Any]:
        count = len(runtime.faults.list())
        runtime.faults.clear()
        return {"cleared": count}

    def delete_fault(req: ValidatedRequest) -> tuple[str, int]:
        if not runtime.faults.remove(req.path_params["fault_id"]):
            raise ApiError(
                "not_found",
                f"No fault rule {req.path_params['fault_id']!r}; "
                "GET /_mock/faults lists the active ones.",
                field="fault_id",
            )
        return "", 204

    def get_clock(_: ValidatedRequest) -> dict[str, Any]:
        return clock_state()

    def advance_clock(req: ValidatedRequest) -> dict[str, Any]:
        if not runtime.clock.manual:
            raise ApiError(
                "conflict",
                "The clock is real; start the mock with --clock manual to advance it.",
                status=409,
            )
        ran = runtime.scheduler.advance(float(req.body["seconds"]))
        return {**clock_state(), "ran": ran}

    def clock_state() -> dict[str, Any]:
        now = runtime.clock.now()
        return {
            "now": now,
            "iso": iso_utc(now),
            "manual": runtime.clock.manual,
            "pending": [{"due": due, "label": label} for due, label in runtime.scheduler.pending()],
        }

    return {
        "getHealth": get_health,
        "reset": do_reset,
        "listRequests": list_requests,
        "clearRequests": clear_requests,
        "addFault": add_fault,
        "listFaults": list_faults,
        "clearFaults": clear_faults,
        "deleteFault": delete_fault,
        "getClock": get_clock,
        "advanceClock": advance_clock,
    }
