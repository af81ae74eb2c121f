"""`mockkit demo --keep-running` leaves every page up after the story, until Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from tests.support import wait_until


def test_keep_running_serves_the_dashboards_until_interrupted() -> None:
    command = [str(Path(sys.executable).with_name("mockkit")), "demo", "--keep-running"]
    with tempfile.TemporaryFile(mode="w+") as log:
        demo = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)

        def output() -> str:
            log.seek(0)
            return log.read()

        def story_told() -> bool:
            # A story that failed exits at once: say why instead of waiting out the deadline.
            assert demo.poll() is None, output()
            return "Still running" in output()

        try:
            wait_until(story_told, timeout=60, message="the story")
            flow = re.findall(r"Flow view\s+(http://127\.0\.0\.1:\d+/)", output())[-1]
            rows = requests.get(f"{flow}api/flow", timeout=5).json()["rows"]
            assert len(rows) == 6  # the story's orders stay explorable
        finally:
            demo.send_signal(signal.SIGINT)
            code = demo.wait(timeout=30)
        assert code == 0, output()
