"""A real Ultralytics training run, reported as runner events through a sink.

Events go to a plain callable, so a test can collect them in a list and the job hands them to
the server. Ultralytics' own callbacks drive the reports:

- on_train_batch_end -> progress, at most about once a second, and always for an epoch's last batch
- on_fit_epoch_end   -> the epoch's metrics, the same row Ultralytics writes to results.csv

Ultralytics also fires on_fit_epoch_end once more after the last epoch, for its final validation
of best.pt (with epoch = last + 1). That call is not an epoch: it becomes the final metrics.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loupe_runner import ultralytics_env
from loupe_runner.contract import EpochEvent, JobProgress, ProgressEvent, StatusEvent

log = logging.getLogger(__name__)

Sink = Callable[[StatusEvent | ProgressEvent | EpochEvent], None]
PROGRESS_INTERVAL_S = 1.0


@dataclass(frozen=True)
class TrainRequest:
    data_yaml: Path
    architecture: str  # "yolo11n" | "yolov8n": built from <architecture>.yaml, never downloaded
    epochs: int
    imgsz: int
    batch: int
    seed: int
    device: str  # Ultralytics device string: "cpu", "0"
    run_dir: Path  # Ultralytics writes weights/ and results.csv here


@dataclass(frozen=True)
class TrainResult:
    weights: Path  # best.pt, or last.pt when no best was saved
    metrics: dict[str, float]  # best.pt's final validation, else the last epoch's row
    epochs: int  # epochs completed


@dataclass
class _Reporter:
    """Ultralytics callbacks; raising from one stops training at once."""

    sink: Sink
    check_stop: Callable[[], None]
    clock: Callable[[], float] = time.monotonic
    batch: int = 0
    last_progress: float = -math.inf
    trained_epoch: int = -1  # 0-based, set when an epoch's training pass ends
    reported_epochs: set[int] = field(default_factory=set)
    epoch_metrics: dict[str, float] = field(default_factory=dict)
    final_metrics: dict[str, float] = field(default_factory=dict)

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
                epoch=trainer.epoch + 1, epochs=trainer.epochs, batch=self.batch, batches=batches
            )
            self.sink(ProgressEvent(progress=progress))
        self.check_stop()

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
        }
        self.epoch_metrics = _finite(row)
        self.sink(EpochEvent(epoch=trainer.epoch + 1, metrics=self.epoch_metrics))
        self.check_stop()


def train(
    request: TrainRequest,
    workdir: Path,
    sink: Sink,
    check_stop: Callable[[], None] = lambda: None,
) -> TrainResult:
    """Trains from scratch; `check_stop` raises (e.g. JobStopped) to end training early."""
    ultralytics = ultralytics_env.load(workdir)
    model = ultralytics.YOLO(f"{request.architecture}.yaml")
    reporter = _Reporter(sink, check_stop)
    for event in (
        "on_train_epoch_start",
        "on_train_batch_end",
        "on_train_epoch_end",
        "on_fit_epoch_end",
    ):
        model.add_callback(event, getattr(reporter, event))
    on_gpu = request.device != "cpu"
    request.run_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        _fit(model, request, on_gpu)
    except BaseException:
        _release_loaders(model.trainer)
        raise
    weights_dir = Path(model.trainer.save_dir) / "weights"
    weights = weights_dir / "best.pt"
    if not weights.exists():
        weights = weights_dir / "last.pt"
    return TrainResult(
        weights=weights,
        metrics=reporter.final_metrics or reporter.epoch_metrics,
        epochs=len(reporter.reported_epochs),
    )


def _fit(model: Any, request: TrainRequest, on_gpu: bool) -> None:
    model.train(
        data=str(request.data_yaml),
        epochs=request.epochs,
        imgsz=request.imgsz,
        batch=request.batch,
        seed=request.seed,
        device=request.device,
        # Ultralytics forces 0 workers on CPU anyway; on a GPU its default keeps the GPU fed.
        **({} if on_gpu else {"workers": 0}),
        project=str(request.run_dir.parent),
        name=request.run_dir.name,
        exist_ok=True,
        plots=False,
        val=True,
        verbose=False,
        amp=on_gpu,
    )


def _release_loaders(trainer: Any) -> None:
    """Ultralytics shuts its dataloader workers down only when training ends normally; a stopped
    or failed run would leave them (and their shared memory) behind in a long-lived runner."""
    for name in ("train_loader", "test_loader"):
        loader = getattr(trainer, name, None)
        if loader is not None and hasattr(loader, "close"):
            loader.close()


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
