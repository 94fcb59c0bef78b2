"""Reference answers for exercises whose solution in the chapter is prose only (no code to run), or
whose code needs PyTorch or Keras, which the autograder does not install (Gradescope's environment has
Python, otter, numpy and tqdm): those restate it with arithmetic or ``cells``.

``ANSWERS[chapter][label]`` is Python code ending in ``check_x(answer)``, read like a chapter's solution
code (see :mod:`course.chapters`). Each one restates the chapter's written solution; the tests grade
every reference with otter and fail when one of them no longer scores full marks, so they cannot
drift from the checkers unnoticed. Chapters whose solutions hold code need no entry here.
"""

ANSWERS = {
    "mlp-to-sequences": {
        "ex-mlp-output-shape": "check_layer_output_shape((8, 3))",
        "ex-mlp-unit": "check_unit_by_hand(np.tanh(0.5 * 1 - 1 * 2 + 2 * 0.5 + 0.1))",
        "ex-mlp-dense-count": "check_dense_param_count(128 * 784 + 128)",
        "ex-mlp-mlp-count": "check_mlp_param_count((784 * 128 + 128) + (128 * 64 + 64) + (64 * 10 + 10))",
        "ex-mlp-window": "check_window_weights(64 * 20 * 3)",
        "ex-mlp-recurrence": "check_recurrence_step(np.tanh(0.5 * 1 + 0 + 0.9 * 0.6 + 0.1))",
    },
    "attention": {  # these two solutions read the chapter's trained model and settings
        "att-ex-reversal": "check_reversal_position(21 - 5)",
        "att-ex-bottleneck": "check_bottleneck_numbers((64, 20 * 64))",
    },
    "lstm": {  # the chapter's solution builds a torch.nn.LSTM and counts its parameters
        "lstm-ex-count-torch": "check_param_count_torch(4 * 256 * 40 + 4 * 256 * 256 + 2 * 4 * 256)",
    },
    "frameworks": {  # the chapter's solution builds a keras.layers.LSTM and reads its kernel's shape
        "frameworks-ex-kernel": "check_keras_kernel_shape((28, 4 * 128))",
    },
    "rnn": {
        "ex-rnn-shapes": "check_rnn_shapes(((4, 7, 20), (2, 4, 20)))",
        "ex-rnn-count": "check_rnn_param_count(128 * 28 + 128 * 128 + 2 * 128)",
        "ex-rnn-long": "check_params_for_long_sequences(128 * 28 + 128 * 128 + 2 * 128)",
        "ex-rnn-boxes": "check_unrolled_counts((5 * 3, 3))",
        "ex-rnn-bidirectional": "check_bidirectional((2 * 16, 2 * 16, 2 * 416 + 2 * 800))",
        "ex-rnn-matrix": "check_activation_matrix((50, 32))",
    },
}
