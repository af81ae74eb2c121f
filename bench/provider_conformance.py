"""Provider conformance speed: schemathesis cases per second against our mocks, in-process.

Target: >= 200 cases/s (schemathesis itself does about 215/s on a trivial app here). Every
phase runs (examples, coverage, fuzzing, stateful), so the rate includes the mock's own work.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.common import loadavg, write_result
from contracts.provider import ProviderTarget, run_provider

TARGET = 200
ROUNDS = 3


def main() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for vendor in ("sopost", "poplar"):
        runs = []
        for _ in range(ROUNDS):
            load = loadavg()
            report = run_provider(ProviderTarget(vendor, max_examples=25))
            assert report.ok, f"{vendor} does not conform: {report.failures} failures"
            runs.append(
                {
                    "cases": report.cases,
                    "seconds": report.duration_s,
                    "cases_per_s": round(report.cases / report.duration_s, 1),
                    "loadavg_before": load,
                }
            )
            print(
                f"  {vendor}: {runs[-1]['cases']} cases in {report.duration_s:.2f} s = "
                f"{runs[-1]['cases_per_s']}/s (load {load[0]})",
                flush=True,
            )
        rates = [run["cases_per_s"] for run in runs]
        figures[vendor] = {"runs": runs, "best": max(rates), "median": statistics.median(rates)}
    data = {
        "target_cases_per_s": TARGET,
        **figures,
        "pass": {v: figures[v]["median"] >= TARGET for v in ("sopost", "poplar")},
    }
    print(f"wrote {write_result('provider_conformance', data)}")
    return data


if __name__ == "__main__":
    main()
