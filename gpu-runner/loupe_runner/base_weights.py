"""Base weights for fine-tuning: fetched, verified and checked before Ultralytics trains on them.

The runner loads exactly the bytes the server resolved: the file is used only when its SHA-256
equals the lease's, whether it was just downloaded or found in the cache. Whatever its origin, it
is then opened only with the restricted loader (safe_weights), never with plain pickle.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from loupe_runner.client import CorruptBlob, RunnerClient
from loupe_runner.contract import WeightsFile
from loupe_runner.errors import WeightsError

log = logging.getLogger(__name__)
CHUNK = 1 << 20


def fetch_base_weights(client: RunnerClient, weights: WeightsFile, folder: Path) -> Path:
    """The lease's base weights as `<folder>/<sha256>.pt` (the suffix tells Ultralytics to load
    weights), shared by every job that starts from them."""
    dest = folder / f"{weights.sha256}.pt"
    if dest.exists():
        if sha256_of(dest) == weights.sha256:
            return dest
        log.warning("cached base weights %s changed on disk; downloading again", weights.sha256)
        dest.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        client.download_blob(weights.sha256, dest)  # dest appears only once its hash matched
    except CorruptBlob as error:
        raise WeightsError(
            f"The base weights ({weights.sha256[:12]}...) arrived damaged on every try "
            f"({error}), so they were not loaded. Start the job again; if it fails the same way, "
            "upload the weights to the server again."
        ) from error
    return dest


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
