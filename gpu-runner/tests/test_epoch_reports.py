"""What a real, tiny training reports beyond Ultralytics' own row: the time left with each
progress event, each epoch's wall time and (on a CUDA GPU only) its GPU memory; and a job with a
test split validates best.pt on it at the end and reports that separately."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from support import EPOCHS, IMGSZ, Trained, dict_cache, make_photos
from test_job import run_task

from loupe_runner.contract import (
    EPOCH_TIME_KEY,
    GPU_MEMORY_KEY,
    AnyRunnerEvent,
    EpochEvent,
    ProgressEvent,
)
from loupe_runner.materialise import materialise
from loupe_runner.train import TrainRequest, train


def test_progress_carries_the_time_left_down_to_zero_at_the_last_batch(trained: Trained) -> None:
    progress = [e.progress for e in trained.events if isinstance(e, ProgressEvent)]
    etas = [p.eta_seconds for p in progress]
    assert all(eta is not None and eta >= 0 for eta in etas)
    assert etas[-1] == 0  # the last batch of the last epoch: nothing left
    assert all(eta is not None and eta > 0 for eta in etas[:-1])  # before the end, time left


def test_each_epoch_reports_its_wall_time_consistent_with_results_csv(trained: Trained) -> None:
    epochs = [e for e in trained.events if isinstance(e, EpochEvent)]
    times = [e.metrics[EPOCH_TIME_KEY] for e in epochs]
    assert len(times) == EPOCHS and all(t > 0 for t in times)
    # results.csv's "time" is the seconds since training began when each epoch's row was
    # written, just before that epoch's end: the epoch times add up around those marks.
    csv = (trained.result.run_dir / "results.csv").read_text().splitlines()
    column = csv[0].split(",").index("time")
    written = [float(line.split(",")[column]) for line in csv[1:]]
    ended = [sum(times[: i + 1]) for i in range(len(times))]
    for i, mark in enumerate(written):
        assert mark <= ended[i] * (1 + 1e-5) + 1e-3  # %.6g rounding
        if i + 1 < len(written):
            assert ended[i] <= written[i + 1]


def test_gpu_memory_is_absent_on_the_cpu(trained: Trained) -> None:
    for event in trained.events:
        if isinstance(event, EpochEvent):
            assert GPU_MEMORY_KEY not in event.metrics


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_memory_is_the_epoch_s_peak_reservation_on_cuda(tmp_path: Path, workdir: Path) -> None:
    photos = make_photos(8)
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    dataset = materialise(photos.manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.25)
    events: list[AnyRunnerEvent] = []
    request = TrainRequest(dataset.data, "yolo11n", 2, IMGSZ, 4, 0, "0", tmp_path / "run")
    train(request, workdir, events.append)
    memory = [e.metrics[GPU_MEMORY_KEY] for e in events if isinstance(e, EpochEvent)]
    total = torch.cuda.get_device_properties(0).total_memory / 2**30
    assert len(memory) == 2 and all(0 < gb <= total for gb in memory)


def test_a_job_with_a_test_split_validates_on_it_and_reports_it_apart(workdir: Path) -> None:
    photos = make_photos(10, seed=21)
    state = run_task(photos, workdir, epochs=1, valFraction=0.2, testFraction=0.2)
    validation = json.loads(state.artifacts["validation.json"])
    test = validation["test"]
    assert test["images"] == 2
    assert {"metrics/mAP50(B)", "metrics/mAP50-95(B)"} <= set(test["metrics"])
    (card,) = test["perClass"]
    boxes_in_test = card["instances"]
    assert boxes_in_test > 0
    matrix = test["confusionMatrix"]
    assert sum(row[0] for row in matrix["matrix"]) == boxes_in_test  # columns: the true class
    notices = [n for n in state.notices() if n.startswith("Test split (2 photos")]
    assert len(notices) == 1 and "mAP50-95" in notices[0]
