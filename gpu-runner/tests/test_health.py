"""Health readings are real numbers from this machine, valid for the contract, and never fatal."""

from __future__ import annotations

from pathlib import Path

from loupe_runner.contract import RunnerHealth
from loupe_runner.health import HealthProbe


def test_a_cpu_runner_reports_cpu_memory_and_disk(tmp_path: Path) -> None:
    probe = HealthProbe("runner-a", "cpu", tmp_path)
    health = probe()
    assert (health.runner_id, health.device, health.gpus) == ("runner-a", "cpu", [])
    assert health.cpu_percent is not None and health.cpu_percent >= 0
    assert (
        health.memory_total_bytes
        and 0 < (health.memory_used_bytes or 0) <= health.memory_total_bytes
    )
    assert health.disk_free_bytes and health.disk_free_bytes > 0
    assert RunnerHealth.model_validate(health.wire()) == health


def test_a_reading_that_fails_is_left_out(tmp_path: Path) -> None:
    # A work folder that does not exist (yet): no disk reading, but the rest still arrives.
    health = HealthProbe("runner-a", "cpu", tmp_path / "missing")()
    assert health.disk_free_bytes is None and health.memory_total_bytes
    assert "diskFreeBytes" not in health.wire()


def test_a_gpu_device_without_a_gpu_reports_none(tmp_path: Path) -> None:
    # This machine has no NVIDIA driver; NVML and torch both come up empty, without an error.
    health = HealthProbe("runner-a", "cuda:0 (absent)", tmp_path)()
    assert health.gpus == [] and health.cpu_percent is not None
