"""Webhooks over real HTTP: subscribe a local receiver, drive orders, check what arrives."""

from __future__ import annotations

import pytest
import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from mocks.core.config import RuntimeConfig
from mocks.sopost.app import SoPostConfig
from mocks.sopost.fixtures import GUIDE
from tests.support import wait_until


@pytest.fixture
def sopost_config() -> SoPostConfig:
    """No seeded orders beyond the guide's (which stay put): seeded orders are live, and their
    webhooks would mix with the ones these tests count."""
    return SoPostConfig(runtime=RuntimeConfig(clock="manual"), fixture_orders=0)


def subscribe(
    base: str, url: str, entity_type: str = "Organisation", entity_id: str = GUIDE.organisation
) -> dict:
    response = requests.post(
        f"{base}/webhooks",
        json={
            "url": url,
            "events": ["OrderEvent"],
            "entity_type": entity_type,
            "entity_id": entity_id,
        },
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return response.json()


def create_order(base: str, **fields) -> dict:
    response = requests.post(f"{base}/_mock/orders", json=fields, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def advance(base: str, seconds: float) -> None:
    assert (
        requests.post(
            f"{base}/_mock/clock/advance", json={"seconds": seconds}, timeout=5
        ).status_code
        == 200
    )


def test_order_lifecycle_reaches_the_receiver_signed(sopost_live, receiver) -> None:
    base = sopost_live.url
    subscription = subscribe(base, receiver.url)
    order = create_order(base, outcome="APPROVED")
    advance(base, 2)
    events = wait_until(
        lambda: (
            [e for e in receiver.events() if e["order_id"] == order["id"]]
            if len(receiver.events()) >= 2
            else None
        ),
        message="two events",
    )
    assert [e["event"] for e in events] == ["PENDING", "APPROVED"]
    hook = Webhook(subscription["secret"])
    for delivery in receiver.received:
        assert hook.verify(delivery.body, delivery.headers)["order_id"] == order["id"]
        assert delivery.headers["User-Agent"].startswith("SoPost-Webhooks/")
    forged = dict(receiver.received[0].headers, **{"webhook-signature": "v1,Zm9yZ2Vk"})
    with pytest.raises(WebhookVerificationError):
        hook.verify(receiver.received[0].body, forged)


def test_campaign_subscription_only_gets_its_campaign(sopost_live, receiver) -> None:
    base = sopost_live.url
    campaigns = requests.get(f"{base}/campaigns", timeout=5).json()
    fragrance = next(
        c for c in campaigns if GUIDE.event_activity in [a["id"] for a in c["activities"]]
    )
    subscribe(base, receiver.url, "Campaign", fragrance["id"])
    create_order(base)  # default activity: the other campaign
    inside = create_order(base, activity_id=GUIDE.event_activity)
    wait_until(lambda: receiver.events(), message="a delivery")
    deliveries = requests.get(f"{base}/_mock/deliveries", timeout=5).json()["deliveries"]
    assert {d["payload"]["order_id"] for d in deliveries} == {inside["id"]}


def test_failed_deliveries_are_retried_on_the_mock_clock(sopost_live, receiver) -> None:
    base = sopost_live.url
    subscribe(base, receiver.url)
    receiver.fail_next = 2
    order = create_order(base, outcome="PENDING")
    wait_until(lambda: len(receiver.received) == 1, message="first attempt")
    advance(base, 5)  # second attempt after 5 s
    wait_until(lambda: len(receiver.received) == 2, message="second attempt")
    advance(base, 300)  # third after 5 min
    delivered = wait_until(lambda: receiver.events(), message="a successful attempt")
    assert delivered[0]["order_id"] == order["id"]
    log = requests.get(
        f"{base}/_mock/deliveries", params={"order_id": order["id"]}, timeout=5
    ).json()["deliveries"]
    assert [a["status"] for a in log[0]["attempts"]] == [500, 500, 200]
    assert log[0]["status"] == "succeeded"


def test_redeliver_sends_the_event_again(sopost_live, receiver) -> None:
    base = sopost_live.url
    subscribe(base, receiver.url)
    create_order(base, outcome="PENDING")
    first = wait_until(lambda: receiver.events(), message="delivery")[0]
    delivery = requests.get(f"{base}/_mock/deliveries", timeout=5).json()["deliveries"][0]
    response = requests.post(f"{base}/_mock/deliveries/{delivery['id']}/redeliver", timeout=5)
    assert response.status_code == 202
    wait_until(lambda: len(receiver.events()) == 2, message="redelivery")
    assert receiver.events()[1] == first
    missing = requests.post(f"{base}/_mock/deliveries/dlv_999/redeliver", timeout=5)
    assert missing.status_code == 404


def test_delivery_faults_duplicate_events(sopost_live, receiver) -> None:
    base = sopost_live.url
    subscribe(base, receiver.url)
    requests.post(
        f"{base}/_mock/faults",
        json={"scope": "delivery", "event": "PENDING", "duplicate": 2},
        timeout=5,
    )
    create_order(base, outcome="PENDING")
    events = wait_until(
        lambda: receiver.events() if len(receiver.events()) == 3 else None, message="three copies"
    )
    assert len({e["event_id"] for e in events}) == 1


def test_non_loopback_subscription_is_blocked_not_contacted(sopost_live) -> None:
    base = sopost_live.url
    subscribe(base, "https://example.com")  # the guide's own example URL
    create_order(base, outcome="PENDING")
    blocked = wait_until(
        lambda: requests.get(
            f"{base}/_mock/deliveries", params={"status": "blocked"}, timeout=5
        ).json()["deliveries"],
        message="a blocked delivery",
    )
    assert blocked[0]["attempts"][0]["outcome"] == "blocked"
    assert blocked[0]["attempts"][0]["status"] is None


def test_deleted_subscription_gets_nothing_more(sopost_live, receiver) -> None:
    base = sopost_live.url
    subscription = subscribe(base, receiver.url)
    assert requests.get(f"{base}/webhooks/{subscription['id']}", timeout=5).json() == subscription
    assert requests.delete(f"{base}/webhooks/{subscription['id']}", timeout=5).status_code == 204
    assert requests.delete(f"{base}/webhooks/{subscription['id']}", timeout=5).status_code == 404
    create_order(base, outcome="PENDING")
    assert requests.get(f"{base}/_mock/deliveries", timeout=5).json()["deliveries"] == []


@pytest.mark.parametrize(
    "url",
    [
        r"http://example.invalid\.localhost/",
        "http://user:pw@127.0.0.1:9/hook",
        "http://%6c%6fcalhost:9/hook",
        "http://2130706433:9/hook",
        "ftp://example.com",
    ],
)
def test_ambiguous_urls_are_refused_at_subscription(sopost, url: str) -> None:
    response = sopost.post(
        "/webhooks",
        json={
            "url": url,
            "events": ["OrderEvent"],
            "entity_type": "Organisation",
            "entity_id": GUIDE.organisation,
        },
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["field"] == "url"
