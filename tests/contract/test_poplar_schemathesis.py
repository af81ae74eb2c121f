"""openapi/poplar.yaml against the Poplar mock, in-process: the spec and the mock cannot drift.

Positive and negative cases for every operation (the enforced view against the default mock,
the full view against a ``--strict`` one), and stateful runs that follow the spec's links
(submit -> edit -> delete). ``/transactions`` and ``/_mock`` are not in this spec, so
schemathesis never calls them.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from contracts.provider import keep_edit_order_id
from mocks.core.config import RuntimeConfig
from mocks.poplar.app import PoplarConfig, create_app
from openapi.provenance import load_view

TOKEN = "prod_schemathesis_token"
# A token list, so schemathesis' invalid-token probe (ignored_auth) gets its 401; a limit no
# run reaches, so 429s never hide other answers.
CONFIG = PoplarConfig(runtime=RuntimeConfig(seed=7), tokens=(TOKEN,), rate_limit="1000000/1s")

STRICT = PoplarConfig(
    runtime=RuntimeConfig(seed=7, strict=True), tokens=(TOKEN,), rate_limit="1000000/1s"
)


def _bound(config: PoplarConfig):
    app = create_app(config, start=False)
    bound = schemathesis.openapi.from_dict(
        load_view("poplar", enforced_only=not config.runtime.strict)
    )
    bound.app = app
    bound.config.update(headers={"Authorization": f"Bearer {TOKEN}"})
    # The strict run re-checks what the default one did, plus the assumed rules: fewer cases.
    bound.config.generation.update(max_examples=15 if config.runtime.strict else 30, database=None)
    return app, bound


app, schema = _bound(CONFIG)
_, full_schema = _bound(STRICT)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_poplar_conforms_to_its_spec(case) -> None:
    keep_edit_order_id(case)
    case.call_and_validate()


@full_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_poplar_conforms_strictly(case) -> None:
    keep_edit_order_id(case, strict=True)
    case.call_and_validate()


class PoplarWorkflow(schema.as_state_machine()):
    def setup(self) -> None:
        app.extensions["mockkit"].reset()

    def before_call(self, case) -> None:
        keep_edit_order_id(case)


PoplarWorkflow.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=5,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TestPoplarWorkflow = PoplarWorkflow.TestCase
