"""The integration process is never lost to a Ctrl-C, wherever the signal lands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from contracts import process
from contracts.process import Integration
from tests.support import running


def test_a_ctrl_c_inside_popen_once_the_child_runs_still_records_it(monkeypatch) -> None:
    """The signal lands while ``Popen`` waits for the child's exec to report back: raised
    there, it left the child running and ``Integration`` not knowing it."""
    real_popen = subprocess.Popen

    def popen_then_ctrl_c(*args, **kwargs) -> subprocess.Popen:
        child = real_popen(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # due before Popen has returned
        return child

    monkeypatch.setattr(process.subprocess, "Popen", popen_then_ctrl_c)
    integration = Integration(f"exec {sys.executable} -c 'import time; time.sleep(60)'", {}, 9)
    with pytest.raises(KeyboardInterrupt):
        integration.start(timeout=5)
    child = integration.process
    assert child is not None
    integration.stop()
    assert not running(child.pid)
