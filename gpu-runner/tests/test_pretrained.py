"""Pretrained starts: the runner fetches an official file by name from a release server (here a
local one this test starts: the network is the boundary), checks its digest, keeps it, and
fine-tunes from it; without it the job starts from the YAML and says why."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fake_server import TOKEN, FakeServer, job_json
from support import Photos, Trained, no_internet

from loupe_runner.client import RunnerClient
from loupe_runner.contract import PretrainedFetch
from loupe_runner.errors import WeightsError
from loupe_runner.job import JobContext, JobResult, run_job
from loupe_runner.lease import StopSignal
from loupe_runner.pretrained import check_pretrained, describe_name, fetch_pretrained

VERSION = "4" * 64


class Release:
    """A folder served over HTTP as Ultralytics' release assets are; counts the downloads."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.url = url
        self.gets: list[str] = []


@contextmanager
def release_server(folder: Path) -> Iterator[Release]:
    folder.mkdir(parents=True, exist_ok=True)
    release: Release | None = None

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            assert release is not None
            release.gets.append(self.path)
            super().do_GET()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
    release = Release(folder, f"http://127.0.0.1:{server.server_address[1]}/assets")
    (folder / "assets").mkdir(exist_ok=True)
    release.folder = folder / "assets"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield release
    finally:
        server.shutdown()
        server.server_close()


def test_a_file_is_downloaded_once_recorded_and_a_changed_one_refused(
    trained: Trained, tmp_path: Path
) -> None:
    genuine = trained.result.weights.read_bytes()
    cache = tmp_path / "cache"
    with release_server(tmp_path / "release") as release:
        (release.folder / "yolo11n.pt").write_bytes(genuine)
        first = fetch_pretrained(PretrainedFetch(name="yolo11n.pt"), cache, release.url)
        assert first.downloaded and first.path is not None
        assert first.path.read_bytes() == genuine
        assert (
            '"sha256": "' + hashlib.sha256(genuine).hexdigest()
            in (cache / "digests.json").read_text()
        )
        again = fetch_pretrained(PretrainedFetch(name="yolo11n.pt"), cache, release.url)
        assert again.path == first.path and not again.downloaded
        assert release.gets == ["/assets/yolo11n.pt"]  # kept, not fetched again

        # The release now serves other bytes under the same name: refused, nothing replaced.
        (release.folder / "yolo11n.pt").write_bytes(genuine + b"tampered")
        first.path.unlink()
        with pytest.raises(WeightsError, match="does not match the one this runner recorded"):
            fetch_pretrained(PretrainedFetch(name="yolo11n.pt"), cache, release.url)
        assert sorted(p.name for p in cache.iterdir()) == ["digests.json"]


def test_an_operators_pin_decides_and_a_missing_file_is_not_an_error(
    trained: Trained, tmp_path: Path
) -> None:
    genuine = trained.result.weights.read_bytes()
    with release_server(tmp_path / "release") as release:
        (release.folder / "yolo11n.pt").write_bytes(genuine)
        pinned = PretrainedFetch(name="yolo11n.pt", sha256="0" * 64)
        with pytest.raises(WeightsError, match="the SHA-256 the operator pinned"):
            fetch_pretrained(pinned, tmp_path / "a", release.url)
        good = PretrainedFetch(name="yolo11n.pt", sha256=hashlib.sha256(genuine).hexdigest())
        assert fetch_pretrained(good, tmp_path / "b", release.url).path is not None

        missing = fetch_pretrained(PretrainedFetch(name="yolo26x.pt"), tmp_path / "c", release.url)
        assert missing.path is None and missing.reason.endswith("has no such file")
    gone = fetch_pretrained(PretrainedFetch(name="yolo11n.pt"), tmp_path / "d", release.url)
    assert gone.path is None and "could not be reached" in gone.reason


def test_the_content_must_be_the_model_the_name_promises(trained: Trained) -> None:
    assert describe_name("yolov8s-seg.pt") == ("yolov8", "s", "segment")
    check_pretrained(trained.result.weights, "yolo11n.pt")
    with pytest.raises(WeightsError, match="holds a yolo11n detect model, not a yolo11n segment"):
        check_pretrained(trained.result.weights, "yolo11n-seg.pt")


def run_pretrained_job(
    photos: Photos, workdir: Path, url: str, server_copy: bytes | None = None
) -> tuple[JobResult, FakeServer]:
    base = {"kind": "pretrained", "name": "yolo11n.pt"}
    with FakeServer() as server, no_internet() as attempts:
        server.state.manifests[VERSION] = photos.manifest_json()
        server.state.blobs.update(photos.blobs)
        if server_copy is not None:
            server.state.pretrained["yolo11n.pt"] = server_copy
        server.state.queue.append(job_json("job-pre", VERSION, baseWeights=base, epochs=1))
        with RunnerClient(server.url, TOKEN, backoff=0.01) as client:
            lease = client.lease("test-runner")
            assert lease is not None
            context = JobContext(client, workdir, "cpu", StopSignal(), 0.2, pretrained_url=url)
            result = run_job(context, lease)
    assert attempts == []
    return result, server


def test_a_job_fine_tunes_from_the_downloaded_official_file(
    trained: Trained, photos: Photos, workdir: Path, tmp_path: Path
) -> None:
    genuine = trained.result.weights.read_bytes()
    with release_server(tmp_path / "release") as release:
        (release.folder / "yolo11n.pt").write_bytes(genuine)
        result, server = run_pretrained_job(photos, workdir, release.url)
    assert result.outcome == "completed", result.error
    assert release.gets == ["/assets/yolo11n.pt"]
    assert server.state.epochs() == [1]
    assert (
        "Fine-tuning: training starts from Ultralytics' pretrained yolo11n.pt, not from the "
        "yolo11n YAML." in server.state.notices()
    )
    assert (workdir / "weights" / "pretrained" / "yolo11n.pt").read_bytes() == genuine


def test_without_the_file_the_job_starts_from_the_yaml_and_says_why(
    photos: Photos, tmp_path: Path
) -> None:
    # A runner of its own: the session's keeps the file the test above downloaded.
    with release_server(tmp_path / "release") as release:  # an empty release: no such file
        result, server = run_pretrained_job(photos, tmp_path / "runner", release.url)
    assert result.outcome == "completed", result.error
    notice = next(n for n in server.state.notices() if n.startswith("No pretrained yolo11n.pt"))
    assert "has no such file" in notice and "data/weights folder" in notice
    assert server.state.epochs() == [1]
