"""`make demo` end to end: every consumer's outcome is the expected one, and it says so."""

from __future__ import annotations

from click.testing import CliRunner

from mockkit.demo import main


def test_demo_runs_and_every_outcome_is_as_expected() -> None:
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0, result.output
    assert result.output.count(" ok\n") == 4 and "UNEXPECTED" not in result.output
    assert "(lower-cased): True" in result.output
    assert "then Erin's order arrived 1 time(s)" in result.output
