"""The YOLO layout built from a manifest: files, label lines, split and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import Photos, dict_cache, make_photos

from loupe_runner.contract import Box, DatasetManifest
from loupe_runner.errors import DatasetError
from loupe_runner.materialise import materialise, split, yolo_line

SHA_A = "a" * 64


def _one_image(
    boxes: list[dict[str, float]], blob: bytes
) -> tuple[DatasetManifest, dict[str, bytes]]:
    import hashlib

    sha = hashlib.sha256(blob).hexdigest()
    manifest = DatasetManifest.model_validate(
        {
            "name": "one",
            "classes": ["card", "back"],
            "images": [
                {
                    "sha256": sha,
                    "fileName": "IMG_1.jpg",
                    "width": 160,
                    "height": 120,
                    "boxes": boxes,
                }
            ],
        }
    )
    return manifest, {sha: blob}


def test_layout_labels_and_data_yaml(tmp_path: Path, photos: Photos) -> None:
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    dataset = materialise(photos.manifest, cache, tmp_path / "ds", seed=3, val_fraction=0.25)

    assert len(dataset.train) == 6 and len(dataset.val) == 2
    for name, shas in (("train", dataset.train), ("val", dataset.val)):
        images = sorted(p.name for p in (tmp_path / "ds" / "images" / name).iterdir())
        labels = sorted(p.name for p in (tmp_path / "ds" / "labels" / name).iterdir())
        assert images == sorted(f"{sha}.jpg" for sha in shas)
        assert labels == sorted(f"{sha}.txt" for sha in shas)
    for image in photos.manifest.images:
        where = "train" if image.sha256 in dataset.train else "val"
        text = (tmp_path / "ds" / "labels" / where / f"{image.sha256}.txt").read_text()
        assert text.splitlines() == [yolo_line(box) for box in image.boxes]

    layout = json.loads(dataset.data_yaml.read_text())
    assert layout == {
        "path": str((tmp_path / "ds").resolve()),
        "train": "images/train",
        "val": "images/val",
        "names": ["card"],
    }
    assert Path(layout["path"]).is_absolute()


def test_exact_yolo_line_for_a_known_box() -> None:
    box = Box(class_index=1, x=0.25, y=0.125, w=0.5, h=0.75)
    assert yolo_line(box) == "1 0.500000 0.500000 0.500000 0.750000"
    # A box a rounding hair past the edge is clamped: Ultralytics drops labels outside [0, 1].
    edge = Box(class_index=0, x=0.5, y=0.0, w=0.5000005, h=1.0)
    assert yolo_line(edge) == "0 0.750000 0.500000 0.500000 1.000000"


def test_known_box_and_background_image(tmp_path: Path) -> None:
    blob = make_photos(1).blobs.popitem()[1]
    boxed, blobs = _one_image([{"classIndex": 1, "x": 0.25, "y": 0.125, "w": 0.5, "h": 0.75}], blob)
    background = DatasetManifest.model_validate(
        {
            **boxed.wire(),
            "images": [
                boxed.images[0].wire(),
                {**boxed.images[0].wire(), "sha256": SHA_A, "fileName": "empty.jpg", "boxes": []},
            ],
        }
    )
    cache, _ = dict_cache(tmp_path / "blobs", {**blobs, SHA_A: blob})
    dataset = materialise(background, cache, tmp_path / "ds", seed=0, val_fraction=0.5)
    labels = {p.stem: p.read_text() for p in (tmp_path / "ds" / "labels").rglob("*.txt")}
    assert labels[boxed.images[0].sha256] == "1 0.500000 0.500000 0.500000 0.750000\n"
    assert labels[SHA_A] == ""  # background: an empty label file
    assert len(dataset.train) == 1 and len(dataset.val) == 1


def test_split_is_deterministic_and_respects_the_fraction() -> None:
    shas = [f"{i:064x}" for i in range(20)]
    train, val = split(shas, seed=5, val_fraction=0.2)
    assert len(val) == 4 and len(train) == 16 and not set(train) & set(val)
    assert split(list(reversed(shas)), seed=5, val_fraction=0.2) == (train, val)  # order-free
    assert split(shas, seed=6, val_fraction=0.2) != (train, val)
    assert len(split(shas, seed=5, val_fraction=0.5)[1]) == 10
    # At least one image on each side, and a lone image serves both.
    assert [len(part) for part in split(shas[:2], seed=0, val_fraction=0.01)] == [1, 1]
    assert [len(part) for part in split(shas[:3], seed=0, val_fraction=0.99)] == [1, 2]
    assert split(shas[:1], seed=0, val_fraction=0.2) == (shas[:1], shas[:1])


def test_empty_dataset_is_a_clear_error(tmp_path: Path) -> None:
    manifest = DatasetManifest.model_validate(
        {"name": "Nothing yet", "classes": ["card"], "images": []}
    )
    cache, _ = dict_cache(tmp_path / "blobs", {})
    with pytest.raises(DatasetError, match="'Nothing yet' has no images"):
        materialise(manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.2)


def test_dataset_without_boxes_is_a_clear_error(tmp_path: Path) -> None:
    manifest, blobs = _one_image([], b"x")
    cache, _ = dict_cache(tmp_path / "blobs", blobs)
    with pytest.raises(DatasetError, match="no boxes"):
        materialise(manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.2)


def test_blobs_are_downloaded_once(tmp_path: Path, photos: Photos) -> None:
    cache, fetched = dict_cache(tmp_path / "blobs", photos.blobs)
    materialise(photos.manifest, cache, tmp_path / "a", seed=0, val_fraction=0.2)
    materialise(photos.manifest, cache, tmp_path / "b", seed=1, val_fraction=0.2)
    assert sorted(fetched) == sorted(photos.blobs)


def test_an_unreadable_image_names_the_file(tmp_path: Path) -> None:
    manifest, blobs = _one_image([{"classIndex": 0, "x": 0, "y": 0, "w": 1, "h": 1}], b"not a jpeg")
    cache, _ = dict_cache(tmp_path / "blobs", blobs)
    with pytest.raises(
        DatasetError, match=r"'IMG_1\.jpg'.*cannot be read as an image \(its format"
    ):
        materialise(manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.2)


def test_extension_comes_from_the_bytes(tmp_path: Path) -> None:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, format="PNG")
    manifest, blobs = _one_image(
        [{"classIndex": 0, "x": 0, "y": 0, "w": 1, "h": 1}], buffer.getvalue()
    )
    cache, _ = dict_cache(tmp_path / "blobs", blobs)
    dataset = materialise(manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.2)
    assert [p.suffix for p in (tmp_path / "ds" / "images" / "train").iterdir()] == [".png"]
    assert dataset.train == dataset.val
