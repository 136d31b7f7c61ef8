"""Weights between the NumPy cells and Keras / PyTorch layers (notebook 02).

The same numbers live in three places; only their layout differs:

    cell = convert.from_keras(keras_gru)        # a GRUCell holding the layer's weights
    convert.to_torch(cell, torch_gru)           # the same weights in torch.nn.GRU
    convert.to_keras(cell, keras_gru)           # ... and back into Keras

What the frameworks do differently, and the one place in the course that knows it:

- **Stacking.** Both stack the gates' weights side by side: Keras ``kernel`` (D, G*H),
  ``recurrent_kernel`` (H, G*H); PyTorch stores the transposes, ``weight_ih_l0`` (G*H, D)
  and ``weight_hh_l0`` (G*H, H).
- **Gate order** (``GATE_ORDER``): the GRU is z, r, h in Keras and r, z, n in PyTorch
  (PyTorch calls the GRU candidate n and the LSTM candidate g; we call them h and c).
- **Biases.** PyTorch keeps an input and a recurrent bias per gate; Keras one, except the
  ``reset_after=True`` GRU whose bias is (2, 3H).  Two biases that are only added are
  one weight (the cells store the sum); the candidate's recurrent bias of a reset-after
  GRU sits inside the reset gate and stays separate (``b_hh``).
- **reset_after=False** (Keras option) has no PyTorch equivalent: ``to_torch`` refuses it.
"""

from __future__ import annotations

import numpy as np

from .cells import CELLS, DTYPE, GRUCell

GATE_ORDER = {
    "keras": {"RNN": ("h",), "GRU": ("z", "r", "h"), "LSTM": ("i", "f", "c", "o")},
    "torch": {"RNN": ("h",), "GRU": ("r", "z", "h"), "LSTM": ("i", "f", "c", "o")},
}
KERAS_CLASS = {"RNN": "SimpleRNN", "GRU": "GRU", "LSTM": "LSTM"}
TORCH_CLASS = {"RNN": "RNN", "GRU": "GRU", "LSTM": "LSTM"}


def _split(stacked, framework, kind, axis):
    """The framework's stacked gate blocks -> {gate: block}."""
    gates = GATE_ORDER[framework][kind]
    return dict(zip(gates, np.split(np.asarray(stacked, dtype=DTYPE), len(gates), axis=axis)))


def _join(blocks, framework, kind, axis):
    """{gate: block} -> the framework's stacked layout."""
    return np.concatenate([blocks[g] for g in GATE_ORDER[framework][kind]], axis=axis)


def _cell_from_parts(kind, Wx, Wh, bx, bh, options):
    """Per-gate input weights, recurrent weights, input biases, recurrent biases -> a cell."""
    params = {}
    for g in GATE_ORDER["keras"][kind]:
        params.update({f"W_x{g}": Wx[g], f"W_h{g}": Wh[g], f"b_{g}": bx[g] + bh[g]})
    if kind == "GRU" and options["reset_after"]:           # b_hh stays apart from b_h
        params.update(b_h=bx["h"], b_hh=bh["h"])
    return CELLS[kind](params, **options)


def _parts(cell):
    """The inverse of ``_cell_from_parts``: recurrent biases are zero except b_hh."""
    gates = GATE_ORDER["keras"][cell.KIND]
    Wx = {g: cell.params[f"W_x{g}"] for g in gates}
    Wh = {g: cell.params[f"W_h{g}"] for g in gates}
    bx = {g: cell.params[f"b_{g}"] for g in gates}
    bh = {g: np.zeros(cell.hidden_size, DTYPE) for g in gates}
    if "b_hh" in cell.params:
        bh["h"] = cell.params["b_hh"]
    return Wx, Wh, bx, bh


def _options(cell) -> dict:
    return {"RNN": {"activation": getattr(cell, "activation", None)},
            "GRU": {"reset_after": getattr(cell, "reset_after", None)}, "LSTM": {}}[cell.KIND]


# ------------------------------------------------------------------------------- Keras
def _keras_kind(layer, want=None):
    kind = {v: k for k, v in KERAS_CLASS.items()}.get(type(layer).__name__)
    if kind is None or not hasattr(layer, "get_config"):
        raise ValueError(f"Expected a keras.layers.SimpleRNN, GRU or LSTM, got "
                         f"{type(layer).__name__}.")
    if want is not None and kind != want:
        raise ValueError(f"A {CELLS[want].__name__} loads a keras.layers.{KERAS_CLASS[want]}, "
                         f"got {type(layer).__name__}; pick the layer matching the cell.")
    if not layer.built or not layer.get_weights():
        raise ValueError(f"The Keras {KERAS_CLASS[kind]} has no weights yet: call it on an input "
                         f"first (or layer.build((None, T, D))).")
    config = layer.get_config()
    if config.get("go_backwards"):
        raise ValueError("The Keras layer has go_backwards=True; the cells run forwards: "
                         "use go_backwards=False, or run the cell on xs[:, ::-1].")
    if config.get("recurrent_activation", "sigmoid") != "sigmoid":
        raise ValueError(f"recurrent_activation={config['recurrent_activation']!r} is not "
                         "supported; the cells use sigmoid gates (the Keras default).")
    activation = config.get("activation")
    if kind != "RNN" and activation != "tanh":
        raise ValueError(f"activation={activation!r} is not supported for {KERAS_CLASS[kind]}; "
                         "use activation='tanh' (the default).")
    if kind == "RNN" and activation not in ("tanh", "relu"):
        raise ValueError(f"SimpleRNN activation={activation!r} is not supported; "
                         "use one of ['relu', 'tanh'].")
    options = {"RNN": {"activation": activation},
               "GRU": {"reset_after": bool(config.get("reset_after", True))}, "LSTM": {}}[kind]
    return kind, options, config


def from_keras(layer):
    """A cell holding the weights of a built ``keras.layers.SimpleRNN``, ``GRU`` or ``LSTM``."""
    kind, options, _ = _keras_kind(layer)
    kernel, recurrent, *bias = layer.get_weights()          # (D, G*H), (H, G*H), [bias]
    G, H = len(GATE_ORDER["keras"][kind]), recurrent.shape[0]
    if bias and bias[0].ndim == 2:                           # GRU reset_after: (2, 3H)
        b_in, b_rec = bias[0]
    else:
        b_in, b_rec = (bias[0] if bias else np.zeros(G * H, DTYPE)), np.zeros(G * H, DTYPE)
    parts = [_split(a, "keras", kind, axis=-1) for a in (kernel, recurrent, b_in, b_rec)]
    return _cell_from_parts(kind, *parts, options)


def to_keras(cell, layer):
    """Copy ``cell``'s weights into a built Keras layer of the same kind and size."""
    kind, options, config = _keras_kind(layer, want=cell.KIND)
    if options != _options(cell):
        raise ValueError(f"The Keras layer has {options} but the cell has {_options(cell)}: "
                         "build the layer with the cell's settings.")
    if not config.get("use_bias", True):
        raise ValueError("The Keras layer has use_bias=False; build it with use_bias=True.")
    old = layer.get_weights()
    Wx, Wh, bx, bh = _parts(cell)
    kernel, recurrent = _join(Wx, "keras", kind, 1), _join(Wh, "keras", kind, 1)
    if old[0].shape != kernel.shape or old[1].shape != recurrent.shape:
        raise ValueError(f"Size mismatch: the Keras layer's kernel is {old[0].shape}, the cell's "
                         f"is {kernel.shape} (input_size={cell.input_size}, "
                         f"hidden_size={cell.hidden_size}).")
    b_in, b_rec = _join(bx, "keras", kind, 0), _join(bh, "keras", kind, 0)
    layer.set_weights([kernel, recurrent, np.stack([b_in, b_rec]) if old[2].ndim == 2 else b_in])
    return layer


# ----------------------------------------------------------------------------- PyTorch
def _torch_kind(module, want=None):
    kind = {v: k for k, v in TORCH_CLASS.items()}.get(type(module).__name__)
    if kind is None or not hasattr(module, "weight_ih_l0"):
        raise ValueError(f"Expected a torch.nn.RNN, GRU or LSTM, got {type(module).__name__}.")
    if want is not None and kind != want:
        raise ValueError(f"A {CELLS[want].__name__} loads a torch.nn.{TORCH_CLASS[want]}, got "
                         f"{type(module).__name__}; pick the module matching the cell.")
    layout = f"num_layers={module.num_layers}, bidirectional={module.bidirectional}, " \
             f"proj_size={getattr(module, 'proj_size', 0)}"
    if layout != "num_layers=1, bidirectional=False, proj_size=0":
        raise ValueError(f"The torch.nn.{TORCH_CLASS[kind]} has {layout}; a cell is one layer, one "
                         "direction, no projection: load a module with num_layers=1, bidirectional=False, "
                         "proj_size=0 (one per layer and direction).")
    options = {"RNN": {"activation": getattr(module, "nonlinearity", None)},
               "GRU": {"reset_after": True}, "LSTM": {}}[kind]   # torch: reset after, always
    return kind, options


def from_torch(module):
    """A cell holding the weights of a one-layer ``torch.nn.RNN``, ``GRU`` or ``LSTM``."""
    kind, options = _torch_kind(module)
    get = lambda name: getattr(module, name).detach().cpu().numpy()     # noqa: E731
    zeros = np.zeros(len(GATE_ORDER["torch"][kind]) * module.hidden_size, DTYPE)
    b_in, b_rec = (get("bias_ih_l0"), get("bias_hh_l0")) if module.bias else (zeros, zeros)
    Wx = _split(get("weight_ih_l0").T, "torch", kind, axis=1)          # torch: (G*H, D)
    Wh = _split(get("weight_hh_l0").T, "torch", kind, axis=1)          # torch: (G*H, H)
    bx, bh = _split(b_in, "torch", kind, 0), _split(b_rec, "torch", kind, 0)
    return _cell_from_parts(kind, Wx, Wh, bx, bh, options)


def to_torch(cell, module):
    """Copy ``cell``'s weights into a one-layer torch module of the same kind and size."""
    import torch

    kind, options = _torch_kind(module, want=cell.KIND)
    if isinstance(cell, GRUCell) and not cell.reset_after:
        raise ValueError("torch.nn.GRU applies the reset gate after the recurrent matmul "
                         "(reset_after=True); this cell has reset_after=False, which PyTorch "
                         "cannot express. Use GRUCell(..., reset_after=True), or a Keras "
                         "GRU(reset_after=False).")
    if options != _options(cell):
        raise ValueError(f"The torch module has {options} but the cell has {_options(cell)}: "
                         "build the module with the cell's settings.")
    if (module.input_size, module.hidden_size) != (cell.input_size, cell.hidden_size):
        raise ValueError(f"Size mismatch: torch module (input_size={module.input_size}, "
                         f"hidden_size={module.hidden_size}), cell (input_size="
                         f"{cell.input_size}, hidden_size={cell.hidden_size}).")
    if not module.bias:
        raise ValueError("The torch module has bias=False; build it with bias=True.")
    Wx, Wh, bx, bh = _parts(cell)
    new = {"weight_ih_l0": _join(Wx, "torch", kind, 1).T, "weight_hh_l0": _join(Wh, "torch", kind, 1).T,
           "bias_ih_l0": _join(bx, "torch", kind, 0), "bias_hh_l0": _join(bh, "torch", kind, 0)}
    with torch.no_grad():
        for name, value in new.items():
            p = getattr(module, name)
            p.copy_(torch.as_tensor(np.ascontiguousarray(value), dtype=p.dtype))
    return module
