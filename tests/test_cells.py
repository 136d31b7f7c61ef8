"""course_utils.cells: NumPy cells equal Keras and PyTorch at every time step (notebook 02).

Run with ``-s`` to see the max absolute differences, e.g.
``pytest tests/test_cells.py -s -k agree``.
"""

import keras
import numpy as np
import pytest
import torch

from course_utils import cells

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
CELL = {"RNN": cells.RNNCell, "GRU": cells.GRUCell, "LSTM": cells.LSTMCell}


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
    cell = CELL[kind].from_keras(layer)
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
    cell = CELL[kind].from_torch(module)
    xs, h0 = inputs(batch, with_h0, lstm=kind == "LSTM")
    label = f"numpy vs torch {kind} B={batch} h0={with_h0}"
    assert max_diff(run_numpy(cell, xs, h0), run_torch(module, xs, h0), label) < TOL


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_same_weights_in_all_three(kind):
    """The notebook's path: NumPy weights copied into Keras and PyTorch, all equal."""
    cell = CELL[kind].random(D, H, seed=3, scale=0.6)
    xs, h0 = inputs(3, True, lstm=kind == "LSTM")
    ours = run_numpy(cell, xs, h0)
    k = run_keras(cell.to_keras(keras_layer(kind)), xs, h0)
    t = run_torch(cell.to_torch(torch_module(kind)), xs, h0)
    assert max_diff(ours, k, f"numpy->keras {kind}") < TOL
    assert max_diff(ours, t, f"numpy->torch {kind}") < TOL


def test_gru_reset_before_copies_into_keras():
    cell = cells.GRUCell.random(D, H, seed=4, scale=0.6, reset_after=False)
    assert "b_hh" not in cell.params
    xs, h0 = inputs(2, True)
    k = run_keras(cell.to_keras(keras_layer("GRU", reset_after=False)), xs, h0)
    assert max_diff(run_numpy(cell, xs, h0), k, "numpy->keras GRU reset_before") < TOL


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_round_trip_keeps_every_weight(kind):
    cell = CELL[kind].random(D, H, seed=5)
    for back in (CELL[kind].from_keras(cell.to_keras(keras_layer(kind))),
                 CELL[kind].from_torch(cell.to_torch(torch_module(kind)))):
        assert back.param_names() == cell.param_names()
        for name, value in cell.params.items():
            np.testing.assert_allclose(back.params[name], value, atol=1e-7, err_msg=name)


def test_torch_relu_rnn_and_bias_free_modules():
    torch.manual_seed(1)
    xs, _ = inputs(2, False)
    relu = torch.nn.RNN(D, H, nonlinearity="relu", batch_first=True)
    cell = cells.RNNCell.from_torch(relu)
    assert cell.activation == "relu"
    assert max_diff(run_numpy(cell, xs, None), run_torch(relu, xs, None), "relu rnn") < TOL
    plain = torch.nn.GRU(D, H, bias=False, batch_first=True)
    cell = cells.GRUCell.from_torch(plain)
    assert not cell.b_z.any() and not cell.b_hh.any()
    assert max_diff(run_numpy(cell, xs, None), run_torch(plain, xs, None), "gru no bias") < TOL


# ---------------------------------------------------------------- gates and bookkeeping
def test_gru_trace_exposes_gates_and_matches_step():
    cell = cells.GRUCell.random(D, H, seed=6)
    xs, h0 = inputs(2, True)
    rec = cell.trace(xs, h0)
    assert set(rec) == {"z", "r", "h_tilde", "h"}
    assert all(v.shape == (2, T, H) for v in rec.values())
    assert ((rec["z"] > 0) & (rec["z"] < 1)).all()
    h = h0
    for t in range(T):                       # the update equation, by hand
        h_new = cell.step(xs[:, t], h)
        np.testing.assert_allclose(h_new, (1 - rec["z"][:, t]) * rec["h_tilde"][:, t]
                                   + rec["z"][:, t] * h, atol=1e-6)
        h = h_new
    np.testing.assert_array_equal(h, rec["h"][:, -1])


def test_lstm_step_and_run_shapes():
    cell = cells.LSTMCell.random(D, H)
    h, c = cell.step(np.ones((2, D), np.float32), cell.zero_state(2))
    assert h.shape == c.shape == (2, H) and h.dtype == np.float32
    hs, cs = cell.run(np.ones((2, T, D), np.float32))
    assert hs.shape == cs.shape == (2, T, H)


def test_param_counts_match_frameworks():
    """Keras: one bias per gate (two for the reset_after GRU); PyTorch: always two.
    The cells store only the biases that are not redundant (a sum of two is one)."""
    for kind, G in {"RNN": 1, "GRU": 3, "LSTM": 4}.items():
        keras_biases = 2 if kind == "GRU" else 1
        assert keras_layer(kind).count_params() == G * H * (D + H + keras_biases)
        assert sum(p.numel() for p in torch_module(kind).parameters()) == G * H * (D + H + 2)
        extra = H if kind == "GRU" else 0                     # b_hh inside the reset gate
        assert CELL[kind].random(D, H).num_params() == G * H * (D + H + 1) + extra
    before = cells.GRUCell.random(D, H, reset_after=False)
    assert before.num_params() == keras_layer("GRU", reset_after=False).count_params()


def test_sigmoid_never_overflows():
    with np.errstate(all="raise"):
        s = cells.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])


# ------------------------------------------------------------------- clear error messages
def test_bad_inputs_raise_clear_errors():
    gru = cells.GRUCell.random(D, H)
    h = gru.zero_state(2)
    with pytest.raises(ValueError, match=r"x_t must have shape \(batch, input_size\).*x_t\[None, :\]"):
        gru.step(np.ones(D, np.float32), h[:1])
    with pytest.raises(ValueError, match=r"dtype int64.*astype\(np.float32\)"):
        gru.step(np.ones((2, D), np.int64), h)
    with pytest.raises(ValueError, match="input_size is 4"):
        gru.step(np.ones((2, D + 1), np.float32), h)
    with pytest.raises(ValueError, match=r"h must have shape \(batch, hidden_size\) = \(3, 5\)"):
        gru.step(np.ones((3, D), np.float32), h)
    with pytest.raises(ValueError, match=r"xs must have shape \(batch, time, input_size\)"):
        gru.run(np.ones((T, D), np.float32))
    with pytest.raises(ValueError, match="no time steps"):
        gru.run(np.ones((2, 0, D), np.float32))
    with pytest.raises(ValueError, match=r"h0 must have shape .* \(2, 5\)"):
        gru.run(np.ones((2, T, D), np.float32), h0=np.zeros((2, H + 1), np.float32))
    lstm = cells.LSTMCell.random(D, H)
    with pytest.raises(ValueError, match=r"pair \(h, c\)"):
        lstm.step(np.ones((2, D), np.float32), h)


def test_bad_weights_raise_clear_errors():
    good = cells.GRUCell.random(D, H).params
    with pytest.raises(ValueError, match=r"missing \['b_hh'\]"):
        cells.GRUCell({k: v for k, v in good.items() if k != "b_hh"})
    with pytest.raises(ValueError, match=r"unexpected \['b_hh'\]"):
        cells.GRUCell(good, reset_after=False)
    with pytest.raises(ValueError, match=r"W_hz must have shape \(5, 5\)"):
        cells.GRUCell(dict(good, W_hz=np.zeros((H, H + 1))))
    with pytest.raises(ValueError, match="positive int"):
        cells.LSTMCell.random(0, H)
    with pytest.raises(ValueError, match="activation must be one of"):
        cells.RNNCell.random(D, H, activation="sigmoid")
    with pytest.raises(ValueError, match="reset_after must be True or False"):
        cells.GRUCell(good, reset_after="yes")
    with pytest.raises(ValueError, match=r"W_xz must be 2-D"):
        cells.GRUCell(dict(good, W_xz=np.zeros(D)))
    assert repr(cells.GRUCell(good)) == "GRUCell(input_size=4, hidden_size=5, reset_after=True)"


def test_unsupported_framework_configs_raise_clear_errors():
    with pytest.raises(ValueError, match="loads a keras.layers.GRU, got LSTM"):
        cells.GRUCell.from_keras(keras_layer("LSTM"))
    with pytest.raises(ValueError, match="no weights yet"):
        cells.GRUCell.from_keras(keras.layers.GRU(H))
    backwards = keras.layers.GRU(H, go_backwards=True)
    backwards.build((None, T, D))
    with pytest.raises(ValueError, match="go_backwards"):
        cells.GRUCell.from_keras(backwards)
    relu_gru = keras.layers.GRU(H, activation="relu")
    relu_gru.build((None, T, D))
    with pytest.raises(ValueError, match="activation='tanh'"):
        cells.GRUCell.from_keras(relu_gru)
    before = cells.GRUCell.from_keras(keras_layer("GRU", reset_after=False))
    with pytest.raises(ValueError, match="reset_after=False, which PyTorch cannot express"):
        before.to_torch(torch_module("GRU"))
    with pytest.raises(ValueError, match="reset_after"):
        before.to_keras(keras_layer("GRU", reset_after=True))
    with pytest.raises(ValueError, match="num_layers=2"):
        cells.GRUCell.from_torch(torch.nn.GRU(D, H, num_layers=2))
    with pytest.raises(ValueError, match="bidirectional"):
        cells.LSTMCell.from_torch(torch.nn.LSTM(D, H, bidirectional=True))
    with pytest.raises(ValueError, match="proj_size"):
        cells.LSTMCell.from_torch(torch.nn.LSTM(D, H, proj_size=2))
    with pytest.raises(ValueError, match="loads a torch.nn.LSTM, got GRU"):
        cells.LSTMCell.from_torch(torch_module("GRU"))
    with pytest.raises(ValueError, match="Size mismatch"):
        cells.GRUCell.random(D + 1, H).to_torch(torch_module("GRU"))
    with pytest.raises(ValueError, match="Size mismatch"):
        cells.GRUCell.random(D + 1, H).to_keras(keras_layer("GRU"))
    hard = keras.layers.GRU(H, recurrent_activation="hard_sigmoid")
    hard.build((None, T, D))
    with pytest.raises(ValueError, match="sigmoid gates"):
        cells.GRUCell.from_keras(hard)
    no_bias = keras.layers.LSTM(H, use_bias=False)
    no_bias.build((None, T, D))
    assert not cells.LSTMCell.from_keras(no_bias).b_f.any()
    with pytest.raises(ValueError, match="use_bias=True"):
        cells.LSTMCell.random(D, H).to_keras(no_bias)
    with pytest.raises(ValueError, match="build the module with the cell's settings"):
        cells.RNNCell.random(D, H, activation="relu").to_torch(torch_module("RNN"))
    with pytest.raises(ValueError, match="bias=True"):
        cells.LSTMCell.random(D, H).to_torch(torch.nn.LSTM(D, H, bias=False))
    elu = keras.layers.SimpleRNN(H, activation="elu")
    elu.build((None, T, D))
    with pytest.raises(ValueError, match="SimpleRNN activation='elu' is not supported"):
        cells.RNNCell.from_keras(elu)


# -------------------------------------------------- course_utils.plots (notebook 02 figures)
def test_plots_draw_and_check_their_input():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils import plots

    words = ["We", "like", "gates"]
    rec = cells.GRUCell.random(3, 2).trace(np.eye(3, dtype=np.float32)[None])
    states = np.concatenate([np.zeros((1, 2)), rec["h"][0]])            # (T + 1, 2)
    figs = [plots.state_trajectory(states, words),
            plots.gate_heatmaps({"z": rec["z"][0], "r": rec["r"][0]}, words),
            plots.gradient_curves([1, 2, 3], {"RNN": [1.0, 0.1, 0.01]}, title="t")]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)
    assert len(figs[1].axes) == 4                                       # 2 panels + 2 colorbars
    with pytest.raises(ValueError, match=r"\(len\(labels\) \+ 1, 2\)"):
        plots.state_trajectory(states[1:], words)
    with pytest.raises(ValueError, match=r"trace\['z'\]\[0\]"):
        plots.gate_heatmaps({"z": rec["z"]}, words)
    with pytest.raises(ValueError, match="at least one gate"):
        plots.gate_heatmaps({}, words)
    with pytest.raises(ValueError, match="one value per length"):
        plots.gradient_curves([1, 2], {"RNN": [1.0]}, title="t")
    plt.close("all")
