"""course_utils.cells: the NumPy cells' equations, state bookkeeping and input checks (notebook 02).

That they equal Keras and PyTorch step by step is tests/test_convert.py.
"""

import numpy as np
import pytest

from course_utils import cells

D, H, T = 4, 5, 7


def inputs(batch, with_h0, seed=1):
    """xs (B, T, D) and h0 (B, H) (or None)."""
    r = np.random.default_rng(seed)
    xs = r.normal(size=(batch, T, D)).astype(np.float32)
    return xs, (r.normal(scale=0.5, size=(batch, H)).astype(np.float32) if with_h0 else None)


def test_rnn_step_is_its_equation():
    cell = cells.RNNCell.random(D, H, seed=2)
    xs, h0 = inputs(3, True)
    want = np.tanh(xs[:, 0] @ cell.W_xh + h0 @ cell.W_hh + cell.b_h)
    np.testing.assert_allclose(cell.step(xs[:, 0], h0), want, atol=1e-6)
    np.testing.assert_allclose(cell.run(xs, h0)[:, 0], want, atol=1e-6)


def test_params_are_the_attributes():
    cell = cells.GRUCell.random(D, H)
    assert list(cell.params) == cells.GRUCell.names() and cell.params["b_z"] is cell.b_z
    cell.b_z[:] = 3.0                                   # editing one edits the other
    assert (cell.params["b_z"] == 3.0).all()


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
    h, c = cell.step(np.ones((2, D), np.float32), cells.zero_state(cell, 2))
    assert h.shape == c.shape == (2, H) and h.dtype == np.float32
    hs, cs = cell.run(np.ones((2, T, D), np.float32))
    assert hs.shape == cs.shape == (2, T, H)


def test_sigmoid_never_overflows():
    with np.errstate(all="raise"):
        s = cells.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])


# ------------------------------------------------------------------- clear error messages
def test_bad_inputs_raise_clear_errors():
    gru = cells.GRUCell.random(D, H)
    h = cells.zero_state(gru, 2)
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
    with pytest.raises(ValueError, match=r"a batch of whole sequences: use run\(\)"):
        gru.step(np.ones((2, T, D), np.float32), h)
    bad_x = np.ones((2, T, D), np.float32)
    bad_x[1, 3, 0] = np.nan
    with pytest.raises(ValueError, match=r"xs contains NaN or inf \(first at index \(1, 3, 0\)\)"):
        gru.run(bad_x)
    with pytest.raises(ValueError, match=r"h contains NaN"):
        gru.step(np.ones((2, D), np.float32), np.full((2, H), np.inf, np.float32))


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
