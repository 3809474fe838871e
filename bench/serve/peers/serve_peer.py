#!/usr/bin/python3
"""Python peer of `adapt serve`: FastAPI + uvicorn + PyTorch serving the same model with the same
weights (written by bench_serve_export), on the same HTTP contract:
POST /v1/predict {"inputs": [...]} -> {"predictions": [{"prediction": {"label", "probabilities"}}]}
({"prediction": {"rating": value}} for a recsys.rating target).

The export directory's recipe picks the modality's peer, each in its own module, which rebuilds the
preprocessing (PREPROCESS.encode(inputs) -> the model's tensors) and the module (MODEL):
  tabular.model             peer_tabular.py
  text.awd_lstm_classifier  peer_text.py
  audio.cnn                 peer_audio.py
  protein.cnn               peer_protein.py
  recsys.dot_bias           peer_recsys.py
Outputs are decoded as adapt's targets do (scores()): core.category's probabilities, after the
export's temperature when it holds a calibration, with LABELS their names; recsys.rating's value
clamped to the target's scale (LABELS is None).

  PEER_MODEL_DIR=DIR PEER_THREADS=1 python3 -m uvicorn serve_peer:app --port N --workers W
"""
import importlib
import json
import os
from pathlib import Path

import torch
from fastapi import FastAPI, HTTPException, Request

torch.set_num_threads(int(os.environ.get("PEER_THREADS", "1")))

PEERS = {"tabular.model": "peer_tabular", "text.awd_lstm_classifier": "peer_text", "audio.cnn": "peer_audio",
         "protein.cnn": "peer_protein", "recsys.dot_bias": "peer_recsys"}


class Export:
    """What bench_serve_export wrote: the recipe, the one input block's state and dims, the weights."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.spec = json.loads((self.dir / "model.json").read_text())
        self.recipe = self.spec["recipe"]
        self.weights = torch.load(self.dir / "weights.pt")
        inputs = [k for k in self.spec["blocks"] if k != "y"]
        if len(inputs) != 1:
            raise SystemExit(f"serve_peer: expected one input block, found {len(inputs)} ({', '.join(inputs)})")
        self.state = self.spec["blocks"][inputs[0]]
        self.dims = self.spec.get("dims", {}).get(inputs[0], {})


EXPORT = Export(os.environ["PEER_MODEL_DIR"])
model_name = EXPORT.recipe["model"]["name"]
if model_name not in PEERS:
    raise SystemExit(f"serve_peer: model {model_name} is not replicated here")
PREPROCESS, MODEL = importlib.import_module(PEERS[model_name]).build(EXPORT)
MODEL.eval()

target = EXPORT.recipe["target"]["name"]
if target == "core.category":
    LABELS = EXPORT.spec["blocks"]["y"]["vocab"]
    TEMPERATURE = EXPORT.spec.get("calibration", {}).get("temperature", 1.0)
elif target == "recsys.rating":
    LABELS = None
    SCALE = EXPORT.spec["blocks"]["y"].get("min"), EXPORT.spec["blocks"]["y"].get("max")
else:
    raise SystemExit(f"serve_peer: target {target} is not replicated here")


def scores(outputs):
    """A classifier's probabilities [B, classes] (float64), or a rating's values [B] clamped to its scale."""
    if LABELS is not None:
        return torch.softmax(outputs.double() / TEMPERATURE, 1)
    values = outputs[:, 0].double()
    return values if SCALE == (None, None) else values.clamp(*SCALE)


app = FastAPI()


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/v1/predict")
async def predict(request: Request):
    try:
        body = await request.json()
        inputs = body["inputs"]
        if not isinstance(inputs, list) or not inputs:
            raise ValueError("inputs must be a non-empty array")
        tensors = PREPROCESS.encode(inputs)
    except Exception as e:  # the same 400 contract as adapt serve
        raise HTTPException(status_code=400, detail=str(e))
    with torch.inference_mode():
        p = scores(MODEL(*tensors))
    if LABELS is None:
        return {"predictions": [{"prediction": {"rating": v}} for v in p.tolist()]}
    out = []
    for row in p.tolist():
        best = max(range(len(row)), key=row.__getitem__)
        out.append({"prediction": {"label": LABELS[best], "probabilities": dict(zip(LABELS, row))}})
    return {"predictions": out}
