"""Hands a finished model to the server: both artifacts, then complete.

The server registers a model version only on complete, and only when both files are there, so
a runner that dies halfway leaves no half-registered model; uploading again replaces the files.
"""

from __future__ import annotations

import json
from pathlib import Path

from loupe_runner.client import RunnerClient
from loupe_runner.contract import ModelMetadata


def upload_model(
    client: RunnerClient,
    job_id: str,
    lease_token: str,
    onnx_path: Path,
    metadata: ModelMetadata,
) -> str:
    """Returns the new model version's id."""
    metadata_path = onnx_path.with_name("metadata.json")
    metadata_path.write_text(json.dumps(metadata.wire(), indent=2) + "\n", encoding="utf-8")
    client.put_artifact(job_id, lease_token, "model.onnx", onnx_path)
    client.put_artifact(job_id, lease_token, "metadata.json", metadata_path)
    return client.complete(job_id, lease_token)
