"""The card-photo generator is deterministic and its labels are exact and in range."""

from __future__ import annotations

import json
from pathlib import Path

from support import generate_cards


def test_same_seed_same_bytes_and_labels() -> None:
    a = generate_cards.generate(None, count=4, seed=3, size=(96, 64), classes=("card", "back"))
    b = generate_cards.generate(None, count=4, seed=3, size=(96, 64), classes=("card", "back"))
    c = generate_cards.generate(None, count=4, seed=4, size=(96, 64), classes=("card", "back"))
    assert a == b and a != c


def test_boxes_bound_their_polygons_inside_the_picture() -> None:
    document = generate_cards.generate(None, count=12, seed=5, classes=("card", "back"))
    assert {box["classIndex"] for image in document["images"] for box in image["boxes"]} == {0, 1}
    for image in document["images"]:
        assert 1 <= len(image["boxes"]) <= 2
        for box, polygon in zip(image["boxes"], image["polygons"], strict=True):
            assert box["classIndex"] == polygon["classIndex"] and len(polygon["points"]) == 4
            assert box["x"] >= 0 and box["y"] >= 0
            assert box["x"] + box["w"] <= 1 and box["y"] + box["h"] <= 1
            xs = [x for x, _ in polygon["points"]]
            ys = [y for _, y in polygon["points"]]
            assert min(xs) == box["x"] and min(ys) == box["y"]
            assert abs(max(xs) - (box["x"] + box["w"])) < 2e-6
            assert abs(max(ys) - (box["y"] + box["h"])) < 2e-6


def test_cli_writes_pictures_and_labels(tmp_path: Path) -> None:
    generate_cards.main(["--out", str(tmp_path), "--count", "3", "--seed", "9", "--size", "80x60"])
    labels = json.loads((tmp_path / "labels.json").read_text())
    assert labels["classes"] == ["card"]
    assert [image["file"] for image in labels["images"]] == [f"card_00{i}.jpg" for i in range(3)]
    assert all("jpeg" not in image for image in labels["images"])
    assert all((tmp_path / image["file"]).stat().st_size > 0 for image in labels["images"])
    assert {(image["width"], image["height"]) for image in labels["images"]} == {(80, 60)}


def test_image_class_is_the_largest_card_s_class_and_optional(tmp_path: Path) -> None:
    document = generate_cards.generate(
        None, count=6, seed=5, classes=("card", "back"), image_class=True, max_cards=1
    )
    for image in document["images"]:
        assert image["imageClass"] == image["boxes"][0]["classIndex"]
    plain = generate_cards.generate(None, count=2, seed=5)
    assert all("imageClass" not in image for image in plain["images"])
    generate_cards.main(["--out", str(tmp_path), "--count", "2", "--image-class"])
    labels = json.loads((tmp_path / "labels.json").read_text())
    assert all(image["imageClass"] == 0 for image in labels["images"])
