"""Export the benchmark models: untrained yolo11n / yolov8n detect and yolo11n-seg, built from
Ultralytics' YAML (nothing downloaded), as ONNX with the metadata.json the browser reads, plus a
1280x720 JPEG camera-like frame
(and its decoded RGBA bytes). Weights are random: speed does not depend on them. Also
yolo11n-640-int8, a static int8 variant of yolo11n-640 (bench/int8_variant.py), for the
quantization experiment (`--models yolo11n-640,yolo11n-640-int8`), not for the main table.

    gpu-runner/.venv/bin/python bench/make_bench_models.py OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gpu-runner"))

from loupe_runner import ultralytics_env
from loupe_runner.export import build_metadata, export_onnx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from int8_variant import quantize

MODELS = [
    ("yolo11n", "detect", 320),
    ("yolo11n", "detect", 640),
    ("yolov8n", "detect", 320),
    ("yolov8n", "detect", 640),
    ("yolo11n-seg", "segment", 640),
]


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    ultralytics = ultralytics_env.load(work)
    rng = np.random.default_rng(0)
    frame = cv2.GaussianBlur(rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8), (0, 0), 3)
    cv2.imwrite(str(out / "frame.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    # The decoded frame as RGBA bytes, for the onnxruntime-node reference (Node has no decoder).
    decoded = cv2.imread(str(out / "frame.jpg"), cv2.IMREAD_COLOR)
    rgba = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGBA)
    (out / "frame.rgba").write_bytes(rgba.tobytes())
    for architecture, task, imgsz in MODELS:
        name = f"{architecture}-{imgsz}"
        target = out / name
        target.mkdir(exist_ok=True)
        model = ultralytics.YOLO(f"{architecture}.yaml", task=task)
        weights = work / f"{name}.pt"
        model.save(str(weights))
        exported = export_onnx(weights, imgsz, target / "model.onnx", work, architecture)
        metadata = build_metadata(
            exported,
            architecture=architecture,
            epochs=0,
            dataset_version_id="0" * 64,
            job_id=f"bench-{name}",
            metrics={},
        )
        (target / "metadata.json").write_text(metadata.model_dump_json(by_alias=True, indent=1))
    int8 = out / "yolo11n-640-int8"
    int8.mkdir(exist_ok=True)
    source = out / "yolo11n-640"
    metadata_text = (source / "metadata.json").read_text()
    input_name = str(json.loads(metadata_text)["inputName"])
    quantize(source / "model.onnx", int8 / "model.onnx", input_name, [out / "frame.jpg"], 640)
    (int8 / "metadata.json").write_text(metadata_text)
    print(f"benchmark models in {out}")


if __name__ == "__main__":
    main()
