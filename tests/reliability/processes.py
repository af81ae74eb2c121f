"""Find a served mock's worker process and read its resident memory (Linux /proc)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["rss_kb", "worker_listening_on"]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def _descendants(pid: int) -> list[int]:
    pending, seen = [pid], []
    while pending:
        current = pending.pop()
        seen.append(current)
        pending += _children(current)
    return seen


def worker_listening_on(root: int, port: int) -> int:
    """The process under ``root`` that serves ``port``: granian's worker (or its only process)."""
    for pid in _descendants(root):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"granian" in b" ".join(argv) and str(port).encode() in argv:
            workers = _children(pid)
            return workers[0] if workers else pid
    raise LookupError(f"no granian process for port {port} under pid {root}")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for pid {pid}")
