"""Plots for looking inside recurrent layers (notebook 02, ``02_gru_hidden_state``).

Each function draws one kind of figure and returns its matplotlib Figure, so a notebook
can restyle or save it:

- ``state_trajectory``: a 2-unit hidden state moving through the plane, one point a word;
- ``gate_heatmaps``: gate values (time x unit) as heatmaps, one panel a gate;
- ``gradient_curves``: gradient norm against sequence length on a log scale.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def state_trajectory(states, labels, title="Hidden state after each word", ax=None):
    """Path of a 2-unit hidden state: ``states`` (T + 1, 2) from h_0, ``labels`` T words."""
    states = np.asarray(states, dtype=float)
    if states.ndim != 2 or states.shape[1] != 2 or len(states) != len(labels) + 1:
        raise ValueError(f"states must have shape (len(labels) + 1, 2) = ({len(labels) + 1}, 2): "
                         f"h_0 then one state per word; got {states.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot(states[:, 0], states[:, 1], color="0.6", zorder=1)
    ax.scatter(states[:, 0], states[:, 1], c=np.arange(len(states)), cmap="viridis", zorder=2)
    for (x0, y0), (x1, y1) in zip(states[:-1], states[1:]):
        ax.annotate("", (x1, y1), (x0, y0), arrowprops=dict(arrowstyle="->", color="0.3"))
    for i, ((x, y), text) in enumerate(zip(states, ["$h_0$", *labels])):
        ax.annotate(text, (x, y), textcoords="offset points", xytext=(6, 6 if i % 2 else -14))
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax.set(xlabel="$h_{t,1}$ (unit 1)", ylabel="$h_{t,2}$ (unit 2)", title=title)
    return ax.figure


def gate_heatmaps(gates: dict, labels, vmin=0.0, vmax=1.0, title=None):
    """One heatmap per gate: ``gates`` maps a name to a (T, H) array; x axis = ``labels``."""
    if not gates:
        raise ValueError("gate_heatmaps needs at least one gate, e.g. {'update z': trace['z'][0]}.")
    fig, axes = plt.subplots(len(gates), 1, figsize=(1.1 * len(labels) + 2, 1.6 * len(gates) + 0.6),
                             squeeze=False, constrained_layout=True)
    for ax, (name, values) in zip(axes[:, 0], gates.items()):
        values = np.asarray(values)
        if values.ndim != 2 or values.shape[0] != len(labels):
            raise ValueError(f"gate {name!r} must have shape (T, H) with T = {len(labels)} "
                             f"labels; got {values.shape}. Take one sequence: trace['z'][0].")
        im = ax.imshow(values.T, vmin=vmin, vmax=vmax, cmap="viridis", aspect="auto")
        for (t, j), v in np.ndenumerate(values):
            ax.text(t, j, f"{v:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if v < (vmin + vmax) / 2 else "black")
        ax.set_xticks(range(len(labels)), labels)
        ax.set_yticks(range(values.shape[1]), [f"unit {j + 1}" for j in range(values.shape[1])])
        ax.set_title(name)
        fig.colorbar(im, ax=ax)
    if title:
        fig.suptitle(title)
    return fig


def gradient_curves(lengths, curves: dict, title, ylabel="gradient norm", ax=None):
    """Gradient norm against sequence length, one line per entry of ``curves``, log y axis."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    for (label, values), marker in zip(curves.items(), "osD^v<>p*"):
        values = np.asarray(values, dtype=float)
        if values.shape != (len(lengths),):
            raise ValueError(f"curve {label!r} needs one value per length ({len(lengths)}), "
                             f"got shape {values.shape}.")
        ax.semilogy(lengths, values, marker=marker, label=label)
    ax.set(xlabel="sequence length T", ylabel=ylabel, title=title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return ax.figure
