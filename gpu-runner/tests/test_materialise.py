"""The YOLO layout built from a manifest: files, label lines, split and clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import Photos, dict_cache, make_photos

from loupe_runner.contract import Box, DatasetManifest, JobSplit, Polygon, Task
from loupe_runner.errors import DatasetError
from loupe_runner.materialise import Materialised, materialise, split
from loupe_runner.yolo_labels import box_line, box_polygon, polygon_box, polygon_line

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


def test_the_servers_split_is_laid_out_as_it_is(tmp_path: Path, photos: Photos) -> None:
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    shas = sorted(photos.blobs)
    assigned = JobSplit(train=shas[3:], val=shas[:2], test=shas[2:3])
    # The seed and shares are ignored: the server fixed the split when the job was created.
    dataset = materialise(
        photos.manifest, cache, tmp_path / "ds", seed=9, val_fraction=0.5, assigned=assigned
    )
    assert (dataset.train, dataset.val, dataset.test) == (shas[3:], shas[:2], shas[2:3])
    assert sorted(p.stem for p in (tmp_path / "ds" / "images" / "test").iterdir()) == shas[2:3]

    stranger = JobSplit(train=shas, val=["f" * 64], test=[])
    with pytest.raises(DatasetError, match="names 1 photo"):
        materialise(
            photos.manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.2, assigned=stranger
        )


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
        assert text.splitlines() == [box_line(box) for box in image.boxes]

    layout = json.loads(dataset.data.read_text())
    assert layout == {
        "path": str((tmp_path / "ds").resolve()),
        "train": "images/train",
        "val": "images/val",
        "names": ["card"],
    }
    assert Path(layout["path"]).is_absolute()


def test_exact_yolo_line_for_a_known_box() -> None:
    box = Box(class_index=1, x=0.25, y=0.125, w=0.5, h=0.75)
    assert box_line(box) == "1 0.5 0.5 0.5 0.75"
    # A box a rounding hair past the edge is kept as given: Ultralytics accepts up to 1.01.
    edge = Box(class_index=0, x=0.5, y=0.0, w=0.5000005, h=1.0)
    assert box_line(edge) == "0 0.75000025 0.5 0.5000005 1.0"


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
    assert labels[boxed.images[0].sha256] == "1 0.5 0.5 0.5 0.75\n"
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
    with pytest.raises(DatasetError, match="no boxes or outlines"):
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


# --- per task ------------------------------------------------------------------------------------

SQUARE = [[0.25, 0.125], [0.75, 0.125], [0.75, 0.875], [0.25, 0.875]]


def _labelled(
    tmp_path: Path, task: Task, **labels: Any
) -> tuple[Materialised, dict[str, str], str]:
    """One photo twice over (two hashes) with the given labels, laid out for `task`."""
    blob = make_photos(1).blobs.popitem()[1]
    manifest, blobs = _one_image([], blob)
    first = {**manifest.images[0].wire(), **labels}
    second = {**first, "sha256": SHA_A, "fileName": "IMG_2.jpg"}
    manifest = DatasetManifest.model_validate({**manifest.wire(), "images": [first, second]})
    cache, _ = dict_cache(tmp_path / "blobs", {**blobs, SHA_A: blob})
    dataset = materialise(manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.5, task=task)
    labels_text = {p.stem: p.read_text() for p in (tmp_path / "ds").rglob("labels/*/*.txt")}
    return dataset, labels_text, manifest.images[0].sha256


def test_labels_past_the_edge_are_kept_and_only_refused_ones_clipped(tmp_path: Path) -> None:
    kept = {"classIndex": 0, "x": 0.9000005, "y": -5e-7, "w": 0.1, "h": 0.25}
    refused = {"classIndex": 1, "x": -0.3, "y": 0.5, "w": 0.5, "h": 0.25}  # centre at -0.05
    outside = {"classIndex": 0, "x": 1.2, "y": 0.5, "w": 0.1, "h": 0.1}
    dataset, labels, sha = _labelled(tmp_path, "detect", boxes=[kept, refused, outside])
    assert labels[sha] == "0 0.9500005 0.1249995 0.1 0.25\n1 0.1 0.625 0.2 0.25\n"
    assert dataset.notes == [
        "Labels past the image edge: 2 boxes were clipped to the image; 2 boxes were left out. "
        "Ultralytics ignores every label of a photo when one reaches further past its edge "
        "than 1% of the photo. Every other "
        "label was trained on exactly as given, also where it crosses the edge."
    ]


def test_segment_labels_are_polygon_lines_and_boxes_become_their_corners(tmp_path: Path) -> None:
    polygon = {"classIndex": 1, "points": [[0.1, 0.2], [0.9, 0.25], [0.5, 0.8]]}
    box = {"classIndex": 0, "x": 0.25, "y": 0.125, "w": 0.5, "h": 0.75}
    dataset, labels, sha = _labelled(tmp_path, "segment", polygons=[polygon], boxes=[box])
    assert labels[sha] == (
        "1 0.1 0.2 0.9 0.25 0.5 0.8\n0 0.25 0.125 0.75 0.125 0.75 0.875 0.25 0.875\n"
    )
    assert dataset.data.name == "data.yaml" and dataset.labels == 4  # two photos, two labels each
    assert dataset.notes == ["2 boxes were used as rectangular outlines (their four corners)."]


def test_detect_uses_each_outline_s_bounding_box(tmp_path: Path) -> None:
    dataset, labels, sha = _labelled(
        tmp_path, "detect", polygons=[{"classIndex": 1, "points": SQUARE}]
    )
    assert labels[sha] == "1 0.5 0.5 0.5 0.75\n"
    assert dataset.notes == ["2 outlines were used as their bounding boxes."]
    # A vertex a rounding hair outside the image is kept as given, as Ultralytics keeps it.
    edge = Polygon(class_index=0, points=[[-5e-7, 0.0], [1.0000005, 0.5], [0.5, 1.0]])
    box = polygon_box(edge)
    assert (box.x, box.y, box.w, box.h) == pytest.approx((-5e-7, 0, 1.000001, 1), abs=1e-15)
    assert polygon_line(edge) == "0 -5e-07 0.0 1.0000005 0.5 0.5 1.0"
    assert box_polygon(Box(class_index=2, x=0.5, y=0, w=0.5, h=1)).points == [
        [0.5, 0.0],
        [1.0, 0.0],
        [1.0, 1.0],
        [0.5, 1.0],
    ]


def test_classify_lays_out_image_folders_by_class_index(tmp_path: Path) -> None:
    photos = make_photos(9, seed=5, classes=("card", "back"), image_class=True, max_cards=1)
    unclassed = photos.manifest.images[0].model_copy(update={"image_class": None})
    manifest = photos.manifest.model_copy(
        update={"images": [unclassed, *photos.manifest.images[1:]]}
    )
    cache, fetched = dict_cache(tmp_path / "blobs", photos.blobs)
    dataset = materialise(
        manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.25, task="classify"
    )
    root = (tmp_path / "ds").resolve()
    assert dataset.data == root  # Ultralytics takes the folder, not a YAML
    assert unclassed.sha256 not in fetched + dataset.train + dataset.val  # left out, not fetched
    assert dataset.labels == 8
    assert dataset.notes == [
        "1 of 9 images have no image class and were left out of classify training."
    ]
    by_class = {image.sha256: image.image_class for image in manifest.images}
    for side, shas in (("train", dataset.train), ("val", dataset.val)):
        found = sorted(str(p.relative_to(root / side)) for p in (root / side).rglob("*.jpg"))
        assert found == sorted(f"{by_class[sha]}/{sha}.jpg" for sha in shas)
        assert {p.name for p in (root / side).iterdir()} == {"0", "1"}  # stratified: both sides
    assert (root / ".ndjson.yaml").read_text() == 'names:\n  0: "card"\n  1: "back"\n'
    assert not list(root.rglob("*.txt")) and not (root / "data.yaml").exists()


def test_classify_names_keep_the_dataset_s_order_whatever_they_say(
    tmp_path: Path, workdir: Path
) -> None:
    import importlib

    from loupe_runner import ultralytics_env

    photos = make_photos(4, seed=5, classes=("zebra", 'a/b "quoted"'), image_class=True)
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    dataset = materialise(
        photos.manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.5, task="classify"
    )
    # What Ultralytics itself reads from the layout.
    ultralytics_env.load(workdir)
    utils = importlib.import_module("ultralytics.data.utils")
    assert utils.check_cls_dataset(str(dataset.data))["names"] == {0: "zebra", 1: 'a/b "quoted"'}


@pytest.mark.parametrize(
    ("task", "labels", "message"),
    [
        ("detect", {}, r"has 2 images but no boxes or outlines, so a detector"),
        (
            "segment",
            {"boxes": [{"classIndex": 0, "x": 0, "y": 0, "w": 1, "h": 1}]},
            r"Segment needs outlines: the dataset 'one' has 2 images and no polygons.*\(its 2 "
            r"boxes would only teach rectangles\). Draw outlines .* or train detect\.",
        ),
        (
            "classify",
            {"polygons": [{"classIndex": 0, "points": SQUARE}]},
            r"Classify needs image classes: the dataset 'one' has 2 images and none has a class",
        ),
    ],
)
def test_nothing_to_learn_is_explained_per_task(
    tmp_path: Path, task: Task, labels: dict[str, Any], message: str
) -> None:
    with pytest.raises(DatasetError, match=message):
        _labelled(tmp_path, task, **labels)
