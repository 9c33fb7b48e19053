"""ONNX export, checked the way a browser will use it, plus the metadata.json that travels with it.

The exported file is opened again before anything is uploaded: its description metadata is
rewritten (Ultralytics puts the training machine's data.yaml path there), and onnxruntime must
load it and run it on a zero image with the shapes the metadata promises.
"""

from __future__ import annotations

import shutil
import statistics
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime  # type: ignore[import-untyped, unused-ignore]  # ships no types
from torch.jit._trace import TracerWarning  # torch.jit re-exports it, but not for mypy

from loupe_runner import safe_weights, ultralytics_env
from loupe_runner.contract import ModelMetadata
from loupe_runner.errors import ExportError

OPSET = 17


@dataclass(frozen=True)
class ExportedModel:
    path: Path
    task: str
    class_names: list[str]
    imgsz: int
    stride: int
    input_name: str
    input_shape: list[int]
    output_names: list[str]
    output_shapes: list[list[int]]
    ultralytics_version: str


def export_onnx(
    weights: Path,
    imgsz: int,
    dest: Path,
    workdir: Path,
    architecture: str,
    *,
    half: bool = False,
    device: str = "cpu",
) -> ExportedModel:
    """Exports `weights` to `dest` (model.onnx) and checks the result. `half` (fp16) needs a CUDA
    `device`: Ultralytics exports fp16 only from a GPU."""
    ultralytics = ultralytics_env.load(workdir)
    safe_weights.verify(weights)  # refused before Ultralytics opens it
    model = ultralytics.YOLO(str(weights))
    options: dict[str, Any] = {"half": True, "device": device} if half else {}
    with warnings.catch_warnings():
        # torch's legacy TorchScript exporter (the one Ultralytics uses) warns about itself and
        # about tracing the head's shape check; both are expected and only clutter the log.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", TracerWarning)
        exported = Path(
            model.export(
                format="onnx", opset=OPSET, imgsz=imgsz, dynamic=False, simplify=False, **options
            )
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(exported, dest)
    names = model.names
    class_names = [str(names[i]) for i in sorted(names)]
    task = str(model.task)
    _neutralise_description(dest, f"Loupe {architecture} {task} model ({len(class_names)} classes)")
    input_name, input_shape, output_names, output_shapes = _check_runs(dest)
    expected = expected_outputs(task, len(class_names), imgsz)
    if not _shapes_match(output_shapes, expected):
        raise ExportError(
            f"The exported model's outputs have shapes {output_shapes}, not {expected} (N: any "
            f"number) as a {task} model with these classes must. Report this with the runner's log."
        )
    return ExportedModel(
        path=dest,
        task=task,
        class_names=class_names,
        imgsz=imgsz,
        stride=int(max(float(s) for s in model.model.stride)),
        input_name=input_name,
        input_shape=input_shape,
        output_names=output_names,
        output_shapes=output_shapes,
        ultralytics_version=str(ultralytics.__version__),
    )


# Mask prototypes per segment model (Ultralytics' Segment head) and their resolution divisor.
MASK_PROTOTYPES = 32
MASK_STRIDE = 4


def expected_outputs(task: str, classes: int, imgsz: int) -> list[list[int | str]]:
    """What each task's ONNX must put out; "N" is the number of anchors (depends on imgsz).

    detect:   [1, 4 + classes, N]                 boxes and class scores per anchor
    segment:  [1, 4 + classes + 32, N] and        the same plus 32 mask coefficients, and the
              [1, 32, imgsz/4, imgsz/4]           mask prototypes they weigh
    classify: [1, classes]                        class probabilities
    """
    if task == "classify":
        return [[1, classes]]
    if task == "segment":
        side = imgsz // MASK_STRIDE
        return [[1, 4 + classes + MASK_PROTOTYPES, "N"], [1, MASK_PROTOTYPES, side, side]]
    return [[1, 4 + classes, "N"]]


def _shapes_match(actual: list[list[int]], expected: list[list[int | str]]) -> bool:
    if len(actual) != len(expected):
        return False
    for shape, pattern in zip(actual, expected, strict=True):
        if len(shape) != len(pattern):
            return False
        bound: dict[str, int] = {}
        for dim, want in zip(shape, pattern, strict=True):
            if isinstance(want, str):
                if bound.setdefault(want, dim) != dim:
                    return False  # one name, one size
            elif dim != want:
                return False
    return True


def build_metadata(
    model: ExportedModel,
    *,
    architecture: str,
    epochs: int,
    dataset_version_id: str,
    job_id: str,
    metrics: dict[str, float],
) -> ModelMetadata:
    return ModelMetadata.model_validate(
        {
            "task": model.task,
            "classNames": model.class_names,
            "imgsz": model.imgsz,
            "stride": model.stride,
            "inputName": model.input_name,
            "inputShape": model.input_shape,
            "outputNames": model.output_names,
            "outputShapes": model.output_shapes,
            "architecture": architecture,
            "ultralyticsVersion": model.ultralytics_version,
            "epochs": epochs,
            "datasetVersionId": dataset_version_id,
            "jobId": job_id,
            "metrics": metrics,
        }
    )


def _neutralise_description(path: Path, description: str) -> None:
    graph = onnx.load(str(path))
    for prop in graph.metadata_props:
        if prop.key == "description":
            prop.value = description
    onnx.save(graph, str(path))


def _check_runs(path: Path) -> tuple[str, list[int], list[str], list[list[int]]]:
    """Loads the file in onnxruntime on the CPU, as a browser would, and runs a zero image."""
    try:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        inputs = session.get_inputs()
        if len(inputs) != 1:
            raise ExportError(f"the model has {len(inputs)} inputs, expected one image input")
        shape = [_dim(d, inputs[0].name) for d in inputs[0].shape]
        zeros = np.zeros(shape, dtype=_input_dtype(inputs[0].type))
        outputs = session.run(None, {inputs[0].name: zeros})
    except ExportError:
        raise
    except Exception as error:  # onnxruntime raises its own untyped errors
        raise ExportError(
            f"The exported ONNX model does not load or run in onnxruntime ({error}). "
            "Start the job again; if it fails the same way, report it with the runner's log."
        ) from error
    declared = [[_dim(d, o.name) for d in o.shape] for o in session.get_outputs()]
    actual = [list(np.asarray(o).shape) for o in outputs]
    if declared != actual:
        raise ExportError(
            f"The exported model declares outputs {declared} but produced {actual}. "
            "Report this with the runner's log."
        )
    return inputs[0].name, shape, [o.name for o in session.get_outputs()], declared


def _dim(value: object, name: str) -> int:
    # Exported with dynamic=False, so every dimension must be a number the browser can rely on.
    if not isinstance(value, int):
        raise ExportError(f"the model's {name} has a dynamic dimension {value!r}; expected fixed")
    return value


def _input_dtype(onnx_type: str) -> type[np.floating[Any]]:
    # An fp16 export takes half-precision images.
    return np.float16 if onnx_type == "tensor(float16)" else np.float32


def benchmark_onnx(path: Path, runs: int = 10, warmup: int = 2) -> dict[str, object]:
    """Inference time of the exported file in onnxruntime on this runner, on a random image at
    the model's own input size: the median (and spread) of `runs` timed runs after `warmup`."""
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    first = session.get_inputs()[0]
    shape = [_dim(d, first.name) for d in first.shape]
    image = np.random.default_rng(0).random(shape).astype(_input_dtype(first.type))
    for _ in range(warmup):
        session.run(None, {first.name: image})
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        session.run(None, {first.name: image})
        times.append((time.perf_counter() - started) * 1000)
    return {
        "file": path.name,
        "provider": "CPUExecutionProvider",
        "onnxruntimeVersion": str(onnxruntime.__version__),
        "inputShape": shape,
        "runs": runs,
        "medianMs": round(statistics.median(times), 3),
        "minMs": round(min(times), 3),
        "maxMs": round(max(times), 3),
    }
