"""PyTorch peer of bench_text: the same BiLSTM classifier on the same token ids.

Embedding(V,128, pad 3) -> one bidirectional LSTM layer (64 per direction, packed sequences)
-> concat pooling [last, max, mean] -> BN, Linear(384,50), ReLU, BN, Linear(50,2); AdamW lr 1e-3,
wd 0.01, batch 32, dropouts off. Usage: bilstm_peer.py OUT_DIR/ids.tsv [EPOCHS] [THREADS]
Run it with OPENBLAS_NUM_THREADS=1 to hold OpenBLAS to one thread, as adapt does.
"""
import sys
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD = 3


class BiLstmClassifier(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, 128, padding_idx=PAD)
        self.rnn = nn.LSTM(128, 64, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.BatchNorm1d(384), nn.Linear(384, 50), nn.ReLU(), nn.BatchNorm1d(50),
                                  nn.Linear(50, 2))

    def forward(self, ids, lengths):
        x = self.embedding(ids)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.size(1))
        mask = (torch.arange(ids.size(1))[None, :] < lengths[:, None]).unsqueeze(2)
        mean = (out * mask).sum(1) / lengths[:, None]
        mx = out.masked_fill(~mask, -1e30).max(1).values
        last = torch.cat([out[torch.arange(out.size(0)), lengths - 1, :64], out[:, 0, 64:]], 1)
        return self.head(torch.cat([last, mx, mean], 1))


def main():
    path = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    if len(sys.argv) > 3:
        torch.set_num_threads(int(sys.argv[3]))
    with open(path) as f:
        vocab_size = int(f.readline().split("\t")[1])
        rows = [line.rstrip("\n").split("\t") for line in f]
    labels = [int(r[0]) for r in rows]
    ids = [torch.tensor([int(t) for t in r[1].split()]) for r in rows]
    torch.manual_seed(0)
    model = BiLstmClassifier(vocab_size)
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
            lengths = torch.tensor([len(s) for s in seqs])
            padded = torch.full((32, int(lengths.max())), PAD, dtype=torch.long)
            for k, s in enumerate(seqs):
                padded[k, :len(s)] = s
            loss = nn.functional.cross_entropy(model(padded, lengths), torch.tensor([labels[i] for i in batch]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            batches += 1
            seen += 32
        rate = seen / (time.perf_counter() - start_time)
        print(f"train pytorch threads {torch.get_num_threads()} epoch {epoch + 1}: {rate:7.1f} samples/s "
              f"(loss {loss_sum / batches:.4f})")


if __name__ == "__main__":
    main()
