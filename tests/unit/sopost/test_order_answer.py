"""``POST /v1/orders`` answers exactly what the one recorded real answer holds."""

from __future__ import annotations

import re
from datetime import datetime

from mocks.sopost.fixtures import GUIDE

ORDER = {
    "activity_id": GUIDE.activity,
    "full_name": "Ann Lee",
    "email": "ann.answer@example.com",
    "address": {"line_1": "1 High St", "town": "Bath", "territory": "GBR", "postcode": "BA1 1AA"},
    "line_items": [{"stock_partition_id": GUIDE.stock_partition}],
}
# The recorded answer: {"id": "<uuid>", "created": "2021-06-15T11:19:24+00:00"}.
RFC3339_SECONDS_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")


def test_the_answer_is_id_and_created_only(sopost, sopost_app) -> None:
    response = sopost.post("/v1/orders", json=ORDER)
    assert response.status_code == 201
    answer = response.get_json()
    assert set(answer) == {"id", "created"}
    assert RFC3339_SECONDS_UTC.match(answer["created"]), answer["created"]
    now = sopost_app.extensions["mockkit"].runtime.clock.now()
    assert abs(datetime.fromisoformat(answer["created"]).timestamp() - now) < 1


def test_the_id_reads_back_the_whole_pending_order(sopost) -> None:
    answer = sopost.post("/orders", json=ORDER).get_json()
    order = sopost.get(f"/orders/{answer['id']}")
    assert order.status_code == 200
    assert (order.get_json()["status"], order.get_json()["email"]) == (
        "PENDING",
        ORDER["email"],
    )
