"""Loading a .pt without running pickle code.

A .pt is a pickle, and a plain `torch.load` (what Ultralytics does by default) calls whatever the
file names: one crafted file runs any command on the runner. Every .pt the runner opens goes
through `torch.load(weights_only=True)` with the allowlist below, the classes an Ultralytics
8.4.190 checkpoint holds (YOLOv8, YOLO11, YOLO12 and YOLO26; detect, segment, classify, pose and
OBB; fresh from YAML and trained), found with `torch.serialization.get_unsafe_globals_in_checkpoint`
over every family x task x scale. Anything else is refused before it is constructed.

Ultralytics opens the same files again itself. Two guards cover its path:
- `verify` refuses a file before Ultralytics is handed its path (train, export, test), and
- `install` replaces Ultralytics' `torch_load` (the one function behind its checkpoint loads)
  with the same restricted load, and turns on its own restricted model building
  (`ULTRALYTICS_SAFE_LOAD`, set in ultralytics_env before import), so a checkpoint's model YAML
  is never `eval`-ed either (its activation string would otherwise be).
Verifying first keeps the refusal ours (a message the user can act on, before any Ultralytics
state exists); the patch closes the window between the check and Ultralytics' own read.
"""

from __future__ import annotations

import enum
import importlib
import pickle
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loupe_runner.contract import Task
from loupe_runner.errors import WeightsError

# torch.nn and Ultralytics classes, as `module.Name`: what the checkpoints' pickles reference.
MODEL_CLASSES: tuple[str, ...] = (
    "torch.nn.modules.activation.SiLU",
    "torch.nn.modules.activation.Tanh",
    "torch.nn.modules.batchnorm.BatchNorm2d",
    "torch.nn.modules.container.ModuleList",
    "torch.nn.modules.container.Sequential",
    "torch.nn.modules.conv.Conv2d",
    "torch.nn.modules.conv.ConvTranspose2d",
    "torch.nn.modules.dropout.Dropout",
    "torch.nn.modules.linear.Identity",
    "torch.nn.modules.linear.Linear",
    "torch.nn.modules.pooling.AdaptiveAvgPool2d",
    "torch.nn.modules.pooling.MaxPool2d",
    "torch.nn.modules.upsampling.Upsample",
    "ultralytics.nn.modules.block.A2C2f",
    "ultralytics.nn.modules.block.AAttn",
    "ultralytics.nn.modules.block.ABlock",
    "ultralytics.nn.modules.block.Attention",
    "ultralytics.nn.modules.block.Bottleneck",
    "ultralytics.nn.modules.block.C2PSA",
    "ultralytics.nn.modules.block.C2f",
    "ultralytics.nn.modules.block.C3k",
    "ultralytics.nn.modules.block.C3k2",
    "ultralytics.nn.modules.block.DFL",
    "ultralytics.nn.modules.block.PSABlock",
    "ultralytics.nn.modules.block.Proto",
    "ultralytics.nn.modules.block.Proto26",
    "ultralytics.nn.modules.block.RealNVP",
    "ultralytics.nn.modules.block.SPPF",
    "ultralytics.nn.modules.conv.Concat",
    "ultralytics.nn.modules.conv.Conv",
    "ultralytics.nn.modules.conv.DWConv",
    "ultralytics.nn.modules.head.Classify",
    "ultralytics.nn.modules.head.Detect",
    "ultralytics.nn.modules.head.OBB",
    "ultralytics.nn.modules.head.OBB26",
    "ultralytics.nn.modules.head.Pose",
    "ultralytics.nn.modules.head.Pose26",
    "ultralytics.nn.modules.head.Segment",
    "ultralytics.nn.modules.head.Segment26",
    "ultralytics.nn.tasks.ClassificationModel",
    "ultralytics.nn.tasks.DetectionModel",
    "ultralytics.nn.tasks.OBBModel",
    "ultralytics.nn.tasks.PoseModel",
    "ultralytics.nn.tasks.SegmentationModel",
)

# Plain data that the official release files carry besides the model (Ultralytics lists the same
# in its own restricted loader): numpy scalars and dtypes in metrics, the training arguments as a
# namespace, paths, and a classifier's preprocessing transforms.
DATA_CLASSES: tuple[str, ...] = (
    "ultralytics.utils.IterableSimpleNamespace",
    "pathlib.PosixPath",
    "torchvision.transforms.transforms.Compose",
    "torchvision.transforms.transforms.Normalize",
    "torchvision.transforms.transforms.Resize",
    "torchvision.transforms.transforms.CenterCrop",
    "torchvision.transforms.transforms.ToTensor",
    "torchvision.transforms.functional.InterpolationMode",
)

_MODEL_TASKS: dict[str, str] = {
    "DetectionModel": "detect",
    "SegmentationModel": "segment",
    "ClassificationModel": "classify",
    "PoseModel": "pose",
    "OBBModel": "obb",
}

_lock = threading.Lock()
_registered = False


class UnsafeWeights(WeightsError):
    """The .pt names something outside the allowlist (or is not a checkpoint at all)."""


@dataclass(frozen=True)
class CheckpointInfo:
    task: str  # detect, segment, classify, pose, obb
    family: str | None  # yolo11, yolov8, ... as its YAML names it; None when it does not say
    scale: str | None  # n, s, m, l, x


def _resolve(name: str) -> Any:
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _restricted_getattr(obj: Any, name: str) -> Any:
    """Official YOLOv8/YOLO11 classify and segment files pickle `getattr(Detect, "forward")` and
    enum members; anything beyond a module's or enum's public attribute is refused."""
    import torch

    public = not name.startswith("_")
    if public and isinstance(obj, type) and issubclass(obj, (torch.nn.Module, enum.Enum)):
        return getattr(obj, name)
    if isinstance(obj, torch.nn.Module) and name in ("forward", "forward_fuse"):
        return getattr(type(obj), name).__get__(obj)
    raise pickle.UnpicklingError(f"getattr({type(obj).__name__}, {name!r}) is not allowed")


def allowed_globals() -> list[Any]:
    """The allowlist as torch takes it: classes, and (object, pickled name) pairs."""
    import numpy as np

    entries: list[Any] = [_resolve(name) for name in MODEL_CLASSES + DATA_CLASSES]
    scalar = np.float64(0).__reduce__()[0]
    entries += [
        np.dtype,
        type(np.dtype(np.float64)),
        (scalar, "numpy.core.multiarray.scalar"),
        (scalar, "numpy._core.multiarray.scalar"),
        (_restricted_getattr, "builtins.getattr"),
    ]
    return entries


def _register() -> None:
    """Registered once for the process rather than per load (`safe_globals` as a context
    manager): torch keeps one global set, and a context exiting in one thread would strip the
    list from a load running in another (the checkpoint uploader's, a test's)."""
    global _registered
    with _lock:
        if not _registered:
            import torch

            torch.serialization.add_safe_globals(allowed_globals())
            _registered = True


def load_checkpoint(path: Path | str, **kwargs: Any) -> Any:
    """`torch.load` that refuses (UnsafeWeights) anything not on the allowlist."""
    import torch

    _register()
    kwargs["weights_only"] = True
    kwargs.setdefault("map_location", "cpu")
    try:
        return torch.load(path, **kwargs)
    except (pickle.UnpicklingError, RuntimeError, AttributeError, EOFError, ValueError) as error:
        raise UnsafeWeights(_refusal(path, error)) from error


def _refusal(path: Path | str, error: BaseException) -> str:
    text = str(error)
    named = re.search(r"GLOBAL ([\w.]+)", text)
    if named:
        reason = f"it names {named.group(1)}, which no Ultralytics model holds"
    else:
        reason = (text.splitlines() or [type(error).__name__])[0][:200]
    return (
        f"The weights file {Path(str(path)).name} was refused and not loaded: {reason}. A .pt "
        "is a pickle that can run code, so only the classes an Ultralytics checkpoint holds are "
        "accepted. Use an official Ultralytics .pt (yolo11n.pt, ...) or a model version trained "
        "here."
    )


def verify(path: Path | str) -> CheckpointInfo:
    """Opens the file with the restricted load and says what model it holds."""
    checkpoint = load_checkpoint(path)
    model = None
    if isinstance(checkpoint, dict):
        ema = checkpoint.get("ema")  # a training checkpoint's averaged weights; else the model
        model = ema if ema is not None else checkpoint.get("model")
    task = _MODEL_TASKS.get(type(model).__name__)
    if model is None or task is None:
        raise UnsafeWeights(
            f"The weights file {Path(str(path)).name} holds no Ultralytics YOLO model, so it "
            "cannot be trained from. Use an official Ultralytics .pt or a model version "
            "trained here."
        )
    yaml = getattr(model, "yaml", None) or {}
    return CheckpointInfo(task=task, family=_family(yaml), scale=yaml.get("scale") or None)


def _family(yaml: dict[str, Any]) -> str | None:
    """ "yolo11n-seg.yaml" -> "yolo11"; None when the checkpoint does not name its YAML."""
    stem = Path(str(yaml.get("yaml_file") or "")).stem
    for family in ("yolov8", "yolo11", "yolo12", "yolo26"):
        if stem.startswith(family):
            return family
    return None


def check_task(info: CheckpointInfo, task: Task) -> None:
    """A detector cannot be fine-tuned into a classifier: Ultralytics would fail deep inside."""
    if info.task != task:
        raise WeightsError(
            f"The base weights are a {info.task} model, but this job trains {task}. Start "
            f"from an earlier {task} model version (or a {task} .pt), or from scratch."
        )


def install(ultralytics: Any) -> None:
    """Routes Ultralytics' own checkpoint loads through `load_checkpoint` (see the module doc)."""
    from ultralytics.nn import tasks
    from ultralytics.utils import patches, torch_utils

    del ultralytics  # the argument says the package is imported; its modules are patched here

    def safe_torch_load(*args: Any, **kwargs: Any) -> Any:
        return load_checkpoint(*args, **kwargs)

    for module in (patches, tasks, torch_utils):
        module.torch_load = safe_torch_load  # type: ignore[attr-defined]
