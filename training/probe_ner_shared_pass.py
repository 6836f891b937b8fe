"""Would one encoder pass per message do for Chinese NER? A frozen-feature probe (issue #14, "one encoder pass").

    training/.venv/bin/python training/probe_ner_shared_pass.py me5-ft-int8     # the served retrieval encoder
    training/.venv/bin/python training/probe_ner_shared_pass.py me5-small-int8  # the zero-shot one

Runs the built embedding model (ANSWERGRAPH_MODELS_DIR, default ~/.cache/answergraph/models) exactly as the
dialogue runs it for a message — "query: " + the text, its own tokenizer pieces — on CLUENER2020 train and dev,
trains a linear head on the frozen last layer (30 epochs of Adam, each piece labelled with the tag of its first
character), decodes dev with the IOB2 Viterbi of train_ner_zh.py and prints span F1. Measured 2026-12-03:
me5-ft-int8 0.448, me5-small-int8 0.417, against 0.742 for the fine-tuned ner-zh: hence a separate tagger.
Not part of `npm run models`; about a minute of CPU.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

import train_ner_zh as ner
from common import SEED, ort_session

PREFIX = "query: "
EPOCHS = 30


def encode(tok, rows: list[dict]) -> list[dict]:
    """Pieces of "query: " + text, each labelled with the tag of its first character (prefix and specials: -100)."""
    items = []
    for r in rows:
        text = r["text"]
        enc = tok.encode(PREFIX + text)
        tags = ner.char_tags(text, r["entities"])
        labels, spans = [], []
        for a, b in enc.offsets:
            a, b = a - len(PREFIX), b - len(PREFIX)
            if a < 0 or b <= 0 or a >= len(text):
                labels.append(-100)
                spans.append(None)
            else:
                labels.append(ner.LABEL_ID[tags[a]])
                spans.append((a, b))
        items.append({"ids": enc.ids, "labels": labels, "spans": spans, "gold": {(e["type"], e["start"], e["end"]) for e in r["entities"]}})
    return items


def last_layer(sess, items: list[dict], batch: int = 32) -> list[np.ndarray]:
    out: list[np.ndarray] = [np.empty(0)] * len(items)
    order = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    for b in range(0, len(order), batch):
        idx = order[b : b + batch]
        ids = ner.pad([items[i]["ids"] for i in idx], ner.PAD)
        h = sess.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": (ids != ner.PAD).astype(np.int64), "token_type_ids": np.zeros_like(ids)})[0]
        for row, i in enumerate(idx):
            out[i] = h[row, : len(items[i]["ids"])]
    return out


def main() -> None:
    model_dir = Path(os.environ.get("ANSWERGRAPH_MODELS_DIR", Path.home() / ".cache" / "answergraph" / "models")) / sys.argv[1]
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    sess = ort_session(model_dir / "model.onnx")
    started = time.time()
    train, dev = encode(tok, ner.read_split("train")), encode(tok, ner.read_split("dev"))
    train_h, dev_h = last_layer(sess, train), last_layer(sess, dev)

    x = torch.tensor(np.concatenate(train_h), dtype=torch.float32)
    y = torch.tensor(np.concatenate([np.array(i["labels"]) for i in train]))
    keep = y != -100
    x, y = x[keep], y[keep]
    torch.manual_seed(SEED)
    head = torch.nn.Linear(x.shape[1], len(ner.LABELS))
    opt = torch.optim.Adam(head.parameters(), lr=3e-3)
    for _ in range(EPOCHS):
        perm = torch.randperm(len(x))
        for b in range(0, len(x), 2048):
            j = perm[b : b + 2048]
            loss = torch.nn.functional.cross_entropy(head(x[j]), y[j])
            opt.zero_grad()
            loss.backward()
            opt.step()

    preds = []
    with torch.no_grad():
        for item, h in zip(dev, dev_h):
            at = [k for k, s in enumerate(item["spans"]) if s is not None]
            if not at:
                preds.append(set())
                continue
            path = ner.viterbi(head(torch.tensor(h[at])).numpy())
            preds.append(ner.decode([ner.LABELS[p] for p in path], [item["spans"][k] for k in at]))
    print(sys.argv[1], "frozen last layer + linear head, CLUENER dev", ner.span_f1(dev, preds), f"{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
