"""One job end to end against a real HTTP server: real training, real export, real uploads."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import onnxruntime
import pytest
from fake_server import TOKEN, FakeServer, State, job_json
from support import Photos, make_photos, no_internet

from loupe_runner.client import RunnerClient
from loupe_runner.contract import (
    ARTIFACT_NAME,
    EPOCH_TIME_KEY,
    MAX_ARTIFACTS_PER_JOB,
    Box,
    Lease,
    ModelMetadata,
)
from loupe_runner.job import JobContext, JobResult, run_job
from loupe_runner.lease import StopSignal

VERSION = "1" * 64


@pytest.fixture
def server(photos: Photos) -> Iterator[FakeServer]:
    with FakeServer() as running:
        running.state.manifests[VERSION] = photos.manifest_json()
        running.state.blobs.update(photos.blobs)
        yield running


def run(
    server: FakeServer, workdir: Path, heartbeat_seconds: float = 0.2, **config: Any
) -> tuple[JobResult, list[str]]:
    stages: list[str] = []
    server.state.queue.append(job_json("job-1", VERSION, **config))
    with RunnerClient(server.url, TOKEN, backoff=0.01) as client:
        lease = client.lease("test-runner")
        assert isinstance(lease, Lease)
        context = JobContext(
            client, workdir, "cpu", StopSignal(), heartbeat_seconds, runner_id="test-runner"
        )
        return run_job(context, lease, stages.append), stages


def test_a_job_runs_end_to_end(server: FakeServer, workdir: Path, photos: Photos) -> None:
    shas = sorted(photos.blobs)
    server.state.splits["job-1"] = {"train": shas[2:], "val": shas[:2], "test": []}
    result, stages = run(server, workdir, checkpointEvery=1, hyperparameters={"mosaic": 0.5})
    state = server.state

    assert result.outcome == "completed" and result.model_version_id == "model-of-job-1"
    assert stages == [
        "preparing the dataset",
        "training",
        "exporting the model",
        "reporting metrics",
        "uploading the model",
    ]
    statuses = [e["status"] for e in state.events if e["type"] == "status"]
    assert statuses == ["preparing", "training", "exporting"]
    assert [e["epoch"] for e in state.events if e["type"] == "epoch"] == [1, 2]
    assert any(e["type"] == "progress" for e in state.events)
    assert state.heartbeats >= 1 and state.completed == ["job-1"] and state.failed == []

    metadata = ModelMetadata.model_validate(json.loads(state.artifacts["metadata.json"]))
    assert (metadata.job_id, metadata.dataset_version_id, metadata.epochs) == ("job-1", VERSION, 2)
    assert metadata.output_shapes == [[1, 5, 84]] and metadata.class_names == ["card"]
    model = state.artifacts["model.onnx"]
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].name == metadata.input_name
    assert state.artifact_headers["model.onnx"]["Content-Length"] == str(len(model))
    assert hashlib.sha256(model).hexdigest()  # stored whole; the client checked the server's hash
    assert not (workdir / "jobs" / "job-1").exists()  # a completed job cleans up after itself

    # A checkpoint after every epoch but the last (the model itself stands for that one).
    assert set(state.checkpoints) == {1}
    assert any(
        body.get("health", {}).get("runnerId") == "test-runner" for body in state.heartbeat_bodies
    )
    assert state.notices() == [
        # The runner trains on the server's split, not one of its own.
        f"Split: {len(shas) - 2} photos train, 2 validate, as the server fixed it when the job "
        "was created.",
        "No fp16 ONNX variant: exporting in half precision needs a GPU, and this runner "
        "trained on the CPU.",
    ]

    # What the model page shows besides the model.
    artifacts = server.state.artifacts
    assert {
        "best.pt",
        "validation.json",
        "results.csv",
        "confusion_matrix.png",
        "BoxPR_curve.png",
    } <= set(artifacts)
    assert "model-fp16.onnx" not in artifacts  # CPU only
    assert all(re.fullmatch(ARTIFACT_NAME, name) for name in artifacts)
    assert len(artifacts) <= MAX_ARTIFACTS_PER_JOB
    assert not any(
        name.startswith(("train_batch", "labels")) for name in artifacts
    )  # final val only
    validation = json.loads(artifacts["validation.json"])
    (card,) = validation["perClass"]
    assert card["name"] == "card" and card["instances"] > 0
    assert set(card) == {
        "classIndex",
        "name",
        "precision",
        "recall",
        "mAP50",
        "mAP50-95",
        "instances",
    }
    matrix = validation["confusionMatrix"]
    assert matrix["names"] == ["card", "background"] and len(matrix["matrix"]) == 2
    assert sum(matrix["matrix"][i][0] for i in range(2)) == card["instances"]  # columns: true class
    assert set(validation["speedMs"]) == {"preprocess", "inference", "postprocess"}
    benchmark = validation["onnxBenchmark"]
    assert benchmark["inputShape"] == [1, 3, 64, 64] and 0 < benchmark["medianMs"] < 1000
    assert "metrics/mAP50-95(B)" in validation["metrics"]
    assert artifacts["results.csv"].decode().splitlines()[0].split(",")[0] == "epoch"


def test_a_missing_photo_fails_with_a_message_a_user_can_act_on(
    server: FakeServer, workdir: Path, photos: Photos
) -> None:
    missing = photos.manifest.images[3]
    del server.state.blobs[missing.sha256]
    (workdir / "blobs" / missing.sha256).unlink(missing_ok=True)
    result, _ = run(server, workdir)
    assert result.outcome == "failed"
    assert server.state.failed == [result.error]
    assert f"'{missing.file_name}'" in (result.error or "")
    assert "Sync the dataset again" in (result.error or "")
    assert "Traceback" not in (result.error or "") and server.state.artifacts == {}


def test_an_unknown_dataset_fails_clearly(server: FakeServer, workdir: Path) -> None:
    server.state.manifests.clear()
    result, _ = run(server, workdir)
    assert result.outcome == "failed"
    assert result.error and result.error.startswith(
        "The server refused the runner's request while preparing the dataset"
    )


def test_the_first_heartbeat_goes_as_the_job_starts(server: FakeServer, workdir: Path) -> None:
    # With an interval longer than the job, any beat the server saw was the one sent at once
    # (the interval is also at most a quarter of the lease).
    server.state.lease_seconds = 100_000
    result, _ = run(server, workdir, heartbeat_seconds=1000.0)
    assert result.outcome == "completed"
    assert server.state.heartbeats == 1


@pytest.mark.parametrize("through", ["event replies", "heartbeats"])
def test_cancel_stops_training_and_reports_it(
    server: FakeServer, workdir: Path, through: str
) -> None:
    server.state.cancel_after_epoch = True
    server.state.cancel_in_event_replies = through == "event replies"
    # Through event replies the cancel arrives with the answer to the epoch's report, so the
    # heartbeat is made too slow to be what stops it.
    heartbeat = 1000.0 if through == "event replies" else 0.2
    server.state.lease_seconds = 100_000  # a beat is at most a quarter of the lease apart
    result, _ = run(server, workdir, heartbeat, epochs=40)
    assert result.outcome == "cancelled"
    assert server.state.failed == ["Cancelled on request while training."]
    epochs = server.state.epochs()
    assert 1 <= len(epochs) < 40 and server.state.artifacts == {}
    if through == "event replies":
        # Only the beat sent as the job starts, long before the cancel.
        assert server.state.heartbeats == 1 and len(epochs) <= 2


def test_a_dataset_that_fails_pre_flight_fails_at_once(
    server: FakeServer, workdir: Path, photos: Photos
) -> None:
    manifest = photos.manifest_json()
    server.state.manifests[VERSION] = {**manifest, "classes": ["card", "joker"]}
    result, stages = run(server, workdir)
    assert result.outcome == "failed" and stages == ["preparing the dataset"]
    assert "no labelled example at all for 'joker'" in (result.error or "")
    assert server.state.blob_downloads == [] and server.state.failed == [result.error]


def test_a_lost_lease_stops_the_job_without_reporting(server: FakeServer, workdir: Path) -> None:
    server.state.lose_lease_after_epoch = True
    result, _ = run(server, workdir, epochs=40)
    assert result.outcome == "lease_lost"
    assert server.state.failed == [] and server.state.completed == []
    assert server.state.artifacts == {}


def run_task(photos: Photos, workdir: Path, **config: Any) -> State:
    """One job on its own server and dataset; the network is refused throughout."""
    with FakeServer() as server, no_internet() as attempts:
        server.state.manifests[VERSION] = photos.manifest_json()
        server.state.blobs.update(photos.blobs)
        result, _ = run(server, workdir, **config)
    assert attempts == [] and result.outcome == "completed", result.error
    return server.state


def epoch_keys_match_results_csv(state: State, keys: set[str]) -> None:
    """Every epoch's metrics are keyed exactly as the run's results.csv (plus lr/pg0..2)."""
    header = state.artifacts["results.csv"].decode().splitlines()[0].split(",")
    assert set(header) == keys | {"epoch", "time"}
    epochs = [e for e in state.events if e["type"] == "epoch"]
    assert epochs and all(set(e["metrics"]) == keys | {EPOCH_TIME_KEY} for e in epochs)


SEGMENT_KEYS = {
    *(f"train/{k}_loss" for k in ("box", "seg", "cls", "dfl", "sem")),
    *(f"val/{k}_loss" for k in ("box", "seg", "cls", "dfl", "sem")),
    *(
        f"metrics/{m}({kind})"
        for m in ("precision", "recall", "mAP50", "mAP50-95")
        for kind in "BM"
    ),
    "lr/pg0",
    "lr/pg1",
    "lr/pg2",
}
CLASSIFY_KEYS = {
    "train/loss",
    "val/loss",
    "metrics/accuracy_top1",
    "metrics/accuracy_top5",
    "lr/pg0",
    "lr/pg1",
    "lr/pg2",
}


def test_a_segment_job_with_a_non_ascii_class_trains_offline(workdir: Path) -> None:
    # A non-ASCII class name makes Ultralytics look for a Unicode font; it must find one locally.
    photos = make_photos(6, seed=12, classes=("card", "Rückseite"), polygons=True)
    # One box reaches 30% past the left edge, beyond what Ultralytics accepts: it is clipped,
    # and the job says so; every other label is written as given.
    first = photos.manifest.images[0]
    past = Box(class_index=0, x=-0.3, y=0.2, w=0.5, h=0.3)
    images = [first.model_copy(update={"boxes": [*first.boxes, past]}), *photos.manifest.images[1:]]
    photos = Photos(photos.manifest.model_copy(update={"images": images}), photos.blobs)
    state = run_task(photos, workdir, task="segment", model="yolov8n", epochs=1)
    metadata = ModelMetadata.model_validate(json.loads(state.artifacts["metadata.json"]))
    assert (metadata.task, metadata.architecture) == ("segment", "yolov8n")
    assert metadata.class_names == ["card", "Rückseite"]
    # Boxes, class scores and 32 mask coefficients per anchor; 32 prototypes at imgsz / 4.
    assert metadata.output_shapes == [[1, 4 + 2 + 32, 84], [1, 32, 16, 16]]
    assert metadata.output_names == ["output0", "output1"]
    assert "metrics/mAP50-95(M)" in metadata.metrics
    epoch_keys_match_results_csv(state, SEGMENT_KEYS)
    boxes = sum(len(image.boxes) for image in photos.manifest.images)
    assert f"{boxes} boxes were used as rectangular outlines (their four corners)." in (
        state.notices()
    )
    clipped = [n for n in state.notices() if "clipped to the image" in n]
    assert clipped == [
        "Labels past the image edge: 1 outline was clipped to the image. "
        "Ultralytics ignores every label of a photo when one reaches further past its edge "
        "than 1% of the photo. Every other "
        "label was trained on exactly as given, also where it crosses the edge."
    ]
    validation = json.loads(state.artifacts["validation.json"])
    assert {"metrics/mAP50(B)", "metrics/mAP50(M)"} <= set(validation["metrics"])
    for entry in validation["perClass"]:
        assert set(entry["mask"]) == {"precision", "recall", "mAP50", "mAP50-95"}
        assert {"precision", "recall", "mAP50", "mAP50-95", "instances"} <= set(entry)
    assert {"MaskPR_curve.png", "BoxPR_curve.png"} <= set(state.artifacts)
    onnx_session = onnxruntime.InferenceSession(
        state.artifacts["model.onnx"], providers=["CPUExecutionProvider"]
    )
    assert len(onnx_session.get_outputs()) == 2


def test_a_classify_job_trains_on_image_classes(workdir: Path) -> None:
    photos = make_photos(10, seed=3, classes=("card", "back"), image_class=True, max_cards=1)
    state = run_task(photos, workdir, task="classify", model="yolo11n", imgsz=32)
    metadata = ModelMetadata.model_validate(json.loads(state.artifacts["metadata.json"]))
    assert (metadata.task, metadata.class_names) == ("classify", ["card", "back"])
    assert metadata.output_shapes == [[1, 2]] and metadata.input_shape == [1, 3, 32, 32]
    assert set(metadata.metrics) == {"metrics/accuracy_top1", "metrics/accuracy_top5"}
    assert [e["epoch"] for e in state.events if e["type"] == "epoch"] == [1, 2]
    epoch_keys_match_results_csv(state, CLASSIFY_KEYS)
    validation = json.loads(state.artifacts["validation.json"])
    assert set(validation["metrics"]) == {
        "metrics/accuracy_top1",
        "metrics/accuracy_top5",
        "fitness",
    }
    matrix = validation["confusionMatrix"]
    assert matrix["names"] == ["card", "back"]  # the dataset's order, no background
    counts = [sum(row[i] for row in matrix["matrix"]) for i in range(2)]
    val_photos = [entry["instances"] for entry in validation["perClass"]]
    assert val_photos == counts and all(counts)  # stratified: both classes in val
    assert [entry["name"] for entry in validation["perClass"]] == ["card", "back"]
    assert set(validation["speedMs"]) == {"preprocess", "inference", "postprocess"}
    assert validation["onnxBenchmark"]["inputShape"] == [1, 3, 32, 32]
