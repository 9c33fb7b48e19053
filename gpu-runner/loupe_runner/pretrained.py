"""Ultralytics' official pretrained weights (yolo11n.pt, yolov8s-seg.pt, ...), fetched by name.

When the server holds no copy of the file a job starts from, the runner gets it itself from
Ultralytics' release assets (`LOUPE_PRETRAINED_URL`, a base URL the name is appended to), once:
the file is kept under `<workdir>/weights/pretrained/<name>` and used again while it matches its
digest. The digest is the operator's pin when the lease carries one, else the one this runner
recorded on its first download (`digests.json` beside the files): a file that later arrives with
other bytes is refused, not loaded. No network (or no such file) is not a failure: the job says
so and starts from the YAML as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import httpx

from loupe_runner.contract import PretrainedFetch
from loupe_runner.errors import WeightsError

log = logging.getLogger(__name__)
DEFAULT_URL = "https://github.com/ultralytics/assets/releases/download/v8.4.0"
CHUNK = 1 << 20
MAX_BYTES = 1 << 30  # the largest official file (yolo11x-seg.pt) is about 120 MB
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Digest:
    sha256: str
    bytes: int | None  # unknown for an operator's pin until the file was seen


@dataclass(frozen=True)
class Fetched:
    path: Path | None  # None: not available (the reason says why)
    reason: str = ""
    downloaded: bool = False


def fetch_pretrained(fetch: PretrainedFetch, folder: Path, base_url: str) -> Fetched:
    """The official file, from this runner's cache or downloaded; refuses a file whose digest
    differs from the pinned or recorded one (WeightsError)."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / fetch.name
    records = _read_records(folder)
    expected = _expected(fetch, records)
    if dest.exists() and expected is not None and _matches(dest, expected):
        return Fetched(dest)
    url = f"{base_url.rstrip('/')}/{fetch.name}"
    partial = folder / f"{fetch.name}.{os.getpid()}.part"
    try:
        digest = _download(url, partial, expected)
    except (httpx.HTTPError, OSError) as error:
        partial.unlink(missing_ok=True)
        log.warning("pretrained %s: not downloaded from %s: %s", fetch.name, url, error)
        return Fetched(None, reason=f"{url} could not be reached ({_short(error)})")
    if digest is None:
        partial.unlink(missing_ok=True)
        return Fetched(None, reason=f"{url} has no such file")
    if expected is not None and not _same(digest, expected):
        partial.unlink(missing_ok=True)
        raise WeightsError(_mismatch(fetch.name, url, digest, expected, fetch.sha256 is not None))
    partial.replace(dest)
    if fetch.name not in records:  # trust on first download: later copies must match it
        records[fetch.name] = {"sha256": digest.sha256, "bytes": digest.bytes}
        _write_records(folder, records)
    return Fetched(dest, downloaded=True)


def _download(url: str, dest: Path, expected: Digest | None) -> Digest | None:
    """Streams `url` to `dest`; None when the server has no such file (404)."""
    limit = expected.bytes if expected and expected.bytes else MAX_BYTES
    digest, size = hashlib.sha256(), 0
    with httpx.stream("GET", url, follow_redirects=True, timeout=TIMEOUT_S) as response:
        if response.status_code == 404:
            return None
        response.raise_for_status()
        with dest.open("wb") as out:
            for chunk in response.iter_bytes(CHUNK):
                size += len(chunk)
                if size > limit:  # larger than the recorded file: no need to read the rest
                    break
                digest.update(chunk)
                out.write(chunk)
    return Digest(digest.hexdigest(), size)


def _expected(fetch: PretrainedFetch, records: dict[str, dict[str, object]]) -> Digest | None:
    record = records.get(fetch.name)
    recorded = (
        Digest(str(record["sha256"]), int(str(record["bytes"])))
        if record and record.get("bytes") is not None
        else None
    )
    if fetch.sha256 is None:
        return recorded
    size = recorded.bytes if recorded and recorded.sha256 == fetch.sha256 else None
    return Digest(fetch.sha256, size)


def _same(got: Digest, expected: Digest) -> bool:
    return got.sha256 == expected.sha256 and expected.bytes in (None, got.bytes)


def _matches(path: Path, expected: Digest) -> bool:
    size = path.stat().st_size
    if expected.bytes is not None and size != expected.bytes:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == expected.sha256


def _mismatch(name: str, url: str, got: Digest, expected: Digest, pinned: bool) -> str:
    where = (
        "the SHA-256 the operator pinned (LOUPE_PRETRAINED_SHA256)"
        if pinned
        else "the one this runner recorded when it first downloaded it"
    )
    fix = (
        "update the pin"
        if pinned
        else "delete the runner's weights/pretrained/digests.json entry for it"
    )
    return (
        f"The {name} downloaded from {url} ({got.bytes} bytes, SHA-256 {got.sha256[:16]}...) "
        f"does not match {where} ({expected.sha256[:16]}...), so it was not loaded. If "
        f"Ultralytics published a new version of the file on purpose, {fix}; otherwise the "
        "download was altered on the way. Start the job from another model meanwhile."
    )


def _read_records(folder: Path) -> dict[str, dict[str, object]]:
    path = folder / "digests.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_records(folder: Path, records: dict[str, dict[str, object]]) -> None:
    partial = folder / f"digests.json.{os.getpid()}.part"
    partial.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(folder / "digests.json")


def _short(error: BaseException) -> str:
    return (str(error) or type(error).__name__).splitlines()[0][:160]


_TASK_SUFFIX = {"": "detect", "-seg": "segment", "-cls": "classify", "-pose": "pose", "-obb": "obb"}


def describe_name(name: str) -> tuple[str, str, str]:
    """ "yolov8s-seg.pt" -> ("yolov8", "s", "segment"); the name matched PretrainedName."""
    stem = name.removesuffix(".pt")
    base, dash, suffix = stem.partition("-")
    return base[:-1], base[-1], _TASK_SUFFIX[dash + suffix]


def check_pretrained(path: Path, name: str) -> None:
    """The file holds the model its name promises (read with the restricted loader): a detector
    named yolo11n-cls.pt would fail deep inside Ultralytics, or quietly train something else."""
    from loupe_runner.safe_weights import verify

    family, scale, task = describe_name(name)
    info = verify(path)
    found = (info.family or family, info.scale or scale, info.task)
    if found != (family, scale, task):
        raise WeightsError(
            f"The file offered as {name} holds a {found[0]}{found[1]} {found[2]} model, not a "
            f"{family}{scale} {task} model, so it was not used. Replace it with the official "
            f"{name} (the server's weights folder, or upload it on the Models page)."
        )
