"""The book's widgets: sliders that move on the static page and live in Jupyter.

The layer (`widgets.grid`, `widgets.view`) evaluates a pure function over a slider grid and
ships the results to a small SVG front end. The signature widgets are built on `cells`.
"""

from .grid import Field, Slider, decode_field
from .view import GridWidget, build, diagram, heatmap, line_plot, table, text

__all__ = ["Field", "Slider", "decode_field", "GridWidget", "build", "diagram", "heatmap",
           "line_plot", "table", "text"]
