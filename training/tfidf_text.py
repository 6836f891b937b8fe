"""Shared recipe of the small text classifiers (sentiment-zh, emotion-zh, emotion-en): TF-IDF + logistic
regression in scikit-learn, exported with skl2onnx so the ONNX model takes the raw text.

ONNX contract: input `text` (string tensor [batch, 1]); outputs `label` (int64 [batch]) and `probabilities`
(float32 [batch, classes], columns in `labels` order). Plain term frequency (skl2onnx does not reproduce
sublinear tf exactly). Chinese: every non-whitespace character is a token, n-grams of them (no lower-casing);
English: ASCII words as written, n-grams of them.
The build fails when the ONNX model and scikit-learn disagree.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from common import log, ort_session

CHAR_TOKENS = r"[^ \t\n\r\f]"
WORD_TOKENS = r"[A-Za-z0-9]+"  # ASCII words, case kept: the ONNX Tokenizer op (re2) reproduces neither \\b nor lower-casing without a locale


def fit_export(name: str, texts, labels, label_names, out: Path, *, chars: bool, ngrams=(1, 2), c=4.0, balanced=False):
    """Fits the pipeline on (texts, label indices), writes out/model.onnx, returns (pipeline, seconds)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import StringTensorType

    t0 = time.time()
    vec = TfidfVectorizer(
        analyzer="word",
        token_pattern=CHAR_TOKENS if chars else WORD_TOKENS,
        ngram_range=ngrams,
        min_df=2,
        lowercase=False,  # StringNormalizer needs an installed locale at run time: English is trained on its raw case
        sublinear_tf=False,
        dtype=np.float32,
    )
    # balanced: each class weighted by the square root of its inverse frequency (half-way to scikit-learn's
    # "balanced", which over-predicts the rare classes: plain questions came out as "surprise").
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=len(label_names))
    weights = {i: float(np.sqrt(counts.max() / n)) for i, n in enumerate(counts) if n > 0} if balanced else None
    clf = LogisticRegression(C=c, max_iter=3000, random_state=1234, class_weight=weights)
    pipe = Pipeline([("tfidf", vec), ("lr", clf)])
    pipe.fit(list(texts), np.asarray(labels, dtype=np.int64))
    seconds = time.time() - t0
    log(f"{name}: fitted in {seconds:.1f}s, vocabulary {len(vec.vocabulary_)}, classes {label_names}")
    onx = convert_sklearn(pipe, name, initial_types=[("text", StringTensorType([None, 1]))], options={id(clf): {"zipmap": False}}, final_types=None)
    renames = {}
    for o in onx.graph.output:
        if o.name.endswith("label"):
            renames[o.name] = "label"
        elif o.name.endswith("probabilities"):
            renames[o.name] = "probabilities"
    for node in onx.graph.node:
        node.output[:] = [renames.get(n, n) for n in node.output]
    for o in onx.graph.output:
        o.name = renames.get(o.name, o.name)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "model.onnx", "wb") as f:
        f.write(onx.SerializeToString())
    return pipe, seconds


def onnx_probabilities(model_path: Path, texts) -> np.ndarray:
    sess = ort_session(model_path)
    probs = []
    for i in range(0, len(texts), 256):
        batch = np.array(list(texts[i : i + 256]), dtype=object).reshape(-1, 1)
        _, p = sess.run(["label", "probabilities"], {"text": batch})
        probs.append(p)
    return np.concatenate(probs) if probs else np.zeros((0, 0), dtype=np.float32)


def check_agreement(pipe, probs: np.ndarray, texts) -> dict:
    """ONNX vs scikit-learn on the same texts; raises when they differ."""
    sk = pipe.predict_proba(list(texts))
    agreement = float((sk.argmax(1) == probs.argmax(1)).mean())
    max_diff = float(np.abs(sk - probs).max())
    if agreement < 0.9995 or max_diff > 2e-2:  # float32 TF-IDF of long posts moves probabilities by up to ~1e-2, never the label here
        raise SystemExit(f"ONNX and scikit-learn differ: {1 - agreement:.4%} flips, max prob diff {max_diff:.5f}")
    return {"onnxSklearnAgreement": round(agreement, 5), "onnxSklearnMaxProbDiff": round(max_diff, 6)}


def text_entry(name: str, labels, languages, method: str, trained_on: str, metrics: dict, max_chars: int = 2000) -> dict:
    return {
        "name": name,
        "task": "text-classification",
        "dir": name,
        "files": {"model": "model.onnx"},
        "inputKind": "text",
        "inputs": [{"name": "text", "type": "string", "shape": ["batch", 1]}],
        "outputs": ["label", "probabilities"],
        "scoreKind": "probabilities",
        "labels": list(labels),
        "maxLength": max_chars,
        "maxLengthUnit": "chars",
        "languages": list(languages),
        "method": method,
        "trainedOn": trained_on,
        "metrics": metrics,
    }
