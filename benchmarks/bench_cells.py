"""Forward + backward time of the numpy layers against torch.nn.LSTM / GRU / RNN on the CPU.

    python benchmarks/bench_cells.py            # the three sizes, ratios and peak memory
    python benchmarks/bench_cells.py --train    # plus: numpy LSTM on the adding problem to MSE < 0.01
    python benchmarks/bench_cells.py --cpu-time # CPU seconds, torch on one thread

torch runs with torch.set_num_threads(2); numpy's OpenBLAS with one thread unless --blas-threads
says otherwise. (Two OpenBLAS threads gained nothing we could measure at these sizes, and after
each call their workers spin for a while on the second core, which is torch's: an earlier
version of this script, with numpy on two threads, measured torch's LSTM at a median of 95 ms
instead of 7 ms.)
Each repeat times torch and numpy back to back on the same input, so both see the same load on
a shared machine; the script prints medians and, in brackets, the ratio of the minima (the
best case of each, the least disturbed by other work). ratio = numpy time / torch time (below
1: numpy is faster). torch is timed in its default float32 and numpy in float32 (the
like-for-like ratio) and in float64 (the library's default, which the book uses). Peak memory
of numpy's forward + backward is measured with tracemalloc (numpy reports its array
allocations to it); torch's allocator is not visible there. --cpu-time counts CPU seconds of
one-threaded torch and numpy instead of wall time: a like-for-like measure of the work done.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc

# OpenBLAS reads its thread count once, when numpy is imported, so --blas-threads must act first.
BLAS_THREADS = sys.argv[sys.argv.index("--blas-threads") + 1] if "--blas-threads" in sys.argv else "1"
os.environ["OPENBLAS_NUM_THREADS"] = BLAS_THREADS

import numpy as np  # noqa: E402
import torch  # noqa: E402

import cells  # noqa: E402

SIZES = [dict(T=50, B=32, d=8, h=64), dict(T=100, B=64, d=1, h=128), dict(T=200, B=16, d=32, h=32)]
KINDS = {"lstm": (cells.LSTM, torch.nn.LSTM), "gru": (cells.GRU, torch.nn.GRU),
         "rnn": (cells.RNN, torch.nn.RNN)}


def numpy_step(layer, x, d_output):
    layer.forward(x)
    layer.backward(d_output)


def torch_step(module, x, d_output):
    module.zero_grad(set_to_none=True)
    x = x.detach().requires_grad_(True)
    output, _ = module(x)
    output.backward(d_output)


CLOCK = time.perf_counter  # --cpu-time switches to time.process_time


def timed(fn, *args):
    start = CLOCK()
    fn(*args)
    return CLOCK() - start


def peak_bytes(fn, *args):
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def compare(kind, size, repeats):
    numpy_class, torch_class = KINDS[kind]
    T, B, d, h = size["T"], size["B"], size["d"], size["h"]
    rng = np.random.default_rng(0)
    x64, d_out64 = rng.normal(size=(T, B, d)), rng.normal(size=(T, B, h))
    x32, d_out32 = x64.astype(np.float32), d_out64.astype(np.float32)
    module = torch_class(d, h)
    layer64 = cells.from_torch(module)
    layer32 = cells.from_torch(module, dtype=np.float32)
    xt, d_out_t = torch.from_numpy(x32), torch.from_numpy(d_out32)
    # Two side-by-side series: torch against numpy float32, then torch against numpy float64,
    # so that each pair is compared with only its own arrays going through the caches.
    times = {}
    for name, layer, x, d_out in (("numpy32", layer32, x32, d_out32), ("numpy64", layer64, x64, d_out64)):
        for _ in range(3):  # warm up caches, oneDNN primitives and the allocator
            torch_step(module, xt, d_out_t)
            numpy_step(layer, x, d_out)
        torch_times, numpy_times = [], []
        for _ in range(repeats):  # back to back, so a burst of load hits both alike
            torch_times.append(timed(torch_step, module, xt, d_out_t))
            numpy_times.append(timed(numpy_step, layer, x, d_out))
        times[name], times["torch_" + name] = numpy_times, torch_times
    medians = {k: statistics.median(v) for k, v in times.items()}
    minima = {k: min(v) for k, v in times.items()}
    memory = {"numpy32": peak_bytes(numpy_step, layer32, x32, d_out32),
              "numpy64": peak_bytes(numpy_step, layer64, x64, d_out64)}
    return medians, minima, memory


def run_benchmark(repeats, torch_threads):
    torch.set_num_threads(torch_threads)
    blas = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"torch {torch.__version__}, numpy {np.__version__}, torch threads {torch.get_num_threads()}, "
          f"numpy OpenBLAS threads {blas}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    clock = "CPU time (process_time)" if CLOCK is time.process_time else "wall time"
    print(f"{repeats} repeats of {clock}, numpy and torch back to back, medians (ratio of minima in "
          "brackets); ratio = numpy / torch (float32 torch); "
          "the torch column is its series against numpy f32")
    header = (f"{'size':>22} {'kind':>5} {'torch f32 ms':>13} {'numpy f32 ms':>13} {'ratio':>12} "
              f"{'numpy f64 ms':>13} {'ratio':>12} {'peak MB f32':>12} {'peak MB f64':>12}")
    print(header)
    print("-" * len(header))
    for size in SIZES:
        label = "T={T} B={B} d={d} h={h}".format(**size)
        for kind in KINDS:
            medians, minima, memory = compare(kind, size, repeats)
            t, n32, n64 = (1000 * medians[k] for k in ("torch_numpy32", "numpy32", "numpy64"))
            r32, r64 = (f"{medians[k] / medians['torch_' + k]:.2f} ({minima[k] / minima['torch_' + k]:.2f})"
                        for k in ("numpy32", "numpy64"))
            print(f"{label:>22} {kind:>5} {t:13.2f} {n32:13.2f} {r32:>12} {n64:13.2f} {r64:>12} "
                  f"{memory['numpy32'] / 2**20:12.2f} {memory['numpy64'] / 2**20:12.2f}", flush=True)


def run_training(max_steps, seed):
    """numpy LSTM (h = 64) + linear head, batch 64, Adam 1e-3, clip 1, adding problem T = 50."""
    rng = np.random.default_rng(seed)
    model = cells.SequenceModel(cells.LSTM(2, 64, rng=seed), 1, rng=seed)
    held_out = cells.tasks.adding_problem(1000, 50, rng=seed + 1)
    print(f"\ntraining: LSTM(2, 64) + Dense(64, 1), batch 64, Adam(1e-3), clip 1.0, adding problem T=50; "
          "test MSE on 1000 held-out sequences every 100 steps "
          f"(baseline {cells.tasks.adding_problem_baseline():.3f})")
    cpu_start = time.process_time()
    history = cells.train(model, lambda: cells.tasks.adding_problem(64, 50, rng), loss="mse",
                          optimizer=cells.Adam(1e-3), max_norm=1.0, steps=max_steps, evaluate=held_out,
                          eval_every=100, target=0.01, progress=True, description="adding T=50")
    for step, score in zip(history.eval_steps, history.eval_losses):
        if step % 500 == 0 or score < 0.01:
            print(f"  step {step:6d}  test MSE {score:.4f}")
    cpu_seconds = time.process_time() - cpu_start
    outcome = "reached" if history.reached_target else "did NOT reach"
    print(f"{outcome} test MSE < 0.01 after {len(history)} steps in {history.seconds:.1f} s wall, "
          f"{cpu_seconds:.1f} s CPU ({1000 * history.seconds / len(history):.1f} ms wall per step, "
          f"including evaluations; load average {os.getloadavg()[0]:.1f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15, help="timed repeats per configuration (median)")
    parser.add_argument("--train", action="store_true", help="also train an LSTM on the adding problem")
    parser.add_argument("--train-only", action="store_true", help="only the training run")
    parser.add_argument("--max-steps", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", default="1", help="OPENBLAS_NUM_THREADS for numpy (default 1)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time CPU seconds of this process, not wall time, with torch on one thread: "
                             "a like-for-like count of work on a loaded machine")
    args = parser.parse_args()
    if not args.train_only:
        global CLOCK
        CLOCK = time.process_time if args.cpu_time else time.perf_counter
        run_benchmark(args.repeats, torch_threads=1 if args.cpu_time else 2)
    if args.train or args.train_only:
        torch.set_num_threads(2)
        run_training(args.max_steps, args.seed)


if __name__ == "__main__":
    main()
