"""Replay: a public Rails app's ``HomeController#create_order`` (HTTParty; found with find_string
on ``api.staging.sopost.dev/v1/activities``; it submits with provider ``ff-integration``).

What it taught: Net::HTTP's default content type, and consents read by ``id``. It sends the
``Authorization`` header verbatim from its config, reads ``GET /v1/activities/{id}/consents`` as
a list of objects with ``id``, and posts ``body.to_json`` with no Content-Type of its own, so
Net::HTTP labels the JSON ``application/x-www-form-urlencoded``. Its ``identity`` is not a UUID
(``ff-98700f04-...``), it orders three stock partitions and its form may leave ``line_2`` empty.
Its author notes that the guide's sample consent id was refused, so an unknown consent must be
a 4xx naming the field.
"""

from __future__ import annotations

import json

import requests

from tests.clients.replay import NET_HTTP_DEFAULT, basic, catalogue, warnings

DOCS_SAMPLE_CONSENT = "02f24b67-ea9c-41b1-b4aa-faab7101a9b8"


def _fetched_consents(sopost_mock, auth: str, activity_id: str) -> list[dict]:
    response = requests.get(
        f"{sopost_mock.url}/v1/activities/{activity_id}/consents",
        headers={"Authorization": auth},
        timeout=10,
    )
    assert response.status_code == 200
    return [{"consent_id": consent["id"]} for consent in response.json()]


def _post_order(sopost_mock, auth: str, body: dict) -> requests.Response:
    return requests.post(
        f"{sopost_mock.url}/v1/orders",
        data=json.dumps(body),
        headers={"Authorization": auth, "Content-Type": NET_HTTP_DEFAULT},
        timeout=10,
    )


def _body(ids, consents: list[dict]) -> dict:
    return {
        "activity_id": ids.activity_id,
        "address": {
            "line_1": "3 Fork Lane",
            "line_2": "",
            "town": "Leeds",
            "district": "",
            "territory": "GBR",
            "postcode": "LS1 4AP",
        },
        "full_name": "Fran Fisher",
        "email": "fran@example.com",
        "provider": "ff-integration",
        "identity": "ff-98700f04-e705-4547-a3ee-d38a8cc9293d",
        "line_items": [{"stock_partition_id": p} for p in ids.stock_partition_ids[:3]],
        "consents": consents,
        "locale": "en_GB",
    }


def test_consents_are_a_list_of_objects_with_an_id(sopost_mock) -> None:
    ids = catalogue(sopost_mock)
    consents = _fetched_consents(sopost_mock, basic(ids.user, ids.password), ids.activity_id)
    assert consents and all(c["consent_id"] for c in consents)


def test_form_labelled_json_order_is_accepted_with_a_warning(sopost_mock) -> None:
    ids = catalogue(sopost_mock)
    auth = basic(ids.user, ids.password)
    body = _body(ids, _fetched_consents(sopost_mock, auth, ids.activity_id))
    response = _post_order(sopost_mock, auth, body)
    assert response.status_code == 201, response.text
    assert any("Content-Type" in w for w in warnings(response))


def test_the_guides_sample_consent_is_refused_naming_it(sopost_mock) -> None:
    ids = catalogue(sopost_mock)
    auth = basic(ids.user, ids.password)
    response = _post_order(sopost_mock, auth, _body(ids, [{"consent_id": DOCS_SAMPLE_CONSENT}]))
    assert 400 <= response.status_code < 500 and response.status_code != 415
    assert response.json()["error"]["field"].startswith("consents")
