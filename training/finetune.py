"""Fine-tuning helpers on top of the offline all-MiniLM-L6-v2 encoder (sentiment-en, ner)."""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from common import SEED, log, minilm_dir

OPSET = 17


def load_encoder():
    from transformers import AutoModel

    # eager attention: exports cleanly with the TorchScript ONNX exporter.
    return AutoModel.from_pretrained(str(minilm_dir()), attn_implementation="eager")


class SequenceClassifier(nn.Module):
    """MiniLM encoder -> mean pooling over attention_mask (as all-MiniLM was trained) -> dropout -> linear."""

    def __init__(self, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = load_encoder()
        hidden = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.head(self.dropout(pooled))


class TokenClassifier(nn.Module):
    """MiniLM encoder with an extra casing embedding added to the word-piece embeddings -> linear per token.

    The tokenizer is uncased; `case_ids` gives the model the casing the tokenizer threw away (see casing_class).
    The casing table starts at zero so training starts from the pretrained encoder unchanged."""

    def __init__(self, num_labels: int, num_case_classes: int, dropout: float = 0.1, use_case: bool = True):
        super().__init__()
        self.encoder = load_encoder()
        hidden = self.encoder.config.hidden_size
        self.use_case = use_case
        self.case_embeddings = nn.Embedding(num_case_classes, hidden)
        nn.init.zeros_(self.case_embeddings.weight)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids, case_ids):
        embeds = self.encoder.embeddings.word_embeddings(input_ids)
        if self.use_case:
            embeds = embeds + self.case_embeddings(case_ids)
        h = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        return self.head(self.dropout(h))


def freeze_word_embeddings(model: nn.Module) -> None:
    """The 30522 x 384 word-piece table is half of MiniLM's parameters; its dense gradient and Adam state cost
    more CPU time per step than the whole encoder on short batches. Frozen, fine-tuning is ~2x faster on CPU
    (measured) and the task heads do not need new word-piece vectors."""
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)


def use_bf16() -> bool:
    """bf16 autocast for training when the CPU has native bf16 (AVX512-BF16/AMX): ~3x faster than fp32 here.
    Weights and the exported ONNX model stay fp32."""
    import os

    if os.environ.get("ANSWERGRAPH_TRAIN_BF16", "auto") == "0":
        return False
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def autocast(enabled: bool):
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled)


def length_batches(lengths, batch_size: int, seed: int, shuffle: bool = True):
    """Indices grouped into batches of similar length (less padding): sort within windows of 50 batches, then
    shuffle the batch order. Deterministic for a given seed."""
    idx = list(range(len(lengths)))
    rng = random.Random(seed)
    if shuffle:
        rng.shuffle(idx)
    window = batch_size * 50
    out = []
    for w in range(0, len(idx), window):
        chunk = sorted(idx[w : w + window], key=lambda i: lengths[i])
        out.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    if shuffle:
        rng.shuffle(out)
    return out


def pad(seqs, value: int = 0):
    n = max(len(s) for s in seqs)
    arr = np.full((len(seqs), n), value, dtype=np.int64)
    for i, s in enumerate(seqs):
        arr[i, : len(s)] = s
    return torch.from_numpy(arr)


def make_optimizer(model: nn.Module, lr: float, head_lr: float, weight_decay: float, total_steps: int, warmup: float):
    enc, head, no_decay_enc = [], [], []
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if n.startswith("encoder."):
            (no_decay_enc if (p.ndim == 1 or "LayerNorm" in n) else enc).append(p)
        else:
            head.append(p)
    opt = torch.optim.AdamW(
        [
            {"params": enc, "lr": lr, "weight_decay": weight_decay},
            {"params": no_decay_enc, "lr": lr, "weight_decay": 0.0},
            {"params": head, "lr": head_lr, "weight_decay": 0.0},
        ]
    )
    warm = max(1, int(total_steps * warmup))

    def schedule(step):
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total_steps - step) / max(1, total_steps - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    return opt, sched


class Timer:
    def __init__(self):
        self.t0 = time.time()

    def __call__(self):
        return time.time() - self.t0


def export_onnx(model: nn.Module, example: tuple, input_names: list[str], output_name: str, path: Path, token_output: bool):
    model.eval()
    dyn = {n: {0: "batch", 1: "sequence"} for n in input_names}
    dyn[output_name] = {0: "batch", 1: "sequence"} if token_output else {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            example,
            str(path),
            input_names=input_names,
            output_names=[output_name],
            dynamic_axes=dyn,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    import onnx

    onnx.checker.check_model(str(path))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature T minimising the NLL of softmax(logits / T) (grid on log T, then refine)."""

    def nll(t):
        z = logits / t
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        return float(-logp[np.arange(len(labels)), labels].mean())

    grid = np.exp(np.linspace(math.log(0.25), math.log(8.0), 200))
    best = min(grid, key=nll)
    lo, hi = best / 1.05, best * 1.05
    for _ in range(40):  # golden-section refinement
        a, b = lo + (hi - lo) * 0.382, lo + (hi - lo) * 0.618
        if nll(a) < nll(b):
            hi = b
        else:
            lo = a
    return float((lo + hi) / 2)


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    conf = probs.max(1)
    pred = probs.argmax(1)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs((pred[m] == labels[m]).mean() - conf[m].mean())
    return float(total)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


__all__ = [
    "SEED",
    "SequenceClassifier",
    "TokenClassifier",
    "length_batches",
    "freeze_word_embeddings",
    "use_bf16",
    "autocast",
    "pad",
    "make_optimizer",
    "export_onnx",
    "fit_temperature",
    "ece",
    "softmax",
    "Timer",
    "log",
]
