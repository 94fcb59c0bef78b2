"""An exercise's text and reference solution for a seed.

Seed 0 returns the chapter's own text and solution. For another seed, the numbers an exercise states
are replaced by the ones its checker module draws (``exercises.<module>.parameters(seed)``), through
the fragments listed in :data:`FRAGMENTS`: ``FRAGMENTS[chapter][label]`` names the module and maps
pieces of the exercise's title, text, solution setup and answer (keys "title", "text", "setup",
"answer"), exactly as the chapter has them, to templates.
In a template a slot stands for one drawn number:

- ``<<NAME.key>>`` is ``repr(parameters(seed)["NAME"]["key"])`` (Python source, for code);
- ``<<NAME.key.0.1>>`` indexes into a list first: ``parameters(seed)["NAME"]["key"][0][1]``;
- ``<<NAME.key:g>>`` formats with a format spec instead of repr (``format(value, "g")``: ``2`` rather
  than ``2.0``, for prose).

All the fragments of one piece are replaced in a single pass, so a number put in by one fragment is
never taken for another fragment. A fragment missing from the chapter is an error (so a reworded
exercise cannot keep stale numbers), and the tests grade the reference solutions of other seeds with
otter. An entry with ``"same_answer": True`` varies numbers that do not change the answer (the gate
recipe that overwrites a memory is the same whatever the memory holds): its public solution still
passes under a course's seed.

Exercises without an entry keep the book's numbers in every seed.
"""

import importlib
import re

_SLOT = re.compile(r"<<(\w+)\.(\w+)((?:\.\d+)*)(?::([^<>]*))?>>")

_ONE_STEP = {
    "module": "lstm",
    "text": {"$c_{t-1} = 2.0$": "$c_{t-1} = <<ONE_STEP.c_prev>>$", "$i_t = 0.9$": "$i_t = <<ONE_STEP.i>>$",
             "$f_t = 0.5$": "$f_t = <<ONE_STEP.f>>$", "$o_t = 0.8$": "$o_t = <<ONE_STEP.o>>$",
             "$g_t = -0.6$": "$g_t = <<ONE_STEP.g>>$"},
    "setup": {"c_prev=np.array(2.0), i=0.9, f=0.5, g=np.array(-0.6), o=0.8":
              "c_prev=np.array(<<ONE_STEP.c_prev>>), i=<<ONE_STEP.i>>, f=<<ONE_STEP.f>>, "
              "g=np.array(<<ONE_STEP.g>>), o=<<ONE_STEP.o>>"},
}
_COUNT_TORCH = {
    "module": "lstm",
    "text": {"feeds 40 filter-bank": "feeds <<TORCH_COUNT_SIZES.input_size>> filter-bank",
             "input_size=40, hidden_size=256": "input_size=<<TORCH_COUNT_SIZES.input_size>>, "
                                               "hidden_size=<<TORCH_COUNT_SIZES.hidden_size>>"},
    "answer": {"4 * 256 * 40 + 4 * 256 * 256 + 2 * 4 * 256":
               "4 * <<TORCH_COUNT_SIZES.hidden_size>> * <<TORCH_COUNT_SIZES.input_size>> + "
               "4 * <<TORCH_COUNT_SIZES.hidden_size>> * <<TORCH_COUNT_SIZES.hidden_size>> + "
               "2 * 4 * <<TORCH_COUNT_SIZES.hidden_size>>"},
}
_COUNT_STACKED = {
    "module": "lstm",
    "text": {"reads 13 features": "reads <<STACKED_SIZES.input_size>> features",
             "layers of 100 units": "layers of <<STACKED_SIZES.hidden_size>> units",
             "LSTM(100": "LSTM(<<STACKED_SIZES.hidden_size>>"},
    "setup": {'count_params("lstm", 13, 100,': 'count_params("lstm", <<STACKED_SIZES.input_size>>, '
                                               '<<STACKED_SIZES.hidden_size>>,'},
}
_OVERWRITE = {  # the recipe {"i": 1, "f": 0, "o": 0} is the answer whatever the memory and candidate
    "module": "lstm",
    "same_answer": True,
    "text": {"$c_{t-1} = 0.8$": "$c_{t-1} = <<OVERWRITE_MEMORY.c_prev>>$",
             "$g_t = -0.5$": "$g_t = <<OVERWRITE_MEMORY.g>>$",
             "rather than 0.8.": "rather than <<OVERWRITE_MEMORY.c_prev>>."},
}
_HALF_LIFE = {
    "module": "lstm",
    "text": {"for 50 steps": "for <<HALF_LIFE.steps>> steps", "after those 50 steps":
             "after those <<HALF_LIFE.steps>> steps"},
    "setup": {"0.5 ** (1 / 50)": "0.5 ** (1 / <<HALF_LIFE.steps>>)",
              "assert 0.9862 < smallest_f < 0.9863": "assert smallest_f ** <<HALF_LIFE.steps>> >= 0.5 - 1e-12"},
    "answer": {"0.9863": "float(np.ceil(smallest_f * 10**4) / 10**4)"},  # rounded up: keeps at least half
}
_BIAS_GAIN = {
    "module": "lstm",
    "text": {"reaching 50 steps back": "reaching <<BIAS_GAIN.steps>> steps back",
             "product of the 50 forget gates": "product of the <<BIAS_GAIN.steps>> forget gates"},
    "setup": {"** 50": "** <<BIAS_GAIN.steps>>"},
}

_OUTPUT_SHAPE = {
    "module": "mlp",
    "text": {"in_features=5, out_features=3":
             "in_features=<<LAYER.in_features>>, out_features=<<LAYER.out_features>>",
             "batch of 8 inputs": "batch of <<LAYER.batch>> inputs"},
    "answer": {"(8, 3)": "(<<LAYER.batch>>, <<LAYER.out_features>>)"},
}
_DENSE_COUNT = {
    "module": "mlp",
    "text": {"(784, 128)": "(<<DENSE.in_features>>, <<DENSE.out_features>>)"},
    "answer": {"128 * 784 + 128": "<<DENSE.out_features>> * <<DENSE.in_features>> + <<DENSE.out_features>>"},
}

_GRU_ONE_STEP = {
    "module": "gru",
    "text": {"$h_{t-1} = 0.8$": "$h_{t-1} = <<ONE_STEP.h_prev:g>>$", "$a_r = 0$": "$a_r = <<ONE_STEP.a_r:g>>$",
             "$a_z = 1$": "$a_z = <<ONE_STEP.a_z:g>>$",
             "$W_{in} x_t + b_{in} = 0.9$": "$W_{in} x_t + b_{in} = <<ONE_STEP.x_n:g>>$",
             "$W_{hn} h_{t-1} + b_{hn} = -0.6$": "$W_{hn} h_{t-1} + b_{hn} = <<ONE_STEP.h_n:g>>$"},
    "setup": {"np.exp(-0.0)": "np.exp(-(<<ONE_STEP.a_r>>))", "np.exp(-1.0)": "np.exp(-(<<ONE_STEP.a_z>>))",
              "np.tanh(0.9 + r_t * -0.6)": "np.tanh(<<ONE_STEP.x_n>> + r_t * <<ONE_STEP.h_n>>)"},
    "answer": {"z_t * 0.8)": "z_t * <<ONE_STEP.h_prev>>)"},
}
_GRU_CONVENTION = {
    "module": "gru",
    "text": {"$z'_t = 0.9$": "$z'_t = <<OTHER_CONVENTION.z_prime>>$", "$b' = 2.0$": "$b' = <<OTHER_CONVENTION.bias>>$"},
    "answer": {"(1 - 0.9, -2.0)": "(1 - <<OTHER_CONVENTION.z_prime>>, -<<OTHER_CONVENTION.bias>>)"},
}
_GRU_KERAS_COUNT = {
    "module": "gru",
    "text": {"sequences of 20 features": "sequences of <<KERAS_SIZES.input_size>> features",
             "GRU(64, reset_after=False)": "GRU(<<KERAS_SIZES.hidden_size>>, reset_after=False)"},
    "setup": {'"gru", 20, 64,': '"gru", <<KERAS_SIZES.input_size>>, <<KERAS_SIZES.hidden_size>>,'},
}
_GRU_HALF_LIFE = {
    "module": "gru",
    "text": {"after 50 steps": "after <<HALF_LIFE.steps>> steps"},
    "setup": {"0.5 ** (1 / 50)": "0.5 ** (1 / <<HALF_LIFE.steps>>)"},
}

_FW_KERNEL = {
    "module": "frameworks",
    "text": {"reads MNIST rows (28 numbers per step)":
             "reads sequences of <<KERNEL_SIZES.input_size>> numbers per step",
             "`keras.layers.LSTM(128)`": "`keras.layers.LSTM(<<KERNEL_SIZES.hidden_size>>)`"},
    "answer": {"(28, 4 * 128)": "(<<KERNEL_SIZES.input_size>>, 4 * <<KERNEL_SIZES.hidden_size>>)"},
}
_FW_UPDATE = {
    "module": "frameworks",
    "text": {"`units=64`": "`units=<<GRU_COLUMNS.units>>`"},
    "answer": {"(0, 64)": "(0, <<GRU_COLUMNS.units>>)"},
}
_FW_GRU_BIAS = {
    "module": "frameworks",
    "text": {"`keras.layers.GRU(64)` reads 32 numbers per step":
             "`keras.layers.GRU(<<GRU_BIAS_SIZES.hidden_size>>)` reads <<GRU_BIAS_SIZES.input_size>> numbers per step"},
    "setup": {'"gru", 32, 64,': '"gru", <<GRU_BIAS_SIZES.input_size>>, <<GRU_BIAS_SIZES.hidden_size>>,'},
}
_FW_DIFFERENCE = {
    "module": "frameworks",
    "text": {"`torch.nn.LSTM(28, 128)`": "`torch.nn.LSTM(<<DIFFERENCE_SIZES.input_size>>, "
                                         "<<DIFFERENCE_SIZES.hidden_size>>)`",
             "`keras.layers.LSTM(128)` on 28 inputs": "`keras.layers.LSTM(<<DIFFERENCE_SIZES.hidden_size>>)` on "
                                                      "<<DIFFERENCE_SIZES.input_size>> inputs"},
    "setup": {'"lstm", 28, 128': '"lstm", <<DIFFERENCE_SIZES.input_size>>, <<DIFFERENCE_SIZES.hidden_size>>'},
}
_FW_TF1 = {
    "module": "frameworks",
    "text": {"reads 300-dimensional word vectors with `BasicLSTMCell(num_units=256)`":
             "reads <<TF1_SIZES.input_size>>-dimensional word vectors with "
             "`BasicLSTMCell(num_units=<<TF1_SIZES.hidden_size>>)`"},
    "setup": {"cells.LSTMCell(300, 256, rng=0)": "cells.LSTMCell(<<TF1_SIZES.input_size>>, "
                                                "<<TF1_SIZES.hidden_size>>, rng=0)"},
}
_FW_FORGET_BIAS = {
    "module": "frameworks",
    "text": {"$b_{if} + b_{hf} = 0.25$": "$b_{if} + b_{hf} = <<FORGET_BIAS.sum>>$"},
    "answer": {"0.25 - 1.0": "<<FORGET_BIAS.sum>> - 1.0"},
}
_FW_CELLS = {  # one cell, one set of weights, whatever the sizes: the numbers are distractors
    "module": "frameworks",
    "same_answer": True,
    "text": {"BasicLSTMCell(num_units=200)": "BasicLSTMCell(num_units=<<WORDS.hidden_size>>)",
             "sentences of 35 words, each a vector of 300 numbers":
             "sentences of <<WORDS.steps>> words, each a vector of <<WORDS.input_size>> numbers"},
}

_BY_HAND_TEXT = {"$q = (1, 1)$": "$q = (<<BY_HAND.query.0:g>>, <<BY_HAND.query.1:g>>)$",
                 **{f"$m_{k + 1} = {book}$": f"$m_{k + 1} = (<<BY_HAND.memory.{k}.0:g>>, <<BY_HAND.memory.{k}.1:g>>)$"
                    for k, book in enumerate(["(2, 0)", "(0, 1)", "(-1, 0)"])}}
_BY_HAND_SETUP = {"q = np.array([[[1.0, 1.0]]])": "q = np.array([[<<BY_HAND.query>>]])",
                  "m = np.array([[[2.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]])": "m = np.array([<<BY_HAND.memory>>])",
                  # the chapter's checks of the numbers its prose quotes: not this seed's numbers
                  "\nassert round(np.exp(scores).sum(), 3) == 10.475": "",
                  "\nassert np.allclose(weights[0, 0].round(3), [0.705, 0.259, 0.035])": ""}
_ATT_WEIGHTS = {"module": "attention", "text": _BY_HAND_TEXT, "setup": _BY_HAND_SETUP}
_ATT_CONTEXT = {"module": "attention", "text": {},  # "the same query and memory" as the previous exercise
                "setup": {**_BY_HAND_SETUP, "\nassert np.allclose(context.round(3), [1.376, 0.259])": ""}}
_ATT_SHAPE = {
    "module": "attention",
    "text": {"`cells.Attention(4)": "`cells.Attention(<<SHAPES.h>>)",
             "$(T, B, h) = (5, 3, 4)$": "$(T, B, h) = (<<SHAPES.T>>, <<SHAPES.B>>, <<SHAPES.h>>)$",
             "$(S, B, h) = (7, 3, 4)$": "$(S, B, h) = (<<SHAPES.S>>, <<SHAPES.B>>, <<SHAPES.h>>)$"},
    "setup": {"np.zeros((5, 3, 4)), np.zeros((7, 3, 4))":
              "np.zeros((<<SHAPES.T>>, <<SHAPES.B>>, <<SHAPES.h>>)), "
              "np.zeros((<<SHAPES.S>>, <<SHAPES.B>>, <<SHAPES.h>>))",
              "cells.Attention(4, rng=0)": "cells.Attention(<<SHAPES.h>>, rng=0)"},
}
_ATT_PARAMS = {
    "module": "attention",
    "text": {'`cells.Attention(64, score="additive", attention_size=32)`':
             '`cells.Attention(<<PARAMS_SIZES.hidden_size>>, score="additive", '
             'attention_size=<<PARAMS_SIZES.attention_size>>)`'},
    "setup": {'cells.Attention(64, score="additive", attention_size=32, rng=0)':
              'cells.Attention(<<PARAMS_SIZES.hidden_size>>, score="additive", '
              'attention_size=<<PARAMS_SIZES.attention_size>>, rng=0)',
              "assert count == 2 * 32 * 64 + 32 + 64 * 128 + 64 == 12_384":
              "assert count == (2 * <<PARAMS_SIZES.attention_size>> * <<PARAMS_SIZES.hidden_size>> "
              "+ <<PARAMS_SIZES.attention_size>> + <<PARAMS_SIZES.hidden_size>> * 2 * <<PARAMS_SIZES.hidden_size>> "
              "+ <<PARAMS_SIZES.hidden_size>>)"},
}
_ATT_REVERSAL = {  # the length stays the chapter's 20: its trained model is the one in the widget
    "module": "attention",
    "title": {"step 5": "step <<REVERSAL.output_step>>"},
    "text": {"output step $t = 5$": "output step $t = <<REVERSAL.output_step>>$"},
    "answer": {"21 - 5": "21 - <<REVERSAL.output_step>>"},
}
_ATT_BOTTLENECK = {
    "module": "attention",
    "text": {"A GRU encoder with 64 units reads 20 digits.":
             "A GRU encoder with <<BOTTLENECK.hidden_size>> units reads <<BOTTLENECK.length>> digits."},
    "answer": {"(64, 20 * 64)": "(<<BOTTLENECK.hidden_size>>, <<BOTTLENECK.length>> * <<BOTTLENECK.hidden_size>>)"},
}

_MLP_UNIT = {
    "module": "mlp",
    "text": {r"$\mathbf{w} = (0.5, -1, 2)$":
             r"$\mathbf{w} = (<<UNIT.weights.0:g>>, <<UNIT.weights.1:g>>, <<UNIT.weights.2:g>>)$",
             "$b = 0.1$": "$b = <<UNIT.bias:g>>$",
             r"$\mathbf{x} = (1, 2, 0.5)$": r"$\mathbf{x} = (<<UNIT.x.0:g>>, <<UNIT.x.1:g>>, <<UNIT.x.2:g>>)$"},
    "answer": {"np.tanh(0.5 * 1 - 1 * 2 + 2 * 0.5 + 0.1)":
               "np.tanh(np.dot(<<UNIT.weights>>, <<UNIT.x>>) + <<UNIT.bias>>)"},
}
_MLP_COUNT = {
    "module": "mlp",
    "text": {"`cells.MLP([784, 128, 64, 10])`": "`cells.MLP([<<MLP_COUNT.n0>>, <<MLP_COUNT.n1>>, <<MLP_COUNT.n2>>, "
                                                "<<MLP_COUNT.n3>>])`"},
    "answer": {"(784 * 128 + 128) + (128 * 64 + 64) + (64 * 10 + 10)":
               "(<<MLP_COUNT.n0>> * <<MLP_COUNT.n1>> + <<MLP_COUNT.n1>>) + (<<MLP_COUNT.n1>> * <<MLP_COUNT.n2>> + "
               "<<MLP_COUNT.n2>>) + (<<MLP_COUNT.n2>> * <<MLP_COUNT.n3>> + <<MLP_COUNT.n3>>)"},
}
_MLP_WINDOW = {
    "module": "mlp",
    "text": {"$T = 20$": "$T = <<WINDOW.steps>>$", "$d = 3$": "$d = <<WINDOW.features>>$",
             "has 64 units": "has <<WINDOW.units>> units", "layer of 64 units": "layer of <<WINDOW.units>> units",
             "one step of 3 features": "one step of <<WINDOW.features>> features"},
    "answer": {"64 * 20 * 3": "<<WINDOW.units>> * <<WINDOW.steps>> * <<WINDOW.features>>"},
}
_MLP_RECURRENCE = {
    "module": "mlp",
    "text": {"$W_{ih} = 0.5$": "$W_{ih} = <<RECURRENCE.weight_ih:g>>$",
             "$W_{hh} = 0.9$": "$W_{hh} = <<RECURRENCE.weight_hh:g>>$",
             "$b_{hh} = 0.1$": "$b_{hh} = <<RECURRENCE.bias_hh:g>>$",
             "$h_{t-1} = 0.6$": "$h_{t-1} = <<RECURRENCE.h_prev:g>>$",
             "$x_t = 1$": "$x_t = <<RECURRENCE.x:g>>$"},  # b_ih stays 0 in every seed
    "answer": {"np.tanh(0.5 * 1 + 0 + 0.9 * 0.6 + 0.1)":
               "np.tanh(<<RECURRENCE.weight_ih>> * <<RECURRENCE.x>> + 0 + <<RECURRENCE.weight_hh>> * "
               "<<RECURRENCE.h_prev>> + <<RECURRENCE.bias_hh>>)"},
}

_RNN_SHAPES = {
    "module": "rnn",
    "text": {"input_size=10, hidden_size=20, num_layers=2":
             "input_size=<<SHAPES.input_size>>, hidden_size=<<SHAPES.hidden_size>>, num_layers=<<SHAPES.num_layers>>",
             "`(4, 7, 10)`": "`(<<SHAPES.batch>>, <<SHAPES.steps>>, <<SHAPES.input_size>>)`"},
    "answer": {"((4, 7, 20), (2, 4, 20))": "((<<SHAPES.batch>>, <<SHAPES.steps>>, <<SHAPES.hidden_size>>), "
                                           "(<<SHAPES.num_layers>>, <<SHAPES.batch>>, <<SHAPES.hidden_size>>))"},
}
_RNN_COUNT_ANSWER = {"128 * 28 + 128 * 128 + 2 * 128": "<<COUNT.hidden_size>> * <<COUNT.input_size>> + "
                                                       "<<COUNT.hidden_size>> * <<COUNT.hidden_size>> + "
                                                       "2 * <<COUNT.hidden_size>>"}
_RNN_COUNT = {
    "module": "rnn",
    "text": {"input_size=28, hidden_size=128": "input_size=<<COUNT.input_size>>, hidden_size=<<COUNT.hidden_size>>"},
    "answer": _RNN_COUNT_ANSWER,
}
_RNN_LONG = {  # the same layer as _RNN_COUNT; the lengths are distractors, drawn too
    "module": "rnn",
    "text": {"`torch.nn.RNN(28, 128)`": "`torch.nn.RNN(<<COUNT.input_size>>, <<COUNT.hidden_size>>)`",
             "sequences of 1,000 steps instead of 28.":
             "sequences of <<COUNT.long_steps:,>> steps instead of <<COUNT.steps>>."},
    "answer": _RNN_COUNT_ANSWER,
}
_RNN_BOXES = {
    "module": "rnn",
    "text": {"A 3-layer RNN is unrolled over $T = 5$ steps":
             "A <<UNROLL.layers>>-layer RNN is unrolled over $T = <<UNROLL.steps>>$ steps"},
    "answer": {"(5 * 3, 3)": "(<<UNROLL.steps>> * <<UNROLL.layers>>, <<UNROLL.layers>>)"},
}
_RNN_BIDIRECTIONAL = {
    "module": "rnn",
    "text": {"input_size=8, hidden_size=16, num_layers=2": "input_size=<<BIDIR.input_size>>, "
                                                          "hidden_size=<<BIDIR.hidden_size>>, num_layers=2"},
    "answer": {"(2 * 16, 2 * 16, 2 * 416 + 2 * 800)":
               "(2 * <<BIDIR.hidden_size>>, 2 * <<BIDIR.hidden_size>>, "
               "2 * (<<BIDIR.hidden_size>> * <<BIDIR.input_size>> + <<BIDIR.hidden_size>> * <<BIDIR.hidden_size>> "
               "+ 2 * <<BIDIR.hidden_size>>) + 2 * (<<BIDIR.hidden_size>> * 2 * <<BIDIR.hidden_size>> + "
               "<<BIDIR.hidden_size>> * <<BIDIR.hidden_size>> + 2 * <<BIDIR.hidden_size>>))"},
}
_RNN_MATRIX = {
    "module": "rnn",
    "text": {"`SimpleRNN(units=32,": "`SimpleRNN(units=<<MATRIX.units>>,",
             "a batch of 16 sequences": "a batch of <<MATRIX.batch>> sequences",
             "each with 50\nsteps of 3 features": "each with <<MATRIX.steps>>\nsteps of <<MATRIX.features>> features"},
    "answer": {"(50, 32)": "(<<MATRIX.steps>>, <<MATRIX.units>>)"},
}

_VANISHING_ONE_STEP = {
    "module": "vanishing",
    "text": {r"$W_{hh} = \begin{pmatrix} 0.5 & -1 \\ 2 & 0.25 \end{pmatrix}$":
             r"$W_{hh} = \begin{pmatrix} <<ONE_STEP.weight_hh.0.0:g>> & <<ONE_STEP.weight_hh.0.1:g>> \\ "
             r"<<ONE_STEP.weight_hh.1.0:g>> & <<ONE_STEP.weight_hh.1.1:g>> \end{pmatrix}$",
             "$h_t = (0.5, -0.5)$": "$h_t = (<<ONE_STEP.h_t.0:g>>, <<ONE_STEP.h_t.1:g>>)$",
             r"$\partial L / \partial h_t = (1, 2)$":
             r"$\partial L / \partial h_t = (<<ONE_STEP.d_h_t.0:g>>, <<ONE_STEP.d_h_t.1:g>>)$"},
    "answer": {"[3.375, -0.375]": "(np.array(<<ONE_STEP.weight_hh>>).T @ ((1 - np.array(<<ONE_STEP.h_t>>) ** 2) "
                                  "* np.array(<<ONE_STEP.d_h_t>>))).tolist()"},
}
_VANISHING_STEPS = {
    "module": "vanishing",
    "text": {"The largest singular value of $W_{hh}$ is 0.9.":
             "The largest singular value of $W_{hh}$ is <<STEPS.sigma_max:g>>.",
             "< 10^{-3}": "< 10^{<<STEPS.exponent>>}"},
    # the smallest k with (gamma sigma)^k < 10^e: floor(ln(10^e) / ln(gamma sigma)) + 1
    "answer": {"(66, 5)": "(int(np.log(10.0 ** <<STEPS.exponent>>) // np.log(<<STEPS.sigma_max>>)) + 1, "
                          "int(np.log(10.0 ** <<STEPS.exponent>>) // np.log(<<STEPS.sigma_max>> / 4)) + 1)"},
}
_VANISHING_CLIP = {
    "module": "vanishing",
    "text": {r"`weight_hh` $= \begin{pmatrix} 3 & 0 \\ 0 & 4 \end{pmatrix}$ and `bias_hh` $= (12, 0)$":
             r"`weight_hh` $= \begin{pmatrix} <<CLIP.weight_hh.0.0:g>> & <<CLIP.weight_hh.0.1:g>> \\ "
             r"<<CLIP.weight_hh.1.0:g>> & <<CLIP.weight_hh.1.1:g>> \end{pmatrix}$ and "
             "`bias_hh` $= (<<CLIP.bias_hh.0:g>>, <<CLIP.bias_hh.1:g>>)$",
             "`max_norm = 2.6`": "`max_norm = <<CLIP.max_norm>>`"},
    "answer": {'{"weight_hh": [[0.6, 0.0], [0.0, 0.8]], "bias_hh": [2.4, 0.0]}':
               '{"weight_hh": (np.array(<<CLIP.weight_hh>>) * <<CLIP.max_norm>> / <<CLIP.global_norm>>).tolist(), '
               '"bias_hh": (np.array(<<CLIP.bias_hh>>) * <<CLIP.max_norm>> / <<CLIP.global_norm>>).tolist()}'},
}
_VANISHING_EXPLODE = {
    "module": "vanishing",
    "text": {"100 times *larger* after 50 steps back": "<<EXPLODE.factor:g>> times *larger* after <<EXPLODE.steps>> "
                                                       "steps back",
             r"h_{T-50} \rVert = 100\, \lVert": r"h_{T-<<EXPLODE.steps>>} \rVert = <<EXPLODE.factor:g>>\, \lVert"},
    "answer": {"100 ** (1 / 50)": "<<EXPLODE.factor>> ** (1 / <<EXPLODE.steps>>)"},
}
_VANISHING_THREE = {
    "module": "vanishing",
    "text": {"uniform on $[0, 1]$": "uniform on $[<<THREE.low:g>>, <<THREE.high:g>>]$"},
    "answer": {"(1.5, 0.25)": "(3 * (<<THREE.low>> + <<THREE.high>>) / 2, 3 * (<<THREE.high>> - <<THREE.low>>) ** 2 "
                              "/ 12)"},
}

_VANISHING_STATEMENTS = {  # D and E are true or false by the seed's numbers
    "module": "vanishing",
    "text": {r"$\sigma_{\max}(W_{hh}) = 0.8$": r"$\sigma_{\max}(W_{hh}) = <<STATEMENTS.sigma_a:g>>$",
             r"\le 0.8^k": r"\le <<STATEMENTS.sigma_a:g>>^k",
             r"$\sigma_{\max}(W_{hh}) = 1.5$": r"$\sigma_{\max}(W_{hh}) = <<STATEMENTS.sigma_b:g>>$",
             r"$W_{hh} = 0.9\, Q$": r"$W_{hh} = <<STATEMENTS.rho_d:g>>\, Q$",
             r"$\sigma_{\max}(W_{hh}) = 3$": r"$\sigma_{\max}(W_{hh}) = <<STATEMENTS.sigma_e:g>>$"},
    "answer": {'{"A", "D", "E"}': "set(<<STATEMENTS.true>>)"},
}

_TODAY_MINGRU_STEP = {
    "module": "rnns_today",
    "text": {"$h_{t-1} = 0.5$": "$h_{t-1} = <<MINGRU_STEP.h_prev:g>>$", "$a_z = 1$": "$a_z = <<MINGRU_STEP.a_z:g>>$",
             "b_{in} = -0.4$": "b_{in} = <<MINGRU_STEP.n:g>>$"},
    "setup": {"np.exp(-1.0)": "np.exp(-(<<MINGRU_STEP.a_z>>))"},
    "answer": {"z_t * 0.5 + (1 - z_t) * -0.4": "z_t * <<MINGRU_STEP.h_prev>> + (1 - z_t) * <<MINGRU_STEP.n>>"},
}
_TODAY_COUNT = {
    "module": "rnns_today",
    "text": {"`cells.MinGRU(20, 64)`": "`cells.MinGRU(<<COUNT_SIZES.input_size>>, <<COUNT_SIZES.hidden_size>>)`"},
    "setup": {"cells.MinGRU(20, 64,": "cells.MinGRU(<<COUNT_SIZES.input_size>>, <<COUNT_SIZES.hidden_size>>,"},
}
_TODAY_COMPOSE = {
    "module": "rnns_today",
    "text": {"$(a_1, b_1) = (0.5, 2.0)$": "$(a_1, b_1) = (<<MAPS.first.0:g>>, <<MAPS.first.1:g>>)$",
             "$(a_2, b_2) = (0.8, -1.0)$": "$(a_2, b_2) = (<<MAPS.second.0:g>>, <<MAPS.second.1:g>>)$"},
    "answer": {"(0.8 * 0.5, 0.8 * 2.0 + -1.0)": "(<<MAPS.second.0>> * <<MAPS.first.0>>, "
                                                "<<MAPS.second.0>> * <<MAPS.first.1>> + <<MAPS.second.1>>)"},
}
_TODAY_WORK_DEPTH = {
    "module": "rnns_today",
    "text": {"$T = 100$": "$T = <<SCAN_LENGTH.T>>$"},
    "setup": {"np.log2(100)": "np.log2(<<SCAN_LENGTH.T>>)"},
    "answer": {"+ 100,": "+ <<SCAN_LENGTH.T>>,"},
}
_LM_BITS = {
    "module": "language_model",
    "text": {"each of the 7 characters of the quote language's alphabet (space, quote and the letters `a` to `e`)":
             "each of the <<UNIFORM.alphabet_size>> characters of its alphabet"},
    "answer": {"np.log2(7)": "np.log2(<<UNIFORM.alphabet_size>>)"},
}
_LM_TEMPERATURE = {
    "module": "language_model",
    "text": {"$s = (2, 1, 0)$": "$s = (<<TEMPERATURE.scores.0:g>>, <<TEMPERATURE.scores.1:g>>, "
                                "<<TEMPERATURE.scores.2:g>>)$",
             r"temperature $\tau = 0.5$": r"temperature $\tau = <<TEMPERATURE.tau:g>>$"},
    "setup": {"np.array([2.0, 1.0, 0.0]) / 0.5": "np.array(<<TEMPERATURE.scores>>) / <<TEMPERATURE.tau>>"},
}
_LM_PARAMS = {
    "module": "language_model",
    "text": {"$V = 96$": "$V = <<LM_SIZES.alphabet_size>>$", "$h = 64$": "$h = <<LM_SIZES.hidden_size>>$"},
    "setup": {"V, h = 96, 64": "V, h = <<LM_SIZES.alphabet_size>>, <<LM_SIZES.hidden_size>>"},
}

FRAGMENTS = {
    "lstm": {"lstm-ex-one-step": _ONE_STEP, "lstm-ex-count-torch": _COUNT_TORCH,
             "lstm-ex-count-stacked": _COUNT_STACKED, "lstm-ex-overwrite": _OVERWRITE,
             "lstm-ex-half-life": _HALF_LIFE, "lstm-ex-bias-gain": _BIAS_GAIN},
    "mlp-to-sequences": {"ex-mlp-output-shape": _OUTPUT_SHAPE, "ex-mlp-unit": _MLP_UNIT,
                         "ex-mlp-dense-count": _DENSE_COUNT, "ex-mlp-mlp-count": _MLP_COUNT,
                         "ex-mlp-window": _MLP_WINDOW, "ex-mlp-recurrence": _MLP_RECURRENCE},
    "gru": {"gru-ex-one-step": _GRU_ONE_STEP, "gru-ex-convention": _GRU_CONVENTION,
            "gru-ex-keras-count": _GRU_KERAS_COUNT, "gru-ex-half-life": _GRU_HALF_LIFE},
    "rnns-today": {"today-ex-mingru-step": _TODAY_MINGRU_STEP, "today-ex-count": _TODAY_COUNT,
                   "today-ex-compose": _TODAY_COMPOSE, "today-ex-work-depth": _TODAY_WORK_DEPTH},
    "frameworks": {"frameworks-ex-kernel": _FW_KERNEL, "frameworks-ex-update": _FW_UPDATE,
                   "frameworks-ex-gru-bias": _FW_GRU_BIAS, "frameworks-ex-difference": _FW_DIFFERENCE,
                   "frameworks-ex-tf1": _FW_TF1, "frameworks-ex-forget-bias": _FW_FORGET_BIAS,
                   "frameworks-ex-cells": _FW_CELLS},
    "attention": {"att-ex-weights": _ATT_WEIGHTS, "att-ex-context": _ATT_CONTEXT, "att-ex-shape": _ATT_SHAPE,
                  "att-ex-params": _ATT_PARAMS, "att-ex-reversal": _ATT_REVERSAL,
                  "att-ex-bottleneck": _ATT_BOTTLENECK},
    "rnn": {"ex-rnn-shapes": _RNN_SHAPES, "ex-rnn-count": _RNN_COUNT, "ex-rnn-long": _RNN_LONG,
            "ex-rnn-boxes": _RNN_BOXES, "ex-rnn-bidirectional": _RNN_BIDIRECTIONAL, "ex-rnn-matrix": _RNN_MATRIX},
    "language-model": {"lm-ex-bits": _LM_BITS, "lm-ex-temperature": _LM_TEMPERATURE, "lm-ex-params": _LM_PARAMS},
    "vanishing-gradients": {"ex-vanishing-one-step": _VANISHING_ONE_STEP, "ex-vanishing-steps": _VANISHING_STEPS,
                            "ex-vanishing-clip": _VANISHING_CLIP, "ex-vanishing-explode": _VANISHING_EXPLODE,
                            "ex-vanishing-three": _VANISHING_THREE, "ex-vanishing-statements": _VANISHING_STATEMENTS},
}


class VariantError(ValueError):
    """A fragment of FRAGMENTS no longer found in its chapter."""


def _slot_value(values, slot):
    value = values[slot[1]][slot[2]]
    for index in filter(None, slot[3].split(".")):
        value = value[int(index)]
    return repr(value) if slot[4] is None else format(value, slot[4])


def _fill(chapter, exercise, seed, text, where):
    fragments = FRAGMENTS.get(chapter, {}).get(exercise.label)
    if seed == 0 or not fragments or not fragments.get(where):
        return text
    module = importlib.import_module(f"exercises.{fragments['module']}")
    values = module.parameters(seed)
    replacements = {}
    for book_fragment, template in fragments[where].items():
        if book_fragment not in text:
            raise VariantError(f"{chapter}, {exercise.label}: {book_fragment!r} is no longer in its {where}; "
                               "update course/variants.py")
        replacements[book_fragment] = _SLOT.sub(lambda slot: _slot_value(values, slot), template)
    longest_first = sorted(replacements, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(fragment) for fragment in longest_first))
    return pattern.sub(lambda found: replacements[found[0]], text)


def varies(chapter, exercise):
    """Whether this exercise's numbers follow the seed."""
    return bool(FRAGMENTS.get(chapter, {}).get(exercise.label))


def answer_varies(chapter, exercise):
    """Whether a course's seed changes this exercise's answer (so the book's public solution fails)."""
    return varies(chapter, exercise) and not FRAGMENTS[chapter][exercise.label].get("same_answer", False)


def title(chapter, exercise, seed):
    """The exercise's title, with the numbers of ``seed`` (a "title" piece in its entry, if any)."""
    return _fill(chapter, exercise, seed, exercise.title, "title")


def text(chapter, exercise, seed):
    """The exercise's text, with the numbers of ``seed``."""
    return _fill(chapter, exercise, seed, exercise.text, "text")


def solution(chapter, exercise, seed):
    """(setup code, answer expression) of the reference solution, with the numbers of ``seed``."""
    setup = _fill(chapter, exercise, seed, exercise.solution_setup, "setup")
    answer = _fill(chapter, exercise, seed, exercise.solution_answer, "answer")
    return setup, answer
