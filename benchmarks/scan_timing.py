"""minGRU step by step, minGRU through the parallel scan, and the standard GRU, on this CPU.

    python benchmarks/scan_timing.py                 # T = 64 ... 4,096, B = 32, 64 units, d = 64
    python benchmarks/scan_timing.py --repeats 3     # fewer repeats (quicker, noisier)
    python benchmarks/scan_timing.py --store         # and write cells/results/scan_timing.json (the chapter reads it)

All in numpy, float32, one OpenBLAS thread. Each repeat runs every column once, back to back (round
robin), so a ratio of two columns is read repeat by repeat under the same load. Columns (milliseconds,
median over the repeats; in brackets the minimum):

    gru          cells.GRU forward (the fused kernel: one (4h, d + h + 1) x (d + h + 1, B) product per step,
                 the input part included)
    mingru       cells.MinGRU forward: one (T B, d) x (d, 2h) product for all gates, then the
                 elementwise loop h_t = z_t * h_{t-1} + (1 - z_t) * n_t, T steps
    scan         the same coefficients through cells.scan.parallel_scan (Blelloch's tree, one numpy
                 operation per level)
    log scan     cells.scan.log_space_scan, Feng et al.'s GPU form (cumsum and logcumsumexp; numpy's
                 logaddexp.accumulate is a sequential loop over T, so this times the form, not a parallel
                 scan), timed on |b| + 1e-6 since the log form
                 needs positive terms (their minGRU makes them positive with g(x); this is timing only)
    mingru + W_hh the control for "the gain is the recurrent product": minGRU's loop with one change, its
                 gates also read the state through a (2h, h) matrix, u_t = W_i x_t + b + W_h h_{t-1}, so one
                 (B, h) x (h, 2h) product per step comes back and nothing else does
    gru f+b, mingru f+b   forward and backward (backward with d_outputs of ones)

Every minGRU column includes the gate product, so the columns compare whole forward passes.
Feng et al. report their speed-ups on a GPU (175x for minGRU at length 512 against a GRU trained by
backpropagation through time, their abstract); a single CPU core has no parallel processors to spend
the scan's extra work on, so here the scan is expected to lose to the loop.
"""

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cells  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "cells", "results",
                   "scan_timing.json")
LENGTHS = (64, 128, 256, 512, 1024, 2048, 4096)
B, D, H = 32, 64, 64


def measure(T, repeats, rng):
    x = rng.normal(size=(T, B, D)).astype(np.float32)
    gru = cells.GRU(D, H, rng=0, dtype=np.float32)
    mingru = cells.MinGRU(D, H, rng=0, dtype=np.float32)
    cell = mingru.cells[0][0]
    h0 = np.zeros((B, H), dtype=np.float32)
    ones = np.ones((T, B, H), dtype=np.float32)

    def scan():
        a, b = cell.coefficients(x)
        return cells.scan.parallel_scan(a, b, h0)

    def log_scan():
        # positive terms for the log form, as Feng et al.'s g(x) ensures; here 1 - z and a shifted n
        a, b = cell.coefficients(x)
        return cells.scan.log_space_scan(np.log(a), np.log(np.abs(b) + 1e-6), np.full((B, H), -30.0, np.float32))

    w_hh = np.random.default_rng(1).uniform(-H ** -0.5, H ** -0.5, size=(2 * H, H)).astype(np.float32)

    def with_recurrent_product():
        pre = x @ cell.weight_ih.T + cell.bias_ih  # the gates' input part for every t, as MinGRU computes it
        h, out = h0, np.empty((T, B, H), dtype=np.float32)
        for t in range(T):
            u = pre[t] + h @ w_hh.T
            z = 1 / (1 + np.exp(-u[:, :H]))
            h = out[t] = z * h + (1 - z) * u[:, H:]
        return out

    def forward_backward(layer):
        def run():
            layer.forward(x)
            layer.backward(ones)
        return run

    functions = {"gru": lambda: gru.forward(x), "mingru": lambda: mingru.forward(x), "scan": scan,
                 "log scan": log_scan, "mingru + W_hh": with_recurrent_product,
                 "gru f+b": forward_backward(gru), "mingru f+b": forward_backward(mingru)}
    # Round robin: repeat k times every column once, back to back, so that the columns of one repeat see
    # the same load; a ratio is then read repeat by repeat (`ratios`), not from two separate medians.
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(1000 * (time.perf_counter() - start))
    return times


def ratios(times, numerator, denominator):
    """The ratio of two columns repeat by repeat -> (median, smallest, largest)."""
    values = [a / b for a, b in zip(times[numerator], times[denominator])]
    return statistics.median(values), min(values), max(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--lengths", type=int, nargs="*", default=list(LENGTHS))
    parser.add_argument("--store", action="store_true", help=f"write the table to {OUT}")
    parser.add_argument("--out", default=None, help="write the table to this JSON file instead")
    args = parser.parse_args()
    load_at_start = list(os.getloadavg())
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rng = np.random.default_rng(0)
    print(f"B = {B}, d = {D}, h = {H}, float32, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, "
          f"load average {os.getloadavg()[0]:.2f} at the start")
    columns = ("gru", "mingru", "scan", "log scan", "mingru + W_hh", "gru f+b", "mingru f+b")
    print(f"{'T':>6} " + " ".join(f"{c:>17}" for c in columns) + "   gru / mingru")
    rows = {}
    for T in args.lengths:
        row = rows[T] = measure(T, args.repeats, rng)
        cells_text = " ".join(f"{statistics.median(row[c]):9.1f} ({min(row[c]):5.1f})" for c in columns)
        print(f"{T:>6} {cells_text}   {ratios(row, 'gru', 'mingru')[0]:6.1f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    out = args.out or (OUT if args.store else None)
    if out:
        table = {"settings": {"B": B, "d": D, "h": H, "dtype": "float32", "repeats": args.repeats,
                              "blas_threads": os.environ["OPENBLAS_NUM_THREADS"]},
                 "columns": list(columns), "lengths": list(args.lengths),
                 "times_ms": {c: [rows[T][c] for T in args.lengths] for c in columns},
                 "median_ms": {c: [statistics.median(rows[T][c]) for T in args.lengths] for c in columns},
                 "min_ms": {c: [min(rows[T][c]) for T in args.lengths] for c in columns},
                 "machine": {"cpus": os.cpu_count(), "numpy": np.__version__, "date": started,
                             "load_average_at_start": load_at_start, "load_average": list(os.getloadavg())}}
        with open(out, "w") as f:
            f.write(json.dumps(table, indent=1) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
