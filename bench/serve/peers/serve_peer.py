#!/usr/bin/python3
"""Python peer of `adapt serve`: FastAPI + uvicorn + PyTorch serving the same model with the same
weights (written by bench_serve_export), on the same HTTP contract:
POST /v1/predict {"inputs": [...]} -> {"predictions": [{"prediction": {"label", "probabilities"}}]}.

Models: tabular.model (the tabular.table block's categorical codes, median fill, signed log1p and
normalisation, then embeddings + BatchNorm + Linear/ReLU/BatchNorm layers) and
text.awd_lstm_classifier (the text rules of text/src/text_rules.cpp for ASCII text, SentencePiece,
then embedding + bidirectional LSTM on packed sequences + concat pooling head).

  PEER_MODEL_DIR=DIR PEER_THREADS=1 python3 -m uvicorn serve_peer:app --port N --workers W
"""
import json
import math
import os
import re
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from fastapi import FastAPI, HTTPException, Request

torch.set_num_threads(int(os.environ.get("PEER_THREADS", "1")))
MODEL_DIR = Path(os.environ["PEER_MODEL_DIR"])
SPEC = json.loads((MODEL_DIR / "model.json").read_text())
WEIGHTS = torch.load(MODEL_DIR / "weights.pt")
RECIPE = SPEC["recipe"]


def block_state(name):
    """The state of the input block (batch key "x"; the target's is "y")."""
    inputs = [v for k, v in SPEC["blocks"].items() if k != "y"]
    if len(inputs) != 1:
        raise SystemExit(f"serve_peer: expected one input block ({name}), found {len(inputs)}")
    return inputs[0]


def target_vocab():
    return SPEC["blocks"]["y"]["vocab"]


# --- tabular ------------------------------------------------------------------------------------

class Table:
    def __init__(self, state, columns):
        self.missing = set(state["missing_values"])
        self.cats = [(f["column"], {v: i for i, v in enumerate(f["vocab"])}, f["source"]) for f in state["cats"]]
        self.conts = [(f["column"], f["median"], f["log"], f["mean"], f["std"]) for f in state["conts"]]
        self.columns = columns

    def row(self, item):
        if isinstance(item, dict):
            return {k: "" if v is None else str(v).strip() for k, v in item.items()}
        fields = [f.strip() for f in item.split(",")]
        if all("=" in f for f in fields):
            return dict(f.split("=", 1) for f in fields)
        return dict(zip(self.columns, fields))

    def encode(self, items):
        cats, conts = [], []
        for item in items:
            r = self.row(item)
            codes = []
            for column, codes_of, source in self.cats:
                raw = r.get(column, "")
                if source == "column":
                    codes.append(0 if raw in self.missing else codes_of.get(raw, 0))
                else:  # a missing-value indicator
                    codes.append(2 if raw in self.missing else 1)
            cats.append(codes)
            values = []
            for column, median, log, mean, std in self.conts:
                raw = r.get(column, "")
                v = median
                if raw not in self.missing:
                    v = float(raw)
                    if log:
                        v = -math.log1p(-v) if v < 0 else math.log1p(v)
                values.append((v - mean) / std)
            conts.append(values)
        return torch.tensor(cats, dtype=torch.long), torch.tensor(conts, dtype=torch.float32)


class TabularModel(nn.Module):
    def __init__(self, weights, layers):
        super().__init__()
        n_embeds = len([k for k in weights if k.startswith("embeds.") and k.endswith(".weight")])
        self.embeds = nn.ModuleList([nn.Embedding(*weights[f"embeds.{i}.weight"].shape) for i in range(n_embeds)])
        n_cont = weights["bn_cont.weight"].shape[0]
        self.bn_cont = nn.BatchNorm1d(n_cont)
        blocks, width = [], sum(e.embedding_dim for e in self.embeds) + n_cont
        for w in layers:
            blocks += [nn.Linear(width, w, bias=False), nn.ReLU(inplace=True), nn.BatchNorm1d(w)]
            width = w
        self.layers = nn.Sequential(*blocks)
        self.head = nn.Linear(width, weights["head.weight"].shape[0])

    def forward(self, cat, cont):
        x = torch.cat([e(cat[:, i]) for i, e in enumerate(self.embeds)], 1)
        return self.head(self.layers(torch.cat([x, self.bn_cont(cont)], 1)))


# --- text ---------------------------------------------------------------------------------------

HTML = [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&nbsp;", " "),
        ("<br />", "\n"), ("<br/>", "\n"), ("<br>", "\n"), ("\\n", "\n"), ("#39;", "'"), ("quot;", '"')]
REPEAT = re.compile(r"(.)\1{2,}")


def apply_rules(text, rules):
    if rules.get("fix_html"):
        for a, b in HTML:
            text = text.replace(a, b)
    if rules.get("add_spaces"):
        text = text.replace("/", " / ").replace("#", " # ")
    words, out, i = text.split(), [], 0
    while i < len(words):
        j = i + 1
        while rules.get("mark_repetitions") and j < len(words) and words[j] == words[i]:
            j += 1
        word, prefix = words[i], ""
        if rules.get("mark_case"):
            letters = sum(c.isalpha() for c in word)
            if letters >= 2 and all(c.isupper() for c in word if c.isalpha()):
                prefix = "xxup "
            elif word[:1].isupper():
                prefix = "xxmaj "
            word = word.lower()
        if rules.get("mark_repetitions"):
            word = REPEAT.sub(lambda m: f" xxrep {len(m.group(0))} {m.group(1)} ", word).strip()
        if j - i >= 3:
            out.append(f"xxwrep {j - i} {prefix}{word}")
        else:
            out.append(prefix + word)
            j = i + 1
        i = j
    return " ".join(out)


class Tokens:
    BOS, PAD = 1, 3

    def __init__(self, state, max_tokens):
        import sentencepiece
        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(MODEL_DIR / state["sentencepiece"]))
        self.rules, self.max_chars, self.max_tokens = state["rules"], state["max_chars"], max_tokens

    def encode(self, items):
        seqs = []
        for item in items:
            if not isinstance(item, str):
                item = next(iter(item.values()))
            ids = [self.BOS] + self.sp.encode(apply_rules(item[: self.max_chars], self.rules))
            seqs.append(ids[: self.max_tokens])
        lengths = torch.tensor([len(s) for s in seqs])
        ids = torch.full((len(seqs), int(lengths.max())), self.PAD, dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s)
        return ids, lengths


class AwdLstmClassifier(nn.Module):
    def __init__(self, weights):
        super().__init__()
        vocab, emb = weights["encoder.embedding.weight"].shape
        self.embedding = nn.Embedding(vocab, emb, padding_idx=Tokens.PAD)
        self.rnns = nn.ModuleList()
        l = 0
        while f"encoder.rnn{l}.weight_ih" in weights:
            hidden = weights[f"encoder.rnn{l}.weight_hh"].shape[1]
            inputs = weights[f"encoder.rnn{l}.weight_ih"].shape[1]
            self.rnns.append(nn.LSTM(inputs, hidden, batch_first=True,
                                     bidirectional=f"encoder.rnn{l}.weight_ih_reverse" in weights))
            l += 1
        sizes = [k for k in weights if k.startswith("head.layers.") and k.endswith(".running_mean")]
        layers = []
        for k in sorted(sizes, key=lambda k: int(k.split(".")[2])):
            i = int(k.split(".")[2])
            w = weights[f"head.layers.{i + 2}.weight"]
            layers += [nn.BatchNorm1d(w.shape[1]), nn.Dropout(0.0), nn.Linear(w.shape[1], w.shape[0])]
            if f"head.layers.{i + 4}.running_mean" in weights:
                layers.append(nn.ReLU())
        self.head = nn.Sequential(*layers)

    def load_adapt(self, weights):
        state = {"embedding.weight": weights["encoder.embedding.weight"]}
        for l, _ in enumerate(self.rnns):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                for suffix in ("", "_reverse"):
                    key = f"encoder.rnn{l}.{name}{suffix}"
                    if key in weights:
                        state[f"rnns.{l}.{name}_l0{suffix}"] = weights[key]
        for k, v in weights.items():
            if k.startswith("head.layers."):
                state[k[len("head."):].replace("layers.", "head.", 1)] = v
        self.load_state_dict(state)

    def forward(self, ids, lengths):
        x = self.embedding(ids)
        for rnn in self.rnns:
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            x, _ = rnn(packed)
            x, _ = pad_packed_sequence(x, batch_first=True, total_length=ids.size(1))
        mask = (torch.arange(ids.size(1))[None, :] < lengths[:, None]).unsqueeze(2)
        mean = (x * mask).sum(1) / lengths.clamp(min=1)[:, None]
        mx = x.masked_fill(~mask, -1e30).max(1).values
        half = x.size(2) // 2
        last = x[torch.arange(x.size(0)), (lengths - 1).clamp(min=0)]
        last = torch.cat([last[:, :half], x[:, 0, half:]], 1)
        return self.head(torch.cat([last, mx, mean], 1))


# --- the server ---------------------------------------------------------------------------------

model_name = RECIPE["model"]["name"]
if model_name == "tabular.model":
    reader = RECIPE["reader"]
    PREPROCESS = Table(block_state("tabular.table"), reader.get("column_names", []))
    MODEL = TabularModel(WEIGHTS, RECIPE["model"].get("layers", [200, 100]))
    MODEL.load_state_dict(WEIGHTS)
elif model_name == "text.awd_lstm_classifier":
    PREPROCESS = Tokens(block_state("text.tokens"), RECIPE["inputs"][0].get("max_tokens", 512))
    MODEL = AwdLstmClassifier(WEIGHTS)
    MODEL.load_adapt(WEIGHTS)
else:
    raise SystemExit(f"serve_peer: model {model_name} is not replicated here")
MODEL.eval()
LABELS = target_vocab()
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
        p = torch.softmax(MODEL(*tensors).double(), 1)
    out = []
    for row in p.tolist():
        best = max(range(len(row)), key=row.__getitem__)
        out.append({"prediction": {"label": LABELS[best], "probabilities": dict(zip(LABELS, row))}})
    return {"predictions": out}
