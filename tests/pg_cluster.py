"""A throwaway PostgreSQL server for tests and benchmarks: ``initdb`` + ``pg_ctl`` in a temp dir.

Why not pytest-postgresql: it runs ``initdb`` as the current user, and ``initdb`` refuses to
run as root, which is what CI is. This runs the server binaries of Debian's ``postgresql``
package (``/usr/lib/postgresql/<version>/bin``, installed by ``make install``) as the
``postgres`` system user the package creates (or ``nobody``) when we are root, and as
ourselves otherwise, in a directory that user owns. The server listens on 127.0.0.1 and a free
port only (its Unix socket goes in the same temp dir), trusts loopback connections, and is
removed with its data when stopped.

Fixtures (imported by ``tests/conftest.py``): ``pg_cluster`` (one server per test session) and
``pg_url`` (a fresh database per test, dropped afterwards).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from mocks.core.server import free_port

__all__ = ["PgCluster", "find_bindir", "pg_cluster", "pg_url", "remove_orphans"]

SUPERUSER = "mockkit"
PREFIX = "mockkit-pg-"
OWNER_FILE = "owner.pid"  # the test session that made the cluster
_names = itertools.count(1)


def find_bindir() -> Path | None:
    """The newest installed server binaries (Debian keeps them off PATH), or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _server_user() -> str | None:
    """Who runs the server: None (ourselves) unless we are root, whom initdb refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and there is no 'postgres' or 'nobody' user to run as")


class PgCluster:
    """One server: :meth:`start`, :meth:`restart` (``pg_ctl restart``), :meth:`destroy`."""

    def __init__(self, bindir: Path, port: int | None = None, base: Path | None = None) -> None:
        """A new cluster in a fresh temp dir, or (``base``) the one a dead session left."""
        self.bindir = bindir
        self.port = port or free_port()
        self.user = _server_user()
        self.base = base or Path(tempfile.mkdtemp(prefix=PREFIX))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        if base is None:
            (self.base / OWNER_FILE).write_text(str(os.getpid()))
            if self.user is not None:
                entry = pwd.getpwnam(self.user)
                os.chown(self.base, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(
            command, cwd=self.base, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr}{result.stdout}{log}")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", *extra)

    def start(self) -> PgCluster:
        if not self.data.exists():
            # --no-sync: a throwaway cluster need not survive a power cut while being created.
            self._run(
                "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                "-E", "UTF8", "--no-sync", "--no-instructions",
            )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base}"
            " -c max_connections=200 -c fsync=on"
        )
        self._pg_ctl("start", "-o", options)
        return self

    def restart(self) -> None:
        """A clean restart (``-m fast``): every client connection is cut, then it comes back."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._pg_ctl("stop", "-m", "fast")

    def destroy(self) -> None:
        if self.base.exists():
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its URL."""
        name = name or f"mockkit_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(bindir: Path) -> None:
    """Stop and delete clusters whose test session was killed before its teardown ran."""
    for base in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            owner = int((base / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if owner != os.getpid() and not _alive(owner):
            PgCluster(bindir, base=base).destroy()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bindir = find_bindir()
    if bindir is None:
        if os.geteuid() == 0:
            pytest.fail("PostgreSQL server binaries missing: `make install` installs them (apt)")
        pytest.skip(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin or initdb on"
            " PATH) and not root, so they cannot be installed: apt-get install postgresql"
        )
    remove_orphans(bindir)
    cluster = PgCluster(bindir)
    try:
        yield cluster.start()
    finally:
        cluster.destroy()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    url = pg_cluster.create_database()
    yield url
    pg_cluster.drop_database(url)
