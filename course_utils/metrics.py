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

# -------------------------------------------------------------------------- helpers

def references_by_source(pairs: Sequence[tuple[str, str]]) -> tuple[list[str], list[list[str]]]:
    """Unique sources (first-seen order) and, for each, all its target sentences."""
    if len(pairs) == 0:
        raise ValueError("references_by_source got no pairs. Pass the test split, "
                         "e.g. cu.datasets.split_pairs(pairs)['test'].")
    refs: dict[str, list[str]] = {}
    for source, target in pairs:
        refs.setdefault(source, [])
        if target not in refs[source]:
            refs[source].append(target)
    return list(refs), list(refs.values())


def _as_multi(references, n_hyp: int) -> list[list[str]]:
    """References as one list of strings per hypothesis (a str means one reference)."""
    if len(references) != n_hyp:
        raise ValueError(f"got {n_hyp} hypotheses but {len(references)} references: pass one "
                         "reference (a str) or one list of references per hypothesis.")
    multi = [[r] if isinstance(r, str) else list(r) for r in references]
    for i, refs in enumerate(multi):
        if not refs or not all(isinstance(r, str) for r in refs):
            raise ValueError(f"reference {i} is {references[i]!r}: each must be a str or a "
                             "non-empty list of str.")
    return multi


def _check_hyps(hypotheses) -> None:
    if isinstance(hypotheses, str):
        raise ValueError("hypotheses must be a list of str, not one str: wrap it as [text].")
    if len(hypotheses) == 0:
        raise ValueError("got no hypotheses: decode the test split first.")
    if not all(isinstance(h, str) for h in hypotheses):
        raise ValueError("hypotheses must all be str: decode token ids to text first.")


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
    if predicted.ndim == 3:
        predicted = predicted.argmax(-1)
    if targets.ndim == 3:
        targets = targets.argmax(-1)
    if predicted.ndim != 2 or predicted.shape != targets.shape:
        raise ValueError(f"predicted {predicted.shape} and targets {targets.shape} must both be "
                         "(N, T) ids or (N, T, V) scores with the same N and T. Predict on the "
                         "same decoder inputs the targets belong to.")
    if predicted.size == 0:
        raise ValueError("token_accuracy got empty arrays: pass at least one sentence.")
    mask = np.ones(targets.shape, bool) if mask is None else np.asarray(mask, bool)
    if mask.shape != targets.shape:
        raise ValueError(f"mask has shape {mask.shape}, targets {targets.shape}: pass one "
                         "true/false per target position.")
    if not mask.any():
        raise ValueError("mask selects no position: check that it marks the real tokens.")
    return float((predicted == targets)[mask].mean())


def exact_match(hypotheses: Sequence[str], references) -> float:
    """Share of hypotheses equal (ignoring outer whitespace) to one of their references."""
    _check_hyps(hypotheses)
    multi = _as_multi(references, len(hypotheses))
    hits = [h.strip() in {r.strip() for r in refs} for h, refs in zip(hypotheses, multi)]
    return float(np.mean(hits))


def bleu(hypotheses: Sequence[str], references) -> float:
    """Corpus BLEU (sacrebleu, 13a tokenizer), 0-100; several references allowed."""
    import sacrebleu

    _check_hyps(hypotheses)
    multi = _as_multi(references, len(hypotheses))
    return float(sacrebleu.corpus_bleu(list(hypotheses), _streams(multi)).score)


def chrf(hypotheses: Sequence[str], references) -> float:
    """Corpus chrF (sacrebleu, character 6-grams, beta 2), 0-100; several references allowed."""
    import sacrebleu

    _check_hyps(hypotheses)
    multi = _as_multi(references, len(hypotheses))
    return float(sacrebleu.corpus_chrf(list(hypotheses), _streams(multi)).score)


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

    _check_hyps(hypotheses)
    if len(sources) != len(hypotheses):
        raise ValueError(f"got {len(sources)} sources but {len(hypotheses)} hypotheses: pass "
                         "one source sentence per hypothesis.")
    multi = _as_multi(references, len(hypotheses))
    if list(edges) != sorted(set(edges)) or not edges or edges[0] < 2:
        raise ValueError(f"edges={edges!r} must be increasing ints >= 2, e.g. (4, 6, 8, 11).")
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
