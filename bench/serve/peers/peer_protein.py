"""Protein peer: the protein.sequence block (protein/src/alphabet.cpp, blocks.cpp) and protein.cnn
(protein/src/models.cpp).

Preprocessing: whitespace dropped, upper case, a trailing '*' (stop) stripped, a character that is no
residue letter refused (invalid "error"), mapped to X ("x") or dropped ("remove"); the first max_len
residues kept; ESM-1b ids (L A G V S E R T I D P K Q N F Y M H W C X B U Z O from 4) framed by <cls> and
<eos> as the block's options say; each batch padded with <pad> to its longest row, with a mask of the
real tokens. Model: embedding, an input convolution, residual blocks (channel LayerNorm - ReLU -
dilated convolution - channel LayerNorm - ReLU - 1x1 convolution), a final channel LayerNorm and ReLU,
padding zeroed throughout; masked max and mean over the positions, then the linear head."""
import torch
from torch import nn
from torch.nn import functional as F

RESIDUES = "LAGVSERTIDPKQNFYMHWCXBUZO"  # ids 4..28 (alphabet.h)


class Residues:
    def __init__(self, state, dims, options):
        if state.get("alphabet") != "esm-1b" or state.get("kmer") != 1:
            raise SystemExit(f"peer_protein: the tokenization {state} is not replicated here (kmer 1 is)")
        self.ids = {c: i + 4 for i, c in enumerate(RESIDUES)}
        self.column, self.invalid, self.max_len = options["column"], options["invalid"], options["max_len"]
        self.head = [dims["cls_id"]] if options["add_cls"] else []
        self.tail = [dims["eos_id"]] if options["add_eos"] else []
        self.pad = dims["pad_id"]

    def clean(self, raw):
        s = "".join(raw.split()).upper().rstrip("*")
        if all(c in self.ids for c in s):
            out = s
        elif self.invalid == "x":
            out = "".join(c if c in self.ids else "X" for c in s)
        elif self.invalid == "remove":
            out = "".join(c for c in s if c in self.ids)
        else:
            bad = next(c for c in s if c not in self.ids)
            raise ValueError(f"invalid character {bad!r} in sequence")
        if not out:
            raise ValueError("empty sequence")
        return out[: self.max_len]

    def encode(self, items):
        seqs = []
        for item in items:
            residues = self.clean(item if isinstance(item, str) else item[self.column])
            seqs.append(self.head + [self.ids[c] for c in residues] + self.tail)
        longest = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), longest), self.pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), longest), dtype=torch.bool)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s)
            mask[i, : len(s)] = True
        return ids, mask


def channel_norm(x, weight, bias):
    """LayerNorm over the channels of x [B, C, T] at every position."""
    return F.layer_norm(x.transpose(1, 2), (x.size(1),), weight, bias, 1e-5).transpose(1, 2)


class ResidualConv(nn.Module):
    def __init__(self, channels, kernel_size, dilation):
        super().__init__()
        for name in ("norm1", "norm2"):
            setattr(self, f"{name}_weight", nn.Parameter(torch.ones(channels)))
            setattr(self, f"{name}_bias", nn.Parameter(torch.zeros(channels)))
        self.dilated = nn.Conv1d(channels, channels, kernel_size, dilation=dilation,
                                 padding=dilation * (kernel_size - 1) // 2)
        self.pointwise = nn.Conv1d(channels, channels, 1)

    def forward(self, x, keep):
        h = torch.relu(channel_norm(x, self.norm1_weight, self.norm1_bias))
        h = self.dilated(h * keep)
        h = torch.relu(channel_norm(h, self.norm2_weight, self.norm2_bias))
        return (x + self.pointwise(h)) * keep


class CnnEncoder(nn.Module):
    def __init__(self, vocab_size, pad_id, emb_dim, channels, kernel_size, dilations):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim, padding_idx=pad_id)
        self.conv_in = nn.Conv1d(emb_dim, channels, kernel_size, padding=(kernel_size - 1) // 2)
        self.n_blocks = len(dilations)
        for i, d in enumerate(dilations):
            setattr(self, f"block{i}", ResidualConv(channels, kernel_size, d))
        self.norm_weight = nn.Parameter(torch.ones(channels))
        self.norm_bias = nn.Parameter(torch.zeros(channels))

    def forward(self, ids, mask):
        keep = mask.unsqueeze(1).float()  # [B, 1, T]
        x = self.conv_in(self.embedding(ids).transpose(1, 2)) * keep
        for i in range(self.n_blocks):
            x = getattr(self, f"block{i}")(x, keep)
        return (torch.relu(channel_norm(x, self.norm_weight, self.norm_bias)) * keep).transpose(1, 2)  # [B, T, C]


class ProteinCnn(nn.Module):
    def __init__(self, dims, options, n_outputs):
        super().__init__()
        self.encoder = CnnEncoder(dims["vocab_size"], dims["pad_id"], options["emb_dim"], options["channels"],
                                  options["kernel_size"], options["dilations"])
        self.pool = options["pool"]
        self.head = nn.Linear(options["channels"] * (2 if self.pool == "max_mean" else 1), n_outputs)

    def forward(self, ids, mask):
        h = self.encoder(ids, mask)
        pooled = []
        if self.pool != "mean":
            pooled.append(h.masked_fill(~mask.unsqueeze(2), -1e4).max(1).values)
        if self.pool != "max":
            m = mask.unsqueeze(2).to(h.dtype)
            pooled.append((h * m).sum(1) / m.sum(1).clamp(min=1.0))
        return self.head(torch.cat(pooled, 1))


def build(export):
    if export.spec["dims"]["y"].get("per_residue"):
        raise SystemExit("peer_protein: a per-residue target is not replicated here (a sequence classifier is)")
    preprocess = Residues(export.state, export.dims, export.recipe["inputs"][0])
    model = ProteinCnn(export.dims, export.recipe["model"], export.weights["head.weight"].shape[0])
    model.load_state_dict(export.weights)
    return preprocess, model
