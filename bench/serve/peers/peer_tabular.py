"""Tabular peer: the tabular.table block's categorical codes, median fill, signed log1p and
normalisation, then tabular.model (embeddings + BatchNorm + Linear/ReLU/BatchNorm layers)."""
import math

import torch
from torch import nn


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


def build(export):
    reader = export.recipe["reader"]
    preprocess = Table(export.state, reader.get("column_names", []))
    model = TabularModel(export.weights, export.recipe["model"].get("layers", [200, 100]))
    model.load_state_dict(export.weights)
    return preprocess, model
