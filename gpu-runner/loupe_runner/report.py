"""What the job page shows about a finished model besides its epochs: validation.json and the files
Ultralytics wrote (plots, results.csv), gathered for upload.

validation.json comes from the final validation (best.pt on the val split), read from the metrics
object Ultralytics' validator leaves behind rather than parsed from its log:

    {"metrics": {"metrics/mAP50(B)": ...},                     the overall numbers
     "perClass": [{"classIndex", "name", "precision", "recall", "mAP50", "mAP50-95", "instances"}],
     "confusionMatrix": {"names": [..., "background"], "matrix": [[...]]} | null,
                        rows are the predicted class, columns the true class (Ultralytics' layout)
     "speedMs": {"preprocess", "inference", "postprocess"},    per image, on the runner
     "onnxBenchmark": {...} | null}                            see export.benchmark_onnx
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

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
    names = {int(k): str(v) for k, v in dict(getattr(metrics, "names", {}) or {}).items()}
    counts = getattr(metrics, "nt_per_class", None)
    per_class = []
    for i, index in enumerate(getattr(metrics, "ap_class_index", [])):
        precision, recall, map50, map50_95 = (float(v) for v in metrics.class_result(i))
        per_class.append(
            {
                "classIndex": int(index),
                "name": names.get(int(index), str(index)),
                "precision": _number(precision),
                "recall": _number(recall),
                "mAP50": _number(map50),
                "mAP50-95": _number(map50_95),
                "instances": int(counts[int(index)]) if counts is not None else None,
            }
        )
    speed = dict(getattr(metrics, "speed", {}) or {})
    return {
        "metrics": {k: _number(float(v)) for k, v in dict(metrics.results_dict).items()},
        "perClass": per_class,
        "confusionMatrix": _confusion(getattr(metrics, "confusion_matrix", None), names),
        "speedMs": {
            key: _number(float(speed.get(key, 0.0)))
            for key in ("preprocess", "inference", "postprocess")
        }
        if speed
        else None,
    }


def _confusion(matrix: Any, names: dict[int, str]) -> dict[str, Any] | None:
    # Ultralytics fills the matrix only while plotting; an all-zero one says nothing.
    values = getattr(matrix, "matrix", None)
    if values is None or not float(values.sum()):
        return None
    labels = [names.get(i, str(i)) for i in range(len(names))] + ["background"]
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
