"""Failures as a user reads them: what went wrong and what to do, never a bare traceback.

The message posted to /fail is shown on the job's page, so it names the stage, the cause in
plain words and the next step. The traceback goes to the runner's log only.
"""

from __future__ import annotations

import errno
from typing import Literal

StopReason = Literal["cancelled", "lease_lost", "shutdown"]

# FailJobRequest.error allows 4000 characters.
MAX_MESSAGE = 4000


class RunnerError(Exception):
    """An expected failure whose message already tells the user what to do."""


class DatasetError(RunnerError):
    """The dataset cannot be trained on as it is (empty, missing or unreadable images)."""


class WeightsError(RunnerError):
    """The job's base weights cannot be used (damaged on the way, or made for another task)."""


class ExportError(RunnerError):
    """The trained model did not survive ONNX export or its checks."""


class JobStopped(Exception):
    """Training was asked to stop (cancel, lost lease, runner shutdown); not a failure."""

    def __init__(self, reason: StopReason) -> None:
        super().__init__(f"job stopped: {reason}")
        self.reason: StopReason = reason


def describe_failure(error: BaseException, stage: str, *, batch: int | str | None = None) -> str:
    """One message for the job page; `stage` reads like "training" or "exporting the model"."""
    # Imported here so this module stays importable without httpx for the simplest callers.
    from loupe_runner.client import ServerError, ServerUnreachable

    if isinstance(error, RunnerError):
        message = str(error)
    elif _is_out_of_memory(error):
        smaller = f" (now {batch})" if batch else ""
        message = (
            f"The GPU ran out of memory while {stage}. Start the job again with a smaller batch "
            f"size{smaller} or a smaller image size."
        )
    elif isinstance(error, ServerUnreachable):
        message = (
            f"The runner lost contact with the server while {stage} ({error}). Check that the "
            "server is running and reachable from the runner, then start the job again."
        )
    elif isinstance(error, ServerError):
        hint = f" {error.hint}" if error.hint else ""
        message = (
            f"The server refused the runner's request while {stage}: {error.message} "
            f"({error.status} {error.code}).{hint}"
        )
    elif isinstance(error, OSError) and error.errno == errno.ENOSPC:
        message = (
            f"The runner's disk is full ({error.filename or 'its work folder'}) while {stage}. "
            "Free space on the runner machine (or point LOUPE_RUNNER_WORKDIR at a bigger disk), "
            "then start the job again."
        )
    else:
        message = (
            f"Something unexpected failed while {stage}: {type(error).__name__}: {error}. "
            "Start the job again; if it fails the same way, report it with the runner's log, "
            "which has the full details."
        )
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _is_out_of_memory(error: BaseException) -> bool:
    text = str(error).lower()
    return type(error).__name__ == "OutOfMemoryError" or "out of memory" in text
