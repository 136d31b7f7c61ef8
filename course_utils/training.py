"""What every training loop of the course shares (notebooks 02-06).

One name per idea: ``count_parameters(model)`` for a PyTorch module, a Keras model or a
NumPy cell of ``course_utils.cells``. Every ``fit`` of the course returns its history in
Keras' shape, a dict of per-epoch lists: ``{"loss": [...], "val_loss": [...],
"seconds": [...], ...}`` (per-batch traces, where kept, under ``"batch_..."`` keys).
"""

from __future__ import annotations


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
