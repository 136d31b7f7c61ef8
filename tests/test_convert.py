"""course_utils.convert: the NumPy cells equal Keras and PyTorch at every time step (notebook 02).

Run with ``-s`` to see the max absolute differences, e.g.
``pytest tests/test_convert.py -s -k agree``.
"""

import keras
import numpy as np
import pytest
import torch

from course_utils import cells, convert
from course_utils.training import count_parameters

TOL = 1e-5
D, H, T = 4, 5, 7


def rng(seed=0):
    return np.random.default_rng(seed)


def inputs(batch, with_h0, lstm=False, seed=1):
    """xs (B, T, D) and an initial state (None, h0 (B, H), or (h0, c0) for the LSTM)."""
    r = rng(seed)
    xs = r.normal(size=(batch, T, D)).astype(np.float32)
    if not with_h0:
        return xs, None
    h0 = r.normal(scale=0.5, size=(batch, H)).astype(np.float32)
    c0 = r.normal(scale=0.5, size=(batch, H)).astype(np.float32)
    return xs, ((h0, c0) if lstm else h0)


# ------------------------------------------------------------------ framework runners
CELL = cells.CELLS


def keras_layer(kind, reset_after=True):
    args = dict(return_sequences=True, return_state=True)
    if kind == "RNN":
        layer = keras.layers.SimpleRNN(H, **args)
    elif kind == "GRU":
        layer = keras.layers.GRU(H, reset_after=reset_after, **args)
    else:
        layer = keras.layers.LSTM(H, **args)
    layer.build((None, T, D))
    return layer


def run_keras(layer, xs, h0):
    """All hidden states (B, T, H) and the final state(s) as NumPy."""
    init = None if h0 is None else [keras.ops.convert_to_tensor(a) for a in
                                     (h0 if isinstance(h0, tuple) else (h0,))]
    out = layer(keras.ops.convert_to_tensor(xs), initial_state=init)
    return [keras.ops.convert_to_numpy(o) for o in out]


def torch_module(kind):
    return {"RNN": torch.nn.RNN, "GRU": torch.nn.GRU, "LSTM": torch.nn.LSTM}[kind](
        D, H, batch_first=True)


def run_torch(module, xs, h0):
    x = torch.from_numpy(xs)
    with torch.no_grad():
        if h0 is None:
            out, state = module(x)
        elif isinstance(h0, tuple):
            out, state = module(x, tuple(torch.from_numpy(a)[None] for a in h0))
        else:
            out, state = module(x, torch.from_numpy(h0)[None])
    finals = state if isinstance(state, tuple) else (state,)
    return [out.numpy()] + [s[0].numpy() for s in finals]


def run_numpy(cell, xs, h0):
    if isinstance(cell, cells.LSTMCell):
        hs, cs = cell.run(xs, h0)
        return [hs, hs[:, -1], cs[:, -1]]
    hs = cell.run(xs, h0)
    return [hs, hs[:, -1]]


def max_diff(ours, theirs, label):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape, f"{label}: shapes {a.shape} vs {b.shape}"
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(ours, theirs))
    print(f"\nmax |diff| {label}: {diff:.2e}")
    return diff


CASES = [("RNN", True), ("GRU", True), ("GRU", False), ("LSTM", True)]
IDS = ["rnn", "gru-reset-after", "gru-reset-before", "lstm"]


# ----------------------------------------------------- NumPy == Keras == PyTorch per step
@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("with_h0", [False, True], ids=["zeros", "h0"])
@pytest.mark.parametrize("kind,reset_after", CASES, ids=IDS)
def test_numpy_agrees_with_keras(kind, reset_after, batch, with_h0):
    layer = keras_layer(kind, reset_after)
    r = rng(2)   # random weights in Keras' own layout, biases included (Keras starts them at 0)
    layer.set_weights([r.uniform(-0.5, 0.5, w.shape).astype(np.float32)
                       for w in layer.get_weights()])
    cell = convert.from_keras(layer)
    assert isinstance(cell, CELL[kind])
    assert getattr(cell, "reset_after", reset_after) == reset_after
    xs, h0 = inputs(batch, with_h0, lstm=kind == "LSTM")
    label = f"numpy vs keras {IDS[CASES.index((kind, reset_after))]} B={batch} h0={with_h0}"
    assert max_diff(run_numpy(cell, xs, h0), run_keras(layer, xs, h0), label) < TOL


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("with_h0", [False, True], ids=["zeros", "h0"])
@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_numpy_agrees_with_torch(kind, batch, with_h0):
    torch.manual_seed(0)
    module = torch_module(kind)        # PyTorch's own init: random weights and both biases
    cell = convert.from_torch(module)
    assert isinstance(cell, CELL[kind])
    xs, h0 = inputs(batch, with_h0, lstm=kind == "LSTM")
    label = f"numpy vs torch {kind} B={batch} h0={with_h0}"
    assert max_diff(run_numpy(cell, xs, h0), run_torch(module, xs, h0), label) < TOL


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_same_weights_in_all_three(kind):
    """The notebook's path: NumPy weights copied into Keras and PyTorch, all equal."""
    cell = CELL[kind].random(D, H, seed=3, scale=0.6)
    xs, h0 = inputs(3, True, lstm=kind == "LSTM")
    ours = run_numpy(cell, xs, h0)
    k = run_keras(convert.to_keras(cell, keras_layer(kind)), xs, h0)
    t = run_torch(convert.to_torch(cell, torch_module(kind)), xs, h0)
    assert max_diff(ours, k, f"numpy->keras {kind}") < TOL
    assert max_diff(ours, t, f"numpy->torch {kind}") < TOL


def test_gru_reset_before_copies_into_keras():
    cell = cells.GRUCell.random(D, H, seed=4, scale=0.6, reset_after=False)
    assert "b_hh" not in cell.params
    xs, h0 = inputs(2, True)
    k = run_keras(convert.to_keras(cell, keras_layer("GRU", reset_after=False)), xs, h0)
    assert max_diff(run_numpy(cell, xs, h0), k, "numpy->keras GRU reset_before") < TOL


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_round_trip_keeps_every_weight(kind):
    cell = CELL[kind].random(D, H, seed=5)
    for back in (convert.from_keras(convert.to_keras(cell, keras_layer(kind))),
                 convert.from_torch(convert.to_torch(cell, torch_module(kind)))):
        assert list(back.params) == list(cell.params)
        for name, value in cell.params.items():
            np.testing.assert_allclose(back.params[name], value, atol=1e-7, err_msg=name)


def test_torch_relu_rnn_and_bias_free_modules():
    torch.manual_seed(1)
    xs, _ = inputs(2, False)
    relu = torch.nn.RNN(D, H, nonlinearity="relu", batch_first=True)
    cell = convert.from_torch(relu)
    assert cell.activation == "relu"
    assert max_diff(run_numpy(cell, xs, None), run_torch(relu, xs, None), "relu rnn") < TOL
    plain = torch.nn.GRU(D, H, bias=False, batch_first=True)
    cell = convert.from_torch(plain)
    assert not cell.b_z.any() and not cell.b_hh.any()
    assert max_diff(run_numpy(cell, xs, None), run_torch(plain, xs, None), "gru no bias") < TOL


def test_param_counts_match_frameworks():
    """Keras: one bias per gate (two for the reset_after GRU); PyTorch: always two.
    The cells store only the biases that are not redundant (a sum of two is one)."""
    for kind, G in {"RNN": 1, "GRU": 3, "LSTM": 4}.items():
        keras_biases = 2 if kind == "GRU" else 1
        assert keras_layer(kind).count_params() == G * H * (D + H + keras_biases)
        assert sum(p.numel() for p in torch_module(kind).parameters()) == G * H * (D + H + 2)
        extra = H if kind == "GRU" else 0                     # b_hh inside the reset gate
        assert count_parameters(CELL[kind].random(D, H)) == G * H * (D + H + 1) + extra
    before = cells.GRUCell.random(D, H, reset_after=False)
    assert count_parameters(before) == keras_layer("GRU", reset_after=False).count_params()


def test_unsupported_framework_configs_raise_clear_errors():
    with pytest.raises(ValueError, match="loads a keras.layers.GRU, got LSTM"):
        convert.to_keras(cells.GRUCell.random(D, H), keras_layer("LSTM"))
    with pytest.raises(ValueError, match="SimpleRNN, GRU or LSTM, got Dense"):
        convert.from_keras(keras.layers.Dense(H))
    with pytest.raises(ValueError, match="no weights yet"):
        convert.from_keras(keras.layers.GRU(H))
    backwards = keras.layers.GRU(H, go_backwards=True)
    backwards.build((None, T, D))
    with pytest.raises(ValueError, match="go_backwards"):
        convert.from_keras(backwards)
    relu_gru = keras.layers.GRU(H, activation="relu")
    relu_gru.build((None, T, D))
    with pytest.raises(ValueError, match="activation='tanh'"):
        convert.from_keras(relu_gru)
    before = convert.from_keras(keras_layer("GRU", reset_after=False))
    with pytest.raises(ValueError, match="reset_after=False, which PyTorch cannot express"):
        convert.to_torch(before, torch_module("GRU"))
    with pytest.raises(ValueError, match="reset_after"):
        convert.to_keras(before, keras_layer("GRU", reset_after=True))
    with pytest.raises(ValueError, match="num_layers=2"):
        convert.from_torch(torch.nn.GRU(D, H, num_layers=2))
    with pytest.raises(ValueError, match="bidirectional"):
        convert.from_torch(torch.nn.LSTM(D, H, bidirectional=True))
    with pytest.raises(ValueError, match="proj_size"):
        convert.from_torch(torch.nn.LSTM(D, H, proj_size=2))
    with pytest.raises(ValueError, match="loads a torch.nn.LSTM, got GRU"):
        convert.to_torch(cells.LSTMCell.random(D, H), torch_module("GRU"))
    with pytest.raises(ValueError, match="torch.nn.RNN, GRU or LSTM, got Linear"):
        convert.from_torch(torch.nn.Linear(D, H))
    with pytest.raises(ValueError, match="Size mismatch"):
        convert.to_torch(cells.GRUCell.random(D + 1, H), torch_module("GRU"))
    with pytest.raises(ValueError, match="Size mismatch"):
        convert.to_keras(cells.GRUCell.random(D + 1, H), keras_layer("GRU"))
    hard = keras.layers.GRU(H, recurrent_activation="hard_sigmoid")
    hard.build((None, T, D))
    with pytest.raises(ValueError, match="sigmoid gates"):
        convert.from_keras(hard)
    no_bias = keras.layers.LSTM(H, use_bias=False)
    no_bias.build((None, T, D))
    assert not convert.from_keras(no_bias).b_f.any()
    with pytest.raises(ValueError, match="use_bias=True"):
        convert.to_keras(cells.LSTMCell.random(D, H), no_bias)
    with pytest.raises(ValueError, match="build the module with the cell's settings"):
        convert.to_torch(cells.RNNCell.random(D, H, activation="relu"), torch_module("RNN"))
    with pytest.raises(ValueError, match="bias=True"):
        convert.to_torch(cells.LSTMCell.random(D, H), torch.nn.LSTM(D, H, bias=False))
    elu = keras.layers.SimpleRNN(H, activation="elu")
    elu.build((None, T, D))
    with pytest.raises(ValueError, match="SimpleRNN activation='elu' is not supported"):
        convert.from_keras(elu)
