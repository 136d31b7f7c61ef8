"""Helpers for the sequence-models course; notebooks use ``import course_utils as cu``.

Small flat modules, each naming the notebook it serves:
``config`` (profiles, seeds, device), ``datasets`` (offline-first loaders),
``text`` (vocabularies, padding, batching), ``diagrams`` (notebook 01 figures),
``cells`` and ``plots`` (notebook 02), ``sentiment`` (notebook 04),
``language_model`` (notebook 05), ``decoding``, ``metrics`` and ``seq2seq`` (notebook 03),
``attention`` and ``translators`` (notebook 06).
"""

from . import (
               attention,
               cells,
               config,
               datasets,
               decoding,
               diagrams,
               language_model,
               metrics,
               plots,
               sentiment,
               seq2seq,
               text,
               translators,
)
from .config import device, env_report, pick, profile, profile_table, set_seed
from .text import Vocab, batches, one_hot, pad_sequences

__all__ = [
    "config", "datasets", "diagrams", "text",
    "cells", "plots",
    "language_model", "sentiment", "decoding", "metrics", "seq2seq", "attention", "translators",
    "device", "env_report", "pick", "profile", "profile_table", "set_seed",
    "Vocab", "batches", "one_hot", "pad_sequences",
]
