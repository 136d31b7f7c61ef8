"""Quiet TensorFlow on a CPU: no GPU-probe notices under a learner's cells (every Keras notebook).

TensorFlow prints, in red under the first cell that imports it, lines a CPU learner can
do nothing about: ``failed call to cuInit``, ``Could not find cuda drivers``, oneDNN and
CPU-instruction notices. Some come from C++ before logging is set up, so
``TF_CPP_MIN_LOG_LEVEL`` alone cannot hide them. :func:`install` sets the log level and
arranges that the first ``import tensorflow`` runs with the process's C-level stderr
sent to ``os.devnull``; Python exceptions and warnings are untouched. It must run before
TensorFlow (or Keras on its TensorFlow backend) is imported, i.e. ``import course_utils``
comes first in a notebook.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys

_LEVEL = "3"          # hides INFO, WARNING and ERROR lines of TensorFlow's C++ logging


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):
            self._loader.exec_module(module)
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            self._loader.exec_module(module)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


class _QuietFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as usual, then imports it with C-level stderr silenced (once)."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)               # one use; let the real finders find it
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install() -> bool:
    """Quiet the next ``import tensorflow``; False if TensorFlow is already imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", _LEVEL)
    if "tensorflow" in sys.modules:
        return False
    if not any(isinstance(f, _QuietFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietFinder())
    return True
