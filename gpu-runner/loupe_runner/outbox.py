"""Delivers runner events in order from a background thread, so training never waits on the network.

Events queue up while the server is slow or away and go out in batches when it answers. Only the
newest of several queued progress events is sent (older ones are stale by then); status, epoch
and notice events are all kept, and the server stores a repeated epoch once. Every reply says
whether the user asked to cancel, so a cancel reaches training within a batch or so rather than
at the next heartbeat.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from loupe_runner.client import LeaseLost, RunnerClient, ServerError, ServerUnreachable
from loupe_runner.contract import AnyRunnerEvent, ProgressEvent
from loupe_runner.errors import RunnerError
from loupe_runner.lease import StopSignal

log = logging.getLogger(__name__)

Event = AnyRunnerEvent
MAX_BATCH = 500  # RunnerEventsRequest allows 500 events
RETRY_SECONDS = 2.0


class OutboxUndelivered(RunnerError):
    """Events were still undelivered when the job needed them stored."""


class Outbox:
    def __init__(
        self,
        client: RunnerClient,
        job_id: str,
        lease_token: str,
        stop: StopSignal,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._client = client
        self._job_id = job_id
        self._token = lease_token
        self._stop = stop
        self._retry_seconds = retry_seconds
        self._queue: deque[Event] = deque()
        self._in_flight = 0
        self._cond = threading.Condition()
        self._closed = False
        self._lost = False
        self._thread = threading.Thread(target=self._run, name=f"outbox-{job_id}", daemon=True)

    def __enter__(self) -> Outbox:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=30)

    def put(self, event: Event) -> None:
        with self._cond:
            if not self._lost:
                self._queue.append(event)
                self._cond.notify_all()

    def flush(self, timeout: float) -> None:
        """Waits until every queued event is stored; raises OutboxUndelivered after `timeout`."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: self._lost or (not self._queue and not self._in_flight), timeout
            )
            if not done:
                pending = len(self._queue) + self._in_flight
                raise OutboxUndelivered(
                    f"The server did not store the job's last {pending} progress and metric "
                    f"reports within {timeout:.0f} s. Check that the server is running and "
                    "reachable from the runner, then start the job again."
                )

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._closed)
                if not self._queue:
                    return  # closed and drained
                batch = _take(self._queue)
                self._in_flight = len(batch)
            delivered = self._post(batch)
            with self._cond:
                self._in_flight = 0
                if not delivered and not self._lost:
                    self._queue.extendleft(reversed(batch))  # keep the order for the next try
                self._cond.notify_all()
                if self._closed and not delivered:
                    return  # closing: a dead server must not hold the runner
            if not delivered:
                self._stop.wait(self._retry_seconds)

    def _post(self, batch: list[Event]) -> bool:
        try:
            reply = self._client.post_events(self._job_id, self._token, batch)
        except LeaseLost:
            log.warning("events: lease lost for job %s", self._job_id)
            with self._cond:
                self._lost = True
                self._queue.clear()
            self._stop.request("lease_lost")
            return False
        except ServerError as error:
            # The server read and refused them: sending the same again cannot help.
            log.error("events refused for job %s, %d dropped: %s", self._job_id, len(batch), error)
            return True
        except ServerUnreachable as error:
            log.warning("events for job %s not delivered yet: %s", self._job_id, error)
            return False
        if reply.cancel_requested:
            self._stop.request("cancelled")
        return True


def _take(queue: deque[Event]) -> list[Event]:
    batch: list[Event] = []
    while queue and len(batch) < MAX_BATCH:
        event = queue.popleft()
        if isinstance(event, ProgressEvent) and batch and isinstance(batch[-1], ProgressEvent):
            batch[-1] = event  # a newer progress makes the one before it stale
        else:
            batch.append(event)
    return batch
