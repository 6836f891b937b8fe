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


def fit_export(name: str, texts, labels, label_names, out: Path, *, chars: bool, ngrams=(1, 2), c=4.0, balanced=False, embeddings=None, embedding_scale=1.0):
    """Fits the pipeline on (texts, label indices), writes out/model.onnx, returns (pipeline, seconds).

    `embeddings` (float32 [len(texts), dim], optional): sentence embeddings of the same texts, features of
    the same logistic regression beside the TF-IDF terms (a head on an encoder pass the caller already
    makes), multiplied by `embedding_scale` (the weight of the embedding against the terms under one
    regularisation). The ONNX model then takes a second input, `embedding` [batch, dim], and computes
    softmax(text scores + embedding · W + b); the returned pipeline predicts from (texts, embeddings)."""
    if embeddings is not None:
        return _fit_export_joint(name, texts, labels, label_names, out, chars=chars, ngrams=ngrams, c=c, balanced=balanced, embeddings=embeddings, scale=embedding_scale)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import StringTensorType

    t0 = time.time()
    vec = _vectorizer(chars, ngrams)
    clf = LogisticRegression(C=c, max_iter=3000, random_state=1234, class_weight=_class_weights(labels, len(label_names)) if balanced else None)
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


def _class_weights(labels, classes: int) -> dict:
    """Each class weighted by the square root of its inverse frequency (half-way to scikit-learn's
    "balanced", which over-predicts the rare classes: plain questions came out as "surprise")."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=classes)
    return {i: float(np.sqrt(counts.max() / n)) for i, n in enumerate(counts) if n > 0}


def _vectorizer(chars: bool, ngrams):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="word",
        token_pattern=CHAR_TOKENS if chars else WORD_TOKENS,
        ngram_range=ngrams,
        min_df=2,
        lowercase=False,  # StringNormalizer needs an installed locale at run time: English is trained on its raw case
        sublinear_tf=False,
        dtype=np.float32,
    )


class JointModel:
    """TF-IDF terms and a sentence embedding in one logistic regression (scikit-learn side of the export)."""

    def __init__(self, vec, clf, scale: float):
        self.vec, self.clf, self.scale = vec, clf, scale

    def predict_proba(self, texts, embeddings) -> np.ndarray:
        from scipy.sparse import csr_matrix, hstack

        return self.clf.predict_proba(hstack([self.vec.transform(list(texts)), csr_matrix(np.asarray(embeddings, dtype=np.float32) * self.scale)]).tocsr())


def _fit_export_joint(name: str, texts, labels, label_names, out: Path, *, chars: bool, ngrams, c, balanced, embeddings, scale: float):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import StringTensorType

    t0 = time.time()
    embeddings = np.asarray(embeddings, dtype=np.float32)
    y = np.asarray(labels, dtype=np.int64)
    vec = _vectorizer(chars, ngrams)
    terms = vec.fit_transform(list(texts))
    clf = LogisticRegression(C=c, max_iter=3000, random_state=1234, class_weight=_class_weights(labels, len(label_names)) if balanced else None)
    clf.fit(hstack([terms, csr_matrix(embeddings * scale)]).tocsr(), y)
    seconds = time.time() - t0
    vocab = len(vec.vocabulary_)
    log(f"{name}: fitted in {seconds:.1f}s, vocabulary {vocab} + embedding {embeddings.shape[1]}, classes {label_names}")

    # The text half as its own classifier, exported with raw scores (coefficients of the terms, the bias).
    text_clf = LogisticRegression()
    text_clf.classes_ = clf.classes_
    text_clf.coef_ = clf.coef_[:, :vocab].copy()
    text_clf.intercept_ = clf.intercept_.copy()
    text_clf.n_features_in_ = vocab
    pipe = Pipeline([("tfidf", vec), ("lr", text_clf)])
    onx = convert_sklearn(pipe, name, initial_types=[("text", StringTensorType([None, 1]))], options={id(text_clf): {"zipmap": False, "raw_scores": True}})
    g = onx.graph
    # The text half's outputs become inner values (its label is left unused).
    renames = {o.name: ("text_scores" if o.name.endswith("probabilities") else "text_label") for o in g.output}
    for node in g.node:
        node.output[:] = [renames.get(n, n) for n in node.output]
        node.input[:] = [renames.get(n, n) for n in node.input]
    # + embedding · W, softmax: the same probabilities as clf.predict_proba (multinomial).
    dim = embeddings.shape[1]
    g.input.append(helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [None, dim]))
    g.initializer.append(numpy_helper.from_array((clf.coef_[:, vocab:].T * scale).astype(np.float32), "embedding_weights"))
    g.node.append(helper.make_node("MatMul", ["embedding", "embedding_weights"], ["embedding_scores"]))
    g.node.append(helper.make_node("Add", ["text_scores", "embedding_scores"], ["joint_scores"]))
    g.node.append(helper.make_node("Softmax", ["joint_scores"], ["probabilities"], axis=1))
    g.node.append(helper.make_node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0))
    for o in list(g.output):
        g.output.remove(o)
    g.output.extend([helper.make_tensor_value_info("label", TensorProto.INT64, [None]), helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, len(label_names)])])
    onnx.checker.check_model(onx)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "model.onnx", "wb") as f:
        f.write(onx.SerializeToString())
    return JointModel(vec, clf, scale), seconds


def onnx_probabilities(model_path: Path, texts, embeddings=None) -> np.ndarray:
    sess = ort_session(model_path)
    probs = []
    for i in range(0, len(texts), 256):
        batch = np.array(list(texts[i : i + 256]), dtype=object).reshape(-1, 1)
        feeds = {"text": batch}
        if embeddings is not None:
            feeds["embedding"] = np.asarray(embeddings[i : i + 256], dtype=np.float32)
        _, p = sess.run(["label", "probabilities"], feeds)
        probs.append(p)
    return np.concatenate(probs) if probs else np.zeros((0, 0), dtype=np.float32)


def check_agreement(pipe, probs: np.ndarray, texts, embeddings=None) -> dict:
    """ONNX vs scikit-learn on the same texts; raises when they differ."""
    sk = pipe.predict_proba(list(texts)) if embeddings is None else pipe.predict_proba(list(texts), embeddings)
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
