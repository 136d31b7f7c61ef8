"""A decoder-only Transformer character model (a small GPT) for notebook 05.

Built from notebook 06's blocks in ``course_utils.attention``: token embedding plus
``sinusoidal_positional_encoding``, ``num_layers`` pre-norm ``EncoderBlock``s whose
self-attention is restricted by ``causal_mask``, a final LayerNorm and a linear head
(Radford et al., 2018, "GPT"; the blocks of Vaswani et al., 2017). For ids
:math:`x_1 \\dots x_T`:

.. math::  H^{(0)} = \\sqrt{E}\\, W_\\text{emb}[x] + PE, \\qquad
           H^{(l)} = \\mathrm{Block}_l(H^{(l-1)};\\ \\text{causal}), \\qquad
           Z = \\mathrm{LN}(H^{(L)})\\, W_\\text{emb}^\\top + b ,

H (B, T, E), Z (B, T, V) the next-character logits. With ``tie_weights`` the head reuses
the embedding matrix (Press & Wolf, 2017): a character's input vector is also the vector
its logit is read with.

It has ``language_model.CharLM``'s interface, ``forward(idx, targets=None, state=None)
-> (logits, loss, state)``, so one loop (``training.fit_language_model``), one
``language_model.bits_per_char`` and one ``language_model.generate`` serve both. A
recurrent model's state is a vector that summarises everything read; this model's
state is the text itself: the last ``block_size - 1`` ids it read, which the next call
puts in front of its input (keeping at most ``block_size`` positions in all), so that
every new character is predicted from up to ``block_size`` characters of context.

Shapes: B batch, T new positions, P context positions from the state, E ``embed_dim``,
V vocabulary.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .attention import EncoderBlock, causal_mask, sinusoidal_positional_encoding
from .checks import check_args


class CharTransformer(nn.Module):
    """Embedding + positions -> ``num_layers`` causal Transformer blocks -> LayerNorm -> head.

    ``d_ff`` defaults to ``4 * embed_dim`` (Vaswani et al., 2017); ``block_size`` is the
    longest context the model reads (its positional encodings stop there).
    """

    def __init__(self, vocab_size: int, embed_dim: int = 128, num_heads: int = 4, num_layers: int = 4,
                 d_ff: int | None = None, block_size: int = 128, dropout: float = 0.0,
                 tie_weights: bool = True):
        super().__init__()
        d_ff = 4 * embed_dim if d_ff is None else d_ff
        check_args("CharTransformer", " (vocab_size=len(vocab); dropout is a probability of zeroing)",
                   dropout=(dropout, "a number in [0, 1)"), **{k: (v, "a positive int") for k, v in (
                       ("vocab_size", vocab_size), ("embed_dim", embed_dim), ("num_heads", num_heads),
                       ("num_layers", num_layers), ("d_ff", d_ff), ("block_size", block_size))})
        self.vocab_size, self.block_size, self.kind = vocab_size, block_size, "transformer"
        self.embed = nn.Embedding(vocab_size, embed_dim)                          # ids -> vectors
        nn.init.normal_(self.embed.weight, std=embed_dim ** -0.5)                 # x sqrt(E): unit scale
        self.register_buffer("pe", sinusoidal_positional_encoding(block_size, embed_dim),
                             persistent=False)                                    # (block_size, E)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(EncoderBlock(embed_dim, num_heads, d_ff, dropout)
                                    for _ in range(num_layers))
        self.norm = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(embed_dim, vocab_size)                              # E -> V logits
        if tie_weights:
            self.head.weight = self.embed.weight                                  # one (V, E) matrix

    def forward(self, idx, targets=None, state=None):
        """``idx`` (B, T) ids -> logits (B, T, V), mean loss in nats (or None), new state.

        ``state`` (B, P) holds earlier ids (None: no context); the last ``block_size - T``
        of them are read before ``idx``. The new state is the last ``block_size - 1`` ids.
        """
        assert idx.ndim == 2, f"idx must be (B, T) ids, got shape {tuple(idx.shape)}"
        T = idx.shape[1]
        if T > self.block_size:
            raise ValueError(f"{T} positions are more than block_size={self.block_size}: feed "
                             f"chunks of at most {self.block_size} (seq_len <= block_size).")
        context = idx if state is None else torch.cat([state[:, state.shape[1] - min(
            state.shape[1], self.block_size - T):], idx], dim=1)                  # (B, P + T)
        P = context.shape[1] - T
        x = self.embed(context) * math.sqrt(self.embed.embedding_dim)            # (B, P + T, E)
        x = self.drop(x + self.pe[:P + T])                                        # + positions
        mask = causal_mask(P + T, device=idx.device)                             # (P + T, P + T)
        for block in self.blocks:
            x, _ = block(x, attn_mask=mask)                                       # (B, P + T, E)
        logits = self.head(self.norm(x[:, P:]))                                   # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten())
        return logits, loss, context[:, -(self.block_size - 1):] if self.block_size > 1 else None
