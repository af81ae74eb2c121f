"""Real vendor paths outside the model answer 501 in the vendor's envelope; unknown ones 404."""

from __future__ import annotations

import re

import pytest

from mocks.core.config import RuntimeConfig
from mocks.core.spec import load_spec
from mocks.core.unmodelled import unmodelled_paths
from mocks.poplar.app import PoplarConfig
from mocks.poplar.app import create_app as create_poplar

AUTH = {"Authorization": "Bearer prod_unmodelled_token"}
POPLAR_PATHS = unmodelled_paths(load_spec("poplar"))


@pytest.fixture
def poplar():
    app = create_poplar(PoplarConfig(runtime=RuntimeConfig(clock="manual")), start=False)
    return app.test_client()


def concrete(path: str) -> str:
    return re.sub(r"{[^}]+}", "cmp_1", path)


def test_the_issue_s_paths_are_listed_with_where_they_are_known_from() -> None:
    listed = {(p.method, p.path) for p in POPLAR_PATHS}
    assert {
        ("GET", "/v1/campaigns"),
        ("GET", "/v1/campaign/{campaign_id}/creatives"),
        ("GET", "/v1/campaign/{campaign_id}/mailings"),
        ("GET", "/v1/stats/campaigns"),
        ("POST", "/v1/mailing"),
        ("POST", "/v1/audience/{audience_id}"),
        ("POST", "/v1/do-not-mail"),
    } <= listed
    sources = load_spec("poplar").document["x-unmodelled-sources"]
    for path in POPLAR_PATHS:
        assert path.known_from and set(path.known_from) <= set(sources), path
    modelled = {(op.method, op.path) for op in load_spec("poplar").operations.values()}
    assert not listed & modelled


@pytest.mark.parametrize("path", POPLAR_PATHS, ids=lambda p: f"{p.method} {p.path}")
def test_each_real_poplar_path_outside_the_model_answers_501(poplar, path) -> None:
    response = poplar.open(concrete(path.path), method=path.method, headers=AUTH, json={})
    assert response.status_code == 501
    error = response.get_json()["error"]
    assert set(error) == {"title", "message"}
    assert error["title"] == "NotImplemented"
    assert path.api in error["message"] and "Poplar" in error["message"]
    assert "README" in error["message"] and "Limits" in error["message"]
    assert "x-rate-limit-remaining" in response.headers  # still a Poplar answer


def test_the_journal_says_unmodelled(poplar) -> None:
    poplar.get("/v1/campaigns", headers=AUTH)
    [entry] = poplar.get("/_mock/requests").get_json()["requests"]
    assert (entry["status"], entry["verdict"]) == (501, "unmodelled")
    listed = poplar.get("/_mock/requests", query_string={"verdict": "unmodelled"})
    assert len(listed.get_json()["requests"]) == 1


def test_a_path_no_source_knows_stays_404(poplar) -> None:
    response = poplar.get("/v1/campaignz", headers=AUTH)
    assert response.status_code == 404
    assert response.get_json()["error"]["title"] == "NotFound"


def test_another_method_on_a_real_path_is_405_as_the_real_api_answers(poplar) -> None:
    # A public provider check recorded GET /v1/mailing as 405 (only POST is allowed).
    response = poplar.get("/v1/mailing", headers=AUTH)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_sopost_lists_none_and_keeps_404_for_unknown_paths(sopost) -> None:
    assert unmodelled_paths(load_spec("sopost")) == []
    for path in ("/v1/campaigns/x/stats", "/organisations/x/users"):
        assert sopost.get(path).status_code == 404
