"""PyTorch peer of bench_protein: the same residual dilated CNN on the same token ids.

Embedding(33, 64, pad 1) -> Conv1d(64, 128, 9) -> 3 residual blocks (channel LayerNorm, ReLU, dilated
Conv1d(128, 128, 9, dilation 1/2/4), channel LayerNorm, ReLU, Conv1d 1x1; padding zeroed) -> channel
LayerNorm, ReLU -> masked max + mean pooling -> dropout 0.3 -> Linear(256, 2). AdamW lr 1e-3, wd 0.01,
batch 32. Usage: cnn_peer.py OUT_DIR/ids.tsv [EPOCHS] [THREADS]
Run it with OPENBLAS_NUM_THREADS=1 to hold OpenBLAS to one thread, as adapt does.
"""
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "peers"))  # bench/peers, wherever we run from
import peer_support  # noqa: E402

PAD = 1


def channel_norm(x, w, b):
    mean = x.mean(1, keepdim=True)
    var = (x - mean).pow(2).mean(1, keepdim=True)
    return (x - mean) * torch.rsqrt(var + 1e-5) * w.view(1, -1, 1) + b.view(1, -1, 1)


class Block(nn.Module):
    def __init__(self, c, k, d):
        super().__init__()
        self.w1, self.b1 = nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))
        self.w2, self.b2 = nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))
        self.dilated = nn.Conv1d(c, c, k, dilation=d, padding=d * (k - 1) // 2)
        self.pointwise = nn.Conv1d(c, c, 1)

    def forward(self, x, keep):
        h = torch.relu(channel_norm(x, self.w1, self.b1))
        h = self.dilated(h * keep)
        h = self.pointwise(torch.relu(channel_norm(h, self.w2, self.b2)))
        return (x + h) * keep


class Cnn(nn.Module):
    def __init__(self, vocab_size, emb=64, c=128, k=9, dilations=(1, 2, 4)):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb, padding_idx=PAD)
        self.conv_in = nn.Conv1d(emb, c, k, padding=(k - 1) // 2)
        self.blocks = nn.ModuleList([Block(c, k, d) for d in dilations])
        self.w, self.b = nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(2 * c, 2)

    def forward(self, ids, mask):
        keep = mask.unsqueeze(1).float()
        x = self.conv_in(self.embedding(ids).transpose(1, 2)) * keep
        for block in self.blocks:
            x = block(x, keep)
        h = (torch.relu(channel_norm(x, self.w, self.b)) * keep).transpose(1, 2)
        mx = h.masked_fill(~mask.unsqueeze(2), -1e4).max(1).values
        m = mask.unsqueeze(2).float()
        mean = (h * m).sum(1) / m.sum(1).clamp_min(1.0)
        return self.head(self.dropout(torch.cat([mx, mean], 1)))


def main():
    peer_support.run(Cnn, lambda model, padded, lengths: model(padded, padded.ne(PAD)), PAD, 3, "train pytorch cnn")


if __name__ == "__main__":
    main()
