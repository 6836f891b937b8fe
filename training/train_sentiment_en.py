"""sentiment-en: English sentiment (negative / neutral / positive / ambiguous) from GoEmotions.

Labels: each comment's emotions are mapped to groups with goemotions/sentiment_dict.json (27 emotions ->
positive / negative / ambiguous) and `neutral` -> neutral. A comment gets
  - the one polar group (positive or negative) it has, if exactly one (e.g. joy + surprise -> positive);
  - otherwise its single group (neutral, ambiguous);
  - comments with both positive and negative emotions, or neutral + ambiguous, are dropped (mixed).
Consumers that want three classes fold `ambiguous` into `neutral` or take the argmax over the first three logits.

Split: train.tsv minus a seeded 10 % holdout (epoch selection + temperature calibration); metrics on the official
dev.tsv: 3-class macro-F1 over comments labelled negative/neutral/positive with argmax over those three logits
(target >= 0.65), 4-class macro-F1, accuracy, and ECE before/after temperature scaling.

Model: all-MiniLM-L6-v2 encoder + mean pooling + linear head, fine-tuned end to end; ONNX inputs
input_ids / attention_mask / token_type_ids, output `logits` [batch, 4]; probabilities = softmax(logits / T) with
T = calibration.temperature from the manifest.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import numpy as np
import torch

from common import (
    DATASETS_DIR,
    SMOKE,
    MINILM_SOURCE,
    TOKENIZER_FILES,
    log,
    main_guard,
    minilm_dir,
    ort_session,
    parse_args,
    save_tokenizer,
    seed_everything,
    write_entry,
)
from finetune import (
    SEED,
    SequenceClassifier,
    Timer,
    ece,
    export_onnx,
    fit_temperature,
    autocast,
    freeze_word_embeddings,
    length_batches,
    make_optimizer,
    use_bf16,
    pad,
    softmax,
)

LABELS = ["negative", "neutral", "positive", "ambiguous"]
THREE = [0, 1, 2]
MAX_LENGTH = 128
TARGET_MACRO_F1_3 = 0.65
HPARAMS = {"epochs": 1, "batch_size": 32, "frozenWordEmbeddings": True, "lr": 8e-5, "head_lr": 1e-3, "weight_decay": 0.01, "warmup": 0.06, "holdout": 0.1}


def load_split(split: str):
    emotions = (DATASETS_DIR / "goemotions" / "emotions.txt").read_text(encoding="utf-8").split()
    groups = json.loads((DATASETS_DIR / "goemotions" / "sentiment_dict.json").read_text(encoding="utf-8"))
    group_of = {e: g for g, es in groups.items() for e in es}
    group_of["neutral"] = "neutral"
    texts, labels, dropped = [], [], 0
    with open(DATASETS_DIR / "goemotions" / f"{split}.tsv", newline="", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            gs = {group_of[emotions[int(i)]] for i in row[1].split(",")}
            polar = gs & {"positive", "negative"}
            if len(polar) == 1:
                label = polar.pop()
            elif len(polar) == 0 and len(gs) == 1:
                label = next(iter(gs))
            else:
                dropped += 1
                continue
            texts.append(row[0])
            labels.append(LABELS.index(label))
    return texts, np.array(labels, dtype=np.int64), dropped


def encode(tok, texts):
    enc = tok(texts, truncation=True, max_length=MAX_LENGTH)
    return enc["input_ids"]


def predict_logits(model, ids_list, batch_size=128, bf16=False):
    model.eval()
    out = np.zeros((len(ids_list), len(LABELS)), dtype=np.float32)
    order = sorted(range(len(ids_list)), key=lambda i: len(ids_list[i]))
    with torch.no_grad(), autocast(bf16):
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            ids = pad([ids_list[i] for i in idx])
            mask = (ids != 0).long()
            out[idx] = model(ids, mask, torch.zeros_like(ids)).float().numpy()
    return out


def scores(logits: np.ndarray, y: np.ndarray) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    three = np.isin(y, THREE)
    pred3 = logits[three][:, THREE].argmax(1)
    pred4 = logits.argmax(1)
    return {
        "macroF1_3class": round(float(f1_score(y[three], pred3, average="macro")), 4),
        "accuracy_3class": round(float(accuracy_score(y[three], pred3)), 4),
        "macroF1_4class": round(float(f1_score(y, pred4, average="macro")), 4),
        "accuracy_4class": round(float(accuracy_score(y, pred4)), 4),
        "f1PerLabel": {
            LABELS[i]: round(float(v), 4) for i, v in enumerate(f1_score(y, pred4, average=None, labels=list(range(len(LABELS)))))
        },
    }


def onnx_logits(model_path: Path, ids_list) -> np.ndarray:
    sess = ort_session(model_path)
    logits = np.zeros((len(ids_list), len(LABELS)), dtype=np.float32)
    order = sorted(range(len(ids_list)), key=lambda i: len(ids_list[i]))
    for b in range(0, len(order), 64):
        idx = order[b : b + 64]
        ids = pad([ids_list[i] for i in idx]).numpy()
        feeds = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64), "token_type_ids": np.zeros_like(ids)}
        logits[idx] = sess.run(["logits"], feeds)[0]
    return logits


def evaluate(model_dir: Path, entry: dict, return_logits: bool = False):
    """Dev metrics of the ONNX model in model_dir, tokenised with the tokenizer files shipped next to it."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    x_dev, y_dev, _ = load_split("dev")
    if SMOKE:
        x_dev, y_dev = x_dev[:300], y_dev[:300]
    logits = onnx_logits(model_dir / "model.onnx", encode(tok, x_dev))
    temperature = entry["calibration"]["temperature"]
    metrics = {
        "split": "goemotions dev.tsv (official)",
        "devExamples": int(len(y_dev)),
        "devExamples3class": int(np.isin(y_dev, THREE).sum()),
        **scores(logits, y_dev),
        "target": {"macroF1_3class": TARGET_MACRO_F1_3},
        "eceDevUncalibrated": round(ece(softmax(logits), y_dev), 4),
        "eceDevCalibrated": round(ece(softmax(logits / temperature), y_dev), 4),
    }
    return (metrics, logits) if return_logits else metrics


def main() -> None:
    args = parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seed_everything()
    tok = save_tokenizer(out, MAX_LENGTH)

    x_all, y_all, dropped_train = load_split("train")
    x_dev, y_dev, dropped_dev = load_split("dev")
    if SMOKE:
        x_all, y_all, x_dev, y_dev = x_all[:600], y_all[:600], x_dev[:300], y_dev[:300]
    idx = list(range(len(x_all)))
    random.Random(SEED).shuffle(idx)
    n_hold = int(len(idx) * HPARAMS["holdout"])
    hold, train = idx[:n_hold], idx[n_hold:]
    x_tr, y_tr = [x_all[i] for i in train], y_all[train]
    x_ho, y_ho = [x_all[i] for i in hold], y_all[hold]
    log(f"train {len(x_tr)} holdout {len(x_ho)} dev {len(x_dev)}; dropped mixed: train {dropped_train} dev {dropped_dev}")
    log("train label counts", {LABELS[i]: int((y_tr == i).sum()) for i in range(len(LABELS))})

    ids_tr, ids_ho, ids_dev = encode(tok, x_tr), encode(tok, x_ho), encode(tok, x_dev)
    lengths = [len(s) for s in ids_tr]

    model = SequenceClassifier(len(LABELS))
    freeze_word_embeddings(model)
    bf16 = use_bf16()
    log(f"bf16 autocast: {bf16}; threads {torch.get_num_threads()}")
    epochs, bs = HPARAMS["epochs"], HPARAMS["batch_size"]
    steps_per_epoch = math_ceil(len(ids_tr), bs)
    opt, sched = make_optimizer(model, HPARAMS["lr"], HPARAMS["head_lr"], HPARAMS["weight_decay"], steps_per_epoch * epochs, HPARAMS["warmup"])
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch_seconds, history, best = [], [], None
    for epoch in range(epochs):
        model.train()
        timer = Timer()
        running = 0.0
        for step, batch in enumerate(length_batches(lengths, bs, seed=SEED + epoch)):
            ids = pad([ids_tr[i] for i in batch])
            mask = (ids != 0).long()
            with autocast(bf16):
                logits = model(ids, mask, torch.zeros_like(ids))
            loss = loss_fn(logits.float(), torch.from_numpy(y_tr[batch]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            running += loss.item()
            if (step + 1) % 200 == 0:
                log(f"epoch {epoch + 1} step {step + 1}/{steps_per_epoch} loss {running / 200:.4f} ({timer():.0f}s)")
                running = 0.0
        epoch_seconds.append(round(timer(), 1))
        ho = scores(predict_logits(model, ids_ho, bf16=bf16), y_ho)
        history.append({"epoch": epoch + 1, "seconds": epoch_seconds[-1], "holdout": ho})
        log(f"epoch {epoch + 1} done in {epoch_seconds[-1]:.0f}s; holdout {ho}")
        if best is None or ho["macroF1_3class"] > best[0]:
            best = (ho["macroF1_3class"], epoch + 1, {k: v.detach().clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    log(f"using epoch {best[1]}")

    # Temperature on the train holdout.
    ho_logits = predict_logits(model, ids_ho)
    temperature = fit_temperature(ho_logits, y_ho)
    log(f"temperature {temperature:.4f}")

    # Export and measure the ONNX model on dev.
    shutil.copy2(minilm_dir() / "config.json", out / "config.json")
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    cfg.update({"id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)}})
    (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    ex = pad([[101, 7592, 2088, 102], [101, 7592, 102]])
    export_onnx(model, (ex, (ex != 0).long(), torch.zeros_like(ex)), ["input_ids", "attention_mask", "token_type_ids"], "logits", out / "model.onnx", token_output=False)

    metrics, dev_logits = evaluate(out, {"calibration": {"temperature": temperature}}, return_logits=True)
    torch_dev = predict_logits(model, ids_dev)
    metrics.update(
        {
            "onnxTorchMaxAbsLogitDiff": round(float(np.abs(torch_dev - dev_logits).max()), 6),
            "epochSeconds": epoch_seconds,
            "trainPrecision": "bf16 autocast" if bf16 else "fp32",
            "selectedEpoch": best[1],
            "history": history,
        }
    )
    log("metrics", {k: v for k, v in metrics.items() if k != "history"})
    if metrics["macroF1_3class"] < TARGET_MACRO_F1_3:
        log(f"WARNING: dev 3-class macro-F1 {metrics['macroF1_3class']} below target {TARGET_MACRO_F1_3}")

    write_entry(
        out,
        {
            "name": "sentiment-en",
            "task": "text-classification",
            "dir": "sentiment-en",
            "files": {"model": "model.onnx", **TOKENIZER_FILES},
            "inputKind": "tokens",
            "inputs": ["input_ids", "attention_mask", "token_type_ids"],
            "outputs": ["logits"],
            "scoreKind": "logits",
            "labels": LABELS,
            "calibration": {"temperature": round(temperature, 4), "fittedOn": "seeded 10% holdout of goemotions train"},
            "maxLength": MAX_LENGTH,
            "maxLengthUnit": "tokens",
            "languages": ["en"],
            "method": "all-MiniLM-L6-v2 fine-tuned (mean pooling + linear head)",
            "base": MINILM_SOURCE,
            "hyperparameters": HPARAMS,
            "metrics": metrics,
        },
    )


def math_ceil(n: int, d: int) -> int:
    return -(-n // d)


if __name__ == "__main__":
    main_guard(main)
