"""The executed notebooks the site is built from (_build/executed/<profile>/, written by
tools/nbval_save.py during `make test` step 1): each figure shown once.

A cell that ends in ``;`` shows no value in Jupyter; nbval used to run cells outside the
kernel's history, where IPython cannot see the ``;``, so every ``cu.diagrams.*(...);`` and
``cu.plots.*(...);`` cell showed its figure twice (the returned Figure, then the inline
backend's own copy) and ``ax.legend();`` printed ``<matplotlib.legend.Legend at 0x...>``.

Without executed copies the tests skip, unless `make test` (COURSE_SITE_REQUIRED=1) or CI
asked for them, like the browser test.
"""

import base64
import io
import json
import os
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from IPython.core.displayhook import DisplayHook

REPO = Path(__file__).resolve().parent.parent
PROFILE = os.environ.get("COURSE_SITE_PROFILE", "ci")
EXECUTED = REPO / "_build" / "executed" / PROFILE
REQUIRED = os.environ.get("CI", "").lower() == "true" or bool(os.environ.get("COURSE_SITE_REQUIRED"))


def executed_notebooks() -> list[Path]:
    found = sorted(EXECUTED.glob("*.ipynb")) if EXECUTED.is_dir() else []
    if not found:
        message = (f"no executed notebooks in {EXECUTED}: run `make test` (step 1) or "
                   f"`make site PROFILE={PROFILE}` first")
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return found


def code_cells(path: Path):
    """(number of the cell in the notebook, source, outputs) of each code cell."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            yield number, source, cell.get("outputs", [])


def _png(output: dict) -> str | None:
    data = output.get("data", {}).get("image/png")
    return "".join(data) if isinstance(data, list) else data


def same_picture(a: str, b: str) -> bool:
    """Two base64 PNGs show the same figure: equal bytes, or the same size with (almost) no
    pixel changed (a figure drawn twice with ``constrained_layout`` differs in a few bits)."""
    if a == b:
        return True
    first, second = (mpimg.imread(io.BytesIO(base64.b64decode(x)), format="png") for x in (a, b))
    if first.shape != second.shape:
        return False
    return float((np.abs(first - second) > 0.1).mean()) < 0.001


def repeated_pictures(outputs: list) -> int:
    """How many of a cell's images repeat an earlier image of the same cell."""
    pictures = [p for p in map(_png, outputs) if p]
    return sum(any(same_picture(earlier, p) for earlier in pictures[:i]) for i, p in enumerate(pictures))


def test_repeated_pictures_are_found_and_different_ones_are_not():
    def png(values):
        buffer = io.BytesIO()
        mpimg.imsave(buffer, np.asarray(values, dtype=float), format="png", cmap="gray", vmin=0, vmax=1)
        return {"output_type": "display_data",
                "data": {"image/png": base64.b64encode(buffer.getvalue()).decode()}}
    ramp = np.linspace(0, 1, 64 * 48).reshape(64, 48)
    assert repeated_pictures([png(ramp), png(ramp)]) == 1
    assert repeated_pictures([png(ramp), png(1 - ramp), {"output_type": "stream", "text": "x"}]) == 0


def test_no_cell_shows_the_same_figure_twice():
    repeated = []
    for path in executed_notebooks():
        for number, source, outputs in code_cells(path):
            twice = repeated_pictures(outputs)
            if twice:
                repeated.append(f"{path.stem}, cell {number} ({source.splitlines()[-1][:60]!r}): "
                                f"{twice} image(s) shown again")
    assert not repeated, "figures shown twice in one cell:\n" + "\n".join(repeated)


def test_a_trailing_semicolon_hides_the_cell_value_as_in_jupyter():
    shown = []
    for path in executed_notebooks():
        for number, source, outputs in code_cells(path):
            if DisplayHook.semicolon_at_end_of_expression(source):
                for out in outputs:
                    if out.get("output_type") == "execute_result":
                        text = out.get("data", {}).get("text/plain", "")
                        text = "".join(text) if isinstance(text, list) else text
                        shown.append(f"{path.stem}, cell {number}: {text[:60]!r}")
    assert not shown, ("cells that end in ';' show their value (run the notebooks through "
                       "tools/nbval_save.py, which keeps the kernel's history):\n" + "\n".join(shown))
