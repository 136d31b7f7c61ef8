"""Greedy and beam-search decoding over a step function (notebooks 03 and 06).

A decoder that writes a sentence token by token is, for decoding, just a **step
function**: given the previous token of every sequence in a batch and the decoder's
state, it returns log-probabilities of the next token and the new state::

    step(prev_tokens, state) -> (log_probs, new_state)
         prev_tokens: (B,) int ids          log_probs: (B, V), log p(y_t | y_<t, x)
         state: any nesting of tuples / lists / dicts of arrays whose first axis is B

Nothing here knows about Keras or PyTorch: notebook 03 wraps Keras inference models
into step functions (``course_utils.seq2seq``), notebook 06 wraps PyTorch modules. State
arrays may be NumPy arrays or PyTorch tensors: tensors are gathered on their own device
(no copy to the CPU per step); ``log_probs`` must convert with ``np.asarray``.

Every decoder here scores its outputs by one rule. An output :math:`y = (y_1, \\dots, y_L)`
either **ended**: :math:`y_L` is the end token, written at step :math:`L \\le` ``max_len``,
or was **cut**: ``max_len`` tokens, none of them the end token, so :math:`L` = ``max_len``.
Its score is the sum of the log-probabilities of its :math:`L` tokens

.. math::  s(y) = \\sum_{t=1}^{L} \\log p(y_t \\mid y_{<t}, x),

so an ended output's score includes its end token, and a cut output has no end token to
score. The decoders return the tokens without start and end tokens: ``len(ids)`` is
:math:`L - 1` for an ended output and :math:`L` for a cut one; ``sequence_log_prob``
recomputes :math:`s(y)` from them. Beam search may divide by a length penalty (GNMT,
Wu et al. 2016)

.. math::  \\tilde s(y) = s(y) / \\mathrm{lp}(L), \\qquad
           \\mathrm{lp}(L) = \\left(\\frac{5 + L}{6}\\right)^{\\alpha},

where :math:`\\alpha` = ``length_penalty`` (0 gives the plain sum; larger values favour
longer outputs, since every log-probability is negative) and :math:`L` counts the end
token as above.

- ``greedy_decode``: at every step take :math:`\\arg\\max_v \\log p(v \\mid \\dots)`,
  for the whole batch at once; one ``step`` call per time step.
- ``beam_search``: keep the ``beam_width`` best prefixes of every sentence
  (batch x beams rows in one ``step`` call); with ``beam_width=1`` it is greedy.
- ``sequence_log_prob``: the score :math:`s(y)` of given outputs, to compare decoders;
  given the decoder's ``max_len`` it returns exactly the scores the decoder returned.
- ``translate``: sentences in, sentences out, with a model of ``course_utils.translators``
  (its ``start`` / ``step``) and greedy decoding or beam search (notebook 06).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .checks import check_args, check_weights
from .text import Vocab, as_ids, pad_sequences

Step = Callable[[np.ndarray, object], tuple[np.ndarray, object]]


# ------------------------------------------------------------------- state pytrees

def tree_map(fn, tree):
    """Apply ``fn`` to every array in a nesting of tuples, lists and dicts (None kept)."""
    if tree is None:
        return None
    if isinstance(tree, dict):
        return {k: tree_map(fn, v) for k, v in tree.items()}
    if isinstance(tree, (tuple, list)):
        return type(tree)(tree_map(fn, v) for v in tree)
    return fn(tree)


def tree_leaves(tree) -> list:
    """The arrays of a state pytree, in a fixed order."""
    leaves = []
    tree_map(leaves.append, tree)
    return leaves


def _take_rows(array, rows: np.ndarray):
    if hasattr(array, "index_select") and hasattr(array, "device"):   # a torch tensor
        import torch

        return array.index_select(0, torch.as_tensor(rows, device=array.device))
    return np.take(np.asarray(array), rows, axis=0)


def gather_state(state, rows: np.ndarray):
    """Rows ``rows`` of every array of ``state`` (first axis = batch); tensors stay put."""
    return tree_map(lambda a: _take_rows(a, rows), state)


def _check_args(state, batch_size, start_id, end_id, max_len, beam_width=1, length_penalty=0.0):
    """Validate a decoder's arguments once, before the first step."""
    size, token = "a positive int", "an int >= 0"
    check_args("decoding", " (beam_width=1 is greedy)", batch_size=(batch_size, size),
               max_len=(max_len, size), beam_width=(beam_width, size), start_id=(start_id, token),
               end_id=(end_id, token), length_penalty=(length_penalty, "a number >= 0"))
    shapes = [tuple(np.shape(a)) for a in tree_leaves(state)]
    if state is None or any(not s or s[0] != batch_size for s in shapes):
        raise ValueError(f"init_state is {'None' if state is None else shapes}: every state array needs the "
                         f"batch ({batch_size}) first. Pass one state row per sentence (e.g. the encoder's).")


def _call_step(step: Step, prev: np.ndarray, state, rows: int, max_id: int | None = None):
    """One decoder step; with ``max_id`` (the first step) its output is checked too."""
    log_probs, new_state = step(prev, state)
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if max_id is not None and not (log_probs.ndim == 2 and log_probs.shape[0] == rows
                                   and log_probs.shape[1] > max_id
                                   and np.abs(np.exp(log_probs).sum(1) - 1).max() <= 1e-2):
        raise ValueError(f"step returned shape {log_probs.shape}, not ({rows}, V > {max_id}) log-probs"
                         " (exp sums to 1, no NaN): return log_softmax(logits), not probabilities or logits;"
                         " squeeze a (B, 1, V) output; use the vocabulary the model was trained on.")
    return log_probs, new_state


def _trim(row: Sequence[int], end_id: int) -> list[int]:
    """The tokens before the first end token."""
    row = [int(t) for t in row]
    return row[:row.index(end_id)] if end_id in row else row


# -------------------------------------------------------------------------- greedy

def greedy_decode(step: Step, init_state, batch_size: int, start_id: int, end_id: int,
                  max_len: int, return_scores: bool = False):
    """Batched greedy decoding: :math:`y_t = \\arg\\max_v \\log p(v \\mid y_{<t}, x)`.

    Calls ``step`` once per time step for all ``batch_size`` sequences, and stops when
    every sequence has produced ``end_id`` or after ``max_len`` steps. Returns a list of
    ``batch_size`` token lists without the start and end tokens; with
    ``return_scores=True`` also their (B,) scores :math:`s(y)`: the end token's
    log-probability included for an ended output, none for an output cut at ``max_len``
    (equal to ``sequence_log_prob(..., max_len=max_len)`` of the returned lists).
    """
    _check_args(init_state, batch_size, start_id, end_id, max_len)
    state, prev = init_state, np.full(batch_size, start_id, dtype=np.int64)   # (B,)
    done = np.zeros(batch_size, dtype=bool)                                     # (B,)
    scores = np.zeros(batch_size)                                               # (B,)
    rows = np.arange(batch_size)
    tokens = []
    for t in range(max_len):
        log_probs, state = _call_step(step, prev, state, batch_size, end_id if t == 0 else None)
        best = log_probs.argmax(axis=1)                                        # (B,)
        scores += np.where(done, 0.0, log_probs[rows, best])
        prev = np.where(done, end_id, best).astype(np.int64)
        tokens.append(prev)
        done |= prev == end_id
        if done.all():
            break
    out = [_trim(row, end_id) for row in np.stack(tokens, axis=1)]            # (B, T) -> lists
    return (out, scores) if return_scores else out


# ----------------------------------------------------------------------------- beam

def length_penalty_factor(lengths, alpha: float) -> np.ndarray:
    """GNMT's :math:`((5 + L) / 6)^\\alpha`; 1 when ``alpha`` is 0."""
    return ((5.0 + np.asarray(lengths, dtype=np.float64)) / 6.0) ** alpha


def beam_search(step: Step, init_state, batch_size: int, start_id: int, end_id: int,
                max_len: int, beam_width: int = 4, length_penalty: float = 0.0,
                return_scores: bool = False):
    """Batched beam search: the ``beam_width`` best prefixes of every sentence.

    All ``batch_size * beam_width`` hypotheses go through ``step`` together, as rows
    ``b * beam_width + k``. At every step each live hypothesis is extended by every
    token, the candidate scores :math:`s(y_{<t}) + \\log p(v \\mid y_{<t}, x)` of a
    sentence are ranked (shape (K * V,)), and the best K survive; their states are
    gathered from their parents' rows. A hypothesis that produced ``end_id`` is kept
    frozen (its only continuation is ``end_id`` at log-probability 0), so it competes
    with the live ones at a fixed score. At the end the hypothesis with the best
    :math:`s(y) / \\mathrm{lp}(L)` wins (see the module docstring). Ties go to the lower
    beam and token index, so ``beam_width=1`` reproduces ``greedy_decode`` exactly.

    Returns a list of ``batch_size`` token lists without start and end tokens; with
    ``return_scores=True`` also their (B,) scores :math:`s(y) / \\mathrm{lp}(L)`, where
    :math:`s(y)` is ``sequence_log_prob(..., max_len=max_len)`` of the returned lists (end
    token included for an ended output, none for one cut at ``max_len``) and :math:`L` is
    ``len(ids) + 1`` for an ended output, ``max_len`` for a cut one. With
    ``length_penalty=0`` (the default) the score is :math:`s(y)` itself.
    """
    _check_args(init_state, batch_size, start_id, end_id, max_len, beam_width, length_penalty)
    B, K = batch_size, beam_width
    state = gather_state(init_state, np.repeat(np.arange(B), K))              # (B*K, ...)
    prev = np.full(B * K, start_id, dtype=np.int64)                           # (B*K,)
    scores = np.full((B, K), -np.inf)
    scores[:, 0] = 0.0                                   # at first only beam 0 is real
    done = np.zeros((B, K), dtype=bool)
    lengths = np.zeros((B, K), dtype=np.int64)
    history = np.zeros((B, K, 0), dtype=np.int64)                              # (B, K, t)
    for t in range(max_len):
        log_probs, state = _call_step(step, prev, state, B * K, end_id if t == 0 else None)
        V = log_probs.shape[1]
        log_probs = log_probs.reshape(B, K, V)
        frozen = np.full(V, -np.inf)
        frozen[end_id] = 0.0
        log_probs = np.where(done[:, :, None], frozen, log_probs)            # (B, K, V)
        candidates = (scores[:, :, None] + log_probs).reshape(B, K * V)      # (B, K*V)
        # Best first; where rounding makes two sums equal, the likelier last step first, as
        # greedy decoding chooses it (so width 1 is greedy decoding, to the last bit).
        best = np.lexsort((-log_probs.reshape(B, K * V), -candidates), axis=1)[:, :K]   # (B, K)
        parent, token = best // V, best % V                                  # (B, K) each
        scores = np.take_along_axis(candidates, best, axis=1)
        was_done = np.take_along_axis(done, parent, axis=1)
        lengths = np.take_along_axis(lengths, parent, axis=1) + ~was_done
        history = np.concatenate(
            [np.take_along_axis(history, parent[:, :, None], axis=1), token[:, :, None]], axis=2)
        done = was_done | (token == end_id)
        state = gather_state(state, (np.arange(B)[:, None] * K + parent).ravel())
        prev = token.ravel().astype(np.int64)
        if done.all():
            break
    final = scores / length_penalty_factor(lengths, length_penalty)                  # (B, K)
    winner = np.argsort(-final, axis=1, kind="stable")[:, 0]                         # (B,)
    out = [_trim(history[b, winner[b]], end_id) for b in range(B)]
    return (out, final[np.arange(B), winner]) if return_scores else out


# ---------------------------------------------------------------------------- scoring

def sequence_log_prob(step: Step, init_state, sequences: Sequence[Sequence[int]],
                      start_id: int, end_id: int, max_len: int | None = None) -> np.ndarray:
    """:math:`s(y) = \\sum_t \\log p(y_t \\mid y_{<t}, x)` of given outputs (module docstring).

    ``sequences`` holds B token lists, one per sentence, without start and end tokens, as
    the decoders return them. A list is scored with ``end_id`` appended (an ended output),
    except when ``max_len`` is given and the list has ``max_len`` tokens: a decoder run
    with that ``max_len`` cut it there, so it is scored without an end token. Pass the
    decoder's ``max_len`` to get exactly the scores the decoder returned; without it every
    list counts as ended. Returns a (B,) array. Use it to check that beam search found a
    higher-scoring output than greedy decoding.
    """
    sequences = [as_ids(s, what=f"sequence_log_prob (sequence {b})").tolist()
                 for b, s in enumerate(sequences)]
    B = len(sequences)
    _check_args(init_state, B, start_id, end_id, 1 if max_len is None else max_len)
    if max_len is not None and max(map(len, sequences)) > max_len:
        raise ValueError(f"sequence_log_prob: a sequence has more than max_len={max_len} tokens; "
                         "pass the max_len the decoder ran with.")
    targets = [s if len(s) == max_len else s + [end_id] for s in sequences]
    T = max(len(t) for t in targets)
    padded = np.full((B, T), end_id, dtype=np.int64)
    for b, t in enumerate(targets):
        padded[b, :len(t)] = t
    state, prev, total = init_state, np.full(B, start_id, dtype=np.int64), np.zeros(B)
    for t in range(T):
        log_probs, state = _call_step(step, prev, state, B, padded.max() if t == 0 else None)
        active = np.array([t < len(s) for s in targets])
        total += np.where(active, log_probs[np.arange(B), padded[:, t]], 0.0)
        prev = padded[:, t]
    return total


# ------------------------------------------------------------- translating sentences

def translate(model, src_vocab: Vocab, tgt_vocab: Vocab, sentences: Sequence[str],
              beam_width: int = 1, batch_size: int = 256, max_len: int | None = None,
              length_penalty: float = 0.0) -> list[str]:
    """Translate ``sentences`` with greedy decoding (``beam_width=1``) or beam search.

    Every input is checked here, once; the ids this function makes from them go to
    ``model.start(..., validate=False)`` unchecked. Sentences are encoded with
    ``src_vocab``, decoded in batches of similar length
    (``course_utils.decoding`` over ``model.start`` / ``model.step``) and turned into
    text with ``tgt_vocab.decode``; the results come back in the input order. A
    sentence of :math:`T_x` words gets at most ``max_len`` output words, by default
    :math:`2 T_x + 10` (and never more than a Transformer's ``max_len``).
    ``length_penalty`` is beam search's :math:`\\alpha` (see ``course_utils.decoding``).
    """
    if isinstance(sentences, str):
        raise ValueError("translate expects a list of sentences, not one str: wrap it as [text].")
    sentences = list(sentences)
    if not sentences:
        raise ValueError("translate got no sentences: pass a non-empty list of str, e.g. the "
                         "test sources of cu.metrics.references_by_source(test_pairs).")
    if not all(isinstance(s, str) for s in sentences):
        raise ValueError("translate expects every sentence as a str; decode ids to text first.")
    if not all(hasattr(model, name) for name in ("start", "step", "src_vocab_size", "tgt_vocab_size")):
        raise ValueError(f"translate needs a GRUTranslator or TransformerTranslator, got "
                         f"{type(model).__name__}.")
    check_weights(model, "translate")
    for vocab, size, side in ((src_vocab, model.src_vocab_size, "source"),
                              (tgt_vocab, model.tgt_vocab_size, "target")):
        if len(vocab) != size:
            raise ValueError(f"the {side} vocabulary has {len(vocab)} tokens but the model was "
                             f"built for {size}. Pass the vocabularies the model was trained with "
                             "(source first, then target).")
    for name, value in (("beam_width", beam_width), ("batch_size", batch_size), ("max_len", max_len)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ValueError(f"{name}={value!r} must be an int >= 1"
                             + (" (or None for 2 * source words + 10)." if name == "max_len" else "."))
    ids = [src_vocab.encode(s) for s in sentences]
    lengths = [len(row) for row in ids]
    if min(lengths) == 0 or model.max_len is not None and max(lengths) > model.max_len:
        i = int(np.argmin(lengths)) if min(lengths) == 0 else int(np.argmax(lengths))
        raise ValueError(f"sentence {i} ({sentences[i]!r}) has {lengths[i]} words, but the model "
                         f"translates 1 to {model.max_len or 'any number of'} words: leave it out.")
    order = np.argsort(lengths, kind="stable")                           # short ones together
    out: list[str] = [""] * len(sentences)
    for i in range(0, len(order), batch_size):
        rows = order[i:i + batch_size]
        bounds = [max_len or 2 * len(ids[r]) + 10 for r in rows]         # output words per sentence
        steps = max(bounds) if model.max_len is None else min(max(bounds), model.max_len)
        src = pad_sequences([ids[r] for r in rows], value=Vocab.pad_id)  # (B, S), made here: valid
        state = model.start(src, validate=False)
        kw = dict(batch_size=len(rows), start_id=Vocab.start_id, end_id=Vocab.end_id, max_len=steps)
        decoded = (greedy_decode(model.step, state, **kw) if beam_width == 1 else
                   beam_search(model.step, state, beam_width=beam_width,
                                length_penalty=length_penalty, **kw))
        for r, tokens, bound in zip(rows, decoded, bounds):
            out[r] = tgt_vocab.decode(tokens[:bound])
    return out
