"""One leased job, end to end: materialise -> train -> export -> upload -> complete.

Each stage reports its status first, so the job page shows where time goes. Whatever goes
wrong becomes a /fail with a message the user can act on; the traceback stays in the log.
A job that was cancelled is failed with a "cancelled" message (the protocol has no separate
call); one whose lease was lost is dropped silently (another runner may hold it now); one
interrupted by the runner's shutdown is left to its lease, which expires and requeues it.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Literal

from loupe_runner.client import LeaseLost, RunnerClient, ServerError, ServerUnreachable
from loupe_runner.contract import Lease, StatusEvent
from loupe_runner.errors import JobStopped, describe_failure
from loupe_runner.export import build_metadata, export_onnx
from loupe_runner.lease import HEARTBEAT_SECONDS, Heartbeat, StopSignal
from loupe_runner.materialise import BlobCache, materialise
from loupe_runner.outbox import Outbox
from loupe_runner.train import TrainRequest, train
from loupe_runner.upload import upload_model

log = logging.getLogger(__name__)

Outcome = Literal["completed", "failed", "cancelled", "lease_lost", "interrupted"]
# How long the job waits at the end for its events to be stored before it gives up.
FLUSH_SECONDS = 60.0


@dataclass(frozen=True)
class JobResult:
    outcome: Outcome
    model_version_id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class JobContext:
    client: RunnerClient
    workdir: Path
    device: str
    stop: StopSignal  # the runner's; the job makes a child of it
    heartbeat_seconds: float = HEARTBEAT_SECONDS


def run_job(
    context: JobContext, lease: Lease, on_stage: Callable[[str], None] = lambda _: None
) -> JobResult:
    """Runs the job to an outcome; the job's own failures are reported, never raised."""
    job = lease.job
    stop = StopSignal(parent=context.stop)
    stage = Stage(on_stage)
    # A short lease still gets several heartbeats before it runs out.
    interval = min(context.heartbeat_seconds, lease.lease_seconds / 4)
    job_dir = context.workdir / "jobs" / _safe_name(job.id)
    heartbeat = Heartbeat(context.client, job.id, lease.lease_token, stop, interval)
    outbox = Outbox(context.client, job.id, lease.lease_token, stop)
    try:
        with heartbeat, outbox:
            model_version_id = _stages(context, lease, stop, stage, outbox, job_dir)
    except JobStopped as stopped:
        return _stopped(context.client, lease, stopped, stage)
    except LeaseLost:
        log.warning("job %s: lease lost while %s", job.id, stage.current)
        return JobResult("lease_lost")
    except Exception as error:
        log.exception("job %s failed while %s", job.id, stage.current)
        message = describe_failure(error, stage.current, batch=job.config.batch)
        _post_failure(context.client, lease, message)
        return JobResult("failed", error=message)
    shutil.rmtree(job_dir, ignore_errors=True)  # failed jobs keep theirs for a look
    return JobResult("completed", model_version_id=model_version_id)


class Stage:
    """Where the job is, in words a failure message can use ("while training")."""

    def __init__(self, on_change: Callable[[str], None]) -> None:
        self.current = "starting"
        self._on_change = on_change

    def enter(self, words: str) -> None:
        self.current = words
        self._on_change(words)


def _stages(
    context: JobContext,
    lease: Lease,
    stop: StopSignal,
    stage: Stage,
    outbox: Outbox,
    job_dir: Path,
) -> str:
    job, config = lease.job, lease.job.config
    stage.enter("preparing the dataset")
    outbox.put(StatusEvent(status="preparing"))
    manifest = context.client.manifest(config.dataset_version_id)
    cache = BlobCache(context.workdir / "blobs", context.client.download_blob)
    dataset = materialise(
        manifest,
        cache,
        job_dir / "dataset",
        seed=config.seed,
        val_fraction=config.val_fraction,
        check_stop=stop.check,
    )
    stop.check()
    stage.enter("training")
    outbox.put(StatusEvent(status="training"))
    request = TrainRequest(
        data_yaml=dataset.data_yaml,
        architecture=config.model,
        epochs=config.epochs,
        imgsz=config.imgsz,
        batch=config.batch,
        seed=config.seed,
        device=context.device,
        run_dir=job_dir / "run",
    )
    result = train(request, context.workdir, outbox.put, stop.check)
    stop.check()
    stage.enter("exporting the model")
    outbox.put(StatusEvent(status="exporting"))
    exported = export_onnx(
        result.weights,
        config.imgsz,
        job_dir / "model" / "model.onnx",
        context.workdir,
        config.model,
    )
    metadata = build_metadata(
        exported,
        architecture=config.model,
        epochs=result.epochs,
        dataset_version_id=config.dataset_version_id,
        job_id=job.id,
        metrics=result.metrics,
    )
    # Every epoch's metrics are stored before the model is, so the model page is complete.
    stage.enter("reporting metrics")
    outbox.flush(FLUSH_SECONDS)
    if stop.reason in ("cancelled", "lease_lost"):
        stop.check()  # a finished model is still uploaded when only the runner is stopping
    stage.enter("uploading the model")
    return upload_model(context.client, job.id, lease.lease_token, exported.path, metadata)


def _stopped(client: RunnerClient, lease: Lease, stopped: JobStopped, stage: Stage) -> JobResult:
    job_id = lease.job.id
    if stopped.reason == "lease_lost":
        log.warning("job %s: lease lost while %s", job_id, stage.current)
        return JobResult("lease_lost")
    if stopped.reason == "shutdown":
        log.warning("job %s: runner stopping; the job is requeued when its lease expires", job_id)
        return JobResult("interrupted")
    message = f"Cancelled on request while {stage.current}."
    _post_failure(client, lease, message)
    return JobResult("cancelled", error=message)


def _post_failure(client: RunnerClient, lease: Lease, message: str) -> None:
    try:
        client.fail(lease.job.id, lease.lease_token, message)
    except LeaseLost:
        log.warning("job %s: lease already gone; failure not recorded", lease.job.id)
    except (ServerError, ServerUnreachable) as error:
        log.error("job %s: could not report the failure: %s", lease.job.id, error)


def _safe_name(job_id: str) -> str:
    # Job ids come from the server and become a folder name; anything unusual is hashed.
    if re.fullmatch(r"[A-Za-z0-9_-]{1,100}", job_id):
        return job_id
    return sha256(job_id.encode()).hexdigest()[:32]
