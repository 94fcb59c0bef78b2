"""PyTorch as the referee: the same computation as a numpy cell, run by torch autograd in float64."""

import numpy as np
import torch

TORCH_CELLS = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}


def torch_cell_like(cell, kind):
    """A torch cell holding copies of the numpy cell's weights."""
    kwargs = {"nonlinearity": cell.nonlinearity} if kind == "rnn" else {}
    module = TORCH_CELLS[kind](cell.input_size, cell.hidden_size, bias=cell.bias, dtype=torch.float64,
                               **kwargs)
    with torch.no_grad():
        for name, value in cell.params().items():
            getattr(module, name).copy_(torch.from_numpy(value))
    return module


def torch_unroll_and_backward(module, kind, x, state, d_outputs, d_final):
    """Loop the torch cell over x, backpropagate sum(outputs * d_outputs) + <final, d_final>.

    Returns outputs, final state, dx, d_initial_state, parameter grads and the total dL/dh_t."""
    x = torch.tensor(x, requires_grad=True)
    if kind == "lstm":
        state = tuple(torch.tensor(s, requires_grad=True) for s in state)
    else:
        state = torch.tensor(state, requires_grad=True)
    initial = state
    hiddens, s = [], state
    for t in range(x.shape[0]):
        s = module(x[t], s)
        h = s[0] if kind == "lstm" else s
        h.retain_grad()
        hiddens.append(h)
    outputs = torch.stack(hiddens)
    loss = (outputs * torch.from_numpy(d_outputs)).sum()
    if kind == "lstm":
        loss = loss + sum((part * torch.from_numpy(d)).sum() for part, d in zip(s, d_final))
    else:
        loss = loss + (s * torch.from_numpy(d_final)).sum()
    loss.backward()

    def to_np(tensor):
        return tensor.detach().numpy()

    final = tuple(map(to_np, s)) if kind == "lstm" else to_np(s)
    d_initial = tuple(to_np(v.grad) for v in initial) if kind == "lstm" else to_np(initial.grad)
    grads = {name: to_np(p.grad) for name, p in module.named_parameters()}
    d_hidden = np.stack([to_np(h.grad) for h in hiddens])
    return to_np(outputs), final, to_np(x.grad), d_initial, grads, d_hidden


def torch_gru_reset_before(params, x, h0, d_outputs, d_final):
    """Cho et al.'s GRU (Keras reset_after=False), written with torch ops since torch.nn has none:

        r = sigma(W_ir x + b_ir + W_hr h + b_hr)    z = sigma(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)    h' = (1 - z) * n + z * h

    params are PyTorch-named arrays (weight_ih (3h, d), weight_hh (3h, h), optional biases);
    backpropagates sum(outputs * d_outputs) + <h_T, d_final> by autograd in float64.
    Returns outputs, h_T, dx, dh0, parameter grads and the total dL/dh_t.
    """
    p = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True) for name, value in params.items()}
    x = torch.tensor(x, requires_grad=True)
    h0 = torch.tensor(h0, requires_grad=True)
    w_ir, w_iz, w_in = p["weight_ih"].chunk(3)
    w_hr, w_hz, w_hn = p["weight_hh"].chunk(3)
    zero = torch.zeros(w_ir.shape[0], dtype=torch.float64)
    b_ir, b_iz, b_in = p["bias_ih"].chunk(3) if "bias_ih" in p else (zero, zero, zero)
    b_hr, b_hz, b_hn = p["bias_hh"].chunk(3) if "bias_hh" in p else (zero, zero, zero)
    h, hiddens = h0, []
    for t in range(x.shape[0]):
        r = torch.sigmoid(x[t] @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
        z = torch.sigmoid(x[t] @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
        n = torch.tanh(x[t] @ w_in.T + b_in + (r * h) @ w_hn.T + b_hn)
        h = (1 - z) * n + z * h
        h.retain_grad()
        hiddens.append(h)
    outputs = torch.stack(hiddens)
    loss = (outputs * torch.from_numpy(d_outputs)).sum() + (h * torch.from_numpy(d_final)).sum()
    loss.backward()

    def to_np(tensor):
        return tensor.detach().numpy()

    grads = {name: to_np(value.grad) for name, value in p.items()}
    d_hidden = np.stack([to_np(v.grad) for v in hiddens])
    return to_np(outputs), to_np(h), to_np(x.grad), to_np(h0.grad), grads, d_hidden
