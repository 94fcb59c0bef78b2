"""Checkers for the exercises of the chapter "Backpropagation through time and vanishing gradients".

Each ``check_<name>(answer)`` prints feedback aimed at the mistake it recognises (never the
solution) and returns True or False. Reference answers come from ``cells`` wherever the library
computes them; the rest follow from the bound derived in the chapter.
"""

import math

import numpy as np

import cells

__all__ = [
    "check_one_step_back",
    "check_steps_until_small",
    "check_clip_by_global_norm",
    "check_exploding_rho",
    "check_three_number_baseline",
    "check_relu_backward",
    "check_true_statements",
]

# Exercise "one step back by hand": a hidden size of 2, h_t = tanh(a_t) with a_t chosen so that
# h_t = (0.5, -0.5), and the incoming gradient dL/dh_t = (1, 2).
ONE_STEP_WEIGHT_HH = np.array([[0.5, -1.0], [2.0, 0.25]])
ONE_STEP_H_T = np.array([0.5, -0.5])
ONE_STEP_D_H_T = np.array([1.0, 2.0])

# Exercise "clip by global norm".
CLIP_GRADS = {"weight_hh": np.array([[3.0, 0.0], [0.0, 4.0]]), "bias_hh": np.array([12.0, 0.0])}
CLIP_MAX_NORM = 2.6

# Exercise "how fast does it explode": a linear RNN with W_hh = rho * Q, Q orthogonal.
EXPLODE_STEPS = 50
EXPLODE_FACTOR = 100.0
EXPLODE_HIDDEN = 8

# Exercise "true statements".
STATEMENTS = {
    "A": (True, "With tanh and sigma_max(W_hh) = 0.8, ||dL/dh_{T-k}|| <= 0.8^k ||dL/dh_T||."),
    "B": (False, "If sigma_max(W_hh) = 1.5, the gradient must explode."),
    "C": (False, "Clipping the gradient norm to 1 lets a plain RNN learn 100-step dependencies."),
    "D": (True, "A linear RNN (no activation) with W_hh = 0.9 Q, Q orthogonal, has vanishing gradients."),
    "E": (True, "With the logistic sigmoid, sigma_max(W_hh) = 3 guarantees vanishing gradients."),
    "F": (False, "A network whose gradients vanish learns nothing at all."),
}

_STATEMENT_FEEDBACK = {
    "A": "It follows directly from the bound: gamma = 1 for tanh, so the factor per step is at most 0.8.",
    "B": "sigma_max > 1/gamma is necessary for exploding, not sufficient. "
         "Saturated tanh units have derivative near 0 and can pull the product back down.",
    "C": "clipping only ever shrinks a gradient. A vanishing gradient is already small, "
         "so clipping leaves it untouched.",
    "D": "without an activation every step multiplies by W_hh^T exactly; "
         "what does that do to the norm after k steps?",
    "E": "for the sigmoid gamma = 1/4, so the threshold is 1/gamma. Compare 3 with it.",
    "F": "the weight gradient is a sum over time steps; the short-range terms do not vanish, "
         "so the network still learns short dependencies (the T = 10 run in the chapter did).",
}


def _as_array(answer, shape, what):
    """The answer as a float array of the given shape, or None after printing why not."""
    if answer is None:
        print(f"Replace None with your answer: {what}.")
        return None
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        print(f"Expected {what}, got {type(answer).__name__} {answer!r}.")
        return None
    if array.shape != shape:
        print(f"Expected {what} of shape {shape}, got shape {array.shape}.")
        return None
    if not np.all(np.isfinite(array)):
        print("Your answer contains nan or inf.")
        return None
    return array


def _as_number(answer, what):
    if answer is None:
        print(f"Replace None with your answer: {what}.")
        return None
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        print(f"Expected {what} as a number, got {type(answer).__name__} {answer!r}.")
        return None
    value = float(answer)
    if not math.isfinite(value):
        print("Your answer is nan or inf.")
        return None
    return value


def _orthogonal(size, rng):
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    return q * np.sign(np.diag(r))


# ----------------------------------------------------------------------------------------------
# 1. One step back by hand


def one_step_back_reference():
    """dL/dh_{t-1} for the exercise's numbers, computed by ``cells.RNNCell.step_backward``."""
    cell = cells.RNNCell(1, 2, rng=0)
    cell.weight_hh = ONE_STEP_WEIGHT_HH.copy()
    cell.weight_ih = np.zeros((2, 1))
    cell.bias_hh = np.zeros(2)
    # With h_{t-1} = 0 and x_t = 0 the pre-activation is the bias, so h_t = tanh(bias_ih).
    cell.bias_ih = np.arctanh(ONE_STEP_H_T)
    h_t, cache = cell.step(np.zeros((1, 1)), np.zeros((1, 2)))
    assert np.allclose(h_t[0], ONE_STEP_H_T)
    _, d_prev, _ = cell.step_backward(ONE_STEP_D_H_T[None, :], cache)
    return d_prev[0]


def check_one_step_back(answer):
    """Check dL/dh_{t-1} = W_hh^T diag(1 - h_t^2) dL/dh_t for the exercise's numbers (a length-2 vector)."""
    array = _as_array(answer, (2,), "dL/dh_{t-1} as a vector of 2 numbers")
    if array is None:
        return False
    reference = one_step_back_reference()
    if np.allclose(array, reference, atol=1e-6):
        print("Correct: the local derivative 1 - h_t^2 scales each unit, then W_hh^T sends it back one step.")
        return True
    derivative = 1.0 - ONE_STEP_H_T**2
    mistakes = [
        (ONE_STEP_WEIGHT_HH @ (derivative * ONE_STEP_D_H_T),
         "You multiplied by W_hh, not its transpose. Going backwards, unit j of h_{t-1} collects "
         "from every unit i of h_t through the weight W_hh[i, j]: that is row j of W_hh^T."),
        (ONE_STEP_WEIGHT_HH.T @ ONE_STEP_D_H_T,
         "You left out the derivative of tanh. The gradient passes through h_t = tanh(a_t), "
         "so multiply by 1 - h_t^2 elementwise before applying W_hh^T."),
        (ONE_STEP_WEIGHT_HH @ ONE_STEP_D_H_T,
         "Two things are missing: the derivative of tanh (1 - h_t^2) and the transpose of W_hh."),
        (ONE_STEP_WEIGHT_HH.T @ (ONE_STEP_H_T * (1.0 - ONE_STEP_H_T) * ONE_STEP_D_H_T),
         "You used h(1 - h), the derivative of the logistic sigmoid. For tanh the derivative is 1 - h^2."),
        (ONE_STEP_WEIGHT_HH.T @ ((1.0 - ONE_STEP_H_T) * ONE_STEP_D_H_T),
         "The derivative of tanh is 1 - h_t^2 (squared), not 1 - h_t."),
        (ONE_STEP_WEIGHT_HH.T @ ((1.0 - np.tanh(ONE_STEP_H_T) ** 2) * ONE_STEP_D_H_T),
         "You applied tanh to h_t again. h_t already is tanh(a_t), so the derivative is 1 - h_t^2."),
    ]
    for value, message in mistakes:
        if np.allclose(array, value, atol=1e-6):
            print(message)
            return False
    wrong = np.flatnonzero(~np.isclose(array, reference, atol=1e-6))
    print(f"Not yet: entry {', '.join(str(i) for i in wrong)} is off. Compute the elementwise product "
          "(1 - h_t^2) * dL/dh_t first, then multiply by W_hh^T.")
    return False


# ----------------------------------------------------------------------------------------------
# 2. How many steps until the bound is small


def steps_until_small_reference(sigma_max=0.9, tolerance=1e-3):
    """(k for tanh, k for sigmoid): the smallest k with (gamma * sigma_max)^k < tolerance."""
    return tuple(math.floor(math.log(tolerance) / math.log(gamma * sigma_max)) + 1 for gamma in (1.0, 0.25))


def check_steps_until_small(answer):
    """Answer: a pair (k_tanh, k_sigmoid) of whole numbers of steps."""
    if answer is None:
        print("Replace None with a pair (k_tanh, k_sigmoid).")
        return False
    try:
        k_tanh, k_sigmoid = answer
    except (TypeError, ValueError):
        print(f"Expected a pair (k_tanh, k_sigmoid), got {answer!r}.")
        return False
    reference = steps_until_small_reference()
    ok = True
    for name, k, ref, gamma in (("k_tanh", k_tanh, reference[0], 1.0), ("k_sigmoid", k_sigmoid, reference[1], 0.25)):
        value = _as_number(k, name)
        if value is None:
            return False
        if value != int(value):
            print(f"{name} should be a whole number of steps; got {value}. Round up: the first k that gets below.")
            ok = False
        elif int(value) == ref:
            print(f"{name}: right.")
        elif int(value) == ref - 1:
            print(f"{name}: one step short. At k = {int(value)} the bound ({gamma} * 0.9)^k "
                  f"= {(gamma * 0.9) ** value:.3g} is still above 1e-3; round up, not down.")
            ok = False
        elif gamma == 0.25 and int(value) == reference[0]:
            print("k_sigmoid: that is the tanh count. The sigmoid's derivative is at most 1/4, "
                  "so each step multiplies by at most 0.9 / 4.")
            ok = False
        else:
            print(f"{name}: not yet. Solve (gamma * 0.9)^k < 1e-3 for k with logarithms "
                  f"(gamma = {gamma}); remember that the log of a number below 1 is negative.")
            ok = False
    return ok


# ----------------------------------------------------------------------------------------------
# 3. Clip by global norm


def clip_reference():
    grads = {name: value.copy() for name, value in CLIP_GRADS.items()}
    cells.clip_grad_norm(grads, CLIP_MAX_NORM)
    return grads


def check_clip_by_global_norm(answer):
    """Answer: a dict with the clipped "weight_hh" (2, 2) and "bias_hh" (2,)."""
    if answer is None:
        print('Replace None with a dict {"weight_hh": ..., "bias_hh": ...} of clipped gradients.')
        return False
    if not isinstance(answer, dict) or set(answer) != set(CLIP_GRADS):
        got = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
        print(f'Expected a dict with the keys "weight_hh" and "bias_hh", got {got}.')
        return False
    arrays = {}
    for name, original in CLIP_GRADS.items():
        arrays[name] = _as_array(answer[name], original.shape, f'answer["{name}"]')
        if arrays[name] is None:
            return False
    reference = clip_reference()
    if all(np.allclose(arrays[n], reference[n], atol=1e-6) for n in reference):
        print("Correct: one factor for every tensor, so the update keeps its direction and its norm is max_norm.")
        return True
    if all(np.allclose(arrays[n], CLIP_GRADS[n]) for n in CLIP_GRADS):
        print("You left the gradients unchanged. Their global norm is above max_norm, so clipping must scale them.")
        return False
    per_tensor = {n: g * min(1.0, CLIP_MAX_NORM / np.linalg.norm(g)) for n, g in CLIP_GRADS.items()}
    if all(np.allclose(arrays[n], per_tensor[n], atol=1e-6) for n in CLIP_GRADS):
        print("You clipped each tensor by its own norm. clip_grad_norm uses one global norm over all tensors "
              "together, so every tensor is scaled by the same factor.")
        return False
    by_value = {n: np.clip(g, -CLIP_MAX_NORM, CLIP_MAX_NORM) for n, g in CLIP_GRADS.items()}
    if all(np.allclose(arrays[n], by_value[n], atol=1e-6) for n in CLIP_GRADS):
        print("That is clipping by value (each entry cut to [-max_norm, max_norm]), which changes the direction "
              "of the gradient. Clipping by norm rescales the whole gradient instead.")
        return False
    total = math.sqrt(sum(float(np.sum(arrays[n] ** 2)) for n in arrays))
    ratios = [arrays[n][CLIP_GRADS[n] != 0] / CLIP_GRADS[n][CLIP_GRADS[n] != 0] for n in CLIP_GRADS]
    ratios = np.concatenate(ratios)
    if np.allclose(ratios, ratios[0]):
        print(f"You scaled everything by one factor, good, but the result has norm {total:.4g}; "
              f"after clipping it should be exactly max_norm.")
    else:
        print("Not yet: the entries are not all scaled by the same factor. Compute the norm over all entries "
              "of both tensors, then multiply every entry by max_norm / norm.")
    return False


# ----------------------------------------------------------------------------------------------
# 4. How fast does a linear RNN explode


def linear_rnn_ratio(rho, steps=EXPLODE_STEPS, hidden_size=EXPLODE_HIDDEN, seed=0):
    """||dL/dh_{T-steps}|| / ||dL/dh_T|| for a linear RNN (identity activation) with W_hh = rho * Q."""
    rng = np.random.default_rng(seed)
    cell = cells.RNNCell(1, hidden_size, nonlinearity="identity", rng=rng)
    cell.weight_hh = rho * _orthogonal(hidden_size, rng)
    x = rng.standard_normal((steps + 1, 1, 1))
    outputs, _, caches = cells.unroll(cell, x)
    d_outputs = np.zeros_like(outputs)
    d_outputs[-1] = rng.standard_normal((1, hidden_size))
    _, _, _, d_hidden = cells.backprop_through_time(cell, caches, d_outputs)
    return float(np.linalg.norm(d_hidden[0]) / np.linalg.norm(d_hidden[-1]))


def check_exploding_rho(answer):
    """Answer: the rho at which the gradient is 100 times larger after 50 steps of a linear RNN."""
    rho = _as_number(answer, "rho")
    if rho is None:
        return False
    if rho <= 0:
        print("rho scales an orthogonal matrix: use a positive number.")
        return False
    if rho > 10:
        print(f"rho = {rho:g} is far too large: after 50 steps that multiplies the gradient by {rho:g}^50.")
        return False
    measured = linear_rnn_ratio(rho)
    if math.isclose(measured, EXPLODE_FACTOR, rel_tol=1e-2):
        print(f"Correct: cells measures a factor of {measured:.4g} after {EXPLODE_STEPS} steps.")
        return True
    if math.isclose(rho, EXPLODE_FACTOR / EXPLODE_STEPS, rel_tol=1e-3) or math.isclose(rho, 1 + 99 / 50, rel_tol=1e-3):
        print("The growth factors multiply from one step to the next; they do not add up.")
        return False
    print(f"With your rho, cells measures a factor of {measured:.4g} after {EXPLODE_STEPS} steps, not 100. "
          + ("Make rho smaller." if measured > EXPLODE_FACTOR else "Make rho larger."))
    return False


# ----------------------------------------------------------------------------------------------
# 5. The baseline of a three-number adding problem


def three_number_reference():
    """(best constant, its MSE) when the target is the sum of three independent uniform(0, 1) numbers."""
    return 1.5, 3 / 12


def check_three_number_baseline(answer):
    """Answer: a pair (best_constant, mse)."""
    if answer is None:
        print("Replace None with a pair (best_constant, mse).")
        return False
    try:
        constant, mse = answer
    except (TypeError, ValueError):
        print(f"Expected a pair (best_constant, mse), got {answer!r}.")
        return False
    constant, mse = _as_number(constant, "best_constant"), _as_number(mse, "mse")
    if constant is None or mse is None:
        return False
    ref_constant, ref_mse = three_number_reference()
    ok = True
    if math.isclose(constant, ref_constant, abs_tol=1e-3):
        print("best_constant: right, the mean of the target.")
    elif math.isclose(constant, 1.0, abs_tol=1e-3):
        print("best_constant: 1 is the mean of a sum of two numbers; here there are three.")
        ok = False
    else:
        print("best_constant: not yet. The constant with the smallest squared error is the mean of the target.")
        ok = False
    if math.isclose(mse, ref_mse, abs_tol=2e-3):
        print("mse: right, the variance of the target.")
    elif math.isclose(mse, 2 / 12, abs_tol=2e-3):
        print("mse: that is the two-number baseline. Each independent number adds its own variance.")
        ok = False
    elif math.isclose(mse, 1 / 12, abs_tol=2e-3):
        print("mse: 1/12 is the variance of one uniform number; the target adds three of them.")
        ok = False
    elif math.isclose(mse, 9 / 12, abs_tol=2e-3):
        print("mse: variances of independent numbers add; the standard deviations do not, and nothing is squared "
              "three times.")
        ok = False
    elif math.isclose(mse, math.sqrt(3 / 12), abs_tol=2e-3):
        print("mse: that is a standard deviation. The MSE of the best constant is the variance.")
        ok = False
    else:
        print("mse: not yet. The MSE of predicting the mean equals the variance of the target; "
              "the variance of uniform(0, 1) is 1/12.")
        ok = False
    return ok


# ----------------------------------------------------------------------------------------------
# 6. Backpropagation through time for a ReLU RNN, written by hand


def _relu_case(seed, steps, batch, hidden_size, input_size=3):
    rng = np.random.default_rng(seed)
    cell = cells.RNNCell(input_size, hidden_size, nonlinearity="relu", rng=rng)
    x = rng.standard_normal((steps, batch, input_size))
    outputs, _, caches = cells.unroll(cell, x)
    d_outputs = rng.standard_normal(outputs.shape)
    _, _, _, d_hidden = cells.backprop_through_time(cell, caches, d_outputs)
    return cell, outputs, d_outputs, d_hidden


def _relu_variants(outputs, weight_hh, d_outputs):
    """d_hidden as the typical mistakes compute it, each with the feedback it deserves."""
    def backward(slope, transpose=True, direct=True, shift=0):
        T = len(outputs)
        d_hidden = np.zeros_like(outputs)
        d_hidden[-1] = d_outputs[-1]
        for t in range(T - 1, 0, -1):
            da = d_hidden[t] * slope[t - shift]
            back = da @ weight_hh if transpose else da @ weight_hh.T
            d_hidden[t - 1] = back + (d_outputs[t - 1] if direct else 0.0)
        return d_hidden

    relu_slope = (outputs > 0).astype(float)
    return [
        (backward(1.0 - outputs**2),
         "You used the derivative of tanh, 1 - h^2. For the ReLU the derivative is 1 where the unit is "
         "active (h > 0) and 0 where it is not."),
        (backward(relu_slope, transpose=False),
         "You applied W_hh where W_hh^T belongs. With batches as rows, W_hh^T v is written v @ W_hh."),
        (backward(relu_slope, direct=False),
         "You dropped the direct term: dL/dh_{t-1} also collects d_outputs[t-1], the loss's own say about h_{t-1}."),
        (backward(relu_slope, shift=1),
         "Off by one step: the derivative that sits between h_{t-1} and h_t is the one of h_t = relu(a_t), "
         "so use the slope at step t, not t - 1."),
        (backward(np.ones_like(outputs)),
         "You left out the derivative of the ReLU (1 where h > 0, else 0); your recursion is the linear RNN's."),
    ]


def check_relu_backward(answer):
    """Answer: a function relu_d_hidden(outputs, weight_hh, d_outputs) -> d_hidden (T, B, h)."""
    if answer is None:
        print("Replace None with your function relu_d_hidden.")
        return False
    if not callable(answer):
        print(f"Expected a function relu_d_hidden(outputs, weight_hh, d_outputs), got {type(answer).__name__}.")
        return False
    for seed, steps, batch, hidden_size in ((0, 6, 2, 4), (1, 9, 3, 5), (2, 1, 1, 3)):
        cell, outputs, d_outputs, reference = _relu_case(seed, steps, batch, hidden_size)
        case = f"T = {steps}, batch {batch}, hidden size {hidden_size}"
        arguments = (outputs.copy(), cell.weight_hh.copy(), d_outputs.copy())
        try:
            result = answer(*arguments)
        except Exception as error:  # the reader's code: report whatever it raised
            print(f"Your function raised {type(error).__name__}: {error} (case: {case}).")
            return False
        try:
            result = np.asarray(result, dtype=float)
        except (TypeError, ValueError):
            print(f"Expected an array of shape {reference.shape}, got {type(result).__name__}.")
            return False
        if result.shape != reference.shape:
            print(f"Expected d_hidden of shape (T, B, h) = {reference.shape}, got {result.shape} (case: {case}).")
            return False
        if np.allclose(result, reference, rtol=1e-10, atol=1e-12):
            continue
        if not np.any(result):
            print("Your function returns all zeros: fill in the backward recursion.")
            return False
        for variant, message in _relu_variants(outputs, cell.weight_hh, d_outputs):
            if np.allclose(result, variant, rtol=1e-10, atol=1e-12):
                print(message)
                return False
        if np.allclose(result[-1], reference[-1]):
            wrong = [t for t in range(steps) if not np.allclose(result[t], reference[t], rtol=1e-10, atol=1e-12)]
            print(f"The last step is right but d_hidden[{wrong[-1]}] is not (case: {case}). "
                  "Walk backwards from t = T - 1 and add the direct term at every step.")
        else:
            print(f"d_hidden[T - 1] should be exactly d_outputs[T - 1]: nothing comes back from beyond the end "
                  f"(case: {case}).")
        return False
    print("Correct: your recursion matches cells.backprop_through_time for a ReLU RNN.")
    return True


# ----------------------------------------------------------------------------------------------
# 7. Which statements are true


def true_statements_reference():
    return {key for key, (truth, _) in STATEMENTS.items() if truth}


def check_true_statements(answer):
    """Answer: the set of letters of the true statements, e.g. {"A", "F"}."""
    if answer is None:
        print('Replace None with a set of letters, e.g. {"A", "F"}.')
        return False
    if isinstance(answer, str):
        answer = set(answer.replace(",", " ").split()) if len(answer) > 1 and not answer.isalpha() else set(answer)
    try:
        chosen = {str(letter).strip().upper() for letter in answer}
    except TypeError:
        print(f'Expected a set of letters such as {{"A", "F"}}, got {answer!r}.')
        return False
    unknown = chosen - set(STATEMENTS)
    if unknown:
        print(f"There is no statement {', '.join(sorted(unknown))}; the statements are A to F.")
        return False
    reference = true_statements_reference()
    if chosen == reference:
        print("Correct: all three true statements and none of the false ones.")
        return True
    for letter in sorted(chosen - reference):
        print(f"{letter} is false: " + _STATEMENT_FEEDBACK[letter])
    missing = reference - chosen
    if missing:
        print(f"You left out {len(missing)} true statement{'s' if len(missing) > 1 else ''}: "
              "check each unchosen one against the bound (gamma * sigma_max)^k.")
    return False
