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
- ``detach_state``, ``train_epoch``, ``bits_per_char``, ``fit``: training with the hidden
  state carried (and detached) from chunk to chunk, gradient clipping, evaluation;
- ``sampling_distribution``, ``generate``: batched, seeded sampling with a temperature
  and top-k.

Losses are in nats (what ``cross_entropy`` returns); bits per character = nats / ln 2.
Shapes: B batch (streams), T time steps (characters), V vocabulary, H hidden units,
L layers.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

with warnings.catch_warnings():          # no ipywidgets: tqdm.auto falls back to text bars
    warnings.simplefilter("ignore")
    from tqdm.auto import tqdm

LN2 = math.log(2.0)


# ------------------------------------------------------------------------------ the data

def _as_ids(ids, name: str = "ids") -> np.ndarray:
    """A 1-D int64 array of ``ids``, or a ValueError naming what is wrong."""
    if isinstance(ids, str):
        raise ValueError(f"{name} is a str; encode it first, e.g. "
                         "np.array(vocab.encode(text)).")
    array = ids.detach().cpu().numpy() if isinstance(ids, torch.Tensor) else np.asarray(ids)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of ids, got shape "
                         f"{array.shape}. Check that the text loaded and was encoded.")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer ids, got dtype {array.dtype}. "
                         "Encode the text with a Vocab first.")
    return array.astype(np.int64, copy=False)


def split_ids(ids, validation: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous split: the first part trains, the last ``validation`` fraction is held out.

    A random split of characters would leak: the held-out text would sit between
    training characters. The end of the book is text the model has never read.
    """
    ids = _as_ids(ids)
    if not 0 < validation < 1:
        raise ValueError(f"validation={validation} must lie strictly between 0 and 1 "
                         "(e.g. 0.1 holds out the last tenth).")
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
    if alpha <= 0:
        raise ValueError(f"alpha={alpha} must be > 0, or unseen characters get probability 0 "
                         "and infinite bits; add-one smoothing is alpha=1.")
    if len(valid_ids) < 2:
        raise ValueError("valid_ids needs at least 2 ids: one to condition on, one to score.")
    top = max(train_ids.max(), valid_ids.max())
    if min(train_ids.min(), valid_ids.min()) < 0 or top >= vocab_size:
        raise ValueError(f"ids must lie in [0, {vocab_size}); found up to {top}. "
                         "Pass vocab_size=len(vocab) of the vocabulary that encoded them.")


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
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} must be an int >= 1 (the number of "
                         "parallel streams).")
    if not isinstance(seq_len, int) or seq_len < 1:
        raise ValueError(f"seq_len={seq_len!r} must be an int >= 1 (characters per chunk).")
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
        if min(vocab_size, embed_size, hidden_size, num_layers) < 1:
            raise ValueError("vocab_size, embed_size, hidden_size and num_layers must all be "
                             f">= 1, got {vocab_size}, {embed_size}, {hidden_size}, {num_layers}.")
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
        x = self.embed(idx)                                              # (B, T, E)
        out, state = self.rnn(x, state)                                  # (B, T, H)
        logits = self.head(self.drop(out))                               # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten())
        return logits, loss, state

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


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


def train_epoch(model, batches, optimizer, clip: float = 1.0, carry_state: bool = True,
                scheduler=None, scaler=None, max_steps: int | None = None,
                progress: bool = True, desc: str = "train") -> dict:
    """One pass over ``batches`` (from ``stream_batches``) with truncated BPTT.

    ``carry_state=True`` starts each chunk from the (detached) final state of the
    previous one; ``False`` starts every chunk from zeros. Gradients are clipped to norm
    ``clip``; the norm *before* clipping is recorded. A ``scaler``
    (``torch.amp.GradScaler``) turns on float16 mixed precision (CUDA only).
    Returns ``{"loss": [nats per step], "grad_norm": [...], "chars": n, "seconds": s}``.
    """
    if clip <= 0:
        raise ValueError(f"clip={clip} must be > 0 (a maximum gradient norm, e.g. 1.0).")
    device = next(model.parameters()).device
    model.train()
    state, losses, norms, chars = None, [], [], 0
    steps = len(batches) if max_steps is None else min(max_steps, len(batches))
    start = time.perf_counter()
    for x, y in tqdm(batches[:steps], desc=desc, leave=False, disable=not progress):
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)   # (B, T)
        state = detach_state(state) if carry_state else None
        with _autocast(device, scaler is not None):
            _, loss, state = model(x, y, state)
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)                   # clip the true, unscaled gradient
            norm = nn.utils.clip_grad_norm_(model.parameters(), clip)
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), clip)   # norm before clipping
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
        norms.append(norm.item())
        chars += x.numel()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return {"loss": losses, "grad_norm": norms, "chars": chars,
            "seconds": time.perf_counter() - start}


@torch.no_grad()
def bits_per_char(model, ids, batch_size: int = 16, seq_len: int = 256,
                  carry_state: bool = True, progress: bool = False) -> float:
    """Bits per character of ``model`` on ``ids``, the state carried across the whole text.

    The text is laid out as ``batch_size`` streams (as in training); every target is
    scored once, given all the text before it in its stream. ``carry_state=False``
    restarts the state every ``seq_len`` characters (the model then sees less context).
    """
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    state, total, count = None, 0.0, 0
    for x, y in tqdm(stream_batches(ids, batch_size, seq_len), desc="evaluate",
                     leave=False, disable=not progress):
        state = state if carry_state else None
        logits, _, state = model(x.to(device), None, state)             # (B, T, V)
        total += F.cross_entropy(logits.flatten(0, 1).float(), y.to(device).flatten(),
                                 reduction="sum").item()
        count += y.numel()
    model.train(was_training)
    return total / count / LN2


def fit(model, train_ids, valid_ids, epochs: int = 1, batch_size: int = 64,
        seq_len: int = 128, lr: float = 3e-3, clip: float = 1.0, carry_state: bool = True,
        amp: bool | None = None, max_steps: int | None = None, progress: bool = True,
        eval_batch_size: int = 16) -> dict:
    """Train ``model`` with Adam and a cosine learning-rate decay; evaluate every epoch.

    ``max_steps`` caps the steps of each epoch (for quick comparisons). ``amp``
    (default: on for CUDA) uses float16 mixed precision. Returns a history dict with
    per-step ``loss`` (nats) and ``grad_norm``, and per-epoch ``valid_bpc``, ``seconds``
    (cumulative training time) and the training throughput ``chars_per_s``.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs={epochs!r} must be an int >= 1.")
    device = next(model.parameters()).device
    amp = device.type == "cuda" if amp is None else (amp and device.type == "cuda")
    batches = stream_batches(train_ids, batch_size, seq_len)
    per_epoch = len(batches) if max_steps is None else min(max_steps, len(batches))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    total = epochs * per_epoch                 # cosine from lr down to lr / 10
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.1 + 0.45 * (1 + math.cos(math.pi * min(step, total) / total)))
    scaler = torch.amp.GradScaler("cuda") if amp else None
    history = {"loss": [], "grad_norm": [], "valid_bpc": [], "seconds": [], "chars": 0}
    seconds = 0.0
    for epoch in tqdm(range(epochs), desc=f"{model.kind} epochs", disable=not progress):
        log = train_epoch(model, batches, optimizer, clip, carry_state, scheduler, scaler,
                          per_epoch, progress, desc=f"epoch {epoch + 1}")
        seconds += log["seconds"]
        history["loss"] += log["loss"]
        history["grad_norm"] += log["grad_norm"]
        history["chars"] += log["chars"]
        history["seconds"].append(seconds)
        history["valid_bpc"].append(bits_per_char(model, valid_ids, eval_batch_size, 256))
        if progress:
            tqdm.write(f"epoch {epoch + 1}: valid {history['valid_bpc'][-1]:.3f} bits/char, "
                       f"train {seconds:.0f} s")
    history["chars_per_s"] = history["chars"] / seconds
    return history


# -------------------------------------------------------------------------- sampling

def sampling_distribution(logits, temperature: float = 1.0, top_k: int | None = None):
    """Next-character probabilities from ``logits`` (..., V): divide by the temperature,
    keep the ``top_k`` largest, softmax. Temperature < 1 sharpens, > 1 flattens."""
    if not temperature > 0:
        raise ValueError(f"temperature={temperature} must be > 0; use a small value such as "
                         "0.1 for nearly greedy text, or top_k=1 for exactly greedy.")
    logits = logits.float() / temperature                                # (..., V)
    if top_k is not None:
        if not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k={top_k!r} must be an int >= 1 (or None to keep every "
                             "character).")
        kth = torch.topk(logits, min(top_k, logits.shape[-1]), dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))        # (..., V)
    return torch.softmax(logits, dim=-1)


@torch.no_grad()
def generate(model, prompt_ids, n: int, temperature: float = 1.0, top_k: int | None = None,
             num_samples: int = 1, generator: torch.Generator | int | None = None):
    """``num_samples`` continuations of ``prompt_ids``, ``n`` characters each, in one batch.

    Returns an int64 tensor (num_samples, len(prompt) + n) on the CPU, the prompt first.
    ``generator`` (a CPU ``torch.Generator``, or an int seed) makes the samples
    reproducible; sampling runs on the CPU, so a seed gives the same draws on any device.
    """
    prompt = _as_ids(prompt_ids, "prompt_ids")
    if prompt.min() < 0 or prompt.max() >= model.vocab_size:
        raise ValueError(f"prompt_ids must lie in [0, {model.vocab_size}); found "
                         f"{prompt.min()}..{prompt.max()}. Encode the prompt with the "
                         "model's vocabulary (characters it never saw become <unk>).")
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n={n!r} must be an int >= 0 (characters to generate).")
    if not isinstance(num_samples, int) or num_samples < 1:
        raise ValueError(f"num_samples={num_samples!r} must be an int >= 1.")
    sampling_distribution(torch.zeros(1), temperature, top_k)          # validate early
    if generator is None or isinstance(generator, int):
        seed = generator
        generator = torch.Generator()
        generator.manual_seed(0 if seed is None else seed)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    idx = torch.from_numpy(prompt).repeat(num_samples, 1)                # (N, P)
    logits, _, state = model(idx.to(device))                            # read the prompt
    out = [idx]
    for _ in range(n):
        probs = sampling_distribution(logits[:, -1].cpu(), temperature, top_k)   # (N, V)
        nxt = torch.multinomial(probs, 1, generator=generator)           # (N, 1)
        out.append(nxt)
        logits, _, state = model(nxt.to(device), None, state)           # (N, 1, V)
    model.train(was_training)
    return torch.cat(out, dim=1)                                         # (N, P + n)
