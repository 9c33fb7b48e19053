"""Write an Ultralytics reference for ultralytics-parity.spec.ts.

    gpu-runner/.venv/bin/python web/lib/inference/parity/make_reference.py MODEL IMAGES OUT_DIR

MODEL is a detect .onnx, IMAGES a folder of .jpg/.png. OUT_DIR receives model.onnx,
metadata.json (the ModelMetadata fields the browser reads), one <name>.rgb per image (the pixels
cv2 decoded, RGB, row-major, so the JS side sees the very same pixels and the comparison leaves
JPEG decoders out), and reference.json with Ultralytics' own predictions on those pixels. Then:

    LOUPE_PARITY_DIR=OUT_DIR npx vitest run web/lib/inference/parity
"""

import ast
import json
import os
import shutil
import sys
from pathlib import Path

import cv2
import onnx

CONFS = (0.25, 0.05)  # the default, and a low one that yields many overlapping boxes for NMS


def metadata(model_path: Path) -> dict:
    model = onnx.load(str(model_path))
    props = {p.key: p.value for p in model.metadata_props}
    names = ast.literal_eval(props["names"])
    imgsz = ast.literal_eval(props["imgsz"])

    def dims(value: onnx.ValueInfoProto) -> list[int]:
        return [d.dim_value for d in value.type.tensor_type.shape.dim]

    return {
        "task": props["task"],
        "classNames": [names[i] for i in sorted(names)],
        "imgsz": imgsz[0],
        "stride": int(props["stride"]),
        "inputName": model.graph.input[0].name,
        "inputShape": dims(model.graph.input[0]),
        "outputNames": [o.name for o in model.graph.output],
        "outputShapes": [dims(o) for o in model.graph.output],
        "architecture": "parity-fixture",
        "ultralyticsVersion": props.get("version", ""),
        "epochs": 0,
        "datasetVersionId": "0" * 64,
        "jobId": "parity",
        "metrics": {},
    }


def main(model_path: Path, images_dir: Path, out_dir: Path) -> None:
    # Offline and quiet before Ultralytics is imported: it reads these at import time.
    os.environ.setdefault("YOLO_OFFLINE", "true")
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")
    os.environ.setdefault("YOLO_CONFIG_DIR", "/tmp/yolo-cfg")
    from ultralytics import YOLO

    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(model_path, out_dir / "model.onnx")
    meta = metadata(model_path)
    (out_dir / "metadata.json").write_text(json.dumps(meta, indent=1))
    model = YOLO(str(out_dir / "model.onnx"), task="detect")
    images = []
    for path in sorted(
        p for p in images_dir.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"}
    ):
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        (out_dir / f"{path.stem}.rgb").write_bytes(bgr[..., ::-1].tobytes())
        entry = {
            "name": path.stem,
            "width": bgr.shape[1],
            "height": bgr.shape[0],
            "predictions": {},
        }
        for conf in CONFS:
            result = model.predict(
                bgr, imgsz=meta["imgsz"], conf=conf, iou=0.7, max_det=300, verbose=False
            )[0]
            boxes = result.boxes
            entry["predictions"][str(conf)] = [
                {"classIndex": int(c), "confidence": float(s), "xyxy": [float(v) for v in b]}
                for b, s, c in zip(
                    boxes.xyxy.tolist(), boxes.conf.tolist(), boxes.cls.tolist(), strict=True
                )
            ]
        images.append(entry)
    (out_dir / "reference.json").write_text(
        json.dumps({"confs": CONFS, "images": images}, indent=1)
    )
    print(f"wrote {len(images)} images to {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
