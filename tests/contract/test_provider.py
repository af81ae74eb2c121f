"""`mockkit contracts provider`: conformance in-process, against a URL, and drift detection."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
import requests
from click.testing import CliRunner

from contracts.provider import keep_edit_order_id
from mockkit.cli import main
from mocks.core.server import LiveServer
from mocks.poplar.app import PoplarConfig
from mocks.poplar.app import create_app as create_poplar
from mocks.sopost.app import create_app as create_sopost


def provider(*args: str):
    return CliRunner().invoke(main, ["contracts", "provider", "--max-examples", "5", *args])


@pytest.mark.parametrize("vendor", ["sopost", "poplar"])
def test_our_mocks_conform_in_process(vendor: str, tmp_path) -> None:
    junit = tmp_path / "junit.xml"
    result = provider("--vendor", vendor, "--junit", str(junit))
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output
    cases = ElementTree.parse(junit).getroot().findall("testcase")
    assert len(cases) >= 5 and not any(case.find("failure") is not None for case in cases)


@pytest.fixture
def sopost_server() -> Iterator[LiveServer]:
    with LiveServer(create_sopost()) as server:
        yield server


def test_against_a_url_is_read_only_by_default(sopost_server: LiveServer) -> None:
    result = provider("--vendor", "sopost", "--url", sopost_server.url)
    assert result.exit_code == 0, result.output
    journal = requests.get(f"{sopost_server.url}/_mock/requests", timeout=5).json()["requests"]
    assert journal and {entry["method"] for entry in journal} <= {"GET", "HEAD"}


def test_drift_is_reported_with_a_reproduction(sopost_server: LiveServer, tmp_path) -> None:
    requests.post(
        f"{sopost_server.url}/_mock/faults",
        timeout=5,
        json={"method": "GET", "path": "/organisations", "status": 200, "body": [{"id": 42}]},
    )
    junit = tmp_path / "junit.xml"
    result = provider("--vendor", "sopost", "--url", sopost_server.url, "--junit", str(junit))
    assert result.exit_code == 1
    assert "FAIL GET /organisations" in result.output
    assert "response_schema_conformance" in result.output and "curl" in result.output
    failed = [
        c.get("name")
        for c in ElementTree.parse(junit).getroot().findall("testcase")
        if c.find("failure") is not None
    ]
    assert failed == ["GET /organisations"]


def test_writes_are_marked_and_cleaned_up() -> None:
    token = "conformance-writer"
    app = create_poplar(PoplarConfig(tokens=(token,), rate_limit="1000000/1s"))
    with LiveServer(app) as server:
        result = provider(
            "--vendor", "poplar", "--url", server.url, "--token", token, "--allow-writes"
        )
        assert result.exit_code == 0, result.output
        assert "cleaned up: the" in result.output
        journal = requests.get(
            f"{server.url}/_mock/requests",
            timeout=5,
            params={"method": "POST", "path": "/v1/order", "status": 200},
        ).json()["requests"]
        created = [e["body"]["order_id"] for e in journal if e["path"] == "/v1/order"]
        assert created and all(i.startswith("mockkit-conformance-") for i in created)
        assert requests.get(f"{server.url}/_mock/orders", timeout=5).json()["orders"] == []


def test_allow_writes_needs_a_url() -> None:
    result = provider("--vendor", "poplar", "--allow-writes")
    assert result.exit_code == 2 and "--url" in result.output


@pytest.mark.parametrize(
    ("sent", "strict", "kept"),
    [
        ("", False, "A%2F1"),  # only the type is enforced: an empty id is positive data
        ("x/y", False, "A%2F1"),
        ("", True, ""),  # the full view: empty is the negative mutation, left alone
        ("x/y", True, "x/y"),
        ("other", True, "A%2F1"),
    ],
)
def test_the_edit_body_order_id_follows_the_path_unless_it_is_the_mutation(
    sent: str, strict: bool, kept: str
) -> None:
    case = SimpleNamespace(
        operation=SimpleNamespace(label="POST /v1/order/{order_id}"),
        body={"order_id": sent, "order_date": "2024-05-01"},
        path_parameters={"order_id": "A%2F1"},
    )
    keep_edit_order_id(case, strict)
    assert case.body["order_id"] == (unquote(kept) if kept == "A%2F1" else kept)
