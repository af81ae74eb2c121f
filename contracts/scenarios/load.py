"""Volume: a burst of orders; the batch helpers the generated and restart scenarios share."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from contracts.context import Context, ScenarioFailed
from contracts.generate import eligible
from contracts.observe import Snapshot
from contracts.scenarios import scenario

BURST = 200


def create_many(ctx: Context, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fields = [ctx.order_fields(**body) for body in bodies]  # ids in a replayable order
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda body: ctx.create_order(**body), fields))


def judge_all(
    ctx: Context, snap: Snapshot, orders: list[dict[str, Any]], allow_repeats: bool = False
) -> list[str]:
    """Problems of a batch: eligible orders not forwarded once, ineligible ones forwarded."""
    problems = []
    for order in orders:
        try:
            if eligible(order, ctx.data_handler):
                ctx.expect_once(snap, order["id"], allow_repeats)
            else:
                ctx.expect_none(snap, order["id"], "not eligible")
        except ScenarioFailed as failure:
            problems.append(str(failure))
    ctx.evidence.pop("checked", None)  # too long for a batch; problems say what matters
    return problems


def wait_batch(
    ctx: Context, orders: list[dict[str, Any]], timeout: float, allow_repeats: bool = False
) -> Snapshot:
    """Until every eligible order is in Poplar and every delivery answered; stops early once
    an ineligible order was sent (or, unless ``allow_repeats``, one was sent twice)."""
    wanted = {o["id"] for o in orders if eligible(o, ctx.data_handler)}
    banned = [o["id"] for o in orders if o["id"] not in wanted]
    log = ctx.poplar_log
    certain = (lambda: False) if allow_repeats else (lambda: log.troubled(wanted, set(banned)))
    ctx.wait(lambda: log.accepted(wanted) == wanted, timeout, 0.2, certain)
    ids = [o["id"] for o in orders]
    if allow_repeats:
        return ctx.wait_answered(ids, timeout=timeout)
    return ctx.wait_answered(ids, timeout=timeout, forbidden=banned)


@scenario(
    16,
    "burst",
    "MUST",
    f"A burst of {BURST} orders in a few seconds: every eligible one forwarded once",
)
def burst(ctx: Context) -> None:
    bodies = [
        {"email": ctx.email("burst")} | ({"consents": []} if i % 4 == 3 else {})
        for i in range(BURST)
    ]
    started = time.monotonic()
    orders = create_many(ctx, bodies)
    ctx.evidence["created_in_s"] = round(time.monotonic() - started, 2)
    ctx.evidence["orders"] = (
        f"{len(orders)} orders, {sum(eligible(o, ctx.data_handler) for o in orders)} eligible"
    )
    snap = wait_batch(ctx, orders, 2 * ctx.timeout)
    problems = judge_all(ctx, snap, orders)
    ctx.evidence["problems"] = problems[:10]
    if problems:
        raise ScenarioFailed(f"{len(problems)} of {BURST} orders judged wrong, e.g. {problems[0]}")
