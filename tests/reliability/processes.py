"""Find a served mock's worker process and read its resident memory (Linux /proc)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support import children

__all__ = ["rss_kb", "worker_listening_on"]


def _descendants(pid: int) -> list[int]:
    pending, seen = [pid], []
    while pending:
        current = pending.pop()
        seen.append(current)
        pending += children(current)
    return seen


def worker_listening_on(root: int, port: int) -> int:
    """The process under ``root`` that serves ``port``: of those holding its listening socket
    (granian's main process and its worker), the one none of whose children holds it too."""
    sockets = _listening_sockets(port)
    owners = [pid for pid in _descendants(root) if _holds(pid, sockets)]
    for pid in owners:
        if not set(children(pid)) & set(owners):
            return pid
    raise LookupError(f"no process listening on port {port} under pid {root}")


def _listening_sockets(port: int) -> set[str]:
    """``socket:[inode]`` names of the sockets listening on ``port`` (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                found.add(f"socket:[{inode}]")
    return found


def _holds(pid: int, sockets: set[str]) -> bool:
    try:
        return any(os.readlink(fd) in sockets for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # gone, or a descriptor closed while we looked
        return False


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for pid {pid}")
