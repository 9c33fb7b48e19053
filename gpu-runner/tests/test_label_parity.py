"""Training through Loupe gives what plain Ultralytics gives on the user's own label files.

The same tiny data, split, settings and seed, trained twice on the CPU: once from the manifest
the YOLO import makes of the user's files, through materialise and the runner's train(); once
by plain Ultralytics on the user's label files themselves. Their results.csv must agree in every
column of every epoch but the wall time. The files hold boxes that cross the image edge by a
rounding hair (5e-7, as a dataset's own conversion leaves them), by up to Ultralytics' 1%, and
numbers with 7 decimals: all of them Ultralytics accepts, so Loupe must change none.

A third run, plain Ultralytics on the labels as Loupe used to write them (clamped to the image,
six decimals), shows that this data tells the two apart: without it, agreeing would prove nothing.

The plain copy names each photo by its hash, as materialise does, so both runs list the photos
in the same order (Ultralytics sorts them by path, and the order drives its seeded shuffling).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import IMGSZ, Photos, dict_cache, imported_box, make_photos

from loupe_runner import ultralytics_env
from loupe_runner.contract import DatasetManifest
from loupe_runner.materialise import Materialised, materialise
from loupe_runner.train import TrainRequest, train

SEED, BATCH, EPOCHS = 0, 4, 3
# Ultralytics accumulates gradients up to a nominal batch of 64 before a step, which 9 photos in
# 3 epochs never reach: with nbs = batch every batch is a step, so the labels reach the weights
# and a difference in one epoch carries into the next, as in a real run.
SETTINGS = {"nbs": BATCH}
# Boxes past the edge that Ultralytics keeps (its limit is 1.01 and -0.01): a rounding hair past
# the right and top edges, and half a percent past the left and bottom ones.
EDGE_LINES = [
    "0 0.9500005 0.5 0.1000003 0.3",
    "0 0.4123457 0.0999998 0.2 0.2",
    "0 0.0300001 0.6 0.07 0.25",
    "0 0.55 0.8712346 0.3 0.2625",
]


def _user_files(photos: Photos) -> dict[str, str]:
    """A user's label file per photo (by hash): its cards to 7 decimals, and on every other
    photo one of EDGE_LINES."""
    files = {}
    for i, image in enumerate(photos.manifest.images):
        lines = [
            f"{b.class_index} {b.x + b.w / 2:.7f} {b.y + b.h / 2:.7f} {b.w:.7f} {b.h:.7f}"
            for b in image.boxes
        ]
        if i % 2 == 0:
            lines.append(EDGE_LINES[(i // 2) % len(EDGE_LINES)])
        files[image.sha256] = "".join(f"{line}\n" for line in lines)
    return files


def _imported(photos: Photos, files: dict[str, str]) -> DatasetManifest:
    """The manifest the YOLO import makes of the files (every box kept as given)."""
    images = [
        image.model_copy(
            update={"boxes": [imported_box(x) for x in files[image.sha256].split("\n") if x]}
        )
        for image in photos.manifest.images
    ]
    return DatasetManifest.model_validate(
        {**photos.manifest.wire(), "images": [image.wire() for image in images]}
    )


def _plain_dataset(
    root: Path, dataset: Materialised, photos: Photos, labels: dict[str, str]
) -> Path:
    """Ultralytics' own layout with the given label text, in the runner's split."""
    for name, shas in (("train", dataset.train), ("val", dataset.val)):
        (root / "images" / name).mkdir(parents=True)
        (root / "labels" / name).mkdir(parents=True)
        for sha in shas:
            (root / "images" / name / f"{sha}.jpg").write_bytes(photos.blobs[sha])
            (root / "labels" / name / f"{sha}.txt").write_text(labels[sha], encoding="utf-8")
    data = root / "data.yaml"
    layout = {"path": str(root), "train": "images/train", "val": "images/val"}
    data.write_text(json.dumps({**layout, "names": photos.manifest.classes}), encoding="utf-8")
    return data


def _plain_train(workdir: Path, data: Path, run: Path) -> Path:
    """Plain Ultralytics with the settings the runner's train() gives it on the CPU."""
    ultralytics = ultralytics_env.load(workdir)
    model = ultralytics.YOLO("yolo11n.yaml")
    model.train(
        data=str(data),
        epochs=EPOCHS,
        imgsz=IMGSZ,
        seed=SEED,
        batch=BATCH,
        device="cpu",
        workers=0,
        amp=False,
        **SETTINGS,
        plots=False,
        val=True,
        verbose=False,
        project=str(run.parent),
        name=run.name,
        exist_ok=True,
    )
    return run / "results.csv"


def _rows(csv: Path) -> list[dict[str, str]]:
    """results.csv as Ultralytics wrote it (6 significant digits), minus the wall time."""
    header, *lines = csv.read_text().splitlines()
    keys = header.split(",")
    rows = [dict(zip(keys, line.split(","), strict=True)) for line in lines]
    return [{k: v for k, v in row.items() if k != "time"} for row in rows]


def _old_line(line: str) -> str:
    """A label line as Loupe wrote it before: clamped into the image, six decimals."""
    cls, cx, cy, w, h = (float(v) for v in line.split())
    x0, y0 = max(0.0, cx - w / 2), max(0.0, cy - h / 2)
    x1, y1 = min(1.0, cx + w / 2), min(1.0, cy + h / 2)
    values = ((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0)
    return f"{int(cls)} " + " ".join(f"{v:.6f}" for v in values)


def test_loupe_trains_exactly_as_plain_ultralytics_on_the_user_s_files(
    tmp_path: Path, workdir: Path
) -> None:
    photos = make_photos(12, seed=3)
    files = _user_files(photos)
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    manifest = _imported(photos, files)
    dataset = materialise(manifest, cache, tmp_path / "loupe", seed=SEED, val_fraction=0.25)
    assert dataset.notes == []  # nothing was changed, so nothing to say
    # The lines the runner wrote hold the user's numbers exactly.
    for split in ("train", "val"):
        for path in (dataset.root / "labels" / split).glob("*.txt"):
            written = [[float(v) for v in line.split()] for line in path.read_text().splitlines()]
            given = [[float(v) for v in line.split()] for line in files[path.stem].splitlines()]
            assert written == given, path.stem

    request = TrainRequest(
        data=dataset.data,
        architecture="yolo11n",
        epochs=EPOCHS,
        imgsz=IMGSZ,
        batch=BATCH,
        seed=SEED,
        device="cpu",
        run_dir=tmp_path / "runs" / "loupe",
        hyperparameters=dict(SETTINGS),
    )
    loupe = train(request, workdir, lambda _: None).run_dir / "results.csv"
    plain_data = _plain_dataset(tmp_path / "plain", dataset, photos, files)
    plain = _plain_train(workdir, plain_data, tmp_path / "runs" / "plain")
    assert len(_rows(loupe)) == EPOCHS
    assert _rows(loupe) == _rows(plain)

    old = {
        sha: "".join(f"{_old_line(x)}\n" for x in text.splitlines()) for sha, text in files.items()
    }
    old_data = _plain_dataset(tmp_path / "old", dataset, photos, old)
    clamped = _plain_train(workdir, old_data, tmp_path / "runs" / "clamped")
    assert _rows(clamped) != _rows(plain), "the edge boxes changed nothing: the data proves nothing"


@pytest.mark.parametrize("line", EDGE_LINES)
def test_the_edge_lines_cross_the_edge(line: str) -> None:
    box = imported_box(line)
    assert box.x < 0 or box.y < 0 or box.x + box.w > 1 or box.y + box.h > 1
