"""Runner settings, read from the environment once; nothing else reads os.environ for them."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    server_url: str
    token: str
    workdir: Path
    runner_id: str
    device: str  # an Ultralytics device string: "cpu", "0", "0,1"
    poll_seconds: float
    pretrained_url: str  # the base URL official weights are fetched from, name appended


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    token = env.get("LOUPE_RUNNER_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "LOUPE_RUNNER_TOKEN is not set: give the runner the token the server was started "
            "with (the server's runner token), e.g. LOUPE_RUNNER_TOKEN=... python -m loupe_runner"
        )
    server_url = env.get("LOUPE_SERVER_URL", "").strip() or "http://127.0.0.1:8787"
    if not server_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"LOUPE_SERVER_URL must start with http:// or https://, not {server_url!r}"
        )
    poll_text = env.get("LOUPE_POLL_SECONDS", "").strip() or "2"
    try:
        poll_seconds = float(poll_text)
    except ValueError:
        poll_seconds = -1.0
    if not poll_seconds > 0:
        raise ConfigError(f"LOUPE_POLL_SECONDS must be a positive number, not {poll_text!r}")
    return Settings(
        server_url=server_url.rstrip("/"),
        token=token,
        workdir=Path(env.get("LOUPE_RUNNER_WORKDIR", "").strip() or "./data/runner").resolve(),
        runner_id=(env.get("LOUPE_RUNNER_ID", "").strip() or default_runner_id())[:120],
        device=resolve_device(env.get("LOUPE_DEVICE", "").strip() or "auto"),
        poll_seconds=poll_seconds,
        pretrained_url=_pretrained_url(env),
    )


def _pretrained_url(env: Mapping[str, str]) -> str:
    from loupe_runner.pretrained import DEFAULT_URL

    url = env.get("LOUPE_PRETRAINED_URL", "").strip() or DEFAULT_URL
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"LOUPE_PRETRAINED_URL must start with http:// or https://, not {url!r}")
    return url.rstrip("/")


def default_runner_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def resolve_device(device: str) -> str:
    """`auto` means the first GPU when torch sees one; anything else goes to Ultralytics as is."""
    if device != "auto":
        return device
    import torch  # imported here: it takes seconds and only `auto` needs it

    return "0" if torch.cuda.is_available() else "cpu"


def describe_device(device: str) -> str:
    """What the runner tells the server it trains on, e.g. "cuda:0 NVIDIA H100 80GB HBM3"."""
    if device == "cpu":
        return "cpu"
    import torch

    if not torch.cuda.is_available():
        return device
    first = int(device.split(",")[0]) if device.split(",")[0].isdigit() else 0
    return f"cuda:{device} {torch.cuda.get_device_name(first)}"[:120]
