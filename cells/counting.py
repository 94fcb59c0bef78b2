"""How many parameters a recurrent layer has, in PyTorch's, Keras's and TensorFlow 1's books.

One set of weights serves every time step, so the count does not depend on T. A layer with
G gate blocks (G = 1 plain RNN, 4 LSTM, 3 GRU), input size d and hidden size h has

    weights = G * h * (d + h)                      (W_ih and W_hh, or Keras's kernel and recurrent_kernel)
    biases  = 2 * G * h   PyTorch (b_ih and b_hh; kept for cuDNN compatibility)
            =     G * h   Keras and TF1 (one bias per gate)
            = 2 * G * h   Keras GRU with reset_after=True (the default since TF 2), whose reset gate
                          multiplies W_hn h + b_hn, so the recurrent bias cannot be folded away

Stacked layers: layer 1 sees d inputs, every later layer sees h * directions inputs.
Bidirectional layers have two independent sets (forward and reverse).
"""

from dataclasses import dataclass, field

from ._validation import check_bool, check_choice, check_positive_int

GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
CONVENTIONS = ("torch", "keras", "tf1")


@dataclass
class ParamCount:
    """total = weights + biases; breakdown lists one dict per (layer, direction)."""

    total: int
    weights: int
    biases: int
    breakdown: list = field(default_factory=list)


def count_params(kind, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True,
                 convention="torch", reset_after=True):
    """Count the parameters of a (stacked, possibly bidirectional) RNN, LSTM or GRU.

    `reset_after` only matters for a Keras GRU. TF1's cells always have biases.
    """
    kind = check_choice("kind", kind, tuple(GATE_BLOCKS))
    input_size = check_positive_int("input_size", input_size)
    hidden_size = check_positive_int("hidden_size", hidden_size)
    num_layers = check_positive_int("num_layers", num_layers)
    bidirectional = check_bool("bidirectional", bidirectional)
    bias = check_bool("bias", bias)
    convention = check_choice("convention", convention, CONVENTIONS)
    reset_after = check_bool("reset_after", reset_after)
    if convention == "tf1" and not bias:
        raise ValueError("TF1's RNN cells always have a bias; got bias=False with convention='tf1'")

    G, h = GATE_BLOCKS[kind], hidden_size
    if not bias:
        bias_vectors = 0
    elif convention == "torch" or (convention == "keras" and kind == "gru" and reset_after):
        bias_vectors = 2
    else:
        bias_vectors = 1

    directions = ("forward", "reverse") if bidirectional else ("forward",)
    breakdown = []
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else h * len(directions)
        for direction in directions:
            breakdown.append({"layer": layer, "direction": direction,
                              "weights": G * h * (layer_input + h), "biases": bias_vectors * G * h})
    weights = sum(b["weights"] for b in breakdown)
    biases = sum(b["biases"] for b in breakdown)
    return ParamCount(total=weights + biases, weights=weights, biases=biases, breakdown=breakdown)
