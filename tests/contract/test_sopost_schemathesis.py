"""openapi/sopost.yaml against the SoPost mock in-process: both directions, plus links.

Positive and negative cases must get a documented status and body; nothing may 5xx. Both views
of the spec run: the enforced constraints against the default mock (which only warns about
assumed ones) and every constraint against a ``--strict`` mock. The state machine walks the
spec's links (create webhook -> get/delete it, create order -> get it).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from mocks.core.config import RuntimeConfig
from mocks.sopost.app import SoPostConfig, create_app
from mocks.sopost.fixtures import GUIDE
from openapi.provenance import load_view


def _bound(strict: bool):
    config = SoPostConfig(runtime=RuntimeConfig(clock="manual", strict=strict))
    app = create_app(config, start=False)
    bound = schemathesis.openapi.from_dict(load_view("sopost", enforced_only=not strict))
    bound.app = app
    # The strict run re-checks what the default one did, plus the assumed rules: fewer cases.
    bound.config.generation.update(max_examples=15 if strict else 40, database=None)
    return app, bound


app, schema = _bound(strict=False)
_, full_schema = _bound(strict=True)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_sopost_conforms(case) -> None:
    case.call_and_validate()


@full_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_sopost_conforms_strictly(case) -> None:
    case.call_and_validate()


def point_at_existing_entities(case) -> None:
    """Aim generated subscriptions and orders at entities that exist, so links get walked."""
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if negative or not isinstance(case.body, dict):
        return  # a negative case must stay invalid
    if case.operation.label == "POST /webhooks":
        case.body.update(entity_type="Organisation", entity_id=GUIDE.organisation)
    if case.operation.label == "POST /orders":
        case.body.update(
            activity_id=GUIDE.activity,
            consents=[{"consent_id": GUIDE.consent}],
            line_items=[{"stock_partition_id": GUIDE.stock_partition}],
        )


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        # Walked one resource at a time: schemathesis starts chains only from the roots it deems
        # reliable, and ranks POST /webhooks (its entity_id has no producer) below any other root,
        # including GET /webhooks with its inferred links. So that list is left out here.
        ("^/webhooks", {("getWebhook", 200), ("deleteWebhook", 204)}),
        ("^/orders", {("getOrder", 200)}),
    ],
)
def test_sopost_links_are_walked_without_failures(paths: str, expected: set) -> None:
    walked = schema.include(path_regex=paths).exclude(path="/webhooks", method="GET")

    class Workflow(walked.as_state_machine()):
        def before_call(self, case) -> None:
            point_at_existing_entities(case)

    journal = app.extensions["mockkit"].runtime.journal
    journal.clear()
    Workflow.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=4,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
    assert expected <= {(e.operation_id, e.status) for e in journal.entries()}
