"""HeaderView reads a WSGI environ as werkzeug's EnvironHeaders does, without raising."""

from __future__ import annotations

from werkzeug.datastructures import EnvironHeaders

from mocks.core.header_view import HeaderView

ENVIRON = {
    "REQUEST_METHOD": "POST",
    "CONTENT_TYPE": "application/json",
    "CONTENT_LENGTH": "2",
    "HTTP_HOST": "127.0.0.1:8000",
    "HTTP_AUTHORIZATION": "Bearer abc",
    "HTTP_X_CUSTOM_THING": "1",
}


def test_it_answers_what_werkzeug_answers() -> None:
    ours, theirs = HeaderView(ENVIRON), EnvironHeaders(ENVIRON)
    for name in ("Host", "authorization", "Content-Type", "content-length", "X-Custom-Thing"):
        assert ours.get(name) == theirs.get(name)
        assert ours[name] == theirs[name]
        assert name in ours
    for absent in ("Origin", "Sec-Fetch-Site", "Request-Method"):
        assert ours.get(absent) is None and absent not in ours
    assert ours.get("Origin", "") == ""
    assert dict(ours) == dict(theirs)
    assert len(ours) == len(theirs) == 5
