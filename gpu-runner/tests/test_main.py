"""`python -m loupe_runner` as a supervisor runs it: a real process against a real server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fake_server import TOKEN, FakeServer, job_json
from support import Photos

VERSION = "2" * 64


def runner_env(server_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOUPE_", "YOLO_"))}
    env.update(
        LOUPE_SERVER_URL=server_url,
        LOUPE_RUNNER_TOKEN=TOKEN,
        LOUPE_RUNNER_WORKDIR=str(workdir),
        LOUPE_RUNNER_ID="test-runner",
        LOUPE_DEVICE="cpu",
        LOUPE_POLL_SECONDS="0.2",
    )
    return {**env, **extra}


def run_once(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loupe_runner", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_once_with_nothing_queued_exits_cleanly(tmp_path: Path) -> None:
    with FakeServer() as server:
        done = run_once(runner_env(server.url, tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "runner: idle, waiting for jobs"
    assert all(line.startswith("runner: ") for line in done.stdout.splitlines())


def test_once_runs_one_job_to_completion(tmp_path: Path, photos: Photos) -> None:
    with FakeServer() as server:
        server.state.manifests[VERSION] = photos.manifest_json()
        server.state.blobs.update(photos.blobs)
        server.state.queue.append(job_json("job-7", VERSION, epochs=1))
        server.state.queue.append(job_json("job-8", VERSION, epochs=1))
        done = run_once(runner_env(server.url, tmp_path))
        assert done.returncode == 0, done.stdout + done.stderr
        assert server.state.completed == ["job-7"]  # --once: the second job stays queued
        assert len(server.state.queue) == 1
    lines = done.stdout.splitlines()
    assert "runner: job job-7: leased (yolo11n, 1 epochs, imgsz 64, batch 4)" in lines
    assert lines[-1] == "runner: job job-7: completed (model-of-job-7)"
    assert all(line.startswith("runner: ") for line in lines)  # Ultralytics' chatter stays out


def test_a_missing_token_is_explained(tmp_path: Path) -> None:
    env = runner_env("http://127.0.0.1:9", tmp_path)
    del env["LOUPE_RUNNER_TOKEN"]
    done = run_once(env)
    assert done.returncode == 2
    assert "LOUPE_RUNNER_TOKEN is not set" in done.stdout


def test_a_wrong_token_stops_the_runner(tmp_path: Path) -> None:
    with FakeServer() as server:
        done = run_once(runner_env(server.url, tmp_path, LOUPE_RUNNER_TOKEN="wrong"))
    assert done.returncode == 2
    assert "refused the runner token" in done.stdout


def test_sigterm_stops_an_idle_runner(tmp_path: Path) -> None:
    with FakeServer() as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "loupe_runner"],
            env=runner_env(server.url, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while len(server.state.lease_bodies) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # polling, i.e. idle
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert stdout.splitlines()[-2:] == ["runner: SIGTERM received; stopping", "runner: stopped"]
    assert stdout.count("runner: idle, waiting for jobs") == 1  # one line per state change


def test_sigterm_mid_training_leaves_the_job_to_its_lease(tmp_path: Path, photos: Photos) -> None:
    with FakeServer() as server:
        server.state.manifests[VERSION] = photos.manifest_json()
        server.state.blobs.update(photos.blobs)
        server.state.queue.append(job_json("job-9", VERSION, epochs=200))
        process = subprocess.Popen(
            [sys.executable, "-m", "loupe_runner"],
            env=runner_env(server.url, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not server.state.epochs_seen() and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
        # Neither failed nor completed: the server requeues it when the lease runs out.
        assert server.state.failed == [] and server.state.completed == []
    assert process.returncode == 0, stderr
    assert stdout.splitlines()[-3:] == [
        "runner: SIGTERM received; stopping",
        "runner: job job-9: interrupted",
        "runner: stopped",
    ]
