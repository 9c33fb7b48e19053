"""One leased job, end to end: pre-flight -> materialise -> (resume, or fetch base weights) ->
train -> export -> upload, for the job's task (classify, detect or segment).

Each stage reports its status first, so the job page shows where time goes. Checkpoints go up
while training runs; a lease that carries one resumes from it. At the end the job uploads, besides
model.onnx and metadata.json, what the job page shows about the model: best.pt, validation.json
(per-class metrics, confusion matrix, speed, an onnxruntime benchmark), results.csv, the plots of
the final validation, and an fp16 ONNX when it trained on a GPU. Whatever goes
wrong becomes a /fail with a message the user can act on; the traceback stays in the log.
A job that was cancelled is failed with a "cancelled" message (the protocol has no separate
call); one whose lease was lost is dropped silently (another runner may hold it now); one
interrupted by the runner's shutdown is left to its lease, which expires and requeues it.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any, Literal

from loupe_runner import ultralytics_env
from loupe_runner.base_weights import fetch_base_weights
from loupe_runner.checkpoints import CheckpointUploader, fetch_checkpoint
from loupe_runner.client import LeaseLost, RunnerClient, ServerError, ServerUnreachable
from loupe_runner.contract import (
    JobConfig,
    Lease,
    ModelVersionWeights,
    NoticeEvent,
    PretrainedWeights,
    StatusEvent,
)
from loupe_runner.errors import ExportError, JobStopped, describe_failure
from loupe_runner.export import benchmark_onnx, build_metadata, export_onnx
from loupe_runner.health import HealthProbe
from loupe_runner.lease import HEARTBEAT_SECONDS, Heartbeat, StopSignal
from loupe_runner.materialise import BlobCache, Materialised, materialise, task_images
from loupe_runner.outbox import Outbox
from loupe_runner.preflight import check_disk, check_split, estimate_bytes
from loupe_runner.pretrained import DEFAULT_URL, Fetched, check_pretrained, fetch_pretrained
from loupe_runner.report import headline, run_files, test_summary, validation_summary
from loupe_runner.train import TrainRequest, TrainResult, train
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
    runner_id: str = "runner"
    device_description: str = ""  # what health reports; the device string when empty
    pretrained_url: str = DEFAULT_URL  # where official weights are fetched (LOUPE_PRETRAINED_URL)


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
    probe = HealthProbe(
        context.runner_id, context.device_description or context.device, context.workdir
    )
    heartbeat = Heartbeat(context.client, job.id, lease.lease_token, stop, interval, probe)
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
    # Pre-flight: before a single photo is downloaded.
    check_split(
        manifest,
        config.seed,
        config.val_fraction,
        config.task,
        test_fraction=config.test_fraction,
        stratify=config.stratify,
        types=config.annotation_types,
        assigned=lease.split,
    )
    images = task_images(manifest, config.task).values()
    check_disk(context.workdir, estimate_bytes(images, lambda sha: (cache.folder / sha).exists()))
    dataset = materialise(
        manifest,
        cache,
        job_dir / "dataset",
        seed=config.seed,
        val_fraction=config.val_fraction,
        task=config.task,
        check_stop=stop.check,
        test_fraction=config.test_fraction,
        stratify=config.stratify,
        types=config.annotation_types,
        assigned=lease.split,
    )
    outbox.put(NoticeEvent(level="info", message=_split_notice(dataset, lease)))
    for note in dataset.notes:  # labels converted for the task, or images it cannot use
        outbox.put(NoticeEvent(level="info", message=note))
    resume_from = None
    if lease.checkpoint is not None:
        stage.enter("fetching the checkpoint")
        resume_from = fetch_checkpoint(
            context.client, job.id, lease.lease_token, lease.checkpoint, job_dir / "resume"
        )
        if resume_from is None:
            outbox.put(
                NoticeEvent(
                    level="warning",
                    message=f"The checkpoint of epoch {lease.checkpoint.epoch} arrived damaged "
                    "on every try, so training starts again from epoch 1.",
                )
            )
    # A resume carries its own weights.
    base_weights = None if resume_from else _base_weights(context, lease, stage, outbox)
    stop.check()
    stage.enter("training")
    outbox.put(StatusEvent(status="training"))
    request = TrainRequest(
        data=dataset.data,
        architecture=config.model,
        epochs=config.epochs,
        imgsz=config.imgsz,
        batch=config.ultralytics_batch,
        seed=config.seed,
        device=context.device,
        run_dir=job_dir / "run",
        hyperparameters=config.hyperparameters.ultralytics_args(),
        checkpoint_every=config.checkpoint_every,
        resume_from=resume_from,
        task=config.task,
        base_weights=base_weights,
    )
    with CheckpointUploader(context.client, job.id, lease.lease_token, stop) as uploader:
        result = train(request, context.workdir, outbox.put, stop.check, uploader.submit)
    stop.check()
    test = None
    if dataset.test:
        stage.enter("testing the model")
        test = {
            "images": len(dataset.test),
            **test_summary(
                result.weights,
                dataset.data,
                config.imgsz,
                config.ultralytics_batch,
                context.device,
                context.workdir,
                job_dir / "test",
            ),
        }
        message = f"Test split ({len(dataset.test)} photos held out of training and model choice): "
        outbox.put(NoticeEvent(level="info", message=message + headline(test)))
        stop.check()
    stage.enter("exporting the model")
    outbox.put(StatusEvent(status="exporting"))
    model_dir = job_dir / "model"
    exported = export_onnx(
        result.weights, config.imgsz, model_dir / "model.onnx", context.workdir, config.model
    )
    metadata = build_metadata(
        exported,
        architecture=config.model,
        epochs=result.epochs,
        dataset_version_id=config.dataset_version_id,
        job_id=job.id,
        metrics=result.metrics,
    )
    extras = _extras(
        context, result, exported.path, model_dir, outbox, config.imgsz, config.model, test
    )
    # Every epoch's metrics are stored before the model is, so the model page is complete.
    stage.enter("reporting metrics")
    outbox.flush(FLUSH_SECONDS)
    if stop.reason in ("cancelled", "lease_lost"):
        stop.check()  # a finished model is still uploaded when only the runner is stopping
    stage.enter("uploading the model")
    return upload_model(
        context.client, job.id, lease.lease_token, exported.path, metadata, extras=extras
    )


def _split_notice(dataset: Materialised, lease: Lease) -> str:
    counts = f"{len(dataset.train)} photos train, {len(dataset.val)} validate" + (
        f", {len(dataset.test)} test" if dataset.test else ""
    )
    if lease.split is None:
        return f"Split: {counts} (split on the runner: the server sent none)."
    return f"Split: {counts}, as the server fixed it when the job was created."


def _base_weights(context: JobContext, lease: Lease, stage: Stage, outbox: Outbox) -> Path | None:
    """The verified file a fine-tuning job starts from; None: from the YAML (with a notice when
    a pretrained start was asked for and is not to be had)."""
    config = lease.job.config
    folder = context.workdir / "weights"
    if lease.base_weights is not None:
        stage.enter("fetching the base weights")
        path = fetch_base_weights(context.client, lease.base_weights, folder)
    elif lease.pretrained is not None:
        stage.enter("fetching the pretrained weights")
        fetched = fetch_pretrained(lease.pretrained, folder / "pretrained", context.pretrained_url)
        if fetched.path is None:
            outbox.put(NoticeEvent(level="warning", message=_no_pretrained(config, fetched)))
            return None
        path = fetched.path
    else:
        return None
    if isinstance(config.base_weights, PretrainedWeights):
        ultralytics_env.load(context.workdir)  # before the restricted loader imports it
        check_pretrained(path, config.base_weights.name)
    outbox.put(NoticeEvent(level="info", message=_fine_tune_notice(config)))
    return path


def _no_pretrained(config: JobConfig, fetched: Fetched) -> str:
    name = config.base_weights.name if isinstance(config.base_weights, PretrainedWeights) else ""
    return (
        f"No pretrained {name}: the server has no copy and {fetched.reason}. Training starts "
        f"from the {config.model} YAML (random weights), which needs many more photos and "
        f"epochs to find anything. To start from {name} on a server without internet, put the "
        "official file in the server's data/weights folder or upload it on the Models page."
    )


def _fine_tune_notice(config: JobConfig) -> str:
    base = config.base_weights
    if isinstance(base, ModelVersionWeights):
        what = f"model version {base.model_version_id}'s best.pt"
    elif isinstance(base, PretrainedWeights):
        what = f"Ultralytics' pretrained {base.name}"
    else:
        what = "the uploaded weights"
    return f"Fine-tuning: training starts from {what}, not from the {config.model} YAML."


def _extras(
    context: JobContext,
    result: TrainResult,
    onnx_path: Path,
    model_dir: Path,
    outbox: Outbox,
    imgsz: int,
    architecture: str,
    test: dict[str, Any] | None,
) -> list[Path]:
    """best.pt, validation.json (with the test split's results, if any), results.csv, plots and
    (on a GPU) model-fp16.onnx."""
    extras: list[Path] = []
    best = result.weights.with_name("best.pt")
    if best.exists():
        extras.append(best)  # what fine-tuning starts from later
    validation: dict[str, Any] = validation_summary(result.trainer)
    validation["onnxBenchmark"] = benchmark_onnx(onnx_path)
    if test is not None:
        validation["test"] = test
    fp16 = _export_fp16(context, result.weights, imgsz, model_dir, outbox, architecture)
    if fp16 is not None:
        validation["onnxFp16Benchmark"] = benchmark_onnx(fp16)
        extras.append(fp16)
    validation_path = model_dir / "validation.json"
    validation_path.write_text(json.dumps(validation, indent=2) + "\n", encoding="utf-8")
    extras.append(validation_path)
    return extras + run_files(result.run_dir)


def _export_fp16(
    context: JobContext,
    weights: Path,
    imgsz: int,
    model_dir: Path,
    outbox: Outbox,
    architecture: str,
) -> Path | None:
    if context.device == "cpu" or not _cuda():
        outbox.put(
            NoticeEvent(
                level="info",
                message="No fp16 ONNX variant: exporting in half precision needs a GPU, and "
                "this runner trained on the CPU.",
            )
        )
        return None
    device = context.device.split(",")[0]
    try:
        exported = export_onnx(
            weights,
            imgsz,
            model_dir / "model-fp16.onnx",
            context.workdir,
            architecture,
            half=True,
            device=device,
        )
    except ExportError as error:  # the fp32 model stands on its own; say why there is no fp16
        log.warning("fp16 export failed: %s", error)
        outbox.put(NoticeEvent(level="warning", message=f"No fp16 ONNX variant: {error}"[:2000]))
        return None
    return exported.path


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


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
