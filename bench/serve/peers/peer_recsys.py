"""Recsys peer: the recsys.ids block in vocab mode (recsys/src/id_encoder.cpp) and recsys.dot_bias
(recsys/src/models.cpp) without item features.

Preprocessing: each user and item id looked up in the vocabulary the export stores (row i + 1 for
its i-th id; an id unseen in training reads row 0, the unknown row). Model: the dot product of the
user's and the item's factors plus both biases, squashed into y_range by sigmoid_range when the
recipe gives one."""
import torch
from torch import nn


class Ids:
    def __init__(self, state):
        for side in ("user", "item"):
            if state[side]["mode"] != "vocab":
                raise SystemExit(f"peer_recsys: {side} ids in {state[side]['mode']} mode are not replicated here "
                                 "(vocab mode is)")
        self.columns = (state["user_column"], state["item_column"])
        self.rows = [{id_: i + 1 for i, id_ in enumerate(state[side]["vocab"])} for side in ("user", "item")]

    def encode(self, items):
        users, items_ = [], []
        for item in items:
            user, it = item.split(",") if isinstance(item, str) else (item[self.columns[0]], item[self.columns[1]])
            users.append(self.rows[0].get(user.strip(), 0))
            items_.append(self.rows[1].get(it.strip(), 0))
        return torch.tensor(users), torch.tensor(items_)


class Table(nn.Module):
    """An IdEmbedding with one table (vocab mode): its weight is `table0.weight`."""

    def __init__(self, rows, dim):
        super().__init__()
        self.table0 = nn.Embedding(rows, dim)

    def forward(self, ids):
        return self.table0(ids)


class DotBias(nn.Module):
    def __init__(self, weights, y_range):
        super().__init__()
        for name in ("user_factors", "item_factors", "user_bias", "item_bias"):
            setattr(self, name, Table(*weights[f"{name}.table0.weight"].shape))
        self.y_range = y_range

    def forward(self, users, items):
        x = (self.user_factors(users) * self.item_factors(items)).sum(1, keepdim=True)
        x = x + self.user_bias(users) + self.item_bias(items)
        if self.y_range:
            low, high = self.y_range
            x = torch.sigmoid(x) * (high - low) + low
        return x


def build(export):
    options = export.recipe["model"]
    if options.get("item_features"):
        raise SystemExit("peer_recsys: recsys.dot_bias with item_features is not replicated here")
    preprocess = Ids(export.state)
    model = DotBias(export.weights, options.get("y_range") or None)
    model.load_state_dict(export.weights)
    return preprocess, model
