"""Train / val / test splits: proportions per class, seeds, no overlap, tiny datasets, and the
layout and settings that carry them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from support import dict_cache, make_photos

from loupe_runner.contract import DatasetManifest, JobConfig, ManifestImage
from loupe_runner.errors import DatasetError
from loupe_runner.materialise import label_lines, materialise, task_images, task_split
from loupe_runner.preflight import check_split
from loupe_runner.split import BACKGROUND, Split, rarest_class_groups, split_groups


def _sha(n: int) -> str:
    return f"{n:064x}"


def _image(n: int) -> dict[str, Any]:
    return {"sha256": _sha(n), "fileName": f"{n}.jpg", "width": 10, "height": 10, "boxes": []}


def _box(c: int) -> dict[str, Any]:
    return {"classIndex": c, "x": 0.1, "y": 0.1, "w": 0.5, "h": 0.5}


def _manifest(images: list[dict[str, Any]], classes: list[str]) -> DatasetManifest:
    return DatasetManifest.model_validate({"name": "s", "classes": classes, "images": images})


def _classify(counts: list[int]) -> DatasetManifest:
    images, n = [], 0
    for c, count in enumerate(counts):
        for _ in range(count):
            images.append({**_image(n), "imageClass": c})
            n += 1
    return _manifest(images, [f"c{c}" for c in range(len(counts))])


def _parts(split: Split) -> list[list[str]]:
    return [split.train, split.val, split.test]


def _assert_partition(split: Split, shas: set[str]) -> None:
    seen = Counter(sha for part in _parts(split) for sha in part)
    assert set(seen) == shas and max(seen.values()) == 1  # every image, each in one split


def test_classify_keeps_each_class_s_proportions_on_every_side() -> None:
    manifest = _classify([50, 30, 10])
    images = task_images(manifest, "classify")
    split = task_split(images, "classify", seed=1, val_fraction=0.2, test_fraction=0.1)
    _assert_partition(split, set(images))
    per_side = [Counter(images[sha].image_class for sha in part) for part in _parts(split)]
    for c, total in enumerate([50, 30, 10]):
        assert per_side[1][c] == round(total * 0.2)
        assert per_side[2][c] == round(total * 0.1)
    assert len(split.val) == 18 and len(split.test) == 9


def test_detect_stratifies_by_each_image_s_rarest_class() -> None:
    # Class 1 is in 4 of 40 photos, always beside class 0: a random 20% cut often leaves it out
    # of val; grouped by rarest class, it always lands on both sides.
    images = [{**_image(n), "boxes": [_box(0)] + ([_box(1)] if n < 4 else [])} for n in range(40)]
    manifest = _manifest(images, ["common", "rare"])
    task = task_images(manifest, "detect")
    groups = rarest_class_groups({sha: [b.class_index for b in i.boxes] for sha, i in task.items()})
    assert Counter(groups.values()) == {0: 36, 1: 4}
    for seed in range(20):
        split = task_split(task, "detect", seed=seed, val_fraction=0.2)
        rare_val = [sha for sha in split.val if len(task[sha].boxes) == 2]
        assert len(rare_val) == 1 and len(split.val) == 8  # 20% of the rare 4, rounded, and of 40
        check_split(manifest, seed, 0.2)  # every class in train and val: pre-flight passes
    unstratified = [
        task_split(task, "detect", seed=s, val_fraction=0.2, stratify=False) for s in range(20)
    ]
    assert any(all(len(task[sha].boxes) == 1 for sha in s.val) for s in unstratified)


def test_background_images_are_a_group_of_their_own() -> None:
    assert rarest_class_groups({"a": [], "b": [0, 0, 1], "c": [0]}) == {
        "a": BACKGROUND,
        "b": 1,
        "c": 0,
    }


def test_the_same_seed_gives_the_same_split_whatever_the_order() -> None:
    groups = {_sha(n): n % 3 for n in range(60)}
    first = split_groups(groups, seed=4, val_fraction=0.2, test_fraction=0.1)
    again = split_groups(
        dict(reversed(groups.items())), seed=4, val_fraction=0.2, test_fraction=0.1
    )
    assert first == again
    assert split_groups(groups, seed=5, val_fraction=0.2, test_fraction=0.1) != first
    _assert_partition(first, set(groups))
    assert [len(p) for p in _parts(first)] == [42, 12, 6]


def test_many_small_classes_keep_the_overall_share() -> None:
    # Ten classes of 3: rounding each would give 10 val images (33%); the dataset's 20% is 6...
    # but every class must be measured, so each sends one and val is 10; test keeps to its 10%.
    split = split_groups({_sha(n): n // 3 for n in range(30)}, 0, 0.2, 0.1)
    assert [len(p) for p in _parts(split)] == [17, 10, 3]


@pytest.mark.parametrize(
    ("count", "val", "test", "sizes"),
    [
        (1, 0.2, 0.0, [1, 1, 0]),  # a lone photo trains and validates
        (2, 0.01, 0.0, [1, 1, 0]),
        (3, 0.2, 0.1, [1, 1, 1]),  # every split non-empty when the data allows it
        (3, 0.99 - 0.1, 0.1, [1, 1, 1]),
        (5, 0.2, 0.2, [3, 1, 1]),
    ],
)
def test_tiny_datasets_fill_every_split_they_can(
    count: int, val: float, test: float, sizes: list[int]
) -> None:
    split = split_groups({_sha(n): 0 for n in range(count)}, 0, val, test)
    assert [len(p) for p in _parts(split)] == sizes


@pytest.mark.parametrize("count", [1, 2])
def test_too_few_photos_for_a_test_split_is_a_clear_error(count: int) -> None:
    with pytest.raises(DatasetError, match=r"too few to split .* 0.2 validation and 0.1 test"):
        split_groups({_sha(n): 0 for n in range(count)}, 0, 0.2, 0.1)


def test_the_job_settings_refuse_splits_that_leave_nothing_to_train() -> None:
    base = {"datasetVersionId": "b" * 64, "task": "detect"}
    config = JobConfig.model_validate(base)
    assert (config.test_fraction, config.stratify, config.annotation_types) == (0, True, "both")
    with pytest.raises(ValidationError, match="together they must be below 1"):
        JobConfig.model_validate({**base, "valFraction": 0.5, "testFraction": 0.5})
    with pytest.raises(ValidationError, match="a box cannot become an outline"):
        JobConfig.model_validate({**base, "task": "segment", "annotationTypes": "boxes"})


def test_the_test_split_is_laid_out_and_named_in_data_yaml(tmp_path: Path) -> None:
    photos = make_photos(10)
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    dataset = materialise(
        photos.manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.2, test_fraction=0.2
    )
    assert len(dataset.test) == 2 and not set(dataset.test) & set(dataset.train + dataset.val)
    layout = json.loads(dataset.data.read_text())
    assert (layout["val"], layout["test"]) == ("images/val", "images/test")
    found = sorted(p.stem for p in (tmp_path / "ds" / "images" / "test").iterdir())
    assert found == sorted(dataset.test)
    assert len(list((tmp_path / "ds" / "labels" / "test").iterdir())) == 2


def test_classify_test_split_gets_its_class_folders(tmp_path: Path) -> None:
    photos = make_photos(12, seed=5, classes=("card", "back"), image_class=True, max_cards=1)
    cache, _ = dict_cache(tmp_path / "blobs", photos.blobs)
    dataset = materialise(
        photos.manifest, cache, tmp_path / "ds", seed=0, val_fraction=0.25,
        task="classify", test_fraction=0.25,
    )  # fmt: skip
    root = dataset.data
    found = sorted(p.stem for p in (root / "test").rglob("*.jpg"))
    assert found == sorted(dataset.test) and len(found) >= 2


def test_annotation_types_pick_boxes_outlines_or_both() -> None:
    square = {"classIndex": 1, "points": [[0.2, 0.2], [0.6, 0.2], [0.6, 0.6], [0.2, 0.6]]}
    image = ManifestImage.model_validate({**_image(1), "boxes": [_box(0)], "polygons": [square]})
    assert [line[0] for line in label_lines(image, "detect", "both")] == ["0", "1"]
    assert [line[0] for line in label_lines(image, "detect", "boxes")] == ["0"]
    [line] = label_lines(image, "detect", "outlines")  # the outline's box: 0.2 to 0.6
    assert [float(v) for v in line.split()] == pytest.approx([1, 0.4, 0.4, 0.4, 0.4], abs=1e-15)
    assert len(label_lines(image, "segment", "outlines")) == 1


def test_a_detect_job_on_outlines_only_of_a_boxes_dataset_says_what_is_missing() -> None:
    manifest = _manifest([{**_image(n), "boxes": [_box(0)]} for n in range(4)], ["card"])
    with pytest.raises(DatasetError, match=r"no outlines.*4 of the other kind"):
        check_split(manifest, 0, 0.25, "detect", types="outlines")
