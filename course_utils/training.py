"""What every training loop of the course shares (notebooks 02-06).

One name per idea: ``count_parameters(model)`` for a PyTorch module, a Keras model or a
NumPy cell of ``course_utils.cells``. Every ``fit`` of the course returns its history in
Keras' shape, a dict of per-epoch lists: ``{"loss": [...], "val_loss": [...],
"seconds": [...], ...}`` (per-batch traces, where kept, under ``"batch_..."`` keys);
``epoch_line`` prints one line per epoch from it. ``warmup_cosine`` is the learning-rate
schedule the PyTorch loops use.
"""

from __future__ import annotations

import math


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
