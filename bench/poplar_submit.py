"""Validation cost per request of Poplar's ``POST /v1/order`` for the docs' example body.

Measures the compiled validator alone (what the mock pays per request before its handler) and
the whole in-process request through the Flask test client for context. Writes
``bench/results/poplar_validation.json``. Run: ``.venv/bin/python bench/poplar_submit.py``.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from pathlib import Path

from mocks.core.spec import load_spec
from mocks.poplar.app import PoplarConfig, create_app
from mocks.poplar.fixtures import example_request

TARGET_MS = 0.1
RESULTS = Path(__file__).resolve().parent / "results" / "poplar_validation.json"


def _per_call_ms(call, rounds: int = 7, number: int = 2000) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - started) * 1000 / number)
    return samples


def main() -> dict:
    operation = load_spec("poplar").operations["submitOrder"]
    body = example_request()
    raw = json.dumps(body).encode()
    validate = lambda: operation.validate({}, {}, "application/json", raw)  # noqa: E731
    validate()
    validation = _per_call_ms(validate)

    client = create_app(PoplarConfig(rate_limit="100000000/1s"), start=False).test_client()
    headers = {"Authorization": "Bearer prod_bench"}
    counter = iter(range(10**9))

    def submit() -> None:
        response = client.post(
            "/v1/order", json={**body, "order_id": f"B-{next(counter)}"}, headers=headers
        )
        assert response.status_code == 200

    request = _per_call_ms(submit, rounds=3, number=300)
    result = {
        "benchmark": "poplar_validation",
        "body": "docs example (submitOrder)",
        "validation_ms_median": round(statistics.median(validation), 4),
        "validation_ms_min": round(min(validation), 4),
        "target_ms": TARGET_MS,
        "meets_target": statistics.median(validation) <= TARGET_MS,
        "full_request_ms_median": round(statistics.median(request), 4),
        "note": "validation = body parse + compiled JSON Schema check; full request = Flask "
        "test client, auth, rate limit, journal, state, render",
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
