"""PyTorch as the referee: the same computation as a numpy cell, run by torch autograd in float64."""

import numpy as np
import torch

TORCH_CELLS = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}


def torch_cell_like(cell, kind):
    """A torch cell holding copies of the numpy cell's weights."""
    kwargs = {"nonlinearity": cell.nonlinearity} if kind == "rnn" else {}
    module = TORCH_CELLS[kind](cell.input_size, cell.hidden_size, bias=cell.bias, dtype=torch.float64, **kwargs)
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
        loss = loss + (s[0] * torch.from_numpy(d_final[0])).sum() + (s[1] * torch.from_numpy(d_final[1])).sum()
    else:
        loss = loss + (s * torch.from_numpy(d_final)).sum()
    loss.backward()
    to_np = lambda t: t.detach().numpy()
    final = tuple(map(to_np, s)) if kind == "lstm" else to_np(s)
    d_initial = tuple(to_np(v.grad) for v in initial) if kind == "lstm" else to_np(initial.grad)
    grads = {name: to_np(p.grad) for name, p in module.named_parameters()}
    d_hidden = np.stack([to_np(h.grad) for h in hiddens])
    return to_np(outputs), final, to_np(x.grad), d_initial, grads, d_hidden
