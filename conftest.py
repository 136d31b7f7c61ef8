"""pytest set-up shared by the unit tests and the nbval notebook runs."""


def pytest_collectstart(collector):
    """Notebook outputs are checked by `assert` cells, so stderr (warnings, progress
    bars) and rich HTML are never compared."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr", "text/html", "application/javascript")


def _recorded_seconds(stem: str) -> float:
    """Seconds of the notebook ``stem``'s recorded run in the active profile, else in ci (or 0)."""
    import json
    import os
    from pathlib import Path

    results = Path(__file__).resolve().parent / "results"
    for profile in (os.environ.get("COURSE_PROFILE") or "ci", "ci"):    # else ci's, as a guide
        try:
            return float(json.loads((results / f"{stem}.{profile}.json").read_text(encoding="utf-8"))
                         ["seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return 0.0


def pytest_collection_modifyitems(config, items):
    """Notebooks longest first (by their recorded runs), each notebook's cells in order.

    `make test` runs two notebooks at once (pytest-xdist, ``--dist loadfile
    --no-loadscope-reorder``, which hands out notebooks in this order): the longest start
    first, so no worker is left with a long notebook while the other has finished.
    """
    notebooks = {str(item.fspath) for item in items if str(item.fspath).endswith(".ipynb")}
    if len(notebooks) < 2:
        return
    seconds = {path: _recorded_seconds(path.rsplit("/", 1)[-1][:-len(".ipynb")]) for path in notebooks}
    order = {item: k for k, item in enumerate(items)}
    items.sort(key=lambda item: (-seconds.get(str(item.fspath), 0.0), order[item]))
