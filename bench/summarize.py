"""One table of every adapt / PyTorch ratio from the logs bench/run_all.sh wrote.

Each side's figure is its best thread setting (the peer "at its best setting"); a training workload
that reports several epochs per process counts the mean of epochs 2 and later (the first warms the
caches and, for oneDNN, builds its kernels). With OUT/profiles/, a second table gives each workload's
GFLOP/s on both sides against the machine's measured matmul throughput.

Usage: /usr/bin/python3 bench/summarize.py OUT_DIR   (prints Markdown)
"""
import json
import re
import sys
from pathlib import Path


def json_objects(text):
    """Every top-level JSON object in a log (one per line or indented over several)."""
    decoder, objects, i = json.JSONDecoder(), [], 0
    while (i := text.find("{", i)) >= 0:
        try:
            obj, end = decoder.raw_decode(text, i)
            objects.append(obj)
            i = end
        except json.JSONDecodeError:
            i += 1
    return [o for o in objects if isinstance(o, dict)]


def epoch_rates(text, prefix):
    """Mean samples/s of epochs >= 2 per process, for lines 'PREFIX threads T epoch E: R samples/s'."""
    runs, current = [], None
    for m in re.finditer(rf"^{re.escape(prefix)}\s+threads (\d+) epoch (\d+):\s+([\d.]+) samples/s", text, re.M):
        epoch, rate = int(m.group(2)), float(m.group(3))
        if epoch == 1:
            current = []
            runs.append(current)
        elif current is not None:
            current.append(rate)
    return [sum(r) / len(r) for r in runs if r]


def read(out, name):
    path = out / f"{name}.log"
    return path.read_text() if path.exists() else ""


def rows(out):
    """(workload, adapt figure, peer figure, ratio, target) per comparison."""
    table = []

    def add(workload, unit, adapt, peer, target, higher_is_better=True):
        if adapt and peer:
            ratio = adapt / peer if higher_is_better else peer / adapt
            table.append((workload, f"{adapt:,.1f} {unit}", f"{peer:,.1f} {unit}", ratio, target))

    text = read(out, "core_mlp")
    learner = [float(v) for v in re.findall(r"adapt/learner\s+([\d.]+) us/step", text)]
    peer = [float(v) for v in re.findall(r"pytorch\s+([\d.]+) us/step", text)]
    if learner and peer:
        add("core MLP 32-200-100-10, batch 64 (Learner)", "us/step", min(learner), min(peer), 1.5, False)

    objects = json_objects(read(out, "tabular"))
    for bs in (64, 256):
        best = {side: max((o["rows_per_s"] for o in objects if o.get("impl") == side and o.get("batch_size") == bs),
                          default=0) for side in ("adapt", "pytorch")}
        add(f"tabular TabularModel, batch {bs}", "rows/s", best["adapt"], best["pytorch"], 1.5)

    for name, adapt_prefix, peer_prefix, target in (("text BiLSTM on SMS", "train adapt", "train pytorch", 1.3),
                                                    ("protein CNN on AMP", "train adapt cnn", "train pytorch cnn", 1.5),
                                                    ("protein CNN on AMP, adapt batching similar lengths (its recipe's "
                                                     "sampler bucket) against the peer's random batches",
                                                     "train adapt cnn (bucket)", "train pytorch cnn", 1.5)):
        text = read(out, name.split()[0])
        adapt, peer = epoch_rates(text, adapt_prefix), epoch_rates(text, peer_prefix)
        add(name, "samples/s", max(adapt, default=0), max(peer, default=0), target)

    objects = json_objects(read(out, "audio"))
    def best(side, key, **match):
        return max((v for o in objects if o.get("impl") == side and all(o.get(k) == x for k, x in match.items())
                    for k, v in o.items() if re.fullmatch(key, k)), default=0)
    add("audio CNN on FSDD (training loop)", "samples/s", best("adapt", r"train_samples_per_s_\d+_threads"),
        best("pytorch", r"train_samples_per_s_\d+_threads", channels_last=False), 1.5)
    add("audio CNN on FSDD, the peer given audio.cnn's channels-last layout", "samples/s",
        best("adapt", r"train_samples_per_s_\d+_threads"),
        best("pytorch", r"train_samples_per_s_\d+_threads", channels_last=True), None)
    for feature, target in (("mel", 3.0), ("logmel", 3.0)):
        add(f"audio {feature} per clip, 1 thread", "s audio/s", best("adapt", f"{feature}_per_clip_1thread"),
            best("pytorch", f"{feature}_per_clip_1thread"), target)

    objects = json_objects(read(out, "recsys"))
    for batch in (64, 1024):
        fastest = {side: max((o["samples_per_s"] for o in objects if o.get("side") == side and o.get("batch") == batch
                              and o.get("items") == 9724), default=0) for side in ("adapt", "pytorch")}
        add(f"recsys dot-bias step, batch {batch}", "samples/s", fastest["adapt"], fastest["pytorch"], 1.5)
    for side, optimizer in (("adapt", "rowwise"), ("adapt", "adamw"), ("pytorch", "sparse_adam")):
        step = {o["items"]: o for o in objects if o.get("side") == side and o.get("optimizer") == optimizer
                and o.get("batch") == 1024 and o.get("items") in (10000, 10000000)}
        if len(step) == 2:
            small, large = step[10000], step[10000000]
            table.append((f"recsys step 10M / 10k item rows ({side} {optimizer}; peak {large['peak_rss_mb']:,.0f} MB)",
                          f"{large['step_ms']:.2f} ms", f"{small['step_ms']:.2f} ms (10k rows)",
                          large["step_ms"] / small["step_ms"], "<= 1.2 (slowdown)"))

    for o in json_objects(read(out, "recsys_step")):
        if "step_ratio" in o:
            ratio = o["step_ratio"]
            median, best = ratio["median"], ratio["best"]
            table.append((f"recsys step 10M / 10k item rows (adapt rowwise; medians of {ratio['pairs']} interleaved "
                          f"pairs, bench/recsys/step_ratio.sh; best runs {best['step_ms_10m']:.2f} / "
                          f"{best['step_ms_10k']:.2f} ms)", f"{median['step_ms_10m']:.2f} ms",
                          f"{median['step_ms_10k']:.2f} ms (10k rows)",
                          median["step_ms_10m"] / median["step_ms_10k"], "<= 1.2 (slowdown)"))
            if "in_process" in ratio:
                both = ratio["in_process"]
                table.append((f"recsys step 10M / 10k item rows (adapt rowwise; both in one process, alternating "
                              f"blocks, median of {both['runs']} runs, recsys_bench --versus)",
                              f"{both['step_ms_10m']:.2f} ms", f"{both['step_ms_10k']:.2f} ms (10k rows)",
                              both["median_ratio"], "<= 1.2 (slowdown)"))

    # adapt predict per modality (bench/monitor/run.sh), each side at its best thread count, three ways:
    # adapt's whole process against the peer's loop (which leaves out Python's start, `import torch` and
    # the model's loading); loop against loop (the rows/s each prints: from the first row read to the
    # last written); process against process.
    text = read(out, "predict")
    for name, label, target in (("adult", "UCI Adult, 1M rows", 3.0), ("sms", "SMS text, 100k messages", 2.0),
                                ("audio", "FSDD audio, 3,000 clips", 2.0), ("protein", "AMP peptides, 20,000", 2.0),
                                ("recsys", "MovieLens pairs, 1M", 2.0)):
        adapt_s = [float(v) for v in re.findall(rf"adapt predict {name} --threads \d+: ([\d.]+) s", text)]
        loops = re.findall(rf"peer: (\d+) rows in [\d.]+ s = (\d+) rows/s[^\n]*\npeer process {name} ", text)
        if adapt_s and loops:
            n_rows = int(loops[0][0])
            add(f"`adapt predict` {label} to CSV (adapt's process against the peer's loop)", "rows/s",
                n_rows / min(adapt_s), max(float(r) for _, r in loops), target)
            adapt_loops = re.findall(rf"adapt: {n_rows} predictions written to [^\n]* \((\d+) rows/s[^\n]*\n"
                                     rf"adapt predict {name} --threads", text)
            peer_s = [float(v) for v in re.findall(rf"peer process {name} --threads \d+: ([\d.]+) s", text)]
            if adapt_loops:
                add(f"`adapt predict` {label} to CSV (loop against loop: the rows/s each prints)", "rows/s",
                    max(float(r) for r in adapt_loops), max(float(r) for _, r in loops), target)
            if peer_s:
                add(f"`adapt predict` {label} to CSV (process against process)", "rows/s",
                    n_rows / min(adapt_s), n_rows / min(peer_s), target)
    return table


def profile_rows(out):
    """(workload, label, FLOP per step, adapt GFLOP/s, peer GFLOP/s) from OUT/profiles/*.md."""
    result = []
    for path in sorted((out / "profiles").glob("*.md")):
        # recsys: gathers and row updates, bound by memory; protein: torch.profiler counts no conv1d FLOPs.
        if path.stem in ("recsys", "protein"):
            continue
        sections = re.split(r"^### ", path.read_text(), flags=re.M)[1:]
        adapt = None
        for section in sections:
            step = re.search(r"\| \*\*step\*\* \| \*\*([\d.]+)\*\*", section)
            if section.startswith("adapt:"):
                adapt = (section.splitlines()[0][len("adapt: "):], float(step.group(1)) if step else None)
                continue
            flops = re.search(r"FLOP per step \(.*?\): (\d+)", section)
            if adapt and flops and step and adapt[1]:
                f = float(flops.group(1))
                result.append((path.stem, adapt[0], f, f / adapt[1] / 1e6, f / float(step.group(1)) / 1e6))
            adapt = None
    return result


def main():
    out = Path(sys.argv[1])
    context = (out / "context.txt").read_text() if (out / "context.txt").exists() else ""
    print("## Every ratio, side by side (bench/run_all.sh)\n")
    print("\n".join(f"- {line}" for line in context.splitlines()) + "\n")
    print("| workload | adapt | PyTorch peer (best setting) | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for workload, adapt, peer, ratio, target in rows(out):
        if target is None:  # for reference
            print(f"| {workload} | {adapt} | {peer} | {ratio:.2f}x | reported | |")
        elif isinstance(target, str):  # a slowdown, lower is better
            met = ratio <= float(target.split()[1])
            print(f"| {workload} | {adapt} | {peer} | {ratio:.2f}x | {target} | {'yes' if met else '**no**'} |")
        else:
            met = ratio >= target
            print(f"| {workload} | {adapt} | {peer} | {ratio:.2f}x | >= {target}x | {'yes' if met else '**no**'} |")
    ceilings = [o for o in json_objects(read(out, "matmul")) if "gflop_per_s" in o]
    profiles = profile_rows(out) if (out / "profiles").is_dir() else []
    if profiles:
        print("\n## Achieved GFLOP/s (FLOPs of the peer's step as torch.profiler counts them: matmul, convolution, "
              "add and mul; recsys is left out, its step is bound by memory, and protein, whose conv1d FLOPs "
              "torch.profiler does not count)\n")
        print("Machine ceiling, float 1024^2 matmul (`bench_matmul_peak`): " +
              ", ".join(f"{o['gflop_per_s']:.0f} GFLOP/s at {o['threads']} thread(s)" for o in ceilings) + "\n")
        print("| profile | step | MFLOP/step | adapt GFLOP/s | peer GFLOP/s |")
        print("|---|---|---|---|---|")
        for workload, label, flops, adapt, peer in profiles:
            print(f"| [{workload}](profiles/{workload}.md) | {label} | {flops / 1e6:.1f} | {adapt:.1f} | {peer:.1f} |")


if __name__ == "__main__":
    main()
