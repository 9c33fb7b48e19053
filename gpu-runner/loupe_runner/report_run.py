"""Report a training run you start yourself (plain Ultralytics) into Loupe, like a queued job.

    from ultralytics import YOLO
    from loupe_runner.report_run import report_to_loupe

    model = YOLO("yolo11n.yaml")
    report_to_loupe(model, server="http://127.0.0.1:8787", token="<user token>", name="my run")
    model.train(data="data.yaml", epochs=50)

Once Ultralytics has loaded the data (on_pretrain_routine_end) the run is registered
(POST /api/runs) and appears among Loupe's training jobs; then batch progress (about once a
second), every epoch's metrics under Ultralytics' own names (the runner's train.Reporter makes
them, so a reported run and a queued job chart the same keys) and at the end the final
validation of best.pt and "completed", or "failed" with the exception when train() raised.

Cancel training on the job page: the answer to the next report says so, and training stops
after that batch the way Ultralytics' own stop works (trainer.stop), so train() returns normally
with the weights saved so far.

Nothing here may break the training. Events go out from a background thread (the runner's
Outbox), and when the server cannot be reached the helper warns once and training goes on;
the events wait and are retried every few seconds until training ends.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Any, get_args

from loupe_runner.client import RunnerClient, ServerError, ServerUnreachable
from loupe_runner.contract import (
    AnyReportEvent,
    AnyRunnerEvent,
    EpochEvent,
    EventsReply,
    ExternalRunConfig,
    ExternalRunEventsRequest,
    FinishCompleted,
    FinishFailed,
    NoticeEvent,
    ProgressEvent,
    RunReply,
    Task,
)
from loupe_runner.lease import StopSignal
from loupe_runner.outbox import Outbox, OutboxUndelivered
from loupe_runner.train import REPORTER_EVENTS, Reporter

log = logging.getLogger(__name__)

FLUSH_SECONDS = 10.0  # how long the end of training waits for undelivered reports
MAX_ERROR = 4000


class RunClient(RunnerClient):
    """The /api/runs endpoints, with the runner client's retries (user token)."""

    def create_run(self, config: ExternalRunConfig) -> RunReply:
        # Not idempotent: retried only when the request never left, so a lost answer cannot
        # register the same training twice.
        response = self._send("POST", "/api/runs", json=config.wire(), idempotent=False)
        return RunReply.model_validate(response.json())

    def post_run_events(self, run_id: str, events: list[AnyReportEvent]) -> EventsReply:
        body = ExternalRunEventsRequest(events=events).wire()
        response = self._send("POST", f"/api/runs/{run_id}/events", json=body)
        return EventsReply.model_validate(response.json())

    def finish_run(self, run_id: str, finish: FinishCompleted | FinishFailed) -> RunReply:
        response = self._send("POST", f"/api/runs/{run_id}/finish", json=finish.wire())
        return RunReply.model_validate(response.json())


class _Warnings:
    """Says each kind of trouble once: a script's console is not a log to flood."""

    def __init__(self) -> None:
        self._said: set[str] = set()

    def once(self, kind: str, message: str) -> None:
        if kind not in self._said:
            self._said.add(kind)
            log.warning("Loupe: %s", message)


class _RunOutbox(Outbox):
    """The runner's outbox (ordered batches, stale progress dropped, retries) posting to a run."""

    def __init__(self, client: RunClient, run_id: str, stop: StopSignal, warn: _Warnings) -> None:
        super().__init__(client, run_id, "", stop)
        self._runs = client
        self._warn = warn

    def _post(self, batch: list[AnyRunnerEvent]) -> bool:
        # The reporter sends no status moves: a reported run's status is the server's to keep.
        events = [e for e in batch if isinstance(e, ProgressEvent | EpochEvent | NoticeEvent)]
        try:
            reply = self._runs.post_run_events(self._job_id, events) if events else None
        except ServerError as error:
            # Read and refused (the run ended, a wrong token): sending them again cannot help.
            self._warn.once(f"refused-{error.code}", f"the server refused the reports: {error}")
            return True
        except ServerUnreachable as error:
            self._warn.once("unreachable", f"reports are not arriving ({error}); retrying")
            return False
        if reply is not None and reply.cancel_requested:
            self._stop.request("cancelled")
        return True


class LoupeRun:
    """Ultralytics callbacks that report one model's trainings (each train() call is a run)."""

    def __init__(self, client: RunClient, name: str | None, server: str) -> None:
        self._client = client
        self._name = name
        self._server = server
        self._warn = _Warnings()
        self._stop = StopSignal()
        self._reporter = Reporter(self._put, final_plots=False)
        self._outbox: _RunOutbox | None = None
        self._ended = False
        self.run_id: str | None = None

    def attach(self, model: Any) -> None:
        model.add_callback("on_pretrain_routine_end", self.on_pretrain_routine_end)
        for event in REPORTER_EVENTS:
            # Through self: each train() call gets a fresh reporter, the callbacks stay.
            model.add_callback(event, functools.partial(self._forward, event))
        # After the reporter's, so a cancel in the answer to this batch's report stops here.
        model.add_callback("on_train_batch_end", self.stop_if_cancelled)
        model.add_callback("on_fit_epoch_end", self.stop_if_cancelled)
        model.add_callback("on_train_end", self.on_train_end)
        model.add_callback("teardown", self.teardown)

    def on_pretrain_routine_end(self, trainer: Any) -> None:
        """Ultralytics has resolved the data, epochs and image size: register the run."""
        self._stop = StopSignal()
        self._reporter = Reporter(self._put, final_plots=False, resuming=bool(trainer.args.resume))
        self._ended, self.run_id = False, None
        config = _config(trainer, self._name)
        if config is None:
            self._warn.once("task", f"Loupe shows no {trainer.args.task} runs; not reported")
            return
        try:
            self.run_id = self._client.create_run(config).id
        except (ServerError, ServerUnreachable) as error:
            self._warn.once("register", f"could not register the run at {self._server}: {error}")
            return
        print(f"Loupe: this run is at {self._server.rstrip('/')}/jobs/{self.run_id}", flush=True)
        outbox = _RunOutbox(self._client, self.run_id, self._stop, self._warn)
        outbox.__enter__()
        self._outbox = outbox

    def stop_if_cancelled(self, trainer: Any) -> None:
        if self._stop.reason == "cancelled" and not trainer.stop:
            self._warn.once("cancel", "the run was cancelled in Loupe; training stops now")
            trainer.stop = True  # Ultralytics ends the epoch here, validates and saves

    def on_train_end(self, trainer: Any) -> None:
        metrics = self._reporter.final_metrics or self._reporter.epoch_metrics
        self._finish(FinishCompleted(metrics=metrics or None))

    def teardown(self, trainer: Any) -> None:
        """Runs when train() returns or raises; without on_train_end before it, it raised."""
        if not self._ended:
            error = sys.exception()
            reason = f"{type(error).__name__}: {error}" if error else "training stopped early"
            self._finish(FinishFailed(error=reason[:MAX_ERROR]))
        if self._outbox is not None:
            self._outbox.__exit__(None, None, None)
            self._outbox = None

    def _forward(self, event: str, trainer: Any) -> None:
        getattr(self._reporter, event)(trainer)

    def _put(self, event: AnyRunnerEvent) -> None:
        if self._outbox is not None:
            self._outbox.put(event)

    def _finish(self, finish: FinishCompleted | FinishFailed) -> None:
        self._ended = True
        if self._outbox is None or self.run_id is None:
            return
        try:
            self._outbox.flush(FLUSH_SECONDS)
            self._client.finish_run(self.run_id, finish)
        except (OutboxUndelivered, ServerError, ServerUnreachable) as error:
            self._warn.once("finish", f"could not report the end of the run: {error}")


def report_to_loupe(
    model: Any,
    server: str,
    token: str,
    name: str | None = None,
    *,
    timeout: float = 10.0,
) -> LoupeRun:
    """Reports `model`'s next train() calls to the Loupe server at `server` with the user
    `token` (printed by `npm start`, kept in data/tokens.json). `name` shows in the job list;
    by default the name of Ultralytics' run folder (train, train2, ...)."""
    client = RunClient(server, token, timeout=timeout, retries=2, backoff=0.5)
    run = LoupeRun(client, name, server)
    run.attach(model)
    return run


_TASKS: tuple[str, ...] = get_args(Task)


def _config(trainer: Any, name: str | None) -> ExternalRunConfig | None:
    task = str(trainer.args.task)
    if task not in _TASKS:
        return None  # pose, obb: the dashboard has no place for them yet
    imgsz = trainer.args.imgsz
    return ExternalRunConfig.model_validate(
        {
            "name": name or Path(str(trainer.save_dir)).name,
            "task": task,
            # The file name only: where the script keeps its files is nobody else's business.
            "model": Path(str(trainer.args.model)).name,
            "epochs": int(trainer.epochs),
            "imgsz": int(max(imgsz) if isinstance(imgsz, list | tuple) else imgsz),
        }
    )
