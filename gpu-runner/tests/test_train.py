"""A real, tiny Ultralytics training reports what the server expects (one session-wide run)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, get_args

import pytest
import torch
from support import EPOCHS, IMGSZ, Photos, Trained, dict_cache

from loupe_runner import ultralytics_env
from loupe_runner.contract import (
    EPOCH_TIME_KEY,
    EpochEvent,
    ModelArchitecture,
    NoticeEvent,
    ProgressEvent,
    Task,
)
from loupe_runner.errors import JobStopped
from loupe_runner.materialise import materialise
from loupe_runner.train import TrainRequest, _fit, model_yaml, train

# The columns of Ultralytics 8.4's results.csv for a detect run, minus "epoch" and "time".
RESULTS_CSV_KEYS = {
    "train/box_loss",
    "train/cls_loss",
    "train/dfl_loss",
    "metrics/precision(B)",
    "metrics/recall(B)",
    "metrics/mAP50(B)",
    "metrics/mAP50-95(B)",
    "val/box_loss",
    "val/cls_loss",
    "val/dfl_loss",
    "lr/pg0",
    "lr/pg1",
    "lr/pg2",
}


def test_one_epoch_event_per_epoch_with_the_results_csv_keys(trained: Trained) -> None:
    epochs = [e for e in trained.events if isinstance(e, EpochEvent)]
    assert [e.epoch for e in epochs] == list(range(1, EPOCHS + 1))
    for event in epochs:
        assert set(event.metrics) == RESULTS_CSV_KEYS | {EPOCH_TIME_KEY}  # no GPU memory on CPU
        assert all(math.isfinite(v) for v in event.metrics.values())


def test_epoch_events_match_results_csv(trained: Trained) -> None:
    csv = (trained.result.weights.parent.parent / "results.csv").read_text().splitlines()
    header = csv[0].split(",")
    assert set(header) == RESULTS_CSV_KEYS | {"epoch", "time"}
    epochs = [e for e in trained.events if isinstance(e, EpochEvent)]
    for line, event in zip(csv[1:], epochs, strict=True):
        row = dict(zip(header, map(float, line.split(",")), strict=True))
        assert row["epoch"] == event.epoch
        for key in RESULTS_CSV_KEYS:  # results.csv rounds to 6 significant digits
            assert row[key] == pytest.approx(event.metrics[key], rel=1e-5, abs=1e-9)


def test_progress_events_are_one_based_and_end_each_epoch(trained: Trained) -> None:
    progress = [e.progress for e in trained.events if isinstance(e, ProgressEvent)]
    assert progress, "no progress events"
    assert {p.epoch for p in progress} == set(range(1, EPOCHS + 1))
    assert all(p.epochs == EPOCHS and 1 <= p.batch <= p.batches for p in progress)
    for epoch in range(1, EPOCHS + 1):
        last = [p for p in progress if p.epoch == epoch][-1]
        assert last.batch == last.batches  # an epoch's last batch is always reported
    # Progress for an epoch precedes its metrics.
    kinds = [(type(e).__name__, getattr(e, "epoch", None)) for e in trained.events]
    assert kinds.index(("EpochEvent", 1)) > max(
        i
        for i, e in enumerate(trained.events)
        if isinstance(e, ProgressEvent) and e.progress.epoch == 1
    )


def test_training_returns_best_weights_and_final_metrics(trained: Trained) -> None:
    assert trained.result.weights.name == "best.pt" and trained.result.weights.exists()
    assert trained.result.epochs == EPOCHS
    assert "metrics/mAP50-95(B)" in trained.result.metrics
    assert all(math.isfinite(v) for v in trained.result.metrics.values())


def test_training_never_touches_the_network(trained: Trained) -> None:
    assert trained.network_attempts == []


def test_a_stop_request_ends_training_at_the_next_batch(
    tmp_path: Path, workdir: Path, photos: Photos
) -> None:
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    dataset = materialise(photos.manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.25)
    events: list[object] = []

    def stop_after_first_batch() -> None:
        if events:
            raise JobStopped("cancelled")

    request = TrainRequest(dataset.data, "yolov8n", 50, IMGSZ, 2, 0, "cpu", tmp_path / "run")
    with pytest.raises(JobStopped):
        train(request, workdir, events.append, stop_after_first_batch)
    assert len(events) == 1 and isinstance(events[0], ProgressEvent)
    assert events[0].progress.epoch == 1


def _oom() -> torch.cuda.OutOfMemoryError:
    return torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")


def test_out_of_gpu_memory_retries_once_with_half_the_batch_from_the_last_epoch(
    tmp_path: Path, workdir: Path, photos: Photos
) -> None:
    # The GPU's error, raised where torch raises it: inside Ultralytics' fit, here as the second
    # epoch starts (Ultralytics halves the batch itself only within the first epoch).
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    dataset = materialise(photos.manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.25)
    batches: list[int] = []

    def fit(model: Any, request: TrainRequest) -> None:
        batches.append(request.batch)
        if len(batches) == 1:

            def out_of_memory(trainer: Any) -> None:
                if trainer.epoch == 1:
                    raise _oom()

            model.add_callback("on_train_epoch_start", out_of_memory)
        _fit(model, request)

    events: list[object] = []
    request = TrainRequest(dataset.data, "yolov8n", 3, IMGSZ, 4, 0, "cpu", tmp_path / "run")
    result = train(request, workdir, events.append, fit=fit)
    assert batches == [4, 2]
    notices = [(e.level, e.message) for e in events if isinstance(e, NoticeEvent)]
    assert notices == [
        (
            "warning",
            "The GPU ran out of memory with batch 4; retrying once with batch 2, from epoch 2.",
        ),
        ("info", "Resumed from epoch 1: training continues with epoch 2 of 3."),
    ]
    assert [e.epoch for e in events if isinstance(e, EpochEvent)] == [1, 2, 3]
    assert result.epochs == 3 and result.weights.exists()


def test_out_of_memory_twice_or_another_error_is_not_retried(
    tmp_path: Path, workdir: Path, trained: Trained
) -> None:
    calls: list[int] = []

    def always_oom(_model: Any, request: TrainRequest) -> None:
        calls.append(request.batch)
        raise _oom()

    request = TrainRequest(trained.dataset.data, "yolov8n", 2, IMGSZ, 8, 0, "cpu", tmp_path)
    events: list[object] = []
    with pytest.raises(torch.cuda.OutOfMemoryError):
        train(request, workdir, events.append, fit=always_oom)
    assert calls == [8, 4]  # once, from the start: no epoch had finished
    assert "retrying once with batch 4, from the start" in str(events)

    def broken(_model: Any, request: TrainRequest) -> None:
        calls.append(request.batch)
        raise RuntimeError("not memory")

    with pytest.raises(RuntimeError, match="not memory"):
        train(request, workdir, events.append, fit=broken)
    assert calls == [8, 4, 8]


def test_each_task_builds_from_its_own_yaml(workdir: Path) -> None:
    assert [model_yaml("yolo11n", t) for t in ("detect", "segment", "classify")] == [
        "yolo11n.yaml",
        "yolo11n-seg.yaml",
        "yolo11n-cls.yaml",
    ]
    # Every architecture and task the contract allows names a YAML Ultralytics ships.
    models = Path(str(ultralytics_env.load(workdir).__file__)).parent / "cfg" / "models"
    shipped = {p.name for p in models.rglob("*.yaml")}
    for architecture in get_args(ModelArchitecture):
        for task in get_args(Task):
            # Ultralytics reads the scale from the name: yolo11n-seg.yaml is yolo11-seg.yaml, "n".
            family = model_yaml(architecture, task).replace(architecture, architecture[:-1])
            assert family in shipped, family
