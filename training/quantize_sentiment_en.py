"""sentiment-en-int8: the built sentiment-en model with int8 weights (onnxruntime dynamic quantisation).

Reads sentiment-en from the models directory (ANSWERGRAPH_MODELS_DIR, set by scripts/models.mjs, which
builds sentiment-en first), quantises its weights to int8 per channel, and measures the result on the same
GoEmotions dev split with the same calibration temperature. The build fails when the int8 model's 3-class
macro-F1 falls more than 0.02 below the fp32 model's, or below the sentiment target.

Why: on two CPU cores the sentiment model costs as much as the query embedding on every message (about 5 ms
of CPU each at 16 concurrent messages); int8 weights run about twice as fast.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from common import log, main_guard, parse_args, write_entry
from train_sentiment_en import TARGET_MACRO_F1_3, evaluate

MAX_DROP = 0.02


def main() -> None:
    args = parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    src = Path(os.environ["ANSWERGRAPH_MODELS_DIR"]) / "sentiment-en"
    entry = json.loads((src / "entry.json").read_text(encoding="utf-8"))
    for name in ["config.json", *entry["files"].values()]:
        if name != entry["files"]["model"]:
            shutil.copy2(src / name, out / name)

    from onnxruntime.quantization import QuantType, quantize_dynamic

    log("dynamic int8 quantisation of sentiment-en")
    quantize_dynamic(model_input=str(src / entry["files"]["model"]), model_output=str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)

    metrics = evaluate(out, entry)
    fp32 = entry["metrics"]["macroF1_3class"]
    metrics["fp32MacroF1_3class"] = fp32
    log("metrics", metrics)
    if metrics["macroF1_3class"] < fp32 - MAX_DROP or metrics["macroF1_3class"] < TARGET_MACRO_F1_3:
        raise SystemExit(f"int8 3-class macro-F1 {metrics['macroF1_3class']} is more than {MAX_DROP} below fp32 {fp32} or below {TARGET_MACRO_F1_3}")

    keep = {k: v for k, v in entry.items() if k not in ("sha256", "recipeHash", "metrics", "hyperparameters")}
    write_entry(
        out,
        {
            **keep,
            "name": "sentiment-en-int8",
            "dir": "sentiment-en-int8",
            "files": {**entry["files"], "model": "model.onnx"},
            "precision": "int8",
            "method": f"{entry['method']}; int8 weights (dynamic quantisation, per channel)",
            "quantizedFrom": {"name": "sentiment-en", "recipeHash": entry.get("recipeHash")},
            "metrics": metrics,
        },
    )


if __name__ == "__main__":
    main_guard(main)
