"""ner: English named entities (PER, ORG, LOC, MISC) trained on CoNLL-2003 eng.train, measured on eng.testa.

Tags: the data is IOB1; it is converted to IOB2 (BIO: every entity starts with B-), which is what the model emits.

Casing: MiniLM's tokenizer is uncased, and casing is the strongest NER cue in English, so the model takes a
fourth input `case_ids` ([batch, sequence] int64): for every token, the casing class of the *word* it comes from,
where words are the BERT pre-tokenizer's pieces of the original (un-lower-cased) text: split on whitespace, every
punctuation character and every CJK character is its own word. `casing_class()` below is the reference
definition (also in the manifest). Special tokens and padding get 0.

Sub-tokens: every word-piece is labelled (the first piece of a word carries the word's tag, continuation pieces
carry I-<type> of the same entity, or O), so an entity is a maximal B-X I-X* run over tokens. Metrics follow the
CoNLL convention: one tag per original word, read from its first word-piece; entity-level F1 with seqeval (IOB2,
strict mode and default mode both reported).

Long sentences are cut into chunks of whole words that fit MAX_LENGTH tokens (training and evaluation alike).
"""

from __future__ import annotations

import json
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
from finetune import SEED, Timer, TokenClassifier, autocast, export_onnx, freeze_word_embeddings, length_batches, make_optimizer, pad, use_bf16

TYPES = ["PER", "ORG", "LOC", "MISC"]
LABELS = ["O"] + [f"{p}-{t}" for t in TYPES for p in ("B", "I")]
LABEL_ID = {l: i for i, l in enumerate(LABELS)}
CASE_CLASSES = ["special", "lower", "title", "upper", "mixed", "uncased"]
MAX_LENGTH = 128
TARGET_F1 = 0.88
HPARAMS = {"epochs": 2, "batch_size": 16, "frozenWordEmbeddings": True, "lr": 1e-4, "head_lr": 1e-3, "weight_decay": 0.01, "warmup": 0.06, "useCase": True}


def casing_class(word: str) -> int:
    """Casing class of one pre-tokenized word (reference definition, mirrored in TS).

    cased = characters that are upper- or lower-case letters (str.isupper / str.islower; \\p{Lu} / \\p{Ll}).
      no cased characters                          -> 5 uncased (digits, punctuation, CJK, ...)
      all cased characters lower-case              -> 1 lower
      first cased character upper, the rest lower  -> 2 title (also a single upper-case letter)
      all cased characters upper-case (2 or more)  -> 3 upper
      anything else                                -> 4 mixed
    """
    cased = [c for c in word if c.isupper() or c.islower()]
    if not cased:
        return 5
    if all(c.islower() for c in cased):
        return 1
    if cased[0].isupper() and all(c.islower() for c in cased[1:]):
        return 2
    if all(c.isupper() for c in cased):
        return 3
    return 4


def read_conll(path: Path):
    sentences, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("-DOCSTART-"):
                if words:
                    sentences.append((words, iob1_to_iob2(tags)))
                    words, tags = [], []
                continue
            parts = line.split()
            words.append(parts[0])
            tags.append(parts[-1])
    if words:
        sentences.append((words, iob1_to_iob2(tags)))
    return sentences


def iob1_to_iob2(tags):
    out = []
    for i, t in enumerate(tags):
        if t.startswith("I-"):
            prev = out[i - 1] if i else "O"
            if prev == "O" or prev[2:] != t[2:]:
                t = "B-" + t[2:]
        out.append(t)
    return out


class Encoder:
    """Word list -> (input_ids, case_ids, token labels, index of each word's first token), chunked to MAX_LENGTH."""

    def __init__(self, tok):
        self.tok = tok
        self.pre = tok.backend_tokenizer.pre_tokenizer
        self.cache = {}

    def word_pieces(self, word: str):
        hit = self.cache.get(word)
        if hit is None:
            ids, cases = [], []
            for piece, _ in self.pre.pre_tokenize_str(word):
                pids = self.tok.convert_tokens_to_ids(self.tok.tokenize(piece))
                ids.extend(pids)
                cases.extend([casing_class(piece)] * len(pids))
            if not ids:  # e.g. control characters only
                ids, cases = [self.tok.unk_token_id], [5]
            hit = (ids, cases)
            self.cache[word] = hit
        return hit

    def encode(self, words, tags):
        chunks, cur = [], {"ids": [101], "case": [0], "labels": [-100], "first": [], "words": 0}
        budget = MAX_LENGTH - 1
        for w, t in zip(words, tags):
            ids, cases = self.word_pieces(w)
            ids, cases = ids[: budget - 1], cases[: budget - 1]  # a single absurdly long word
            if len(cur["ids"]) + len(ids) > budget:
                chunks.append(cur)
                cur = {"ids": [101], "case": [0], "labels": [-100], "first": [], "words": 0}
            cont = "O" if t == "O" else "I-" + t[2:]
            cur["first"].append(len(cur["ids"]))
            cur["labels"].extend([LABEL_ID[t]] + [LABEL_ID[cont]] * (len(ids) - 1))
            cur["ids"].extend(ids)
            cur["case"].extend(cases)
            cur["words"] += 1
        chunks.append(cur)
        for c in chunks:
            c["ids"].append(102)
            c["case"].append(0)
            c["labels"].append(-100)
        return chunks


def encode_all(enc: Encoder, sentences):
    items, owners = [], []
    for si, (words, tags) in enumerate(sentences):
        for c in enc.encode(words, tags):
            items.append(c)
            owners.append(si)
    return items, owners


def predict_word_tags(run_batch, items, owners, n_sentences, batch_size=64):
    """run_batch(ids, mask, tt, case) -> logits numpy; returns one tag list per sentence (first word-piece)."""
    preds = [[] for _ in range(n_sentences)]
    per_item = [None] * len(items)
    order = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        ids = pad([items[i]["ids"] for i in idx]).numpy()
        case = pad([items[i]["case"] for i in idx]).numpy()
        logits = run_batch(ids, (ids != 0).astype(np.int64), np.zeros_like(ids), case)
        for row, i in enumerate(idx):
            per_item[i] = [LABELS[int(k)] for k in logits[row, items[i]["first"]].argmax(-1)]
    for i, si in enumerate(owners):  # chunks of a sentence are in order
        preds[si].extend(per_item[i])
    return preds


def f1_scores(gold, pred) -> dict:
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    report = classification_report(gold, pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    return {
        "entityF1": round(float(f1_score(gold, pred)), 4),
        "entityPrecision": round(float(precision_score(gold, pred)), 4),
        "entityRecall": round(float(recall_score(gold, pred)), 4),
        "entityF1Strict": round(float(f1_score(gold, pred, mode="strict", scheme=IOB2)), 4),
        "f1PerType": {t: round(float(report[t]["f1-score"]), 4) for t in TYPES if t in report},
    }


def load_dev():
    dev = read_conll(DATASETS_DIR / "conll2003" / "eng.testa")
    return dev[:200] if SMOKE else dev


def evaluate(model_dir: Path, entry: dict, return_predictions: bool = False):
    """Entity-level dev metrics of the ONNX model in model_dir, with the tokenizer files shipped next to it."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    dev = load_dev()
    items, owners = encode_all(Encoder(tok), dev)
    sess = ort_session(model_dir / "model.onnx")

    def onnx_batch(ids, mask, tt, case):
        return sess.run(["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": tt, "case_ids": case})[0]

    pred = predict_word_tags(onnx_batch, items, owners, len(dev))
    metrics = {
        "split": "conll2003 eng.testa (official dev)",
        "devSentences": len(dev),
        **f1_scores([tags for _, tags in dev], pred),
        "target": {"entityF1": TARGET_F1},
    }
    return (metrics, pred) if return_predictions else metrics


def main() -> None:
    args = parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seed_everything()
    tok = save_tokenizer(out, MAX_LENGTH)
    enc = Encoder(tok)

    train = read_conll(DATASETS_DIR / "conll2003" / "eng.train")
    dev = load_dev()
    if SMOKE:
        train = train[:300]
    tr_items, _ = encode_all(enc, train)
    dev_items, dev_owners = encode_all(enc, dev)
    n_tokens = sum(len(i["ids"]) for i in tr_items)
    log(f"train {len(train)} sentences -> {len(tr_items)} chunks, {n_tokens} tokens; dev {len(dev)} sentences -> {len(dev_items)} chunks")
    gold_dev = [tags for _, tags in dev]

    model = TokenClassifier(len(LABELS), len(CASE_CLASSES), use_case=HPARAMS["useCase"])
    freeze_word_embeddings(model)
    bf16 = use_bf16()
    log(f"bf16 autocast: {bf16}; threads {torch.get_num_threads()}")
    epochs, bs = HPARAMS["epochs"], HPARAMS["batch_size"]
    lengths = [len(i["ids"]) for i in tr_items]
    steps_per_epoch = -(-len(tr_items) // bs)
    opt, sched = make_optimizer(model, HPARAMS["lr"], HPARAMS["head_lr"], HPARAMS["weight_decay"], steps_per_epoch * epochs, HPARAMS["warmup"])
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)

    def torch_batch(ids, mask, tt, case, fast=True):
        model.eval()
        with torch.no_grad(), autocast(bf16 and fast):
            return model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(tt), torch.from_numpy(case)).float().numpy()

    epoch_seconds, history, best = [], [], None
    for epoch in range(epochs):
        model.train()
        timer = Timer()
        running = 0.0
        for step, batch in enumerate(length_batches(lengths, bs, seed=SEED + epoch)):
            ids = pad([tr_items[i]["ids"] for i in batch])
            case = pad([tr_items[i]["case"] for i in batch])
            labels = pad([tr_items[i]["labels"] for i in batch], value=-100)
            with autocast(bf16):
                logits = model(ids, (ids != 0).long(), torch.zeros_like(ids), case)
            loss = loss_fn(logits.float().reshape(-1, len(LABELS)), labels.reshape(-1))
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
        # eng.testa is the official dev split: used for epoch selection, as is usual for CoNLL dev numbers.
        m = f1_scores(gold_dev, predict_word_tags(torch_batch, dev_items, dev_owners, len(dev)))
        history.append({"epoch": epoch + 1, "seconds": epoch_seconds[-1], "dev": m})
        log(f"epoch {epoch + 1} done in {epoch_seconds[-1]:.0f}s; dev {m}")
        if best is None or m["entityF1"] > best[0]:
            best = (m["entityF1"], epoch + 1, {k: v.detach().clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    log(f"using epoch {best[1]}")

    shutil.copy2(minilm_dir() / "config.json", out / "config.json")
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    cfg.update({"id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": LABEL_ID})
    (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    ex = pad([[101, 7592, 2088, 102], [101, 7592, 102]])
    export_onnx(
        model,
        (ex, (ex != 0).long(), torch.zeros_like(ex), pad([[0, 2, 1, 0], [0, 3, 0]])),
        ["input_ids", "attention_mask", "token_type_ids", "case_ids"],
        "logits",
        out / "model.onnx",
        token_output=True,
    )

    metrics, pred_onnx = evaluate(out, {}, return_predictions=True)
    pred_torch = predict_word_tags(lambda *a: torch_batch(*a, fast=False), dev_items, dev_owners, len(dev))
    flat_o = [t for s in pred_onnx for t in s]
    flat_t = [t for s in pred_torch for t in s]
    metrics.update(
        {
            "onnxTorchTagAgreement": round(float(np.mean([a == b for a, b in zip(flat_o, flat_t)])), 6),
            "epochSeconds": epoch_seconds,
            "trainPrecision": "bf16 autocast" if bf16 else "fp32",
            "selectedEpoch": best[1],
            "history": history,
        }
    )
    log("metrics", {k: v for k, v in metrics.items() if k != "history"})
    if metrics["entityF1"] < TARGET_F1:
        log(f"WARNING: dev entity F1 {metrics['entityF1']} below target {TARGET_F1}")

    write_entry(
        out,
        {
            "name": "ner",
            "task": "token-classification",
            "dir": "ner",
            "files": {"model": "model.onnx", **TOKENIZER_FILES},
            "inputKind": "tokens",
            "inputs": ["input_ids", "attention_mask", "token_type_ids", "case_ids"],
            "outputs": ["logits"],
            "scoreKind": "logits",
            "labels": LABELS,
            "labelScheme": "IOB2",
            "subtokenLabels": "all word-pieces labelled: continuation pieces carry I-<type> (or O)",
            "casing": {
                "input": "case_ids",
                "classes": CASE_CLASSES,
                "unit": "BERT pre-tokenizer word of the original text (split on whitespace; each punctuation and CJK character alone); every word-piece of the word gets the word's class; [CLS]/[SEP]/padding get 0",
                "rule": "cased = chars in \\p{Lu} or \\p{Ll}; none -> 5 uncased; all lower -> 1 lower; first upper and rest lower -> 2 title; all upper (>= 2) -> 3 upper; else -> 4 mixed",
            },
            "maxLength": MAX_LENGTH,
            "maxLengthUnit": "tokens",
            "languages": ["en"],
            "method": "all-MiniLM-L6-v2 fine-tuned for token classification with a casing embedding added to the word-piece embeddings",
            "base": MINILM_SOURCE,
            "trainedOn": "CoNLL-2003 eng.train (Reuters; internal-use data)",
            "hyperparameters": HPARAMS,
            "metrics": metrics,
        },
    )


if __name__ == "__main__":
    main_guard(main)
