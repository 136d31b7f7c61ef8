"""Character-level language models in PyTorch (notebook 05, ``05_character_generation``).

A language model reads text one character at a time and predicts the next one. This
module holds everything notebook 05 trains and measures, in the order it is used:

- ``split_ids``: the text as one long id sequence, the last part held out;
- ``unigram_bits_per_char`` / ``bigram_bits_per_char``: counting baselines;
- ``stream_batches``: the text as ``batch_size`` parallel streams, cut into chunks so that
  batch ``k + 1`` continues every stream of batch ``k`` (truncated backpropagation
  through time, TBPTT); targets are the inputs shifted by one character;
- ``CharLM``: embedding -> LSTM (or GRU) -> linear, with the makemore interface
  ``forward(idx, targets=None, state=None) -> (logits, loss, state)``;
- ``detach_state``, ``train_step``, ``bits_per_char``: one step of truncated BPTT
  (forward, backward, gradient clipping, optimizer step) and evaluation with the state
  carried through the whole text; the loop that runs them with Adam and a cosine
  learning-rate decay is ``course_utils.training.fit_language_model``;
- ``sampling_distribution``, ``generate``: batched, seeded sampling with a temperature
  and top-k.

Public functions check their input once and raise a ``ValueError`` naming the fix; the
per-step code inside the loops does not re-check.

Losses are in nats (what ``cross_entropy`` returns); bits per character = nats / ln 2.
Shapes: B batch (streams), T time steps (characters), V vocabulary, E embedding size
(``embed_dim``), H hidden size (``hidden_size``), L layers.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .checks import check_args, check_weights
from .text import as_ids

LN2 = math.log(2.0)


# ------------------------------------------------------------------------------ the data

def _as_ids(ids, name: str = "ids", vocab_size: int | None = None) -> np.ndarray:
    """A non-empty 1-D int64 array of ids in [0, vocab_size) (``text.as_ids`` refuses text,
    floats, batches, ragged lists and ids outside the vocabulary)."""
    array = as_ids(ids, vocab_size, what=name, fix="encode the text with the vocabulary the model was "
                   "built for: CharLM(len(vocab), ...), vocab_size=len(vocab)")
    if array.size == 0:
        raise ValueError(f"{name} is empty: pass a non-empty sequence of ids; check that the text "
                         "loaded and was encoded.")
    return array


def split_ids(ids, validation: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous split: the first part trains, the last ``validation`` fraction is held out.

    A random split of characters would leak: the held-out text would sit between
    training characters. The end of the book is text the model has never read.
    """
    ids = _as_ids(ids)
    check_args("split_ids", ", strictly between 0 and 1 (0.1 holds out the last tenth)",
               validation=(validation, "a number in (0, 1)"))
    cut = int(round(len(ids) * (1 - validation)))
    if cut < 2 or len(ids) - cut < 2:
        raise ValueError(f"{len(ids)} ids are too few to split with validation={validation}: "
                         "each part needs at least 2. Use a longer text.")
    return ids[:cut], ids[cut:]


# ------------------------------------------------------------------------- the baselines

def unigram_bits_per_char(train_ids, valid_ids, vocab_size: int, alpha: float = 1.0) -> float:
    """Bits per character of character frequencies (add-``alpha`` smoothing).

    Estimated on ``train_ids``, scored on every validation character after the first
    (the same targets the recurrent model is scored on).
    """
    train_ids = _as_ids(train_ids, "train_ids", vocab_size)
    valid_ids = _as_ids(valid_ids, "valid_ids", vocab_size)
    _check_smoothing(valid_ids, alpha)
    counts = np.bincount(train_ids, minlength=vocab_size) + alpha        # (V,)
    log2_p = np.log2(counts / counts.sum())                              # (V,)
    return float(-log2_p[valid_ids[1:]].mean())


def bigram_bits_per_char(train_ids, valid_ids, vocab_size: int, alpha: float = 1.0) -> float:
    """Bits per character of P(next | current) from pair counts (add-``alpha`` smoothing)."""
    train_ids = _as_ids(train_ids, "train_ids", vocab_size)
    valid_ids = _as_ids(valid_ids, "valid_ids", vocab_size)
    _check_smoothing(valid_ids, alpha)
    counts = np.full((vocab_size, vocab_size), float(alpha))             # (V, V)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    log2_p = np.log2(counts / counts.sum(axis=1, keepdims=True))         # rows sum to 1
    return float(-log2_p[valid_ids[:-1], valid_ids[1:]].mean())


def _check_smoothing(valid_ids, alpha) -> None:
    check_args("smoothing", ", or unseen characters get probability 0 and infinite bits; add-one "
               "smoothing is alpha=1", alpha=(alpha, "a number > 0"))
    if len(valid_ids) < 2:
        raise ValueError("valid_ids needs at least 2 ids: one to condition on, one to score.")


# -------------------------------------------------------------------- streams for TBPTT

def stream_batches(ids, batch_size: int, seq_len: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Lay the text out as ``batch_size`` streams and cut them into chunks of ``seq_len``.

    Stream ``b`` is the ``b``-th slice of the text (``S = (N - 1) // batch_size`` ids
    each). Chunk ``k`` holds characters ``k*seq_len ... (k+1)*seq_len - 1`` of every
    stream, so row ``b`` of chunk ``k + 1`` continues row ``b`` of chunk ``k``: the
    hidden state at the end of one chunk is the right start for the next. Returns a
    list of ``(x, y)`` int64 tensors of shape ``(B, T)`` (the last chunk may be
    shorter), with ``y`` the next character of ``x``. The text's last ``(N - 1) % B``
    characters are dropped.
    """
    ids = _as_ids(ids)
    check_args("stream_batches", " (streams; characters per chunk)",
               batch_size=(batch_size, "a positive int"), seq_len=(seq_len, "a positive int"))
    S = (len(ids) - 1) // batch_size                                     # ids per stream
    if S < 1:
        raise ValueError(f"{len(ids)} ids are too few for {batch_size} streams: each needs "
                         "at least 2 (an input and its target). Use a smaller batch_size.")
    data = torch.from_numpy(ids)
    x = data[: batch_size * S].view(batch_size, S)                       # (B, S)
    y = data[1: batch_size * S + 1].view(batch_size, S)                  # (B, S): shifted by 1
    return [(x[:, t:t + seq_len], y[:, t:t + seq_len]) for t in range(0, S, seq_len)]


# ----------------------------------------------------------------------------- the model

class CharLM(nn.Module):
    """Embedding -> LSTM or GRU -> linear: the next-character logits at every step.

    ``dropout`` (Zaremba et al., 2014) acts between stacked layers and before the head.

    The LSTM is Hochreiter & Schmidhuber (1997), the GRU Cho et al. (2014); Karpathy's
    char-rnn (2015) made this model the classic text generator.
    """

    def __init__(self, vocab_size: int, embed_dim: int = 64, hidden_size: int = 256,
                 num_layers: int = 1, rnn: str = "lstm", dropout: float = 0.0):
        super().__init__()
        if rnn not in ("lstm", "gru"):
            raise ValueError(f"rnn={rnn!r} is not supported; use 'lstm' or 'gru'.")
        check_args("CharLM", " (vocab_size=len(vocab); dropout is a probability of zeroing)",
                   dropout=(dropout, "a number in [0, 1)"), **{k: (v, "a positive int") for k, v in (
                       ("vocab_size", vocab_size), ("embed_dim", embed_dim),
                       ("hidden_size", hidden_size), ("num_layers", num_layers))})
        self.vocab_size, self.kind = vocab_size, rnn
        self.embed = nn.Embedding(vocab_size, embed_dim)                 # ids -> vectors
        layer = nn.LSTM if rnn == "lstm" else nn.GRU
        self.rnn = layer(embed_dim, hidden_size, num_layers, batch_first=True,
                         dropout=dropout if num_layers > 1 else 0.0)      # between layers
        self.drop = nn.Dropout(dropout)                                  # before the head
        self.head = nn.Linear(hidden_size, vocab_size)                   # state -> logits

    def forward(self, idx, targets=None, state=None):
        """``idx`` (B, T) ids -> logits (B, T, V), mean loss in nats (or None), new state.

        The state is ``(h, c)`` for the LSTM and ``h`` for the GRU, each (L, B, H);
        ``None`` starts from zeros.
        """
        assert idx.ndim == 2, f"idx must be (B, T) ids, got shape {tuple(idx.shape)}"
        x = self.embed(idx)                                              # (B, T, E)
        out, state = self.rnn(x, state)                                  # (B, T, H)
        logits = self.head(self.drop(out))                               # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten())
        return logits, loss, state


def detach_state(state):
    """The same state values, cut from the graph of the chunk that produced them.

    Without this, the next ``backward()`` would try to run back through every earlier
    chunk (whose graphs are freed), and memory would grow with the text read so far.
    """
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


# ------------------------------------------------------------- one step, and evaluation

def _autocast(device: torch.device, enabled: bool):
    """float16 autocast on a CUDA device (where it speeds up the matrix products)."""
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.float16)
    return contextlib.nullcontext()


def train_step(model, x, y, state, optimizer, clip: float = 1.0, scaler=None):
    """One step of truncated BPTT on a chunk ``x``, ``y`` (B, T), starting from ``state``.

    Forward, backward through this chunk only, clip the gradient to norm ``clip``, step.
    Returns ``(loss, norm, state)``: the loss in nats, the gradient norm *before*
    clipping, and the final state (still attached: detach it before the next chunk).
    A ``scaler`` (``torch.amp.GradScaler``) turns on float16 mixed precision (CUDA only).
    """
    with _autocast(x.device, scaler is not None):
        _, loss, state = model(x, y, state)
    optimizer.zero_grad(set_to_none=True)
    if scaler is None:
        loss.backward()                                                  # through this chunk
        norm = nn.utils.clip_grad_norm_(model.parameters(), clip)       # norm before clipping
        optimizer.step()
    else:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)                      # clip the true, unscaled gradient
        norm = nn.utils.clip_grad_norm_(model.parameters(), clip)
        scaler.step(optimizer)
        scaler.update()
    return loss.detach(), norm, state


@torch.no_grad()
def bits_per_char(model, ids, batch_size: int = 16, seq_len: int = 256,
                  carry_state: bool = True) -> float:
    """Bits per character of ``model`` on ``ids``, the state carried across the whole text.

    The text is laid out as ``batch_size`` streams (as in training); every target is
    scored once, given all the text before it in its stream. ``carry_state=False``
    restarts the state every ``seq_len`` characters (the model then sees less context).
    """
    ids = _as_ids(ids, "ids", model.vocab_size)
    check_weights(model, "bits_per_char")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    state, total, count = None, 0.0, 0
    for x, y in stream_batches(ids, batch_size, seq_len):
        state = state if carry_state else None
        logits, _, state = model(x.to(device), None, state)             # (B, T, V)
        total += F.cross_entropy(logits.flatten(0, 1).float(), y.to(device).flatten(),
                                 reduction="sum").item()
        count += y.numel()
    model.train(was_training)
    return total / count / LN2


# -------------------------------------------------------------------------- sampling

def _check_sampling(temperature, top_k, vocab_size: int) -> None:
    check_args("sampling", f" (top_k at most the vocabulary size {vocab_size}, None keeps every character;"
               " temperature 0.1 is nearly greedy, top_k=1 exactly greedy)",
               temperature=(temperature, "a number in (0, inf)"),
               top_k=(top_k, f"None or an int in [1, {vocab_size}]"))


def _distribution(logits, temperature: float, top_k: int | None):
    """The sampler's arithmetic, unchecked (the loop of ``generate`` calls it every step)."""
    z = logits.float() / temperature                                     # (..., V)
    if top_k is not None:
        kth = torch.topk(z, top_k, dim=-1).values[..., -1:]             # (..., 1): k-th largest
        z = z.masked_fill(z < kth, float("-inf"))                        # drop the tail
    return torch.softmax(z, dim=-1)                                      # (..., V)


def sampling_distribution(logits, temperature: float = 1.0, top_k: int | None = None):
    """Next-character probabilities from ``logits`` (..., V): divide by the temperature,
    keep the ``top_k`` largest, softmax. Temperature < 1 sharpens, > 1 flattens."""
    if not isinstance(logits, torch.Tensor) or logits.ndim == 0:
        raise ValueError("logits must be a tensor (..., V) of next-character scores, e.g. "
                         "model(idx)[0][:, -1].")
    _check_sampling(temperature, top_k, logits.shape[-1])
    if not torch.isfinite(logits).all():
        raise ValueError("logits contain NaN or infinity: the model's weights have diverged. "
                         "Retrain with a lower lr or gradient clipping.")
    return _distribution(logits, temperature, top_k)


@torch.no_grad()
def generate(model, prompt_ids, n: int, temperature: float = 1.0, top_k: int | None = None,
             num_samples: int = 1, generator: torch.Generator | int | None = None):
    """``num_samples`` continuations of ``prompt_ids``, ``n`` characters each, in one batch.

    Returns an int64 tensor (num_samples, len(prompt) + n) on the CPU, the prompt first.
    ``generator`` (a CPU ``torch.Generator``, or an int seed) makes the samples
    reproducible; sampling runs on the CPU, so a seed gives the same draws on any device.
    """
    prompt = _as_ids(prompt_ids, "prompt_ids", model.vocab_size)
    check_args("generate", " (n: characters to generate)", n=(n, "an int >= 0"),
               num_samples=(num_samples, "a positive int"))
    _check_sampling(temperature, top_k, model.vocab_size)
    check_weights(model, "generate")
    if generator is None or isinstance(generator, int):
        generator = torch.Generator().manual_seed(0 if generator is None else generator)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    idx = torch.from_numpy(prompt).repeat(num_samples, 1)                # (N, P)
    logits, _, state = model(idx.to(device))                            # read the prompt
    out = [idx]
    for _ in range(n):
        last = logits[:, -1].float().cpu()                               # (N, V)
        assert torch.isfinite(last).all(), "NaN logits: the model's weights have diverged"
        nxt = torch.multinomial(_distribution(last, temperature, top_k), 1,
                                generator=generator)                     # (N, 1)
        out.append(nxt)
        logits, _, state = model(nxt.to(device), None, state)           # (N, 1, V)
    model.train(was_training)
    return torch.cat(out, dim=1)                                         # (N, P + n)
