"""Session fixtures: the photos, and one real training (and export) shared by many tests.

Training is real Ultralytics on the CPU, kept tiny (yolo11n, imgsz 64, 8 photos, 2 epochs), and
done once per session so the whole suite stays within a few minutes on two cores.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support import EPOCHS, IMGSZ, Photos, Trained, dict_cache, make_photos, no_internet

from loupe_runner.contract import AnyRunnerEvent
from loupe_runner.export import ExportedModel, export_onnx
from loupe_runner.materialise import materialise
from loupe_runner.train import TrainRequest, train


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runner work folder for in-process tests (Ultralytics' config lives here)."""
    return tmp_path_factory.mktemp("runner")


@pytest.fixture(scope="session")
def photos() -> Photos:
    return make_photos(8)


@pytest.fixture(scope="session")
def trained(workdir: Path, photos: Photos, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    root = tmp_path_factory.mktemp("trained")
    cache, _ = dict_cache(root / "blobs", photos.blobs)
    dataset = materialise(photos.manifest, cache, root / "dataset", seed=0, val_fraction=0.25)
    events: list[AnyRunnerEvent] = []
    request = TrainRequest(
        data=dataset.data,
        architecture="yolo11n",
        epochs=EPOCHS,
        imgsz=IMGSZ,
        batch=4,
        seed=0,
        device="cpu",
        run_dir=root / "run",
    )
    started = time.monotonic()
    with no_internet() as attempts:
        result = train(request, workdir, events.append)
    return Trained(dataset, result, events, attempts, time.monotonic() - started)


@pytest.fixture(scope="session")
def exported(trained: Trained, workdir: Path) -> tuple[ExportedModel, list[str]]:
    dest = trained.result.weights.parent.parent / "export" / "model.onnx"
    with no_internet() as attempts:
        model = export_onnx(trained.result.weights, IMGSZ, dest, workdir, "yolo11n")
    return model, attempts
