"""YOLO label lines that keep the user's numbers, changing only what Ultralytics would refuse.

What Ultralytics 8.4.190 accepts (ultralytics/data/utils.py, verify_image_label): it reads each
label file as float32 and drops the whole image's labels ("ignoring corrupt image/label") when any
value of any line is above 1.01, or below 0 unless every value is at least -0.01 and no width or
height is negative. For an outline it checks the bounding box of its vertices (centre, width,
height), not the vertices. Duplicate lines it drops itself, so they are written as given.

So a box or outline that Ultralytics accepts is written with exactly the numbers the manifest
holds, also when it crosses the image edge; one it would refuse is clipped to the image, and one
with nothing left inside is left out. `Changes` counts both, for the job's notice. The YOLO import
(web/lib/formats/ultralytics-labels.ts) applies the same rule, so an imported dataset already
holds what trains; test/contract/ultralytics-labels.json checks both against Ultralytics.

Numbers are written as the shortest decimal that gives them back: a user's "0.9500005" stays
0.9500005, not 0.950001. A box's centre is not stored (the contract keeps the top-left corner),
so the centre computed back carries a rounding of an ulp or two; `_decimal` writes the shortest
decimal within that rounding, which is the user's own number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from loupe_runner.contract import LABEL_REACH, Box, Polygon

# Ultralytics' limits, compared in float32 as it does (numpy 2 compares a float32 array with a
# Python float in float32).
_HIGH = np.float32(1.01)
_LOW = np.float32(-0.01)


@dataclass
class Changes:
    """Labels altered so Ultralytics trains on them; zero for labels kept as given."""

    boxes_clipped: int = 0
    boxes_dropped: int = 0
    outlines_clipped: int = 0
    outlines_dropped: int = 0

    def notes(self) -> list[str]:
        """What the job's notice says; nothing when every label was kept as given."""
        parts = [
            _count(self.boxes_clipped, "box was", "boxes were", "clipped to the image"),
            _count(self.outlines_clipped, "outline was", "outlines were", "clipped to the image"),
            _count(self.boxes_dropped, "box was", "boxes were", "left out"),
            _count(self.outlines_dropped, "outline was", "outlines were", "left out"),
        ]
        said = [p for p in parts if p]
        if not said:
            return []
        return [
            f"Labels past the image edge: {'; '.join(said)}. Ultralytics ignores every label of "
            "a photo when one reaches further past its edge than 1% of the photo. Every other "
            "label was trained on exactly as given, also where it crosses the edge."
        ]


def _count(n: int, one: str, many: str, what: str) -> str:
    return f"{n} {one if n == 1 else many} {what}" if n else ""


def accepts(values: list[float]) -> bool:
    """Whether Ultralytics keeps a label whose box (centre x, centre y, width, height) is
    `values`, each as the float32 it reads from the written text."""
    array = np.array(values, dtype=np.float32)
    return bool(array.max() <= _HIGH and array.min() >= _LOW and array[2:].min() >= 0)


def box_line(box: Box, changes: Changes | None = None) -> str | None:
    """The detect line "class cx cy w h"; None when nothing of the box is inside the image."""
    cx = _decimal(box.x + box.w / 2, box.x)
    cy = _decimal(box.y + box.h / 2, box.y)
    w, h = repr(box.w), repr(box.h)
    if accepts([float(cx), float(cy), box.w, box.h]):
        return f"{box.class_index} {cx} {cy} {w} {h}"
    clipped = clip_box(box)
    if changes is not None:
        if clipped is None:
            changes.boxes_dropped += 1
        else:
            changes.boxes_clipped += 1
    if clipped is None:
        return None
    x0, y0, x1, y1 = clipped
    values = ((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0)
    return f"{box.class_index} " + " ".join(repr(v) for v in values)


def clip_box(box: Box) -> tuple[float, float, float, float] | None:
    """The part of a box inside the image as corners; None when nothing is inside."""
    x0, y0 = max(0.0, box.x), max(0.0, box.y)
    x1, y1 = min(1.0, box.x + box.w), min(1.0, box.y + box.h)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def polygon_line(polygon: Polygon, changes: Changes | None = None) -> str | None:
    """The segment line "class x1 y1 x2 y2 ..."; None when the outline is outside the image."""
    points = polygon.points
    if not accepts(_outline_box(points)):
        points = [[_clip(x), _clip(y)] for x, y in points]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        inside = max(xs) > min(xs) and max(ys) > min(ys)
        if changes is not None:
            if inside:
                changes.outlines_clipped += 1
            else:
                changes.outlines_dropped += 1
        if not inside:
            return None
    coordinates = " ".join(f"{x!r} {y!r}" for x, y in points)
    return f"{polygon.class_index} {coordinates}"


def polygon_box(polygon: Polygon) -> Box:
    """An outline's bounding box, so outlines can train a detector (as given: box_line clips
    only what Ultralytics would refuse)."""
    xs = [x for x, _ in polygon.points]
    ys = [y for _, y in polygon.points]
    # A degenerate outline (a line) still gets a box Ultralytics keeps: a hair wide.
    w, h = max(max(xs) - min(xs), 1e-6), max(max(ys) - min(ys), 1e-6)
    far = 1 + LABEL_REACH  # the contract's limit, which the hair must not cross
    x, y = min(min(xs), far - w), min(min(ys), far - h)
    return Box(class_index=polygon.class_index, x=x, y=y, w=w, h=h)


def box_polygon(box: Box) -> Polygon:
    """A box as an outline of its four corners, so boxes can fill out a segment dataset."""
    x0, y0, x1, y1 = box.x, box.y, box.x + box.w, box.y + box.h
    points = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    return Polygon(class_index=box.class_index, points=points)


def _outline_box(points: list[list[float]]) -> list[float]:
    """The box Ultralytics checks for an outline: segments2boxes and xyxy2xywh, in float32."""
    array = np.array(points, dtype=np.float32)
    x0, y0 = array.min(axis=0)
    x1, y1 = array.max(axis=0)
    return [float((x0 + x1) / 2), float((y0 + y1) / 2), float(x1 - x0), float(y1 - y0)]


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _decimal(value: float, corner: float) -> str:
    """The shortest decimal within the rounding of `value` = corner + size / 2 (half an ulp of
    the corner when it was stored, half an ulp of the sum now): the user's own number, as the
    shortest decimal in so narrow a window is the one it was parsed from."""
    slack = math.ulp(corner) + math.ulp(value)
    for digits in range(1, 18):
        text = f"{value:.{digits}g}"
        if abs(float(text) - value) <= slack:
            return text
    return repr(value)
