"""The README states what the code does: its Assumptions table is the specs' own."""

from __future__ import annotations

from pathlib import Path

from mockkit.assumptions import README_MARKERS, assumption_rows, assumptions_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_assumptions_table_is_generated_from_the_specs() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = README_MARKERS
    section = text[text.index(start) + len(start) : text.index(end)].strip()
    assert section == assumptions_table(), "run: mockkit assumptions, and paste it into README.md"


def test_every_assumed_status_name_is_listed() -> None:
    items = {item for _, item, _ in assumption_rows()}
    assert {
        "OrderStatus = PROCESSING",
        "OrderStatus = DISPATCHED",
        "OrderStatus = DELIVERED",
        "Webhook retries",
        "Rate limit",
        "Error",
    } <= items


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
