"""Moving weights between this library and PyTorch. The only module that imports torch.

Because the cells use PyTorch's gate order (i, f, g, o and r, z, n), its weight layout and
its parameter names, a transplant is a plain copy of every array; nothing is reshuffled.

    from_torch(module) -> numpy layer, cell, Dense or MLP computing what `module` computes
    to_torch(layer)    -> the torch module computing what `layer` computes
    compare_with_torch(model, x) -> {quantity: max |cells - torch|} over the output and every gradient
"""

import numpy as np

from ._validation import check_array
from .dense import MLP, Dense
from .gru import GRUCell
from .layers import GRU, LSTM, RNN
from .lstm import LSTMCell
from .rnn import RNNCell
from .unroll import backprop_through_time, unroll

ACCEPTED = "torch.nn.RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, Linear or a Sequential of Linear and activations"


def _torch():
    try:
        import torch
    except ImportError as error:  # the book's pages run without torch; only the bridge needs it
        raise ImportError("cells.from_torch / cells.to_torch need PyTorch: pip install torch") from error
    return torch


def _copy_into(target, name, tensor, dtype):
    setattr(target, name, tensor.detach().cpu().numpy().astype(dtype, copy=True))


def _torch_activations(torch):
    return {torch.nn.Tanh: "tanh", torch.nn.ReLU: "relu", torch.nn.Sigmoid: "sigmoid", torch.nn.Identity: "identity"}


def from_torch(module, dtype=np.float64):
    """A numpy copy of a torch module (weights copied, in float64 unless `dtype` says otherwise)."""
    torch = _torch()
    nn = torch.nn
    layers = {nn.LSTM: LSTM, nn.GRU: GRU, nn.RNN: RNN}
    single_cells = {nn.LSTMCell: LSTMCell, nn.GRUCell: GRUCell, nn.RNNCell: RNNCell}

    if type(module) in layers:
        if getattr(module, "proj_size", 0):
            raise ValueError(f"LSTM with proj_size is not supported (expected proj_size=0; got {module.proj_size})")
        if module.dropout and module.num_layers > 1:
            raise ValueError("dropout between layers is not implemented; expected dropout=0, "
                             f"got dropout={module.dropout}")
        options = {"nonlinearity": module.nonlinearity} if type(module) is nn.RNN else {}
        layer = layers[type(module)](module.input_size, module.hidden_size, num_layers=module.num_layers,
                                     bias=module.bias, batch_first=module.batch_first,
                                     bidirectional=module.bidirectional, rng=0, dtype=dtype, **options)
        for index, pair in enumerate(layer.cells):
            for direction, cell in enumerate(pair):
                for name in cell.params():
                    _copy_into(cell, name, getattr(module, name + layer.suffix(index, direction)), dtype)
        return layer

    if type(module) in single_cells:
        options = {"nonlinearity": module.nonlinearity} if type(module) is nn.RNNCell else {}
        cell = single_cells[type(module)](module.input_size, module.hidden_size, bias=module.bias,
                                          rng=0, dtype=dtype, **options)
        for name in cell.params():
            _copy_into(cell, name, getattr(module, name), dtype)
        return cell

    if type(module) is nn.Linear:
        dense = Dense(module.in_features, module.out_features, bias=module.bias is not None, rng=0, dtype=dtype)
        for name in dense.params():
            _copy_into(dense, name, getattr(module, name), dtype)
        return dense

    if type(module) is nn.Sequential:
        return _mlp_from_sequential(torch, module, dtype)

    raise ValueError(f"from_torch expects {ACCEPTED}; got {type(module).__name__}")


def _mlp_from_sequential(torch, module, dtype):
    children = list(module)
    linears, activations = children[0::2], children[1::2]
    names = _torch_activations(torch)
    kinds = {names.get(type(a)) for a in activations}
    if (not linears or len(children) % 2 == 0 or any(type(m) is not torch.nn.Linear for m in linears)
            or None in kinds or len(kinds) > 1 or any(m.bias is None for m in linears)):
        found = ", ".join(type(m).__name__ for m in children)
        raise ValueError("from_torch expects a Sequential of the form Linear, activation, Linear, ... with one "
                         f"activation type (Tanh, ReLU, Sigmoid or Identity) and biases; got {found}")
    sizes = [linears[0].in_features] + [m.out_features for m in linears]
    mlp = MLP(sizes, activation=kinds.pop() if kinds else "tanh", rng=0, dtype=dtype)
    for dense, linear in zip(mlp.layers, linears):
        _copy_into(dense, "weight", linear.weight, dtype)
        _copy_into(dense, "bias", linear.bias, dtype)
    return mlp


def to_torch(layer):
    """The torch module with this layer's (or cell's, Dense's, MLP's) weights, in its dtype."""
    torch = _torch()
    nn = torch.nn
    torch_dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}
    layers = {LSTM: nn.LSTM, GRU: nn.GRU, RNN: nn.RNN}
    single_cells = {LSTMCell: nn.LSTMCell, GRUCell: nn.GRUCell, RNNCell: nn.RNNCell}

    if type(layer) in (RNN, RNNCell) and layer.nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"PyTorch's RNN supports nonlinearity 'tanh' or 'relu'; got {layer.nonlinearity!r}")
    if type(layer) in (GRU, GRUCell) and not layer.reset_after:
        raise ValueError("torch.nn.GRU applies the reset gate after the recurrent product (reset_after=True); "
                         "this GRU has reset_after=False, W_hn (r * h), which no torch module computes")
    if type(layer) in layers:
        options = {"nonlinearity": layer.nonlinearity} if type(layer) is RNN else {}
        module = layers[type(layer)](layer.input_size, layer.hidden_size, num_layers=layer.num_layers,
                                     bias=layer.bias, batch_first=layer.batch_first,
                                     bidirectional=layer.bidirectional, dtype=torch_dtype[layer.dtype], **options)
    elif type(layer) in single_cells:
        options = {"nonlinearity": layer.nonlinearity} if type(layer) is RNNCell else {}
        module = single_cells[type(layer)](layer.input_size, layer.hidden_size, bias=layer.bias,
                                           dtype=torch_dtype[layer.dtype], **options)
    elif type(layer) is Dense:
        module = nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None,
                           dtype=torch_dtype[layer.dtype])
    elif type(layer) is MLP:
        activation = {v: k for k, v in _torch_activations(torch).items()}[layer.activation]
        modules = []
        for k, dense in enumerate(layer.layers):
            modules.append(to_torch(dense))
            if k < len(layer.layers) - 1:
                modules.append(activation())
        return nn.Sequential(*modules)
    else:
        raise ValueError(f"to_torch expects a cells RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, Dense or MLP; "
                         f"got {type(layer).__name__}")
    with torch.no_grad():
        for name, value in layer.params().items():
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return module



def _max_difference(ours, theirs):
    theirs = theirs.detach().cpu().numpy()
    if np.shape(ours) != theirs.shape:  # a shape mismatch is a bug, not a large difference
        raise AssertionError(f"shapes differ: cells {np.shape(ours)}, torch {theirs.shape}")
    return float(np.abs(ours - theirs).max(initial=0.0))


def _named_outputs(model, result):
    """(output, h_n) or (output, (h_n, c_n)) or output -> {"output": ..., "h_n": ..., "c_n": ...}."""
    if type(model) is LSTM:
        output, (h_n, c_n) = result
        return {"output": output, "h_n": h_n, "c_n": c_n}
    if type(model) in (RNN, GRU):
        output, h_n = result
        return {"output": output, "h_n": h_n}
    return {"output": result}


def compare_with_torch(model, x, d_output=None, rng=0):
    """Run `model` and `to_torch(model)` on the same x, backpropagate the same loss through both,
    and return {quantity: max |cells - torch|}.

    model: a cells Dense, MLP, RNN, LSTM or GRU layer, or an RNNCell, LSTMCell or GRUCell, which is
    unrolled over x (T, B, d) from a zero state. The loss is L = sum(output * d_output), so
    dL/doutput = d_output (drawn from a standard normal with `rng` when None). The keys, in order:
    "output"; "h_n" (and "c_n" for an LSTM) for a layer; "dL/dh_t", the total derivative at every
    step, for a cell; then "dL/dx" and "dL/d<name>" for every parameter, with PyTorch's names.
    """
    torch = _torch()
    single_cells = (RNNCell, LSTMCell, GRUCell)
    if type(model) not in (Dense, MLP, RNN, LSTM, GRU) + single_cells:
        raise ValueError("compare_with_torch expects a cells Dense, MLP, RNN, LSTM, GRU, RNNCell, LSTMCell "
                         f"or GRUCell; got {type(model).__name__}")
    is_cell = type(model) in single_cells
    module = to_torch(model)

    # Ours first: the numpy model checks x and raises a clear error if its shape is wrong.
    if is_cell:
        output, _, caches = unroll(model, x)
        ours = {"output": output}
    else:
        ours = _named_outputs(model, model.forward(x))
    dtype = model.layers[0].dtype if type(model) is MLP else model.dtype
    x = np.asarray(x, dtype=dtype)
    if d_output is None:
        d_output = np.random.default_rng(rng).standard_normal(ours["output"].shape)
    d_output = check_array("d_output", d_output, ours["output"].shape, dtype)
    if is_cell:
        dx, _, grads, ours["dL/dh_t"] = backprop_through_time(model, caches, d_output)
    else:
        dx, grads = model.backward(d_output)

    # Theirs: the same x and the same dL/doutput, through autograd.
    x_torch = torch.tensor(x, requires_grad=True)
    if is_cell:
        state, hiddens = None, []
        for x_t in x_torch:
            state = module(x_t, state)
            hidden = state[0] if type(model) is LSTMCell else state
            hidden.retain_grad()  # keep the total dL/dh_t, through every later step
            hiddens.append(hidden)
        theirs = {"output": torch.stack(hiddens)}
    else:
        theirs = _named_outputs(model, module(x_torch))
    (theirs["output"] * torch.from_numpy(d_output)).sum().backward()
    if is_cell:
        theirs["dL/dh_t"] = torch.stack([hidden.grad for hidden in hiddens])

    differences = {name: _max_difference(ours[name], theirs[name]) for name in ours}
    differences["dL/dx"] = _max_difference(dx, x_torch.grad)
    torch_parameters = dict(module.named_parameters())
    for name, grad in grads.items():
        differences["dL/d" + name] = _max_difference(grad, torch_parameters[name].grad)
    return differences
