"""`make demo` end to end: every consumer's outcome is the expected one, and it says so."""

from __future__ import annotations

from click.testing import CliRunner

from mockkit.demo import main


def test_demo_runs_and_every_outcome_is_as_expected() -> None:
    result = CliRunner().invoke(main, [])
    output = result.output
    assert result.exit_code == 0, output
    # The dashboards come first, before any order is made.
    assert output.index("Flow view  http://127.0.0.1:") < output.index("order a sample")
    assert "UNEXPECTED" not in output and "\x1b[" not in output  # plain text without a TTY
    assert output.count(" ok\n") == 7  # four consumers, the questions, the duplicate, the 429
    assert "(lower-cased): True" in output
    assert "'skin-type': 'Dry; Sensitive'" in output
    assert "record of the event unchanged: True; Ada's order in Poplar 1 time(s)" in output
    assert "then Erin's order arrived 1 time(s)" in output
    table = output[output.index("What happened to each order") :]
    assert table.count(" yes ") == 6 and " NO " not in table
