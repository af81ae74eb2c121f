"""Seeded orders are live, under the rule new orders follow: PENDING ones are decided after the
filtering delay (a ``+pending`` one never is), approved ones move through the stages; the
guide's printed examples stay as printed (their ``distribute`` is off)."""

from __future__ import annotations

from mocks.core.clock import ManualClock, Scheduler
from mocks.core.ids import IdSource
from mocks.sopost.config import LifecycleConfig
from mocks.sopost.fixtures import GUIDE, build_world
from mocks.sopost.state import SoPostState
from tests.support import organisation_subscription

STAGES = ("PROCESSING", "DISPATCHED", "DELIVERED")


def statuses(sopost) -> dict[str, str]:
    return {o["id"]: o["status"] for o in sopost.get("/_mock/orders").get_json()["orders"]}


def advance(sopost, seconds: float) -> None:
    assert sopost.post("/_mock/clock/advance", json={"seconds": seconds}).status_code == 200


def test_seeded_pending_orders_are_decided_like_new_ones(sopost) -> None:
    before = statuses(sopost)
    pending = [order_id for order_id, status in before.items() if status == "PENDING"]
    assert pending
    advance(sopost, 1.9)  # within the filtering delay (2 s): still filtering
    assert all(statuses(sopost)[order_id] == "PENDING" for order_id in pending)
    advance(sopost, 0.1 + 30)  # the decision, then manual review for shared postcodes
    after = statuses(sopost)
    assert all(after[order_id] != "PENDING" for order_id in pending)


def test_seeded_orders_in_distribution_keep_moving_and_announce_it(sopost) -> None:
    before = statuses(sopost)
    moving = [i for i, s in before.items() if s in ("APPROVED", *STAGES[:-1])]
    moving = [i for i in moving if i not in (GUIDE.order, GUIDE.event_order)]
    assert moving
    sopost.post("/webhooks", json=organisation_subscription())
    advance(sopost, 10 + 30 + 60)  # every stage delay
    after = statuses(sopost)
    assert all(after[order_id] == "DELIVERED" for order_id in moving)
    announced = {
        d["payload"]["order_id"] for d in sopost.get("/_mock/deliveries").get_json()["deliveries"]
    }
    assert set(moving) <= announced


def test_the_guides_examples_stay_as_printed(sopost) -> None:
    advance(sopost, 3600)
    after = statuses(sopost)
    assert (after[GUIDE.order], after[GUIDE.event_order]) == ("APPROVED", "APPROVED")


def test_a_seeded_plus_pending_order_waits_forever() -> None:
    world = build_world(0, 12)
    held = next(o for o in world.orders if o.status == "PENDING")
    held.email = "held+pending@example.com"
    scheduler = Scheduler(ManualClock(start=1_000_000))
    state = SoPostState(
        world.catalogue,
        world.orders,
        scheduler,
        IdSource(0),
        LifecycleConfig(),
        STAGES,
        emit=lambda subscription, event: None,
    )
    scheduler.advance(86_400)
    assert state.order(held.id).status == "PENDING"
    others = [o for o in world.orders if o is not held]
    assert all(o.status != "PENDING" for o in others)
