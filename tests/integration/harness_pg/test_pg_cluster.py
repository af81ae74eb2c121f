"""The throwaway cluster helper: a cluster whose test session was killed is cleaned up later."""

from __future__ import annotations

import subprocess
import sys

from tests.pg_cluster import OWNER_FILE, PgCluster, remove_orphans


def test_a_killed_sessions_cluster_is_stopped_and_removed_by_the_next(pg_cluster) -> None:
    orphan = PgCluster(pg_cluster.bindir).start()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    (orphan.base / OWNER_FILE).write_text(dead.stdout.strip())
    live = PgCluster(pg_cluster.bindir)  # this session's: must be left alone
    try:
        remove_orphans(pg_cluster.bindir)
        assert not orphan.base.exists()
        assert live.base.exists() and pg_cluster.base.exists()
    finally:
        orphan.destroy()
        live.destroy()
