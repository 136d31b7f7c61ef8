"""Checks and hints of notebook 02's exercises (02_gru_hidden_state)."""

from __future__ import annotations

import numpy as np

from ..cells import GRUCell, sigmoid
from . import Exercise, NotAttempted, Wrong, as_array, first_match, require, same_shape


# ---------------------------------------------------------------- exercise 1: an LSTM step
def _torch_lstm(D, H, seed):
    """A torch.nn.LSTM with seeded weights, and the same weights as LSTMCell symbols."""
    import torch

    torch.manual_seed(seed)
    module = torch.nn.LSTM(D, H, batch_first=True)
    get = lambda name: getattr(module, name).detach().numpy().astype(np.float64)   # noqa: E731
    W_ih, W_hh = get("weight_ih_l0").T, get("weight_hh_l0").T        # (D, 4H), (H, 4H)
    b = get("bias_ih_l0") + get("bias_hh_l0")                         # (4H,)
    p = {}
    for k, g in enumerate("ifco"):                                    # PyTorch's order: i, f, g, o
        block = slice(k * H, (k + 1) * H)
        p[f"W_x{g}"], p[f"W_h{g}"], p[f"b_{g}"] = W_ih[:, block], W_hh[:, block], b[block]
    return module, p


def _lstm_steps(p, xs, mistake=None):
    """Hidden states (B, T, H) of the LSTM equations, or of one known mistake."""
    B, T, _ = xs.shape
    H = np.zeros((B, p["b_i"].shape[0]))
    C = np.zeros_like(H)
    out = []
    for t in range(T):
        X = xs[:, t]
        gate = lambda g, f=sigmoid: f(X @ p[f"W_x{g}"] + H @ p[f"W_h{g}"] + p[f"b_{g}"])   # noqa: E731
        I, F = gate("i"), gate("f")                                   # noqa: E741
        O = gate("o", np.tanh if mistake == "tanh gate" else sigmoid)  # noqa: E741
        C_tilde = gate("c", sigmoid if mistake == "sigmoid candidate" else np.tanh)
        C = (C if mistake == "no forget gate" else F * C) + I * C_tilde
        H = O * C if mistake == "no tanh" else O * np.tanh(C)
        out.append(H)
    return np.stack(out, axis=1)


def check_ex1(lstm_step):
    require(("lstm_step", lstm_step))
    import torch

    D, H, T = 4, 3, 6
    module, p = _torch_lstm(D, H, seed=0)
    xs = np.random.default_rng(0).normal(size=(2, T, D))             # (B, T, D)
    with torch.no_grad():
        theirs = module(torch.tensor(xs, dtype=torch.float32))[0].numpy()   # (B, T, H)
    h, c, mine = np.zeros((2, H)), np.zeros((2, H)), []
    for t in range(T):
        out = lstm_step(p, xs[:, t], h, c)
        if out is None or out is Ellipsis:
            raise NotAttempted("lstm_step returns nothing yet: write its equations.")
        if not isinstance(out, tuple) or len(out) != 2:
            raise Wrong("lstm_step must return the pair (H, C): the new hidden and cell state.")
        h, c = as_array(out[0], "H"), as_array(out[1], "C")
        same_shape(h, (2, H), "the H that lstm_step returns", "one row per sequence, H numbers")
        mine.append(h)
    mine = np.stack(mine, axis=1)
    if np.abs(mine - theirs).max() < 1e-5:
        return
    known = first_match(mine, {
        "your output gate uses tanh where the LSTM needs a sigmoid (a gate is a number "
        "between 0 and 1)": _lstm_steps(p, xs, "tanh gate"),
        "your candidate C~ uses a sigmoid where the LSTM uses tanh":
            _lstm_steps(p, xs, "sigmoid candidate"),
        "your cell state forgets nothing: it is C = F * C_prev + I * C~":
            _lstm_steps(p, xs, "no forget gate"),
        "H = O * tanh(C): you left out the tanh": _lstm_steps(p, xs, "no tanh"),
    }, atol=1e-5)
    step = int(np.argmax(np.abs(mine - theirs).max(axis=(0, 2)) > 1e-5)) + 1
    raise Wrong(known or f"your states differ from torch.nn.LSTM's from step {step} on (largest "
                f"difference {np.abs(mine - theirs).max():.2g}): compare each line with the six "
                "LSTM equations of section 3.")


# ---------------------------------------------------------------- exercise 2: parameter counts
def check_ex2(predicted):
    require(("predicted", predicted))
    import keras
    import torch

    if not isinstance(predicted, dict):
        raise Wrong("predicted should be a dict with your three numbers.")
    library = {}
    for reset_after in (True, False):
        layer = keras.layers.GRU(32, reset_after=reset_after)
        layer.build((None, None, 300))
        library[f"keras reset_after={reset_after}"] = layer.count_params()
    library["torch"] = sum(p.numel() for p in torch.nn.GRU(300, 32).parameters())
    missing = set(library) - set(predicted)
    if missing:
        raise Wrong(f"predicted has no entry {sorted(missing)[0]!r}.")
    require(*((f"predicted[{k!r}]", predicted[k]) for k in library))
    for key, count in library.items():
        guess = predicted[key]
        if guess == count:
            continue
        if guess == 4 * count // 3:
            raise Wrong(f"{key}: {guess:,} is an LSTM's count (4 blocks); a GRU has 3.")
        if guess == count - 3 * 32:
            raise Wrong(f"{key}: {guess:,} is one bias vector per block too few "
                        + ("(reset_after=True keeps an input and a recurrent bias)."
                           if key != "keras reset_after=False" else "."))
        if guess == count + 3 * 32:
            raise Wrong(f"{key}: {guess:,} counts one bias vector per block too many: with "
                        "reset_after=False Keras keeps one bias per block.")
        raise Wrong(f"{key}: you predicted {guess:,}, the library counts {count:,} "
                    f"({guess - count:+,}).")


# ---------------------------------------------------------------- exercise 3: the textbook gate
def _textbook_states(cell, xs, W_xz2, W_hz2, b_z2):
    h, out = np.zeros((xs.shape[0], cell.hidden_size)), []
    for t in range(xs.shape[1]):
        X = xs[:, t]
        Z2 = sigmoid(X @ W_xz2 + h @ W_hz2 + b_z2)
        R = sigmoid(X @ cell.W_xr + h @ cell.W_hr + cell.b_r)
        H_tilde = np.tanh(X @ cell.W_xh + cell.b_h + R * (h @ cell.W_hh + cell.b_hh))
        h = Z2 * H_tilde + (1 - Z2) * h
        out.append(h)
    return np.stack(out, axis=1)


def check_ex3(textbook_gate_weights):
    require(("textbook_gate_weights", textbook_gate_weights))
    cell = GRUCell.random(input_size=4, hidden_size=3, seed=5, scale=1.0)
    xs = np.random.default_rng(1).normal(size=(2, 6, 4))
    out = textbook_gate_weights(cell)
    if out is None or out is Ellipsis:
        raise NotAttempted("textbook_gate_weights returns nothing yet.")
    if not isinstance(out, tuple) or len(out) != 3:
        raise Wrong("textbook_gate_weights(cell) must return three arrays: (W_xz', W_hz', b_z').")
    weights = [as_array(w, n) for w, n in zip(out, ("W_xz'", "W_hz'", "b_z'"))]
    for w, name, like in zip(weights, ("W_xz'", "W_hz'", "b_z'"), (cell.W_xz, cell.W_hz, cell.b_z)):
        same_shape(w, like.shape, name, "the same shape as the update gate's weight")
    ours = cell.run(xs)                                                # (B, T, H)
    theirs = _textbook_states(cell, xs, *weights)
    if np.abs(ours - theirs).max() < 1e-6:
        return
    if all(np.allclose(w, like) for w, like in zip(weights, (cell.W_xz, cell.W_hz, cell.b_z))):
        raise Wrong("with the same weights Z' = Z, so the textbook form takes the candidate where "
                    "ours keeps the old state: you need Z' = 1 - Z.")
    if np.allclose(weights[0], -cell.W_xz) and np.allclose(weights[1], -cell.W_hz):
        raise Wrong("W_xz' and W_hz' are right, b_z' is not: 1 - sigmoid(a) = sigmoid(-a) "
                    "negates the whole argument, the bias too.")
    raise Wrong(f"the textbook GRU with your weights differs from ours by up to "
                f"{np.abs(ours - theirs).max():.2g}: Z' must equal 1 - Z at every step.")


# ---------------------------------------------------------------- exercise 4: reset conventions
def check_ex4(after, before, first_difference, gru, xs):
    require(("after", after), ("before", before), ("first_difference", first_difference))
    params = {k: v for k, v in gru.params.items() if k != "b_hh"}
    ref_after = GRUCell(dict(params, b_hh=np.zeros_like(gru.b_hh)), reset_after=True).run(xs)
    ref_before = GRUCell(params, reset_after=False).run(xs)
    after, before = as_array(after, "after"), as_array(before, "before")
    same_shape(after, ref_after.shape, "after", "every state, (1, T, H), as cell.run(xs) returns")
    same_shape(before, ref_before.shape, "before", "every state, (1, T, H)")
    if not np.allclose(after, ref_after, atol=1e-6):
        if np.allclose(after, gru.run(xs), atol=1e-6):
            raise Wrong("after still uses the trained b_hh: set it to zero, so that both cells "
                        "have exactly the same weights.")
        raise Wrong("after differs from GRUCell(..., reset_after=True) with b_hh = 0 on xs.")
    if not np.allclose(before, ref_before, atol=1e-6):
        raise Wrong("before differs from GRUCell(params without b_hh, reset_after=False) on xs.")
    differs = np.abs(ref_after - ref_before).max(axis=(0, 2)) > 1e-6           # (T,)
    truth = int(np.argmax(differs)) + 1
    if first_difference != truth:
        why = (" At step 1 H_0 = 0, so R * (H W_hh) and (R * H) W_hh are both zero."
               if first_difference == 1 else "")
        raise Wrong(f"first_difference = {first_difference!r}, but the states first differ at "
                    f"step {truth}.{why}")


EXERCISES = {
    "ex1": Exercise(check_ex1, "copy the six lines of the LSTM equations: sigmoid for the three "
                    "gates I, F, O, tanh for the candidate C~; then C = F * C_prev + I * C~ and "
                    "H = O * tanh(C). Return the pair (H, C)."),
    "ex2": Exercise(check_ex2, "each of the 3 blocks has input weights (300 x 32), recurrent "
                    "weights (32 x 32) and its biases: reset_after=True and PyTorch keep two bias "
                    "vectors per block, reset_after=False one."),
    "ex3": Exercise(check_ex3, "Z' = 1 - Z, and 1 - sigmoid(a) = sigmoid(-a): negate everything "
                    "inside the update gate's sigmoid (both weight matrices and the bias)."),
    "ex4": Exercise(check_ex4, "R * (H W) and (R * H) W are equal when H = 0 or R = 1: compare "
                    "np.abs(after - before) step by step (axis 1 is time)."),
}
