"""Default data: the guide's entities verbatim, and determinism by seed."""

from __future__ import annotations

from mocks.sopost.fixtures import GUIDE, GUIDE_ORDER, build_world


def _snapshot(seed: int) -> list[dict]:
    return [order.to_api() for order in build_world(seed).orders]


def test_guide_order_is_exactly_as_printed() -> None:
    orders = {order.id: order for order in build_world(0).orders}
    assert orders[GUIDE.order].to_api() == GUIDE_ORDER


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert _snapshot(7) == _snapshot(7)
    assert _snapshot(7) != _snapshot(8)


def test_fifty_more_orders_cover_statuses_consents_and_questions() -> None:
    world = build_world(0)
    extra = [o for o in world.orders if o.id != GUIDE.order]
    assert len(extra) >= 50
    assert {o.status for o in extra} >= {
        "PENDING",
        "APPROVED",
        "REJECTED",
        "PROCESSING",
        "DISPATCHED",
        "DELIVERED",
    }
    assert {tuple(c["data_handler"] for c in o.consents) for o in extra} >= {
        (),
        ("SoPost",),
        ("SoPost", "Harbour & Finch"),
    }
    assert {len(q["answer"]) for o in extra for q in o.custom_questions} >= {1, 2}
    assert any(not o.custom_questions for o in extra)


def test_guide_organisation_has_two_campaigns_and_activities() -> None:
    catalogue = build_world(0).catalogue
    campaigns = [c for c in catalogue.campaigns.values() if c.organisation_id == GUIDE.organisation]
    assert len(campaigns) >= 2
    assert sum(len(c.activity_ids) for c in campaigns) >= 2
    assert GUIDE.stock_partition in catalogue.activities[GUIDE.activity].stock_partition_ids()
