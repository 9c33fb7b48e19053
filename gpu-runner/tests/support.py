"""Test helpers: synthetic card photos as the server holds them, and a network guard."""

from __future__ import annotations

import hashlib
import importlib.util
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from loupe_runner.contract import AnyRunnerEvent, Box, DatasetManifest
from loupe_runner.materialise import BlobCache, Materialised
from loupe_runner.train import TrainResult

REPO = Path(__file__).resolve().parents[2]
IMGSZ = 64
EPOCHS = 2


def _load_generator() -> ModuleType:
    path = REPO / "test" / "fixtures" / "generate_cards.py"
    spec = importlib.util.spec_from_file_location("generate_cards", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_cards"] = module
    spec.loader.exec_module(module)
    return module


generate_cards = _load_generator()


@dataclass(frozen=True)
class Photos:
    """Generated photos as the server would hold them: a manifest plus blobs by hash."""

    manifest: DatasetManifest
    blobs: dict[str, bytes]

    def manifest_json(self) -> dict[str, Any]:
        return self.manifest.wire()


def make_photos(
    count: int,
    seed: int = 7,
    classes: tuple[str, ...] = ("card",),
    *,
    polygons: bool = False,
    image_class: bool = False,
    max_cards: int = 2,
) -> Photos:
    """`polygons`: each card's outline too; `image_class`: each photo's (largest) card's class."""
    document = generate_cards.generate(
        None,
        count=count,
        seed=seed,
        size=(160, 120),
        classes=classes,
        max_cards=max_cards,
        image_class=image_class,
    )
    blobs: dict[str, bytes] = {}
    images = []
    for record in document["images"]:
        sha = hashlib.sha256(record["jpeg"]).hexdigest()
        blobs[sha] = record["jpeg"]
        image = {
            "sha256": sha,
            "fileName": record["file"],
            "width": record["width"],
            "height": record["height"],
            "boxes": record["boxes"],
        }
        if polygons:
            image["polygons"] = record["polygons"]
        if image_class:
            image["imageClass"] = record["imageClass"]
        images.append(image)
    manifest = DatasetManifest.model_validate(
        {"name": "Synthetic cards", "classes": list(classes), "images": images}
    )
    return Photos(manifest, blobs)


def imported_box(line: str) -> Box:
    """The box the YOLO import stores for a detect line it keeps: the top-left corner, in the
    same float64 arithmetic as web/lib/formats/yolo-format.ts."""
    cls, cx, cy, w, h = line.split()
    x, y = float(cx) - float(w) / 2, float(cy) - float(h) / 2
    return Box(class_index=int(cls), x=x, y=y, w=float(w), h=float(h))


def dict_cache(folder: Path, blobs: dict[str, bytes]) -> tuple[BlobCache, list[str]]:
    """A cache whose downloads come from memory; the list records what was fetched."""
    fetched: list[str] = []

    def fetch(sha: str, dest: Path) -> None:
        fetched.append(sha)
        dest.write_bytes(blobs[sha])

    return BlobCache(folder, fetch), fetched


@contextmanager
def no_internet() -> Iterator[list[str]]:
    """Records (and refuses) every name lookup that is not this machine."""
    attempts: list[str] = []
    original = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1", None):
            attempts.append(str(host))
            raise OSError(f"test forbids network access to {host}")
        return original(host, *args, **kwargs)

    socket.getaddrinfo = guarded
    try:
        yield attempts
    finally:
        socket.getaddrinfo = original


@dataclass(frozen=True)
class Trained:
    dataset: Materialised
    result: TrainResult
    events: list[AnyRunnerEvent]
    network_attempts: list[str]
    seconds: float
