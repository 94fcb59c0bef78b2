"""The LSTM chapter's adding-problem study at full size: steps to a held-out MSE below 0.05 as T grows.

    python benchmarks/adding_gap.py                          # T = 10..50, three seeds, 20,000 steps
    python benchmarks/adding_gap.py --lengths 10 15 20 --seeds 0 --steps 8000   # the chapter's build

Every run: one layer of 32 units and a linear head on h_T, batches of 32 fresh sequences, Adam at
1e-3, the global gradient norm clipped at 1, float32, held-out MSE on 512 sequences every 100 steps,
stopping at the target. Runs with the same seed see the same batches whatever the layer. A run that
does not reach the target within the budget prints "-": the budget was too short, nothing more.
The chapter builds a reduced version of this study (three lengths, one seed) in under a minute;
this script takes tens of minutes on a laptop CPU.
"""

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one BLAS thread is fastest

import numpy as np  # noqa: E402

from cells import experiments  # noqa: E402

KINDS = ("GRU", "LSTM, forget bias +1", "LSTM", "plain RNN", "ungated memory")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 20, 30, 40, 50])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--target", type=float, default=0.05)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(experiments.LAYER_KINDS))
    args = parser.parse_args()

    start = time.perf_counter()
    runs = experiments.adding_study(args.kinds, args.lengths, args.steps, args.target, seeds=args.seeds)
    table = experiments.steps_table(runs, args.target)
    print(f"\nsteps to held-out MSE < {args.target} (budget {args.steps:,}; '-' = not reached), "
          f"seeds {args.seeds}, {time.perf_counter() - start:.0f} s")
    print(f"{'layer':<22}" + "".join(f"{'T = ' + str(T):>22}" for T in args.lengths))
    for kind in args.kinds:
        cells_text = []
        for T in args.lengths:
            steps = [table[kind, T, seed] for seed in args.seeds]
            cells_text.append(" ".join("-" if s is None else f"{s}" for s in steps))
        print(f"{kind:<22}" + "".join(f"{text:>22}" for text in cells_text))
    print("\nmedian over seeds, and its ratio to the GRU's ('-' when a seed did not reach the target)")
    for kind in args.kinds:
        row = []
        for T in args.lengths:
            steps = [table[kind, T, seed] for seed in args.seeds]
            gru = [table["GRU", T, seed] for seed in args.seeds] if "GRU" in args.kinds else [None]
            if None in steps:
                row.append("-")
            elif None in gru:
                row.append(f"{np.median(steps):.0f}")
            else:
                row.append(f"{np.median(steps):.0f} ({np.median(steps) / np.median(gru):.1f}x)")
        print(f"{kind:<22}" + "".join(f"{text:>22}" for text in row))


if __name__ == "__main__":
    main()
