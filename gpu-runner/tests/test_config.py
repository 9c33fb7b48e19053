"""Settings come from the environment, with the documented defaults and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from loupe_runner.config import ConfigError, load_settings, resolve_device


def test_defaults() -> None:
    settings = load_settings({"LOUPE_RUNNER_TOKEN": "t"})
    assert settings.server_url == "http://127.0.0.1:8787"
    assert settings.workdir == Path("data/runner").resolve()
    assert settings.poll_seconds == 2.0
    assert settings.device == resolve_device("auto") in ("0", "cpu")
    host, pid = settings.runner_id.rsplit("-", 1)
    assert host and pid.isdigit()


def test_everything_set() -> None:
    settings = load_settings(
        {
            "LOUPE_RUNNER_TOKEN": "t",
            "LOUPE_SERVER_URL": "https://loupe.example/",
            "LOUPE_RUNNER_WORKDIR": "/srv/runner",
            "LOUPE_RUNNER_ID": "box-1",
            "LOUPE_DEVICE": "cpu",
            "LOUPE_POLL_SECONDS": "0.5",
        }
    )
    assert (settings.server_url, settings.workdir, settings.runner_id) == (
        "https://loupe.example",
        Path("/srv/runner"),
        "box-1",
    )
    assert (settings.device, settings.poll_seconds) == ("cpu", 0.5)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "LOUPE_RUNNER_TOKEN is not set"),
        ({"LOUPE_RUNNER_TOKEN": "t", "LOUPE_POLL_SECONDS": "soon"}, "LOUPE_POLL_SECONDS"),
        ({"LOUPE_RUNNER_TOKEN": "t", "LOUPE_POLL_SECONDS": "0"}, "LOUPE_POLL_SECONDS"),
        ({"LOUPE_RUNNER_TOKEN": "t", "LOUPE_SERVER_URL": "loupe:8787"}, "http://"),
    ],
)
def test_bad_settings_are_explained(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_the_pretrained_download_url_defaults_to_ultralytics_releases() -> None:
    base = {"LOUPE_RUNNER_TOKEN": "t", "LOUPE_DEVICE": "cpu"}
    assert load_settings(base).pretrained_url == (
        "https://github.com/ultralytics/assets/releases/download/v8.4.0"
    )
    local = load_settings({**base, "LOUPE_PRETRAINED_URL": "http://127.0.0.1:9000/assets/"})
    assert local.pretrained_url == "http://127.0.0.1:9000/assets"
    with pytest.raises(ConfigError, match="LOUPE_PRETRAINED_URL must start with http"):
        load_settings({**base, "LOUPE_PRETRAINED_URL": "ftp://x"})
