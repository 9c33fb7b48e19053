"""An int8 (QDQ, static) variant of an exported YOLO ONNX, as a measured experiment, not shipped.

`quantize` makes the variant (Conv weights int8 per channel, activations uint8, calibrated on
letterboxed images); make_bench_models.py uses it for the speed column. Run as a script it
measures how far detections move on a trained model (the detect parity fixture):

    gpu-runner/.venv/bin/python bench/int8_variant.py FIXTURE_DIR

FIXTURE_DIR is a test/fixtures/make_inference_fixtures.py --task detect output (model.onnx,
metadata.json, images/, val-images/). Prints detections kept, corner distances and confidence
changes between the float32 model and its int8 variant, both run by Ultralytics' predict.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from onnxruntime.quantization import (  # type: ignore[import-untyped, unused-ignore]
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_static,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gpu-runner"))

from loupe_runner import ultralytics_env


def _letterbox(bgr: np.ndarray, imgsz: int) -> np.ndarray:
    """Ultralytics' predict input for one BGR image: [1, 3, imgsz, imgsz] float32 RGB 0..1."""
    h, w = bgr.shape[:2]
    r = min(imgsz / h, imgsz / w)
    nw, nh = max(round(w * r), 1), max(round(h * r), 1)
    resized = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
    top, left = round((imgsz - nh) / 2 - 0.1), round((imgsz - nw) / 2 - 0.1)
    out = np.full((imgsz, imgsz, 3), 114, dtype=np.uint8)
    out[top : top + nh, left : left + nw] = resized
    return np.ascontiguousarray(out[..., ::-1].transpose(2, 0, 1)[None], dtype=np.float32) / 255


def _read(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise RuntimeError(f"OpenCV cannot read {path}")
    return bgr


class _Frames(CalibrationDataReader):  # type: ignore[misc]  # untyped base class
    def __init__(self, input_name: str, images: list[Path], imgsz: int) -> None:
        self._feeds: Iterator[dict[str, np.ndarray]] = (
            {input_name: _letterbox(_read(p), imgsz)} for p in images
        )

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feeds, None)


def quantize(model: Path, dest: Path, input_name: str, images: list[Path], imgsz: int) -> None:
    """Static QDQ int8 of the Conv layers only: the head's concat/sigmoid/DFL stay float32."""
    quantize_static(
        str(model),
        str(dest),
        _Frames(input_name, images, imgsz),
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=["Conv"],
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
    )


def _predict(ultralytics: Any, model: Path, images: list[Path], imgsz: int) -> list[Any]:
    yolo = ultralytics.YOLO(str(model), task="detect")
    return [yolo.predict(str(p), imgsz=imgsz, conf=0.25, verbose=False)[0].boxes for p in images]


def drift(fixture: Path) -> dict[str, Any]:
    """Float32 against int8 on the fixture's images: matched detections and how far they move."""
    metadata = json.loads((fixture / "metadata.json").read_text())
    imgsz = int(metadata["imgsz"])
    images = sorted((fixture / "images").glob("*.jpg"))
    calibration = sorted((fixture / "val-images").glob("*.jpg"))
    with tempfile.TemporaryDirectory() as tmp:
        ultralytics = ultralytics_env.load(Path(tmp))
        int8 = Path(tmp) / "model-int8.onnx"
        quantize(fixture / "model.onnx", int8, metadata["inputName"], calibration, imgsz)
        # Ultralytics reads its metadata from the ONNX file; the quantizer keeps it.
        ref = _predict(ultralytics, fixture / "model.onnx", images, imgsz)
        got = _predict(ultralytics, int8, images, imgsz)
    corners: list[float] = []
    confs: list[float] = []
    counts = [0, 0]
    class_changes = 0
    for a, b in zip(ref, got, strict=True):
        counts[0] += len(a)
        counts[1] += len(b)
        # Greedy pairing by nearest box: the lists need not share an order once scores move.
        free = list(range(len(b)))
        for i in range(len(a)):
            if not free:
                break
            axy = a.xyxy[i].numpy()
            j = min(free, key=lambda k: float(np.abs(b.xyxy[k].numpy() - axy).max()))
            free.remove(j)
            corners.append(float(np.abs(b.xyxy[j].numpy() - axy).max()))
            confs.append(abs(float(b.conf[j]) - float(a.conf[i])))
            class_changes += int(int(b.cls[j]) != int(a.cls[i]))
    return {
        "images": len(images),
        "detections float32 / int8": counts,
        "class changes": class_changes,
        "corner px median / max": [statistics.median(corners or [0]), max(corners or [0])],
        "confidence change median / max": [statistics.median(confs or [0]), max(confs or [0])],
    }


if __name__ == "__main__":
    print(json.dumps(drift(Path(sys.argv[1]).resolve()), indent=1))
