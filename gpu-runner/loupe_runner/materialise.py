"""Turns a dataset manifest into the folder layout Ultralytics trains on.

    <dest>/images/{train,val}/<sha256>.<ext>  hardlinks into the blob cache (copies across disks)
    <dest>/labels/{train,val}/<sha256>.txt    one "class cx cy w h" line per box; empty: background
    <dest>/data.yaml                          absolute path, train, val, names

Images are named by hash, so two photos called IMG_0001.jpg never collide, and the extension
comes from the bytes, not the file name, because Ultralytics picks images by extension.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from loupe_runner.client import CorruptBlob, ServerError
from loupe_runner.contract import Box, DatasetManifest, ManifestImage
from loupe_runner.errors import DatasetError

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
    data_yaml: Path
    classes: list[str]
    train: list[str]  # sha256s
    val: list[str]
    boxes: int


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
    """Deterministic train/val split: the same images, seed and fraction give the same split.

    Sorting first makes the split independent of the manifest's order. A lone image is used for
    both, so a one-photo smoke test still trains and validates.
    """
    ordered = sorted(set(shas))
    if len(ordered) < 2:
        return list(ordered), list(ordered)
    random.Random(seed).shuffle(ordered)
    n_val = min(len(ordered) - 1, max(1, round(len(ordered) * val_fraction)))
    return sorted(ordered[n_val:]), sorted(ordered[:n_val])


def yolo_line(box: Box) -> str:
    """YOLO wants centre, width and height; the contract sends the top-left corner."""
    # Clamp into the image: the contract allows a rounding hair past the edge, Ultralytics does not.
    x0, y0 = max(0.0, box.x), max(0.0, box.y)
    x1, y1 = min(1.0, box.x + box.w), min(1.0, box.y + box.h)
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    return f"{box.class_index} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}"


def materialise(
    manifest: DatasetManifest,
    cache: BlobCache,
    dest: Path,
    *,
    seed: int,
    val_fraction: float,
    check_stop: Callable[[], None] = lambda: None,
) -> Materialised:
    images = unique_images(manifest)
    if not images:
        raise DatasetError(
            f"The dataset '{manifest.name}' has no images, so there is nothing to train on. "
            "Add labelled photos, sync the dataset, and start a job on the new version."
        )
    boxes = sum(len(image.boxes) for image in images.values())
    if boxes == 0:
        raise DatasetError(
            f"The dataset '{manifest.name}' has {len(images)} images but no boxes, so a "
            "detector has nothing to learn. Draw a box around at least one object, sync, and "
            "start a job on the new version."
        )
    train, val = split(list(images), seed, val_fraction)
    if dest.exists():
        shutil.rmtree(dest)  # a retried job starts from a clean layout
    for name, shas in (("train", train), ("val", val)):
        (dest / "images" / name).mkdir(parents=True)
        (dest / "labels" / name).mkdir(parents=True)
        for sha in shas:
            check_stop()
            image = images[sha]
            blob = _fetch(cache, image)
            _link(blob, dest / "images" / name / f"{sha}.{_extension(blob, image)}")
            lines = "".join(f"{yolo_line(box)}\n" for box in image.boxes)
            (dest / "labels" / name / f"{sha}.txt").write_text(lines, encoding="utf-8")
    data_yaml = dest / "data.yaml"
    # JSON is valid YAML, and json.dumps quotes any class name safely.
    layout = {
        "path": str(dest.resolve()),
        "train": "images/train",
        "val": "images/val",
        "names": list(manifest.classes),
    }
    data_yaml.write_text(json.dumps(layout, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return Materialised(dest.resolve(), data_yaml, list(manifest.classes), train, val, boxes)


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
