"""Text peer: the text rules of text/src/text_rules.cpp for ASCII text, SentencePiece, then
text.awd_lstm_classifier (embedding + bidirectional LSTM on packed sequences + concat pooling head)."""
import re

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


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

    def __init__(self, state, model_dir, max_tokens):
        import sentencepiece
        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / state["sentencepiece"]))
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


def build(export):
    preprocess = Tokens(export.state, export.dir, export.recipe["inputs"][0].get("max_tokens", 512))
    model = AwdLstmClassifier(export.weights)
    model.load_adapt(export.weights)
    return preprocess, model
