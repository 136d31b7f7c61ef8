"""Make TensorFlow invisible, as on a machine where it has no wheel.

`make test` puts this folder on PYTHONPATH for the Keras-on-PyTorch run
(``KERAS_BACKEND=torch``), proving that the install path without TensorFlow
(requirements-torch.txt) is enough for the notebooks: ``import tensorflow`` fails and
``importlib.util.find_spec("tensorflow")`` is None, exactly as if it were not installed.
"""

import sys


def _hidden(name: str) -> bool:
    return name == "tensorflow" or name.startswith("tensorflow.")


class _WithoutTensorFlow:
    """Wraps one finder of sys.meta_path; finds nothing under the name tensorflow."""

    def __init__(self, finder):
        self._finder = finder

    def find_spec(self, name, path=None, target=None):
        if _hidden(name) or not hasattr(self._finder, "find_spec"):
            return None
        return self._finder.find_spec(name, path, target)

    def __getattr__(self, attr):
        return getattr(self._finder, attr)


sys.meta_path[:] = [_WithoutTensorFlow(f) for f in sys.meta_path]
