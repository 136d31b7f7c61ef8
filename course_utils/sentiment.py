"""Sentiment classification of movie reviews (notebook 04, ``04_sentiment_classification``).

Small helpers, bottom-up:

- ``clean_review``: raw IMDb text -> plain text (``<br />`` and other tags, ``&amp;``);
- ``shuffle_words``, ``shuffle_ids``: the word-order probe, the same words (or ids)
  in a random order;
- ``binary_metrics``: accuracy, ROC AUC and confusion matrix from probabilities;
- ``most_confident_mistakes``: the reviews a model got wrong with the most confidence;
- ``build_rnn_classifier``: Embedding -> (bidirectional) LSTM/GRU -> pooling -> sigmoid,
  with masking, so that every rung of the notebook's recurrent ladder comes from one
  function and differs from the previous rung in one argument;
- ``build_cnn_classifier``: Embedding -> Conv1D -> global max pooling over the real
  tokens -> sigmoid, the convolutional model beside them.

Everything works on plain Python lists and NumPy arrays, so the notebook runs on both
Keras backends (``KERAS_BACKEND=tensorflow`` or ``torch``). Keras is imported inside
the two builders only, so ``import course_utils`` stays fast.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import numpy as np

from .checks import check_args
from .text import as_ids, check_texts

_TAG = re.compile(r"</?[A-Za-z][^<>]{0,40}>")      # <br />, <i>, </i>, <hr>, <SPOILER> ...
_SPACE = re.compile(r"\s+")
CELLS = ("lstm", "gru")
POOLINGS = ("last", "mean")
CNN_POOLINGS = ("max", "max+mean")


def _check_same_length(**arrays) -> int:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"Mismatched lengths {lengths}: pass one value per review, "
                         "all for the same reviews in the same order.")
    n = next(iter(lengths.values()))
    if n == 0:
        raise ValueError(f"{', '.join(lengths)} are empty: pass at least one review.")
    return n


# ------------------------------------------------------------------------------ text

def clean_review(text: str) -> str:
    """Plain text of an IMDb review: tags become spaces, entities become characters.

    >>> clean_review("Great film.<br /><br />Loved it &amp; cried.")
    'Great film. Loved it & cried.'
    """
    if not isinstance(text, str):
        raise ValueError(f"clean_review expects a str, got {type(text).__name__}. "
                         "Clean one review at a time: [clean_review(t) for t in texts].")
    text = _TAG.sub(" ", text)      # tags first: "&lt;br&gt;" is text, not a tag
    text = html.unescape(text)      # &amp; -> &, &quot; -> ", &#39; -> '
    return _SPACE.sub(" ", text).strip()


def shuffle_words(texts: Sequence[str], seed: int = 0) -> list[str]:
    """The same texts with their words (split on whitespace) in a random order.

    Each text keeps exactly its words, so an order-blind model sees no change; whatever
    a model loses on the shuffled texts, it had taken from word order.
    """
    texts = check_texts(texts, "texts")
    rng = np.random.default_rng(seed)
    out = []
    for text in texts:
        words = text.split()
        out.append(" ".join(words[i] for i in rng.permutation(len(words))))
    return out


def shuffle_ids(ids, pad_id: int = 0, seed: int = 0) -> np.ndarray:
    """The same padded id rows with their real tokens in a random order, padding in place.

    The probe for a model that reads ids: each row keeps exactly its tokens (the same
    ones that survived truncation), only their order changes.
    """
    ids = ids if isinstance(ids, np.ndarray) else as_ids(ids, ndim=None, what="shuffle_ids")  # ragged, text
    if ids.ndim != 2 or ids.shape[0] == 0 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a non-empty 2-D int array (reviews, time), got "
                         f"shape {ids.shape} and dtype {ids.dtype}. Encode with "
                         "vocab.encode_batch or cu.pad_sequences first.")
    check_args("shuffle_ids", ", the id used for padding (vocab.pad_id, 0 in this course)",
               pad_id=(pad_id, "an int >= 0"))
    rng = np.random.default_rng(seed)
    out = ids.copy()
    for row in out:                                  # a view: edits land in out
        real = np.flatnonzero(row != pad_id)
        row[real] = row[rng.permutation(real)]
    return out


# ------------------------------------------------------------------------ evaluation

def _check_probs(labels, probs) -> tuple[np.ndarray, np.ndarray]:
    try:
        labels, probs = np.asarray(labels), np.asarray(probs, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("probs must be numbers (probabilities of the positive class), one per review, "
                         "not a str.") from None
    if probs.ndim == 2 and probs.shape[1] == 1:     # Keras predict: (N, 1)
        probs = probs[:, 0]
    if labels.ndim != 1 or probs.ndim != 1:
        raise ValueError(f"labels and probs must be 1-D (one per review); got shapes "
                         f"{labels.shape} and {probs.shape}. Use model.predict(x)[:, 0].")
    _check_same_length(labels=labels, probs=probs)
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(f"labels must be 0 (negative) or 1 (positive); found "
                         f"{sorted(set(labels.tolist()))[:5]}.")
    if not np.isfinite(probs).all():
        bad = int(np.flatnonzero(~np.isfinite(probs))[0])
        raise ValueError(f"probs[{bad}] is {probs[bad]}: a NaN or infinite probability "
                         "usually means the model diverged (lower the learning rate).")
    if probs.min() < 0 or probs.max() > 1:
        raise ValueError(f"probs must be probabilities in [0, 1] of the positive class, "
                         f"found values from {probs.min():.3g} to {probs.max():.3g}; "
                         "apply a sigmoid to logits first.")
    return labels.astype(np.int64), probs


def binary_metrics(labels, probs, threshold: float = 0.5) -> dict:
    """Accuracy, ROC AUC and the 2x2 confusion matrix (rows: true 0/1, columns: predicted)."""
    from sklearn.metrics import confusion_matrix, roc_auc_score

    labels, probs = _check_probs(labels, probs)
    check_args("binary_metrics", ", strictly between 0 and 1", threshold=(threshold, "a number in (0, 1)"))
    if len(set(labels.tolist())) < 2:
        raise ValueError("ROC AUC needs both classes among the labels; evaluate on a "
                         "split with positive and negative reviews.")
    predicted = (probs > threshold).astype(np.int64)
    return {"accuracy": float(np.mean(predicted == labels)),
            "roc_auc": float(roc_auc_score(labels, probs)),
            "confusion": confusion_matrix(labels, predicted, labels=[0, 1])}


def most_confident_mistakes(texts: Sequence[str], labels, probs, k: int = 5,
                            max_chars: int | None = 300):
    """The ``k`` wrong predictions made with the most confidence, as a pandas DataFrame.

    Columns: ``index`` (position in ``texts``), ``label``, ``p_positive`` and ``text``
    (cut to ``max_chars`` characters; None keeps it whole), most confident first.
    """
    import pandas as pd

    texts = check_texts(texts, "texts")
    labels, probs = _check_probs(labels, probs)
    _check_same_length(texts=texts, labels=labels)
    check_args("most_confident_mistakes", " (k: how many mistakes to show; max_chars=None keeps whole texts)",
               k=(k, "a positive int"), max_chars=(max_chars, "None or a positive int"))
    wrong = np.flatnonzero((probs > 0.5).astype(np.int64) != labels)
    confidence = np.abs(probs[wrong] - 0.5)              # 0.5 = as sure as it gets
    top = wrong[np.argsort(-confidence, kind="stable")][:k]
    cut = (lambda t: t) if max_chars is None else (
        lambda t: t if len(t) <= max_chars else t[:max_chars].rstrip() + " ...")
    return pd.DataFrame({"index": top, "label": labels[top], "p_positive": probs[top].round(4),
                         "text": [cut(texts[i]) for i in top]})


# ----------------------------------------------------------------------------- model

def _check_model_args(builder: str, pooling: str, poolings, dropout, **sizes) -> float:
    if pooling not in poolings:
        raise ValueError(f"pooling={pooling!r} is not supported; use {' or '.join(map(repr, poolings))}: "
                         + ("the final hidden state or the average over real tokens." if "last" in poolings
                            else "the strongest response of each filter, or its maximum and its mean."))
    check_args(builder, " (e.g. vocab_size=len(vocab), embed_dim=32; dropout is the share of inputs "
               "zeroed during training, 0 turns it off)", dropout=(dropout, "a number in [0, 1)"),
               **{name: (value, "a positive int") for name, value in sizes.items()})
    return float(dropout)


def build_rnn_classifier(vocab_size: int, embed_dim: int, hidden_size: int, cell: str = "lstm",
                         bidirectional: bool = False, pooling: str = "last",
                         dropout: float = 0.0, name: str | None = None):
    """Embedding (with a padding mask) -> LSTM or GRU -> pooling -> one sigmoid unit.

    Input: int ids of shape (batch, time), 0 = padding. Output: (batch, 1), the
    probability that the review is positive. ``pooling="last"`` feeds the last hidden
    state (of each direction) to the classifier; ``"mean"`` averages the hidden states
    over the real tokens, so the classifier sees every position. ``dropout`` > 0 drops
    whole embedding channels (``SpatialDropout1D``) and pooled features (``Dropout``)
    during training. The model is returned uncompiled.
    """
    if cell not in CELLS:
        raise ValueError(f"cell={cell!r} is not supported; use 'lstm' or 'gru'.")
    dropout = _check_model_args("build_rnn_classifier", pooling, POOLINGS, dropout,
                                vocab_size=vocab_size, embed_dim=embed_dim, hidden_size=hidden_size)
    import keras

    layer_class = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    recurrent = layer_class(int(hidden_size), return_sequences=pooling == "mean")
    if bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent)   # forward and backward, concatenated
    ids = keras.Input((None,), dtype="int32", name="ids")                      # (B, T)
    x = keras.layers.Embedding(int(vocab_size), int(embed_dim), mask_zero=True)(ids)  # (B, T, E)
    if dropout:
        x = keras.layers.SpatialDropout1D(dropout)(x)     # (B, T, E), the mask passes through
    h = recurrent(x)                                # (B, H) or (B, T, H); H = hidden_size, x2 if bi
    if pooling == "mean":
        h = keras.layers.GlobalAveragePooling1D()(h)  # (B, H): the mask keeps padding out
    if dropout:
        h = keras.layers.Dropout(dropout)(h)
    p = keras.layers.Dense(1, activation="sigmoid")(h)                         # (B, 1)
    default = f"{'bi' if bidirectional else ''}{cell}_{pooling}"
    return keras.Model(ids, p, name=name or default)


def build_cnn_classifier(vocab_size: int, embed_dim: int, filters: int, kernel_size: int = 5,
                         pooling: str = "max", dropout: float = 0.0, name: str | None = None):
    """Embedding -> Conv1D (ReLU) -> global pooling over real tokens -> one sigmoid unit.

    Each of the ``filters`` is a detector of one ``kernel_size``-word pattern; its feature
    for a review is its strongest response anywhere in the review:
    ``f_c = max_t relu(b_c + sum_k x[t + k - K // 2] . W[k, :, c])`` over the real tokens
    ``t``. Padding (id 0) changes nothing: its word vectors are set to 0, like the zeros
    that ``padding="same"`` adds at both ends, and the ReLU outputs at padded positions
    are set to 0, which cannot beat a maximum of numbers >= 0. ``pooling="max+mean"``
    concatenates the maximum with the mean over the real tokens, (B, 2F): how strongly a
    pattern occurs somewhere, and how much of it the review holds. ``dropout`` > 0 drops
    embedding channels and pooled features during training. Input ids (batch, time),
    output (batch, 1).
    """
    dropout = _check_model_args("build_cnn_classifier", pooling, CNN_POOLINGS, dropout, vocab_size=vocab_size,
                                embed_dim=embed_dim, filters=filters, kernel_size=kernel_size)
    import keras

    ids = keras.Input((None,), dtype="int32", name="ids")                      # (B, T)
    real = keras.ops.cast(keras.ops.not_equal(ids, 0), "float32")[..., None]   # (B, T, 1)
    x = keras.layers.Embedding(int(vocab_size), int(embed_dim))(ids)          # (B, T, E)
    x = keras.layers.Multiply(name="zero_padding")([x, real])               # (B, T, E)
    if dropout:
        x = keras.layers.SpatialDropout1D(dropout)(x)
    c = keras.layers.Conv1D(int(filters), int(kernel_size), padding="same",
                            activation="relu", name="conv")(x)                # (B, T, F)
    c = keras.layers.Multiply(name="mask_padding")([c, real])               # (B, T, F), 0 on pads
    h = keras.layers.GlobalMaxPooling1D(name="max_over_time")(c)            # (B, F)
    if pooling == "max+mean":
        n_real = keras.ops.maximum(keras.ops.sum(real, axis=1), 1.0)           # (B, 1)
        mean = keras.ops.sum(c, axis=1) / n_real                              # (B, F)
        h = keras.layers.Concatenate(name="max_and_mean")([h, mean])          # (B, 2F)
    if dropout:
        h = keras.layers.Dropout(dropout)(h)
    p = keras.layers.Dense(1, activation="sigmoid")(h)                         # (B, 1)
    return keras.Model(ids, p, name=name or f"cnn_{pooling.replace('+', '_')}")
