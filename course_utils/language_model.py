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
- ``detach_state``, ``train_step``, ``bits_per_char``, ``fit``: one step of truncated
  BPTT (forward, backward, gradient clipping, optimizer step), evaluation with the state
  carried through the whole text, and the loop that runs them with Adam and a cosine
  learning-rate decay (``course_utils.training.warmup_cosine``);
- ``sampling_distribution``, ``generate``: batched, seeded sampling with a temperature
  and top-k.

``fit`` returns the course's Keras-shaped history (``course_utils.training``). Public
functions check their input once and raise a ``ValueError`` naming the fix; the
per-step code inside the loops does not re-check.

Losses are in nats (what ``cross_entropy`` returns); bits per character = nats / ln 2.
Shapes: B batch (streams), T time steps (characters), V vocabulary, H hidden units,
L layers.
"""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .checks import check_args, check_weights
from .text import as_ids
from .training import epoch_line, warmup_cosine

LN2 = math.log(2.0)


# ------------------------------------------------------------------------------ the data

def _as_ids(ids, name: str = "ids") -> np.ndarray:
    """A non-empty 1-D int64 array (``text.as_ids`` refuses text, floats, batches, ragged lists)."""
    array = as_ids(ids, what=name)
    if array.size == 0:
        raise ValueError(f"{name} is empty: pass a non-empty sequence of ids; check that the text "
                         "loaded and was encoded.")
    return array


def _check_range(array: np.ndarray, vocab_size: int, name: str) -> None:
    if array.min() < 0 or array.max() >= vocab_size:
        raise ValueError(f"{name} must lie in [0, {vocab_size}) for this model; found "
                         f"{array.min()}..{array.max()}. Encode the text with the vocabulary "
                         "the model was built for: CharLM(len(vocab), ...), vocab_size=len(vocab).")


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
    train_ids, valid_ids = _as_ids(train_ids, "train_ids"), _as_ids(valid_ids, "valid_ids")
    _check_vocab(vocab_size, train_ids, valid_ids, alpha)
    counts = np.bincount(train_ids, minlength=vocab_size) + alpha        # (V,)
    log2_p = np.log2(counts / counts.sum())                              # (V,)
    return float(-log2_p[valid_ids[1:]].mean())


def bigram_bits_per_char(train_ids, valid_ids, vocab_size: int, alpha: float = 1.0) -> float:
    """Bits per character of P(next | current) from pair counts (add-``alpha`` smoothing)."""
    train_ids, valid_ids = _as_ids(train_ids, "train_ids"), _as_ids(valid_ids, "valid_ids")
    _check_vocab(vocab_size, train_ids, valid_ids, alpha)
    counts = np.full((vocab_size, vocab_size), float(alpha))             # (V, V)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    log2_p = np.log2(counts / counts.sum(axis=1, keepdims=True))         # rows sum to 1
    return float(-log2_p[valid_ids[:-1], valid_ids[1:]].mean())


def _check_vocab(vocab_size, train_ids, valid_ids, alpha) -> None:
    check_args("smoothing", ", or unseen characters get probability 0 and infinite bits; add-one "
               "smoothing is alpha=1", alpha=(alpha, "a number > 0"))
    if len(valid_ids) < 2:
        raise ValueError("valid_ids needs at least 2 ids: one to condition on, one to score.")
    for name, ids in (("train_ids", train_ids), ("valid_ids", valid_ids)):
        _check_range(ids, vocab_size, name)


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

    def __init__(self, vocab_size: int, embed_size: int = 64, hidden_size: int = 256,
                 num_layers: int = 1, rnn: str = "lstm", dropout: float = 0.0):
        super().__init__()
        if rnn not in ("lstm", "gru"):
            raise ValueError(f"rnn={rnn!r} is not supported; use 'lstm' or 'gru'.")
        check_args("CharLM", " (vocab_size=len(vocab); dropout is a probability of zeroing)",
                   dropout=(dropout, "a number in [0, 1)"), **{k: (v, "a positive int") for k, v in (
                       ("vocab_size", vocab_size), ("embed_size", embed_size),
                       ("hidden_size", hidden_size), ("num_layers", num_layers))})
        self.vocab_size, self.kind = vocab_size, rnn
        self.embed = nn.Embedding(vocab_size, embed_size)                # ids -> vectors
        layer = nn.LSTM if rnn == "lstm" else nn.GRU
        self.rnn = layer(embed_size, hidden_size, num_layers, batch_first=True,
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


# -------------------------------------------------------------------------- training

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
    ids = _as_ids(ids)
    _check_range(ids, model.vocab_size, "ids")
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


def fit(model, train_ids, valid_ids, epochs: int = 1, batch_size: int = 64,
        seq_len: int = 128, lr: float = 3e-3, clip: float = 1.0, carry_state: bool = True,
        warmup_steps: int = 0, amp: bool | None = None, max_steps: int | None = None,
        progress: bool = True, eval_batch_size: int = 16) -> dict:
    """Train ``model`` with truncated BPTT, Adam and a cosine learning-rate decay.

    Every step is ``train_step`` on the next chunk of ``stream_batches(train_ids, ...)``,
    the state carried from chunk to chunk (detached) or, with ``carry_state=False``,
    restarted from zeros. The learning rate follows ``warmup_cosine``: up over
    ``warmup_steps``, then down from ``lr`` to ``lr / 10`` at the last step. After every
    epoch the model reads ``valid_ids`` with its state carried, and one line is printed
    with the training and validation bits per character (``progress=False``: none).
    ``max_steps`` caps the steps of each epoch (for short runs); ``amp`` (default: on
    for CUDA) uses float16 mixed precision.

    Returns the Keras-shaped history: per-epoch lists ``loss`` (training, nats),
    ``val_loss`` (nats), ``val_bpc`` (bits per character), ``lr`` (at the epoch's end),
    ``seconds`` (training time so far, evaluation excluded) and ``chars_per_s``; and
    per-step traces ``batch_loss``, ``batch_grad_norm`` (before clipping) and
    ``batch_lr`` (the rate that step used).
    """
    positive = "a positive int"
    check_args("fit", " (e.g. lr=3e-3, clip=1.0; max_steps=None runs whole epochs)",
               epochs=(epochs, positive), batch_size=(batch_size, positive), seq_len=(seq_len, positive),
               eval_batch_size=(eval_batch_size, positive), warmup_steps=(warmup_steps, "an int >= 0"),
               max_steps=(max_steps, "None or a positive int"), lr=(lr, "a number > 0"),
               clip=(clip, "a number > 0"))
    check_weights(model, "fit")
    train_ids, valid_ids = _as_ids(train_ids, "train_ids"), _as_ids(valid_ids, "valid_ids")
    _check_range(train_ids, model.vocab_size, "train_ids")
    _check_range(valid_ids, model.vocab_size, "valid_ids")
    batches = stream_batches(train_ids, batch_size, seq_len)
    per_epoch = len(batches) if max_steps is None else min(max_steps, len(batches))
    total = epochs * per_epoch
    if warmup_steps >= total:
        raise ValueError(f"warmup_steps={warmup_steps} must be fewer than the {total} steps "
                         "of the run.")
    stream_batches(valid_ids, eval_batch_size, 256)                    # fail now, not later
    device = next(model.parameters()).device
    amp = device.type == "cuda" if amp is None else (amp and device.type == "cuda")
    scaler = torch.amp.GradScaler("cuda") if amp else None
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, total, warmup_steps))
    history = {k: [] for k in ("loss", "val_loss", "val_bpc", "lr", "seconds", "chars_per_s",
                               "batch_loss", "batch_grad_norm", "batch_lr")}
    seconds = 0.0
    model.train()
    for _ in range(epochs):
        state, losses, norms, chars, start = None, [], [], 0, time.perf_counter()
        for x, y in batches[:per_epoch]:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)  # (B, T)
            state = detach_state(state) if carry_state else None
            history["batch_lr"].append(scheduler.get_last_lr()[0])      # the rate this step uses
            loss, norm, state = train_step(model, x, y, state, optimizer, clip, scaler)
            scheduler.step()
            losses.append(loss)
            norms.append(norm)
            chars += x.numel()
        history["batch_loss"] += torch.stack(losses).tolist()           # one sync per epoch
        history["batch_grad_norm"] += torch.stack(norms).tolist()
        epoch_seconds = time.perf_counter() - start
        seconds += epoch_seconds
        history["loss"].append(float(np.mean(history["batch_loss"][-per_epoch:])))
        history["val_bpc"].append(bits_per_char(model, valid_ids, eval_batch_size, 256))
        history["val_loss"].append(history["val_bpc"][-1] * LN2)
        history["lr"].append(scheduler.get_last_lr()[0])
        history["seconds"].append(seconds)
        history["chars_per_s"].append(chars / epoch_seconds)
        if progress:
            line = {"bpc": [v / LN2 for v in history["loss"]], "val_bpc": history["val_bpc"],
                    "lr": history["lr"], "seconds": history["seconds"]}     # bits, side by side
            print(epoch_line(line, epochs), flush=True)
    return history


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
    prompt = _as_ids(prompt_ids, "prompt_ids")
    _check_range(prompt, model.vocab_size, "prompt_ids")
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
