"""Label lines keep the user's numbers exactly; only what Ultralytics refuses is clipped or left
out, and test/contract/ultralytics-labels.json's verdicts are Ultralytics' own."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from support import REPO, imported_box

from loupe_runner import ultralytics_env
from loupe_runner.contract import Box, Polygon
from loupe_runner.yolo_labels import Changes, accepts, box_line, polygon_line

CASES = json.loads((REPO / "test" / "contract" / "ultralytics-labels.json").read_text())


@pytest.fixture(autouse=True)
def _offline_ultralytics(workdir: Path) -> None:
    ultralytics_env.load(workdir)  # its offline settings, before anything imports it


def _verdict(folder: Path, line: str) -> str:
    """What Ultralytics' own label check does with a one-line label file."""
    from ultralytics.data.utils import verify_image_label

    image, labels = folder / "a.jpg", folder / "a.txt"
    if not image.exists():
        Image.new("RGB", (64, 48), (90, 90, 90)).save(image)
    labels.write_text(line + "\n", encoding="utf-8")
    result = verify_image_label((str(image), str(labels), "", False, 2, 0, 0, False))
    return "refuses" if result[8] else "accepts"


def _outline(line: str) -> Polygon:
    cls, *values = line.split()
    numbers = [float(v) for v in values]
    return Polygon(
        class_index=int(cls),
        points=[list(p) for p in zip(numbers[::2], numbers[1::2], strict=True)],
    )


@pytest.mark.parametrize("case", CASES["boxes"], ids=lambda c: c["line"])
def test_boxes_as_ultralytics_judges_them(case: dict[str, Any], tmp_path: Path) -> None:
    assert _verdict(tmp_path, case["line"]) == case["ultralytics"]
    values = [float(v) for v in case["line"].split()[1:]]
    assert accepts(values) == (case["ultralytics"] == "accepts")
    changes = Changes()
    written = box_line(imported_box(case["line"]), changes)
    if case["loupe"] == "keeps":
        # The user's numbers come back exactly, not rounded to six decimals.
        assert written is not None
        assert [float(v) for v in written.split()] == [float(v) for v in case["line"].split()]
        assert changes == Changes()
    elif case["loupe"] == "drops":
        assert written is None and changes == Changes(boxes_dropped=1)
    else:
        assert written is not None and changes == Changes(boxes_clipped=1)
        _, cx, cy, w, h = (float(v) for v in written.split())
        corners = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]
        assert corners == pytest.approx(case["inside"], abs=1e-12)
        assert _verdict(tmp_path, written) == "accepts"


@pytest.mark.parametrize("case", CASES["outlines"], ids=lambda c: c["line"])
def test_outlines_as_ultralytics_judges_them(case: dict[str, Any], tmp_path: Path) -> None:
    assert _verdict(tmp_path, case["line"]) == case["ultralytics"]
    changes = Changes()
    written = polygon_line(_outline(case["line"]), changes)
    if case["loupe"] == "keeps":
        assert written is not None
        assert [float(v) for v in written.split()] == [float(v) for v in case["line"].split()]
        assert changes == Changes()
    elif case["loupe"] == "drops":
        assert written is None and changes == Changes(outlines_dropped=1)
    else:
        assert written is not None and changes == Changes(outlines_clipped=1)
        assert _outline(written).points == case["inside"]
        assert _verdict(tmp_path, written) == "accepts"


def test_a_user_s_decimals_survive_the_corner_round_trip() -> None:
    """The contract stores the corner (cx - w/2); the centre written back is the user's number
    for every decimal of up to 15 places (datasets write 6 to 8). A number written with all 17
    digits of a double may come back an ulp away, which is still the float32 Ultralytics reads."""
    rng = random.Random(14)
    for _ in range(20_000):
        places = rng.choice([6, 7, 8, 12, 15, 17])
        w = round(rng.uniform(0.001, 0.5), places)
        cx = round(rng.uniform(-0.0099, 1.0099), places)
        box = Box(class_index=0, x=cx - w / 2, y=0.25, w=w, h=0.5)
        line = box_line(box)
        assert line is not None
        written = float(line.split()[1])
        if places <= 15:
            assert written == cx, (cx, w, line)
        else:
            assert np.float32(written) == np.float32(cx), (cx, w, line)
        assert float(line.split()[3]) == w


def test_the_notice_says_what_changed_and_nothing_when_nothing_did() -> None:
    assert Changes().notes() == []
    notes = Changes(boxes_clipped=2, outlines_dropped=1).notes()
    assert notes == [
        "Labels past the image edge: 2 boxes were clipped to the image; 1 outline was left out. "
        "Ultralytics ignores every label of a photo when one reaches further past its edge "
        "than 1% of the photo. Every other "
        "label was trained on exactly as given, also where it crosses the edge."
    ]
