"""A real Ultralytics training run, reported as runner events through a sink.

Events go to a plain callable, so a test can collect them in a list and the job hands them to
the server. Ultralytics' own callbacks drive the reports:

- on_train_start     -> a notice when the run resumed from a checkpoint (and from which epoch)
- on_train_batch_end -> progress, at most about once a second, and always for an epoch's last
                        batch, with the time left estimated from the trainer's own clock
- on_fit_epoch_end   -> the epoch's metrics, the same row Ultralytics writes to results.csv (so
                        the keys follow the task: segment adds seg_loss and (M) metrics, classify
                        has train/loss, val/loss and accuracy_top1/top5), plus the epoch's wall
                        time and, on a CUDA GPU, the most memory reserved during it; every
                        `checkpoint_every` epochs a copy of last.pt for the job to upload

Ultralytics also fires on_fit_epoch_end once more after the last epoch, for its final validation
of best.pt (with epoch = last + 1). That call is not an epoch: it becomes the final metrics. Plots
are switched on just before it, so only that validation pays for them.

A fine-tuning run (`base_weights`) starts from a .pt instead of the YAML: Ultralytics builds the
architecture the weights carry, for the dataset's classes, and loads every weight whose shape
fits; the weights must be a model of the job's task. Every .pt (base or resume) is first opened
with the restricted loader (safe_weights), which refuses anything but an Ultralytics model.

A resumed run (`resume_from`, a last.pt from this or another runner) is Ultralytics' own resume:
the checkpoint's arguments come back with it, and only the dataset (re-materialised here, as the
checkpoint's data.yaml path belongs to the machine that wrote it), the run folder and the
settings Ultralytics lets a resume change (batch, device, workers, ...) are given anew.

Out of GPU memory: Ultralytics halves the batch itself, up to three times, within the first
epoch. Later (or once those are spent) the error reaches `train`, which tries once more with half
the batch, resuming from the last saved epoch when there is one, and says so in a notice.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from loupe_runner import safe_weights, ultralytics_env
from loupe_runner.contract import (
    EPOCH_TIME_KEY,
    GPU_MEMORY_KEY,
    AnyRunnerEvent,
    EpochEvent,
    JobProgress,
    NoticeEvent,
    ProgressEvent,
    Task,
)

log = logging.getLogger(__name__)

Sink = Callable[[AnyRunnerEvent], None]
# (epoch, path): a private copy of last.pt taken after that (1-based) epoch; the callee owns it.
CheckpointSink = Callable[[int, Path], None]
PROGRESS_INTERVAL_S = 1.0


# Ultralytics' model YAML for each task: yolo11n.yaml, yolo11n-seg.yaml, yolo11n-cls.yaml.
_YAML_SUFFIX: dict[Task, str] = {"detect": "", "segment": "-seg", "classify": "-cls"}


def model_yaml(architecture: str, task: Task) -> str:
    """The YAML a new model is built from (no weights, so nothing is downloaded)."""
    return f"{architecture}{_YAML_SUFFIX[task]}.yaml"


@dataclass(frozen=True)
class TrainRequest:
    data: Path  # data.yaml, or the image folder for classify (materialise.Materialised.data)
    architecture: str  # "yolo11n", "yolov8s", ...: built from model_yaml(), never downloaded
    epochs: int
    imgsz: int
    batch: int  # -1: Ultralytics' auto batch
    seed: int
    device: str  # Ultralytics device string: "cpu", "0"
    run_dir: Path  # Ultralytics writes weights/, results.csv and plots here
    hyperparameters: dict[str, object] = field(default_factory=dict)  # Ultralytics' names
    checkpoint_every: int = 0  # epochs between checkpoints; 0: none
    resume_from: Path | None = None  # a resumable last.pt
    task: Task = "detect"
    # Fine-tune from these weights (verified by the caller) instead of the YAML; a resume wins.
    base_weights: Path | None = None


@dataclass(frozen=True)
class TrainResult:
    weights: Path  # best.pt, or last.pt when no best was saved
    metrics: dict[str, float]  # best.pt's final validation, else the last epoch's row
    epochs: int  # epochs completed, counting those before a resume
    run_dir: Path  # where Ultralytics wrote results.csv and the plots
    trainer: Any  # the Ultralytics trainer, whose validator holds the final validation


@dataclass
class Reporter:
    """Ultralytics callbacks that turn a training into events (also used by report_run for a
    script's own training); raising from one stops training at once."""

    sink: Sink
    check_stop: Callable[[], None] = lambda: None
    checkpoint_every: int = 0
    on_checkpoint: CheckpointSink | None = None
    resuming: bool = False
    # The runner trains with plots off and wants them for the final validation only; a script
    # reporting its own run keeps whatever it asked Ultralytics for.
    final_plots: bool = True
    clock: Callable[[], float] = time.monotonic
    # Ultralytics times a run with time.time() (trainer.train_time_start); the ETA uses the same.
    wall_clock: Callable[[], float] = time.time
    batch: int = 0
    last_progress: float = -math.inf
    trained_epoch: int = -1  # 0-based, set when an epoch's training pass ends
    reported_epochs: set[int] = field(default_factory=set)
    epoch_metrics: dict[str, float] = field(default_factory=dict)
    final_metrics: dict[str, float] = field(default_factory=dict)

    def on_train_start(self, trainer: Any) -> None:
        if self.resuming:
            done = int(trainer.start_epoch)
            self.sink(
                NoticeEvent(
                    level="info",
                    message=f"Resumed from epoch {done}: training continues with epoch "
                    f"{done + 1} of {trainer.epochs}.",
                )
            )

    def on_train_epoch_start(self, trainer: Any) -> None:
        self.check_stop()
        self.batch = 0  # also re-run when Ultralytics restarts an epoch after running out of memory

    def on_train_batch_end(self, trainer: Any) -> None:
        self.batch += 1
        batches = len(trainer.train_loader)
        now = self.clock()
        if self.batch >= batches or now - self.last_progress >= PROGRESS_INTERVAL_S:
            self.last_progress = now
            progress = JobProgress(
                epoch=trainer.epoch + 1,
                epochs=trainer.epochs,
                batch=self.batch,
                batches=batches,
                eta_seconds=self._eta(trainer, batches),
            )
            self.sink(ProgressEvent(progress=progress))
        self.check_stop()

    def _eta(self, trainer: Any, batches: int) -> float | None:
        """Time left at the pace of this run so far: the trainer's elapsed time (training and
        each epoch's validation) over the share of its epochs done. None before it has a pace."""
        started = getattr(trainer, "train_time_start", None)
        first = int(getattr(trainer, "start_epoch", 0) or 0)  # a resumed run's earlier epochs
        done = trainer.epoch - first + self.batch / max(batches, 1)
        total = trainer.epochs - first
        if started is None or done <= 0 or total <= 0:
            return None
        elapsed = max(0.0, self.wall_clock() - float(started))
        return round(float(elapsed * max(0.0, total - done) / done), 1)

    def on_train_epoch_end(self, trainer: Any) -> None:
        self.trained_epoch = trainer.epoch

    def on_fit_epoch_end(self, trainer: Any) -> None:
        if trainer.epoch != self.trained_epoch:
            self.final_metrics = _finite(dict(trainer.metrics or {}))
            return
        if trainer.epoch in self.reported_epochs:
            return  # NaN recovery can repeat an epoch; its first report stands
        self.reported_epochs.add(trainer.epoch)
        # The row BaseTrainer.save_metrics writes to results.csv, minus "epoch" and "time".
        row = {
            **(trainer.label_loss_items(trainer.tloss, prefix="train") if trainer.tloss else {}),
            **(trainer.metrics or {}),
            **(trainer.lr or {}),
            **_epoch_resources(trainer),
        }
        self.epoch_metrics = _finite(row)
        epoch = trainer.epoch + 1
        self.sink(EpochEvent(epoch=epoch, metrics=self.epoch_metrics))
        # trainer.stop is set when this was the last epoch (or early stopping ends the run).
        last = bool(trainer.stop) or epoch >= trainer.epochs
        if last and self.final_plots:
            trainer.args.plots = True  # for the final validation of best.pt only
        elif self.on_checkpoint and self.checkpoint_every and epoch % self.checkpoint_every == 0:
            self._checkpoint(Path(trainer.last), epoch)
        self.check_stop()

    def _checkpoint(self, last_pt: Path, epoch: int) -> None:
        """Ultralytics saved last.pt just before this callback and rewrites it after the next
        epoch, so the upload gets a copy; copying a few MB to MB takes a moment, the upload
        itself happens off the training thread."""
        if not last_pt.exists() or self.on_checkpoint is None:
            return
        folder = last_pt.parent.parent.parent / "checkpoints"
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / f"epoch-{epoch}.pt"
        partial = copy.with_suffix(".part")
        shutil.copyfile(last_pt, partial)
        partial.replace(copy)
        self.on_checkpoint(epoch, copy)


REPORTER_EVENTS = (
    "on_train_start",
    "on_train_epoch_start",
    "on_train_batch_end",
    "on_train_epoch_end",
    "on_fit_epoch_end",
)


def attach(model: Any, reporter: Reporter) -> None:
    """Adds the reporter's callbacks to an Ultralytics model (before its train() call)."""
    for event in REPORTER_EVENTS:
        model.add_callback(event, getattr(reporter, event))


Fit = Callable[[Any, TrainRequest], None]


def train(
    request: TrainRequest,
    workdir: Path,
    sink: Sink,
    check_stop: Callable[[], None] = lambda: None,
    on_checkpoint: CheckpointSink | None = None,
    fit: Fit | None = None,
) -> TrainResult:
    """Trains (or resumes `request.resume_from`); `check_stop` raises (e.g. JobStopped) to end
    training early. `fit` is the call into Ultralytics, replaceable so a test can make it fail
    the way a GPU does."""
    ultralytics = ultralytics_env.load(workdir)
    fit = fit or _fit
    request.run_dir.parent.mkdir(parents=True, exist_ok=True)
    reporter = Reporter(sink, check_stop, request.checkpoint_every, on_checkpoint)
    retried = False
    while True:
        resume, base = request.resume_from, request.base_weights
        source = resume or base
        if source is not None:
            # Refused here, with a message, before Ultralytics opens the file itself.
            safe_weights.check_task(safe_weights.verify(source), request.task)
        model = ultralytics.YOLO(
            str(source) if source else model_yaml(request.architecture, request.task)
        )
        reporter.resuming = resume is not None
        attach(model, reporter)
        try:
            fit(model, request)
            break
        except BaseException as error:
            _release_loaders(model.trainer)
            batches = None if retried else _retry_after_oom(error, model.trainer, request)
            if batches is None:
                raise
        retried = True
        request = _smaller_batch(request, *batches, reporter, sink)
    trainer = model.trainer
    weights_dir = Path(trainer.save_dir) / "weights"
    weights = weights_dir / "best.pt"
    if not weights.exists():
        weights = weights_dir / "last.pt"
    return TrainResult(
        weights=weights,
        metrics=reporter.final_metrics or reporter.epoch_metrics,
        epochs=max(reporter.reported_epochs, default=-1) + 1,
        run_dir=Path(trainer.save_dir),
        trainer=trainer,
    )


def _retry_after_oom(
    error: BaseException, trainer: Any, request: TrainRequest
) -> tuple[int, int] | None:
    """(the batch that did not fit, the one to try once more with) after the GPU ran out of
    memory; None: do not retry."""
    import torch

    if not isinstance(error, torch.cuda.OutOfMemoryError):
        return None
    # Auto batch (-1) or Ultralytics' own halving means the batch in use is the trainer's.
    used = int(getattr(trainer, "batch_size", 0) or 0)
    used = used if used > 0 else request.batch
    return (used, used // 2) if used > 1 else None


def _smaller_batch(
    request: TrainRequest, used: int, batch: int, reporter: Reporter, sink: Sink
) -> TrainRequest:
    last_pt = request.run_dir / "weights" / "last.pt"
    done = max(reporter.reported_epochs, default=-1) + 1
    resume = request.resume_from
    if done > 0 and last_pt.exists():
        # Ultralytics rewrites last.pt as soon as the resumed run saves; keep the one we resume.
        resume = request.run_dir.parent / "oom-resume.pt"
        shutil.copyfile(last_pt, resume)
    if done > 0 and resume:
        where = f"from epoch {done + 1}"
    else:
        where = "from the checkpoint" if resume else "from the start"
    sink(
        NoticeEvent(
            level="warning",
            message=f"The GPU ran out of memory with batch {used}; retrying once with batch "
            f"{batch}, {where}.",
        )
    )
    return replace(request, batch=batch, resume_from=resume)


def _fit(model: Any, request: TrainRequest) -> None:
    on_gpu = request.device != "cpu"
    # Ultralytics forces 0 workers on CPU anyway; on a GPU its default keeps the GPU fed.
    common: dict[str, Any] = {
        "batch": request.batch,
        "device": request.device,
        **({} if on_gpu else {"workers": 0}),
        "plots": False,  # the reporter turns them on for the final validation
        "val": True,
    }
    if request.resume_from is not None:
        # Only settings Ultralytics' check_resume accepts; the rest come from the checkpoint.
        model.train(
            resume=True,
            data=str(request.data),
            save_dir=str(request.run_dir),
            **common,
        )
        return
    model.train(
        data=str(request.data),
        epochs=request.epochs,
        imgsz=request.imgsz,
        seed=request.seed,
        project=str(request.run_dir.parent),
        name=request.run_dir.name,
        exist_ok=True,
        verbose=False,
        amp=on_gpu,
        **request.hyperparameters,
        **common,
    )


def _release_loaders(trainer: Any) -> None:
    """Ultralytics shuts its dataloader workers down only when training ends normally; a stopped
    or failed run would leave them (and their shared memory) behind in a long-lived runner."""
    for name in ("train_loader", "test_loader"):
        loader = getattr(trainer, name, None)
        if loader is not None and hasattr(loader, "close"):
            loader.close()


def _epoch_resources(trainer: Any) -> dict[str, float]:
    """The epoch's wall time as Ultralytics measured it (training, validation and saving), and
    the most memory the CUDA allocator reserved during the epoch; no memory figure elsewhere:
    a CPU run's memory is the machine's, which health reports."""
    row: dict[str, float] = {}
    if getattr(trainer, "epoch_time", None):
        row[EPOCH_TIME_KEY] = float(trainer.epoch_time)
    device = getattr(trainer, "device", None)
    if getattr(device, "type", None) == "cuda":
        import torch

        row[GPU_MEMORY_KEY] = torch.cuda.max_memory_reserved(device) / 2**30
        torch.cuda.reset_peak_memory_stats(device)  # so the next epoch reports its own peak
    return row


def _finite(row: dict[str, Any]) -> dict[str, float]:
    """Plain floats; NaN/inf dropped because JSON (and the contract) cannot carry them."""
    clean: dict[str, float] = {}
    for key, value in row.items():
        number = float(value)
        if math.isfinite(number):
            clean[str(key)] = number
        else:
            log.warning("metric %s is %s; left out of the report", key, number)
    return clean
