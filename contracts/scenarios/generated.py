"""Orders generated from SoPost's ``Order`` schema, and a bounded shrink of a failing one.

Generation is hypothesis's (seeded by the run seed, so ``--seed`` replays it). Shrinking is
not: every candidate is a live round trip through the integration, so instead of
hypothesis's thousands of tries a greedy pass drops one feature at a time (questions, extra
line items, optional fields) and keeps what still fails, within a few seconds. The smallest
failing order found so far is reported, however far it got.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from contracts.context import Context, ScenarioFailed
from contracts.generate import eligible, order_fields, tagged
from contracts.scenarios import scenario
from contracts.scenarios.load import create_many, judge_all, wait_batch

PROPERTY_EXAMPLES = 20
SHRINK_BUDGET_S = 5.0


def draw_examples(
    at: int, data_handler: str, partitions: list[str], count: int = PROPERTY_EXAMPLES
) -> list[dict[str, Any]]:
    """``count`` generated order bodies for seed ``at`` (seconds of CPU: see prepare)."""
    drawn: list[dict[str, Any]] = []

    @seed(at)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(order_fields(data_handler, partitions))
    def collect(body: dict[str, Any]) -> None:
        drawn.append(body)

    collect()
    return drawn[:count]


def _tagged(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    return tagged(body, ctx.email("gen").split("@", 1)[0])


def _simpler(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Bodies one step simpler than ``body``, most reducing first."""
    questions = body.get("custom_questions") or []
    if questions:
        yield {**body, "custom_questions": []}
        if len(questions) > 1:
            yield {**body, "custom_questions": questions[: len(questions) // 2]}
    if len(body.get("line_items") or []) > 1:
        yield {**body, "line_items": body["line_items"][:1]}
    if body.get("telephone") is not None:
        yield {**body, "telephone": None}
    address = body.get("address") or {}
    for key in ("line_2", "district"):
        if address.get(key) is not None:
            yield {**body, "address": {**address, key: None}}
    for key, plain in (("full_name", "N"), ("address", {**address, "line_1": "1", "town": "T"})):
        if body.get(key) != plain:
            yield {**body, key: plain}


def _shrink(ctx: Context, body: dict[str, Any], problem: str) -> dict[str, Any]:
    """The simplest variant of a failing ``body`` that still fails, within the budget."""
    deadline = time.monotonic() + SHRINK_BUDGET_S
    smallest = {"order": body, "problem": problem, "steps": 0}
    progress = True
    while progress and time.monotonic() < deadline:
        progress = False
        for candidate in _simpler(smallest["order"]):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            order = ctx.create_order(**_tagged(ctx, candidate))
            found = judge_all(ctx, wait_batch(ctx, [order], min(left, ctx.timeout)), [order])
            if found:
                smallest = {"order": candidate, "problem": found[0], "steps": smallest["steps"] + 1}
                progress = True
                break
    smallest["complete"] = not progress
    return smallest


def _partitions(ctx: Context) -> list[str]:
    activity = ctx.mocks.sopost.default_organisation()["campaigns"][0]["activities"][0]
    return activity["stock_partition_ids"]


def _start_drawing(ctx: Context) -> None:
    """Drawing the orders takes seconds of CPU: do it in another process, on the other core,
    while the integration starts and the other scenarios run (the mocks share this one)."""
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    ctx.prepared["generated-orders"] = future = pool.submit(
        draw_examples, ctx.seed, ctx.data_handler, _partitions(ctx)
    )
    future.add_done_callback(lambda _: pool.shutdown(wait=False))


@scenario(
    17,
    "generated-orders",
    "MUST",
    f"{PROPERTY_EXAMPLES} orders generated from the SoPost Order schema (unicode, missing "
    "fields, odd consents, many items): every eligible one arrives once",
    prepare=_start_drawing,
)
def generated_orders(ctx: Context) -> None:
    drawing = ctx.prepared.get("generated-orders")
    bodies = (
        drawing.result()
        if drawing is not None
        else draw_examples(ctx.seed, ctx.data_handler, _partitions(ctx))
    )
    orders = create_many(ctx, [_tagged(ctx, b) for b in bodies])
    ctx.evidence["eligible"] = sum(eligible(o, ctx.data_handler) for o in orders)
    problems = judge_all(ctx, wait_batch(ctx, orders, ctx.timeout), orders)
    if not problems:
        return
    ctx.evidence["problems"] = problems[:10]
    failing = next(
        i for i, o in enumerate(orders) if (ctx.judged.get(o["id"]) or {}).get("problem")
    )
    shrunk = _shrink(ctx, bodies[failing], ctx.judged[orders[failing]["id"]]["problem"])
    ctx.evidence["shrunk_order"] = shrunk
    raise ScenarioFailed(
        f"{len(problems)} of {len(orders)} generated orders judged wrong, e.g. "
        f"{shrunk['problem']} (smallest failing order so far in evidence.shrunk_order)"
    )
