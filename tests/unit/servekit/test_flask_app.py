"""ServedFlask: orjson answers in the documented order, and each function checked once."""

from __future__ import annotations

from unittest import mock

from servekit.flask_app import ServedFlask


def test_answers_keep_field_order_and_hooks_run() -> None:
    app = ServedFlask(__name__)
    seen: list[str] = []
    app.before_request(lambda: seen.append("before"))
    app.add_url_rule("/", "root", lambda: {"zebra": 1, "apple": 2})

    response = app.test_client().get("/")

    assert response.get_data() == b'{"zebra":1,"apple":2}\n'  # not sorted, as Flask's would be
    assert seen == ["before"]


def test_each_function_is_inspected_once() -> None:
    app = ServedFlask(__name__)

    def view() -> str:
        return "ok"

    with mock.patch("flask.app.iscoroutinefunction", return_value=False) as inspect:
        assert app.ensure_sync(view) is view
        assert app.ensure_sync(view) is view
    assert inspect.call_count == 1


def test_the_memory_of_functions_is_bounded() -> None:
    app = ServedFlask(__name__)
    for _ in range(5000):
        app.ensure_sync(lambda: None)  # a fresh function each time
    assert app._checked.cache_info().currsize <= 1024
