"""Resumable checkpoints: uploaded from a background thread while training goes on, and fetched
when a lease says an earlier runner left one.

Training hands over a private copy of last.pt (train.py copies it); the uploader sends the newest
one it has and drops any older copy still waiting, since the server keeps only the newest anyway.
A failed upload is not a failed job: the next checkpoint (or the previous one on the server)
still stands, so it is logged and training goes on. A lost lease stops the job, as any write does.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from loupe_runner.client import (
    CorruptBlob,
    LeaseLost,
    RunnerClient,
    ServerError,
    ServerUnreachable,
)
from loupe_runner.contract import Checkpoint
from loupe_runner.lease import StopSignal

log = logging.getLogger(__name__)

# How long the end of a job waits for a checkpoint upload still in flight.
CLOSE_SECONDS = 120.0


class CheckpointUploader:
    def __init__(self, client: RunnerClient, job_id: str, lease_token: str, stop: StopSignal):
        self._client = client
        self._job_id = job_id
        self._token = lease_token
        self._stop = stop
        self._cond = threading.Condition()
        self._pending: tuple[int, Path] | None = None
        self._busy = False
        self._closed = False
        self.uploaded: list[int] = []  # epochs the server confirmed, in order
        self._thread = threading.Thread(target=self._run, name=f"checkpoints-{job_id}", daemon=True)

    def __enter__(self) -> CheckpointUploader:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close(CLOSE_SECONDS)

    def close(self, timeout: float) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def submit(self, epoch: int, path: Path) -> None:
        """Called from the training thread; returns at once."""
        with self._cond:
            if self._pending is not None:
                self._pending[1].unlink(missing_ok=True)  # superseded before it left
            self._pending = (epoch, path)
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._pending is None:
                    return
                epoch, path = self._pending
                self._pending = None
            try:
                self._upload(epoch, path)
            finally:
                path.unlink(missing_ok=True)

    def _upload(self, epoch: int, path: Path) -> None:
        if self._stop.reason in ("cancelled", "lease_lost"):
            return
        try:
            self._client.put_checkpoint(self._job_id, self._token, epoch, path)
        except LeaseLost:
            log.warning("checkpoint: lease lost for job %s", self._job_id)
            self._stop.request("lease_lost")
            return
        except (ServerError, ServerUnreachable, OSError) as error:
            log.warning("job %s: checkpoint of epoch %d not stored: %s", self._job_id, epoch, error)
            return
        self.uploaded.append(epoch)
        log.info("job %s: checkpoint of epoch %d stored", self._job_id, epoch)


def fetch_checkpoint(
    client: RunnerClient, job_id: str, lease_token: str, checkpoint: Checkpoint, folder: Path
) -> Path | None:
    """Downloads the lease's checkpoint, verified by its sha256; None when it arrived damaged on
    every try (the caller then says so and starts from epoch 1)."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"checkpoint-epoch-{checkpoint.epoch}.pt"
    try:
        client.download_checkpoint(job_id, lease_token, checkpoint, dest)
    except CorruptBlob as error:
        log.error("job %s: checkpoint damaged: %s", job_id, error)
        return None
    return dest
