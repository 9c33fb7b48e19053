"""What the job page shows about a finished model besides its epochs: validation.json and the files
Ultralytics wrote (plots, results.csv), gathered for upload.

validation.json comes from the final validation (best.pt on the val split), read from the metrics
object Ultralytics' validator leaves behind rather than parsed from its log:

    {"metrics": {"metrics/mAP50(B)": ...},                     the overall numbers, as Ultralytics
                                                               names them for the task
     "perClass": [{"classIndex", "name", "precision", "recall", "mAP50", "mAP50-95", "instances"}],
                 segment: those are the boxes', plus "mask": {"precision", "recall", "mAP50",
                 "mAP50-95"}; classify: {"classIndex", "name", "precision", "recall",
                 "instances"}, worked out from the confusion matrix (Ultralytics gives only
                 top-1 and top-5 over all classes)
     "confusionMatrix": {"names": [...], "matrix": [[...]]} | null,
                        rows are the predicted class, columns the true class (Ultralytics' layout);
                        detect and segment end with "background", classify has none
     "speedMs": {"preprocess", "inference", "postprocess"},    per image, on the runner
     "onnxBenchmark": {...} | null,                            see export.benchmark_onnx
     "test": {"images", "metrics", "perClass", "confusionMatrix", "speedMs"}}
                        only when the job held out a test split: best.pt validated once more on
                        photos that neither trained it nor chose it (best.pt is picked on val)
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

from loupe_runner import safe_weights, ultralytics_env
from loupe_runner.contract import ARTIFACT_NAME, MAX_ARTIFACTS_PER_JOB, REQUIRED_ARTIFACTS

log = logging.getLogger(__name__)

# Room left among the server's 40 artifacts for model.onnx, metadata.json and the runner's own.
MAX_PLOTS = MAX_ARTIFACTS_PER_JOB - len(REQUIRED_ARTIFACTS) - 6
PLOT_SUFFIXES = (".png", ".jpg")


def validation_summary(trainer: Any) -> dict[str, Any]:
    """The final validation as plain JSON; parts Ultralytics did not produce are null or empty."""
    metrics = getattr(getattr(trainer, "validator", None), "metrics", None)
    if metrics is None:
        return {"metrics": {}, "perClass": [], "confusionMatrix": None, "speedMs": None}
    return _summary(metrics, _names(metrics, getattr(trainer, "data", None)))


def test_summary(
    weights: Path, data: Path, imgsz: int, batch: int, device: str, workdir: Path, out_dir: Path
) -> dict[str, Any]:
    """best.pt validated on the test split, summarised as the final validation is. Plots are on
    because Ultralytics fills the confusion matrix only while plotting; they stay in out_dir."""
    ultralytics = ultralytics_env.load(workdir)
    safe_weights.verify(weights)  # refused before Ultralytics opens it
    model = ultralytics.YOLO(str(weights))
    metrics = model.val(
        data=str(data),
        split="test",
        imgsz=imgsz,
        batch=batch if batch > 0 else 16,  # auto batch (-1) is for training
        device=device,
        plots=True,
        project=str(out_dir.parent),
        name=out_dir.name,
        exist_ok=True,
        verbose=False,
    )
    return _summary(metrics, _names(metrics, {"names": model.names}))


def headline(summary: dict[str, Any]) -> str:
    """The numbers a user checks first, for a notice: "mAP50 0.812, mAP50-95 0.61"."""
    metrics: dict[str, float | None] = summary["metrics"]
    shown = [
        f"{label} {metrics[key]:.3f}"
        for label, key in _HEADLINE
        if isinstance(metrics.get(key), float)
    ]
    return ", ".join(shown) or "no metrics"


_HEADLINE = (
    ("mAP50", "metrics/mAP50(B)"),
    ("mAP50-95", "metrics/mAP50-95(B)"),
    ("mask mAP50-95", "metrics/mAP50-95(M)"),
    ("top-1", "metrics/accuracy_top1"),
    ("top-5", "metrics/accuracy_top5"),
)


def _summary(metrics: Any, names: dict[int, str]) -> dict[str, Any]:
    confusion = _confusion(getattr(metrics, "confusion_matrix", None), names)
    if hasattr(metrics, "class_result"):
        per_class = _per_class_detection(metrics, names)
    else:  # classify: top-1/top-5 only; per class from the confusion matrix
        per_class = _per_class_confusion(confusion)
    speed = dict(getattr(metrics, "speed", {}) or {})
    return {
        "metrics": {k: _number(float(v)) for k, v in dict(metrics.results_dict).items()},
        "perClass": per_class,
        "confusionMatrix": confusion,
        "speedMs": {
            key: _number(float(speed.get(key, 0.0)))
            for key in ("preprocess", "inference", "postprocess")
        }
        if speed
        else None,
    }


def _names(metrics: Any, data: dict[str, Any] | None) -> dict[int, str]:
    # Detection metrics carry the names; classify's do not, its trainer's data (or model) does.
    found = getattr(metrics, "names", None) or (data or {}).get("names")
    return {int(k): str(v) for k, v in dict(found or {}).items()}


def _per_class_detection(metrics: Any, names: dict[int, str]) -> list[dict[str, Any]]:
    counts = getattr(metrics, "nt_per_class", None)
    per_class = []
    for i, index in enumerate(getattr(metrics, "ap_class_index", [])):
        # Boxes' precision, recall, mAP50, mAP50-95; segment adds the masks' four.
        values = [_number(float(v)) for v in metrics.class_result(i)]
        entry: dict[str, Any] = {
            "classIndex": int(index),
            "name": names.get(int(index), str(index)),
            **dict(zip(_AP_KEYS, values[:4], strict=True)),
            "instances": int(counts[int(index)]) if counts is not None else None,
        }
        if len(values) >= 8:
            entry["mask"] = dict(zip(_AP_KEYS, values[4:8], strict=True))
        per_class.append(entry)
    return per_class


_AP_KEYS = ("precision", "recall", "mAP50", "mAP50-95")


def _per_class_confusion(confusion: dict[str, Any] | None) -> list[dict[str, Any]]:
    if confusion is None:
        return []
    matrix: list[list[int]] = confusion["matrix"]
    per_class = []
    names: list[str] = confusion["names"]
    for index in range(min(len(matrix), len(names))):
        right = matrix[index][index]
        predicted = sum(matrix[index])
        actual = sum(row[index] for row in matrix)
        if not actual:
            continue  # not in the val split: nothing measured
        per_class.append(
            {
                "classIndex": index,
                "name": names[index],
                "precision": right / predicted if predicted else 0.0,
                "recall": right / actual,  # this class's top-1 accuracy
                "instances": actual,
            }
        )
    return per_class


def _confusion(matrix: Any, names: dict[int, str]) -> dict[str, Any] | None:
    # Ultralytics fills the matrix only while plotting; an all-zero one says nothing.
    values = getattr(matrix, "matrix", None)
    if values is None or not float(values.sum()):
        return None
    labels = [names.get(i, str(i)) for i in range(len(names))]
    if len(values) == len(names) + 1:  # detect and segment: missed and spurious objects
        labels.append("background")
    return {"names": labels, "matrix": [[round(float(v)) for v in row] for row in values]}


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def run_files(run_dir: Path) -> list[Path]:
    """results.csv and the plots of a run folder, as files the server accepts as artifacts."""
    files = []
    csv = run_dir / "results.csv"
    if csv.is_file():
        files.append(csv)
    plots = sorted(
        path
        for path in run_dir.iterdir()
        if path.suffix in PLOT_SUFFIXES and re.fullmatch(ARTIFACT_NAME, path.name)
    )
    if len(plots) > MAX_PLOTS:
        log.warning("%d plots in %s; uploading the first %d", len(plots), run_dir, MAX_PLOTS)
    return files + plots[:MAX_PLOTS]
