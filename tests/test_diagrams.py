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
