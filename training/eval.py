"""Recompute every model's metrics from the ONNX files in the models dir, on the dev splits.

    npm run eval:models:py [-- --only ner,sentiment-en] [--models-dir DIR]

Checks each file against the manifest's sha256 first, then runs the model's own evaluate() (the same code the
build uses, with the tokenizer files shipped next to the model), merges the new numbers into the model's
`metrics` in <modelsDir>/manifest.json (and its entry.json), and writes training/out/metrics.json. Exits 1
when a file does not match its sha256 or a metric misses its target.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT_DIR, log, seed_everything  # noqa: E402

# The one list of models (training/models.json): which module re-scores each, and the metric it must reach.
CATALOG = {m["name"]: m for m in json.loads((Path(__file__).resolve().parent / "models.json").read_text(encoding="utf-8"))["models"]}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json(path: Path, value) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def lock(models_dir: Path) -> Path:
    path = models_dir / ".lock"
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        pid = int(path.read_text().strip() or 0)
        try:
            os.kill(pid, 0)
            sys.exit(f"eval: a build (pid {pid}) holds {path}; run again when it is done")
        except OSError:
            path.unlink(missing_ok=True)
            return lock(models_dir)
    os.write(fd, f"{os.getpid()}\n".encode())
    os.close(fd)
    return path


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--only", default=None)
    p.add_argument("--models-dir", default=os.environ.get("ANSWERGRAPH_MODELS_DIR", "~/.cache/answergraph/models"))
    args = p.parse_args()
    models_dir = Path(os.path.expanduser(args.models_dir)).resolve()
    manifest_path = models_dir / "manifest.json"
    if not manifest_path.exists():
        sys.exit(f"eval: no {manifest_path}; run `npm run models` first")
    only = set(args.only.split(",")) if args.only else None
    lock_path = lock(models_dir)
    try:
        seed_everything()
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        report, failures = {}, []
        for entry in manifest["models"]:
            name = entry["name"]
            if only and name not in only:
                continue
            spec = CATALOG.get(name)
            if spec is None:
                failures.append(f"{name}: in the manifest but not in training/models.json (built by an older checkout?)")
                continue
            model_dir = models_dir / entry["dir"]
            bad = [f for f, digest in entry["sha256"].items() if not (model_dir / f).exists() or sha256(model_dir / f) != digest]
            if bad:
                failures.append(f"{name}: files differ from manifest sha256: {', '.join(bad)}")
                continue
            t0 = time.time()
            log(f"evaluating {name}")
            module = importlib.import_module(spec["evalModule"])
            metrics = module.evaluate(model_dir, entry)
            entry["metrics"] = {**entry.get("metrics", {}), **metrics}
            key, minimum = spec["target"]["metric"], spec["target"]["min"]
            value = metrics[key]
            passed = value >= minimum
            report[name] = {
                "target": {key: minimum},
                "value": value,
                "passed": passed,
                "evalSeconds": round(time.time() - t0, 1),
                "metrics": {k: v for k, v in metrics.items() if k != "history"},
            }
            if not passed:
                failures.append(f"{name}: {key} {value} < {minimum}")
            log(f"{name}: {key} = {value} (target >= {minimum}) {'ok' if passed else 'MISSED'}")
            entry_path = model_dir / "entry.json"
            if entry_path.exists():
                on_disk = json.loads(entry_path.read_text(encoding="utf-8"))
                on_disk["metrics"] = entry["metrics"]
                write_json(entry_path, on_disk)
        write_json(manifest_path, manifest)
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        write_json(OUT_DIR / "metrics.json", {"modelsDir": str(models_dir), "models": report, "failures": failures})
        log(f"wrote {manifest_path} and {OUT_DIR / 'metrics.json'}")
        if failures:
            for f in failures:
                log("FAILED", f)
            sys.exit(1)
    finally:
        lock_path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
