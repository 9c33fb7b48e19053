"""The exported ONNX is what a browser can use, carries no path of this machine, and its
metadata validates against the contract."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime
from support import IMGSZ, Trained

from loupe_runner.contract import ModelMetadata
from loupe_runner.export import ExportedModel, _shapes_match, build_metadata, expected_outputs

# Anchors at strides 8, 16 and 32.
ANCHORS = sum((IMGSZ // s) ** 2 for s in (8, 16, 32))


def test_output_is_one_by_four_plus_classes_by_anchors(
    exported: tuple[ExportedModel, list[str]],
) -> None:
    model, _ = exported
    assert model.input_name == "images" and model.input_shape == [1, 3, IMGSZ, IMGSZ]
    assert model.output_shapes == [[1, 4 + len(model.class_names), ANCHORS]]
    assert model.stride == 32 and model.task == "detect" and model.class_names == ["card"]


def test_loads_and_runs_in_onnxruntime(exported: tuple[ExportedModel, list[str]]) -> None:
    model, _ = exported
    session = onnxruntime.InferenceSession(str(model.path), providers=["CPUExecutionProvider"])
    image = np.random.default_rng(0).random((1, 3, IMGSZ, IMGSZ), dtype=np.float32)
    (output,) = session.run(None, {model.input_name: image})
    assert list(output.shape) == model.output_shapes[0]


def test_metadata_props_hold_no_path_of_the_training_machine(
    exported: tuple[ExportedModel, list[str]], trained: Trained
) -> None:
    model, _ = exported
    props = {p.key: p.value for p in onnx.load(str(model.path)).metadata_props}
    assert props["description"] == "Loupe yolo11n detect model (1 classes)"
    for value in props.values():
        assert str(trained.dataset.root) not in value and "data.yaml" not in value
        assert "/tmp" not in value and str(model.path.parent.parent) not in value


def test_metadata_validates_against_the_contract(
    exported: tuple[ExportedModel, list[str]], trained: Trained
) -> None:
    model, _ = exported
    metadata = build_metadata(
        model,
        architecture="yolo11n",
        epochs=trained.result.epochs,
        dataset_version_id="c" * 64,
        job_id="job-1",
        metrics=trained.result.metrics,
    )
    wire = json.loads(json.dumps(metadata.wire()))
    assert ModelMetadata.model_validate(wire) == metadata
    assert wire["outputShapes"] == [[1, 5, ANCHORS]] and wire["ultralyticsVersion"] == "8.4.190"


def test_export_never_touches_the_network(exported: tuple[ExportedModel, list[str]]) -> None:
    assert exported[1] == []


def test_each_task_s_output_shapes_are_checked() -> None:
    assert expected_outputs("detect", 2, 64) == [[1, 6, "N"]]
    assert expected_outputs("segment", 2, 64) == [[1, 38, "N"], [1, 32, 16, 16]]
    assert expected_outputs("classify", 3, 32) == [[1, 3]]
    assert _shapes_match([[1, 38, 84], [1, 32, 16, 16]], expected_outputs("segment", 2, 64))
    assert not _shapes_match([[1, 38, 84]], expected_outputs("segment", 2, 64))
    assert not _shapes_match([[1, 6, 84], [1, 32, 16, 16]], expected_outputs("segment", 2, 64))
    assert not _shapes_match([[1, 2]], expected_outputs("classify", 3, 32))
    assert _shapes_match([[1, 5, 2100]], expected_outputs("detect", 1, 320))
