"""A small, real HTTP server speaking the runner protocol, for tests of the client and the job.

It runs in a thread on a loopback port, so the runner's httpx client crosses a real socket.
It keeps just enough state to check what a runner did (events, health, checkpoints, artifacts,
complete, fail) and has switches for the awkward cases: cancel, lost lease, transient 503s,
missing or bad blobs, a lease that hands over a checkpoint or a model version's best.pt.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "runner-secret"
LEASE_TOKEN = "lease-1"


def job_json(job_id: str, dataset_version_id: str, **config: Any) -> dict[str, Any]:
    return {
        "id": job_id,
        "status": "preparing",
        "config": {
            "datasetVersionId": dataset_version_id,
            "task": "detect",
            "model": "yolo11n",
            "epochs": 2,
            "imgsz": 64,
            "batch": 4,
            "seed": 0,
            "valFraction": 0.25,
            "checkpointEvery": 5,
            "hyperparameters": {},
            **config,
        },
        "progress": None,
        "health": None,
        "checkpointEpoch": None,
        "error": None,
        "modelVersionId": None,
        "createdAt": "2026-11-23T10:00:00.000Z",
        "updatedAt": "2026-11-23T10:00:00.000Z",
    }


@dataclass
class State:
    queue: list[dict[str, Any]] = field(default_factory=list)  # jobs to lease, in order
    lease_seconds: int = 60
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    corrupt_blobs: set[str] = field(default_factory=set)
    # Switches for the awkward cases.
    unavailable: int = 0  # answer this many next requests with 503
    lease_delay: float = 0.0  # seconds before answering a lease (to time a client out)
    cancel_after_epoch: bool = False  # heartbeats say cancelRequested once an epoch arrived
    cancel_in_event_replies: bool = True  # ... and so do event replies (False: heartbeats only)
    lose_lease_after_epoch: bool = False  # writes get 409 lease_lost once an epoch arrived
    hand_over_checkpoint: bool = False  # leases carry the newest stored checkpoint
    # Model versions by id -> their artifacts; a job's baseWeights of kind "model-version"
    # leases with that version's best.pt, as the real server resolves it.
    model_versions: dict[str, dict[str, bytes]] = field(default_factory=dict)
    # Job id -> the split a lease carries ({"train", "val", "test"} of sha256s); absent: none,
    # as an older server sends.
    splits: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # Official pretrained files the server holds, by name (its weights folder); a pretrained
    # start for any other name leases as "fetch it yourself", with the pin below if any.
    pretrained: dict[str, bytes] = field(default_factory=dict)
    pretrained_pins: dict[str, str] = field(default_factory=dict)
    # What the runner did.
    requests: list[tuple[str, str]] = field(default_factory=list)
    lease_bodies: list[dict[str, Any]] = field(default_factory=list)
    heartbeats: int = 0
    heartbeat_bodies: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: dict[int, bytes] = field(default_factory=dict)  # epoch -> bytes, as uploaded
    events: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[str, bytes] = field(default_factory=dict)
    artifact_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    completed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    blob_downloads: list[str] = field(default_factory=list)

    def epochs_seen(self) -> bool:
        return any(event["type"] == "epoch" for event in self.events)

    def epochs(self) -> list[int]:
        return [event["epoch"] for event in self.events if event["type"] == "epoch"]

    def notices(self) -> list[str]:
        return [event["message"] for event in self.events if event["type"] == "notice"]

    def newest_checkpoint(self) -> dict[str, Any] | None:
        if not self.checkpoints:
            return None
        epoch = max(self.checkpoints)
        data = self.checkpoints[epoch]
        return {"epoch": epoch, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    def resolve_base_weights(self, base: dict[str, Any] | None) -> dict[str, Any] | None:
        if base is None:
            return None
        if base["kind"] == "pretrained":
            if base["name"] not in self.pretrained:
                return None
            data = self.pretrained[base["name"]]
            self.blobs[hashlib.sha256(data).hexdigest()] = data
        elif base["kind"] == "model-version":
            data = self.model_versions[base["modelVersionId"]]["best.pt"]
            self.blobs[hashlib.sha256(data).hexdigest()] = data
        else:
            data = self.blobs[base["sha256"]]
        return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    def pretrained_fetch(self, base: dict[str, Any] | None) -> dict[str, Any] | None:
        if base is None or base["kind"] != "pretrained" or base["name"] in self.pretrained:
            return None
        return {"name": base["name"], "sha256": self.pretrained_pins.get(base["name"])}

    def cancelling(self) -> bool:
        return self.cancel_after_epoch and self.epochs_seen()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    query: dict[str, str]

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    # --- plumbing ---------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            state.requests.append((method, self.path))
            if state.unavailable > 0:
                state.unavailable -= 1
                return self._error(503, "unavailable", "try again")
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._error(401, "unauthorized", "bad runner token")
            url = urlsplit(self.path)
            self.query = {k: v[0] for k, v in parse_qs(url.query).items()}
            for pattern, route_method, handler in _ROUTES:
                match = re.fullmatch(pattern, url.path)
                if match and route_method == method:
                    handler(self, state, body, *match.groups())
                    return
            self._error(404, "not_found", f"no route for {method} {self.path}")

    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _empty(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _error(self, status: int, code: str, message: str) -> None:
        self._json(status, {"error": {"code": code, "message": message}})

    def _lease_ok(self, state: State, token: str | None) -> bool:
        if token != LEASE_TOKEN or (state.lose_lease_after_epoch and state.epochs_seen()):
            self._error(409, "lease_lost", "this lease token no longer holds the job")
            return False
        return True

    # --- routes -----------------------------------------------------------------------------

    def lease(self, state: State, body: bytes) -> None:
        state.lease_bodies.append(json.loads(body))
        time.sleep(state.lease_delay)
        if not state.queue:
            return self._empty(204)
        job = state.queue.pop(0)
        checkpoint = state.newest_checkpoint() if state.hand_over_checkpoint else None
        lease = {
            "job": job,
            "leaseToken": LEASE_TOKEN,
            "leaseSeconds": state.lease_seconds,
            "checkpoint": checkpoint,
            "baseWeights": state.resolve_base_weights(job["config"].get("baseWeights")),
            "split": state.splits.get(job["id"]),
            "pretrained": state.pretrained_fetch(job["config"].get("baseWeights")),
        }
        self._json(200, lease)

    def heartbeat(self, state: State, body: bytes, _job: str) -> None:
        request = json.loads(body)
        if self._lease_ok(state, request.get("leaseToken")):
            state.heartbeats += 1
            state.heartbeat_bodies.append(request)
            reply = {"leaseSeconds": state.lease_seconds, "cancelRequested": state.cancelling()}
            self._json(200, reply)

    def put_checkpoint(self, state: State, body: bytes, _job: str) -> None:
        if self._lease_ok(state, self.headers.get("x-lease-token")):
            epoch = int(self.query["epoch"])
            state.checkpoints[epoch] = body
            digest = hashlib.sha256(body).hexdigest()
            self._json(201, {"epoch": epoch, "sha256": digest, "bytes": len(body)})

    def get_checkpoint(self, state: State, _body: bytes, _job: str) -> None:
        if not self._lease_ok(state, self.headers.get("x-lease-token")):
            return
        newest = state.newest_checkpoint()
        if newest is None:
            return self._error(404, "not_found", "the job has no checkpoint")
        data = state.checkpoints[newest["epoch"]]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def manifest(self, state: State, _body: bytes, version: str) -> None:
        if version not in state.manifests:
            return self._error(404, "not_found", "no such dataset version")
        self._json(200, state.manifests[version])

    def blob(self, state: State, _body: bytes, sha: str) -> None:
        state.blob_downloads.append(sha)
        if sha not in state.blobs:
            return self._error(404, "not_found", "no such blob")
        data = state.blobs[sha] if sha not in state.corrupt_blobs else b"not the right bytes"
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def events(self, state: State, body: bytes, _job: str) -> None:
        request = json.loads(body)
        if self._lease_ok(state, request.get("leaseToken")):
            state.events.extend(request["events"])
            cancel = state.cancel_in_event_replies and state.cancelling()
            self._json(200, {"accepted": len(request["events"]), "cancelRequested": cancel})

    def artifact(self, state: State, body: bytes, _job: str, name: str) -> None:
        if self._lease_ok(state, self.headers.get("x-lease-token")):
            state.artifacts[name] = body
            state.artifact_headers[name] = dict(self.headers.items())
            self._json(201, {"sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)})

    def complete(self, state: State, body: bytes, job: str) -> None:
        if self._lease_ok(state, json.loads(body).get("leaseToken")):
            if {"model.onnx", "metadata.json"} - set(state.artifacts):
                return self._error(409, "artifacts_missing", "upload both artifacts first")
            state.completed.append(job)
            state.model_versions[f"model-of-{job}"] = dict(state.artifacts)
            self._json(200, {"modelVersionId": f"model-of-{job}"})

    def fail(self, state: State, body: bytes, _job: str) -> None:
        request = json.loads(body)
        if self._lease_ok(state, request.get("leaseToken")):
            state.failed.append(request["error"])
            self._json(200, {})


_JOB = r"/api/runner/jobs/([^/]+)"
_ROUTES: list[tuple[str, str, Callable[..., None]]] = [
    (r"/api/runner/lease", "POST", _Handler.lease),
    (rf"{_JOB}/heartbeat", "POST", _Handler.heartbeat),
    (r"/api/dataset-versions/([0-9a-f]{64})/manifest", "GET", _Handler.manifest),
    (r"/api/blobs/([0-9a-f]{64})", "GET", _Handler.blob),
    (rf"{_JOB}/events", "POST", _Handler.events),
    (rf"{_JOB}/checkpoint", "PUT", _Handler.put_checkpoint),
    (rf"{_JOB}/checkpoint", "GET", _Handler.get_checkpoint),
    (
        rf"{_JOB}/artifacts/([A-Za-z0-9_-][A-Za-z0-9_.-]{{0,80}}\.(?:onnx|json|pt|png|jpg|csv))",
        "PUT",
        _Handler.artifact,
    ),
    (rf"{_JOB}/complete", "POST", _Handler.complete),
    (rf"{_JOB}/fail", "POST", _Handler.fail),
]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state
        self.lock = threading.Lock()


class FakeServer:
    """`with FakeServer() as server:` serves on `server.url` until the block ends."""

    def __init__(self, state: State | None = None) -> None:
        self.state = state or State()
        self._server = _Server(self.state)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval makes shutdown (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
