"""Page headers: added where missing, never over what the answer set itself."""

from __future__ import annotations

from flask import Response

from pagekit.headers import CONTENT_SECURITY_POLICY, add_missing, secure_page


def test_html_pages_get_every_page_header_and_json_only_nosniff() -> None:
    page = secure_page(Response("<p>hi</p>", mimetype="text/html"))
    answer = secure_page(Response("{}", mimetype="application/json"))

    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in answer.headers


def test_a_header_the_answer_set_wins_in_any_spelling() -> None:
    response = Response("{}", headers={"x-rate-limit-limit": "7"})
    add_missing(response, {"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": "999"})

    assert response.headers.getlist("X-Rate-Limit-Limit") == ["7"]
    assert response.headers["X-Rate-Limit-Remaining"] == "999"
