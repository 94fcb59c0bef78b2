"""The book's widgets: sliders that move on the static page and live in Jupyter.

The layer (`widgets.grid`, `widgets.view`) evaluates a pure function over a slider grid when
the notebook runs and ships the results to a small SVG front end (`widget.js`), so moving a
slider on the static site only looks up what Python computed. The signature widgets are
built on `cells`:

    lstm_gates()           forget / input / output gates and candidate of one LSTM unit     (lstm.py)
    gru_gates()            reset and update gates; the setting where a GRU is a plain RNN    (gru.py)
    vanishing_gradients()  ||dL/dh_{T-k}|| against k by backpropagation through time          (gradients.py)
    unit_vs_cell()         the unrolled network: what frameworks call a cell, a unit, a layer (unrolled_network.py)
    param_counter()        parameters per framework, cell type and typed sizes, array by array (parameters.py)
    unit_explorer(...)     a trained layer's units shaded over a passage and over typed text, run in the page (units.py)
    scan_tree()            the parallel scan of h_t = a_t * h_{t-1} + b_t, step by step: work and depth (scan.py)

Each returns a widget `w`; `w.value` holds the current slider values, `w.set(name=value)`
moves sliders from Python and `w.field(key)` is what the page draws for them.
"""

from .glue import glue
from .gradients import vanishing_gradients
from .grid import Field, Number, Slider, decode_field
from .gru import gru_gates
from .lstm import lstm_gates
from .parameters import param_counter
from .scan import scan_tree
from .units import unit_explorer
from .unrolled_network import unit_vs_cell
from .view import GridWidget, bar_chart, build, diagram, heatmap, line_plot, table, tally, text

__all__ = ["lstm_gates", "gru_gates", "vanishing_gradients", "unit_vs_cell", "param_counter", "unit_explorer",
           "scan_tree",
           "Field", "Number", "Slider", "decode_field", "GridWidget", "build", "bar_chart", "diagram", "heatmap",
           "line_plot", "table", "tally", "text", "glue"]
