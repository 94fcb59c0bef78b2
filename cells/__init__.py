"""Unrolled's cell library: numpy RNN, LSTM and GRU, forward and backward, equal to PyTorch.

Notation and gate order are PyTorch's (LSTM i, f, g, o; GRU r, z, n); shapes are (T, B, d).
Read in this order: pointwise.py, cell.py, rnn.py, lstm.py, gru.py (each cell's file is its
equations and their backward pass, one step at a time), unroll.py, layers.py, then the rest;
kernels.py last: the same equations fused over all time steps, for speed. The attention epilogue
adds embedding.py, attention.py and seq2seq.py; the language-model chapter corpora.py and
language_model.py; the last chapter (recurrent networks today) scan.py (the linear recurrence
h_t = a_t * h_{t-1} + b_t, and its parallel scan) and minimal.py (minGRU and minLSTM, whose gates
read x_t alone).
`import cells` needs numpy only: tqdm is imported when `train` runs, torch by the bridge functions.
"""

from . import corpora, experiments, scan, tasks
from .attention import Attention, softmax
from .cell import StepCache
from .counting import ParamCount, count_params
from .dense import MLP, Dense
from .embedding import Embedding
from .gradcheck import GradcheckError, gradcheck, numerical_gradient
from .gru import GRUCell
from .keras_bridge import from_keras, to_keras
from .language_model import CharLanguageModel
from .layers import GRU, LSTM, RNN
from .losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss
from .lstm import LSTMCell
from .matrices import largest_singular_value, random_orthogonal, scale_to_spectral_radius, spectral_radius
from .minimal import MinGRU, MinGRUCell, MinLSTM, MinLSTMCell
from .models import SequenceModel
from .pointwise import gru_state_update, lstm_state_update, sigmoid
from .rnn import RNNCell
from .seq2seq import Seq2Seq, sequence_accuracy
from .tf1 import tf1_step, to_tf1
from .torch_bridge import compare_with_torch, from_torch, to_torch
from .training import SGD, Adam, History, clip_grad_norm, train
from .ungated import UngatedMemory, UngatedMemoryCell
from .unroll import backprop_through_time, gradient_norms, unroll

__all__ = [
    "sigmoid", "lstm_state_update", "gru_state_update", "StepCache",
    "RNNCell", "LSTMCell", "GRUCell", "unroll", "backprop_through_time",
    "ParamCount", "count_params", "GradcheckError", "gradcheck", "numerical_gradient",
    "RNN", "LSTM", "GRU", "Dense", "MLP", "from_torch", "to_torch", "compare_with_torch", "gradient_norms",
    "from_keras", "to_keras", "to_tf1", "tf1_step",
    "random_orthogonal", "spectral_radius", "largest_singular_value", "scale_to_spectral_radius",
    "UngatedMemoryCell", "UngatedMemory", "mse_loss", "binary_cross_entropy_with_logits",
    "cross_entropy", "SequenceModel", "Embedding", "Attention", "softmax", "Seq2Seq",
    "sequence_accuracy", "SGD", "Adam", "History", "clip_grad_norm", "train", "tasks", "experiments",
    "corpora", "CharLanguageModel",
    "MinGRUCell", "MinLSTMCell", "MinGRU", "MinLSTM", "scan",
]
