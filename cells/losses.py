"""Loss functions, each returning the loss and its gradient with respect to the prediction.

    mean squared error:     L = mean((y_hat - y)^2)                      dL/dy_hat = 2 (y_hat - y) / N
    binary cross-entropy:   p = sigma(s),  L = -mean(y log p + (1 - y) log(1 - p))
                            dL/ds = (p - y) / N
    cross-entropy:          p = softmax(s) over classes,  L = -mean(log p[target])
                            dL/ds = (p - onehot(target)) / N

N is the number of entries averaged over. The logit forms never take the log of 0: they use
log sigma(s) = -log(1 + exp(-s)) and a softmax shifted by its maximum.
"""

import numpy as np

from ._validation import check_array
from .pointwise import sigmoid


def _pair(prediction, target):
    prediction = check_array("prediction", prediction, np.shape(prediction), dtype=None)
    target = check_array("target", target, prediction.shape, dtype=prediction.dtype)
    return prediction, target


def mse_loss(prediction, target):
    """Mean squared error over all entries -> (loss, d_prediction). Shapes must match exactly."""
    prediction, target = _pair(prediction, target)
    error = prediction - target
    return float(np.mean(error ** 2)), 2.0 * error / error.size


def binary_cross_entropy_with_logits(logits, target):
    """Sigmoid plus binary cross-entropy, mean over entries -> (loss, d_logits). Targets in [0, 1]."""
    logits, target = _pair(logits, target)
    if np.any((target < 0) | (target > 1)):
        raise ValueError("target of binary cross-entropy must lie in [0, 1]; "
                         f"got values from {target.min()} to {target.max()}")
    # log sigma(s) = -logaddexp(0, -s), log(1 - sigma(s)) = -logaddexp(0, s): stable for any s.
    loss = np.mean(target * np.logaddexp(0, -logits) + (1 - target) * np.logaddexp(0, logits))
    return float(loss), (sigmoid(logits) - target) / logits.size


def cross_entropy(logits, target):
    """Softmax cross-entropy: logits (..., C), integer targets (...) -> (loss, d_logits)."""
    logits = check_array("logits", logits, np.shape(logits), dtype=None)
    if logits.ndim < 1:
        raise ValueError("logits must have a class axis (..., C); got a scalar")
    target = np.asarray(target)
    if target.shape != logits.shape[:-1] or target.dtype.kind not in "iu":
        raise ValueError(f"target must be integer class indices of shape {logits.shape[:-1]}; "
                         f"got dtype {target.dtype} and shape {target.shape}")
    classes = logits.shape[-1]
    if target.size and (target.min() < 0 or target.max() >= classes):
        raise ValueError(f"target classes must lie in 0..{classes - 1}; got {target.min()}..{target.max()}")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, target[..., None], axis=-1)[..., 0]
    d_logits = np.exp(log_p)
    np.put_along_axis(d_logits, target[..., None], np.take_along_axis(d_logits, target[..., None], -1) - 1, -1)
    return float(-picked.mean()), d_logits / target.size
