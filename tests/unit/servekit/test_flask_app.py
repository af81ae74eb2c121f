"""ServedFlask: orjson answers in the documented order, each function checked once, and the
URL adapter and null session built for less, with the same result as Flask's."""

from __future__ import annotations

from unittest import mock

import flask
import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from servekit.flask_app import ServedFlask
from servekit.rsgi_bridge import BODY_READ


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


ADAPTER_FIELDS = (
    "server_name",
    "script_name",
    "subdomain",
    "url_scheme",
    "path_info",
    "default_method",
    "query_args",
)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"HTTP_HOST": "LocalHost:8080"},
        {"HTTP_HOST": "127.0.0.1:80"},
        {"HTTP_HOST": "xn--bcher-kva.example"},
        {"HTTP_HOST": "bücher.example:8000".encode().decode("latin-1")},
        {"SCRIPT_NAME": "/mount/"},
        {"SCRIPT_NAME": ""},
        {"PATH_INFO": ""},
        {"PATH_INFO": "//orders/%41"},
        {"PATH_INFO": "/caf\u00e9".encode().decode("latin-1")},
        {"QUERY_STRING": "a=1&b=\u00e9".encode().decode("latin-1")},
        {"REQUEST_METHOD": "DELETE"},
        {"wsgi.url_scheme": "https", "HTTP_HOST": "example.test:443"},
    ],
)
def test_the_url_adapter_is_the_one_flask_builds(overrides: dict[str, str]) -> None:
    app = ServedFlask(__name__)
    environ = {**EnvironBuilder(path="/orders/1", query_string="x=1").get_environ(), **overrides}

    ours = app.create_url_adapter(app.request_class(environ))
    flasks_request = app.request_class(environ)
    flasks = Flask.create_url_adapter(app, flasks_request)

    assert ours is not None and flasks is not None
    assert {f: getattr(ours, f) for f in ADAPTER_FIELDS} == {
        f: getattr(flasks, f) for f in ADAPTER_FIELDS
    }


def test_a_host_that_is_not_a_name_is_a_400() -> None:
    app = ServedFlask(__name__)
    app.add_url_rule("/", "root", lambda: "ok")

    response = app.test_client().get("/", headers={"Host": "a..b"})

    assert response.status_code == 400


@pytest.mark.parametrize("setting", [{"SERVER_NAME": "api.test"}, {"TRUSTED_HOSTS": ["a.test"]}])
def test_apps_that_match_hosts_get_flasks_own_adapter(setting: dict[str, object]) -> None:
    app = ServedFlask(__name__)
    app.config.update(setting)
    environ = EnvironBuilder(path="/", headers={"Host": "a.test"}).get_environ()

    with mock.patch.object(Flask, "create_url_adapter", return_value="flask's") as flasks:
        assert app.create_url_adapter(app.request_class(environ)) == "flask's"
    flasks.assert_called_once()


def test_apps_without_a_secret_share_one_null_session() -> None:
    app = ServedFlask(__name__)
    first = app.session_interface.make_null_session(app)
    assert first is app.session_interface.make_null_session(app)
    with pytest.raises(RuntimeError):
        first["user"] = "someone"  # shared, so it must refuse writes


def test_apps_with_a_secret_keep_their_sessions() -> None:
    app = ServedFlask(__name__)
    app.secret_key = "test"
    app.add_url_rule("/", "root", lambda: (flask.session.update(seen=True), "ok")[1])

    client = app.test_client()
    client.get("/")

    assert client.get_cookie("session") is not None


def test_a_body_the_bridge_read_whole_is_read_from_memory() -> None:
    app = ServedFlask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 2  # the bridge has applied its own limit already
    environ = EnvironBuilder(method="POST", data=b'{"a": 1}').get_environ()
    environ[BODY_READ] = True

    request = app.request_class(environ)

    assert request.stream is environ["wsgi.input"]
    assert request.get_data() == b'{"a": 1}'


def test_any_other_body_goes_through_werkzeugs_guarded_stream() -> None:
    app = ServedFlask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 2
    app.add_url_rule("/", "echo", lambda: flask.request.get_data(), methods=["POST"])

    response = app.test_client().post("/", data=b'{"a": 1}')

    assert response.status_code == 413


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ({"CONTENT_LENGTH": "12"}, 12),
        ({"CONTENT_LENGTH": "12", "HTTP_TRANSFER_ENCODING": "chunked"}, None),
        ({"CONTENT_LENGTH": "twelve"}, 0),
        ({}, None),
    ],
)
def test_the_content_length_is_werkzeugs(declared: dict[str, str], expected: int | None) -> None:
    environ = EnvironBuilder(method="POST").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update(declared)

    request = ServedFlask(__name__).request_class(environ)

    assert request.content_length == expected == Flask.request_class(environ).content_length


def test_a_path_with_a_double_slash_is_no_route_not_an_html_redirect() -> None:
    app = ServedFlask(__name__)
    app.add_url_rule("/orders/<order_id>", "order", lambda order_id: {"id": order_id})
    app.register_error_handler(404, lambda _: ({"error": "not_found"}, 404))

    response = app.test_client().get("/orders//1")

    assert (response.status_code, response.get_json()) == (404, {"error": "not_found"})
