"""The demo's stack (both mocks, the harness with an admin token, the flow view)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mockkit.demo_stack import Stack

ADMIN_TOKEN = "pages-admin-token"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(Path(tmp_path_factory.mktemp("pages")), admin_token=ADMIN_TOKEN)
    yield running
    running.stop()
