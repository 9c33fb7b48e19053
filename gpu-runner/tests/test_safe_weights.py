"""Loading a .pt never runs pickle code: genuine Ultralytics checkpoints open, crafted ones are
refused before anything they name is called, also on Ultralytics' own loading path."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import torch
from fake_server import TOKEN, FakeServer, job_json
from support import Photos, Trained, no_internet

from loupe_runner import safe_weights, ultralytics_env
from loupe_runner.client import RunnerClient
from loupe_runner.job import JobContext, run_job
from loupe_runner.lease import StopSignal

FAMILIES = ("yolov8", "yolo11", "yolo12", "yolo26")
TASKS = {"": "detect", "-seg": "segment", "-cls": "classify", "-pose": "pose", "-obb": "obb"}


class CreatesAFile:
    """What a hostile .pt holds: unpickling it calls Path.touch on the marker."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def hostile_checkpoint(genuine: Path, dest: Path, marker: Path) -> Path:
    """A real checkpoint with one extra entry whose unpickling creates `marker`."""
    checkpoint = safe_weights.load_checkpoint(genuine)
    checkpoint["extra"] = CreatesAFile(marker)
    torch.save(checkpoint, dest)
    return dest


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_and_task_opens_with_the_allowlist(workdir: Path, family: str) -> None:
    ultralytics = ultralytics_env.load(workdir)
    for suffix, task in TASKS.items():
        path = workdir / f"{family}n{suffix}.pt"
        ultralytics.YOLO(f"{family}n{suffix}.yaml").save(str(path))
        info = safe_weights.verify(path)
        assert (info.task, info.family, info.scale) == (task, family, "n")


def test_a_trained_checkpoint_opens_and_says_what_it_is(trained: Trained) -> None:
    for name in ("best.pt", "last.pt"):
        info = safe_weights.verify(trained.result.weights.with_name(name))
        assert (info.task, info.family, info.scale) == ("detect", "yolo11", "n")


def test_a_pt_whose_pickle_creates_a_file_is_refused_and_the_file_never_appears(
    trained: Trained, workdir: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    hostile = hostile_checkpoint(trained.result.weights, tmp_path / "hostile.pt", marker)
    # Proof that the file is hostile: plain pickle loading runs it.
    torch.load(hostile, weights_only=False)
    assert marker.exists()
    marker.unlink()

    with pytest.raises(safe_weights.UnsafeWeights, match="was refused and not loaded"):
        safe_weights.verify(hostile)
    assert not marker.exists()
    # Ultralytics' own loading path goes through the same restricted load.
    ultralytics = ultralytics_env.load(workdir)
    with pytest.raises(safe_weights.UnsafeWeights):
        ultralytics.YOLO(str(hostile))
    assert not marker.exists()


def test_a_job_whose_base_weights_are_hostile_fails_before_training(
    trained: Trained, photos: Photos, workdir: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    data = hostile_checkpoint(trained.result.weights, tmp_path / "hostile.pt", marker).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    base = {"kind": "uploaded", "sha256": sha}
    with FakeServer() as server, no_internet():
        server.state.manifests["3" * 64] = photos.manifest_json()
        server.state.blobs.update(photos.blobs)
        server.state.blobs[sha] = data  # an operator pinned its hash: the hash list is no shield
        server.state.queue.append(job_json("job-hostile", "3" * 64, baseWeights=base, epochs=1))
        with RunnerClient(server.url, TOKEN, backoff=0.01) as client:
            lease = client.lease("test-runner")
            assert lease is not None
            result = run_job(JobContext(client, workdir, "cpu", StopSignal(), 0.2), lease)
    assert result.outcome == "failed"
    assert result.error is not None and "was refused and not loaded" in result.error
    assert "it names pathlib.Path, which no Ultralytics model holds" in result.error
    assert server.state.epochs() == []
    assert not marker.exists()
