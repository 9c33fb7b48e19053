"""The one place that imports Ultralytics, after making sure it cannot reach the network.

Ultralytics reads its environment once, at import time, and by default phones home (analytics,
update checks, font downloads, third-party loggers). A runner may sit on a machine with no
network, or with one where training data must not leave, so every module here gets Ultralytics
through `load()` and never imports it at module level.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
from pathlib import Path
from types import ModuleType

from loupe_runner import safe_weights

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: ModuleType | None = None

# Integrations that ship training data or metrics to another service when their package is
# installed; a runner never uses them.
_INTEGRATIONS_OFF: dict[str, object] = {
    "sync": False,
    "api_key": "",  # the Ultralytics Platform callback uploads runs when it finds a key
    "clearml": False,
    "comet": False,
    "dvc": False,
    "mlflow": False,
    "raytune": False,
    "tensorboard": False,
    "wandb": False,
}


def load(workdir: Path) -> ModuleType:
    """Configure the environment under `workdir` (first call wins) and return `ultralytics`."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        if "ultralytics" in sys.modules:
            log.warning("ultralytics was imported before load(); its offline settings may not hold")
        config_dir = (workdir / "ultralytics").resolve()
        config_dir.mkdir(parents=True, exist_ok=True)
        os.environ["YOLO_OFFLINE"] = "true"
        os.environ["YOLO_AUTOINSTALL"] = "false"
        os.environ["YOLO_CONFIG_DIR"] = str(config_dir)
        # Its per-batch progress bars would drown the runner's one-line-per-state log.
        os.environ.setdefault("YOLO_VERBOSE", "false")
        # The Ultralytics Platform callback uploads runs when a key is present; never from here.
        os.environ.pop("ULTRALYTICS_API_KEY", None)
        # Its restricted model building: a checkpoint's YAML is never eval-ed (safe_weights).
        os.environ["ULTRALYTICS_SAFE_LOAD"] = "true"

        import ultralytics
        from ultralytics.utils import SETTINGS, USER_CONFIG_DIR

        SETTINGS.update(_INTEGRATIONS_OFF)  # type: ignore[no-untyped-call]
        _provide_fonts(Path(USER_CONFIG_DIR))
        safe_weights.install(ultralytics)
        # Keep its warnings (they explain odd results) but not its info chatter.
        logging.getLogger("ultralytics").setLevel(logging.WARNING)
        _loaded = ultralytics
        return ultralytics


def _provide_fonts(user_config_dir: Path) -> None:
    """Put fonts where Ultralytics looks first, so it never downloads them.

    Every dataset check calls `check_font`, which ignores YOLO_OFFLINE and asks GitHub for
    Arial.ttf (Arial.Unicode.ttf for non-ASCII class names). matplotlib's DejaVu Sans covers
    Latin, Greek and Cyrillic, which is enough for plots; it ships with matplotlib, a dependency
    of Ultralytics.
    """
    from matplotlib import get_data_path

    dejavu = Path(get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    for name in ("Arial.ttf", "Arial.Unicode.ttf"):
        target = user_config_dir / name
        if not target.exists() and dejavu.exists():
            shutil.copyfile(dejavu, target)
