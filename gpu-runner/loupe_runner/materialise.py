"""Turns a dataset manifest into the folder layout Ultralytics trains on for the job's task.

detect and segment (`data` is data.yaml):

    <dest>/images/{train,val,test}/<sha256>.<ext>  hardlinks into the blob cache (copies across
                                                   disks); test only when the job asks for one
    <dest>/labels/{train,val,test}/<sha256>.txt    detect: "class cx cy w h" per box and per
                                                   outline's bounding box; segment: "class x1 y1
                                                   x2 y2 ..." per outline and per box's four
                                                   corners (as the job's annotation types say);
                                                   the user's numbers exactly, changed only where
                                                   Ultralytics would refuse them (yolo_labels);
                                                   empty: background
    <dest>/data.yaml                               absolute path, train, val, (test,) names

classify (`data` is the folder itself, as Ultralytics wants):

    <dest>/{train,val,test}/<class index>/<sha256>.<ext>   images with an image class; others out
    <dest>/.ndjson.yaml                               names, in the manifest's order

Class folders are named by index, not by name: a name is free text ("a/b", ".."), and from plain
folders Ultralytics would number classes by sorted name, not in the dataset's order. With
.ndjson.yaml beside them it takes the folders as class ids and the names from the file.

Images are named by hash, so two photos called IMG_0001.jpg never collide, and the extension
comes from the bytes, not the file name, because Ultralytics picks images by extension.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from loupe_runner.client import CorruptBlob, ServerError
from loupe_runner.contract import (
    AnnotationTypes,
    Box,
    DatasetManifest,
    JobSplit,
    ManifestImage,
    Polygon,
    Task,
)
from loupe_runner.errors import DatasetError
from loupe_runner.split import Split, groups_for, split_groups
from loupe_runner.yolo_labels import Changes, box_line, box_polygon, polygon_box, polygon_line

# Pillow's format name -> an extension Ultralytics accepts (ultralytics.data.utils.IMG_FORMATS).
_EXTENSIONS = {
    "JPEG": "jpg",
    "MPO": "jpg",  # phone cameras write JPEGs with extra frames; the first is the photo
    "PNG": "png",
    "WEBP": "webp",
    "BMP": "bmp",
    "TIFF": "tiff",
}


@dataclass(frozen=True)
class Materialised:
    root: Path
    data: Path  # what Ultralytics' `data` gets: data.yaml, or the folder for classify
    classes: list[str]
    train: list[str]  # sha256s
    val: list[str]
    labels: int  # what the task learns from: boxes and outlines, or image classes
    notes: list[str]  # conversions and omissions the user should hear about
    test: list[str] = field(default_factory=list)  # empty: the job asked for no test split


class BlobCache:
    """Blobs by SHA-256 in one folder shared by all jobs; each is downloaded once."""

    def __init__(self, folder: Path, fetch: Callable[[str, Path], None]) -> None:
        self.folder = folder
        self._fetch = fetch  # (sha256, dest): writes dest only once the bytes are verified

    def get(self, sha256: str) -> Path:
        path = self.folder / sha256
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            self._fetch(sha256, path)
        return path


def split(shas: Sequence[str], seed: int, val_fraction: float) -> tuple[list[str], list[str]]:
    """A plain (unstratified) train/val split; see loupe_runner.split."""
    parts = split_groups(dict.fromkeys(shas, 0), seed, val_fraction)
    return parts.train, parts.val


def used_labels(
    image: ManifestImage, types: AnnotationTypes = "both"
) -> tuple[list[Box], list[Polygon]]:
    """The boxes and outlines of an image that the job's annotation types say to learn from."""
    boxes = image.boxes if types in ("boxes", "both") else []
    polygons = (image.polygons or []) if types in ("outlines", "both") else []
    return boxes, polygons


def label_lines(
    image: ManifestImage,
    task: Task,
    types: AnnotationTypes = "both",
    changes: Changes | None = None,
) -> list[str]:
    """The YOLO label file of one image for detect or segment (empty: a background image); labels
    Ultralytics would refuse are clipped or left out, and counted in `changes`."""
    boxes, polygons = used_labels(image, types)
    if task == "segment":
        outlines = [*polygons, *(box_polygon(b) for b in boxes)]
        lines = [polygon_line(p, changes) for p in outlines]
    else:
        lines = [box_line(b, changes) for b in [*boxes, *(polygon_box(p) for p in polygons)]]
    return [line for line in lines if line is not None]


def label_classes(image: ManifestImage, task: Task, types: AnnotationTypes = "both") -> list[int]:
    """The class of every label the task learns from in this image (pre-flight counts these)."""
    if task == "classify":
        return [] if image.image_class is None else [image.image_class]
    boxes, polygons = used_labels(image, types)
    return [b.class_index for b in boxes] + [p.class_index for p in polygons]


def task_images(manifest: DatasetManifest, task: Task) -> dict[str, ManifestImage]:
    """The images the task trains on: all of them (unlabelled ones are background), except for
    classify, which can only use images with a class."""
    images = unique_images(manifest)
    if task != "classify":
        return images
    return {sha: image for sha, image in images.items() if image.image_class is not None}


def task_split(
    images: dict[str, ManifestImage],
    task: Task,
    seed: int,
    val_fraction: float,
    test_fraction: float = 0.0,
    *,
    stratify: bool = True,
    types: AnnotationTypes = "both",
    assigned: JobSplit | None = None,
) -> Split:
    """The split materialise() makes (pre-flight checks the same one): the server's (`assigned`,
    what every lease from a current server carries), else loupe_runner.split's."""
    if assigned is not None:
        return _assigned_split(images, assigned)
    labels = {sha: label_classes(image, task, types) for sha, image in images.items()}
    return split_groups(groups_for(task, stratify, labels), seed, val_fraction, test_fraction)


def planned_split(
    manifest: DatasetManifest,
    task: Task,
    seed: int,
    val_fraction: float,
    test_fraction: float,
    stratify: bool,
    types: AnnotationTypes,
    assigned: JobSplit | None,
) -> tuple[dict[str, ManifestImage], int, list[str], Split]:
    """The photos a job trains on, its label count and notes (check_labels), and their split:
    one plan for materialise() and for pre-flight, which must check exactly what will train."""
    images = task_images(manifest, task)
    labels, notes = check_labels(manifest, images, task, types)
    parts = task_split(
        images,
        task,
        seed,
        val_fraction,
        test_fraction,
        stratify=stratify,
        types=types,
        assigned=assigned,
    )
    return images, labels, notes, parts


def _assigned_split(images: dict[str, ManifestImage], assigned: JobSplit) -> Split:
    unknown = [sha for sha in (*assigned.train, *assigned.val, *assigned.test) if sha not in images]
    if unknown:
        raise DatasetError(
            f"The server's split names {len(unknown)} photo(s) this job's dataset version cannot "
            f"train on (first: {unknown[0][:12]}…). Nothing was trained; start the job again, "
            "and report it if it repeats."
        )
    return Split(sorted(assigned.train), sorted(assigned.val), sorted(assigned.test))


def materialise(
    manifest: DatasetManifest,
    cache: BlobCache,
    dest: Path,
    *,
    seed: int,
    val_fraction: float,
    task: Task = "detect",
    check_stop: Callable[[], None] = lambda: None,
    test_fraction: float = 0.0,
    stratify: bool = True,
    types: AnnotationTypes = "both",
    assigned: JobSplit | None = None,
) -> Materialised:
    images, labels, notes, parts = planned_split(
        manifest, task, seed, val_fraction, test_fraction, stratify, types, assigned
    )
    splits = {"train": parts.train, "val": parts.val, "test": parts.test}
    if dest.exists():
        shutil.rmtree(dest)  # a retried job starts from a clean layout
    dest.mkdir(parents=True)
    root = dest.resolve()
    changes = Changes()
    if task == "classify":
        data = _image_folders(manifest, images, cache, root, splits, check_stop)
    else:
        layout = _Layout(task, types, changes, check_stop)
        data = _yolo_folders(manifest, images, cache, root, splits, layout)
    notes = [*notes, *changes.notes()]
    classes = list(manifest.classes)
    return Materialised(root, data, classes, parts.train, parts.val, labels, notes, parts.test)


def check_labels(
    manifest: DatasetManifest,
    images: dict[str, ManifestImage],
    task: Task,
    types: AnnotationTypes = "both",
) -> tuple[int, list[str]]:
    """(the number of labels the task learns from, notes for the user); a DatasetError when
    there is nothing to learn, naming what to draw or which task the labels suit."""
    every = unique_images(manifest)
    if not every:
        raise DatasetError(
            f"The dataset '{manifest.name}' has no images, so there is nothing to train on. "
            "Add labelled photos, sync the dataset, and start a job on the new version."
        )
    name, count = manifest.name, len(every)
    boxes = sum(len(image.boxes) for image in every.values())
    polygons = sum(len(image.polygons or []) for image in every.values())
    if task == "classify":
        if not images:
            raise DatasetError(
                f"Classify needs image classes: the dataset '{name}' has {count} images and none "
                "has a class, so a classifier has nothing to learn. Give each photo its class, "
                "sync, and start a job on the new version, or train detect on its boxes."
            )
        left_out = count - len(images)
        notes = (
            [
                f"{left_out} of {count} images have no image class and were left out of "
                "classify training."
            ]
            if left_out
            else []
        )
        return len(images), notes
    use_boxes, use_outlines = types in ("boxes", "both"), types in ("outlines", "both")
    if task == "segment":
        if polygons == 0:
            also = f" (its {boxes} boxes would only teach rectangles)" if boxes else ""
            raise DatasetError(
                f"Segment needs outlines: the dataset '{name}' has {count} images and no "
                f"polygons, so a segmentation model has nothing to learn{also}. Draw outlines "
                "around the objects, sync, and start a job on the new version, or train detect."
            )
        if not boxes:
            return polygons, []
        if use_boxes:
            return polygons + boxes, [
                f"{boxes} boxes were used as rectangular outlines (their four corners)."
            ]
        return polygons, [f"{boxes} boxes were not used: a box cannot become an outline."]
    used = boxes * use_boxes + polygons * use_outlines
    if used == 0:
        what = {"boxes": "boxes", "outlines": "outlines", "both": "boxes or outlines"}[types]
        other = {"boxes": polygons, "outlines": boxes, "both": 0}[types]
        also = f" (it has {other} of the other kind: choose both annotation types)" if other else ""
        raise DatasetError(
            f"The dataset '{name}' has {count} images but no {what}, so a detector has nothing "
            f"to learn{also}. Draw a box around at least one object, sync, and start a job on "
            "the new version."
        )
    notes = []
    if polygons and use_outlines:
        notes.append(f"{polygons} outlines were used as their bounding boxes.")
    elif polygons:
        notes.append(f"{polygons} outlines were not used: the job learns from boxes only.")
    if boxes and not use_boxes:
        notes.append(f"{boxes} boxes were not used: the job learns from outlines only.")
    return used, notes


@dataclass(frozen=True)
class _Layout:
    """How _yolo_folders writes labels: for which task, from which annotations, counting what
    it had to change for Ultralytics."""

    task: Task
    types: AnnotationTypes
    changes: Changes
    check_stop: Callable[[], None]


def _yolo_folders(
    manifest: DatasetManifest,
    images: dict[str, ManifestImage],
    cache: BlobCache,
    root: Path,
    splits: dict[str, list[str]],
    labels: _Layout,
) -> Path:
    for name, shas in splits.items():
        if not shas:
            continue
        (root / "images" / name).mkdir(parents=True)
        (root / "labels" / name).mkdir(parents=True)
        for sha in shas:
            labels.check_stop()
            image = images[sha]
            blob = _fetch(cache, image)
            _link(blob, root / "images" / name / f"{sha}.{_extension(blob, image)}")
            written = label_lines(image, labels.task, labels.types, labels.changes)
            lines = "".join(f"{line}\n" for line in written)
            (root / "labels" / name / f"{sha}.txt").write_text(lines, encoding="utf-8")
    data_yaml = root / "data.yaml"
    # JSON is valid YAML, and json.dumps quotes any class name safely.
    layout = {
        "path": str(root),
        "train": "images/train",
        "val": "images/val",
        **({"test": "images/test"} if splits["test"] else {}),
        "names": list(manifest.classes),
    }
    data_yaml.write_text(json.dumps(layout, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return data_yaml


def _image_folders(
    manifest: DatasetManifest,
    images: dict[str, ManifestImage],
    cache: BlobCache,
    root: Path,
    splits: dict[str, list[str]],
    check_stop: Callable[[], None],
) -> Path:
    for name, shas in splits.items():
        for sha in shas:
            check_stop()
            image = images[sha]
            folder = root / name / str(image.image_class)
            folder.mkdir(parents=True, exist_ok=True)
            blob = _fetch(cache, image)
            _link(blob, folder / f"{sha}.{_extension(blob, image)}")
    # Integer keys, each name a JSON string (a valid YAML double-quoted scalar): the names map
    # Ultralytics reads for folders named by class id.
    names = "".join(
        f"  {i}: {json.dumps(n, ensure_ascii=False)}\n" for i, n in enumerate(manifest.classes)
    )
    (root / ".ndjson.yaml").write_text(f"names:\n{names}", encoding="utf-8")
    return root


def unique_images(manifest: DatasetManifest) -> dict[str, ManifestImage]:
    # The same photo twice would collide on its hashed name; the first entry's labels win.
    images: dict[str, ManifestImage] = {}
    for image in manifest.images:
        images.setdefault(image.sha256, image)
    return images


def _fetch(cache: BlobCache, image: ManifestImage) -> Path:
    try:
        return cache.get(image.sha256)
    except CorruptBlob as error:
        raise DatasetError(
            f"The photo '{image.file_name}' ({image.sha256[:12]}…) arrived corrupted on every "
            "try: its bytes do not match its SHA-256. The server's copy is probably damaged; "
            "sync the dataset again from a device that has the photo, then start a new job."
        ) from error
    except ServerError as error:
        if error.status != 404:
            raise
        raise DatasetError(
            f"The photo '{image.file_name}' ({image.sha256[:12]}…) is missing from the server. "
            "Sync the dataset again from a device that has it, then start a new job."
        ) from error


def _extension(blob: Path, image: ManifestImage) -> str:
    try:
        with Image.open(blob) as picture:
            kind = picture.format or "unknown"
            picture.verify()
    # ImportError: once Ultralytics is imported, it patches Image.open to try the pi-heif
    # plugin on any file Pillow cannot identify, and that import fails when it is not installed.
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, ImportError) as error:
        unknown = isinstance(error, UnidentifiedImageError | ImportError)
        detail = "its format is not one Pillow knows" if unknown else str(error)
        raise DatasetError(
            f"The photo '{image.file_name}' ({image.sha256[:12]}…) cannot be read as an image "
            f"({detail}). Remove it from the dataset or import it again as JPEG or PNG, then "
            "start a new job."
        ) from error
    extension = _EXTENSIONS.get(kind)
    if extension is None:
        raise DatasetError(
            f"The photo '{image.file_name}' ({image.sha256[:12]}…) is a {kind} file, which the "
            "trainer cannot read. Convert it to JPEG or PNG, sync, and start a new job."
        )
    return extension


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another filesystem, or links not allowed: copy instead
        shutil.copyfile(source, target)
