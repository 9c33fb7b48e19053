"""The contract mirror parses the shared examples as zod does, and rejects what zod rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from loupe_runner import contract, ultralytics_env

EXAMPLES = Path(__file__).resolve().parents[2] / "test" / "contract" / "examples.json"

# Each key of examples.json is the name of a zod schema exported by server/contract.
MODELS: dict[str, type[BaseModel]] = {
    "LeaseRequest": contract.LeaseRequest,
    "CreateJobRequest": contract.JobConfig,
    "Hyperparameters": contract.Hyperparameters,
    "Lease": contract.Lease,
    "Checkpoint": contract.Checkpoint,
    "HeartbeatRequest": contract.HeartbeatRequest,
    "RunnerHealth": contract.RunnerHealth,
    "RunnerEventsRequest": contract.RunnerEventsRequest,
    "JobProgress": contract.JobProgress,
    "DatasetManifest": contract.DatasetManifest,
    "ModelMetadata": contract.ModelMetadata,
    "CompleteJobRequest": contract.CompleteJobRequest,
    "FailJobRequest": contract.FailJobRequest,
    "ApiError": contract.ApiError,
    "CreateExternalRunRequest": contract.ExternalRunConfig,
    "ExternalRunEventsRequest": contract.ExternalRunEventsRequest,
    "FinishExternalRunRequest": contract.FinishCompleted,
    "PretrainedFetch": contract.PretrainedFetch,
}


def examples() -> dict[str, Any]:
    return dict(json.loads(EXAMPLES.read_text(encoding="utf-8")))


def test_every_example_has_a_model() -> None:
    assert set(examples()) == set(MODELS)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_example_parses_and_round_trips(name: str) -> None:
    value = examples()[name]
    parsed = MODELS[name].model_validate(value)
    # camelCase out, exactly the keys that came in: the aliases match the TypeScript names.
    assert parsed.model_dump(mode="json") == value


def test_runner_events_cover_every_type() -> None:
    events = examples()["RunnerEventsRequest"]["events"]
    parsed = [contract.RUNNER_EVENT.validate_python(event) for event in events]
    assert [type(event) for event in parsed] == [
        contract.StatusEvent,
        contract.ProgressEvent,
        contract.EpochEvent,
        contract.NoticeEvent,
    ]


TRIANGLE = [[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]]


def _manifest(**image: Any) -> dict[str, Any]:
    base = {
        "sha256": "a" * 64,
        "fileName": "a.jpg",
        "width": 10,
        "height": 10,
        "boxes": [{"classIndex": 0, "x": 0.1, "y": 0.1, "w": 0.5, "h": 0.5}],
    }
    return {"name": "d", "classes": ["card"], "images": [{**base, **image}]}


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ({"boxes": [{"classIndex": 0, "x": 1.6, "y": 0, "w": 0.5, "h": 0.5}]}, "an image past"),
        ({"boxes": [{"classIndex": 0, "x": -1.1, "y": 0, "w": 0.5, "h": 0.5}]}, "greater than or"),
        ({"boxes": [{"classIndex": 1, "x": 0, "y": 0, "w": 0.5, "h": 0.5}]}, "does not exist"),
        ({"boxes": [{"classIndex": 0, "x": 0, "y": 0, "w": 0, "h": 0.5}]}, "greater than 0"),
        ({"sha256": "A" * 64}, "pattern"),
        ({"width": "10"}, "valid integer"),
        ({"polygons": [{"classIndex": 1, "points": TRIANGLE}]}, r"polygons\[0\]: class 1 does"),
        ({"imageClass": 1}, r"imageClass: class 1 does not exist"),
        ({"imageClass": -1}, "greater than or equal to 0"),
        ({"polygons": [{"classIndex": 0, "points": TRIANGLE[:2]}]}, "at least 3 items"),
        ({"polygons": [{"classIndex": 0, "points": [[0, 0], [2.1, 0], [0, 1]]}]}, "less than"),
        ({"polygons": [{"classIndex": 0, "points": [[0, 0, 0], [1, 0], [0, 1]]}]}, "at most 2"),
        ({"polygons": [{"classIndex": 0, "points": [[0.1, 0.1]] * 1001}]}, "at most 1000"),
    ],
)
def test_manifest_rejects_what_zod_rejects(image: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        contract.DatasetManifest.model_validate(_manifest(**image))


def test_polygons_image_class_and_task_are_optional_and_left_out_when_absent() -> None:
    plain = contract.DatasetManifest.model_validate(_manifest())
    assert plain.task is None and plain.images[0].polygons is None
    assert plain.images[0].image_class is None
    assert plain.wire() == _manifest()  # a detect-only manifest is what it was before
    labelled = _manifest(polygons=[{"classIndex": 0, "points": TRIANGLE}], imageClass=0)
    for task in ("classify", "detect", "segment"):
        manifest = contract.DatasetManifest.model_validate({**labelled, "task": task})
        assert manifest.wire() == {**labelled, "task": task}
    with pytest.raises(ValidationError):
        contract.DatasetManifest.model_validate({**labelled, "task": "pose"})
    # A vertex outside the image passes, as a box crossing the edge does: labels are kept as
    # the user gave them, and the runner changes only what Ultralytics would refuse.
    past = [[-5e-7, 0], [1 + 5e-7, 0], [0.5, 1.5]]
    contract.DatasetManifest.model_validate(_manifest(polygons=[{"classIndex": 0, "points": past}]))


def test_boxes_past_the_edge_and_trimmed_unique_classes() -> None:
    for box in (
        {"classIndex": 0, "x": 0.5, "y": 0, "w": 0.5000005, "h": 1},  # a rounding hair
        {"classIndex": 0, "x": -0.04, "y": 0.9, "w": 0.2, "h": 0.3},  # well past two edges
        {"classIndex": 0, "x": -1, "y": -1, "w": 3, "h": 3},  # at the contract's limits
    ):
        manifest = contract.DatasetManifest.model_validate(_manifest(boxes=[box]))
        assert manifest.images[0].boxes[0].wire() == box  # kept exactly as given
    manifest = contract.DatasetManifest.model_validate({**_manifest(), "classes": [" card "]})
    assert manifest.classes == ["card"]
    with pytest.raises(ValidationError, match="unique"):
        contract.DatasetManifest.model_validate({**_manifest(), "classes": ["a", "a"]})


def test_metrics_must_be_finite() -> None:
    with pytest.raises(ValidationError):
        contract.EpochEvent(epoch=1, metrics={"train/box_loss": float("nan")})
    with pytest.raises(ValidationError):
        contract.EpochEvent(epoch=0, metrics={})


def test_job_config_defaults_and_limits() -> None:
    config = contract.JobConfig.model_validate({"datasetVersionId": "b" * 64, "task": "detect"})
    assert (config.model, config.epochs, config.imgsz, config.batch) == ("yolo11n", 10, 320, 8)
    assert (config.seed, config.val_fraction) == (0, 0.2)
    with pytest.raises(ValidationError, match="multiple of 32"):
        contract.JobConfig.model_validate({**config.wire(), "imgsz": 100})
    for task in ("classify", "detect", "segment"):
        assert contract.JobConfig.model_validate({**config.wire(), "task": task}).task == task
    with pytest.raises(ValidationError):
        contract.JobConfig.model_validate({**config.wire(), "task": "pose"})


@pytest.mark.parametrize("family", ["yolo11", "yolov8"])
def test_every_size_of_both_families_is_an_architecture(family: str) -> None:
    base = {"datasetVersionId": "b" * 64, "task": "detect"}
    for size in "nsmlx":
        config = contract.JobConfig.model_validate({**base, "model": f"{family}{size}"})
        assert config.model == f"{family}{size}"
    for bad in (f"{family}z", f"{family}n-seg", "yolo12n"):
        with pytest.raises(ValidationError):
            contract.JobConfig.model_validate({**base, "model": bad})


def test_new_job_fields_default_as_zod_does() -> None:
    config = contract.JobConfig.model_validate({"datasetVersionId": "b" * 64, "task": "detect"})
    assert config.checkpoint_every == 5 and config.hyperparameters.ultralytics_args() == {}
    wire = config.wire()
    assert wire["hyperparameters"] == {} and wire["checkpointEvery"] == 5
    lease = examples()["Lease"]
    del lease["checkpoint"]
    assert contract.Lease.model_validate(lease).checkpoint is None


def test_auto_batch_is_ultralytics_minus_one() -> None:
    config = contract.JobConfig.model_validate(examples()["CreateJobRequest"])
    assert config.batch == "auto" and config.ultralytics_batch == -1
    assert contract.JobConfig.model_validate({**config.wire(), "batch": 16}).ultralytics_batch == 16
    for bad in ("16", 0, "max"):
        with pytest.raises(ValidationError):
            contract.JobConfig.model_validate({**config.wire(), "batch": bad})


def test_hyperparameters_map_to_ultralytics_names_and_only_those_given(workdir: Path) -> None:
    given = contract.Hyperparameters.model_validate(
        examples()["CreateJobRequest"]["hyperparameters"]
    )
    args = given.ultralytics_args()
    assert args["weight_decay"] == 0.0005 and args["warmup_epochs"] == 3
    assert args["hsv_h"] == 0.015 and args["close_mosaic"] == 10 and args["optimizer"] == "SGD"
    # Every name is an argument Ultralytics' train accepts.
    defaults = ultralytics_env.load(workdir).utils.DEFAULT_CFG_DICT
    assert set(args) <= set(defaults) and len(args) == 17
    partial = contract.Hyperparameters.model_validate({"lr0": 0.002, "closeMosaic": 0})
    assert partial.ultralytics_args() == {"lr0": 0.002, "close_mosaic": 0}
    assert partial.wire() == {"lr0": 0.002, "closeMosaic": 0}


@pytest.mark.parametrize(
    "hyperparameters",
    [{"learningRate": 0.1}, {"lr0": 0}, {"optimizer": "Lion"}, {"freeze": 31}, {"patience": 1.5}],
)
def test_hyperparameters_refuse_what_zod_refuses(hyperparameters: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        contract.Hyperparameters.model_validate(hyperparameters)


def test_artifact_names_are_plain_files() -> None:
    name: TypeAdapter[str] = TypeAdapter(contract.ArtifactName)
    for good in ("best.pt", "validation.json", "BoxPR_curve.png", "model-fp16.onnx", "results.csv"):
        assert name.validate_python(good) == good
    for bad in ("../escape.json", ".hidden.png", "model.exe", "a/b.png", "x" * 82 + ".png"):
        with pytest.raises(ValidationError):
            name.validate_python(bad)


def test_base_weights_are_a_model_version_or_a_pinned_upload() -> None:
    config = examples()["CreateJobRequest"]
    for base in ({"kind": "url", "url": "https://x"}, {"kind": "uploaded", "sha256": "A" * 64}):
        with pytest.raises(ValidationError):
            contract.JobConfig.model_validate({**config, "baseWeights": base})
    plain = {key: value for key, value in config.items() if key != "baseWeights"}
    assert contract.JobConfig.model_validate(plain).wire() == plain  # absent stays absent


def test_a_pretrained_start_is_an_official_file_name() -> None:
    config = examples()["CreateJobRequest"]
    base = {"kind": "pretrained", "name": "yolo26m-obb.pt"}
    parsed = contract.JobConfig.model_validate({**config, "baseWeights": base})
    assert isinstance(parsed.base_weights, contract.PretrainedWeights)
    assert parsed.wire()["baseWeights"] == base
    for bad in ("yolo11n.yaml", "../yolo11n.pt", "yolo11z.pt", "yolo11n-det.pt", "yolov5n.pt"):
        with pytest.raises(ValidationError):
            contract.JobConfig.model_validate({**config, "baseWeights": {**base, "name": bad}})
