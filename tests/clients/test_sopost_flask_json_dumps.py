"""Replay: a public Flask app that places SoPost orders (``requests`` + ``HTTPBasicAuth``; found
with find_string on ``api.staging.sopost.dev/v1/orders``; its page says "Thank you for placing
an order with SoPost").

What it taught: the one recorded real answer. It posts ``data=json.dumps(body)``, so ``requests``
sends **no Content-Type at all**, with the guide's example telephone ``+441914980123`` and empty
``consents``; its author left the real API's answer in a comment:
``{'id': '<uuid>', 'created': '2021-06-15T11:19:24+00:00'}``. The page then concatenates
``key + ":" + value`` for every key, so every value of the answer must be a string: an answer
with nested objects (a whole order) crashes it.
"""

from __future__ import annotations

import json
import re

import requests

from tests.clients.replay import catalogue, warnings

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")


def _place(sopost_mock) -> requests.Response:
    ids = catalogue(sopost_mock)
    data = {
        "activity_id": ids.activity_id,
        "address": {
            "line_1": "12 High Street",
            "line_2": "The Core, Bath Lane",
            "town": "Newcastle Upon Type",
            "district": "Tyne & Wear",
            "territory": "GBR",
            "postcode": "NE4 5TF",
        },
        "full_name": "Joe Bloggs",
        "email": "joe.flask@example.com",
        "provider": "my-integration",
        "identity": "98700f04-e705-4547-a3ee-d38a8cc9293d",
        "telephone": "+441914980123",
        "line_items": [{"stock_partition_id": ids.stock_partition_ids[0]}],
        "consents": [],
        "locale": "en_GB",
    }
    request = requests.Request(
        "POST",
        f"{sopost_mock.url}/v1/orders",
        auth=(ids.user, ids.password),
        data=json.dumps(data),
    ).prepare()
    assert "Content-Type" not in request.headers  # what the client really sends
    return requests.Session().send(request, timeout=10)


def test_json_without_content_type_is_accepted_with_a_warning(sopost_mock) -> None:
    response = _place(sopost_mock)
    assert response.status_code == 201, response.text
    (warning,) = warnings(response)
    assert "Content-Type" in warning and "assumed" in warning


def test_answer_is_the_recorded_id_and_created(sopost_mock) -> None:
    answer = _place(sopost_mock).json()
    assert set(answer) == {"id", "created"}
    assert all(isinstance(value, str) for value in answer.values())  # "key:" + value
    assert RFC3339_UTC.match(answer["created"])
