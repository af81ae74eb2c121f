"""Bad input over every route of both mocks: each case is a 4xx in the right envelope, and the
mock still serves afterwards (issue 12).

Routes come from the specs (vendor operations and the control operations each mock serves), so
a new route is covered without editing this file. Cases the mocks do not pass yet are
``xfail(strict=True)`` through :data:`KNOWN_FAILING`, naming issue 12: fixing one turns its
xfail into a failure, and the fixer deletes the entry.

granian answers oversized headers itself (431) with an empty body, before any app code runs,
so that case asks for the status only (docs/slow-clients.md).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests

from mocks.core.spec import Operation, load_spec
from tests.reliability.served import POPLAR_TOKEN, ServedMocks

SAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
TWO_MB = 2 * 1024 * 1024


@dataclass(frozen=True)
class Route:
    mock: str
    method: str
    path: str  # OpenAPI template
    has_body: bool
    control: bool

    @property
    def has_params(self) -> bool:
        return "{" in self.path

    def url_path(self, value: str = SAMPLE_ID) -> str:
        return re.sub(r"\{[^}]+\}", value, self.path)

    def __str__(self) -> str:
        return f"{self.mock} {self.method} {self.path}"


@dataclass(frozen=True)
class Case:
    """One bad request: ``method`` overrides the route's; ``path_value`` replaces ids."""

    name: str
    applies: Callable[[Route], bool]
    body: bytes | None = None
    chunked: bool = False
    method: str | None = None
    path_value: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None  # one exact status, for the server's own early errors
    envelope: bool = True


def _routes() -> list[Route]:
    routes = []
    for mock in ("sopost", "poplar"):
        vendor: list[Operation] = list(load_spec(mock).operations.values())
        control = load_spec("control").operations_where(mock=mock)
        for operation in [*vendor, *control]:
            routes.append(
                Route(
                    mock, operation.method, operation.path, operation.has_body, operation in control
                )
            )
    return routes


def _body(route: Route) -> bool:
    return route.has_body


def _params(route: Route) -> bool:
    return route.has_params


def _any(_: Route) -> bool:
    return True


def _deep(depth: int) -> bytes:
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


CASES = [
    Case("nan", _body, b'{"order_id": NaN, "total": NaN}'),
    Case("infinity", _body, b'{"order_id": "x", "total": Infinity}'),
    Case("1e400", _body, b'{"order_id": "x", "total": 1e400}'),
    Case("5000_digit_integer", _body, b'{"order_id": "x", "total": ' + b"9" * 5000 + b"}"),
    Case("invalid_utf8", _body, b'{"order_id": "\xff\xfe\xfa"}'),
    Case("nul_in_string", _body, b'{"order_id": "a\\u0000b", "url": "http://127.0.0.1/\\u0000"}'),
    Case("raw_nul", _body, b'{"order_id": "a\x00b"}'),
    Case("duplicate_keys", _body, b'{"order_id": "a", "order_id": "b"}'),
    Case("deep_json_255", _body, _deep(255)),
    Case("deep_json_1000", _body, _deep(1000)),
    Case("deep_json_100000", _body, _deep(100_000)),
    Case("not_json", _body, b"<xml/>"),
    Case("oversized_body", _body, b'{"a": "' + b"x" * TWO_MB + b'"}'),
    Case("oversized_chunked", _body, b'{"a": "' + b"x" * TWO_MB + b'"}', chunked=True),
    Case("traversal_id", _params, path_value="..%2F..%2F_mock%2Freset"),
    Case("encoded_slash_id", _params, path_value="a%2Fb"),
    Case("nul_id", _params, path_value="a%00b"),
    Case("invalid_utf8_id", _params, path_value="%ff%fe"),
    Case("long_id", _params, path_value="a" * 4000),
    Case("unknown_method", _any, method="BREW"),
    Case("header_64kb", _any, headers={"X-Padding": "a" * 64 * 1024}, status=431, envelope=False),
]

# What does not pass yet, keyed by (mock, method, path template, case), and why.
KNOWN_FAILING: dict[tuple[str, str, str, str], str] = {}


def _matrix() -> Iterator[object]:
    for route in _routes():
        for case in CASES:
            if not case.applies(route):
                continue
            marks = []
            known = KNOWN_FAILING.get((route.mock, route.method, route.path, case.name))
            if known:
                marks.append(pytest.mark.xfail(strict=True, reason=f"issue 12: {known}"))
            yield pytest.param(route, case, id=f"{route}-{case.name}", marks=marks)


def _auth(route: Route) -> dict[str, str]:
    return {} if route.mock == "sopost" else {"Authorization": f"Bearer {POPLAR_TOKEN}"}


def _send(mocks: ServedMocks, route: Route, case: Case) -> requests.Response:
    path = route.url_path(case.path_value) if case.path_value else route.url_path()
    headers = {"Content-Type": "application/json", **_auth(route), **case.headers}
    data: object = case.body
    if case.chunked and case.body is not None:
        body = case.body
        data = (body[i : i + 65536] for i in range(0, len(body), 65536))
    request = requests.Request(
        case.method or route.method, mocks.url(route.mock) + path, headers=headers, data=data
    ).prepare()
    if case.path_value:
        request.url = mocks.url(route.mock) + path  # keep the encoding exactly as written
    with requests.Session() as session:
        return session.send(request, timeout=30)


def _envelope_ok(route: Route, body: object) -> bool:
    """Poplar's ``{"error": {"title", "message"}}``; SoPost's and the control API's
    ``{"error": {"code", "message"}}``."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return False
    error = body["error"]
    key = "title" if route.mock == "poplar" and not route.control else "code"
    return isinstance(error.get("message"), str) and isinstance(error.get(key), str)


@pytest.mark.parametrize(("route", "case"), list(_matrix()))
def test_bad_input_is_a_4xx_in_the_envelope(mocks: ServedMocks, route: Route, case: Case) -> None:
    try:
        response = _send(mocks, route, case)
    except requests.ConnectionError as exc:
        pytest.fail(f"{route} {case.name}: connection failed instead of a 4xx ({exc})")
    if case.status is not None:
        assert response.status_code == case.status, (response.status_code, response.text[:300])
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if case.envelope:
        try:
            body = response.json()
        except ValueError:
            body = None
        assert _envelope_ok(route, body), (response.status_code, response.text[:300])
    assert mocks.healthy(route.mock), f"{route.mock} stopped serving after {case.name}"


def test_the_matrix_covers_every_route() -> None:
    routes = _routes()
    assert {r.mock for r in routes} == {"sopost", "poplar"}
    assert len(routes) >= 20
    assert sum(1 for _ in _matrix()) >= 6 * len(routes)


def test_a_mock_with_a_half_sent_request_still_serves(mocks: ServedMocks) -> None:
    host, port = mocks.poplar.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"POST /v1/order HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        assert mocks.healthy("poplar")
