"""Sliders, grid evaluation and the compact encoding the browser reads.

A widget is a pure Python function evaluated at every point of its slider grid when the
notebook runs. Each result ("field") is stored once per *distinct* value: a lookup table maps
a grid point to a row, and the rows hold the numbers (float32, or uint16 quantised between
`lo` and `hi`) or, for text and drawings, JSON values. The browser only indexes into these
tables, so a slider on the static page shows exactly what Python computed.

Decoding, as the front end (`widget.js`) does it, for the current slider indices `idx`:

    flat = sum(idx[d] * stride[d] for d in field.deps)       C order over field.deps
    row  = lut[flat]
    f32, f64: values = rows[row * size : (row + 1) * size]
    u16:  q = rows[...]; values = NaN where q == U16_MISSING else lo + q * (hi - lo) / U16_STEPS
    log:  values = 10 ** values                              (the stored numbers are log10 |v|)

The constants are defined here only: `CODEC` ships them in every widget's state, and the front
end reads them from there. `decode_rows` is the one decoder on the Python side.
"""

import base64
import collections
import functools
import itertools
import json
import math
import numbers

import numpy as np

U16_MISSING = 65535  # the u16 code of NaN
U16_STEPS = 65534  # codes 0..U16_STEPS run from lo to hi
CODEC = {"u16Missing": U16_MISSING, "u16Steps": U16_STEPS}  # shipped to the front end
ENCODINGS = ("f32", "f64", "u16", "json")


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


class Slider:
    """One control: a name, the grid of values it can take, a label and a display format.

    `values` are numbers (a numeric slider: a setting between two grid points snaps to the
    nearer one) or strings (a choice; two to four of them are drawn as option buttons). `fmt` is a
    format spec for numbers, e.g. ".2f". `disabled_when` names a JSON field that holds, at every
    setting of the other sliders, why this control has no effect there ("" where it has one): the
    page then disables the control and shows the reason. `buttons=True` draws a choice among more than
    four strings as option buttons too (the unit explorer's six LSTM quantities).
    """

    def __init__(self, name, values, label=None, fmt=".3g", default=None, disabled_when=None, buttons=False):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"slider name must be an identifier string; got {name!r}")
        values = list(values)
        if not values:
            raise ValueError(f"slider {name!r} needs at least one value; got an empty list")
        self.numeric = all(_is_real(v) for v in values)
        if not self.numeric and not all(isinstance(v, str) for v in values):
            raise ValueError(f"slider {name!r} values must be all numbers or all strings; got {values!r}")
        if self.numeric:
            values = [float(v) if not isinstance(v, numbers.Integral) else int(v) for v in values]
            if not all(math.isfinite(v) for v in values):
                raise ValueError(f"slider {name!r} values must be finite; got {values!r}")
            if any(b <= a for a, b in zip(values, values[1:])):
                raise ValueError(f"slider {name!r} values must increase; got {values!r}")
        elif len(set(values)) != len(values):
            raise ValueError(f"slider {name!r} values must be distinct; got {values!r}")
        self.name, self.values, self.fmt = name, values, fmt
        self.label = label if label is not None else name
        self.default_index = 0 if default is None else self.index_of(default)
        if disabled_when is not None and not isinstance(disabled_when, str):
            raise ValueError(f"slider {name!r}: disabled_when must be the key of a JSON field; got {disabled_when!r}")
        self.disabled_when = disabled_when
        if buttons and self.numeric:
            raise ValueError(f"slider {name!r}: buttons=True needs string values; got {values!r}")
        self.buttons = bool(buttons)

    def display(self, value):
        return format(value, self.fmt) if self.numeric else str(value)

    def index_of(self, value):
        """The grid index for a setting; ValueError naming the expected range if it is off the grid."""
        if self.numeric:
            lo, hi = self.values[0], self.values[-1]
            if not _is_real(value) or not math.isfinite(value) or not lo - 1e-9 <= value <= hi + 1e-9:
                raise ValueError(f"{self.name} must be a number between {lo:g} and {hi:g}; got {value!r}")
            return int(np.argmin([abs(v - value) for v in self.values]))
        if not isinstance(value, str) or value not in self.values:
            choices = ", ".join(repr(v) for v in self.values)
            raise ValueError(f"{self.name} must be one of {choices}; got {value!r}")
        return self.values.index(value)

    def spec(self):
        # the starting position is the widget's `index`, so the default is not repeated here
        spec = {"name": self.name, "label": self.label,
                "values": self.values if self.numeric else list(self.values),
                "display": [self.display(v) for v in self.values]}
        if self.disabled_when:
            spec["disabledWhen"] = self.disabled_when
        if self.buttons:
            spec["buttons"] = True
        return spec


class Number:
    """A typed whole number: a text field with the phone's numeric keyboard, outside the grid.

    The grid holds what the choices decide; a Number feeds only `tally` panels, which the page
    evaluates for the typed value (and, live in Jupyter, the kernel does). `minimum` is 0 where 0
    means "none" (proj_size, a head). `disabled_when` is as for a Slider; while disabled the field's
    value is ignored and `off` is used instead.
    """

    def __init__(self, name, label, default, minimum=1, maximum=100_000, disabled_when=None, off=0):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"number name must be an identifier string; got {name!r}")
        if not (isinstance(minimum, int) and isinstance(maximum, int) and 0 <= minimum < maximum <= 2 ** 31):
            raise ValueError(f"number {name!r} needs whole bounds 0 <= minimum < maximum; got {minimum!r}, {maximum!r}")
        self.name, self.label, self.minimum, self.maximum = name, label, minimum, maximum
        self.disabled_when, self.off = disabled_when, off
        self.default = self.check(default)

    def check(self, value):
        """`value` as an int, or a ValueError that names the range."""
        if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)) \
                or not self.minimum <= value <= self.maximum:
            raise ValueError(f"{self.name} must be a whole number from {self.minimum} to {self.maximum:,}; "
                             f"got {value!r}")
        return int(value)

    def spec(self):
        spec = {"name": self.name, "label": self.label, "min": self.minimum, "max": self.maximum, "off": self.off}
        if self.disabled_when:
            spec["disabledWhen"] = self.disabled_when
        return spec


class Field:
    """A pure function of some sliders, evaluated over their grid.

    `fn(**{name: value for name in deps})` returns an array of a fixed `shape` (numbers) or,
    with enc="json", any JSON value (text, a list of drawing primitives). `log=True` stores
    log10|v| (so zeros become -inf and come back as exactly 0).
    """

    def __init__(self, key, fn, deps, enc="f32", log=False, vectorized=False):
        if vectorized and enc == "json":
            raise ValueError("vectorized fields must be numeric; got enc='json'")
        if enc not in ENCODINGS:
            raise ValueError(f"enc must be one of {ENCODINGS}; got {enc!r}")
        if log and enc not in ("f32", "f64"):
            raise ValueError(f"log=True needs enc='f32' or 'f64'; got enc={enc!r}")
        self.key, self.fn, self.deps, self.enc, self.log = key, fn, list(deps), enc, log
        self.vectorized = vectorized


def _vectorized_results(field, grids):
    """Call a vectorized fn once with every grid point: each dep gets an array over the grid
    (C order over deps); fn returns an array of shape (grid size, *shape)."""
    mesh = np.meshgrid(*[np.asarray(g) for g in grids], indexing="ij")
    count = int(np.prod([len(g) for g in grids], dtype=int))
    result = np.asarray(field.fn(**{d: m.reshape(-1) for d, m in zip(field.deps, mesh)}), dtype=np.float64)
    if result.ndim == 0 or result.shape[0] != count:
        raise ValueError(f"vectorized field {field.key!r} must return one row per grid point "
                         f"({count}); got shape {result.shape}")
    return result


def _value_key(value):
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_value_key(v) for v in value)
    return value


def memoized(fn, maxsize=64):
    """`fn` remembering its last `maxsize` results, keyed by the arguments' values (arrays by content).

    The one caching style of the widgets: the fields of a widget are evaluated one after another
    over the same grid, and several of them read one expensive run (one backpropagation over the
    whole grid, one GRU run); the first field computes it, the others find it here. Results are
    shared, so callers must not modify them.
    """
    memo = collections.OrderedDict()

    @functools.wraps(fn)
    def remembered(*args, **kwargs):
        key = (tuple(_value_key(a) for a in args), tuple(sorted((k, _value_key(v)) for k, v in kwargs.items())))
        if key in memo:
            memo.move_to_end(key)
            return memo[key]
        result = memo[key] = fn(*args, **kwargs)
        if len(memo) > maxsize:
            memo.popitem(last=False)
        return result

    return remembered


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


@memoized
def unb64(text, dtype):
    """The array stored in a base64 string (read-only; remembered, since decoders read it often)."""
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def _lut_dtype(count):
    return np.uint16 if count < 65536 else np.uint32


def evaluate_field(field, sliders):
    """Evaluate `field` at every grid point of its deps and encode it (see the module docstring)."""
    by_name = {s.name: s for s in sliders}
    for dep in field.deps:
        if dep not in by_name:
            raise ValueError(f"field {field.key!r} depends on {dep!r}, which is not a slider; "
                             f"sliders are {sorted(by_name)}")
    grids = [by_name[d].values for d in field.deps]
    rows, lut, seen = [], [], {}
    shape = None
    batch = _vectorized_results(field, grids) if field.vectorized else None
    for n, combo in enumerate(itertools.product(*grids)):
        value = batch[n] if field.vectorized else field.fn(**dict(zip(field.deps, combo)))
        if field.enc == "json":
            key = json.dumps(value, sort_keys=True, allow_nan=False)
            item = value
        else:
            array = np.asarray(value, dtype=np.float64)
            if shape is None:
                shape = array.shape
            elif array.shape != shape:
                raise ValueError(f"field {field.key!r} must return one shape everywhere; "
                                 f"expected {shape}, got {array.shape} at {dict(zip(field.deps, combo))}")
            if field.log:
                with np.errstate(divide="ignore"):
                    array = np.log10(np.abs(array))
            item = array
            key = np.asarray(array, dtype=np.float32).tobytes() if field.enc == "f32" else array.tobytes()
        if key not in seen:
            seen[key] = len(rows)
            rows.append(item)
        lut.append(seen[key])
    encoded = {"deps": field.deps, "enc": field.enc, "log": field.log, "count": len(rows),
               "lut": b64(np.asarray(lut, dtype=_lut_dtype(len(rows)))),
               "lutType": "u16" if len(rows) < 65536 else "u32"}
    if field.enc == "json":
        encoded["rows"] = rows
        return encoded
    data = np.stack(rows)
    encoded["shape"] = list(shape)
    if field.enc == "f32":
        big = np.abs(data[np.isfinite(data)])
        if np.all(data == np.round(data)) and big.size and big.max() > 2 ** 24:
            raise ValueError(f"field {field.key!r} holds integers above 2**24 that float32 cannot store exactly")
        encoded["rows"] = b64(data.astype("<f4"))
        return encoded
    if field.enc == "f64":
        encoded["rows"] = b64(data.astype("<f8"))
        return encoded
    finite = data[np.isfinite(data)]
    if np.isinf(data).any():
        raise ValueError(f"field {field.key!r}: u16 cannot store infinities; use enc='f32'")
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 1.0
    if hi == lo:
        hi = lo + 1.0
    q = np.full(data.shape, U16_MISSING, dtype="<u2")
    ok = np.isfinite(data)
    q[ok] = np.round((data[ok] - lo) / (hi - lo) * U16_STEPS).astype("<u2")
    encoded.update(rows=b64(q), lo=lo, hi=hi)
    return encoded


def decode_rows(encoded):
    """Every stored row of a field: an array (count, *shape) of numbers, or the list of JSON values.

    The one decoder in Python (widget.js mirrors it): u16 codes back to numbers, log10 back to v.
    """
    if encoded["enc"] == "json":
        return encoded["rows"]
    return _decoded_rows(encoded["rows"], encoded["enc"], encoded.get("lo"), encoded.get("hi"), encoded["log"],
                         tuple(encoded["shape"]))


@memoized
def _decoded_rows(rows, enc, lo, hi, log, shape):
    if enc in ("f32", "f64"):
        values = unb64(rows, "<f4" if enc == "f32" else "<f8").astype(np.float64)
    else:
        q = unb64(rows, "<u2")
        values = lo + q.astype(np.float64) * (hi - lo) / U16_STEPS
        values[q == U16_MISSING] = np.nan
    if log:
        values = 10.0 ** values
    values = values.reshape((-1,) + shape)
    values.flags.writeable = False  # shared by every caller
    return values


def flat_index(encoded, sliders_spec, index):
    """The grid position of slider indices `index` among the field's deps (C order), as widget.js computes it."""
    names = [s["name"] for s in sliders_spec]
    sizes = {s["name"]: len(s["values"]) for s in sliders_spec}
    flat = 0
    for dep in encoded["deps"]:
        flat = flat * sizes[dep] + index[names.index(dep)]
    return flat


def decode_field(encoded, sliders_spec, index):
    """The value the front end draws for field `encoded` at slider indices `index` (a list).

    `sliders_spec` is the list of slider specs in the widget state. Mirrors widget.js.
    """
    lut = unb64(encoded["lut"], np.uint16 if encoded["lutType"] == "u16" else np.uint32)
    row = decode_rows(encoded)[int(lut[flat_index(encoded, sliders_spec, index)])]
    return row if encoded["enc"] == "json" else np.array(row)
