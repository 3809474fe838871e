"""PyTorch peer of bench_text: the same BiLSTM classifier on the same token ids.

Embedding(V,128, pad 3) -> one bidirectional LSTM layer (64 per direction, packed sequences)
-> concat pooling [last, max, mean] -> BN, Linear(384,50), ReLU, BN, Linear(50,2); AdamW lr 1e-3,
wd 0.01, batch 32, dropouts off. Usage: bilstm_peer.py OUT_DIR/ids.tsv [EPOCHS] [THREADS]
Run it with OPENBLAS_NUM_THREADS=1 to hold OpenBLAS to one thread, as adapt does.
"""
import sys
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "peers"))  # bench/peers, wherever we run from
import peer_support  # noqa: E402

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
    peer_support.run(BiLstmClassifier, lambda model, padded, lengths: model(padded, lengths), PAD, 2, "train pytorch")


if __name__ == "__main__":
    main()
