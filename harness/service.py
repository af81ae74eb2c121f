"""The running harness: store, clients, processor and worker pool, owned by one object.

The Flask app holds it in ``app.extensions["harness"]``; anything embedding the harness (the
``mockkit serve`` CLI, tests) stops it with :meth:`HarnessService.stop`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from harness.backoff import Backoff
from harness.clients import PoplarClient, SoPostClient
from harness.config import HarnessConfig
from harness.policy import ConsentPolicy
from harness.processor import Processor
from harness.receiver import WebhookReceiver
from harness.store import Admission, InboxStore, NewEvent
from harness.stores import open_store
from harness.worker import WorkerPool
from harness.worker_process import WorkerProcess

__all__ = ["HarnessService", "worker_pool"]


def worker_pool(config: HarnessConfig, store: InboxStore, clock: Callable[[], float]) -> WorkerPool:
    """The workers, their processor and the vendor clients: in the web process or the worker
    process (:mod:`harness.worker_process`) alike."""
    sopost = SoPostClient(
        config.sopost_api_url,
        config.sopost_api_user,
        config.sopost_api_password,
        config.http_timeout,
        clock,
    )
    poplar = PoplarClient(
        config.poplar_api_url, config.poplar_api_token, config.http_timeout, clock
    )
    processor = Processor(
        store,
        sopost,
        poplar,
        # .of() normalises case, so a hand-built config with {"SoPost"} works too.
        ConsentPolicy.of(config.consent_ids, config.data_handlers),
        backoff=Backoff(config.backoff_base, config.backoff_cap),
        max_attempts=config.max_attempts,
        clock=clock,
        logger=logging.getLogger("harness.worker"),
    )
    return WorkerPool(
        store,
        processor,
        workers=config.workers,
        lease_seconds=config.lease_seconds,
        poll_interval=config.poll_interval,
        clock=clock,
        closing=(sopost, poplar),
    )


class HarnessService:
    def __init__(
        self,
        config: HarnessConfig,
        *,
        store: InboxStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.clock = clock
        self.log = logging.getLogger("harness")
        self.store: InboxStore = store or open_store(
            config.db_path, workers=config.workers, retry_seconds=config.db_retry_seconds
        )
        self.receiver = WebhookReceiver(config.sopost_webhook_secret)
        self.pool: WorkerPool | WorkerProcess = (
            WorkerProcess(config)
            if config.worker_process
            else worker_pool(config, self.store, clock)
        )
        self._stopped = False

    def start(self) -> None:
        if isinstance(self.pool, WorkerPool):
            # Claims a dead run left behind: all of them on SQLite (one process claims from a
            # file), the expired ones on a PostgreSQL inbox that other processes share. The
            # worker process does the same for itself.
            recovered = self.store.recover(self.clock())
            if recovered:
                self.log.warning("recovered events", extra={"fields": {"recovered": recovered}})
        self.pool.start()
        self.log.info(
            "harness started",
            extra={
                "fields": {
                    "workers": self.config.workers,
                    "worker_process": self.config.worker_process,
                    "db": self.store.describe()["target"],
                    "signatures": self.receiver.verifies_signatures,
                }
            },
        )

    def accept(self, event: NewEvent) -> Admission:
        """Store an incoming event (committed before returning); wake a worker if it has work."""
        admitted = self.store.add(event, self.clock())
        self.log.info(
            "webhook duplicate" if admitted is Admission.DUPLICATE else "webhook accepted",
            extra={
                "fields": {
                    "decision": admitted.value,
                    "event_id": event.event_id,
                    "order_id": event.order_id,
                    "event": event.event,
                }
            },
        )
        if admitted is Admission.RECEIVED:
            self.pool.wake()
        return admitted

    def status(self) -> dict[str, Any]:
        stats = self.store.stats(self.clock())
        stats["workers"] = {"configured": self.config.workers, "alive": self.pool.alive()}
        stats["database"] = self.store.describe()
        return stats

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers (and their HTTP connections), then the database's. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self.pool.stop(timeout)
        self.store.close()
