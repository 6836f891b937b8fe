"""minilm-embed (fp32) and minilm-embed-int8: ONNX export of all-MiniLM-L6-v2.

Graph: inputs input_ids / attention_mask / token_type_ids (int64, [batch, sequence]),
output last_hidden_state (float32, [batch, sequence, 384]). Mean pooling over attention_mask and
L2 normalisation are done by the caller (TS), exactly as sentence-transformers does.

The int8 variant is the same export passed through onnxruntime dynamic quantisation
(int8 weights, activations quantised at run time).

Parity: every sentence of parity_sentences.py plus dev sentences from goemotions and zh_sentiment is
embedded by the PyTorch sentence-transformers model and by the ONNX model (through onnxruntime);
the minimum cosine must be >= 0.99 (fp32) / >= 0.95 (int8) or the build fails.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

from common import (
    DATASETS_DIR,
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

MAX_LENGTH = 256  # sentence-transformers max_seq_length of all-MiniLM-L6-v2
OPSET = 17
THRESHOLD = {"minilm-embed": 0.99, "minilm-embed-int8": 0.95}
N_DEV_EN = 150
N_DEV_ZH = 100


def parity_texts() -> tuple[list[str], int]:
    from parity_sentences import SENTENCES

    texts = list(SENTENCES)
    n_hand = len(texts)
    # Dev-set sentences (parity only; never used as product content): first rows, deterministic.
    with open(DATASETS_DIR / "goemotions" / "dev.tsv", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= N_DEV_EN:
                break
            texts.append(line.split("\t")[0])
    with open(DATASETS_DIR / "zh_sentiment" / "waimai_10k" / "dev.csv", newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i >= N_DEV_ZH:
                break
            texts.append(row["review"])
    return texts, n_hand


def export_fp32(path: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(minilm_dir()), attn_implementation="eager")
    model.eval()

    class Wrapper(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    tt = torch.zeros_like(ids)
    with torch.no_grad():
        torch.onnx.export(
            Wrapper(model),
            (ids, mask, tt),
            str(path),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "token_type_ids": {0: "batch", 1: "sequence"},
                "last_hidden_state": {0: "batch", 1: "sequence"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    import onnx

    onnx.checker.check_model(str(path))


def quantize_int8(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        model_input=str(src),
        model_output=str(dst),
        weight_type=QuantType.QInt8,
        per_channel=True,
    )


def reference_embeddings(texts):
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(minilm_dir()), device="cpu")
    assert st.max_seq_length == MAX_LENGTH, st.max_seq_length
    return st.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)


def onnx_embeddings(model_path: Path, tok, texts):
    import numpy as np

    sess = ort_session(model_path)
    out = []
    for i in range(0, len(texts), 32):
        enc = tok(texts[i : i + 32], padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="np")
        feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
        (hidden,) = sess.run(["last_hidden_state"], feeds)
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        out.append(pooled)
    return np.concatenate(out)


def evaluate(model_dir: Path, entry: dict) -> dict:
    """Parity of the ONNX model in model_dir (with the tokenizer files shipped next to it) against the PyTorch
    sentence-transformers model."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    texts, n_hand = parity_texts()
    log(f"parity on {len(texts)} sentences ({n_hand} hand-written EN/ZH, {len(texts) - n_hand} dev)")
    ref = reference_embeddings(texts)
    got = onnx_embeddings(model_dir / "model.onnx", tok, texts)
    cos = (ref * got).sum(1)
    metrics = {
        "parityMinCosine": round(float(cos.min()), 7),
        "parityMeanCosine": round(float(cos.mean()), 7),
        "parityMinCosineHandWritten": round(float(cos[:n_hand].min()), 7),
        "paritySentences": len(texts),
        "parityThreshold": THRESHOLD[entry["name"]],
        "parityWorst": texts[int(cos.argmin())],
        "parityReference": "sentence-transformers (PyTorch), mean pooling + L2 norm",
    }
    log("metrics", metrics)
    return metrics


def main() -> None:
    args = parse_args()
    name = args.name or "minilm-embed"
    assert name in THRESHOLD, name
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seed_everything()

    save_tokenizer(out, MAX_LENGTH)
    shutil.copy2(minilm_dir() / "config.json", out / "config.json")

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        log("exporting fp32 ONNX")
        export_fp32(fp32)
        if name == "minilm-embed":
            shutil.copy2(fp32, out / "model.onnx")
        else:
            log("dynamic int8 quantisation")
            quantize_int8(fp32, out / "model.onnx")

    metrics = evaluate(out, {"name": name})
    if metrics["parityMinCosine"] < THRESHOLD[name]:
        raise SystemExit(f"parity below {THRESHOLD[name]}: {metrics['parityMinCosine']:.4f} on {metrics['parityWorst']!r}")

    files = {"model": "model.onnx", **TOKENIZER_FILES}
    write_entry(
        out,
        {
            "name": name,
            "task": "embedding",
            "dir": name,
            "files": files,
            "inputKind": "tokens",
            "inputs": ["input_ids", "attention_mask", "token_type_ids"],
            "outputs": ["last_hidden_state"],
            "maxLength": MAX_LENGTH,
            "pooling": "mean",
            "normalize": True,
            "dimension": 384,
            "precision": "fp32" if name == "minilm-embed" else "int8",
            "languages": ["en"],
            "source": MINILM_SOURCE,
            "metrics": metrics,
        },
    )


if __name__ == "__main__":
    main_guard(main)
