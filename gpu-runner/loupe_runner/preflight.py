"""Checks before a job downloads or trains anything, so a run that cannot succeed fails at once
with what to change, instead of hours later (or, worse, training a model that never saw a class).

First that the task has anything to learn (materialise.check_labels: images, and boxes, outlines
or image classes as the task needs); then that every class has an example on both sides of the
split the layout will use, counting the labels the job's task learns from (boxes and outlines for
detect and segment, image classes for classify); and that the disk has room for the run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from loupe_runner.contract import AnnotationTypes, DatasetManifest, JobSplit, ManifestImage, Task
from loupe_runner.errors import DatasetError, RunnerError
from loupe_runner.materialise import label_classes, planned_split

# What a run writes besides the photos: last.pt and best.pt (fp32 with optimizer state while
# training), checkpoint copies, ONNX exports, plots and Ultralytics' label cache. A nano model
# needs a few tens of MB; this leaves room for the larger ones and for a second attempt.
RUN_BYTES = 2 * 1024**3
# Photos arrive as JPEG or PNG; a pixel rarely needs more than a byte even for PNG screenshots,
# and counting twice covers a copy where hardlinks are not possible.
BYTES_PER_PIXEL = 1.0
COPIES = 2


class DiskSpaceError(RunnerError):
    """Not enough free disk on the runner for the run."""


def check_split(
    manifest: DatasetManifest,
    seed: int,
    val_fraction: float,
    task: Task = "detect",
    *,
    test_fraction: float = 0.0,
    stratify: bool = True,
    types: AnnotationTypes = "both",
    assigned: JobSplit | None = None,
) -> None:
    """check_classes on the split materialise() will make (it is deterministic). The test split
    may miss a class: it only measures, and its per-class results show what it held."""
    # planned_split checks first that there is anything to learn, in the task's own words.
    images, _, _, parts = planned_split(
        manifest, task, seed, val_fraction, test_fraction, stratify, types, assigned
    )
    check_classes(manifest, images, parts.train, parts.val, task=task, types=types)


def check_classes(
    manifest: DatasetManifest,
    images: dict[str, ManifestImage],
    train: list[str],
    val: list[str],
    task: Task = "detect",
    types: AnnotationTypes = "both",
) -> None:
    """Every class needs a labelled example in train (to learn it) and in val (to measure it)."""
    in_train = _classes_in((images[sha] for sha in train), task, types)
    in_val = _classes_in((images[sha] for sha in val), task, types)
    problems = []
    for index, name in enumerate(manifest.classes):
        sides = (("train", in_train), ("val", in_val))
        missing = [side for side, seen in sides if index not in seen]
        if missing:
            problems.append((name, missing))
    if not problems:
        return
    nowhere = [name for name, missing in problems if len(missing) == 2]
    one_side = [(name, missing[0]) for name, missing in problems if len(missing) == 1]
    example = "photo with that image class" if task == "classify" else "labelled example"
    parts = []
    if nowhere:
        parts.append(f"no {example} at all for {_names(nowhere)}")
    if one_side:
        parts.append(
            "no example in the "
            + "; none in the ".join(f"{side} split for '{name}'" for name, side in one_side)
        )
    raise DatasetError(
        f"The dataset '{manifest.name}' cannot train every class: {'; '.join(parts)}. "
        "Label more photos of these classes (at least two each, so one can go to each split), "
        "or pin one photo of each to train and one to validation (the Split menu under the "
        "photo), or start the job with a different split seed or validation fraction, or "
        "remove the classes you do not need."
    )


def _classes_in(images: Iterable[ManifestImage], task: Task, types: AnnotationTypes) -> set[int]:
    return {index for image in images for index in label_classes(image, task, types)}


def _names(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def estimate_bytes(images: Iterable[ManifestImage], cached: Callable[[str], bool]) -> int:
    """A generous estimate of what the job will write to the work folder."""
    photos = sum(
        image.width * image.height * BYTES_PER_PIXEL * (COPIES - cached(image.sha256))
        for image in images
    )
    return int(photos) + RUN_BYTES


def check_disk(
    folder: Path, needed: int, free: Callable[[Path], int] = lambda p: shutil.disk_usage(p).free
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    available = free(folder)
    if available < needed:
        raise DiskSpaceError(
            f"The runner has {_size(available)} free in its work folder ({folder}), and this job "
            f"needs about {_size(needed)} (photos, checkpoints, exports). Free space on the runner "
            "machine, or point LOUPE_RUNNER_WORKDIR at a bigger disk, then start the job again."
        )


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")
