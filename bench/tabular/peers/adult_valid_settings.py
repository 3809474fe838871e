#!/usr/bin/python3
"""How the UCI Adult settings of tests/tabular/test_adult.cpp were chosen: the PyTorch TabularModel
peer on a seeded 20 % validation split of adult.data ONLY (adult.test is never read here), comparing
preprocessing variants, two seeds each. Prints validation accuracy per variant.
  adult_valid_settings.py   (reads /work/shared/data or $ADAPT_DATA_DIR)
"""
import os, sys, numpy as np, torch, torch.nn as nn, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tabular_model import read, TabularModel
torch.set_num_threads(1)
D=os.path.join(os.environ.get('ADAPT_DATA_DIR', '/work/shared/data'), 'tabular/uci-adult')
tr = read(D+'/adult.data')
n = len(tr['age'])
rng = np.random.RandomState(0); perm = rng.permutation(n); nv = int(0.2*n)
valid_idx, train_idx = perm[:nv], perm[nv:]
CATS = ["workclass","education","marital-status","occupation","relationship","race","sex","native-country"]
CONTS = ["age","fnlwgt","education-num","capital-gain","capital-loss","hours-per-week"]
def build(log_cols, extra_cats):
    cats, cards = [], []
    for c in CATS+extra_cats:
        vals = tr[c]
        vocab = ["#na#"]+sorted({vals[i] for i in train_idx if vals[i] not in ("","?")})
        idx = {v:i for i,v in enumerate(vocab)}
        cats.append([idx.get(v,0) for v in vals]); cards.append(len(vocab))
    conts=[]
    for c in CONTS:
        x = np.array([float(v) for v in tr[c]])
        if c in log_cols: x = np.log1p(x)
        m, s = x[train_idx].mean(), x[train_idx].std(ddof=1)
        conts.append((x-m)/s)
    y = np.array([1 if v.startswith('>50K') else 0 for v in tr['income']])
    return torch.tensor(np.array(cats).T), torch.tensor(np.array(conts).T, dtype=torch.float32), torch.tensor(y), cards
def run(log_cols, extra_cats, epochs=5, bs=256, lr=1e-2, wd=0.01, seed=42, ps=0.0):
    xc, xn, y, cards = build(log_cols, extra_cats)
    torch.manual_seed(seed)
    model = TabularModel(cards, xn.shape[1], 2)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd, betas=(0.9,0.99))
    ti = torch.tensor(train_idx); per = len(ti)//bs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=per*epochs, pct_start=0.25, div_factor=25, final_div_factor=1e5)
    lf = nn.CrossEntropyLoss()
    for e in range(epochs):
        model.train(); p = ti[torch.randperm(len(ti))]
        for b in range(per):
            i = p[b*bs:(b+1)*bs]; loss = lf(model(xc[i], xn[i]), y[i]); opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    model.eval(); vi = torch.tensor(valid_idx)
    with torch.no_grad(): acc = (model(xc[vi], xn[vi]).argmax(1)==y[vi]).float().mean().item()
    return acc
configs = {
 'plain': ([], []),
 'log': (['capital-gain','capital-loss','fnlwgt'], []),
 'log+gaincat': (['capital-gain','capital-loss','fnlwgt'], ['capital-gain','capital-loss']),
 'log+gaincat+edunum': (['capital-gain','capital-loss','fnlwgt'], ['capital-gain','capital-loss','education-num']),
}
for name,(l,c) in configs.items():
    t=time.time(); accs=[run(l,c,seed=s) for s in (1,2)]
    print(name, ['%.4f'%a for a in accs], '%.1fs'%(time.time()-t), flush=True)
