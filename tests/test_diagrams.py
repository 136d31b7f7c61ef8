import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import course_utils as cu  # noqa: E402


def test_task_taxonomy_draws_one_panel_per_task():
    fig = cu.diagrams.task_taxonomy()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [task.title for task in cu.diagrams.TASKS]
    for ax, task in zip(fig.axes, cu.diagrams.TASKS):
        boxes = [p for p in ax.patches if isinstance(p, plt.Rectangle)]
        assert len(boxes) == task.steps + len(task.inputs) + len(task.outputs)
    plt.close(fig)


def test_unrolled_rnn_draws_one_column_per_word():
    import pytest

    words = ["We", "like", "cats"]
    fig = cu.diagrams.unrolled_rnn(words)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, plt.Rectangle)]
    assert len(boxes) == 1 + 2 * len(words)                    # H_0, then X_t and H_t per word
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("$W_{hh}$") == texts.count("$W_{xh}$") == len(words)
    assert all(w in texts for w in words)
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one word"):
        cu.diagrams.unrolled_rnn([])
