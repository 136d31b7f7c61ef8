"""pytest plugin: keep the notebooks that nbval executes, with their outputs.

    python -m pytest notebooks --nbval-lax --nbval-current-env -p tools.nbval_save \\
        --nbval-save _build/executed/ci

nbval runs every code cell and checks it; it does not write the executed notebook. With
this plugin each notebook it ran is written to ``<dir>/<stem>.ipynb`` with the outputs of
that very run (cells run as Jupyter runs them, so a trailing ``;`` hides the value; streams
as the screen showed them, progress bars as static HTML from the saved widget state,
TensorFlow's GPU-probe noise dropped), and ``<dir>/<stem>.key.json``
says which source and environment produced it (see ``tools/build_site.py``). The site is built
from these, so ``make test`` executes each notebook once for both checks and pages.
"""

from __future__ import annotations

import copy
import json
import queue
from pathlib import Path

import nbformat
import pytest

from tools import build_site, nbout

_CAPTURED: dict[str, dict[int, list]] = {}

WIDGET_STATE_CODE = """\
import json as _json, sys as _sys
_w = _sys.modules.get("ipywidgets")
print("@@widgets@@" + _json.dumps(_w.Widget.get_manager_state(drop_defaults=False) if _w else {}))
del _json, _sys, _w
"""


def pytest_addoption(parser):
    parser.addoption("--nbval-save", metavar="DIR", default=None,
                     help="write each notebook nbval executes, with its outputs, to DIR")


def _enabled(config) -> Path | None:
    value = config.getoption("--nbval-save", default=None)
    return Path(value) if value else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield
    outputs = getattr(item, "test_outputs", None)      # None: skipped (NBVAL_SKIP), never ran
    if _enabled(item.config) is not None and outputs is not None and hasattr(item, "cell_num"):
        _CAPTURED.setdefault(str(item.parent.fspath), {})[item.cell_num] = copy.deepcopy(outputs)


def _widget_state(kernel) -> dict:
    """The kernel's live widgets (what a saved notebook's metadata holds), or {}."""
    try:
        msg_id = kernel.kc.execute(WIDGET_STATE_CODE, store_history=False, allow_stdin=False)
        text = ""
        while True:
            msg = kernel.get_message(stream="iopub", timeout=20)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                text += msg["content"]["text"]
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        marker = text.rfind("@@widgets@@")
        return json.loads(text[marker + len("@@widgets@@"):]) if marker >= 0 else {}
    except (queue.Empty, json.JSONDecodeError, RuntimeError, AttributeError):
        return {}


def save_executed(path: Path, source_nb, captured: dict[int, list], widget_state: dict,
                  folder: Path) -> Path:
    """Write ``source_nb`` with the captured outputs of its code cells into ``folder``."""
    nb = copy.deepcopy(source_nb)
    code_index, failed = 0, False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        intended = ("NBVAL_RAISES_EXCEPTION" in cell.source
                    or "raises-exception" in cell.metadata.get("tags", []))
        if not intended and any(o.get("output_type") == "error" for o in captured.get(code_index, [])):
            failed = True
        if code_index in captured:
            outputs = nbout.clean_outputs(captured[code_index], widget_state)
            cell.outputs = [nbformat.from_dict(o) for o in outputs]
            cell.execution_count = code_index + 1
        else:                                   # skipped, or never reached
            cell.outputs, cell.execution_count = [], None
        code_index += 1
    nb.metadata.pop("widgets", None)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{path.stem}.ipynb"
    nbformat.write(nb, out)
    key = build_site.cache_key(path)
    if failed:                  # never mistaken for a good run: the next `make site` reruns it
        key["failed"] = True
    (folder / f"{path.stem}.key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    return out


def run_cells_as_jupyter_does() -> None:
    """Make nbval run each cell with ``store_history=True``, as Jupyter does.

    nbval runs cells with ``store_history=False``. IPython looks for a trailing ``;`` in the
    last cell of its *history*, so outside the history ``cu.plots.state_trajectory(...);``
    showed its returned Figure and then the inline backend's copy (two images), and
    ``ax.legend();`` printed ``<matplotlib.legend.Legend at 0x...>``: outputs a learner never
    sees in JupyterLab (tests/test_executed_notebooks.py checks the saved runs).
    """
    from nbval.kernel import RunningKernel

    if getattr(RunningKernel.execute_cell_input, "_with_history", False):
        return

    def execute_cell_input(self, cell_input, allow_stdin=None):
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin,
                               stop_on_error=False)

    execute_cell_input._with_history = True
    RunningKernel.execute_cell_input = execute_cell_input


def pytest_configure(config):
    folder = _enabled(config)
    if folder is None:
        return
    run_cells_as_jupyter_does()
    from nbval.plugin import IPyNbFile

    original = IPyNbFile.teardown
    if getattr(original, "_saves", False):
        return

    def teardown(self):
        captured = _CAPTURED.pop(str(self.fspath), None)
        if captured is not None and getattr(self, "nb", None) is not None:
            alive = self.kernel is not None and self.kernel.is_alive()
            state = _widget_state(self.kernel) if alive else {}
            save_executed(Path(str(self.fspath)), self.nb, captured, state, folder)
        original(self)

    teardown._saves = True
    IPyNbFile.teardown = teardown
