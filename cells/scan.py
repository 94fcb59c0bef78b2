"""The linear recurrence h_t = a_t * h_{t-1} + b_t, step by step and as a parallel (prefix) scan.

minGRU and minLSTM (minimal.py) compute a_t and b_t from x_t alone, so their whole state sequence is
this recurrence. A plain RNN, an LSTM or a GRU is not: their a_t would depend on h_{t-1} itself.

One step is an affine map of the old state, h -> a_t * h + b_t, and two steps compose into another:

    (a_1, b_1) then (a_2, b_2)  =  (a_2 * a_1,  a_2 * b_1 + b_2)          (`combine`)

Composition is associative, so the T maps can be combined in any grouping, as a tree, and the
maps of one level of the tree combine independently of each other, all at once.

    sequential     T combines, one after the other:                     work T, depth T
    parallel_scan  Blelloch's (1990) work-efficient scan, two sweeps over a balanced tree on N maps
                   (N = T rounded up to a power of two):
                   up-sweep   level k joins neighbouring blocks of 2^k maps    N - 1 combines, depth log2 N
                   down-sweep every node receives the maps before it           N - 1 combines, depth log2 N
                   then one step per t applies them (all t at once): work O(T), depth 2 log2 N + 1
    log_space_scan the form Feng et al. (2024, after Heinsen 2023) use on a GPU, for a_t > 0, b_t > 0:
                   log h_t = a*_t + log(exp(log h_0) + sum_{s<=t} exp(log b_s - a*_s)),  a*_t = sum_{s<=t} log a_s
                   two cumulative sums (cumsum, logcumsumexp), each itself a scan

Depth is what a machine with T processors waits for; work is what one processor does. With one
core numpy pays the work and the per-level overhead, which is why the scan is slower than the loop
here (benchmarks/scan_timing.py). T need not be a power of two: the tree is padded with identity
maps (a = 1, b = 0), which change nothing. Shapes: a, b (T, ...) with any trailing shape, h0 (...).
"""

import numpy as np

from ._validation import check_array, check_same_shapes


def _check(a, b, h0):
    a, b = check_same_shapes(("a", "b"), (a, b))
    if a.ndim == 0 or a.shape[0] == 0:
        raise ValueError(f"a and b must hold at least one time step on axis 0; got shape {a.shape}")
    h0 = np.zeros(a.shape[1:], dtype=a.dtype) if h0 is None else check_array("h0", h0, a.shape[1:], dtype=None)
    return a, b, h0


def combine(first, second):
    """The map `first` then the map `second`, each a pair (a, b) standing for h -> a * h + b."""
    (a1, b1), (a2, b2) = first, second
    return a2 * a1, a2 * b1 + b2


def sequential(a, b, h0=None):
    """h_t = a_t * h_{t-1} + b_t for t = 1..T, one step after the other -> hs (T, ...). h0 None: zeros."""
    a, b, h0 = _check(a, b, h0)
    hs = np.empty(np.broadcast_shapes(a.shape, h0.shape), dtype=np.result_type(a, b, h0))
    h = h0
    for t in range(a.shape[0]):
        h = hs[t] = a[t] * h + b[t]
    return hs


def scan_levels(T):
    """The combines of Blelloch's scan on T maps, level by level, as (reads, writes) index pairs.

    Returns {"size": N, T rounded up to a power of two, "up": [...], "down": [...]}; each level is a
    list of pairs (i, j) of node indices. Up-sweep: node j becomes "node i, then node j". Down-sweep
    (after the last node is set to the identity): node i takes node j's value (the maps before the
    block), and node j becomes "node j, then node i's old value". The combines of one level touch
    distinct nodes, so they can all run at once. The scan's widget draws these; `parallel_scan` runs them.
    """
    size = 1
    while size < T:
        size *= 2
    up, down = [], []
    stride = 1
    while stride < size:
        up.append([(j - stride, j) for j in range(2 * stride - 1, size, 2 * stride)])
        stride *= 2
    stride = size // 2
    while stride >= 1:
        down.append([(j - stride, j) for j in range(2 * stride - 1, size, 2 * stride)])
        stride //= 2
    return {"size": size, "up": up, "down": down}


def parallel_scan(a, b, h0=None):
    """The same hs as `sequential`, by Blelloch's work-efficient scan (the module docstring).

    Each level's combines are one vectorised numpy operation over all its pairs.
    """
    a, b, h0 = _check(a, b, h0)
    T = a.shape[0]
    plan = scan_levels(T)
    A = np.ones((plan["size"],) + a.shape[1:], dtype=a.dtype)  # padding: identity maps
    Bv = np.zeros((plan["size"],) + a.shape[1:], dtype=np.result_type(a, b))
    A[:T], Bv[:T] = a, b
    for level in plan["up"]:  # node j := node i then node j; the last node ends up as the whole sequence
        i, j = (np.array(side) for side in zip(*level))
        A[j], Bv[j] = combine((A[i], Bv[i]), (A[j], Bv[j]))
    # Down-sweep of an exclusive scan: node t ends up holding every map before t, composed.
    A[-1], Bv[-1] = 1.0, 0.0
    for level in plan["down"]:
        i, j = (np.array(side) for side in zip(*level))
        left = A[i].copy(), Bv[i].copy()
        A[i], Bv[i] = A[j], Bv[j]  # the left child inherits the parent's prefix
        A[j], Bv[j] = combine((A[j], Bv[j]), left)  # the right child: that prefix, then the left subtree
    h_before = A[:T] * h0 + Bv[:T]  # the state before step t: the maps before t applied to h_0
    return a * h_before + b


def log_space_scan(log_a, log_b, log_h0):
    """Feng et al.'s (2024) scan in log space (after Heinsen 2023), for positive a, b and h_0.

    log_a, log_b (T, ...), log_h0 (...) -> hs (T, ...), equal to sequential(exp(log_a), exp(log_b), exp(log_h0)).
    Their minGRU keeps every term positive by passing the candidate through g(x) = x + 0.5 for x >= 0,
    sigmoid(x) below; the cells of minimal.py keep the plain linear candidate and use `sequential`.
    """
    log_a, log_b = check_same_shapes(("log_a", "log_b"), (log_a, log_b))
    log_h0 = check_array("log_h0", log_h0, log_a.shape[1:], dtype=None)
    a_star = np.cumsum(log_a, axis=0)
    values = np.concatenate([log_h0[None], log_b - a_star])
    log_h0_plus_b_star = np.logaddexp.accumulate(values, axis=0)[1:]
    return np.exp(a_star + log_h0_plus_b_star)
