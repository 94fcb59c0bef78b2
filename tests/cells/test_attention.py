"""Embedding, attention and the GRU encoder-decoder: against PyTorch in float64, and by finite differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cells


def to_torch(array, grad=True):
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


def test_embedding_matches_torch_with_repeated_tokens():
    embedding = cells.Embedding(7, 4, rng=0)
    module = torch.nn.Embedding(7, 4, dtype=torch.float64)
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(embedding.weight))
    indices = np.array([[0, 3, 3], [6, 3, 0]])  # token 3 three times, token 0 twice, 1 2 4 5 never
    dx = np.random.default_rng(1).normal(size=(2, 3, 4))
    out = embedding.forward(indices)
    reference = module(torch.from_numpy(indices))
    np.testing.assert_allclose(out, reference.detach().numpy(), rtol=0, atol=0)
    (reference * torch.from_numpy(dx)).sum().backward()
    grads = embedding.backward(dx)
    np.testing.assert_allclose(grads["weight"], module.weight.grad.numpy(), rtol=0, atol=1e-12)
    assert np.all(grads["weight"][[1, 2, 4, 5]] == 0)


def torch_attention(queries, memory, params, score):
    """The equations of cells/attention.py written with torch operations; autograd does the backward."""
    q, m = queries.transpose(0, 1), memory.transpose(0, 1)
    if score == "dot":
        e = q @ m.transpose(1, 2)
    else:
        k = torch.tanh((q @ params["query_weight"].T)[:, :, None] + (m @ params["memory_weight"].T)[:, None])
        e = k @ params["score_vector"]
    a = torch.softmax(e, dim=-1)
    c = a @ m
    out = torch.tanh(torch.cat([c, q], dim=-1) @ params["combine_weight"].T + params["combine_bias"])
    return out.transpose(0, 1), a.transpose(0, 1), c


@pytest.mark.parametrize("score", ["dot", "additive"])
@pytest.mark.parametrize("T, S, B, h", [(4, 6, 3, 5), (1, 1, 1, 2), (7, 3, 2, 4)])
def test_attention_matches_torch(score, T, S, B, h):
    attention = cells.Attention(h, score=score, attention_size=3 if score == "additive" else None, rng=2)
    rng = np.random.default_rng(3)
    queries, memory = rng.normal(size=(T, B, h)), rng.normal(size=(S, B, h))
    d_out = rng.normal(size=(T, B, h))
    out, weights = attention.forward(queries, memory)
    tq, tm = to_torch(queries), to_torch(memory)
    tparams = {name: to_torch(value) for name, value in attention.params().items()}
    ref_out, ref_weights, _ = torch_attention(tq, tm, tparams, score)
    np.testing.assert_allclose(out, ref_out.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(weights, ref_weights.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    (ref_out * torch.from_numpy(d_out)).sum().backward()
    dq, dm, grads = attention.backward(d_out)
    np.testing.assert_allclose(dq, tq.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dm, tm.grad.numpy(), rtol=0, atol=1e-10)
    assert list(grads) == list(attention.params())
    for name, g in grads.items():
        np.testing.assert_allclose(g, tparams[name].grad.numpy(), rtol=0, atol=1e-10, err_msg=name)


def test_dot_attention_context_is_torchs_scaled_dot_product_attention_with_scale_one():
    """An independent referee for the score-softmax-sum part: PyTorch's own attention kernel."""
    attention = cells.Attention(4, score="dot", rng=0)
    rng = np.random.default_rng(4)
    queries, memory = rng.normal(size=(5, 2, 4)), rng.normal(size=(6, 2, 4))
    attention.forward(queries, memory)
    _, m, _, a, joined, _ = attention._cache
    context = joined[..., :4]  # c_t, batch-major
    q, mem = torch.from_numpy(queries).transpose(0, 1), torch.from_numpy(memory).transpose(0, 1)
    reference = F.scaled_dot_product_attention(q, mem, mem, scale=1.0)
    np.testing.assert_allclose(context, reference.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("score", ["dot", "additive"])
def test_attention_gradients_by_finite_differences(score):
    attention = cells.Attention(3, score=score, attention_size=4, rng=5)
    rng = np.random.default_rng(6)
    queries, memory, P = rng.normal(size=(2, 2, 3)), rng.normal(size=(4, 2, 3)), rng.normal(size=(2, 2, 3))

    def loss():
        return np.sum(attention.forward(queries, memory)[0] * P)

    loss()
    dq, dm, grads = attention.backward(P)
    cells.gradcheck(loss, attention.params(), grads)
    cells.gradcheck(loss, {"queries": queries, "memory": memory}, {"queries": dq, "memory": dm})


def test_attention_puts_its_weight_on_the_matching_memory_step():
    """Dot scores: a query equal to a large memory vector gets nearly all its weight there."""
    memory = np.zeros((3, 1, 2))
    memory[:, 0] = [[10.0, 0.0], [0.0, 10.0], [-10.0, 0.0]]
    _, weights = cells.Attention(2, rng=0).forward(memory[1:2], memory)
    assert weights[0, 0].argmax() == 1 and weights[0, 0, 1] > 0.999


def torch_seq2seq_loss(model, source, target):
    """The model rebuilt from torch.nn modules holding copies of its weights -> (loss, named parameters)."""
    h, V = model.hidden_size, model.vocab_size
    parts = {
        "source_embedding": torch.nn.Embedding(V, model.embedding_dim, dtype=torch.float64),
        "target_embedding": torch.nn.Embedding(V + 1, model.embedding_dim, dtype=torch.float64),
        "encoder": torch.nn.GRU(model.embedding_dim, h, dtype=torch.float64),
        "decoder": torch.nn.GRU(model.embedding_dim, h, dtype=torch.float64),
        "head": torch.nn.Linear(h, V, dtype=torch.float64),
    }
    named = {f"{part}.{name}": p for part, module in parts.items() for name, p in module.named_parameters()}
    attention = {}
    if model.attention is not None:
        attention = {name: to_torch(value) for name, value in model.attention.params().items()}
        named.update({"attention." + name: p for name, p in attention.items()})
    with torch.no_grad():
        for name, value in model.params().items():
            named[name].copy_(torch.from_numpy(value))
    memory, final = parts["encoder"](parts["source_embedding"](torch.from_numpy(source)))
    previous = torch.cat([torch.full((1, target.shape[1]), V), torch.from_numpy(target[:-1])])
    queries, _ = parts["decoder"](parts["target_embedding"](previous), final)
    if model.attention is not None:
        queries, _, _ = torch_attention(queries, memory, attention, model.attention.score)
    logits = parts["head"](queries)
    loss = F.cross_entropy(logits.reshape(-1, V), torch.from_numpy(target).reshape(-1))
    loss.backward()
    return loss.item(), named


@pytest.mark.parametrize("attention", [None, "dot", "additive"])
def test_seq2seq_loss_and_every_gradient_match_torch(attention):
    model = cells.Seq2Seq(5, 6, embedding_dim=4, attention=attention, rng=7)
    source, target = cells.tasks.digit_reversal(3, 7, rng=8, num_digits=5)
    target = target[:5]  # a target shorter than the source: the shapes must not be confused
    loss, d_logits = cells.cross_entropy(model.forward((source, target)), target)
    _, grads = model.backward(d_logits)
    ref_loss, ref = torch_seq2seq_loss(model, source, target)
    assert loss == pytest.approx(ref_loss, abs=1e-12)
    assert list(grads) == list(model.params()) and set(grads) == set(ref)
    for name, g in grads.items():
        np.testing.assert_allclose(g, ref[name].grad.numpy(), rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("attention", [None, "additive"])
def test_seq2seq_gradients_by_finite_differences(attention):
    model = cells.Seq2Seq(4, 3, embedding_dim=2, attention=attention, rng=9)
    source, target = cells.tasks.digit_reversal(2, 5, rng=10, num_digits=4)

    def loss():
        return cells.cross_entropy(model.forward((source, target)), target)[0]

    _, d_logits = cells.cross_entropy(model.forward((source, target)), target)
    _, grads = model.backward(d_logits)
    cells.gradcheck(loss, model.params(), grads, max_entries=12)


@pytest.mark.parametrize("attention", [None, "dot"])
def test_greedy_decoding_agrees_with_teacher_forcing_on_its_own_output(attention):
    """Feeding back its own tokens step by step, or feeding them all at once as the target,
    the decoder computes the same logits: so the argmax of the second is the first's output."""
    model = cells.Seq2Seq(6, 8, attention=attention, rng=11)
    source, _ = cells.tasks.digit_reversal(4, 9, rng=12, num_digits=6)
    tokens, weights = model.generate(source, 9)
    assert tokens.shape == (9, 4) and tokens.min() >= 0 and tokens.max() < 6
    logits = model.forward((source, tokens))
    np.testing.assert_array_equal(logits.argmax(axis=-1), tokens)
    if attention is None:
        assert weights is None
    else:
        assert weights.shape == (9, 4, 9)
        np.testing.assert_allclose(weights, model.attention.forward(
            model.decoder.forward(model.target_embedding.forward(
                np.concatenate([np.full((1, 4), 6), tokens[:-1]])), model.encode(source)[-1:])[0],
            model.encode(source))[1], rtol=0, atol=1e-12)


def test_digit_reversal_and_sequence_accuracy():
    source, target = cells.tasks.digit_reversal(50, 6, rng=0)
    assert source.shape == target.shape == (6, 50) and source.dtype.kind == "i"
    assert set(np.unique(source)) <= set(range(10))
    np.testing.assert_array_equal(target[0], source[5])
    np.testing.assert_array_equal(target[5], source[0])
    predicted = np.array([[1, 2, 3], [4, 5, 6]])
    truth = np.array([[1, 2, 0], [4, 0, 6]])
    assert cells.sequence_accuracy(predicted, truth) == (4 / 6, 1 / 3)


def test_clear_errors():
    attention = cells.Attention(4, rng=0)
    with pytest.raises(ValueError, match=r"queries must have shape \(T, B, h\) = \(\?, \?, 4\); "
                                         r"got \(2, 3\)"):
        attention.forward(np.zeros((2, 3)), np.zeros((5, 3, 4)))
    with pytest.raises(ValueError, match=r"memory must have shape \(S, B, h\) = \(\?, 3, 4\); "
                                         r"got \(5, 2, 4\)"):
        attention.forward(np.zeros((2, 3, 4)), np.zeros((5, 2, 4)))
    with pytest.raises(ValueError, match="at least one query"):
        attention.forward(np.zeros((2, 3, 4)), np.zeros((0, 3, 4)))
    with pytest.raises(ValueError, match="call forward"):
        cells.Attention(4, rng=0).backward(np.zeros((1, 1, 4)))
    with pytest.raises(ValueError, match="score must be one of 'dot', 'additive'; got 'cosine'"):
        cells.Attention(4, score="cosine")
    attention.combine_weight = np.zeros((4, 4))
    with pytest.raises(ValueError, match=r"combine_weight must be an array of shape \(4, 8\); got \(4, 4\)"):
        attention.forward(np.zeros((2, 3, 4)), np.zeros((5, 3, 4)))
    with pytest.raises(ValueError, match="indices must be integer token indices in 0..6; "
                                         "got an array of dtype float64"):
        cells.Embedding(7, 2).forward(np.array([1.0]))
    with pytest.raises(ValueError, match="indices must lie in 0..6; got values from 0 to 7"):
        cells.Embedding(7, 2).forward(np.array([0, 7]))
    model = cells.Seq2Seq(10, 4, rng=0)
    with pytest.raises(ValueError, match=r"expects a pair \(source, target\)"):
        model.forward(np.zeros((5, 2), dtype=int))
    with pytest.raises(ValueError, match="same number of sequences; got batches of 2 and 3"):
        model.forward((np.zeros((5, 2), dtype=int), np.zeros((5, 3), dtype=int)))
    with pytest.raises(ValueError, match=r"target must be a non-empty array of tokens \(time steps, batch\); "
                                         r"got shape \(5,\)"):
        model.forward((np.zeros((5, 2), dtype=int), np.zeros(5, dtype=int)))
    with pytest.raises(ValueError, match="target must lie in 0..9; got values from 0 to 10"):
        model.forward((np.zeros((5, 2), dtype=int), np.array([[0, 10]])))
    with pytest.raises(ValueError, match="call forward"):
        cells.Seq2Seq(10, 4, rng=0).backward(np.zeros((5, 2, 10)))
    with pytest.raises(ValueError, match="attention must be one of 'dot', 'additive'; got 'yes'"):
        cells.Seq2Seq(10, 4, attention="yes")
    with pytest.raises(ValueError, match="length must be a positive integer; got 0"):
        model.generate(np.zeros((5, 2), dtype=int), 0)
