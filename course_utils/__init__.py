"""Helpers for the sequence-models course; notebooks use ``import course_utils as cu``.

Small flat modules, each naming the notebook it serves:
``config`` (profiles, seeds, device), ``datasets`` (offline-first loaders),
``text`` (vocabularies, padding, batching), ``diagrams`` (notebook 01 figures),
``cells``, ``convert`` and ``plots`` (notebook 02), ``sentiment`` (notebook 04),
``language_model`` (notebook 05), ``decoding``, ``metrics`` and ``seq2seq`` (notebook 03),
``attention`` and ``translators`` (notebook 06): the models and what they need. Beside
them, as nanoGPT keeps ``train.py`` beside ``model.py``, ``training`` holds the loops that
train the PyTorch models (``fit_language_model``, ``fit_translator``), parameter counts
and the history format every ``fit`` returns; ``decoding.translate`` turns sentences into
translations with any of them. ``results`` (recorded runs) and ``quiet`` (TensorFlow's
start-up notices hidden on a CPU) serve them all.
"""

from .quiet import install as _quiet_tensorflow

_quiet_tensorflow()      # before any submodule imports Keras or TensorFlow

from . import (  # noqa: E402
               attention,
               cells,
               config,
               convert,
               datasets,
               decoding,
               diagrams,
               language_model,
               metrics,
               plots,
               results,
               sentiment,
               seq2seq,
               text,
               training,
               translators,
)
from .config import course_seed, device, env_report, pick, profile, profile_table, set_seed  # noqa: E402
from .results import record as record_results  # noqa: E402
from .text import Vocab, batches, one_hot, pad_sequences  # noqa: E402
from .training import count_parameters  # noqa: E402

__all__ = [
    "config", "datasets", "diagrams", "text",
    "cells", "convert", "plots", "quiet",
    "language_model", "sentiment", "decoding", "metrics", "seq2seq", "attention", "translators",
    "results", "training", "count_parameters", "record_results",
    "course_seed", "device", "env_report", "pick", "profile", "profile_table", "set_seed",
    "Vocab", "batches", "one_hot", "pad_sequences",
]
