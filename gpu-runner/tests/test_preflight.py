"""Pre-flight checks fail a job before any download, naming what to change."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import make_photos

from loupe_runner.errors import DatasetError
from loupe_runner.materialise import split, unique_images
from loupe_runner.preflight import (
    DiskSpaceError,
    check_classes,
    check_disk,
    check_split,
    estimate_bytes,
)


def test_a_class_missing_from_one_split_is_named() -> None:
    photos = make_photos(6)
    manifest = photos.manifest
    # "back" on a single photo (its first box), so one of the two splits cannot have it.
    first = manifest.images[0]
    back = first.model_copy(
        update={"boxes": [first.boxes[0].model_copy(update={"class_index": 1}), *first.boxes[1:]]}
    )
    lonely = manifest.model_copy(
        update={"classes": ["card", "back"], "images": [back, *manifest.images[1:]]}
    )
    with pytest.raises(DatasetError) as caught:
        check_split(lonely, seed=0, val_fraction=0.34)
    message = str(caught.value)
    assert "split for 'back'" in message and "'card'" not in message
    assert "different split seed" in message and "Label more photos" in message
    check_split(photos.manifest, seed=0, val_fraction=0.34)  # one class, on both sides


def test_a_dataset_with_nothing_to_learn_is_explained_in_the_task_s_words() -> None:
    photos = make_photos(2)
    with pytest.raises(DatasetError, match="has no images"):
        check_split(photos.manifest.model_copy(update={"images": []}), seed=0, val_fraction=0.2)
    with pytest.raises(DatasetError, match="Segment needs outlines"):
        check_split(photos.manifest, seed=0, val_fraction=0.2, task="segment")
    with pytest.raises(DatasetError, match="Classify needs image classes"):
        check_split(photos.manifest, seed=0, val_fraction=0.2, task="classify")


def test_a_class_without_any_example_is_named() -> None:
    photos = make_photos(4)
    manifest = photos.manifest.model_copy(update={"classes": ["card", "joker"]})
    images = unique_images(manifest)
    train, val = split(list(images), 0, 0.25)
    with pytest.raises(DatasetError, match="no labelled example at all for 'joker'"):
        check_classes(manifest, images, train, val)


def test_disk_space_is_checked_generously(tmp_path: Path) -> None:
    photos = make_photos(3)
    images = list(unique_images(photos.manifest).values())
    fresh = estimate_bytes(images, lambda _sha: False)
    cached = estimate_bytes(images, lambda _sha: True)
    assert fresh > cached > 2 * 1024**3  # room for weights and exports even for a tiny dataset
    check_disk(tmp_path, fresh, free=lambda _p: fresh)
    with pytest.raises(DiskSpaceError) as caught:
        check_disk(tmp_path, fresh, free=lambda _p: 100 * 1024**2)
    assert "100.0 MB free" in str(caught.value) and "LOUPE_RUNNER_WORKDIR" in str(caught.value)


def test_classify_counts_image_classes_and_splits_each_class() -> None:
    photos = make_photos(6, seed=5, classes=("card", "back"), image_class=True, max_cards=1)
    manifest = photos.manifest
    check_split(manifest, seed=0, val_fraction=0.2, task="classify")  # stratified: both sides
    # One photo of "back" cannot be on both sides; its boxes do not count for classify.
    lonely = [
        image.model_copy(update={"image_class": 1 if i == 0 else 0})
        for i, image in enumerate(manifest.images)
    ]
    with pytest.raises(DatasetError, match="no example in the val split for 'back'"):
        check_split(manifest.model_copy(update={"images": lonely}), 0, 0.2, task="classify")
    unclassed = [image.model_copy(update={"image_class": 0}) for image in manifest.images]
    with pytest.raises(DatasetError, match="no photo with that image class at all for 'back'"):
        check_split(manifest.model_copy(update={"images": unclassed}), 0, 0.2, task="classify")


def test_outlines_count_as_labels_for_detect_and_segment() -> None:
    photos = make_photos(6, seed=5, classes=("card", "back"), polygons=True)
    # Boxes of class 0 only; outlines keep both classes, so both tasks can train every class.
    boxes_card = [
        image.model_copy(
            update={"boxes": [b.model_copy(update={"class_index": 0}) for b in image.boxes]}
        )
        for image in photos.manifest.images
    ]
    manifest = photos.manifest.model_copy(update={"images": boxes_card})
    for task in ("detect", "segment"):
        check_split(manifest, seed=1, val_fraction=0.5, task=task)
    # A segment dataset's boxes count once it has outlines at all.
    one_outline = [
        image.model_copy(update={"polygons": (image.polygons or [])[:1] if i == 0 else None})
        for i, image in enumerate(boxes_card)
    ]
    with pytest.raises(DatasetError, match="no labelled example at all for 'back'"):
        check_split(manifest.model_copy(update={"images": one_outline}), 1, 0.5, task="segment")
