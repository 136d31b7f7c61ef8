"""Figures that explain ideas rather than data: the sequence-task taxonomy (notebook 01)
and a simple RNN unrolled in time (notebook 02).

Each panel draws one recurrent network unrolled in time: input boxes at the bottom,
hidden states in the middle (an arrow carries the state to the next step), outputs on
top, in the style of Karpathy's "The Unreasonable Effectiveness of RNNs".
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt

COLORS = {"input": "#f4a3a3", "hidden": "#9fd49f", "output": "#9fc3ea"}


@dataclass(frozen=True)
class Task:
    """One shape of sequence task: at which steps inputs enter and outputs leave."""

    title: str
    example: str
    steps: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]


TASKS = (
    Task("many-to-one", "review -> sentiment\n(notebook 04)", 4, (0, 1, 2, 3), (3,)),
    Task("one-to-many", "first letter -> text\n(notebook 05)", 4, (0,), (0, 1, 2, 3)),
    Task("many-to-many, aligned", "word -> its tag\n(one output per input)", 4,
         (0, 1, 2, 3), (0, 1, 2, 3)),
    Task("many-to-many, unaligned", "English -> Spanish\n(notebooks 03, 06)", 6,
         (0, 1, 2), (3, 4, 5)),
)


def _box(ax, x, y, kind):
    ax.add_patch(plt.Rectangle((x - 0.35, y - 0.3), 0.7, 0.6, facecolor=COLORS[kind],
                               edgecolor="black", linewidth=1))


def _arrow(ax, start, end):
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", linewidth=1.2))


def draw_task(ax, task: Task) -> None:
    """Draw one unrolled network for ``task`` on ``ax``."""
    for t in range(task.steps):
        _box(ax, t, 1, "hidden")
        if t > 0:
            _arrow(ax, (t - 0.65, 1), (t - 0.35, 1))
        if t in task.inputs:
            _box(ax, t, 0, "input")
            _arrow(ax, (t, 0.3), (t, 0.7))
        if t in task.outputs:
            _box(ax, t, 2, "output")
            _arrow(ax, (t, 1.3), (t, 1.7))
    ax.set_xlim(-0.8, max(task.steps, 4) - 0.2)
    ax.set_ylim(-0.9, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(task.title, fontsize=11)
    ax.text((task.steps - 1) / 2, -0.75, task.example, ha="center", va="center", fontsize=9)


def task_taxonomy(tasks: tuple[Task, ...] = TASKS):
    """A figure with one panel per task shape; returns the matplotlib Figure."""
    fig, axes = plt.subplots(1, len(tasks), figsize=(4 * len(tasks), 3.4),
                             gridspec_kw={"width_ratios": [max(t.steps, 4) for t in tasks]})
    for ax, task in zip(axes, tasks):
        draw_task(ax, task)
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="black") for c in COLORS.values()]
    fig.legend(handles, ["input x_t", "state h_t (what the model keeps)", "output y_t"], loc="lower center",
               ncol=3, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def unrolled_rnn(words, title="A simple RNN unrolled in time: the same weights at every step"):
    """The recurrence H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h) drawn for ``words`` (notebook 02).

    One column per time step: the input X_t (the word) at the bottom, the state H_t above
    it; every vertical arrow is the same W_xh, every horizontal one the same W_hh.
    Returns the matplotlib Figure.
    """
    words = list(words)
    if not words:
        raise ValueError("unrolled_rnn needs at least one word, e.g. ['We', 'like', 'cats'].")
    fig, ax = plt.subplots(figsize=(1.9 * (len(words) + 1), 2.8))
    _box(ax, 0, 1, "hidden")
    ax.text(0, 1, "$H_0$", ha="center", va="center")
    for t, word in enumerate(words, start=1):
        _box(ax, t, 0, "input")
        ax.text(t, 0, word, ha="center", va="center", fontsize=9)
        ax.text(t, -0.5, f"$X_{{{t}}}$", ha="center", va="center", fontsize=9)
        _box(ax, t, 1, "hidden")
        ax.text(t, 1, f"$H_{{{t}}}$", ha="center", va="center")
        _arrow(ax, (t, 0.3), (t, 0.7))
        ax.text(t + 0.05, 0.5, "$W_{xh}$", fontsize=8, va="center")
        _arrow(ax, (t - 0.65, 1), (t - 0.35, 1))
        ax.text(t - 0.5, 1.12, "$W_{hh}$", fontsize=8, ha="center")
    ax.set_xlim(-0.6, len(words) + 0.6)
    ax.set_ylim(-0.8, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=11)
    return fig
