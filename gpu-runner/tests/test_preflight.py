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


def test_an_empty_dataset_is_left_to_materialise_to_explain() -> None:
    photos = make_photos(2)
    check_split(photos.manifest.model_copy(update={"images": []}), seed=0, val_fraction=0.2)


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
