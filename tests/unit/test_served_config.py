"""`mockkit serve` hands each served process its config whole, and the CLI's defaults are the
config dataclasses' own."""

from __future__ import annotations

import json
from dataclasses import asdict

from click.testing import CliRunner

from mockkit.apps import revive
from mockkit.cli import serve
from mocks.core.config import RuntimeConfig
from mocks.poplar.config import PoplarConfig
from mocks.sopost.config import LifecycleConfig, SoPostConfig


def test_a_config_survives_the_trip_to_the_served_process() -> None:
    sopost = SoPostConfig(
        runtime=RuntimeConfig(seed=7, clock="manual", log_requests=True),
        lifecycle=LifecycleConfig(filtering_delay=0.5, stage_delays=(1.0, 2.0)),
        require_auth=True,
        allow_webhook_hosts=("example.test",),
    )
    poplar = PoplarConfig(runtime=RuntimeConfig(strict=True), tokens=("a", "b"), rate_limit="5/1s")
    assert revive(SoPostConfig, json.loads(json.dumps(asdict(sopost)))) == sopost
    assert revive(PoplarConfig, json.loads(json.dumps(asdict(poplar)))) == poplar
    assert revive(PoplarConfig, {}) == PoplarConfig()


def test_cli_defaults_are_the_config_defaults() -> None:
    defaults = {p.name: p.default for p in serve.params}
    lifecycle, sopost, poplar, runtime = (
        LifecycleConfig(),
        SoPostConfig(),
        PoplarConfig(),
        RuntimeConfig(),
    )
    assert defaults["seed"] == runtime.seed and defaults["clock"] == runtime.clock
    assert defaults["filtering_delay"] == lifecycle.filtering_delay
    assert defaults["review_delay"] == lifecycle.review_delay
    assert tuple(float(s) for s in defaults["stage_delays"].split(",")) == lifecycle.stage_delays
    assert defaults["retry_scale"] == sopost.retry_scale
    assert defaults["webhook_timeout"] == sopost.webhook_timeout
    assert defaults["rate_limit"] == poplar.rate_limit
    assert defaults["max_body"] == runtime.max_body
    assert defaults["max_accounts"] == poplar.max_accounts


def test_serve_help_shows_the_defaults() -> None:
    result = CliRunner().invoke(serve, ["--help"])
    assert result.exit_code == 0
    assert f"[default: {PoplarConfig.rate_limit}]" in result.output
