"""HTTP client for every endpoint of the runner protocol (docs/runner-protocol.md).

The only code that talks to the server. Transient network failures are retried with backoff;
the protocol makes every write idempotent, so a retried heartbeat, event batch or artifact is
stored once. Leasing is the exception: it is retried only when the request never reached the
server, so a lost answer cannot make this runner hold two jobs.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from loupe_runner.contract import (
    ARTIFACT_NAME,
    LEASE_TOKEN_HEADER,
    AnyRunnerEvent,
    ApiError,
    ArtifactName,
    ArtifactReply,
    Checkpoint,
    CheckpointReply,
    CompleteJobRequest,
    CompleteReply,
    DatasetManifest,
    EventsReply,
    FailJobRequest,
    HeartbeatReply,
    HeartbeatRequest,
    Lease,
    LeaseRequest,
    RunnerEventsRequest,
    RunnerHealth,
)

M = TypeVar("M", bound=BaseModel)
CHUNK = 1 << 20
# Status codes a proxy or a restarting server answers while the request was not processed.
RETRY_STATUSES = {502, 503, 504}


class ServerError(Exception):
    """The server answered with an error ({"error": {"code", "message", "hint"?}})."""

    def __init__(self, status: int, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint


class LeaseLost(ServerError):
    """409 lease_lost: this runner no longer holds the job and must stop working on it."""


class ServerUnreachable(Exception):
    """The server could not be reached, or kept failing, after every retry."""


class CorruptBlob(Exception):
    """A blob's (or checkpoint's) bytes did not hash to what was promised, on every try."""

    def __init__(self, sha256: str, actual: str) -> None:
        super().__init__(f"blob {sha256} arrived with sha256 {actual}")
        self.sha256 = sha256
        self.actual = actual


class RunnerClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        )
        self._retries = retries
        self._backoff = backoff

    def __enter__(self) -> RunnerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- endpoints --------------------------------------------------------------------------

    def lease(self, runner_id: str, device: str | None = None) -> Lease | None:
        """The next queued job, or None when nothing is queued."""
        body = LeaseRequest(runner_id=runner_id, device=device).wire()
        response = self._send("POST", "/api/runner/lease", json=body, idempotent=False)
        if response.status_code == 204:
            return None
        return _parse(Lease, response)

    def heartbeat(
        self, job_id: str, lease_token: str, health: RunnerHealth | None = None
    ) -> HeartbeatReply:
        body = HeartbeatRequest(lease_token=lease_token, health=health).wire()
        return _parse(HeartbeatReply, self._send("POST", f"{_job(job_id)}/heartbeat", json=body))

    def manifest(self, dataset_version_id: str) -> DatasetManifest:
        path = f"/api/dataset-versions/{dataset_version_id}/manifest"
        return _parse(DatasetManifest, self._send("GET", path))

    def post_events(
        self,
        job_id: str,
        lease_token: str,
        events: Sequence[AnyRunnerEvent],
    ) -> EventsReply:
        """The reply says whether the user asked to cancel, so a runner can stop at once."""
        body = RunnerEventsRequest(lease_token=lease_token, events=list(events)).wire()
        return _parse(EventsReply, self._send("POST", f"{_job(job_id)}/events", json=body))

    def put_artifact(
        self, job_id: str, lease_token: str, name: ArtifactName, path: Path
    ) -> ArtifactReply:
        """Streams the file; checks the server stored exactly these bytes."""
        if not re.fullmatch(ARTIFACT_NAME, name):
            raise ValueError(f"{name!r} is not a name the server accepts for an artifact")
        return self._put_file(f"{_job(job_id)}/artifacts/{name}", lease_token, name, path)

    def put_checkpoint(
        self, job_id: str, lease_token: str, epoch: int, path: Path
    ) -> CheckpointReply:
        """Uploads a resumable checkpoint taken after `epoch` (1-based); the server keeps the
        newest and hands it to whichever runner takes the job over."""
        target = f"{_job(job_id)}/checkpoint?epoch={epoch}"
        reply = self._put_file(target, lease_token, f"checkpoint of epoch {epoch}", path)
        return CheckpointReply(epoch=epoch, sha256=reply.sha256, bytes=reply.bytes)

    def download_checkpoint(
        self, job_id: str, lease_token: str, checkpoint: Checkpoint, dest: Path
    ) -> None:
        """Streams the job's checkpoint to `dest`, verified against the lease's sha256."""
        self._download(
            f"{_job(job_id)}/checkpoint",
            checkpoint.sha256,
            dest,
            headers={LEASE_TOKEN_HEADER: lease_token},
        )

    def _put_file(self, target: str, lease_token: str, what: str, path: Path) -> ArtifactReply:
        size = path.stat().st_size
        digest = _sha256_file(path)
        headers = {
            LEASE_TOKEN_HEADER: lease_token,
            "Content-Type": "application/json"
            if path.suffix == ".json"
            else "application/octet-stream",
            "Content-Length": str(size),
        }

        def attempt() -> httpx.Response:
            return self._http.request("PUT", target, content=_chunks(path), headers=headers)

        reply = _parse(ArtifactReply, self._send_with(attempt))
        if reply.sha256 != digest or reply.bytes != size:
            raise ServerError(
                500,
                "artifact_mismatch",
                f"the server stored the {what} as {reply.bytes} bytes with sha256 "
                f"{reply.sha256}, but the runner sent {size} bytes with sha256 {digest}",
            )
        return reply

    def complete(self, job_id: str, lease_token: str) -> str:
        body = CompleteJobRequest(lease_token=lease_token).wire()
        response = self._send("POST", f"{_job(job_id)}/complete", json=body)
        return _parse(CompleteReply, response).model_version_id

    def fail(self, job_id: str, lease_token: str, error: str) -> None:
        body = FailJobRequest(lease_token=lease_token, error=error).wire()
        self._send("POST", f"{_job(job_id)}/fail", json=body)

    def download_blob(self, sha256: str, dest: Path) -> None:
        """Streams a blob to `dest`, verifying its SHA-256; `dest` appears only when complete."""
        self._download(f"/api/blobs/{sha256}", sha256, dest)

    def _download(
        self, path: str, sha256: str, dest: Path, headers: dict[str, str] | None = None
    ) -> None:
        partial = dest.with_name(f"{dest.name}.{os.getpid()}.part")

        def attempt() -> httpx.Response:
            digest = hashlib.sha256()
            with self._http.stream("GET", path, headers=headers) as response:
                if response.status_code != 200:
                    response.read()
                    return response
                with partial.open("wb") as out:
                    for chunk in response.iter_bytes(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            if digest.hexdigest() != sha256:
                partial.unlink(missing_ok=True)
                raise CorruptBlob(sha256, digest.hexdigest())
            partial.replace(dest)
            return response

        try:
            self._send_with(attempt)
        finally:
            partial.unlink(missing_ok=True)

    # --- plumbing ---------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, *, json: Any = None, idempotent: bool = True
    ) -> httpx.Response:
        def attempt() -> httpx.Response:
            return self._http.request(method, path, json=json)

        return self._send_with(attempt, idempotent=idempotent)

    def _send_with(
        self, attempt: Callable[[], httpx.Response], *, idempotent: bool = True
    ) -> httpx.Response:
        return self._check(self._retry(attempt, idempotent=idempotent))

    def _retry(self, attempt: Callable[[], httpx.Response], *, idempotent: bool) -> httpx.Response:
        for n in range(self._retries + 1):
            last = n == self._retries
            try:
                response = attempt()
            except CorruptBlob:
                if last:
                    raise
            except httpx.TransportError as error:
                # A connect error means the request never left; anything later may have been
                # processed, so only idempotent requests try again after it.
                never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
                if last or not (idempotent or never_sent):
                    raise ServerUnreachable(_describe(error)) from error
            else:
                if response.status_code not in RETRY_STATUSES or not idempotent or last:
                    return response
            time.sleep(self._backoff * 2**n)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        code, message, hint = f"http_{response.status_code}", response.reason_phrase, None
        try:
            error = ApiError.model_validate(response.json()).error
            code, message, hint = error.code, error.message, error.hint
        except (ValueError, ValidationError):
            text = response.text.strip()
            message = text[:300] if text else message
        if response.status_code == 409 and code == "lease_lost":
            raise LeaseLost(response.status_code, code, message, hint)
        raise ServerError(response.status_code, code, message, hint)


def _job(job_id: str) -> str:
    # Ids come from the server; quoting keeps an odd one from escaping its path segment.
    return f"/api/runner/jobs/{quote(job_id, safe='')}"


def _parse(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate(response.json())
    except (ValueError, ValidationError) as error:
        raise ServerError(
            response.status_code,
            "bad_response",
            f"the server's answer to {response.request.method} {response.request.url.path} "
            f"does not match the protocol: {error}",
            "The server and runner versions probably differ; update both to the same release.",
        ) from error


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
