"""pytest set-up shared by the unit tests and the nbval notebook runs."""


def pytest_collectstart(collector):
    """Notebook outputs are checked by `assert` cells, so stderr (warnings, progress
    bars) and rich HTML are never compared."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr", "text/html", "application/javascript")
