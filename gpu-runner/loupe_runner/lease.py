"""Holding a lease: background heartbeats, and one stop signal for all that ends a job early.

A job stops early for three reasons: the user cancelled it (the heartbeat answer says so), the
runner lost its lease (any write answered 409 lease_lost), or the runner itself is shutting down.
The training thread polls `StopSignal.check()` between batches, which raises `JobStopped`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from loupe_runner.client import LeaseLost, RunnerClient, ServerError, ServerUnreachable
from loupe_runner.contract import RunnerHealth
from loupe_runner.errors import JobStopped, StopReason

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0


class StopSignal:
    """Thread-safe; the first reason wins. A child also stops when its parent does."""

    def __init__(self, parent: StopSignal | None = None) -> None:
        self._parent = parent
        self._event = threading.Event()
        self._reason: StopReason | None = None
        self._lock = threading.Lock()

    def request(self, reason: StopReason) -> None:
        with self._lock:
            if self._reason is None:
                self._reason = reason
                self._event.set()

    @property
    def reason(self) -> StopReason | None:
        if self._reason is not None:
            return self._reason
        return self._parent.reason if self._parent else None

    def is_set(self) -> bool:
        return self.reason is not None

    def wait(self, timeout: float) -> bool:
        """Sleeps up to `timeout`, waking early when this signal (not a parent) is set."""
        return self._event.wait(timeout)

    def check(self) -> None:
        reason = self.reason
        if reason is not None:
            raise JobStopped(reason)


class Heartbeat:
    """Renews the lease every `interval` seconds until closed, carrying the machine's health;
    turns answers into stop reasons."""

    def __init__(
        self,
        client: RunnerClient,
        job_id: str,
        lease_token: str,
        stop: StopSignal,
        interval: float = HEARTBEAT_SECONDS,
        health: Callable[[], RunnerHealth | None] = lambda: None,
    ) -> None:
        self._client = client
        self._health = health
        self._job_id = job_id
        self._token = lease_token
        self._stop = stop
        self._interval = interval
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._closed.set()
        self._thread.join(timeout=self._interval + 5)

    def _run(self) -> None:
        # The first beat goes at once: it tells the server the lease reached a live runner, and
        # a short lease (LOUPE_LEASE_SECONDS=10) must not run out while the job is set up.
        wait = 0.0
        while not self._closed.wait(wait):
            wait = self._interval
            try:
                health = self._health()
            except Exception:  # a health reading must never cost the lease
                log.exception("health reading failed; heartbeat sent without it")
                health = None
            try:
                reply = self._client.heartbeat(self._job_id, self._token, health)
            except LeaseLost:
                log.warning("heartbeat: lease lost for job %s", self._job_id)
                self._stop.request("lease_lost")
                return
            except (ServerError, ServerUnreachable) as error:
                # Keep trying: a server back within the lease keeps the job alive. If the lease
                # expired meanwhile, the next write is answered lease_lost and stops the job.
                log.warning("heartbeat failed for job %s: %s", self._job_id, error)
                continue
            if reply.cancel_requested:
                self._stop.request("cancelled")
                return
