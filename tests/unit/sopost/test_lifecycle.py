"""Order lifecycle with a manual clock: decisions, review, stages, overrides. No sleeps."""

from __future__ import annotations

import pytest

from mocks.core.clock import ManualClock, Scheduler
from mocks.core.errors import ApiError
from mocks.core.ids import IdSource
from mocks.sopost.fixtures import GUIDE, OTHER_ORGANISATION_ID, build_world
from mocks.sopost.state import LifecycleConfig, SoPostState

STAGES = ("PROCESSING", "DISPATCHED", "DELIVERED")


class World:
    def __init__(self, seed: int = 0) -> None:
        self.scheduler = Scheduler(ManualClock(start=1_700_000_000))
        self.events: list[tuple[str, dict]] = []
        world = build_world(seed, extra_orders=0)
        self.state = SoPostState(
            world.catalogue,
            world.orders,
            self.scheduler,
            IdSource(seed),
            LifecycleConfig(
                filtering_delay=2, review_delay=30, stage_delays=(10, 20, 30), seed=seed
            ),
            STAGES,
            emit=lambda sub, event: self.events.append((sub.id, event)),
        )
        self.subscription = self.state.subscriptions.subscribe(
            GUIDE.organisation,
            "http://127.0.0.1:1/h",
            ["OrderEvent"],
            "Organisation",
            GUIDE.organisation,
        )

    def place(self, email: str = "ann@example.com", postcode: str = "AB1 2CD", **extra):
        fields = {
            "activity_id": GUIDE.activity,
            "full_name": "Ann",
            "email": email,
            "address": {
                "line_1": "1 High St",
                "town": "Bath",
                "territory": "GBR",
                "postcode": postcode,
            },
            "line_items": [{"stock_partition_id": GUIDE.stock_partition}],
            **extra,
        }
        return self.state.place_order(GUIDE.organisation, fields)

    def statuses(self, order_id: str) -> list[str]:
        return [e["event"] for _, e in self.events if e["order_id"] == order_id]

    def advance(self, seconds: float) -> None:
        self.scheduler.advance(seconds)


@pytest.fixture
def world() -> World:
    return World()


def test_new_order_is_pending_and_announced(world: World) -> None:
    order = world.place()
    assert order.status == "PENDING"
    assert world.statuses(order.id) == ["PENDING"]


def test_lone_postcode_is_approved_after_filtering_delay_then_distributed(world: World) -> None:
    order = world.place()
    world.advance(1.9)
    assert order.status == "PENDING"
    world.advance(0.1)
    assert order.status == "APPROVED"
    world.advance(10 + 20 + 30)
    assert world.statuses(order.id) == ["PENDING", "APPROVED", *STAGES]


def test_second_order_by_same_person_in_campaign_is_rejected(world: World) -> None:
    first = world.place(email="bob@example.com", postcode="ZZ1 1ZZ")
    second = world.place(email="BOB@example.com", postcode="YY1 1YY")
    world.advance(2)
    assert first.status == "APPROVED"
    assert second.status == "REJECTED"


def test_same_identity_with_other_email_is_rejected(world: World) -> None:
    world.place(email="c1@example.com", postcode="A1 1AA", identity="person-1")
    repeat = world.place(email="c2@example.com", postcode="B1 1BB", identity="person-1")
    world.advance(2)
    assert repeat.status == "REJECTED"


def test_shared_postcode_waits_for_manual_review_then_decides_by_seed(world: World) -> None:
    a = world.place(email="d1@example.com", postcode="NE4 5TF")  # the guide order's postcode
    world.advance(2)
    assert a.status == "PENDING"  # in manual review
    world.advance(29)
    assert a.status == "PENDING"
    world.advance(1)
    assert a.status in ("APPROVED", "REJECTED")
    again = World()
    b = again.place(email="d1@example.com", postcode="NE4 5TF")
    again.advance(32)
    assert b.status == a.status  # same seed, same verdict


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("x+reject@example.com", "REJECTED"),
        ("x+approve@example.com", "APPROVED"),
    ],
)
def test_magic_emails_fix_the_outcome(world: World, email: str, status: str) -> None:
    order = world.place(email=email, postcode="NE4 5TF")
    world.advance(2)
    assert order.status == status


def test_magic_pending_never_decides(world: World) -> None:
    order = world.place(email="x+pending@example.com")
    world.advance(10_000)
    assert world.statuses(order.id) == ["PENDING"]


def test_transition_cancels_scheduled_steps_unless_resumed(world: World) -> None:
    order = world.place()
    world.state.transition(order.id, "REJECTED")
    world.advance(1000)
    assert world.statuses(order.id) == ["PENDING", "REJECTED"]
    other = world.place(email="e@example.com", postcode="E1 1EE")
    world.state.transition(other.id, "APPROVED", resume=True)
    world.advance(10)
    assert other.status == "PROCESSING"


def test_events_only_reach_matching_subscriptions(world: World) -> None:
    campaign = world.state.catalogue.activities[GUIDE.event_activity].campaign_id
    campaign_sub = world.state.subscriptions.subscribe(
        GUIDE.organisation, "http://127.0.0.1:1/c", ["OrderEvent"], "Campaign", campaign
    )
    order = world.place()  # placed on the guide's activity: another campaign
    assert {sub for sub, e in world.events if e["order_id"] == order.id} == {world.subscription.id}
    assert campaign_sub.id not in {sub for sub, _ in world.events}


def test_event_ids_are_40_lower_hex_and_unique(world: World) -> None:
    for n in range(20):
        world.place(email=f"u{n}@example.com", postcode=f"P{n} 1AA")
    world.advance(100)
    ids = [e["event_id"] for _, e in world.events]
    assert len(ids) == len(set(ids))
    assert all(len(i) == 40 and i == i.lower() and int(i, 16) >= 0 for i in ids)


def test_foreign_order_is_not_found(world: World) -> None:
    order = world.place()
    with pytest.raises(ApiError) as caught:
        world.state.order(order.id, OTHER_ORGANISATION_ID)
    assert caught.value.status == 404


def test_subscribing_to_foreign_entity_is_not_found(world: World) -> None:
    with pytest.raises(ApiError) as caught:
        world.state.subscriptions.subscribe(
            GUIDE.organisation,
            "http://127.0.0.1/",
            ["OrderEvent"],
            "Organisation",
            OTHER_ORGANISATION_ID,
        )
    assert caught.value.status == 404 and caught.value.field == "entity_id"


def test_stock_partition_must_belong_to_activity(world: World) -> None:
    with pytest.raises(ApiError) as caught:
        world.place(line_items=[{"stock_partition_id": "00000000-0000-4000-8000-000000000000"}])
    assert caught.value.field == "line_items.0.stock_partition_id"


def _event_ids(seed: int) -> list[str]:
    world = World(seed)
    for n in range(5):
        world.place(email=f"s{n}@example.com", postcode=f"S{n} 1AA")
    world.advance(100)
    return [e["event_id"] for _, e in world.events]


def test_event_ids_are_determined_by_the_seed() -> None:
    assert _event_ids(3) == _event_ids(3)
    assert _event_ids(3) != _event_ids(4)
