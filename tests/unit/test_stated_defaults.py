"""Every figure the specs' ``info.x-assumptions`` (and the README and docs) state is the code's.

The defaults live in the config dataclasses and module constants; the specs and the README
describe them in words. These tests read the figures back out of the words, so changing a
default without its description (or the reverse) fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mocks.core.spec import load_spec
from mocks.core.webhooks import DEFAULT_RETRY_SCHEDULE
from mocks.poplar.config import PoplarConfig
from mocks.poplar.ratelimit import parse_rate_limit
from mocks.sopost.config import LifecycleConfig, SoPostConfig
from mocks.sopost.mock import WEBHOOK_USER_AGENT

ROOT = Path(__file__).resolve().parents[2]
# The README and the reference pages it links (docs/control-api.md states the delays).
PROSE = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
UNITS = {"s": 1, "min": 60, "h": 3600}
DURATION = re.compile(r"(\d+(?:\.\d+)?) (s|min|h)\b")


def assumption(vendor: str, item: str) -> str:
    rows = load_spec(vendor).document["info"]["x-assumptions"]
    return next(row["choice"] for row in rows if row["item"] == item)


def seconds(text: str) -> list[float]:
    """Every duration in ``text`` (``5 s``, ``30 min``, ``2 h``), in seconds, in order."""
    return [float(value) * UNITS[unit] for value, unit in DURATION.findall(text)]


def test_filtering_delay() -> None:
    stated = seconds(assumption("sopost", "Filtering delay"))
    assert stated[0] == LifecycleConfig.filtering_delay


def test_manual_review_delay_and_approval_rate() -> None:
    text = assumption("sopost", "Manual review")
    assert seconds(text) == [LifecycleConfig.review_delay]
    rate = re.search(r"(\d+)%", text)
    assert rate and int(rate.group(1)) / 100 == LifecycleConfig.review_approval_rate


def test_distribution_stage_delays() -> None:
    assert tuple(seconds(assumption("sopost", "Distribution stages"))) == (
        LifecycleConfig.stage_delays
    )


def test_webhook_retry_schedule_and_timeout() -> None:
    *schedule, timeout = seconds(assumption("sopost", "Webhook retries"))
    assert tuple(schedule) == DEFAULT_RETRY_SCHEDULE
    assert timeout == SoPostConfig.webhook_timeout


def test_webhook_user_agent() -> None:
    assert WEBHOOK_USER_AGENT in assumption("sopost", "Webhook sender")


def test_poplar_rate_limit() -> None:
    match = re.search(r"(\d+) requests per (\d+) s", assumption("poplar", "Rate limit"))
    assert match is not None
    stated = (int(match.group(1)), float(match.group(2)))
    rate = parse_rate_limit(PoplarConfig.rate_limit)
    assert stated == (rate.limit, rate.period)


@pytest.mark.parametrize(
    ("phrase", "default"),
    [
        ("filtering delay", LifecycleConfig.filtering_delay),
        ("manual review", LifecycleConfig.review_delay),
    ],
)
def test_readme_prose_states_the_same_figures(phrase: str, default: float) -> None:
    """Wherever the docs give a figure in brackets after the phrase, it is the default."""
    text = " ".join(" ".join(page.read_text(encoding="utf-8").split()) for page in PROSE)
    stated = re.findall(rf"{phrase} \((\d+(?:\.\d+)?) s\)", text, flags=re.IGNORECASE)
    assert stated and all(float(value) == default for value in stated), stated
