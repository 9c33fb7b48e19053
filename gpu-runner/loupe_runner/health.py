"""The runner machine's health, sent with every heartbeat so an unattended run can be checked.

Everything is best effort: a reading that fails is left out (the contract makes each optional),
and nothing here may ever stop a job. psutil comes with Ultralytics; GPU numbers come from NVML
(nvidia-ml-py, installed with torch's CUDA builds) and, failing that, from torch itself.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import psutil

from loupe_runner.contract import GpuHealth, RunnerHealth

log = logging.getLogger(__name__)
T = TypeVar("T")


class HealthProbe:
    """Call it for a fresh reading; cheap enough for every heartbeat (no sampling sleeps)."""

    def __init__(self, runner_id: str, device: str, workdir: Path) -> None:
        self._runner_id = runner_id
        self._device = device
        self._workdir = workdir
        self._nvml: Any = None
        self._nvml_tried = False
        # psutil's first cpu_percent(None) is a meaningless 0.0; this primes the next reading.
        _quietly(lambda: psutil.cpu_percent(interval=None))

    def __call__(self) -> RunnerHealth:
        fields: dict[str, Any] = {"runnerId": self._runner_id, "device": self._device[:120]}
        cpu = _quietly(lambda: float(psutil.cpu_percent(interval=None)))
        if cpu is not None:
            fields["cpuPercent"] = cpu
        memory = _quietly(psutil.virtual_memory)
        if memory is not None:
            fields["memoryUsedBytes"] = float(memory.total - memory.available)
            fields["memoryTotalBytes"] = float(memory.total)
        disk = _quietly(lambda: shutil.disk_usage(self._workdir))
        if disk is not None:
            fields["diskFreeBytes"] = float(disk.free)
        fields["gpus"] = [gpu.wire() for gpu in self._gpus()]
        return RunnerHealth.model_validate(fields)

    def _gpus(self) -> list[GpuHealth]:
        if self._device == "cpu":
            return []
        return _quietly(self._nvml_gpus) or _quietly(_torch_gpus) or []

    def _nvml_gpus(self) -> list[GpuHealth]:
        if not self._nvml_tried:
            self._nvml_tried = True
            import pynvml

            pynvml.nvmlInit()
            self._nvml = pynvml
        nvml = self._nvml
        if nvml is None:
            return []
        gpus = []
        for index in range(nvml.nvmlDeviceGetCount()):
            handle = nvml.nvmlDeviceGetHandleByIndex(index)
            name = nvml.nvmlDeviceGetName(handle)
            fields: dict[str, Any] = {"name": name.decode() if isinstance(name, bytes) else name}
            rates = _quietly(partial(nvml.nvmlDeviceGetUtilizationRates, handle))
            if rates is not None:
                fields["utilizationPercent"] = float(rates.gpu)
            memory = _quietly(partial(nvml.nvmlDeviceGetMemoryInfo, handle))
            if memory is not None:
                fields["memoryUsedBytes"] = float(memory.used)
                fields["memoryTotalBytes"] = float(memory.total)
            sensor = nvml.NVML_TEMPERATURE_GPU
            temperature = _quietly(partial(nvml.nvmlDeviceGetTemperature, handle, sensor))
            if temperature is not None:
                fields["temperatureC"] = float(temperature)
            gpus.append(GpuHealth.model_validate(fields))
        return gpus


def _torch_gpus() -> list[GpuHealth]:
    """Without NVML torch still knows each GPU's name and memory (no utilisation or heat)."""
    import torch

    if not torch.cuda.is_available():
        return []
    gpus = []
    for index in range(torch.cuda.device_count()):
        free, total = torch.cuda.mem_get_info(index)
        gpus.append(
            GpuHealth(
                name=torch.cuda.get_device_name(index),
                memory_used_bytes=float(total - free),
                memory_total_bytes=float(total),
            )
        )
    return gpus


def _quietly(read: Callable[[], T]) -> T | None:
    try:
        return read()
    except Exception as error:  # a missing sensor or driver must never stop training
        log.debug("health reading failed: %s", error)
        return None
