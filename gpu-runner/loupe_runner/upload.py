"""Hands a finished model to the server: the extra files, both required artifacts, then complete.

The server registers a model version only on complete, and only when both required files are
there, so a runner that dies halfway leaves no half-registered model; uploading again replaces
the files. An extra (plots, best.pt, validation.json) the server refuses is logged and skipped:
the model is worth keeping without it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from loupe_runner.client import LeaseLost, RunnerClient, ServerError
from loupe_runner.contract import ModelMetadata

log = logging.getLogger(__name__)


def upload_model(
    client: RunnerClient,
    job_id: str,
    lease_token: str,
    onnx_path: Path,
    metadata: ModelMetadata,
    extras: Sequence[Path] = (),
) -> str:
    """Returns the new model version's id."""
    for path in extras:
        try:
            client.put_artifact(job_id, lease_token, path.name, path)
        except LeaseLost:
            raise
        except ServerError as error:
            log.warning("job %s: artifact %s not stored: %s", job_id, path.name, error)
    metadata_path = onnx_path.with_name("metadata.json")
    metadata_path.write_text(json.dumps(metadata.wire(), indent=2) + "\n", encoding="utf-8")
    client.put_artifact(job_id, lease_token, "model.onnx", onnx_path)
    client.put_artifact(job_id, lease_token, "metadata.json", metadata_path)
    return client.complete(job_id, lease_token)
