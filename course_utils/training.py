"""Training: what every loop of the course shares, and the PyTorch loops (notebooks 02-06).

As nanoGPT keeps ``train.py`` apart from ``model.py``, the models live in their modules
(``language_model.CharLM``, ``translators``) and the loops that train them live here:

- ``count_parameters(model)`` for a PyTorch module, a Keras model or a NumPy cell of
  ``course_utils.cells``, and ``width_for_parameters`` to match two models' counts;
- ``warmup_cosine``, the learning-rate schedule of the PyTorch loops, and
  ``epoch_line``, one printed line per epoch;
- ``fit_language_model`` (notebook 05): truncated BPTT on a character stream, for the
  recurrent models and the character Transformer alike;
- ``fit_translator``, ``evaluate_teacher_forced`` and ``length_batches`` (notebook 06):
  teacher forcing on (src, tgt_in, tgt_out) arrays.

Every ``fit`` of the course returns its history in Keras' shape, a dict of per-epoch
lists: ``{"loss": [...], "val_loss": [...], "seconds": [...], ...}`` (per-batch traces,
where kept, under ``"batch_..."`` keys).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from . import config, metrics
from . import language_model as lm
from .checks import check_args, check_weights
from .text import Vocab, as_ids, check_padding

PAD = Vocab.pad_id


def count_parameters(model) -> int:
    """The number of trainable parameters (weights that receive gradients)."""
    if hasattr(model, "named_parameters"):                              # torch.nn.Module
        return sum(p.numel() for p in model.parameters() if p.requires_grad)
    if hasattr(model, "trainable_weights"):                             # Keras model or layer
        return sum(int(w.numpy().size) if hasattr(w, "numpy") else int(w.size)
                   for w in model.trainable_weights)
    if hasattr(model, "params"):                                        # course NumPy cell
        return sum(a.size for a in model.params.values())
    raise ValueError(f"count_parameters takes a torch module, a Keras model or a course cell, "
                     f"not {type(model).__name__}.")


def width_for_parameters(build: Callable[[int], object], target: int, widths: Sequence[int]) -> int:
    """The width ``w`` in ``widths`` whose ``build(w)`` has the parameter count closest to ``target``.

    Parameters are counted by ``cu.count_parameters``. E.g. the attention GRU's hidden
    size that matches the plain GRU::

        target = cu.count_parameters(GRUTranslator(V_x, V_y))
        hidden_size = width_for_parameters(
            lambda w: GRUTranslator(V_x, V_y, hidden_size=w, attention=True), target, range(64, 257, 8))

    Ties go to the earlier width.
    """
    widths = list(widths)
    if not widths:
        raise ValueError("width_for_parameters got no widths: pass candidates, e.g. range(64, 257, 8).")
    if not isinstance(target, (int, np.integer)) or target < 1:
        raise ValueError(f"target={target!r} must be a positive parameter count, e.g. "
                         "cu.count_parameters(baseline).")
    gaps = [abs(count_parameters(build(w)) - int(target)) for w in widths]
    return widths[int(np.argmin(gaps))]


def warmup_cosine(step: int, total_steps: int, warmup_steps: int = 0, final: float = 0.1) -> float:
    """The learning-rate multiplier at ``step`` (0-based): a linear warm-up, then a cosine.

    It rises linearly from ``1 / warmup_steps`` to 1 over ``warmup_steps`` steps, then
    falls on half a cosine from 1 to ``final`` at ``total_steps`` and stays there:

        m(s) = final + (1 - final) * (1 + cos(pi * (s - w) / (total - w))) / 2,   s >= w.

    Use it with ``torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_cosine(s, N))``.
    """
    if total_steps < 1 or not 0 <= warmup_steps < max(total_steps, 1) or not 0 <= final <= 1:
        raise ValueError(f"warmup_cosine needs total_steps >= 1, 0 <= warmup_steps < total_steps "
                         f"and 0 <= final <= 1; got {total_steps}, {warmup_steps}, {final}.")
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(step - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress))


def epoch_line(history: dict, epochs: int | None = None) -> str:
    """One line for the last epoch of a Keras-shaped ``history``, e.g.
    ``"epoch 3/10 · loss 1.234 · val_bpc 1.765 · lr 2.50e-03 · 55 s"`` (per-epoch lists only)."""
    per_epoch = {k: v for k, v in history.items() if not k.startswith("batch_") and isinstance(v, list)
                 and v} if isinstance(history, dict) else None
    if not per_epoch:
        raise ValueError("epoch_line needs a history with at least one per-epoch list, "
                         'e.g. {"loss": [1.2]}.')
    n = max(len(v) for v in per_epoch.values())
    parts = [f"epoch {n}" + (f"/{epochs}" if epochs else "")]
    for name, values in per_epoch.items():
        if name == "seconds":
            continue
        value = values[-1]
        text = (f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2e}" if abs(value) < 1e-2
                else f"{value:.3f}")
        parts.append(f"{name} {text}")
    if per_epoch.get("seconds"):
        parts.append(f"{per_epoch['seconds'][-1]:.0f} s")
    return " · ".join(parts)


# ------------------------------------------------------ language model (notebook 05)

def fit_language_model(model, train_ids, valid_ids, epochs: int = 1, batch_size: int = 64,
                       seq_len: int = 128, lr: float = 3e-3, clip: float = 1.0, carry_state: bool = True,
                       warmup_steps: int = 0, amp: bool | None = None, max_steps: int | None = None,
                       progress: bool = True, eval_batch_size: int = 16, steps: int | None = None,
                       eval_every: int | None = None, weight_decay: float = 0.0, final_lr: float = 0.1,
                       eval_seq_len: int = 256) -> dict:
    """Train a character model (``language_model.CharLM``, ``char_transformer.CharTransformer``)
    with truncated BPTT, Adam (or AdamW) and a warm-up + cosine learning-rate schedule.

    Every step is ``lm.train_step`` on the next chunk of ``lm.stream_batches(train_ids, ...)``,
    the state carried from chunk to chunk (detached) or, with ``carry_state=False``,
    restarted from zeros; each pass over the text (epoch) starts from a fresh state. The
    run is ``epochs`` passes of ``max_steps`` steps each (default: every chunk), or, with
    ``steps``, exactly that many steps, as many passes as they take (a run sized by its
    step count takes the same steps on any machine). The learning rate follows
    ``warmup_cosine``: up over ``warmup_steps``, then down from ``lr`` to ``final_lr * lr``
    at the last step. ``weight_decay > 0`` switches Adam to AdamW (Loshchilov & Hutter,
    2019), decaying the weight matrices and embeddings but not biases and LayerNorm gains.

    The model reads ``valid_ids`` (state carried, chunks of ``eval_seq_len``) after every
    epoch, or every ``eval_every`` steps and after the last, and one line is printed with
    the training and validation bits per character (``progress=False``: none). ``amp``
    (default: on for CUDA) uses float16 mixed precision.

    Returns the Keras-shaped history: per-evaluation lists ``loss`` (training, nats, mean
    since the last evaluation), ``val_loss`` (nats), ``val_bpc`` (bits per character),
    ``lr`` (at that point), ``step`` (steps taken), ``seconds`` (training time so far,
    evaluation excluded) and ``chars_per_s``; and per-step traces ``batch_loss``,
    ``batch_grad_norm`` (before clipping) and ``batch_lr`` (the rate that step used).
    """
    positive = "a positive int"
    check_args("fit", " (e.g. lr=3e-3, clip=1.0; max_steps=None runs whole epochs)",
               epochs=(epochs, positive), batch_size=(batch_size, positive), seq_len=(seq_len, positive),
               eval_batch_size=(eval_batch_size, positive), warmup_steps=(warmup_steps, "an int >= 0"),
               max_steps=(max_steps, "None or a positive int"), lr=(lr, "a number > 0"),
               clip=(clip, "a number > 0"), steps=(steps, "None or a positive int"),
               eval_every=(eval_every, "None or a positive int"),
               weight_decay=(weight_decay, "a number >= 0"), final_lr=(final_lr, "a number in [0, 1]"),
               eval_seq_len=(eval_seq_len, positive))
    if steps is not None and (epochs != 1 or max_steps is not None):
        raise ValueError(f"steps={steps} sets the length of the run, and so do epochs={epochs} and "
                         f"max_steps={max_steps}: pass steps alone, or epochs (and max_steps).")
    check_weights(model, "fit")
    train_ids = lm._as_ids(train_ids, "train_ids", model.vocab_size)
    valid_ids = lm._as_ids(valid_ids, "valid_ids", model.vocab_size)
    batches = lm.stream_batches(train_ids, batch_size, seq_len)
    per_epoch = len(batches) if max_steps is None else min(max_steps, len(batches))
    total = epochs * per_epoch if steps is None else steps
    if warmup_steps >= total:
        raise ValueError(f"warmup_steps={warmup_steps} must be fewer than the {total} steps "
                         "of the run.")
    lm.stream_batches(valid_ids, eval_batch_size, eval_seq_len)           # fail now, not later
    device = next(model.parameters()).device
    amp = device.type == "cuda" if amp is None else (amp and device.type == "cuda")
    scaler = torch.amp.GradScaler("cuda") if amp else None
    optimizer = _optimizer(model, lr, weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, total, warmup_steps, final_lr))
    history = {k: [] for k in ("loss", "val_loss", "val_bpc", "lr", "step", "seconds", "chars_per_s",
                               "batch_loss", "batch_grad_norm", "batch_lr")}
    seconds, state, losses, norms, chars = 0.0, None, [], [], 0
    model.train()
    start = time.perf_counter()
    for step in range(total):
        k = step % per_epoch                                             # chunk of this pass
        x, y = batches[k]
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)  # (B, T)
        state = lm.detach_state(state) if carry_state and k > 0 else None
        history["batch_lr"].append(scheduler.get_last_lr()[0])          # the rate this step uses
        loss, norm, state = lm.train_step(model, x, y, state, optimizer, clip, scaler)
        scheduler.step()
        losses.append(loss)
        norms.append(norm)
        chars += x.numel()
        last = step + 1 == total
        if not (last or (eval_every and (step + 1) % eval_every == 0)
                or (not eval_every and k + 1 == per_epoch)):
            continue
        history["batch_loss"] += torch.stack(losses).tolist()           # one sync per evaluation
        history["batch_grad_norm"] += torch.stack(norms).tolist()
        span = time.perf_counter() - start
        seconds += span
        history["loss"].append(float(np.mean(history["batch_loss"][-len(losses):])))
        history["val_bpc"].append(lm.bits_per_char(model, valid_ids, eval_batch_size, eval_seq_len))
        history["val_loss"].append(history["val_bpc"][-1] * lm.LN2)
        history["lr"].append(scheduler.get_last_lr()[0])
        history["step"].append(step + 1)
        history["seconds"].append(seconds)
        history["chars_per_s"].append(chars / span)
        if progress:
            line = {"bpc": [v / lm.LN2 for v in history["loss"]], "val_bpc": history["val_bpc"],
                    "lr": history["lr"], "seconds": history["seconds"]}     # bits, side by side
            text = epoch_line(line, epochs if steps is None and not eval_every else None)
            if steps is not None or eval_every:
                text = f"step {step + 1}/{total}" + text[text.index(" · "):]
            print(text, flush=True)
        losses, norms, chars, start = [], [], 0, time.perf_counter()
    return history


def _optimizer(model, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """Adam, or with ``weight_decay`` AdamW decaying only the matrices (ndim >= 2), as nanoGPT does."""
    if not weight_decay:
        return torch.optim.Adam(model.parameters(), lr=lr)
    params = [p for p in model.parameters() if p.requires_grad]         # a tied matrix counts once
    groups = [{"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
              {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)


# ---------------------------------------------------------- translators (notebook 06)

def _check_arrays(arrays, name: str, model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (src, tgt_in, tgt_out) triple as int64 arrays with one row per pair, ids in the
    ``model``'s vocabularies, every source row a sentence, no row longer than its ``max_len``."""
    if not isinstance(arrays, (tuple, list)) or len(arrays) != 3:
        raise ValueError(f"{name} must be the triple (src, tgt_in, tgt_out) that "
                         "cu.seq2seq.encode_words returns.")
    parts = []
    for part, array in zip(("src", "tgt_in", "tgt_out"), arrays):
        array = np.asarray(array)
        if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"{name}: {part} must be a 2-D integer array (pairs, time), got "
                             f"{array.dtype} {array.shape}. Use cu.seq2seq.encode_words.")
        side = part[:3]                                                  # "src" or "tgt"
        parts.append(as_ids(array, getattr(model, f"{side}_vocab_size"), 2, f"{name}: {part}",
                            fix="encode with the vocabularies the model was built for, or build the "
                                f"model with {side}_vocab_size=len(vocab)"))
    src, tgt_in, tgt_out = parts
    if not len(src) == len(tgt_in) == len(tgt_out) or tgt_in.shape != tgt_out.shape:
        raise ValueError(f"{name}: src {src.shape}, tgt_in {tgt_in.shape} and tgt_out "
                         f"{tgt_out.shape} must have the same number of rows (and tgt_in the "
                         "shape of tgt_out). Encode them together with encode_words(..., pairs).")
    check_padding(src, f"{name}: source")
    model._check_length(max(src.shape[1], tgt_in.shape[1]), f"{name}: a sentence")
    return src, tgt_in, tgt_out


def _trim(*arrays: np.ndarray) -> list[torch.Tensor]:
    """Cut the all-padding columns at the end of a batch (same length for all ``arrays``)."""
    width = max(int(np.flatnonzero((a != PAD).any(0))[-1]) + 1 for a in arrays)
    return [torch.from_numpy(np.ascontiguousarray(a[:, :width])) for a in arrays]


def length_batches(src: np.ndarray, tgt: np.ndarray, batch_size: int, rng: np.random.Generator,
                   chunk: int = 50) -> list[np.ndarray]:
    """Row indices of mini-batches of similar lengths, in a random order.

    Shuffle the pairs, sort every chunk of ``chunk`` batches by source then target
    length, cut it into batches and shuffle the batches. Each batch then wastes little
    time on padding, while batches still differ from epoch to epoch.
    """
    src_len, tgt_len = (src != PAD).sum(1), (tgt != PAD).sum(1)
    order = rng.permutation(len(src))
    out = []
    for i in range(0, len(order), batch_size * chunk):
        block = order[i:i + batch_size * chunk]
        block = block[np.lexsort((tgt_len[block], src_len[block]))]     # by source, then target
        out += [block[j:j + batch_size] for j in range(0, len(block), batch_size)]
    return [out[k] for k in rng.permutation(len(out))]


def _loss(logits, tgt_out, label_smoothing: float = 0.0, reduction: str = "mean"):
    """Cross-entropy over the real target positions (padding ignored)."""
    return F.cross_entropy(logits.flatten(0, 1).float(), tgt_out.flatten(), ignore_index=PAD,
                           label_smoothing=label_smoothing, reduction=reduction)


@torch.no_grad()
def evaluate_teacher_forced(model, arrays, batch_size: int = 256) -> dict[str, float]:
    """Teacher-forced ``loss`` (nats per real target token) and ``token_accuracy``.

    ``arrays`` is the (src, tgt_in, tgt_out) triple of ``encode_words``. The accuracy is
    ``cu.metrics.token_accuracy`` over real target positions (words and ``</s>``).
    """
    src, tgt_in, tgt_out = _check_arrays(arrays, "arrays", model)
    was_training = model.training
    model.eval()
    order = np.lexsort(((tgt_out != PAD).sum(1), (src != PAD).sum(1)))   # similar lengths together
    predicted = np.zeros_like(tgt_out)                                   # (N, T)
    total = 0.0
    for i in range(0, len(order), batch_size):
        rows = order[i:i + batch_size]
        (s,), (y_in, y_out) = _trim(src[rows]), _trim(tgt_in[rows], tgt_out[rows])
        logits = model(s, y_in)                                          # (b, T', V)
        total += _loss(logits, y_out.to(logits.device), reduction="sum").item()
        predicted[rows, :y_in.shape[1]] = logits.argmax(-1).cpu().numpy()
    model.train(was_training)
    mask = tgt_out != PAD
    return {"loss": total / int(mask.sum()),
            "token_accuracy": metrics.token_accuracy(predicted, tgt_out, mask=mask)}


def fit_translator(model, train_arrays, val_arrays, epochs: int, batch_size: int = 64,
                   lr: float = 1e-3, warmup_steps: int = 0, clip: float = 1.0, label_smoothing: float = 0.0,
                   restore_best: bool = False, device=None, seed: int = 0,
                   progress: bool = True, final_lr: float = 0.1) -> dict[str, list]:
    """Train a translator of ``course_utils.translators`` with Adam on teacher-forced
    cross-entropy; validate every epoch.

    ``train_arrays`` and ``val_arrays`` are (src, tgt_in, tgt_out) triples from
    ``cu.seq2seq.encode_words``. Batches come from ``length_batches`` (shuffled with
    ``seed``; dropout draws from PyTorch's generator, seeded by ``cu.set_seed``) and are
    trimmed to their longest row. The learning rate is ``lr`` times
    ``warmup_cosine``: a linear warm-up over ``warmup_steps`` steps, then half
    a cosine down to ``final_lr * lr`` at the last step (``final_lr=1``: constant after
    the warm-up). Gradients are clipped to norm ``clip``; ``label_smoothing`` (e.g. 0.1)
    spreads that much target probability over the vocabulary. With ``restore_best``, the
    weights of the epoch with the lowest validation loss are put back at the end (early
    stopping, looking back). ``device`` defaults to ``cu.config.device()``; the model
    moves there. With ``progress``, one line per epoch (``epoch_line``).

    Returns the history in Keras' shape, a dict of per-epoch lists: ``loss`` (the
    training objective, label smoothing included), ``val_loss`` and
    ``val_token_accuracy`` (teacher-forced, no smoothing), ``lr`` (of the epoch's last step)
    and ``seconds`` (wall time since training began). The model is left in eval mode.
    """
    check_args("fit", " (e.g. lr=1e-3, clip=1.0, warmup_steps=0, final_lr=0.1; label_smoothing 0 "
               "turns it off, 0.1 is usual)", epochs=(epochs, "a positive int"),
               batch_size=(batch_size, "a positive int"), lr=(lr, "a number > 0"),
               clip=(clip, "a number > 0"), warmup_steps=(warmup_steps, "an int >= 0"),
               final_lr=(final_lr, "a number in [0, 1]"),
               label_smoothing=(label_smoothing, "a number in [0, 1)"))
    train = _check_arrays(train_arrays, "train_arrays", model)
    val = _check_arrays(val_arrays, "val_arrays", model)
    check_weights(model, "fit")
    device = config.device() if device is None else torch.device(device)
    model.to(device)
    rng = np.random.default_rng(seed)
    steps = epochs * math.ceil(len(train[0]) / batch_size)             # = len(length_batches(...))
    if warmup_steps >= steps:
        raise ValueError(f"warmup_steps={warmup_steps} must be fewer than the {steps} training "
                         "steps; lower it (about a tenth of the steps is usual) or train longer.")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, steps, warmup_steps, final_lr))
    history = {"loss": [], "val_loss": [], "val_token_accuracy": [], "lr": [], "seconds": []}
    best, start = None, time.perf_counter()
    for _ in range(epochs):
        model.train()
        total, tokens = 0.0, 0
        for rows in length_batches(train[0], train[2], batch_size, rng):
            (src,), (tgt_in, tgt_out) = _trim(train[0][rows]), _trim(train[1][rows], train[2][rows])
            logits = model(src, tgt_in)                                  # (B, T, V)
            loss = _loss(logits, tgt_out.to(device), label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            lr_used = optimizer.param_groups[0]["lr"]
            schedule.step()
            n = int((tgt_out != PAD).sum())
            total, tokens = total + loss.item() * n, tokens + n
        scores = evaluate_teacher_forced(model, val, batch_size=max(256, batch_size))
        if device.type == "cuda":
            torch.cuda.synchronize()
        for key, value in (("loss", total / tokens), ("val_loss", scores["loss"]),
                           ("val_token_accuracy", scores["token_accuracy"]),
                           ("lr", lr_used),
                           ("seconds", time.perf_counter() - start)):
            history[key].append(value)
        if restore_best and scores["loss"] <= min(history["val_loss"]):
            best = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if progress:
            print(epoch_line(history, epochs), flush=True)
    if best is not None:
        model.load_state_dict(best)
    model.eval()
    return history
