"""Translation metrics on a held-out test split (notebooks 03 and 06).

- ``token_accuracy``: teacher-forced accuracy. The model sees the true previous tokens
  and we count how often its most likely next token is the true one,
  :math:`\\frac{1}{|M|} \\sum_{(n,t) \\in M} [\\hat y_{n,t} = y_{n,t}]`, over a set of
  positions :math:`M`. The classic Keras recipe counts *all* padded positions (its
  padding is a space the model must also predict, which is easy and inflates the
  number); ``mask=`` restricts :math:`M` to real positions (characters and the end
  marker), the honest number.
- ``exact_match``: the share of outputs identical to one of their references.
- ``bleu`` / ``chrf``: sacrebleu's corpus BLEU (word n-gram precision with a brevity
  penalty) and chrF (character n-gram F-score; kinder to small spelling slips), 0-100.
- ``bleu_by_length``: BLEU and chrF per bucket of source length, to see where a model
  breaks down.
- ``references_by_source``: Tatoeba gives one English sentence several Spanish
  translations; evaluate each source once, against all its translations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .datasets import check_pairs
from .text import as_ids, check_texts

# -------------------------------------------------------------------------- helpers

def references_by_source(pairs: Sequence[tuple[str, str]]) -> tuple[list[str], list[list[str]]]:
    """Unique sources (first-seen order) and, for each, all its target sentences."""
    check_pairs(pairs, "references_by_source")
    refs: dict[str, list[str]] = {}
    for source, target in pairs:
        refs.setdefault(source, [])
        if target not in refs[source]:
            refs[source].append(target)
    return list(refs), list(refs.values())


def _as_multi(references, hypotheses) -> tuple[list[str], list[list[str]]]:
    """Hypotheses as a list of str, references as one list of str per hypothesis (a str
    means one reference)."""
    hypotheses = check_texts(hypotheses, "hypotheses")
    multi = [] if isinstance(references, str) else [[r] if isinstance(r, str) else r for r in references]
    bad = [f"reference {i} is {r!r}" for i, r in enumerate(multi) if not isinstance(r, (list, tuple))
           or not r or not all(isinstance(s, str) for s in r)]
    if len(multi) != len(hypotheses) or bad:
        raise ValueError(f"got {len(hypotheses)} hypotheses, {len(multi)} references {bad[:1]}: pass one "
                         "reference (a str) or a non-empty list of them per hypothesis (never None).")
    return hypotheses, [list(r) for r in multi]


def _streams(multi: list[list[str]]) -> list[list[str | None]]:
    """sacrebleu's layout: reference stream k holds every sentence's k-th reference."""
    depth = max(len(refs) for refs in multi)
    return [[refs[k] if k < len(refs) else None for refs in multi] for k in range(depth)]


# -------------------------------------------------------------------------- metrics

def token_accuracy(predicted, targets, mask=None) -> float:
    """Teacher-forced accuracy: mean of ``predicted == targets`` where ``mask`` is true.

    ``predicted`` holds ids (N, T) or scores/probabilities (N, T, V) (then argmax);
    ``targets`` holds ids (N, T) or one-hot (N, T, V); ``mask`` (N, T) selects the
    positions that count (None: all of them, as the Keras recipe does).
    """
    predicted, targets = np.asarray(predicted), np.asarray(targets)
    V = predicted.shape[-1] if predicted.ndim == 3 else None
    if V is not None and np.isnan(predicted).any():
        raise ValueError("predicted scores hold NaN: the model diverged. Lower the learning rate.")
    predicted = as_ids(predicted.argmax(-1) if V else predicted, ndim=2, what="token_accuracy predicted")
    targets = as_ids(targets.argmax(-1) if targets.ndim == 3 else targets, V, 2, "token_accuracy targets")
    mask = np.ones(targets.shape, bool) if mask is None else np.asarray(mask)
    if not (predicted.shape == targets.shape == mask.shape and np.isin(mask, (0, 1)).all() and mask.any()):
        raise ValueError(f"predicted {predicted.shape}, targets {targets.shape} and mask {mask.shape} need "
                         "one (N, T) shape (predictions may add V) and a true/false mask that selects a "
                         "position: predict on the targets' decoder inputs; e.g. mask=targets != 0.")
    return float((predicted == targets)[mask.astype(bool)].mean())


def exact_match(hypotheses: Sequence[str], references) -> float:
    """Share of hypotheses equal (ignoring outer whitespace) to one of their references."""
    hypotheses, multi = _as_multi(references, hypotheses)
    hits = [h.strip() in {r.strip() for r in refs} for h, refs in zip(hypotheses, multi)]
    return float(np.mean(hits))


def bleu(hypotheses: Sequence[str], references) -> float:
    """Corpus BLEU (sacrebleu, 13a tokenizer), 0-100; several references allowed."""
    import sacrebleu

    hypotheses, multi = _as_multi(references, hypotheses)
    return float(sacrebleu.corpus_bleu(hypotheses, _streams(multi)).score)


def chrf(hypotheses: Sequence[str], references) -> float:
    """Corpus chrF (sacrebleu, character 6-grams, beta 2), 0-100; several references allowed."""
    import sacrebleu

    hypotheses, multi = _as_multi(references, hypotheses)
    return float(sacrebleu.corpus_chrf(hypotheses, _streams(multi)).score)


def evaluate(hypotheses: Sequence[str], references) -> dict[str, float]:
    """Exact match (%), BLEU and chrF of one system, as a dict."""
    return {"exact match %": 100 * exact_match(hypotheses, references),
            "BLEU": bleu(hypotheses, references), "chrF": chrf(hypotheses, references)}


def bleu_by_length(sources: Sequence[str], hypotheses: Sequence[str], references,
                   edges: Sequence[int] = (4, 6, 8, 11)):
    """BLEU and chrF per bucket of source length in words: a pandas DataFrame.

    ``edges`` are the bucket starts after the first: (4, 6, 8, 11) gives buckets
    1-3, 4-5, 6-7, 8-10 and 11+ words. Empty buckets are left out.
    """
    import pandas as pd

    hypotheses, multi = _as_multi(references, hypotheses)
    if len(check_texts(sources, "sources")) != len(hypotheses) or not 2 <= min(edges, default=0) \
            or list(edges) != sorted(set(edges)):
        raise ValueError(f"got {len(sources)} sources for {len(hypotheses)} hypotheses and {edges=}: pass one"
                         " source sentence per hypothesis and increasing int edges >= 2, e.g. (4, 6, 8, 11).")
    bounds = [1, *edges]
    names = [f"{a}-{b - 1}" if b - 1 > a else f"{a}" for a, b in zip(bounds, bounds[1:])]
    names.append(f"{bounds[-1]}+")
    n_words = np.array([len(s.split()) for s in sources])
    bucket = np.searchsorted(np.array(edges), n_words, side="right")
    rows = []
    for k, name in enumerate(names):
        idx = np.flatnonzero(bucket == k)
        if len(idx) == 0:
            continue
        hyps = [hypotheses[i] for i in idx]
        refs = [multi[i] for i in idx]
        rows.append({"source words": name, "sentences": len(idx), "BLEU": bleu(hyps, refs),
                     "chrF": chrf(hyps, refs), "exact match %": 100 * exact_match(hyps, refs)})
    return pd.DataFrame(rows).set_index("source words")
