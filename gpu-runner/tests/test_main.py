"""`python -m loupe_runner` as a supervisor runs it: a real process against a real server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[Any], what: str) -> None:
    """Waits for a state of the fake server while the runner lives. The hour only keeps a hung
    runner from hanging the suite: no outcome here depends on how fast the machine is."""
    deadline = time.monotonic() + 3600
    while not condition():
        assert process.poll() is None, f"the runner exited before it {what}"
        assert time.monotonic() < deadline, f"the runner never {what}"
        time.sleep(0.05)


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


def test_a_killed_runner_s_job_resumes_from_its_checkpoint_on_another(
    tmp_path: Path, photos: Photos
) -> None:
    """A runner dies (SIGKILL, no goodbye) after its first checkpoint; the job is requeued with it
    and `--once` on another machine (another work folder: the dataset path the checkpoint names
    is gone) resumes from it: epochs 1..6 continuous, the resumed part after the checkpoint."""
    first_workdir, second_workdir = tmp_path / "first", tmp_path / "second"
    with FakeServer() as server:
        state = server.state
        state.manifests[VERSION] = photos.manifest_json()
        state.blobs.update(photos.blobs)
        state.queue.append(job_json("job-7", VERSION, epochs=6, checkpointEvery=2))
        first = subprocess.Popen(
            [sys.executable, "-m", "loupe_runner"],
            env=runner_env(server.url, first_workdir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(
            lambda: bool(state.checkpoints) and max(state.checkpoints) in state.epochs(),
            first,
            "uploaded a checkpoint",
        )
        first.kill()
        first.wait(timeout=30)
        assert state.checkpoints, "the first runner uploaded no checkpoint"
        assert state.completed == [] and state.failed == []
        before = state.epochs()
        killed_at = len(state.events)
        checkpoint = state.newest_checkpoint()
        assert checkpoint is not None and checkpoint["epoch"] % 2 == 0
        shutil.rmtree(first_workdir)

        # What the server does when the lease runs out: requeue, hand over the checkpoint.
        state.hand_over_checkpoint = True
        state.queue.append(job_json("job-7", VERSION, epochs=6, checkpointEvery=2))
        state.queue.append(job_json("job-8", VERSION, epochs=1))
        done = run_once(runner_env(server.url, second_workdir))
        assert done.returncode == 0, done.stdout + done.stderr
        assert state.completed == ["job-7"]  # --once: the second job stays queued
        assert len(state.queue) == 1
        after = [e["epoch"] for e in state.events[killed_at:] if e["type"] == "epoch"]
        notices = state.notices()
        metadata = json.loads(state.artifacts["metadata.json"])
    resumed = checkpoint["epoch"]
    assert after == list(range(resumed + 1, 7))  # none skipped, none from epoch 1 again
    assert sorted(set(before) | set(after)) == list(range(1, 7))
    assert f"Resumed from epoch {resumed}: training continues with epoch {resumed + 1} of 6." in (
        notices
    )
    assert metadata["epochs"] == 6
    lines = done.stdout.splitlines()
    assert "runner: job job-7: leased (detect, yolo11n, 6 epochs, imgsz 64, batch 4)" in lines
    assert "runner: job job-7: fetching the checkpoint" in lines
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
        # Polling, i.e. idle: after it loaded torch and Ultralytics (a minute on a busy machine).
        wait_for(lambda: len(server.state.lease_bodies) >= 2, process, "asked for work twice")
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
        wait_for(server.state.epochs_seen, process, "reported an epoch")
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
