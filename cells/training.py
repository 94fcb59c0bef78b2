"""Optimisers, clipping by global norm, and the training loop the chapters use.

    SGD:   w <- w - lr * v,   v <- momentum * v + g   (v = g without momentum; PyTorch's form)
    Adam:  m <- b1 m + (1 - b1) g        v <- b2 v + (1 - b2) g^2
           w <- w - lr * (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + eps)      at update k
    clip:  ||g|| = sqrt(sum over all parameters of sum(g^2));  if ||g|| > max_norm,
           every g is scaled by max_norm / ||g||, so the direction of the update is kept.

Parameters and gradients are dicts name -> array (a model's params() and its backward's
grads). Updates happen in place, so the model sees them without being told.
"""

import time

import numpy as np

from ._validation import check_positive_int
from .losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss

LOSSES = {"mse": mse_loss, "cross_entropy": cross_entropy, "bce": binary_cross_entropy_with_logits}


def _check_matching(params, grads):
    if set(params) != set(grads):
        missing, extra = sorted(set(params) - set(grads)), sorted(set(grads) - set(params))
        raise ValueError(f"grads must have the same names as params; missing {missing}, unexpected {extra}")
    for name, p in params.items():
        if np.shape(grads[name]) != p.shape:
            raise ValueError(f"grads[{name!r}] must have shape {p.shape}; got {np.shape(grads[name])}")


def _check_rate(name, value):
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not is_number or not value > 0 or not np.isfinite(value):
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


class SGD:
    """Stochastic gradient descent, optionally with momentum."""

    def __init__(self, lr=0.01, momentum=0.0):
        self.lr = _check_rate("lr", lr)
        if not isinstance(momentum, (int, float)) or not 0 <= momentum < 1:
            raise ValueError(f"momentum must be a number in [0, 1); got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity = {}

    def step(self, params, grads):
        _check_matching(params, grads)
        for name, p in params.items():
            g = grads[name]
            if self.momentum:
                v = self.velocity.setdefault(name, np.zeros_like(p))
                v *= self.momentum
                v += g
                g = v
            p -= self.lr * g


class Adam:
    """Adam (Kingma and Ba 2015) with bias correction, PyTorch's defaults."""

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.lr = _check_rate("lr", lr)
        if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1); got {betas!r}")
        self.beta1, self.beta2 = map(float, betas)
        self.eps = _check_rate("eps", eps)
        self.m, self.v, self.k = {}, {}, 0

    def step(self, params, grads):
        _check_matching(params, grads)
        self.k += 1
        correction1, correction2 = 1 - self.beta1 ** self.k, 1 - self.beta2 ** self.k
        for name, p in params.items():
            g = grads[name]
            m = self.m.setdefault(name, np.zeros_like(p))
            v = self.v.setdefault(name, np.zeros_like(p))
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= self.lr * (m / correction1) / (np.sqrt(v / correction2) + self.eps)


def clip_grad_norm(grads, max_norm):
    """Scale all gradients in place so their global L2 norm is at most max_norm; return the norm before."""
    max_norm = _check_rate("max_norm", max_norm)
    total = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)  # as torch.nn.utils.clip_grad_norm_
        for g in grads.values():
            g *= scale
    return total


class History(list):
    """The training loss at every step (a list), plus the evaluations made on the way."""

    def __init__(self):
        super().__init__()
        self.eval_steps, self.eval_losses = [], []
        self.seconds = 0.0
        self.reached_target = False


def _loss_function(loss):
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))} or a function; got {loss!r}")
    return LOSSES[loss]


def train(model, data, loss="mse", optimizer=None, steps=1000, max_norm=None, evaluate=None,
          eval_every=100, target=None, progress=True, description="training"):
    """Train `model` (forward / backward / params) and return its History.

    data:      a function of no arguments returning a fresh batch (x, y), or one fixed (x, y).
    loss:      "mse", "cross_entropy", "bce", or a function (prediction, y) -> (loss, d_prediction).
    optimizer: SGD or Adam (default Adam(1e-3)).  max_norm: clip the global gradient norm.
    evaluate:  a held-out (x, y) scored with the same loss, or a function model -> float;
               run every `eval_every` steps. Training stops early once it is below `target`.
    """
    # tqdm (a declared dependency) is imported here, not at the top: `import cells` needs numpy only.
    from tqdm.auto import tqdm

    loss_fn = _loss_function(loss)
    steps = check_positive_int("steps", steps)
    eval_every = check_positive_int("eval_every", eval_every)
    optimizer = Adam() if optimizer is None else optimizer
    if evaluate is not None and not callable(evaluate):
        held_out_x, held_out_y = evaluate

        def evaluate(model):
            return loss_fn(model.forward(held_out_x), held_out_y)[0]

    params = model.params()
    history = History()
    start = time.perf_counter()
    bar = tqdm(range(steps), desc=description, disable=not progress, leave=True)
    for step in bar:
        x, y = data() if callable(data) else data
        value, d_prediction = loss_fn(model.forward(x), y)
        _, grads = model.backward(d_prediction)
        if max_norm is not None:
            clip_grad_norm(grads, max_norm)
        optimizer.step(params, grads)
        history.append(value)
        if step % 10 == 0:
            bar.set_postfix(loss=f"{value:.4g}", refresh=False)
        if evaluate is not None and (step + 1) % eval_every == 0:
            score = float(evaluate(model))
            history.eval_steps.append(step + 1)
            history.eval_losses.append(score)
            bar.set_postfix(loss=f"{value:.4g}", eval=f"{score:.4g}", refresh=False)
            if target is not None and score < target:
                history.reached_target = True
                break
    bar.close()
    history.seconds = time.perf_counter() - start
    return history
