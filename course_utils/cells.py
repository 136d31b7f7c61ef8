"""NumPy reference cells (simple RNN, GRU, LSTM) for notebook 02 (``02_gru_hidden_state``).

Each cell holds its weights as NumPy arrays named with the symbols of its equations
(d2l style: ``W_xz``, ``W_hz``, ``b_z`` ...), advances one time step with
``step(x_t, state)`` and runs a whole sequence with ``run(xs, h0=None)``.  Loaders copy
weights from and to the framework layers, so that the same numbers live in three places:

    cell = cu.cells.GRUCell.from_keras(keras_gru)     # or GRUCell.from_torch(torch_gru)
    cell.to_torch(torch_gru)                            # the same weights in PyTorch
    hs = cell.run(xs)                                   # (B, T, H), every hidden state

Conventions, the same for every cell:

- **Batch first.** ``step`` takes ``x_t`` of shape (B, D) and a state ``h`` of shape
  (B, H); ``run`` takes ``xs`` of shape (B, T, D) and returns every hidden state, shape
  (B, T, H), like ``keras.layers.GRU(return_sequences=True)`` and
  ``torch.nn.GRU(batch_first=True)``.  B = batch, T = time steps, D = input size,
  H = hidden size.
- **Row vectors.** ``X @ W_xz`` with ``W_xz`` of shape (D, H), as Keras stores its
  kernel; PyTorch stores the transpose (H, D) and the loaders transpose it.
- **GRU update gate keeps the old state:** ``h = (1 - z) * h_tilde + z * h_prev``, as in
  PyTorch, Keras and cuDNN (some texts swap ``z`` and ``1 - z``; same model, other sign).
- **float32**, like the frameworks.

PyTorch orders the GRU gates r, z, n and Keras z, r, h; the only code that knows the
frameworks' gate orders is ``GATE_ORDER`` with ``_split``/``_join`` below.
"""

from __future__ import annotations

import numpy as np

DTYPE = np.float32


# ----------------------------------------------------------------------------- activations
def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), written with tanh so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def tanh(x):
    return np.tanh(x)


def relu(x):
    return np.maximum(x, 0)


ACTIVATIONS = {"tanh": tanh, "relu": relu}

# ------------------------------------------------------------------- framework gate orders
# The one place that knows how each framework lays out its stacked gate weights.
# PyTorch calls the GRU candidate "n" and the LSTM candidate "g"; we call them h and c.
GATE_ORDER = {
    "keras": {"RNN": ("h",), "GRU": ("z", "r", "h"), "LSTM": ("i", "f", "c", "o")},
    "torch": {"RNN": ("h",), "GRU": ("r", "z", "h"), "LSTM": ("i", "f", "c", "o")},
}
KERAS_CLASS = {"RNN": "SimpleRNN", "GRU": "GRU", "LSTM": "LSTM"}
TORCH_CLASS = {"RNN": "RNN", "GRU": "GRU", "LSTM": "LSTM"}


def _split(stacked, framework, kind, axis):
    """Framework's stacked gate blocks -> {gate: block}."""
    gates = GATE_ORDER[framework][kind]
    return dict(zip(gates, np.split(np.asarray(stacked, dtype=DTYPE), len(gates), axis=axis)))


def _join(blocks, framework, kind, axis):
    """{gate: block} -> framework's stacked layout."""
    return np.concatenate([blocks[g] for g in GATE_ORDER[framework][kind]], axis=axis)


# ------------------------------------------------------------------------ input checks
def _float_array(a, name, ndim, shape_text, fix):
    a = np.asarray(a)
    if not np.issubdtype(a.dtype, np.floating):
        raise ValueError(f"{name} has dtype {a.dtype}, but the cells compute in float32: "
                         f"pass {name}.astype(np.float32).")
    if a.ndim != ndim:
        raise ValueError(f"{name} must have shape {shape_text}, got shape {a.shape}. {fix}")
    return a.astype(DTYPE, copy=False)


# ------------------------------------------------------------------------------ base cell
class _Cell:
    """Shared machinery: weights by symbol, shape checks, ``run``/``trace``, loaders."""

    KIND = ""      # "RNN", "GRU" or "LSTM": the key into GATE_ORDER
    GATES = ()     # this cell's gate names; gate g has weights W_xg (D, H), W_hg (H, H), b_g (H,)

    def __init__(self, params: dict):
        names = self.param_names()
        missing, extra = set(names) - set(params), set(params) - set(names)
        if missing or extra:
            raise ValueError(f"{type(self).__name__} needs exactly the weights {names}; "
                             f"missing {sorted(missing)}, unexpected {sorted(extra)}.")
        first = np.asarray(params[f"W_x{self.GATES[0]}"])
        if first.ndim != 2:
            raise ValueError(f"W_x{self.GATES[0]} must be 2-D (input_size D, hidden_size H), "
                             f"got shape {first.shape}.")
        D, H = first.shape
        for name in names:
            want = {"W_x": (D, H), "W_h": (H, H), "b_": (H,)}[name[:3] if name[0] == "W" else "b_"]
            arr = np.asarray(params[name], dtype=DTYPE)
            if arr.shape != want:
                raise ValueError(f"{name} must have shape {want} (D={D}, H={H}), got {arr.shape}.")
            setattr(self, name, arr.copy())
        self.input_size, self.hidden_size = D, H

    @classmethod
    def _names(cls, **options) -> list[str]:
        return [f"{p}{g}" for g in cls.GATES for p in ("W_x", "W_h", "b_")]

    def param_names(self) -> list[str]:
        """The weights' symbols, in the order of the equations."""
        return self._names(**self._options())

    @property
    def params(self) -> dict:
        """The weights by symbol, e.g. ``{"W_xz": (D, H) array, ...}``."""
        return {name: getattr(self, name) for name in self.param_names()}

    def num_params(self) -> int:
        return sum(a.size for a in self.params.values())

    def _options(self) -> dict:
        return {}

    def __repr__(self):
        opts = "".join(f", {k}={v!r}" for k, v in self._options().items())
        return (f"{type(self).__name__}(input_size={self.input_size}, "
                f"hidden_size={self.hidden_size}{opts})")

    @classmethod
    def random(cls, input_size: int, hidden_size: int, seed: int = 0, scale=None, **options):
        """Weights drawn uniformly from [-scale, scale]; default scale 1/sqrt(H) as PyTorch."""
        for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}.")
        rng = np.random.default_rng(seed)
        scale = 1 / np.sqrt(hidden_size) if scale is None else scale
        shapes = {"W_x": (input_size, hidden_size), "W_h": (hidden_size, hidden_size),
                  "b_": (hidden_size,)}
        params = {n: rng.uniform(-scale, scale, shapes[n[:3] if n[0] == "W" else "b_"])
                  for n in cls._names(**options)}
        return cls(params, **options)

    # -- stepping ---------------------------------------------------------------------
    def _check_x(self, x_t, name="x_t"):
        x_t = _float_array(x_t, name, 2, f"(batch, input_size) = (B, {self.input_size})",
                           f"For a single example use {name}[None, :].")
        if x_t.shape[1] != self.input_size:
            raise ValueError(f"{name} has {x_t.shape[1]} features but the cell's input_size "
                             f"is {self.input_size}: build the cell with "
                             f"input_size={x_t.shape[1]} or fix the input.")
        return x_t

    def _check_h(self, h, batch, name="h"):
        h = _float_array(h, name, 2, f"(batch, hidden_size) = ({batch}, {self.hidden_size})",
                         f"For a single example use {name}[None, :].")
        if h.shape != (batch, self.hidden_size):
            raise ValueError(f"{name} must have shape (batch, hidden_size) = "
                             f"({batch}, {self.hidden_size}) to match the input, got {h.shape}.")
        return h

    def zero_state(self, batch: int):
        return np.zeros((batch, self.hidden_size), DTYPE)

    def step(self, x_t, state):
        """One time step: (B, D) input and old state -> new state."""
        return self.step_with_gates(x_t, state)[0]

    def trace(self, xs, h0=None) -> dict:
        """Run over ``xs`` (B, T, D); every state and gate over time, each (B, T, H)."""
        xs = _float_array(xs, "xs", 3, f"(batch, time, input_size) = (B, T, {self.input_size})",
                          "For one sequence use xs[None]; for one step use step().")
        if xs.shape[1] == 0:
            raise ValueError("xs has no time steps (T = 0): pass at least one step.")
        state = self._initial_state(h0, xs.shape[0])
        record = []
        for t in range(xs.shape[1]):
            state, gates = self.step_with_gates(xs[:, t], state)
            record.append(gates)
        return {k: np.stack([g[k] for g in record], axis=1) for k in record[0]}

    def _initial_state(self, h0, batch):
        return self.zero_state(batch) if h0 is None else self._check_h(h0, batch, "h0")

    def run(self, xs, h0=None):
        """Every hidden state over time, shape (B, T, H); ``h0`` (B, H) defaults to zeros."""
        return self.trace(xs, h0)["h"]

    # -- loaders: the framework layouts meet our symbols here ------------------------------
    @classmethod
    def _from_parts(cls, Wx, Wh, bx, bh, **options):
        """Per-gate input weights, recurrent weights, input biases, recurrent biases."""
        params = {}
        for g in cls.GATES:
            params.update({f"W_x{g}": Wx[g], f"W_h{g}": Wh[g], f"b_{g}": bx[g] + bh[g]})
        return cls(params, **options)

    def _to_parts(self):
        z = np.zeros(self.hidden_size, DTYPE)
        return ({g: getattr(self, f"W_x{g}") for g in self.GATES},
                {g: getattr(self, f"W_h{g}") for g in self.GATES},
                {g: getattr(self, f"b_{g}") for g in self.GATES},
                {g: z for g in self.GATES})

    @classmethod
    def _keras_options(cls, layer, config) -> dict:
        return {}

    @classmethod
    def _check_keras(cls, layer):
        want = KERAS_CLASS[cls.KIND]
        if type(layer).__name__ != want or not hasattr(layer, "get_config"):
            raise ValueError(f"{cls.__name__} loads a keras.layers.{want}, got "
                             f"{type(layer).__name__}; pick the cell class matching the layer.")
        if not layer.built or not layer.get_weights():
            raise ValueError(f"The Keras {want} has no weights yet: call it on an input first "
                             f"(or layer.build((None, T, D))).")
        config = layer.get_config()
        if config.get("go_backwards"):
            raise ValueError("The Keras layer has go_backwards=True; the cells run forwards: "
                             "use go_backwards=False, or run the cell on xs[:, ::-1].")
        if config.get("recurrent_activation", "sigmoid") != "sigmoid":
            raise ValueError(f"recurrent_activation={config['recurrent_activation']!r} is not "
                             "supported; the cells use sigmoid gates (the Keras default).")
        if cls.KIND != "RNN" and config.get("activation") != "tanh":
            raise ValueError(f"activation={config.get('activation')!r} is not supported for "
                             f"{want}; use activation='tanh' (the default).")
        return config

    @classmethod
    def from_keras(cls, layer):
        """A cell holding the weights of a built ``keras.layers.SimpleRNN/GRU/LSTM``."""
        config = cls._check_keras(layer)
        kernel, recurrent, *bias = layer.get_weights()      # (D, G*H), (H, G*H), [bias]
        H = recurrent.shape[0]
        G = len(cls.GATES)
        if bias and bias[0].ndim == 2:                        # GRU reset_after: (2, 3H)
            b_in, b_rec = bias[0][0], bias[0][1]
        else:
            b_in = bias[0] if bias else np.zeros(G * H, DTYPE)
            b_rec = np.zeros(G * H, DTYPE)
        parts = [_split(a, "keras", cls.KIND, axis=-1) for a in (kernel, recurrent, b_in, b_rec)]
        return cls._from_parts(*parts, **cls._keras_options(layer, config))

    def to_keras(self, layer):
        """Copy this cell's weights into a built Keras layer of the same kind and size."""
        config = self._check_keras(layer)
        options = self._keras_options(layer, config)
        if options != self._options():
            raise ValueError(f"The Keras layer has {options} but this cell has "
                             f"{self._options()}: build the layer with the cell's settings.")
        if not config.get("use_bias", True):
            raise ValueError("The Keras layer has use_bias=False; build it with use_bias=True.")
        old = layer.get_weights()
        Wx, Wh, bx, bh = self._to_parts()
        kernel, recurrent = _join(Wx, "keras", self.KIND, 1), _join(Wh, "keras", self.KIND, 1)
        if old[0].shape != kernel.shape or old[1].shape != recurrent.shape:
            raise ValueError(f"Size mismatch: the Keras layer's kernel is {old[0].shape}, the "
                             f"cell's is {kernel.shape} (input_size={self.input_size}, "
                             f"hidden_size={self.hidden_size}).")
        b_in, b_rec = _join(bx, "keras", self.KIND, 0), _join(bh, "keras", self.KIND, 0)
        bias = np.stack([b_in, b_rec]) if old[2].ndim == 2 else b_in
        layer.set_weights([kernel, recurrent, bias])
        return layer

    @classmethod
    def _torch_options(cls, module) -> dict:
        return {}

    @classmethod
    def _check_torch(cls, module):
        want = TORCH_CLASS[cls.KIND]
        if type(module).__name__ != want or not hasattr(module, "weight_ih_l0"):
            raise ValueError(f"{cls.__name__} loads a torch.nn.{want}, got "
                             f"{type(module).__name__}; pick the cell class matching the module.")
        if module.num_layers != 1:
            raise ValueError(f"The torch.nn.{want} has num_layers={module.num_layers}; a cell is "
                             "one layer: load a single-layer module (num_layers=1) per layer.")
        if module.bidirectional:
            raise ValueError(f"The torch.nn.{want} is bidirectional; load a one-direction module "
                             "(bidirectional=False), e.g. one per direction.")
        if getattr(module, "proj_size", 0):
            raise ValueError("LSTM projections (proj_size > 0) are not supported; use proj_size=0.")

    @classmethod
    def from_torch(cls, module):
        """A cell holding the weights of a one-layer ``torch.nn.RNN/GRU/LSTM``."""
        cls._check_torch(module)
        get = lambda name: getattr(module, name).detach().cpu().numpy()
        G, H = len(cls.GATES), module.hidden_size
        zeros = np.zeros(G * H, DTYPE)
        b_in = get("bias_ih_l0") if module.bias else zeros
        b_rec = get("bias_hh_l0") if module.bias else zeros
        Wx = _split(get("weight_ih_l0").T, "torch", cls.KIND, axis=1)   # torch: (G*H, D)
        Wh = _split(get("weight_hh_l0").T, "torch", cls.KIND, axis=1)   # torch: (G*H, H)
        bx, bh = _split(b_in, "torch", cls.KIND, 0), _split(b_rec, "torch", cls.KIND, 0)
        return cls._from_parts(Wx, Wh, bx, bh, **cls._torch_options(module))

    def to_torch(self, module):
        """Copy this cell's weights into a one-layer torch module of the same kind and size."""
        import torch

        self._check_torch(module)
        if self._torch_options(module) != self._options():
            raise ValueError(f"The torch module has {self._torch_options(module)} but this cell "
                             f"has {self._options()}: build the module with the cell's settings.")
        if (module.input_size, module.hidden_size) != (self.input_size, self.hidden_size):
            raise ValueError(f"Size mismatch: torch module (input_size={module.input_size}, "
                             f"hidden_size={module.hidden_size}), cell (input_size="
                             f"{self.input_size}, hidden_size={self.hidden_size}).")
        if not module.bias:
            raise ValueError("The torch module has bias=False; build it with bias=True.")
        Wx, Wh, bx, bh = self._to_parts()
        new = {"weight_ih_l0": _join(Wx, "torch", self.KIND, 1).T,
               "weight_hh_l0": _join(Wh, "torch", self.KIND, 1).T,
               "bias_ih_l0": _join(bx, "torch", self.KIND, 0),
               "bias_hh_l0": _join(bh, "torch", self.KIND, 0)}
        with torch.no_grad():
            for name, value in new.items():
                p = getattr(module, name)
                p.copy_(torch.as_tensor(np.ascontiguousarray(value), dtype=p.dtype))
        return module


# ------------------------------------------------------------------------------- the cells
class RNNCell(_Cell):
    r"""Simple (Elman) RNN cell, as ``keras.layers.SimpleRNN`` and ``torch.nn.RNN``.

    .. math::  H_t = \phi(X_t W_{xh} + H_{t-1} W_{hh} + b_h)

    X_t (B, D), H_t (B, H), W_xh (D, H), W_hh (H, H), b_h (H,); phi is tanh (or relu).
    PyTorch keeps two biases (b_ih + b_hh); they only ever appear summed, so b_h holds both.
    """

    KIND, GATES = "RNN", ("h",)

    def __init__(self, params: dict, activation: str = "tanh"):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}.")
        self.activation = activation
        super().__init__(params)

    def _options(self):
        return {"activation": self.activation}

    def step_with_gates(self, x_t, h):
        X = self._check_x(x_t)                                    # (B, D)
        H = self._check_h(h, X.shape[0])                          # (B, H)
        H_new = ACTIVATIONS[self.activation](X @ self.W_xh + H @ self.W_hh + self.b_h)
        return H_new, {"h": H_new}

    @classmethod
    def _keras_options(cls, layer, config):
        if config.get("activation") not in ACTIVATIONS:
            raise ValueError(f"SimpleRNN activation={config.get('activation')!r} is not "
                             f"supported; use one of {sorted(ACTIVATIONS)}.")
        return {"activation": config["activation"]}

    @classmethod
    def _torch_options(cls, module):
        return {"activation": module.nonlinearity}


class GRUCell(_Cell):
    r"""Gated recurrent unit (Cho et al., 2014), both conventions of the reset gate.

    .. math::
        Z_t &= \sigma(X_t W_{xz} + H_{t-1} W_{hz} + b_z)            \quad\text{update gate}\\
        R_t &= \sigma(X_t W_{xr} + H_{t-1} W_{hr} + b_r)            \quad\text{reset gate}\\
        \tilde H_t &= \tanh(X_t W_{xh} + (R_t \odot H_{t-1}) W_{hh} + b_h)
                                             \quad\text{reset\_after=False (d2l, Keras option)}\\
        \tilde H_t &= \tanh(X_t W_{xh} + b_h + R_t \odot (H_{t-1} W_{hh} + b_{hh}))
                        \quad\text{reset\_after=True (PyTorch, cuDNN, Keras default)}\\
        H_t &= (1 - Z_t) \odot \tilde H_t + Z_t \odot H_{t-1}

    X_t (B, D); H_t, Z_t, R_t, H~_t (B, H); W_x* (D, H); W_h* (H, H); b_* (H,).
    Z_t near 1 keeps the old state (PyTorch's and Keras' convention; some texts swap
    Z and 1 - Z).  With ``reset_after=True`` the recurrent bias b_hh of the candidate
    sits inside the reset gate, so it is a separate weight; other biases only appear
    summed (input + recurrent) and are stored as one.
    """

    KIND, GATES = "GRU", ("z", "r", "h")

    def __init__(self, params: dict, reset_after: bool = True):
        if not isinstance(reset_after, bool):
            raise ValueError(f"reset_after must be True or False, got {reset_after!r}.")
        self.reset_after = reset_after
        super().__init__(params)

    @classmethod
    def _names(cls, reset_after=True):
        return super()._names() + (["b_hh"] if reset_after else [])

    def _options(self):
        return {"reset_after": self.reset_after}

    def step_with_gates(self, x_t, h):
        """New state (B, H) and the gates {"z", "r", "h_tilde", "h"}, each (B, H)."""
        X = self._check_x(x_t)                                       # (B, D)
        H = self._check_h(h, X.shape[0])                             # (B, H)
        Z = sigmoid(X @ self.W_xz + H @ self.W_hz + self.b_z)        # (B, H)
        R = sigmoid(X @ self.W_xr + H @ self.W_hr + self.b_r)        # (B, H)
        if self.reset_after:
            H_tilde = tanh(X @ self.W_xh + self.b_h + R * (H @ self.W_hh + self.b_hh))
        else:
            H_tilde = tanh(X @ self.W_xh + (R * H) @ self.W_hh + self.b_h)
        H_new = (1 - Z) * H_tilde + Z * H                            # (B, H)
        return H_new, {"z": Z, "r": R, "h_tilde": H_tilde, "h": H_new}

    @classmethod
    def _from_parts(cls, Wx, Wh, bx, bh, reset_after=True):
        if not reset_after:        # Keras reset_after=False has one bias per gate
            return super()._from_parts(Wx, Wh, bx, bh, reset_after=False)
        params = {"b_h": bx["h"], "b_hh": bh["h"]}
        for g in cls.GATES:
            params.update({f"W_x{g}": Wx[g], f"W_h{g}": Wh[g]})
        params.update({f"b_{g}": bx[g] + bh[g] for g in ("z", "r")})
        return cls(params, reset_after=True)

    def _to_parts(self):
        Wx, Wh, bx, bh = super()._to_parts()
        if self.reset_after:
            bh = dict(bh, h=self.b_hh)
        return Wx, Wh, bx, bh

    @classmethod
    def _keras_options(cls, layer, config):
        return {"reset_after": bool(config.get("reset_after", True))}

    @classmethod
    def _torch_options(cls, module):
        return {"reset_after": True}    # PyTorch always applies the reset gate after the matmul

    def to_torch(self, module):
        if not self.reset_after:
            raise ValueError("torch.nn.GRU applies the reset gate after the recurrent matmul "
                             "(reset_after=True); this cell has reset_after=False, which PyTorch "
                             "cannot express. Use GRUCell(..., reset_after=True), or a Keras "
                             "GRU(reset_after=False).")
        return super().to_torch(module)


class LSTMCell(_Cell):
    r"""Long short-term memory cell (Hochreiter & Schmidhuber, 1997; with forget gate).

    .. math::
        I_t &= \sigma(X_t W_{xi} + H_{t-1} W_{hi} + b_i)     \quad\text{input gate}\\
        F_t &= \sigma(X_t W_{xf} + H_{t-1} W_{hf} + b_f)     \quad\text{forget gate}\\
        O_t &= \sigma(X_t W_{xo} + H_{t-1} W_{ho} + b_o)     \quad\text{output gate}\\
        \tilde C_t &= \tanh(X_t W_{xc} + H_{t-1} W_{hc} + b_c) \quad\text{candidate}\\
        C_t &= F_t \odot C_{t-1} + I_t \odot \tilde C_t\\
        H_t &= O_t \odot \tanh(C_t)

    X_t (B, D); everything else (B, H); W_x* (D, H); W_h* (H, H); b_* (H,).
    The state is the pair (H, C): ``step`` takes and returns ``(h, c)``, ``run`` returns
    ``(hs, cs)``, each (B, T, H), and ``h0`` is a pair ``(h0, c0)`` or None for zeros.
    """

    KIND, GATES = "LSTM", ("i", "f", "c", "o")

    def step(self, x_t, state):
        """One time step: (B, D) input and ``(h, c)`` -> new ``(h, c)``."""
        return self.step_with_gates(x_t, state)[0]

    def step_with_gates(self, x_t, state):
        """New ``(h, c)`` and the gates {"i", "f", "o", "c_tilde", "c", "h"}, each (B, H)."""
        X = self._check_x(x_t)                                       # (B, D)
        H, C = self._check_state(state, X.shape[0])                  # (B, H) each
        I = sigmoid(X @ self.W_xi + H @ self.W_hi + self.b_i)        # noqa: E741
        F = sigmoid(X @ self.W_xf + H @ self.W_hf + self.b_f)
        O = sigmoid(X @ self.W_xo + H @ self.W_ho + self.b_o)        # noqa: E741
        C_tilde = tanh(X @ self.W_xc + H @ self.W_hc + self.b_c)
        C_new = F * C + I * C_tilde                                  # (B, H)
        H_new = O * tanh(C_new)                                      # (B, H)
        return (H_new, C_new), {"i": I, "f": F, "o": O, "c_tilde": C_tilde,
                                "c": C_new, "h": H_new}

    def _check_state(self, state, batch, name="state"):
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise ValueError(f"The LSTM {name} is a pair (h, c), each (batch, hidden_size); got "
                             f"{type(state).__name__}. Start from cell.zero_state(batch).")
        return (self._check_h(state[0], batch, f"{name}[0] (h)"),
                self._check_h(state[1], batch, f"{name}[1] (c)"))

    def zero_state(self, batch: int):
        return (super().zero_state(batch), super().zero_state(batch))

    def _initial_state(self, h0, batch):
        return self.zero_state(batch) if h0 is None else self._check_state(h0, batch, "h0")

    def run(self, xs, h0=None):
        """``(hs, cs)``: hidden and cell states over time, each (B, T, H)."""
        record = self.trace(xs, h0)
        return record["h"], record["c"]
