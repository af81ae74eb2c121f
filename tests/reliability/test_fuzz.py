"""Fuzz both served mocks with schemathesis, every phase: no server error, no answer outside
the spec (issue 12). Poplar runs with ``--tokens`` so invalid-token probes get their 401.

Full size: at least 10,000 cases per mock; ``make test`` runs a few hundred.
"""

from __future__ import annotations

import pytest

from contracts.provider import ProviderTarget, run_provider
from tests.reliability.served import POPLAR_TOKEN, ServedMocks
from tests.reliability.sizes import SIZES

MAX_RUNS = 200


@pytest.mark.parametrize("vendor", ["sopost", "poplar"])
def test_fuzz_finds_no_server_error_and_no_answer_outside_the_spec(
    mocks: ServedMocks, vendor: str
) -> None:
    cases, seconds, failures, errors = 0, 0.0, [], []
    for seed in range(12, 12 + MAX_RUNS):  # new seeds until the case count is reached
        report = run_provider(
            ProviderTarget(
                vendor,
                url=mocks.url(vendor) + ("/v1" if vendor == "sopost" else ""),
                token=POPLAR_TOKEN if vendor == "poplar" else None,
                allow_writes=True,
                max_examples=SIZES.fuzz_examples,
                seed=seed,
            )
        )
        cases += report.cases
        seconds += report.duration_s
        errors += report.errors
        failures += [
            (op.label, failure["check"], failure["title"])
            for op in report.operations.values()
            for failure in op.failures
        ]
        if cases >= SIZES.fuzz_cases:
            break
    print(f"{vendor}: {cases} cases in {seconds:.0f} s, {len(failures)} failures")
    assert failures == [] and errors == []
    assert cases >= SIZES.fuzz_cases
    assert mocks.healthy(vendor)
