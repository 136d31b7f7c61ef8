"""NumPy recurrent cells: simple RNN, GRU and LSTM (notebook 02, ``02_gru_hidden_state``).

Each cell holds its weights under the symbols of its equations (``W_xz``, ``W_hz``,
``b_z`` ...), advances one time step with ``step`` and reads a whole sequence with ``run``:

    gru = GRUCell.random(input_size=5, hidden_size=2, seed=0)
    h = gru.step(x_t, h)              # (B, D), (B, H) -> (B, H)
    hs = gru.run(xs)                  # (B, T, D) -> (B, T, H): every hidden state
    gru.trace(xs)["z"]                # (B, T, H): the update gate at every step

Conventions: batch first (B = batch, T = time steps, D = input size, H = hidden size);
row vectors, ``X @ W`` with ``W`` of shape (D, H) as Keras stores it; float32 like the
frameworks.  Copying weights to and from Keras and PyTorch is ``course_utils.convert``.
"""

from __future__ import annotations

import numpy as np

from .checks import check_args

DTYPE = np.float32


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), written with tanh so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


ACTIVATIONS = {"tanh": np.tanh, "relu": lambda x: np.maximum(x, 0)}


class RNNCell:
    r"""Simple (Elman) RNN, as ``keras.layers.SimpleRNN`` and ``torch.nn.RNN``.

    .. math::  H_t = \tanh(X_t W_{xh} + H_{t-1} W_{hh} + b_h)

    X_t (B, D), H_t (B, H), W_xh (D, H), W_hh (H, H), b_h (H,).  ``activation="relu"``
    swaps tanh for max(0, .).  PyTorch keeps two biases (b_ih + b_hh); they only ever
    appear summed, so b_h holds both.
    """

    KIND = "RNN"

    def __init__(self, params: dict, activation: str = "tanh"):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}.")
        self.activation = activation
        _set_weights(self, params, ["W_xh", "W_hh", "b_h"])

    def __repr__(self):
        return _repr(self, activation=self.activation)

    def equations(self, X, H):
        """The equation on checked arrays X (B, D), H (B, H): {"h": H_t}."""
        return {"h": ACTIVATIONS[self.activation](X @ self.W_xh + H @ self.W_hh + self.b_h)}

    def step(self, x_t, h):
        """One time step: x_t (B, D) and h (B, H) -> the new state (B, H)."""
        return self.equations(*_check_step(self, x_t, h))["h"]

    def run(self, xs, h0=None):
        """Every hidden state, (B, T, H), for xs (B, T, D); h0 (B, H) defaults to zeros."""
        return trace(self, xs, h0)["h"]

    def trace(self, xs, h0=None) -> dict:
        return trace(self, xs, h0)

    @classmethod
    def random(cls, input_size, hidden_size, seed=0, scale=None, activation="tanh"):
        """Weights uniform in [-scale, scale]; scale defaults to 1/sqrt(H), as in PyTorch."""
        names = ["W_xh", "W_hh", "b_h"]
        return cls(_random_weights(names, input_size, hidden_size, seed, scale), activation)


class GRUCell:
    r"""Gated recurrent unit (Cho et al., 2014): two gates and a candidate state.

    .. math::
        Z_t &= \sigma(X_t W_{xz} + H_{t-1} W_{hz} + b_z)            \quad\text{update gate}\\
        R_t &= \sigma(X_t W_{xr} + H_{t-1} W_{hr} + b_r)            \quad\text{reset gate}\\
        \tilde H_t &= \tanh(X_t W_{xh} + b_h + R_t \odot (H_{t-1} W_{hh} + b_{hh}))
                        \quad\text{reset\_after=True (PyTorch, cuDNN, Keras default)}\\
        \tilde H_t &= \tanh(X_t W_{xh} + (R_t \odot H_{t-1}) W_{hh} + b_h)
                        \quad\text{reset\_after=False (the paper, d2l, Keras option)}\\
        H_t &= (1 - Z_t) \odot \tilde H_t + Z_t \odot H_{t-1}

    X_t (B, D); H_t, Z_t, R_t, H~_t (B, H); W_x* (D, H); W_h* (H, H); b_* (H,).
    Z_t near 1 keeps the old state, as in PyTorch and Keras (some texts swap Z and 1 - Z:
    the same model).  With ``reset_after=True`` the candidate's recurrent bias b_hh sits
    inside the reset gate, so it is a weight of its own; the other biases only appear
    summed (input + recurrent) and are stored as one.
    """

    KIND = "GRU"

    def __init__(self, params: dict, reset_after: bool = True):
        if not isinstance(reset_after, bool):
            raise ValueError(f"reset_after must be True or False, got {reset_after!r}.")
        self.reset_after = reset_after
        _set_weights(self, params, self.names(reset_after))

    def __repr__(self):
        return _repr(self, reset_after=self.reset_after)

    @staticmethod
    def names(reset_after=True) -> list[str]:
        gates = [f"{p}{g}" for g in "zrh" for p in ("W_x", "W_h", "b_")]
        return gates + (["b_hh"] if reset_after else [])

    def equations(self, X, H):
        """The equations on checked arrays X (B, D), H (B, H): every quantity, each (B, H)."""
        Z = sigmoid(X @ self.W_xz + H @ self.W_hz + self.b_z)                # update gate
        R = sigmoid(X @ self.W_xr + H @ self.W_hr + self.b_r)                # reset gate
        if self.reset_after:
            H_tilde = np.tanh(X @ self.W_xh + self.b_h + R * (H @ self.W_hh + self.b_hh))
        else:
            H_tilde = np.tanh(X @ self.W_xh + (R * H) @ self.W_hh + self.b_h)
        H_new = (1 - Z) * H_tilde + Z * H
        return {"z": Z, "r": R, "h_tilde": H_tilde, "h": H_new}

    def step(self, x_t, h):
        """One time step: x_t (B, D) and h (B, H) -> the new state (B, H)."""
        return self.equations(*_check_step(self, x_t, h))["h"]

    def run(self, xs, h0=None):
        """Every hidden state, (B, T, H), for xs (B, T, D); h0 (B, H) defaults to zeros."""
        return trace(self, xs, h0)["h"]

    def trace(self, xs, h0=None) -> dict:
        """Every gate and state over time: {"z", "r", "h_tilde", "h"}, each (B, T, H)."""
        return trace(self, xs, h0)

    @classmethod
    def random(cls, input_size, hidden_size, seed=0, scale=None, reset_after=True):
        """Weights uniform in [-scale, scale]; scale defaults to 1/sqrt(H), as in PyTorch."""
        names = cls.names(reset_after)
        return cls(_random_weights(names, input_size, hidden_size, seed, scale), reset_after)


class LSTMCell:
    r"""Long short-term memory (Hochreiter & Schmidhuber, 1997, with a forget gate).

    .. math::
        I_t &= \sigma(X_t W_{xi} + H_{t-1} W_{hi} + b_i)       \quad\text{input gate}\\
        F_t &= \sigma(X_t W_{xf} + H_{t-1} W_{hf} + b_f)       \quad\text{forget gate}\\
        O_t &= \sigma(X_t W_{xo} + H_{t-1} W_{ho} + b_o)       \quad\text{output gate}\\
        \tilde C_t &= \tanh(X_t W_{xc} + H_{t-1} W_{hc} + b_c)  \quad\text{candidate}\\
        C_t &= F_t \odot C_{t-1} + I_t \odot \tilde C_t        \quad\text{cell state}\\
        H_t &= O_t \odot \tanh(C_t)

    X_t (B, D); everything else (B, H); W_x* (D, H); W_h* (H, H); b_* (H,).
    The state is the pair (H, C): ``step`` takes and returns ``(h, c)``, ``run`` returns
    ``(hs, cs)``, each (B, T, H), and ``h0`` is a pair ``(h0, c0)`` or None for zeros.
    """

    KIND = "LSTM"

    def __init__(self, params: dict):
        _set_weights(self, params, self.names())

    def __repr__(self):
        return _repr(self)

    @staticmethod
    def names() -> list[str]:
        return [f"{p}{g}" for g in "ifco" for p in ("W_x", "W_h", "b_")]

    def equations(self, X, state):
        """The equations on checked arrays X (B, D), state (H, C): every quantity, (B, H)."""
        H, C = state
        I = sigmoid(X @ self.W_xi + H @ self.W_hi + self.b_i)          # noqa: E741
        F = sigmoid(X @ self.W_xf + H @ self.W_hf + self.b_f)
        O = sigmoid(X @ self.W_xo + H @ self.W_ho + self.b_o)          # noqa: E741
        C_tilde = np.tanh(X @ self.W_xc + H @ self.W_hc + self.b_c)
        C_new = F * C + I * C_tilde
        H_new = O * np.tanh(C_new)
        return {"i": I, "f": F, "o": O, "c_tilde": C_tilde, "c": C_new, "h": H_new}

    def step(self, x_t, state):
        """One time step: x_t (B, D) and (h, c), each (B, H) -> the new (h, c)."""
        out = self.equations(*_check_step(self, x_t, state))
        return out["h"], out["c"]

    def run(self, xs, h0=None):
        """``(hs, cs)``: hidden and cell states over time, each (B, T, H)."""
        out = trace(self, xs, h0)
        return out["h"], out["c"]

    def trace(self, xs, h0=None) -> dict:
        """Every gate and state over time: {"i", "f", "o", "c_tilde", "c", "h"}, (B, T, H)."""
        return trace(self, xs, h0)

    @classmethod
    def random(cls, input_size, hidden_size, seed=0, scale=None):
        """Weights uniform in [-scale, scale]; scale defaults to 1/sqrt(H), as in PyTorch."""
        return cls(_random_weights(cls.names(), input_size, hidden_size, seed, scale))


CELLS = {"RNN": RNNCell, "GRU": GRUCell, "LSTM": LSTMCell}


# --------------------------------------------------- what every cell shares (bookkeeping)
def trace(cell, xs, h0=None) -> dict:
    """Run ``cell`` over xs (B, T, D) from h0 (zeros if None): every quantity, (B, T, H)."""
    xs = _check_x(cell, xs, "xs", 3, f"(batch, time, input_size) = (B, T, {cell.input_size})",
                  "For one sequence use xs[None]; for one time step use step().")
    if xs.shape[1] == 0:
        raise ValueError("xs has no time steps (T = 0): pass at least one step.")
    state = zero_state(cell, xs.shape[0]) if h0 is None else _check_state(cell, h0, len(xs), "h0")
    steps = []
    for t in range(xs.shape[1]):
        out = cell.equations(xs[:, t], state)                     # every quantity, (B, H)
        state = (out["h"], out["c"]) if cell.KIND == "LSTM" else out["h"]
        steps.append(out)
    return {k: np.stack([s[k] for s in steps], axis=1) for k in steps[0]}


def zero_state(cell, batch: int):
    """Zeros of shape (batch, H), or the pair (h, c) for an LSTM."""
    h = np.zeros((batch, cell.hidden_size), DTYPE)
    return (h, h.copy()) if cell.KIND == "LSTM" else h


def _repr(cell, **options) -> str:
    opts = "".join(f", {k}={v!r}" for k, v in options.items())
    return f"{type(cell).__name__}(input_size={cell.input_size}, hidden_size={cell.hidden_size}{opts})"


def _set_weights(cell, params: dict, names: list[str]) -> None:
    """Check the weights' names and shapes; store them as ``cell.params`` and attributes."""
    missing, extra = set(names) - set(params), set(params) - set(names)
    if missing or extra:
        raise ValueError(f"{type(cell).__name__} needs exactly the weights {names}; "
                         f"missing {sorted(missing)}, unexpected {sorted(extra)}.")
    first = np.asarray(params[names[0]])
    if first.ndim != 2:
        raise ValueError(f"{names[0]} must be 2-D (input_size D, hidden_size H), "
                         f"got shape {first.shape}.")
    D, H = first.shape
    cell.input_size, cell.hidden_size, cell.params = D, H, {}
    for name in names:
        want = {"W_x": (D, H), "W_h": (H, H)}.get(name[:3], (H,))
        value = np.asarray(params[name])
        value = value.astype(DTYPE) if value.dtype.kind in "iu" else value       # int weights are fine
        value = _float_array(value, name, str(want), len(want), f"(D={D}, H={H})").copy()
        if value.shape != want:
            raise ValueError(f"{name} must have shape {want} (D={D}, H={H}), got {value.shape}.")
        cell.params[name] = value
        setattr(cell, name, value)              # the same array: cell.b_z is cell.params["b_z"]


def _random_weights(names, input_size, hidden_size, seed, scale) -> dict:
    check_args("random", input_size=(input_size, "a positive int"),
               hidden_size=(hidden_size, "a positive int"))
    rng = np.random.default_rng(seed)
    scale = 1 / np.sqrt(hidden_size) if scale is None else scale
    shape = {"W_x": (input_size, hidden_size), "W_h": (hidden_size, hidden_size)}
    return {n: rng.uniform(-scale, scale, shape.get(n[:3], (hidden_size,))) for n in names}


def _float_array(a, name, shape_text, ndim, fix):
    """``a`` as float32 with ``ndim`` axes and no NaN or inf; else a ValueError saying why."""
    try:
        array = np.asarray(a)
    except ValueError:                                                   # ragged nested lists
        array = np.empty(0, dtype=object)
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{name} " + (
            "is None: start a state from cells.zero_state(cell, batch)" if a is None else
            "is ragged: pad the sequences to one length" if array.dtype == object else
            f"has dtype {array.dtype}, but the cells compute in float32: pass {name}.astype(np.float32)")
            + f"; it should be {shape_text}.")
    a = array
    if a.ndim != ndim:
        raise ValueError(f"{name} must have shape {shape_text}, got shape {a.shape}. {fix}")
    if not np.isfinite(a).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {where}); "
                         "clean or mask it before the cell.")
    return a.astype(DTYPE, copy=False)


def _check_x(cell, x, name, ndim, shape_text, fix):
    x = _float_array(x, name, shape_text, ndim, fix)
    if x.shape[-1] != cell.input_size:
        raise ValueError(f"{name} has {x.shape[-1]} features but the cell's input_size is "
                         f"{cell.input_size}: build the cell with input_size={x.shape[-1]} "
                         "or fix the input.")
    return x


def _check_h(cell, h, batch, name):
    want = f"(batch, hidden_size) = ({batch}, {cell.hidden_size})"
    h = _float_array(h, name, want, 2, f"For a single example use {name.split()[0]}[None, :].")
    if h.shape != (batch, cell.hidden_size):
        raise ValueError(f"{name} must have shape {want} to match the input, got {h.shape}.")
    return h


def _check_state(cell, state, batch, name):
    if cell.KIND != "LSTM":
        return _check_h(cell, state, batch, name)
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise ValueError(f"The LSTM {name} is a pair (h, c), each (batch, hidden_size); got "
                         f"{type(state).__name__}. Start from cells.zero_state(cell, batch).")
    return tuple(_check_h(cell, s, batch, f"{name}[{i}] ({'hc'[i]})") for i, s in enumerate(state))


def _check_step(cell, x_t, state):
    """Checked x_t (B, D) and state for ``step``: shapes, dtype, NaN, matching batch."""
    if np.ndim(x_t) == 3:
        raise ValueError(f"x_t is one time step, shape (batch, input_size), but got shape "
                         f"{np.shape(x_t)}, a batch of whole sequences: use run() for those.")
    X = _check_x(cell, x_t, "x_t", 2, f"(batch, input_size) = (B, {cell.input_size})",
                 "For a single example use x_t[None, :].")
    return X, _check_state(cell, state, len(X), "h" if cell.KIND != "LSTM" else "state")
