"""The request pipeline is a declared, ordered list of stages; a new stage is one entry."""

from __future__ import annotations

import pytest

from mocks.core.config import RuntimeConfig
from mocks.core.errors import ApiError
from mocks.core.pipeline import VENDOR, Exchange, Stage
from mocks.poplar.app import create_app as create_poplar
from mocks.poplar.config import PoplarConfig
from mocks.poplar.mock import PoplarMock
from mocks.sopost.app import create_app as create_sopost
from mocks.sopost.config import SoPostConfig
from mocks.sopost.mock import SoPostMock


def _stage_names(app) -> list[str]:
    return [stage.name for stage in app.extensions["mockkit"].runtime.stages]


def test_each_vendor_declares_its_pipeline_in_order() -> None:
    sopost = create_sopost(SoPostConfig(runtime=RuntimeConfig(clock="manual")), start=False)
    poplar = create_poplar(PoplarConfig(runtime=RuntimeConfig(clock="manual")), start=False)
    safety = ["host", "cross-site", "body"]
    assert _stage_names(sopost) == [*safety, "faults", "route", "authenticate", "validate"]
    assert _stage_names(poplar) == [
        *safety,
        *["faults", "rate limit", "route", "authenticate", "validate"],
    ]


def test_a_stage_added_to_the_list_runs_in_its_place_and_can_end_the_request() -> None:
    app = create_sopost(SoPostConfig(runtime=RuntimeConfig(clock="manual")), start=False)
    runtime = app.extensions["mockkit"].runtime
    seen: list[str] = []

    def refuse(current: Exchange) -> None:
        seen.append(current.kind)
        raise ApiError("forbidden", "Refused by a test stage.", status=403)

    def mark(current: Exchange, response) -> None:
        current.response_headers["X-Test-Stage"] = "ran"

    runtime.stages.insert(0, Stage("refuse", refuse, mark, kinds=frozenset({VENDOR})))
    client = app.test_client()
    refused = client.get("/v1/organisations")
    assert refused.status_code == 403
    assert refused.headers["X-Test-Stage"] == "ran"
    assert client.get("/_mock/health").status_code == 200  # control requests are not VENDOR
    assert seen == [VENDOR]
    (entry,) = runtime.journal.entries()
    assert (entry.verdict, entry.error) == ("rejected", "Refused by a test stage.")


def test_authenticate_reads_headers_without_a_request_context() -> None:
    sopost = SoPostMock(SoPostConfig(runtime=RuntimeConfig(clock="manual")))
    default = sopost.state.catalogue.default_organisation_id
    assert sopost.authenticate({}).id == default
    poplar = PoplarMock(PoplarConfig(runtime=RuntimeConfig(clock="manual")))
    account = poplar.authenticate({"Authorization": "Bearer prod_pipeline_token"})
    assert (
        account.name
        and account.id == poplar.authenticate({"Authorization": "Bearer prod_pipeline_token"}).id
    )
    with pytest.raises(ApiError) as refused:
        poplar.authenticate({"Authorization": "Bearer test_token"})
    assert refused.value.status == 403
