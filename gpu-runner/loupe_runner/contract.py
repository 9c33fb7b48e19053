"""The runner's side of the one contract: pydantic mirrors of the zod schemas in server/contract/.

Names, strings and limits follow the TypeScript exactly (camelCase on the wire, snake_case in
Python), and test/contract/examples.json is parsed by both sides, so a drift fails a test.
Models are strict (no "3" for 3) because zod does not coerce either; unknown keys are ignored,
as zod strips them, so a newer server does not break an older runner.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    StringConstraints,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

# --- common.ts ---------------------------------------------------------------------------------

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Task = Literal["classify", "detect", "segment"]
SplitName = Literal["train", "val", "test"]  # split.ts


class _Wire(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        strict=True,
        frozen=True,
    )

    def wire(self) -> dict[str, object]:
        """The JSON-ready dict the server expects (camelCase)."""
        return self.model_dump(mode="json")


def _absent(value: object) -> bool:
    return value is None


# zod's `.optional()`: the key may be missing but is never null, so None is left out on output.
# (Nullable fields such as Job.progress are kept, as null.)
def _optional(**constraints: Any) -> Any:
    return Field(default=None, exclude_if=_absent, **constraints)


class ApiErrorBody(_Wire):
    code: str
    message: str
    hint: str | None = _optional()
    details: object | None = _optional()


class ApiError(_Wire):
    error: ApiErrorBody


# --- dataset.ts --------------------------------------------------------------------------------

# How far past an image edge a label may reach, in image sizes (LABEL_REACH in dataset.ts). A
# user's label that crosses the edge is kept as given: Ultralytics trains on it within its own
# tolerance, and materialise clips only what Ultralytics would refuse (see yolo_labels). Beyond
# a whole image past the edge a number is no normalised coordinate at all.
LABEL_REACH = 1.0


class Box(_Wire):
    """Normalised to the image: (x, y) is the top-left corner, w/h the size."""

    class_index: int = Field(ge=0)
    x: float = Field(ge=-LABEL_REACH)
    y: float = Field(ge=-LABEL_REACH)
    w: float = Field(gt=0)
    h: float = Field(gt=0)

    @model_validator(mode="after")
    def _near(self) -> Box:
        if self.x + self.w > 1 + LABEL_REACH or self.y + self.h > 1 + LABEL_REACH:
            raise ValueError(
                "box reaches more than an image past the edge (x + w and y + h must be at most 2)"
            )
        return self


# A polygon vertex coordinate: as far past the edge as a box may reach.
Coordinate = Annotated[float, Field(ge=-LABEL_REACH, le=1 + LABEL_REACH)]
# zod's z.tuple([x, y]); a list here because strict pydantic takes no list for a tuple.
Point = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]


class Polygon(_Wire):
    """An outline (segment task), normalised, vertices in drawing order, not closed."""

    class_index: int = Field(ge=0)
    points: list[Point] = Field(min_length=3, max_length=1000)


class ManifestImage(_Wire):
    sha256: Sha256
    file_name: str = Field(min_length=1, max_length=255)
    width: int = Field(gt=0, le=20_000)
    height: int = Field(gt=0, le=20_000)
    boxes: list[Box] = Field(max_length=1000)
    # Added after version 1 of the manifest; absent (never empty) when they hold nothing.
    polygons: list[Polygon] | None = _optional(max_length=1000)
    image_class: int | None = _optional(ge=0)  # the image-level class (classify)
    split: SplitName | None = _optional()  # the split it is pinned to; None: chosen by its hash


ClassName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class DatasetManifest(_Wire):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    classes: list[ClassName] = Field(min_length=1, max_length=1000)
    task: Task | None = _optional()  # what the labels are for; absent means detect
    images: list[ManifestImage] = Field(max_length=100_000)

    @field_validator("classes")
    @classmethod
    def _unique(cls, names: list[str]) -> list[str]:
        if len(set(names)) != len(names):
            raise ValueError("class names must be unique")
        return names

    @model_validator(mode="after")
    def _known_classes(self) -> DatasetManifest:
        for i, image in enumerate(self.images):
            labels = [(f"boxes[{j}]", box.class_index) for j, box in enumerate(image.boxes)]
            labels += [
                (f"polygons[{j}]", p.class_index) for j, p in enumerate(image.polygons or [])
            ]
            if image.image_class is not None:
                labels.append(("imageClass", image.image_class))
            for where, class_index in labels:
                if class_index >= len(self.classes):
                    raise ValueError(
                        f"images[{i}].{where}: class {class_index} does not exist "
                        f"(the dataset has {len(self.classes)})"
                    )
        return self


# --- job.ts ------------------------------------------------------------------------------------

# Built from Ultralytics' YAML (the scale letter picks the size), so nothing is downloaded.
ModelArchitecture = Literal[
    "yolo11n",
    "yolo11s",
    "yolo11m",
    "yolo11l",
    "yolo11x",
    "yolov8n",
    "yolov8s",
    "yolov8m",
    "yolov8l",
    "yolov8x",
]
JobStatus = Literal[
    "queued", "preparing", "training", "exporting", "completed", "failed", "cancelled"
]


Optimizer = Literal["auto", "SGD", "Adam", "AdamW", "NAdam", "RAdam", "RMSProp"]


class Hyperparameters(_Wire):
    """Ultralytics settings a user may change; what is left out keeps Ultralytics' default."""

    # zod's .strict(): a misspelt setting is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid")

    optimizer: Optimizer | None = _optional()
    lr0: float | None = _optional(gt=0, le=1)
    lrf: float | None = _optional(gt=0, le=1)
    momentum: float | None = _optional(ge=0, le=1)
    weight_decay: float | None = _optional(ge=0, le=0.1)
    warmup_epochs: float | None = _optional(ge=0, le=50)
    patience: int | None = _optional(ge=1, le=1000)
    mosaic: float | None = _optional(ge=0, le=1)
    mixup: float | None = _optional(ge=0, le=1)
    fliplr: float | None = _optional(ge=0, le=1)
    flipud: float | None = _optional(ge=0, le=1)
    hsv_h: float | None = _optional(ge=0, le=1)
    hsv_s: float | None = _optional(ge=0, le=1)
    hsv_v: float | None = _optional(ge=0, le=1)
    degrees: float | None = _optional(ge=0, le=180)
    close_mosaic: int | None = _optional(ge=0, le=1000)
    freeze: int | None = _optional(ge=0, le=30)

    def ultralytics_args(self) -> dict[str, object]:
        """Only the settings given, under Ultralytics' names (the snake_case field names)."""
        return self.model_dump(by_alias=False, exclude_none=True)


class ModelVersionWeights(_Wire):
    """Fine-tune from an earlier model version's best.pt (our runner wrote it)."""

    kind: Literal["model-version"] = "model-version"
    model_version_id: str = Field(min_length=1, max_length=100)


class UploadedWeights(_Wire):
    """Fine-tune from an uploaded .pt whose SHA-256 is on the server's allowlist."""

    kind: Literal["uploaded"] = "uploaded"
    sha256: Sha256


# Ultralytics' official file names (PRETRAINED_NAME in job.ts): family, scale, task suffix.
PretrainedName = Annotated[
    str,
    StringConstraints(pattern=r"^(yolov8|yolo11|yolo12|yolo26)[nsmlx](-seg|-cls|-pose|-obb)?\.pt$"),
]


class PretrainedWeights(_Wire):
    """Fine-tune from Ultralytics' official pretrained file of that name (yolo11n.pt, ...)."""

    kind: Literal["pretrained"] = "pretrained"
    name: PretrainedName


BaseWeights = Annotated[
    ModelVersionWeights | UploadedWeights | PretrainedWeights, Field(discriminator="kind")
]

# Which labels detect or segment learns from (AnnotationTypes in job.ts); classify ignores it.
AnnotationTypes = Literal["boxes", "outlines", "both"]

# Keys the runner adds to an epoch's Ultralytics metrics (EPOCH_TIME_KEY, GPU_MEMORY_KEY).
EPOCH_TIME_KEY = "time/epoch"
GPU_MEMORY_KEY = "gpu/mem_reserved_gb"


class JobConfig(_Wire):
    """CreateJobRequest after its defaults are applied (what a leased job carries)."""

    dataset_version_id: Sha256
    task: Task
    model: ModelArchitecture = "yolo11n"
    epochs: int = Field(default=10, ge=1, le=1000)
    imgsz: int = Field(default=320, ge=32, le=1280)
    # "auto" lets Ultralytics fit the batch to the GPU's memory (its batch=-1).
    batch: Annotated[int, Field(ge=1, le=256)] | Literal["auto"] = 8
    seed: int = Field(default=0, ge=0)
    val_fraction: float = Field(default=0.2, gt=0, lt=1)
    test_fraction: float = Field(default=0, ge=0, lt=1)  # 0: no test split
    stratify: bool = True
    annotation_types: AnnotationTypes = "both"
    checkpoint_every: int = Field(default=5, ge=1, le=100)
    hyperparameters: Hyperparameters = Field(default_factory=Hyperparameters)
    # Absent: a new model built from the architecture's YAML.
    base_weights: BaseWeights | None = _optional()

    @property
    def ultralytics_batch(self) -> int:
        return -1 if self.batch == "auto" else self.batch

    @field_validator("imgsz")
    @classmethod
    def _stride_multiple(cls, imgsz: int) -> int:
        if imgsz % 32:
            raise ValueError("image size must be a multiple of 32")
        return imgsz

    @model_validator(mode="after")
    def _settings_fit(self) -> JobConfig:
        # checkJobSettings in job.ts
        if self.val_fraction + self.test_fraction >= 1:
            raise ValueError(
                f"validation ({self.val_fraction}) and test ({self.test_fraction}) shares leave "
                "nothing to train on: together they must be below 1"
            )
        if self.task == "segment" and self.annotation_types == "boxes":
            raise ValueError(
                "segment learns outlines, and a box cannot become an outline: use outlines"
            )
        return self


class JobProgress(_Wire):
    epoch: int = Field(ge=0)
    epochs: int = Field(ge=1)
    batch: int = Field(ge=0)
    batches: int = Field(ge=0)
    eta_seconds: float | None = _optional(ge=0)  # from the trainer's own timing


class GpuHealth(_Wire):
    name: str
    utilization_percent: float | None = _optional(ge=0)
    memory_used_bytes: float | None = _optional(ge=0)
    memory_total_bytes: float | None = _optional(ge=0)
    temperature_c: float | None = _optional()


class RunnerHealth(_Wire):
    """What the runner's machine looks like while it trains, sent with every heartbeat."""

    runner_id: str
    device: str
    cpu_percent: float | None = _optional(ge=0)
    memory_used_bytes: float | None = _optional(ge=0)
    memory_total_bytes: float | None = _optional(ge=0)
    disk_free_bytes: float | None = _optional(ge=0)
    gpus: list[GpuHealth] = Field(default_factory=list)


class Job(_Wire):
    # A runner is only ever handed queued jobs (a run a script reports never is); defaulted so a
    # runner still reads an older server's jobs, which had no origin.
    origin: Literal["queue"] = "queue"
    id: str
    status: JobStatus
    config: JobConfig
    progress: JobProgress | None
    # Required (nullable) in zod; defaulted here so a runner still reads an older server's jobs.
    health: RunnerHealth | None = None
    checkpoint_epoch: int | None = None
    error: str | None
    model_version_id: str | None
    created_at: str
    updated_at: str
    # Required (nullable) in zod; defaulted so a runner still reads an older server's jobs.
    started_at: str | None = None
    finished_at: str | None = None


# --- model.ts ----------------------------------------------------------------------------------

# z.number() in zod 4 rejects NaN and Infinity, and JSON cannot carry them anyway.
Metrics = dict[str, FiniteFloat]


class ModelMetadata(_Wire):
    task: Task
    class_names: list[str] = Field(min_length=1)
    imgsz: int = Field(gt=0)
    stride: int = Field(gt=0)
    input_name: str
    input_shape: list[int]
    output_names: list[str] = Field(min_length=1)
    output_shapes: list[list[int]]
    architecture: str
    ultralytics_version: str
    epochs: int
    dataset_version_id: Sha256
    job_id: str
    metrics: Metrics


# --- runner.ts ---------------------------------------------------------------------------------

RunnerStatus = Literal["preparing", "training", "exporting"]
# Plain file names only: the server refuses anything else (ArtifactName in runner.ts).
ARTIFACT_NAME = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,80}\.(onnx|json|pt|png|jpg|csv)$"
ArtifactName = Annotated[str, StringConstraints(pattern=ARTIFACT_NAME)]
REQUIRED_ARTIFACTS = ("model.onnx", "metadata.json")
MAX_ARTIFACTS_PER_JOB = 40
LEASE_TOKEN_HEADER = "x-lease-token"


class LeaseRequest(_Wire):
    runner_id: str = Field(min_length=1, max_length=120)
    device: str | None = _optional(max_length=120)


class Checkpoint(_Wire):
    epoch: int = Field(ge=1)
    sha256: Sha256
    bytes: int = Field(gt=0)


class WeightsFile(_Wire):
    """A weights file the server resolved for a lease; fetched from /api/blobs/<sha256>."""

    sha256: Sha256
    bytes: int = Field(gt=0)


class JobSplit(_Wire):
    """Which photos (by SHA-256) a job trains, validates and tests on: fixed by the server when
    the job is created (server/contract/split.ts), so the runner never chooses them itself."""

    train: list[Sha256]
    val: list[Sha256]
    test: list[Sha256]


class PretrainedFetch(_Wire):
    """A pretrained start the server holds no copy of: the runner fetches the official file."""

    name: PretrainedName
    # The operator's pin (LOUPE_PRETRAINED_SHA256); None: the runner's first download decides.
    sha256: Sha256 | None = None


class Lease(_Wire):
    job: Job
    lease_token: str
    lease_seconds: int = Field(gt=0)
    # Set when an earlier runner left a checkpoint: resume from it, never from epoch 0.
    checkpoint: Checkpoint | None = None
    # The job's base weights, resolved by the server (only trusted files); None: built from YAML.
    base_weights: WeightsFile | None = None
    # The server's split; None only from a server older than this runner (it splits locally).
    split: JobSplit | None = None
    # A pretrained start the server has no copy of (base_weights is None then).
    pretrained: PretrainedFetch | None = None


class StatusEvent(_Wire):
    type: Literal["status"] = "status"
    status: RunnerStatus


class ProgressEvent(_Wire):
    type: Literal["progress"] = "progress"
    progress: JobProgress


class EpochEvent(_Wire):
    type: Literal["epoch"] = "epoch"
    epoch: int = Field(ge=1)
    metrics: Metrics


class NoticeEvent(_Wire):
    """Something the user should read on the job page (a resume, a smaller batch, a skip)."""

    type: Literal["notice"] = "notice"
    level: Literal["info", "warning"]
    message: str = Field(min_length=1, max_length=2000)


AnyRunnerEvent = StatusEvent | ProgressEvent | EpochEvent | NoticeEvent
RunnerEvent = Annotated[AnyRunnerEvent, Field(discriminator="type")]
RUNNER_EVENT: TypeAdapter[AnyRunnerEvent] = TypeAdapter(RunnerEvent)


class RunnerEventsRequest(_Wire):
    lease_token: str
    events: list[RunnerEvent] = Field(min_length=1, max_length=500)


class HeartbeatRequest(_Wire):
    lease_token: str
    health: RunnerHealth | None = _optional()


class CompleteJobRequest(_Wire):
    lease_token: str


class FailJobRequest(_Wire):
    lease_token: str
    error: str = Field(min_length=1, max_length=4000)


# --- run.ts: a training run started by hand reports itself (loupe_runner.report_run) -------------


class ExternalRunConfig(_Wire):
    """CreateExternalRunRequest: what the script trains, as it gave it to Ultralytics."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    task: Task
    model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    epochs: int = Field(ge=1, le=100_000)
    imgsz: int = Field(ge=1, le=100_000)


AnyReportEvent = ProgressEvent | EpochEvent | NoticeEvent
ReportEvent = Annotated[AnyReportEvent, Field(discriminator="type")]


class ExternalRunEventsRequest(_Wire):
    events: list[ReportEvent] = Field(min_length=1, max_length=500)


class FinishCompleted(_Wire):
    status: Literal["completed"] = "completed"
    metrics: Metrics | None = _optional()  # the final validation of best.pt


class FinishFailed(_Wire):
    status: Literal["failed"] = "failed"
    error: str = Field(min_length=1, max_length=4000)


FinishExternalRunRequest = Annotated[FinishCompleted | FinishFailed, Field(discriminator="status")]
FINISH_EXTERNAL_RUN: TypeAdapter[FinishCompleted | FinishFailed] = TypeAdapter(
    FinishExternalRunRequest
)


class RunReply(_Wire):
    """The run (a job) as the server answers a registration or a finish; only what is read."""

    id: str
    status: JobStatus


# Answers. The zod contract does not name these (docs/runner-protocol.md does), so they are
# lenient: only what the runner reads is required.


class HeartbeatReply(_Wire):
    lease_seconds: int = Field(gt=0)
    cancel_requested: bool = False


class EventsReply(_Wire):
    """Also the answer to a reported run's events (ExternalRunReply in run.ts)."""

    accepted: int = Field(ge=0)
    cancel_requested: bool = False


class ArtifactReply(_Wire):
    sha256: Sha256
    bytes: int = Field(ge=0)


class CheckpointReply(_Wire):
    epoch: int = Field(ge=1)
    sha256: Sha256
    bytes: int = Field(ge=0)


class CompleteReply(_Wire):
    model_version_id: str
