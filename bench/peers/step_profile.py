"""Where a PyTorch peer's training step spends its time: the Python twin of bench/step_profile.h.

Off unless ADAPT_BENCH_PROFILE names a file. Then a peer times `steps` steps per phase (data,
forward, backward, optimizer, ...) after `warmup` steps, profiles the next `steps` with
torch.profiler (self time per operator, and the FLOPs of the matmul and convolution operators that
torch.profiler counts), and appends the same tables as the C++ side to that file.

    profile = StepProfile("text BiLSTM, batch 32")
    for ...:
        profile.begin_step(); ...; profile.phase("data"); ...; profile.phase("forward"); ...
        profile.end_step()
"""
import os
import time

import torch
from torch.profiler import ProfilerActivity, profile as torch_profile


class StepProfile:
    def __init__(self, label, warmup=20, steps=50, enabled=True):
        self.label, self.warmup, self.steps = label, warmup, steps
        self.file = os.environ.get("ADAPT_BENCH_PROFILE") if enabled else None
        self.step, self.last, self.profiler = 0, 0.0, None
        self.phase_ms = {}

    @property
    def enabled(self):
        return bool(self.file)

    def begin_step(self):
        if not self.enabled:
            return
        if self.step == self.warmup + self.steps and self.profiler is None:
            self.profiler = torch_profile(activities=[ProfilerActivity.CPU], with_flops=True)
            self.profiler.__enter__()
        self.last = time.perf_counter()

    def phase(self, name):
        """Ends the phase `name`, which ran since begin_step() or the previous phase()."""
        if not self.enabled:
            return
        now = time.perf_counter()
        if self.warmup <= self.step < self.warmup + self.steps:
            self.phase_ms[name] = self.phase_ms.get(name, 0.0) + 1000 * (now - self.last)
        self.last = now

    def finish_step(self, loss, opt):
        """loss.backward() and opt.step(), timed as the phases backward and optimizer; ends the step."""
        loss.backward()
        self.phase("backward")
        opt.step()
        self.phase("optimizer")
        self.end_step()

    def end_step(self):
        if not self.enabled:
            return
        self.step += 1
        if self.step == self.warmup + 2 * self.steps:
            self.profiler.__exit__(None, None, None)
            self.write_report(self.profiler.key_averages())
            self.profiler = None

    def write_report(self, ops):
        n = self.steps
        step_ms = sum(self.phase_ms.values()) / n
        lines = [f"\n### PyTorch peer: {self.label} ({torch.get_num_threads()} threads)\n",
                 f"{n} steps timed after {self.warmup} warm-up steps, {n} more profiled.\n",
                 "| phase | ms/step | share |", "|---|---|---|"]
        lines += [f"| {k} | {v / n:.3f} | {100 * v / n / step_ms:.1f}% |" for k, v in self.phase_ms.items()]
        lines += [f"| **step** | **{step_ms:.3f}** | |\n"]
        ops = sorted(ops, key=lambda e: e.self_cpu_time_total, reverse=True)
        total_us = sum(e.self_cpu_time_total for e in ops)
        lines += ["| operator (top 12 by self time) | calls/step | self ms/step | share of op time |",
                  "|---|---|---|---|"]
        lines += [f"| {e.key} | {e.count / n:.1f} | {e.self_cpu_time_total / 1000 / n:.3f} | "
                  f"{100 * e.self_cpu_time_total / total_us:.1f}% |" for e in ops[:12]]
        lines += [f"| all {len(ops)} operators (profiled, so slower than the step above) | | "
                  f"{total_us / 1000 / n:.3f} | |\n"]
        flops = sum(e.flops for e in ops) / n
        lines += [f"FLOP per step (torch.profiler's count: matmul, convolution, add, mul): {flops:.0f}; "
                  f"at the timed step: {flops / step_ms / 1e6:.2f} GFLOP/s\n"]
        with open(self.file, "a") as out:
            out.write("\n".join(lines) + "\n")
