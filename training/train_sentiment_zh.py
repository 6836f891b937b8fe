"""sentiment-zh: binary Chinese review sentiment (negative / positive).

Data: /work/shared/datasets/zh_sentiment (online_shopping_10_cats + waimai_10k + chnsenticorp_htl_all), the
README's own deterministic splits (row index % 10 == 5 -> dev); train on train, report on dev.

Model: TF-IDF over single characters and character bigrams (every non-whitespace character is a token; bigrams
skip whitespace) + logistic regression, exported with skl2onnx. The ONNX model takes the raw text:
input `text` (string tensor [batch, 1]); outputs `label` (int64 [batch]) and `probabilities`
(float32 [batch, 2], columns in `labels` order). No lower-casing or other normalisation (the ONNX Tokenizer op
matches r"\\S" on the raw string exactly like scikit-learn does in training).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np

from common import DATASETS_DIR, log, main_guard, ort_session, parse_args, seed_everything, write_entry

SOURCES = ["online_shopping_10_cats", "waimai_10k", "chnsenticorp_htl_all"]
LABELS = ["negative", "positive"]  # dataset label 0 / 1
TARGET_ACCURACY = 0.90
MAX_CHARS = 2000  # callers truncate longer texts; the model itself accepts any length


def load(split: str):
    texts, labels, sources = [], [], []
    for ds in SOURCES:
        with open(DATASETS_DIR / "zh_sentiment" / ds / f"{split}.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                text = (row.get("review") or "").strip()
                if not text:
                    continue
                texts.append(text[:MAX_CHARS])
                labels.append(int(row["label"]))
                sources.append(ds)
    return texts, np.array(labels, dtype=np.int64), np.array(sources)


def onnx_probabilities(model_path: Path, texts) -> np.ndarray:
    sess = ort_session(model_path)
    probs = []
    for i in range(0, len(texts), 256):
        batch = np.array(texts[i : i + 256], dtype=object).reshape(-1, 1)
        _, p = sess.run(["label", "probabilities"], {"text": batch})
        probs.append(p)
    return np.concatenate(probs)


def evaluate(model_dir: Path, entry: dict, return_probs: bool = False):
    """Dev metrics of the ONNX model in model_dir."""
    from sklearn.metrics import accuracy_score, f1_score

    x_dev, y_dev, s_dev = load("dev")
    probs = onnx_probabilities(model_dir / "model.onnx", x_dev)
    pred = probs.argmax(1)
    metrics = {
        "split": "dev (README split: row % 10 == 5)",
        "devExamples": len(x_dev),
        "accuracy": round(float(accuracy_score(y_dev, pred)), 4),
        "macroF1": round(float(f1_score(y_dev, pred, average="macro")), 4),
        "accuracyBySource": {s: round(float(accuracy_score(y_dev[s_dev == s], pred[s_dev == s])), 4) for s in SOURCES},
        "target": {"accuracy": TARGET_ACCURACY},
    }
    return (metrics, probs) if return_probs else metrics


def main() -> None:
    args = parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seed_everything()

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.pipeline import Pipeline
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import StringTensorType

    x_train, y_train, _ = load("train")
    x_dev, y_dev, s_dev = load("dev")
    log(f"train {len(x_train)} dev {len(x_dev)} (train positives {y_train.mean():.3f})")

    t0 = time.time()
    vec = TfidfVectorizer(
        analyzer="word",
        token_pattern=r"[^ \t\n\r\f]",
        ngram_range=(1, 2),
        min_df=2,
        lowercase=False,
        sublinear_tf=False,  # skl2onnx does not reproduce sublinear tf exactly (measured: 0.2% flips); plain tf does
        dtype=np.float32,
    )
    clf = LogisticRegression(C=4.0, max_iter=3000, random_state=1234)
    pipe = Pipeline([("tfidf", vec), ("lr", clf)])
    pipe.fit(x_train, y_train)
    train_seconds = time.time() - t0
    log(f"fitted in {train_seconds:.1f}s, vocabulary {len(vec.vocabulary_)}")

    onx = convert_sklearn(
        pipe,
        "sentiment-zh",
        initial_types=[("text", StringTensorType([None, 1]))],
        options={id(clf): {"zipmap": False}},
        final_types=None,
    )
    # Name the outputs for the contract.
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
    with open(out / "model.onnx", "wb") as f:
        f.write(onx.SerializeToString())

    # Metrics from the ONNX model (what ships), plus agreement with scikit-learn.
    metrics, probs = evaluate(out, {}, return_probs=True)
    sk_probs = pipe.predict_proba(x_dev)
    agreement = float((sk_probs.argmax(1) == probs.argmax(1)).mean())
    max_diff = float(np.abs(sk_probs - probs).max())
    log(f"scikit-learn dev accuracy {accuracy_score(y_dev, sk_probs.argmax(1)):.4f}")
    acc = metrics["accuracy"]
    metrics.update(
        {
            "onnxSklearnAgreement": round(agreement, 5),
            "onnxSklearnMaxProbDiff": round(max_diff, 6),
            "trainSeconds": round(train_seconds, 1),
        }
    )
    log("metrics", metrics)
    if agreement < 0.9999 or max_diff > 1e-3:
        raise SystemExit(f"ONNX and scikit-learn differ: {1 - agreement:.4%} flips, max prob diff {max_diff:.5f}")
    if acc < TARGET_ACCURACY:
        log(f"WARNING: dev accuracy {acc:.4f} below target {TARGET_ACCURACY}")

    write_entry(
        out,
        {
            "name": "sentiment-zh",
            "task": "text-classification",
            "dir": "sentiment-zh",
            "files": {"model": "model.onnx"},
            "inputKind": "text",
            "inputs": [{"name": "text", "type": "string", "shape": ["batch", 1]}],
            "outputs": ["label", "probabilities"],
            "scoreKind": "probabilities",
            "labels": LABELS,
            "maxLength": MAX_CHARS,
            "maxLengthUnit": "chars",
            "languages": ["zh"],
            "method": "TF-IDF (characters + character bigrams) + logistic regression (scikit-learn, skl2onnx)",
            "trainedOn": "zh_sentiment train (online_shopping_10_cats, waimai_10k, chnsenticorp_htl_all); internal-use data",
            "metrics": metrics,
        },
    )


if __name__ == "__main__":
    main_guard(main)
