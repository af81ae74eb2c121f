"""A run seed gives fresh run-time ids in the same world; faults can be scoped to one order."""

from __future__ import annotations

from contracts.client import poll
from contracts.servers import MockPair


def _run(id_seed: int) -> dict:
    with MockPair(id_seed=id_seed) as mocks:
        subscription = mocks.subscribe("http://127.0.0.1:9/hooks")  # nothing listens: logged
        order = mocks.sopost.create_order(outcome="PENDING")
        delivery = poll(lambda: mocks.sopost.deliveries(order_id=order["id"]), 5, "a delivery")
        return {
            "world": mocks.sopost.organisations(),
            "secret": subscription.secret,
            "order_id": order["id"],
            "short_id": order["short_id"],
            "event_id": delivery[0]["event_id"],
        }


def test_the_same_world_with_new_ids_per_run_seed_and_the_same_again_on_replay() -> None:
    first, second, replay = _run(1), _run(2), _run(1)
    assert first["world"] == second["world"]  # organisations, campaigns, credentials, consents
    assert first["secret"] != replay["secret"]  # secrets are never derived from a seed
    for key in ("order_id", "short_id", "event_id"):
        assert first[key] != second[key], key
        assert first[key] == replay[key], key


def test_a_fault_rule_with_where_hits_only_the_matching_order() -> None:
    with MockPair() as mocks:
        mocks.sopost.add_fault(
            method="GET", path="/v1/orders/*", status=503, where={"order_id": "x"}
        )
        mocks.poplar.add_fault(
            method="POST", path="/v1/order", status=500, times=1, where={"order_id": "mine"}
        )
        token = {"Authorization": "Bearer t-1"}
        body = {"order_date": "2026-01-01", "customer_email_sha256": "a" * 64}
        session = mocks.poplar.session
        other = session.post(
            f"{mocks.poplar_url}/v1/order", json={**body, "order_id": "o"}, headers=token
        )
        mine = session.post(
            f"{mocks.poplar_url}/v1/order", json={**body, "order_id": "mine"}, headers=token
        )
        again = session.post(
            f"{mocks.poplar_url}/v1/order", json={**body, "order_id": "mine"}, headers=token
        )
        assert (other.status_code, mine.status_code, again.status_code) == (200, 500, 200)
        order = mocks.sopost.create_order(outcome="PENDING")
        fetched = session.get(f"{mocks.sopost_url}/v1/orders/{order['id']}")
        assert fetched.status_code == 200  # its body has no order_id "x": the rule never fires
