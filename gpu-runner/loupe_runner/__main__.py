"""`python -m loupe_runner`: lease a job, run it, repeat; poll while idle.

stdout gets one `runner:` line per state change (idle, leased, each stage, outcome), so a
supervisor's log reads as a timeline; details and tracebacks go to stderr through logging.
SIGTERM or SIGINT stop cleanly: an idle runner exits at once, a busy one stops its job at the
next batch and leaves it to its lease (the server requeues it). A second signal exits hard.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from loupe_runner.client import RunnerClient, ServerError, ServerUnreachable
from loupe_runner.config import ConfigError, Settings, describe_device, load_settings
from loupe_runner.lease import StopSignal

if TYPE_CHECKING:
    from loupe_runner.contract import Lease
    from loupe_runner.job import JobResult

# While the server is away, polls back off up to this, so a long outage is not a busy loop.
MAX_IDLE_BACKOFF_S = 30.0


def say(line: str) -> None:
    print(f"runner: {line}", flush=True)


class Runner:
    def __init__(self, settings: Settings, client: RunnerClient, shutdown: StopSignal) -> None:
        self._settings = settings
        self._client = client
        self._shutdown = shutdown
        self._state = ""

    def _state_is(self, state: str) -> None:
        if state != self._state:
            self._state = state
            say(state)

    def run(self, once: bool = False) -> int:
        """Returns the exit status: 0, or 1 when --once ran a job that did not complete."""
        settings = self._settings
        device = describe_device(settings.device)
        say(f"{settings.runner_id} on {device}, server {settings.server_url}")
        say(f"work folder {settings.workdir}")
        self._preload()
        wait = settings.poll_seconds
        while not self._shutdown.is_set():
            try:
                lease = self._client.lease(settings.runner_id, device)
            except ServerUnreachable as error:
                self._state_is(f"server unreachable ({error}); retrying")
                if once:
                    return 1
                wait = min(wait * 2, MAX_IDLE_BACKOFF_S)
                self._shutdown.wait(wait)
                continue
            except ServerError as error:
                if error.status in (401, 403):
                    say(f"the server refused the runner token ({error.message})")
                    say("check that LOUPE_RUNNER_TOKEN matches the server's runner token")
                    return 2
                self._state_is(f"lease refused ({error}); retrying")
                if once:
                    return 1
                self._shutdown.wait(wait)
                continue
            wait = settings.poll_seconds
            if lease is None:
                self._state_is("idle, waiting for jobs")
                if once:
                    return 0
                self._shutdown.wait(wait)
                continue
            result = self._run_one(lease)
            if once:
                return 0 if result.outcome == "completed" else 1
        self._state_is("stopped")
        return 0

    def _preload(self) -> None:
        """Torch and Ultralytics take seconds to import (7 to 23 s on a busy 2-core machine).
        Imported before the first lease, not inside the first job, so that job's heartbeats and
        first batch wait for nothing. Settings are checked before this, so a typo still answers
        at once."""
        say("loading torch and Ultralytics")
        from loupe_runner import job, ultralytics_env  # noqa: F401  (job: its own imports)

        ultralytics_env.load(self._settings.workdir)  # Ultralytics, and torch with it
        say("ready")

    def _run_one(self, lease: Lease) -> JobResult:
        from loupe_runner.job import JobContext, run_job

        settings = self._settings
        context = JobContext(
            self._client,
            settings.workdir,
            settings.device,
            self._shutdown,
            runner_id=settings.runner_id,
            device_description=describe_device(settings.device),
            pretrained_url=settings.pretrained_url,
        )
        job, config = lease.job, lease.job.config
        prefix = f"job {job.id}: "
        self._state_is(
            f"{prefix}leased ({config.task}, {config.model}, {config.epochs} epochs, "
            f"imgsz {config.imgsz}, batch {config.batch})"
        )
        result = run_job(context, lease, lambda words: self._state_is(prefix + words))
        detail = result.model_version_id or result.error or ""
        self._state_is(f"{prefix}{result.outcome}" + (f" ({detail})" if detail else ""))
        return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loupe_runner", description=__doc__)
    parser.add_argument("--once", action="store_true", help="process at most one job, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="runner: %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request at INFO: a line per progress report would bury what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except ConfigError as error:
        say(str(error))
        return 2
    shutdown = StopSignal()

    def on_signal(number: int, _frame: FrameType | None) -> None:
        say(f"{signal.Signals(number).name} received; stopping")
        shutdown.request("shutdown")
        # A second signal takes the default action, for when a clean stop is taking too long.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with RunnerClient(settings.server_url, settings.token) as client:
        return Runner(settings, client, shutdown).run(once=args.once)


if __name__ == "__main__":
    sys.exit(main())
