"""PyTorch peer of bench_protein: the same residual dilated CNN on the same token ids.

Embedding(33, 64, pad 1) -> Conv1d(64, 128, 9) -> 3 residual blocks (channel LayerNorm, ReLU, dilated
Conv1d(128, 128, 9, dilation 1/2/4), channel LayerNorm, ReLU, Conv1d 1x1; padding zeroed) -> channel
LayerNorm, ReLU -> masked max + mean pooling -> dropout 0.3 -> Linear(256, 2). AdamW lr 1e-3, wd 0.01,
batch 32. Usage: cnn_peer.py OUT_DIR/ids.tsv [EPOCHS] [THREADS]
Run it with OPENBLAS_NUM_THREADS=1 to hold OpenBLAS to one thread, as adapt does.
"""
import sys
import time

import torch
from torch import nn

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
    path = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if len(sys.argv) > 3:
        torch.set_num_threads(int(sys.argv[3]))
    with open(path) as f:
        vocab_size = int(f.readline().split("\t")[1])
        rows = [line.rstrip("\n").split("\t") for line in f]
    labels = [int(r[0]) for r in rows]
    ids = [torch.tensor([int(t) for t in r[1].split()]) for r in rows]
    torch.manual_seed(0)
    model = Cnn(vocab_size)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    g = torch.Generator().manual_seed(0)
    for epoch in range(epochs):
        order = torch.randperm(len(ids), generator=g).tolist()
        start_time = time.perf_counter()
        seen, loss_sum, batches = 0, 0.0, 0
        for start in range(0, len(order) - 31, 32):
            batch = order[start:start + 32]
            seqs = [ids[i] for i in batch]
            longest = max(len(s) for s in seqs)
            padded = torch.full((32, longest), PAD, dtype=torch.long)
            for k, s in enumerate(seqs):
                padded[k, :len(s)] = s
            loss = nn.functional.cross_entropy(model(padded, padded.ne(PAD)), torch.tensor([labels[i] for i in batch]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            batches += 1
            seen += 32
        rate = seen / (time.perf_counter() - start_time)
        print(f"train pytorch cnn threads {torch.get_num_threads()} epoch {epoch + 1}: {rate:7.1f} samples/s "
              f"(loss {loss_sum / batches:.4f})")


if __name__ == "__main__":
    main()
