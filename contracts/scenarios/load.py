"""Volume, generated orders and restarts."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from contracts.context import Context, ScenarioFailed, Snapshot
from contracts.generate import eligible, order_fields
from contracts.scenarios import scenario

BURST = 200
PROPERTY_EXAMPLES = 20
SHRINK_BUDGET_S = 30.0


def _create_many(ctx: Context, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda body: ctx.create_order(**body), bodies))


def _judge_all(
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


def _wait_batch(ctx: Context, orders: list[dict[str, Any]], timeout: float) -> Snapshot:
    wanted = [o["id"] for o in orders if eligible(o, ctx.data_handler)]
    ctx.wait(lambda: set(wanted) <= ctx.stored_ids(), timeout, 0.2)
    return ctx.wait_answered([o["id"] for o in orders], timeout=timeout)


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
    orders = _create_many(ctx, bodies)
    ctx.evidence["created_in_s"] = round(time.monotonic() - started, 2)
    ctx.evidence["orders"] = (
        f"{len(orders)} orders, {sum(eligible(o, ctx.data_handler) for o in orders)} eligible"
    )
    snap = _wait_batch(ctx, orders, 2 * ctx.timeout)
    problems = _judge_all(ctx, snap, orders)
    ctx.evidence["problems"] = problems[:10]
    if problems:
        raise ScenarioFailed(f"{len(problems)} of {BURST} orders judged wrong, e.g. {problems[0]}")


def _draw_examples(ctx: Context, partitions: list[str], count: int, at: int) -> list[dict]:
    drawn: list[dict[str, Any]] = []

    @seed(at)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(order_fields(ctx.data_handler, partitions))
    def collect(body: dict[str, Any]) -> None:
        drawn.append(body)

    collect()
    return drawn[:count]


def _tagged(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    tag = ctx.email("gen").split("@", 1)[0]
    return json.loads(json.dumps(body).replace("{tag}", tag))


def _one_is_wrong(ctx: Context, body: dict[str, Any]) -> str | None:
    order = ctx.create_order(**_tagged(ctx, body))
    snap = _wait_batch(ctx, [order], min(10.0, ctx.timeout))
    problems = _judge_all(ctx, snap, [order])
    return problems[0] if problems else None


def _shrink(ctx: Context, partitions: list[str], at: int) -> dict[str, Any] | None:
    """Replay the generation one order at a time and let hypothesis shrink the first failure
    (live checks stop after a time budget; the smallest failure so far is kept)."""
    deadline = time.monotonic() + min(SHRINK_BUDGET_S, 1.5 * ctx.timeout)
    smallest: dict[str, Any] = {}

    @seed(at)
    @settings(
        max_examples=PROPERTY_EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(order_fields(ctx.data_handler, partitions))
    def check(body: dict[str, Any]) -> None:
        if time.monotonic() > deadline:
            return
        problem = _one_is_wrong(ctx, body)
        if problem:
            smallest.update(order=body, problem=problem)
            raise ScenarioFailed(problem)

    try:
        check()
    except Exception:  # the failure (or a group of them, or Flaky): the last one is smallest
        return smallest or None
    return None


@scenario(
    17,
    "generated-orders",
    "MUST",
    f"{PROPERTY_EXAMPLES} orders generated from the SoPost Order schema (unicode, missing "
    "fields, odd consents, many items): every eligible one arrives once",
)
def generated_orders(ctx: Context) -> None:
    activity = ctx.mocks.sopost.default_organisation()["campaigns"][0]["activities"][0]
    partitions = activity["stock_partition_ids"]
    at = ctx.memo.get("seed", 0)
    bodies = _draw_examples(ctx, partitions, PROPERTY_EXAMPLES, at)
    orders = _create_many(ctx, [_tagged(ctx, b) for b in bodies])
    ctx.evidence["eligible"] = sum(eligible(o, ctx.data_handler) for o in orders)
    problems = _judge_all(ctx, _wait_batch(ctx, orders, ctx.timeout), orders)
    if not problems:
        return
    ctx.evidence["problems"] = problems[:10]
    shrunk = _shrink(ctx, partitions, at)
    if shrunk:
        ctx.evidence["shrunk_order"] = shrunk["order"]
    raise ScenarioFailed(
        f"{len(problems)} of {len(orders)} generated orders judged wrong, "
        f"e.g. {(shrunk or {}).get('problem') or problems[0]}"
        + (" (smallest failing order in evidence.shrunk_order)" if shrunk else "")
    )


@scenario(
    18,
    "restart",
    "SHOULD",
    "The integration is stopped and restarted mid-run: nothing lost, nothing doubled",
)
def restart(ctx: Context) -> None:
    integration = ctx.require_exec()
    before = _create_many(ctx, [{} for _ in range(10)])
    ctx.wait(lambda: ctx.answered([o["id"] for o in before]), 10, 0.1)
    code = integration.stop()
    ctx.evidence["stopped_with"] = code
    during = _create_many(ctx, [{} for _ in range(5)])  # deliveries fail and are retried
    time.sleep(0.5)
    integration.start()
    ctx.evidence["restarted"] = True
    orders = before + during
    problems = _judge_all(ctx, _wait_batch(ctx, orders, ctx.timeout), orders, allow_repeats=True)
    ctx.evidence["problems"] = problems[:10]
    if problems:
        raise ScenarioFailed(
            f"{len(problems)} of {len(orders)} orders judged wrong after the "
            f"restart, e.g. {problems[0]}"
        )
