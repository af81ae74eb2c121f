"""Durability: a crash while acknowledged events wait to be forwarded loses none of them.

SoPost sends an event until it is acknowledged and never again, so an integration that
answers 2xx must already have the event somewhere that survives a crash. The kit holds
Poplar in a fault (every submit answers 503) so nothing acknowledged can be forwarded yet,
SIGKILLs the integration's whole process group, starts it again, and lifts the fault.
"""

from __future__ import annotations

from contracts.context import Context, ScenarioFailed
from contracts.observe import SUBMIT_PATH
from contracts.scenarios import scenario
from contracts.scenarios.load import create_many, judge_all, wait_batch

RESTART_ORDERS = 8  # every fourth without consent: acknowledged, but never to be forwarded


@scenario(
    18,
    "restart",
    "MUST",
    "Killed (SIGKILL) while acknowledged events wait for Poplar, then restarted: every "
    "acknowledged eligible order reaches Poplar exactly once",
    alone=True,
)
def restart(ctx: Context) -> None:
    integration = ctx.require_exec()
    hold = ctx.add_fault("poplar", method="POST", path=SUBMIT_PATH, status=503)
    orders = create_many(
        ctx, [{"consents": []} if i % 4 == 3 else {} for i in range(RESTART_ORDERS)]
    )
    ids = [o["id"] for o in orders]
    if not ctx.wait(lambda: ctx.answered(ids), ctx.timeout, 0.05):
        raise ScenarioFailed(
            "not every delivery was acknowledged while Poplar answered 503 "
            "(acknowledge first, forward later)"
        )
    ctx.hint = (
        "the event was acknowledged before the kill and never forwarded after the restart: "
        "store it durably (disk, database) before answering 2xx, and resume pending work at start"
    )
    ctx.evidence["killed_with"] = integration.kill()
    integration.start()
    ctx.mocks.poplar.remove_fault(hold["id"])
    ctx.evidence.update(restarted=True, poplar_held_with=503)
    problems = judge_all(ctx, wait_batch(ctx, orders, ctx.timeout), orders)
    ctx.evidence["problems"] = problems[:10]
    if problems:
        raise ScenarioFailed(
            f"{len(problems)} of {len(orders)} acknowledged orders judged wrong after the "
            f"kill and restart, e.g. {problems[0]}"
        )
