"""`mockkit serve` draws the harness's webhook secret and admin token fresh each run (issue 12).

Before, the same seed gave the same subscription secret every run, so anyone could forge the
harness's webhooks, and the harness's operator endpoints were open.
"""

from __future__ import annotations

import re

import requests

from tests.integration.test_serve_cli import Served


def _printed(output: str, what: str) -> str:
    match = re.search(rf"Harness {what} \(fresh each run\): (\S+)", output)
    assert match, output
    return match.group(1)


def _harness_url(output: str) -> str:
    match = re.search(r"^Harness\s+(http://\S+)", output, re.M)
    assert match, output
    return match.group(1)


def test_each_run_has_its_own_secret_and_token_and_the_admin_endpoints_need_it() -> None:
    seen = []
    for _ in range(2):
        served = Served("--seed", "7", "--quiet")
        try:
            output = served.output()
            token, secret = _printed(output, "admin token"), _printed(output, "webhook secret")
            harness = _harness_url(output)
            assert requests.get(f"{harness}/status", timeout=5).status_code == 401
            authorised = requests.get(
                f"{harness}/status", headers={"Authorization": f"Bearer {token}"}, timeout=5
            )
            assert authorised.status_code == 200, authorised.text
            assert requests.get(f"{harness}/health", timeout=5).status_code == 200
            seen.append((token, secret))
        finally:
            served.stop()
    (token_1, secret_1), (token_2, secret_2) = seen
    assert token_1 != token_2 and secret_1 != secret_2
    assert secret_1.startswith("whsec_")
