"""A fault rule is refused when its answer could not be sent as given (found black-box: each
of these left the client an empty 500, nothing, or a dead connection, while the journal
recorded the rule's answer)."""

from __future__ import annotations

import pytest

ORDER = "/orders/3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ({"status": 200, "body": {"x": 1}, "headers": {"Location": "http://a..b/x"}}, "Location"),
        ({"status": 400, "headers": {"Content-Location": "http://[::1/x"}}, "Content-Location"),
        ({"status": 200, "headers": {"Transfer-Encoding": "chunked"}}, "Transfer-Encoding"),
        ({"status": 200, "headers": {"content-length": "7"}}, "content-length"),
        ({"status": 200, "headers": {"Connection": "upgrade"}}, "Connection"),
        ({"status": 101}, "status"),
    ],
)
def test_an_answer_that_cannot_be_sent_is_refused(sopost, rule: dict, named: str) -> None:
    response = sopost.post("/_mock/faults", json={"method": "GET", "path": "/orders/*", **rule})

    assert response.status_code == 400
    assert named in response.get_json()["error"]["message"] + response.get_json()["error"].get(
        "field", ""
    )
    assert sopost.get("/_mock/faults").get_json()["faults"] == []


def test_an_international_location_is_sent_encoded(sopost) -> None:
    rule = {"method": "GET", "path": "/orders/*", "status": 302}
    rule["headers"] = {"Location": "http://bücher.example/ä"}
    assert sopost.post("/_mock/faults", json=rule).status_code == 201

    response = sopost.get(ORDER, headers={"Authorization": "Basic x"})

    assert response.status_code == 302
    assert response.headers["Location"] == "http://xn--bcher-kva.example/%C3%A4"
