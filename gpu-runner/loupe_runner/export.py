"""ONNX export, checked the way a browser will use it, plus the metadata.json that travels with it.

The exported file is opened again before anything is uploaded: its description metadata is
rewritten (Ultralytics puts the training machine's data.yaml path there), and onnxruntime must
load it and run it on a zero image with the shapes the metadata promises.
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime  # type: ignore[import-untyped, unused-ignore]  # ships no types
from torch.jit._trace import TracerWarning  # torch.jit re-exports it, but not for mypy

from loupe_runner import ultralytics_env
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
    weights: Path, imgsz: int, dest: Path, workdir: Path, architecture: str
) -> ExportedModel:
    """Exports `weights` to `dest` (model.onnx) and checks the result."""
    ultralytics = ultralytics_env.load(workdir)
    model = ultralytics.YOLO(str(weights))
    with warnings.catch_warnings():
        # torch's legacy TorchScript exporter (the one Ultralytics uses) warns about itself and
        # about tracing the head's shape check; both are expected and only clutter the log.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", TracerWarning)
        exported = Path(
            model.export(format="onnx", opset=OPSET, imgsz=imgsz, dynamic=False, simplify=False)
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(exported, dest)
    names = model.names
    class_names = [str(names[i]) for i in sorted(names)]
    task = str(model.task)
    _neutralise_description(dest, f"Loupe {architecture} {task} model ({len(class_names)} classes)")
    input_name, input_shape, output_names, output_shapes = _check_runs(dest)
    if task == "detect" and (
        len(output_shapes) != 1
        or len(output_shapes[0]) != 3
        or output_shapes[0][:2] != [1, 4 + len(class_names)]
    ):
        raise ExportError(
            f"The exported model's output has shape {output_shapes}, not [1, {4 + len(class_names)}"
            ", N] as a detector with these classes must. Report this with the runner's log."
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
        outputs = session.run(None, {inputs[0].name: np.zeros(shape, dtype=np.float32)})
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
