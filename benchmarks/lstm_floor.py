"""How fast could a numpy LSTM be? The per-step numpy calls alone, against torch.nn.LSTM.

    python benchmarks/lstm_floor.py [--repeats 40]

cells.LSTMCell runs each time step as one matrix product and seven elementwise calls forward,
one product and five elementwise calls backward. This script times exactly those calls, on
preallocated arrays of the benchmark's sizes, and nothing else: no factors computed before the
backward loop, no weight gradients, no layout changes. That is a floor no numpy LSTM written
step by step can go below, whatever else it does. It prints the floor next to torch.nn.LSTM's
whole forward + backward (float32, two threads), timed back to back, minima and medians.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in bench_cells.py, before numpy loads

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from bench_cells import SIZES  # noqa: E402


def loop_calls(T, B, d, h, rng):
    """The forward and backward loops' calls with the shapes of cells.LSTMCell, on random data."""
    f32 = np.float32
    w = rng.uniform(-0.1, 0.1, (4 * h, d + h + 1)).astype(f32)
    w_hh_t = rng.uniform(-0.1, 0.1, (h, 4 * h)).astype(f32)
    z = rng.uniform(0, 1, (T + 1, d + h + 1, B)).astype(f32)
    s = rng.uniform(0, 1, (T + 1, 5 * h, B)).astype(f32)
    half = np.full((4 * h, B), 0.5, dtype=f32)
    products, tanh_c = np.empty((T, 2 * h, B), f32), np.empty((T, h, B), f32)
    carry, by_dh = rng.uniform(0, 1, (T, 2 * h, B)).astype(f32), rng.uniform(0, 1, (T, h, B)).astype(f32)
    by_dc, d_out = rng.uniform(0, 1, (T, 3, h, B)).astype(f32), rng.uniform(0, 1, (T, h, B)).astype(f32)
    da, scratch, grad = np.empty((T, 4 * h, B), f32), np.empty((2 * h, B), f32), np.empty((2 * h, B), f32)

    def run():
        for t in range(T):
            gates = s[t, h:]
            np.dot(w, z[t], out=gates)
            np.tanh(gates, out=gates)
            gates *= half
            gates += half
            np.multiply(s[t, 2 * h:4 * h], s[t, :2 * h], out=products[t])
            np.add(products[t, :h], products[t, h:], out=s[t + 1, :h])
            np.tanh(s[t + 1, :h], out=tanh_c[t])
            np.multiply(s[t, 4 * h:], tanh_c[t], out=z[t + 1, d:d + h])
        grad[:] = 0.0
        dh, dc = grad[:h], grad[h:]
        for t in reversed(range(T)):
            dh += d_out[t]
            np.multiply(grad, carry[t], out=scratch)
            np.add(scratch[:h], scratch[h:], out=dc)
            np.multiply(dc, by_dc[t], out=da[t, :3 * h].reshape(3, h, B))
            np.multiply(dh, by_dh[t], out=da[t, 3 * h:])
            np.dot(w_hh_t, da[t], out=dh)
    return run


def torch_lstm(T, B, d, h):
    module = torch.nn.LSTM(d, h)
    x, d_output = torch.randn(T, B, d), torch.randn(T, B, h)

    def run():
        module.zero_grad(set_to_none=True)
        output, _ = module(x.detach().requires_grad_(True))
        output.backward(d_output)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    print(f"numpy OpenBLAS threads {os.environ['OPENBLAS_NUM_THREADS']}, torch threads 2, "
          f"{args.repeats} interleaved repeats, load average {os.getloadavg()[0]:.1f}")
    for size in SIZES:
        T, B, d, h = size["T"], size["B"], size["d"], size["h"]
        runs = {"torch": torch_lstm(T, B, d, h), "floor": loop_calls(T, B, d, h, rng)}
        times = {name: [] for name in runs}
        for _ in range(3):
            for run in runs.values():
                run()
        for _ in range(args.repeats):
            for name, run in runs.items():
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
        best = {name: 1000 * min(v) for name, v in times.items()}
        median = {name: 1000 * float(np.median(v)) for name, v in times.items()}
        print(f"T={T} B={B} d={d} h={h}: "
              f"torch.nn.LSTM {best['torch']:.2f} ms (median {median['torch']:.2f}), "
              f"numpy loop calls alone {best['floor']:.2f} ms (median {median['floor']:.2f}); "
              f"floor / torch {best['floor'] / best['torch']:.2f} "
              f"(medians {median['floor'] / median['torch']:.2f})",
              flush=True)


if __name__ == "__main__":
    main()
