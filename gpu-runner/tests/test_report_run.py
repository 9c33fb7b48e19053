"""report_to_loupe: a plain Ultralytics training reports itself to a real Loupe server process.

The server is `tsx server/main.ts` (no local runner) on a free port and an empty data folder;
training is real (yolo11n from YAML, imgsz 64, synthetic cards on the CPU).
"""

from __future__ import annotations

import csv
import logging
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import IMGSZ, REPO, dict_cache, make_photos, no_internet

from loupe_runner import ultralytics_env
from loupe_runner.materialise import materialise
from loupe_runner.report_run import report_to_loupe

TSX = REPO / "node_modules" / ".bin" / "tsx"


@dataclass(frozen=True)
class Loupe:
    url: str
    token: str

    def get(self, path: str) -> Any:
        response = httpx.get(f"{self.url}{path}", headers=self._auth())
        response.raise_for_status()
        return response.json()

    def post(self, path: str) -> Any:
        response = httpx.post(f"{self.url}{path}", headers=self._auth())
        response.raise_for_status()
        return response.json()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def loupe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loupe]:
    if not TSX.exists():
        pytest.skip("the server's packages are not installed (run npm install at the root)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOUPE_", "YOLO_"))}
    env.update(
        LOUPE_PORT="0",
        LOUPE_HOST="127.0.0.1",
        LOUPE_RUNNER="off",
        LOUPE_DATA_DIR=str(tmp_path_factory.mktemp("loupe-data")),
    )
    server = subprocess.Popen(
        [str(TSX), "server/main.ts"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    lines: list[str] = []
    found = None
    for line in server.stdout:  # the start-up message carries the address and the user token
        lines.append(line)
        found = re.search(r"(http://[\d.]+:\d+)/\?token=(\S+)", line)
        if found or line.strip().startswith("Data:"):  # the address comes before that line
            break
    assert found, "the server did not start:\n" + "".join(lines)
    # Keep reading its output so a full pipe never blocks it.
    threading.Thread(target=lines.extend, args=(server.stdout,), daemon=True).start()
    try:
        yield Loupe(found[1], found[2])
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def data_yaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("by-hand")
    photos = make_photos(8)
    cache, _ = dict_cache(root / "blobs", photos.blobs)
    return materialise(photos.manifest, cache, root / "dataset", seed=0, val_fraction=0.25).data


def yolo(workdir: Path) -> Any:
    return ultralytics_env.load(workdir).YOLO("yolo11n.yaml")


def train(model: Any, data: Path, folder: Path, epochs: int) -> None:
    """The call a user's script makes, kept small for two CPU cores."""
    model.train(
        data=str(data),
        epochs=epochs,
        imgsz=IMGSZ,
        batch=4,
        device="cpu",
        workers=0,
        project=str(folder),
        name="run",
        exist_ok=True,
        verbose=False,
        plots=False,
        amp=False,
    )


def test_epochs_and_the_end_arrive_as_a_job(
    loupe: Loupe, data_yaml: Path, workdir: Path, tmp_path: Path
) -> None:
    model = yolo(workdir)
    run = report_to_loupe(model, server=loupe.url, token=loupe.token, name="by hand")
    with no_internet() as attempts:
        train(model, data_yaml, tmp_path, epochs=2)
    assert attempts == []
    assert run.run_id is not None

    job = loupe.get(f"/api/jobs/{run.run_id}")
    assert job["origin"] == "external" and job["status"] == "completed"
    assert job["config"] == {
        "name": "by hand",
        "task": "detect",
        "model": "yolo11n.yaml",
        "epochs": 2,
        "imgsz": IMGSZ,
    }
    assert job["progress"]["epoch"] == 2 and job["progress"]["batch"] == job["progress"]["batches"]
    assert "metrics/mAP50-95(B)" in job["finalMetrics"]
    assert run.run_id in [j["id"] for j in loupe.get("/api/jobs")["jobs"]]

    # Each epoch once, with exactly the numbers Ultralytics wrote to its own results.csv.
    epochs = loupe.get(f"/api/jobs/{run.run_id}/epochs")
    assert [e["epoch"] for e in epochs] == [1, 2]
    with (tmp_path / "run" / "results.csv").open(encoding="utf-8") as results:
        rows = list(csv.DictReader(results))
    for stored, row in zip(epochs, rows, strict=True):
        for key in ("train/box_loss", "metrics/mAP50(B)", "val/cls_loss", "lr/pg0"):
            assert stored["metrics"][key] == pytest.approx(float(row[key]), rel=1e-4, abs=1e-5)


def test_a_cancel_on_the_job_page_stops_the_training_cleanly(
    loupe: Loupe, data_yaml: Path, workdir: Path, tmp_path: Path
) -> None:
    model = yolo(workdir)
    run = report_to_loupe(model, server=loupe.url, token=loupe.token, name="to cancel")
    ended_at: list[int] = []

    def cancel_after_the_first_epoch(trainer: Any) -> None:
        ended_at.append(trainer.epoch + 1)
        if trainer.epoch == 0:
            # The user presses Cancel once the chart shows epoch 1.
            deadline = time.monotonic() + 30
            while not loupe.get(f"/api/jobs/{run.run_id}/epochs") and time.monotonic() < deadline:
                time.sleep(0.05)
            loupe.post(f"/api/jobs/{run.run_id}/cancel")

    model.add_callback("on_fit_epoch_end", cancel_after_the_first_epoch)
    train(model, data_yaml, tmp_path, epochs=10)  # returns: a cancel is not an error

    assert 2 <= max(ended_at) <= 4, f"training went on after the cancel: {ended_at}"
    job = loupe.get(f"/api/jobs/{run.run_id}")
    assert job["status"] == "cancelled"
    assert [e["epoch"] for e in loupe.get(f"/api/jobs/{run.run_id}/epochs")] == [1]
    assert (tmp_path / "run" / "weights" / "last.pt").exists()


def test_an_exception_in_training_fails_the_run_with_its_reason(
    loupe: Loupe, data_yaml: Path, workdir: Path, tmp_path: Path
) -> None:
    model = yolo(workdir)
    run = report_to_loupe(model, server=loupe.url, token=loupe.token)

    def disk_full(trainer: Any) -> None:
        raise OSError("No space left on device")

    model.add_callback("on_train_epoch_end", disk_full)
    with pytest.raises(OSError, match="No space left"):
        train(model, data_yaml, tmp_path, epochs=2)
    job = loupe.get(f"/api/jobs/{run.run_id}")
    assert job["status"] == "failed"
    assert job["error"] == "OSError: No space left on device"
    assert job["config"]["name"] == "run"  # Ultralytics' run folder names an unnamed run


def test_an_unreachable_server_warns_once_and_training_goes_on(
    data_yaml: Path, workdir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    model = yolo(workdir)
    run = report_to_loupe(model, server=closed, token="t")
    with caplog.at_level(logging.WARNING, logger="loupe_runner.report_run"):
        train(model, data_yaml, tmp_path, epochs=2)
    assert run.run_id is None
    warnings = [r.getMessage() for r in caplog.records if r.name == "loupe_runner.report_run"]
    assert len(warnings) == 1 and "could not register the run" in warnings[0]
    with (tmp_path / "run" / "results.csv").open(encoding="utf-8") as results:
        assert len(list(csv.DictReader(results))) == 2
