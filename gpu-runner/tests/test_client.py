"""The HTTP client against a real (in-process) server: every endpoint, errors and retries."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_server import LEASE_TOKEN, TOKEN, FakeServer, job_json

from loupe_runner.client import (
    CorruptBlob,
    LeaseLost,
    RunnerClient,
    ServerError,
    ServerUnreachable,
)
from loupe_runner.contract import (
    AnyRunnerEvent,
    Checkpoint,
    EpochEvent,
    NoticeEvent,
    RunnerHealth,
    StatusEvent,
)

SHA = hashlib.sha256(b"blob bytes").hexdigest()
VERSION = "d" * 64


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as running:
        running.state.blobs[SHA] = b"blob bytes"
        yield running


@pytest.fixture
def client(server: FakeServer) -> Iterator[RunnerClient]:
    with RunnerClient(server.url, TOKEN, backoff=0.01) as runner_client:
        yield runner_client


def test_lease_is_none_when_idle_and_a_lease_when_queued(
    server: FakeServer, client: RunnerClient
) -> None:
    assert client.lease("runner-a", "cpu") is None
    server.state.queue.append(job_json("job-1", VERSION))
    lease = client.lease("runner-a")
    assert lease is not None
    assert (lease.job.id, lease.lease_token, lease.lease_seconds) == ("job-1", LEASE_TOKEN, 60)
    assert lease.job.config.val_fraction == 0.25
    # Optional fields are left out, never sent as null.
    assert server.state.lease_bodies == [
        {"runnerId": "runner-a", "device": "cpu"},
        {"runnerId": "runner-a"},
    ]


def test_writes_with_a_stale_lease_raise_lease_lost(client: RunnerClient) -> None:
    with pytest.raises(LeaseLost) as caught:
        client.heartbeat("job-1", "not-the-lease")
    assert caught.value.code == "lease_lost" and caught.value.status == 409
    with pytest.raises(LeaseLost):
        client.post_events("job-1", "not-the-lease", [StatusEvent(status="training")])


def test_heartbeat_events_complete_and_fail(
    server: FakeServer, client: RunnerClient, tmp_path: Path
) -> None:
    assert client.heartbeat("job-1", LEASE_TOKEN).cancel_requested is False
    health = RunnerHealth(runner_id="r", device="cpu", cpu_percent=12.5)
    client.heartbeat("job-1", LEASE_TOKEN, health)
    assert server.state.heartbeat_bodies == [
        {"leaseToken": LEASE_TOKEN},  # no health: the key is left out, never null
        {
            "leaseToken": LEASE_TOKEN,
            "health": {"runnerId": "r", "device": "cpu", "cpuPercent": 12.5, "gpus": []},
        },
    ]
    events: list[AnyRunnerEvent] = [
        StatusEvent(status="training"),
        EpochEvent(epoch=1, metrics={"lr/pg0": 0.01}),
        NoticeEvent(level="warning", message="smaller batch"),
    ]
    reply = client.post_events("job-1", LEASE_TOKEN, events)
    assert (reply.accepted, reply.cancel_requested) == (3, False)
    assert server.state.events == [
        {"type": "status", "status": "training"},
        {"type": "epoch", "epoch": 1, "metrics": {"lr/pg0": 0.01}},
        {"type": "notice", "level": "warning", "message": "smaller batch"},
    ]
    server.state.cancel_after_epoch = True
    assert client.post_events("job-1", LEASE_TOKEN, events[:1]).cancel_requested is True
    with pytest.raises(ServerError, match="artifacts_missing"):
        client.complete("job-1", LEASE_TOKEN)
    client.fail("job-1", LEASE_TOKEN, "The GPU ran out of memory.")
    assert server.state.failed == ["The GPU ran out of memory."]


def test_artifacts_stream_with_the_lease_header(
    server: FakeServer, client: RunnerClient, tmp_path: Path
) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(bytes(range(256)) * 5000)  # over a megabyte: several chunks
    reply = client.put_artifact("job-1", LEASE_TOKEN, "model.onnx", model)
    assert reply.bytes == model.stat().st_size
    assert server.state.artifacts["model.onnx"] == model.read_bytes()
    assert server.state.artifact_headers["model.onnx"]["x-lease-token"] == LEASE_TOKEN
    metadata = tmp_path / "metadata.json"
    metadata.write_text("{}")
    client.put_artifact("job-1", LEASE_TOKEN, "metadata.json", metadata)
    assert client.complete("job-1", LEASE_TOKEN) == "model-of-job-1"


def test_extra_artifacts_need_plain_names(
    server: FakeServer, client: RunnerClient, tmp_path: Path
) -> None:
    plot = tmp_path / "BoxPR_curve.png"
    plot.write_bytes(b"png")
    client.put_artifact("job-1", LEASE_TOKEN, plot.name, plot)
    assert server.state.artifacts["BoxPR_curve.png"] == b"png"
    with pytest.raises(ValueError, match="not a name"):
        client.put_artifact("job-1", LEASE_TOKEN, "../plot.png", plot)
    with pytest.raises(LeaseLost):  # an artifact write with a stale lease stops the job too
        client.put_artifact("job-1", "stale", plot.name, plot)


def test_checkpoints_go_up_and_come_back_verified(
    server: FakeServer, client: RunnerClient, tmp_path: Path
) -> None:
    source = tmp_path / "last.pt"
    source.write_bytes(bytes(range(256)) * 9000)
    reply = client.put_checkpoint("job-1", LEASE_TOKEN, 5, source)
    assert (reply.epoch, reply.bytes) == (5, source.stat().st_size)
    assert server.state.checkpoints == {5: source.read_bytes()}
    assert ("PUT", "/api/runner/jobs/job-1/checkpoint?epoch=5") in server.state.requests
    checkpoint = Checkpoint(epoch=5, sha256=reply.sha256, bytes=reply.bytes)
    dest = tmp_path / "resume" / "last.pt"
    dest.parent.mkdir()
    client.download_checkpoint("job-1", LEASE_TOKEN, checkpoint, dest)
    assert dest.read_bytes() == source.read_bytes()
    wrong = checkpoint.model_copy(update={"sha256": "0" * 64})
    with pytest.raises(CorruptBlob):
        client.download_checkpoint("job-1", LEASE_TOKEN, wrong, tmp_path / "bad.pt")
    assert not (tmp_path / "bad.pt").exists()
    with pytest.raises(LeaseLost):
        client.download_checkpoint("job-1", "stale", checkpoint, tmp_path / "stale.pt")


def test_manifest_and_a_missing_one(server: FakeServer, client: RunnerClient) -> None:
    manifest = {"name": "d", "classes": ["card"], "images": []}
    server.state.manifests[VERSION] = manifest
    assert client.manifest(VERSION).wire() == manifest
    with pytest.raises(ServerError) as caught:
        client.manifest("e" * 64)
    assert caught.value.status == 404 and caught.value.code == "not_found"


def test_blob_download_is_verified_and_atomic(
    server: FakeServer, client: RunnerClient, tmp_path: Path
) -> None:
    dest = tmp_path / SHA
    client.download_blob(SHA, dest)
    assert dest.read_bytes() == b"blob bytes"
    server.state.corrupt_blobs.add(SHA)
    dest.unlink()
    with pytest.raises(CorruptBlob):
        client.download_blob(SHA, dest)
    assert list(tmp_path.iterdir()) == []  # no partial file is left behind
    assert server.state.blob_downloads.count(SHA) == 1 + 5  # retried before giving up
    with pytest.raises(ServerError) as caught:
        client.download_blob("f" * 64, tmp_path / "missing")
    assert caught.value.status == 404


def test_transient_503s_are_retried_but_not_for_lease(
    server: FakeServer, client: RunnerClient
) -> None:
    server.state.unavailable = 2
    assert client.heartbeat("job-1", LEASE_TOKEN).lease_seconds == 60
    server.state.unavailable = 1
    with pytest.raises(ServerError) as caught:
        client.lease("runner-a")
    assert caught.value.status == 503


def test_a_lease_whose_answer_is_lost_is_not_repeated(server: FakeServer) -> None:
    # The server may have leased a job before the answer was lost; asking again could hold two.
    server.state.lease_delay = 0.5
    with (
        RunnerClient(server.url, TOKEN, timeout=0.1, backoff=0.01) as impatient,
        pytest.raises(ServerUnreachable, match="ReadTimeout"),
    ):
        impatient.lease("runner-a")
    assert len(server.state.lease_bodies) == 1


def test_a_wrong_token_is_refused(server: FakeServer) -> None:
    with RunnerClient(server.url, "wrong") as wrong, pytest.raises(ServerError) as caught:
        wrong.lease("runner-a")
    assert caught.value.status == 401 and caught.value.code == "unauthorized"


def test_an_absent_server_is_unreachable_after_retries() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with RunnerClient(f"http://127.0.0.1:{port}", TOKEN, retries=2, backoff=0.01) as absent:
        with pytest.raises(ServerUnreachable, match="ConnectError"):
            absent.heartbeat("job-1", LEASE_TOKEN)
        with pytest.raises(ServerUnreachable):
            absent.lease("runner-a")  # never reached the server, so retrying was safe
