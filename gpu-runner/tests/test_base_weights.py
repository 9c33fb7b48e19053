"""Fine-tuning from base weights: real Ultralytics starts from a model version's best.pt."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from fake_server import TOKEN, FakeServer, job_json
from support import Photos, Trained, make_photos, no_internet

from loupe_runner import ultralytics_env
from loupe_runner.base_weights import fetch_base_weights
from loupe_runner.client import RunnerClient
from loupe_runner.contract import Lease, WeightsFile
from loupe_runner.errors import WeightsError
from loupe_runner.job import JobContext, JobResult, run_job
from loupe_runner.lease import StopSignal

VERSION = "2" * 64
BASE_ID = "model-of-earlier-job"


def run_fine_tune(
    photos: Photos, workdir: Path, best_pt: bytes, **config: Any
) -> tuple[JobResult, FakeServer]:
    """One job whose lease carries BASE_ID's best.pt, on its own server; no network at all."""
    base = {"kind": "model-version", "modelVersionId": BASE_ID}
    with FakeServer() as server, no_internet() as attempts:
        server.state.manifests[VERSION] = photos.manifest_json()
        server.state.blobs.update(photos.blobs)
        # The earlier job's model version, registered as the server does when a job completes.
        server.state.model_versions[BASE_ID] = {"best.pt": best_pt}
        server.state.queue.append(job_json("job-ft", VERSION, baseWeights=base, **config))
        with RunnerClient(server.url, TOKEN, backoff=0.01) as client:
            lease = client.lease("test-runner")
            assert isinstance(lease, Lease) and lease.base_weights is not None
            context = JobContext(client, workdir, "cpu", StopSignal(), 0.2)
            result = run_job(context, lease)
    assert attempts == []
    return result, server


def test_a_job_fine_tunes_from_an_earlier_model_versions_best_pt(
    trained: Trained, photos: Photos, workdir: Path
) -> None:
    best_pt = trained.result.weights.read_bytes()
    sha = hashlib.sha256(best_pt).hexdigest()
    result, server = run_fine_tune(photos, workdir, best_pt, epochs=1)
    state = server.state

    assert result.outcome == "completed", result.error
    assert sha in state.blob_downloads
    assert (workdir / "weights" / f"{sha}.pt").read_bytes() == best_pt
    assert state.epochs() == [1]
    assert (
        f"Fine-tuning: training starts from model version {BASE_ID}'s best.pt, not from the "
        "yolo11n YAML." in state.notices()
    )
    # Ultralytics records what a run started from in its weights: the verified base, not a YAML.
    new_best = workdir / "new-best.pt"
    new_best.write_bytes(state.artifacts["best.pt"])
    model = ultralytics_env.load(workdir).YOLO(str(new_best))
    assert Path(model.ckpt["train_args"]["model"]).name == f"{sha}.pt"


def test_base_weights_of_another_task_fail_the_job_before_training(
    trained: Trained, workdir: Path
) -> None:
    outlines = make_photos(6, seed=12, polygons=True)
    best_pt = trained.result.weights.read_bytes()
    result, server = run_fine_tune(outlines, workdir, best_pt, task="segment", model="yolov8n")
    assert result.outcome == "failed"
    assert result.error == (
        "The base weights are a detect model, but this job trains segment. Start from an "
        "earlier segment model version (or a segment .pt), or from scratch."
    )
    assert server.state.failed == [result.error] and server.state.epochs() == []


def test_base_weights_are_used_only_when_their_hash_matches(tmp_path: Path) -> None:
    good = b"\x80\x02 weights"
    sha = hashlib.sha256(good).hexdigest()
    weights = WeightsFile(sha256=sha, bytes=len(good))
    folder = tmp_path / "weights"
    with FakeServer() as server, RunnerClient(server.url, TOKEN, backoff=0.01) as client:
        server.state.blobs[sha] = good
        server.state.corrupt_blobs.add(sha)
        with pytest.raises(WeightsError, match="arrived damaged on every try"):
            fetch_base_weights(client, weights, folder)
        assert list(folder.iterdir()) == []  # nothing unverified is left to load

        server.state.corrupt_blobs.clear()
        (folder / f"{sha}.pt").write_bytes(b"changed on disk")
        assert fetch_base_weights(client, weights, folder).read_bytes() == good
        downloads = len(server.state.blob_downloads)
        assert fetch_base_weights(client, weights, folder).read_bytes() == good
        assert len(server.state.blob_downloads) == downloads  # a verified cache is reused
