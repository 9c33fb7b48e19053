"""The contract mirror parses the shared examples as zod does, and rejects what zod rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from loupe_runner import contract

EXAMPLES = Path(__file__).resolve().parents[2] / "test" / "contract" / "examples.json"

# Each key of examples.json is the name of a zod schema exported by server/contract.
MODELS: dict[str, type[BaseModel]] = {
    "LeaseRequest": contract.LeaseRequest,
    "Lease": contract.Lease,
    "RunnerEventsRequest": contract.RunnerEventsRequest,
    "JobProgress": contract.JobProgress,
    "DatasetManifest": contract.DatasetManifest,
    "ModelMetadata": contract.ModelMetadata,
    "CompleteJobRequest": contract.CompleteJobRequest,
    "FailJobRequest": contract.FailJobRequest,
    "ApiError": contract.ApiError,
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
    ]


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
        ({"boxes": [{"classIndex": 0, "x": 0.6, "y": 0, "w": 0.5, "h": 0.5}]}, "outside the image"),
        ({"boxes": [{"classIndex": 1, "x": 0, "y": 0, "w": 0.5, "h": 0.5}]}, "does not exist"),
        ({"boxes": [{"classIndex": 0, "x": 0, "y": 0, "w": 0, "h": 0.5}]}, "greater than 0"),
        ({"sha256": "A" * 64}, "pattern"),
        ({"width": "10"}, "valid integer"),
    ],
)
def test_manifest_rejects_what_zod_rejects(image: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        contract.DatasetManifest.model_validate(_manifest(**image))


def test_edge_tolerance_and_trimmed_unique_classes() -> None:
    touching = {"boxes": [{"classIndex": 0, "x": 0.5, "y": 0, "w": 0.5000005, "h": 1}]}
    contract.DatasetManifest.model_validate(_manifest(**touching))
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
    with pytest.raises(ValidationError, match="only detect"):
        contract.JobConfig.model_validate({**config.wire(), "task": "segment"})
