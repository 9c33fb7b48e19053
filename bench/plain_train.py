"""Plain Ultralytics training of the fixture cards: the reference a training job is measured by.

Lays out the same images with the same train/val split the runner makes (same seed), then calls
`YOLO(...).train` with the runner's settings, and prints one JSON line: seconds and the last
epoch's metrics. Only the split is borrowed from loupe_runner, so the images match exactly.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "true")
os.environ.setdefault("YOLO_AUTOINSTALL", "false")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=Path, required=True, help="generate_cards.py output")
    parser.add_argument("--model", default="yolo11n")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--imgsz", type=int, default=128)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val-fraction", type=float, default=0.2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="loupe-plain-"))
    from loupe_runner import ultralytics_env  # the same offline set-up the runner uses
    from loupe_runner.materialise import split

    labels = json.loads((args.cards / "labels.json").read_text())
    by_sha = {}
    for image in labels["images"]:
        data = (args.cards / image["file"]).read_bytes()
        by_sha[hashlib.sha256(data).hexdigest()] = image
    train, val = split(list(by_sha), args.seed, args.val_fraction)
    for name, shas in (("train", train), ("val", val)):
        (work / "images" / name).mkdir(parents=True)
        (work / "labels" / name).mkdir(parents=True)
        for sha in shas:
            image = by_sha[sha]
            shutil.copy(args.cards / image["file"], work / "images" / name / f"{sha}.jpg")
            lines = [
                f"{b['classIndex']} {b['x'] + b['w'] / 2:.6f} {b['y'] + b['h'] / 2:.6f} "
                f"{b['w']:.6f} {b['h']:.6f}\n"
                for b in image["boxes"]
            ]
            (work / "labels" / name / f"{sha}.txt").write_text("".join(lines))
    data = {"path": str(work), "train": "images/train", "val": "images/val"}
    (work / "data.yaml").write_text(json.dumps({**data, "names": labels["classes"]}))

    start = time.perf_counter()
    ultralytics = ultralytics_env.load(work / "runner")
    model = ultralytics.YOLO(f"{args.model}.yaml")
    model.train(
        data=str(work / "data.yaml"),
        epochs=args.epochs,
        imgsz=args.imgsz,
        batch=args.batch,
        seed=args.seed,
        device="cpu",
        workers=0,
        project=str(work / "runs"),
        name="plain",
        exist_ok=True,
        plots=False,
        val=True,
        verbose=False,
        amp=False,
    )
    seconds = time.perf_counter() - start
    with (work / "runs" / "plain" / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    last = {k.strip(): float(v) for k, v in rows[-1].items() if k.strip() not in ("epoch", "time")}
    print(json.dumps({"seconds": seconds, "epochs": len(rows), "metrics": last}))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
