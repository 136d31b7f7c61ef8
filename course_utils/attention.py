"""Attention and the Transformer's blocks, from scratch in PyTorch (notebook 06).

Read bottom-up: masks and positions -> scaled dot-product attention -> multi-head
attention -> feed-forward -> encoder block -> decoder block; ``AdditiveAttention`` (the
recurrent translator's attention) comes last. ``course_utils.translators`` stacks the
blocks into the Transformer that notebook 06 trains.

**Attention is a soft dictionary lookup.** A query :math:`q` is compared with every key
:math:`k_s`; the scores become weights (softmax: positive, summing to 1) and the output
is the weighted average of the values :math:`v_s`. For all queries at once, with
:math:`Q` (T_q, d_k), :math:`K` (T_k, d_k), :math:`V` (T_k, d_v) (Vaswani et al., 2017),

.. math::  \\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\!\\left(
           \\frac{Q K^\\top}{\\sqrt{d_k}}\\right) V .

**Masks** are bool, **True = may attend**, everywhere in this module (the convention of
``torch.nn.functional.scaled_dot_product_attention``; ``torch.nn.MultiheadAttention``
and ``torch.nn.Transformer*Layer`` use the opposite, so pass ``~mask`` to them).
Scores where the mask is False become :math:`-\\infty`, so those keys get weight 0.

- ``padding_mask`` (B, T): True on real tokens, made by ``course_utils.text.padding_mask``
  (a tensor in, a tensor out). The attention functions broadcast it over heads and
  queries themselves.
- ``causal_mask(T)`` (T, T), lower-triangular: position t reads positions 0..t only.

**Two paths, one result.** ``attend`` computes the formula line by line and returns the
weights; with ``need_weights=False`` it calls the fused kernel
``torch.nn.functional.scaled_dot_product_attention`` instead (faster, no weights). The
tests assert that both agree, and that the blocks equal ``torch.nn``'s layers.

Shapes: B batch, h heads, T_q queries, T_k keys, d_k = E / h per head, E model width.
Inputs are batch-first.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .checks import check_attention_inputs, check_multi_head_inputs, check_tensor

# ------------------------------------------------------------------------------- masks

def causal_mask(length: int, device=None) -> torch.Tensor:
    """(length, length) bool, True on and below the diagonal: position t attends to 0..t.

    ``causal_mask(3)`` is ``[[1, 0, 0], [1, 1, 0], [1, 1, 1]]``: row t is the query at
    position t, column s the key at position s.
    """
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length={length!r} must be an int >= 1 (the sequence length T, "
                         "e.g. tgt.shape[1]).")
    return torch.ones(int(length), int(length), dtype=torch.bool, device=device).tril()


def broadcast_padding(padding_mask: torch.Tensor, dims: int) -> torch.Tensor:
    """(B, T_k) -> (B, 1, ..., 1, T_k) with ``dims`` axes, to broadcast against the scores.

    Scores (B, T_q, T_k) need (B, 1, T_k); per-head scores (B, h, T_q, T_k) need
    (B, 1, 1, T_k): every head and every query skips the same padded keys.
    """
    B, T_k = padding_mask.shape
    return padding_mask.view(B, *([1] * (dims - 2)), T_k)


def combine_masks(padding_mask=None, attn_mask=None, dims: int = 4) -> torch.Tensor | None:
    """One bool mask for scores with ``dims`` axes: padding (B, T_k) & attn_mask, or None."""
    if padding_mask is None:
        return attn_mask
    mask = broadcast_padding(padding_mask, dims)
    return mask if attn_mask is None else mask & attn_mask


# ------------------------------------------------------------------ positional encoding

def sinusoidal_positional_encoding(length: int, embed_dim: int, device=None) -> torch.Tensor:
    """The fixed positional encodings of Vaswani et al. (2017): float32 (length, embed_dim).

    .. math::  PE_{pos, 2i} = \\sin\\!\\left(\\frac{pos}{10000^{2i / d}}\\right), \\qquad
               PE_{pos, 2i+1} = \\cos\\!\\left(\\frac{pos}{10000^{2i / d}}\\right),

    with :math:`d` = ``embed_dim`` = E (the paper's d_model). Each pair of columns is a
    clock hand turning at its own speed; together they give every position a distinct
    pattern in [-1, 1], and :math:`PE_{pos + k}` is a fixed rotation of :math:`PE_{pos}`.
    Row 0 is ``[0, 1, 0, 1, ...]``. Add it to the token embeddings (B, T, E): ``x + pe[:T]``.
    """
    for name, value, low in (("length", length, 1), ("embed_dim", embed_dim, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name}={value!r} must be an int >= {low}.")
    if embed_dim % 2:
        raise ValueError(f"embed_dim={embed_dim} must be even: columns come in (sin, cos) pairs. "
                         f"Use embed_dim={embed_dim + 1}.")
    position = torch.arange(length, dtype=torch.float64)[:, None]       # (length, 1)
    two_i = torch.arange(0, embed_dim, 2, dtype=torch.float64)           # (E / 2,)
    angle = position / 10000.0 ** (two_i / embed_dim)                    # (length, E / 2)
    pe = torch.empty(length, embed_dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.to(device=device, dtype=torch.float32)                     # (length, E)


# ------------------------------------------------------------------- dot-product attention

def attend(q, k, v, mask=None, need_weights: bool = True):
    """:math:`\\mathrm{softmax}(Q K^\\top / \\sqrt{d_k})\\, V` on checked tensors: (output, weights).

    ``q`` (..., T_q, d_k), ``k`` (..., T_k, d_k), ``v`` (..., T_k, d_v); ``mask`` bool,
    broadcastable to (..., T_q, T_k), True = may attend. The readable path returns the
    weights (..., T_q, T_k); ``need_weights=False`` takes the fused kernel
    ``F.scaled_dot_product_attention`` (same output, asserted in the tests) and returns
    ``(output, None)``.
    """
    if not need_weights:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask), None  # (..., T_q, d_v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])            # (..., T_q, T_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))                # weight exactly 0
    weights = torch.softmax(scores, dim=-1)                              # (..., T_q, T_k)
    return weights @ v, weights                                          # (..., T_q, d_v)


def scaled_dot_product_attention(query, key, value, mask=None, padding_mask=None):
    """Checked ``attend``: returns ``(output (..., T_q, d_v), weights (..., T_q, T_k))``.

    ``query`` (..., T_q, d_k), ``key`` (..., T_k, d_k), ``value`` (..., T_k, d_v), where
    ``...`` is any batch (and head) axes. ``mask``: optional bool, broadcastable to
    (..., T_q, T_k), e.g. ``causal_mask(T)``; ``padding_mask``: optional (B, T_k) bool,
    True on real tokens. Every row of the weights sums to 1; masked keys get exactly 0.

    **Why divide by** :math:`\\sqrt{d_k}`: with independent unit-variance components,
    :math:`q \\cdot k = \\sum_{i=1}^{d_k} q_i k_i` has variance :math:`d_k`; large scores
    saturate the softmax (one key takes all the weight) and its gradients, which carry a
    factor :math:`\\alpha_s (1 - \\alpha_s)`, vanish. The division restores variance 1.
    """
    padding_mask, mask, dims = check_attention_inputs(query, key, value, padding_mask, mask)  # once, here
    return attend(query, key, value, combine_masks(padding_mask, mask, dims))


# ------------------------------------------------------------------- multi-head attention

class MultiHeadAttention(nn.Module):
    """Multi-head scaled dot-product attention (Vaswani et al., 2017), batch-first.

    .. math::  \\mathrm{head}_i = \\mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V), \\qquad
               \\mathrm{MultiHead}(Q, K, V) = \\mathrm{Concat}(\\mathrm{head}_1, \\dots,
               \\mathrm{head}_h)\\, W^O .

    The :math:`h` matrices :math:`W_i^Q` (E, E/h) sit side by side in one
    ``q_proj = nn.Linear(E, E)`` (likewise ``k_proj``, ``v_proj``); its output (B, T, E)
    is cut into heads (B, h, T, E/h), all heads attend at once, and ``out_proj``
    (:math:`W^O`) mixes the concatenated heads. Same parameters and outputs as
    ``torch.nn.MultiheadAttention(E, h, batch_first=True)`` (``load_torch_weights``).

    ``forward`` is the whole layer; the blocks call its two halves, ``keys_values``
    (project and split keys and values, cacheable while decoding) and ``attend_heads``.
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True):
        super().__init__()
        if min(embed_dim, num_heads) < 1 or embed_dim % num_heads:
            divisors = [d for d in range(1, max(embed_dim, 1) + 1) if embed_dim % d == 0]
            raise ValueError(f"embed_dim={embed_dim} must be divisible by num_heads={num_heads} "
                             f"(each head gets embed_dim / num_heads dimensions); pick num_heads "
                             f"from {divisors}.")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads                                       # d_k = E / h
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)                     # W^Q, all heads
        self.k_proj = nn.Linear(embed_dim, embed_dim, bias=bias)                     # W^K
        self.v_proj = nn.Linear(embed_dim, embed_dim, bias=bias)                     # W^V
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)                   # W^O

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        return x.view(B, T, self.num_heads, self.head_dim).transpose(1, 2)            # (B, h, T, d_k)

    def keys_values(self, key, value) -> tuple[torch.Tensor, torch.Tensor]:
        """K W^K and V W^V, split into heads: (B, h, T_k, d_k) each."""
        return self.split_heads(self.k_proj(key)), self.split_heads(self.v_proj(value))

    def attend_heads(self, query, k, v, mask=None, need_weights: bool = False):
        """``query`` (B, T_q, E) attends to projected ``k``, ``v`` (B, h, T_k, d_k).

        ``mask``: bool, broadcastable to (B, h, T_q, T_k). Returns the output (B, T_q, E)
        and the per-head weights (B, h, T_q, T_k), or None on the fast path.
        """
        q = self.split_heads(self.q_proj(query))                                      # (B, h, T_q, d_k)
        heads, weights = attend(q, k, v, mask, need_weights)                          # (B, h, T_q, d_k)
        B, _, T_q, _ = heads.shape
        merged = heads.transpose(1, 2).reshape(B, T_q, self.embed_dim)               # (B, T_q, E)
        return self.out_proj(merged), weights

    def forward(self, query, key, value, padding_mask=None, attn_mask=None,
                need_weights: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend from ``query`` (B, T_q, E) to ``key`` / ``value`` (B, T_k, E).

        Self-attention: ``mha(x, x, x)``; cross-attention: ``mha(y, memory, memory)``.
        Masks are bool, True = may attend: ``padding_mask`` (B, T_k), True on real keys;
        ``attn_mask`` (T_q, T_k), (B, T_q, T_k) or (B, h, T_q, T_k), e.g. ``causal_mask(T)``.
        Returns the output (B, T_q, E) and the weights of every head (B, h, T_q, T_k);
        ``need_weights=False`` uses the fused kernel and returns ``(output, None)``.
        """
        check_multi_head_inputs(self, query, key, value, padding_mask, attn_mask)    # friendly errors, once
        if attn_mask is not None and attn_mask.dim() == 3:
            attn_mask = attn_mask[:, None]                                            # (B, 1, T_q, T_k)
        mask = combine_masks(padding_mask, attn_mask)                                 # (B, 1|h, 1|T_q, T_k)
        return self.attend_heads(query, *self.keys_values(key, value), mask, need_weights)

    @torch.no_grad()
    def load_torch_weights(self, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the parameters of a ``torch.nn.MultiheadAttention``; returns ``self``.

        PyTorch stacks :math:`W^Q, W^K, W^V` in one ``in_proj_weight`` (3E, E) (and
        ``in_proj_bias`` (3E,)); they are split in three.
        """
        if not isinstance(mha, nn.MultiheadAttention):
            raise ValueError(f"expected a torch.nn.MultiheadAttention, got {type(mha).__name__}.")
        if (mha.embed_dim, mha.num_heads) != (self.embed_dim, self.num_heads):
            raise ValueError(f"the torch module has embed_dim={mha.embed_dim}, num_heads="
                             f"{mha.num_heads}; this one {self.embed_dim}, {self.num_heads}. Build "
                             f"MultiHeadAttention({mha.embed_dim}, {mha.num_heads}) to load it.")
        if mha.kdim != mha.embed_dim or mha.vdim != mha.embed_dim or mha.bias_k is not None \
                or mha.add_zero_attn or (mha.in_proj_bias is None) != (self.q_proj.bias is None):
            raise ValueError("the torch module has separate kdim/vdim, add_bias_kv, add_zero_attn "
                             "or a different bias setting; build both modules alike.")
        projections = (self.q_proj, self.k_proj, self.v_proj)
        for proj, weight in zip(projections, mha.in_proj_weight.chunk(3, dim=0)):   # (E, E) each
            proj.weight.copy_(weight)
        if mha.in_proj_bias is not None:
            for proj, bias in zip(projections, mha.in_proj_bias.chunk(3)):
                proj.bias.copy_(bias)
            self.out_proj.bias.copy_(mha.out_proj.bias)
        self.out_proj.weight.copy_(mha.out_proj.weight)
        return self


# ------------------------------------------------------------------ Transformer blocks

class FeedForward(nn.Module):
    """The position-wise feed-forward network, E -> d_ff -> E:

    .. math::  \\mathrm{FFN}(x) = W_2\\, \\mathrm{ReLU}(W_1 x + b_1) + b_2 .

    The same two-layer network is applied to every position separately (E -> d_ff -> E);
    attention mixes positions, this mixes features.
    """

    def __init__(self, embed_dim: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(embed_dim, d_ff)                             # W_1, b_1
        self.linear2 = nn.Linear(d_ff, embed_dim)                             # W_2, b_2
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.linear2(self.drop(torch.relu(self.linear1(x))))          # (B, T, E)


class EncoderBlock(nn.Module):
    """A pre-norm Transformer encoder block (Xiong et al., 2020):

    .. math::  X \\leftarrow X + \\mathrm{MultiHead}(\\mathrm{LN}_1(X), \\mathrm{LN}_1(X),
               \\mathrm{LN}_1(X)), \\qquad X \\leftarrow X + \\mathrm{FFN}(\\mathrm{LN}_2(X)),

    X (B, S, E). Normalising before each sublayer, not after, keeps a clean residual
    path from input to output, so deep stacks train without warm-up tricks. Equals
    ``nn.TransformerEncoderLayer(E, h, d_ff, batch_first=True, norm_first=True)``
    (``load_torch_weights``).
    """

    def __init__(self, embed_dim: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(embed_dim), nn.LayerNorm(embed_dim)
        self.self_attn = MultiHeadAttention(embed_dim, num_heads)
        self.ff = FeedForward(embed_dim, d_ff, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, padding_mask=None, need_weights: bool = False, attn_mask=None):
        """``x`` (B, S, E), ``padding_mask`` (B, S) True on real tokens -> (B, S, E), weights.

        ``attn_mask`` (S, S) bool, e.g. ``causal_mask(S)``, makes the block a decoder-only
        (GPT) block: position t reads positions 0..t only (``char_transformer``).
        """
        h = self.norm1(x)                                                     # (B, S, E)
        mask = combine_masks(padding_mask, attn_mask)                         # (B, 1, 1|S, S) or (S, S)
        a, weights = self.self_attn.attend_heads(h, *self.self_attn.keys_values(h, h), mask,
                                                 need_weights)
        x = x + self.drop(a)                                                  # residual
        return x + self.drop(self.ff(self.norm2(x))), weights                 # (B, S, E)

    @torch.no_grad()
    def load_torch_weights(self, layer: nn.TransformerEncoderLayer) -> EncoderBlock:
        self.self_attn.load_torch_weights(layer.self_attn)
        _copy_ff_and_norms(self, layer, ("norm1", "norm2"))
        return self


class DecoderBlock(nn.Module):
    """A pre-norm Transformer decoder block: causal self-attention, cross-attention, FFN.

    .. math::  Y \\leftarrow Y + \\mathrm{MultiHead}(\\mathrm{LN}_1(Y), \\mathrm{LN}_1(Y),
               \\mathrm{LN}_1(Y);\\ \\text{causal}),

    .. math::  Y \\leftarrow Y + \\mathrm{MultiHead}(\\mathrm{LN}_2(Y), M, M;\\ \\text{source
               padding}), \\qquad Y \\leftarrow Y + \\mathrm{FFN}(\\mathrm{LN}_3(Y)),

    Y (B, T, E) the target positions, M (B, S, E) the encoder's output (the memory).
    Equals ``nn.TransformerDecoderLayer(..., batch_first=True, norm_first=True)``.

    **Key/value cache.** While decoding, position t's keys and values never change once
    computed (causal attention), and the memory's never change at all. ``forward`` with a
    ``cache`` dict takes only the new positions in ``Y``, writes their keys and values into
    the cache and reads the memory's from it. The cache holds this layer's ``"k"``,
    ``"v"`` (B, h, L, d_k), buffers of room L whose first ``"t"`` positions are filled
    (``"t"`` absent = 0; a full buffer doubles), and ``"mem_k"``, ``"mem_v"`` (B, h, S, d_k).
    Writing into a preallocated buffer copies one position per step, where appending with
    ``torch.cat`` would copy all t of them.
    """

    def __init__(self, embed_dim: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(embed_dim) for _ in range(3))
        self.self_attn = MultiHeadAttention(embed_dim, num_heads)
        self.cross_attn = MultiHeadAttention(embed_dim, num_heads)
        self.ff = FeedForward(embed_dim, d_ff, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, y, memory, padding_mask=None, self_mask=None, cache=None,
                need_weights: bool = False):
        """``y`` (B, T, E), ``memory`` (B, S, E) -> (B, T, E) and cross-attention weights.

        ``padding_mask`` (B, S): True on real source tokens. ``self_mask``: bool,
        broadcastable to (B, h, T, T), usually ``causal_mask(T)``; None with a ``cache``
        (the new position may read all earlier ones). Weights (B, h, T, S) or None.
        """
        h = self.norm1(y)                                                     # (B, T, E)
        k, v = self.self_attn.keys_values(h, h)                               # (B, h, T, d_k)
        if cache is not None:
            k, v = _append_to_cache(cache, k, v)                              # (B, h, t + T, d_k)
        a, _ = self.self_attn.attend_heads(h, k, v, self_mask)
        y = y + self.drop(a)                                                  # residual
        if cache is not None:
            mem_k, mem_v = cache["mem_k"], cache["mem_v"]                     # (B, h, S, d_k)
        else:
            mem_k, mem_v = self.cross_attn.keys_values(memory, memory)
        mask = None if padding_mask is None else padding_mask[:, None, None, :]  # (B, 1, 1, S)
        a, weights = self.cross_attn.attend_heads(self.norm2(y), mem_k, mem_v, mask, need_weights)
        y = y + self.drop(a)
        return y + self.drop(self.ff(self.norm3(y))), weights                 # (B, T, E)

    @torch.no_grad()
    def load_torch_weights(self, layer: nn.TransformerDecoderLayer) -> DecoderBlock:
        self.self_attn.load_torch_weights(layer.self_attn)
        self.cross_attn.load_torch_weights(layer.multihead_attn)
        _copy_ff_and_norms(self, layer, ("norm1", "norm2", "norm3"))
        return self


def _append_to_cache(cache: dict, k: torch.Tensor, v: torch.Tensor):
    """Write ``k``, ``v`` (B, h, T, d_k) at positions t.. of the cache; the keys and values so far."""
    t, T = cache.get("t", 0), k.shape[2]
    room = cache["k"].shape[2]
    if t + T > room:                                                          # full: double the room
        extra = max(t + T, 2 * room) - room
        for name in ("k", "v"):
            buffer = cache[name]                                              # (B, h, room, d_k)
            cache[name] = torch.cat([buffer, buffer.new_zeros(*buffer.shape[:2], extra,
                                                              buffer.shape[3])], dim=2)
    cache["k"][:, :, t:t + T] = k
    cache["v"][:, :, t:t + T] = v
    cache["t"] = t + T
    return cache["k"][:, :, :t + T], cache["v"][:, :, :t + T]                 # (B, h, t + T, d_k)


@torch.no_grad()
def _copy_ff_and_norms(block: nn.Module, layer: nn.Module, norms: tuple[str, ...]) -> None:
    """Copy a torch Transformer layer's feed-forward and LayerNorm weights into ``block``."""
    if not getattr(layer, "norm_first", False) or layer.activation is not F.relu:
        raise ValueError("only torch layers with norm_first=True and the ReLU activation match "
                         "these pre-norm blocks; build the torch layer with norm_first=True.")
    for ours, theirs in ((block.ff.linear1, layer.linear1), (block.ff.linear2, layer.linear2),
                         *((getattr(block, n), getattr(layer, n)) for n in norms)):
        ours.load_state_dict(theirs.state_dict())


# ------------------------------------------------------------------- additive attention

class AdditiveAttention(nn.Module):
    """Additive attention (Bahdanau et al., 2015) for one decoder step.

    For the query :math:`q_t` (a decoder state) and keys :math:`k_1 \\dots k_S` (the
    encoder states, which are also the values):

    .. math::  e_{t,s} = v^\\top \\tanh(W_q q_t + W_k k_s + b), \\qquad
               \\alpha_{t,s} = \\frac{\\exp e_{t,s}}{\\sum_{s'} \\exp e_{t,s'}}, \\qquad
               c_t = \\sum_s \\alpha_{t,s} k_s ,

    with :math:`W_q` = ``query_proj`` (attn_dim, query_dim), :math:`W_k, b` =
    ``key_proj`` (attn_dim, key_dim), :math:`v` = ``score`` (1, attn_dim). Unlike the dot
    product, the query and keys may have different sizes. :math:`W_k k_s + b` does not
    depend on the step :math:`t`: compute it once per sentence with ``project_keys`` and
    pass it to every step as ``projected_keys``.
    """

    def __init__(self, query_dim: int, key_dim: int, attn_dim: int):
        super().__init__()
        if min(query_dim, key_dim, attn_dim) < 1:
            raise ValueError(f"query_dim, key_dim and attn_dim must all be >= 1, got {query_dim}, "
                             f"{key_dim}, {attn_dim}.")
        self.query_dim, self.key_dim, self.attn_dim = query_dim, key_dim, attn_dim
        self.query_proj = nn.Linear(query_dim, attn_dim, bias=False)                  # W_q
        self.key_proj = nn.Linear(key_dim, attn_dim, bias=True)                       # W_k, b
        self.score = nn.Linear(attn_dim, 1, bias=False)                               # v^T

    def project_keys(self, keys) -> torch.Tensor:
        """:math:`W_k k_s + b` for every key: (B, S, key_dim) -> (B, S, attn_dim)."""
        if not isinstance(keys, torch.Tensor) or keys.dim() != 3 or keys.shape[-1] != self.key_dim:
            shape = tuple(keys.shape) if isinstance(keys, torch.Tensor) else type(keys).__name__
            raise ValueError(f"keys must be (B, S, key_dim) = (B, S, {self.key_dim}), got {shape}: "
                             "the encoder states, batch-first.")
        check_tensor(keys, "keys", f"(B, S, {self.key_dim}), S >= 1", like=self)  # dtype, NaN, S = 0
        return self.key_proj(keys)                                                    # (B, S, A)

    def forward(self, query, keys, padding_mask=None,
                projected_keys=None) -> tuple[torch.Tensor, torch.Tensor]:
        """One step: ``query`` (B, query_dim), ``keys`` (B, S, key_dim) -> context, weights.

        ``padding_mask`` (B, S) bool, True on real tokens (``src != pad_id``); padding gets
        weight exactly 0. ``projected_keys`` (B, S, attn_dim) is ``project_keys(keys)``,
        computed here when not given. Returns the context :math:`c_t` (B, key_dim) and the
        weights :math:`\\alpha_t` (B, S). A decoder calls this at every step, so inputs are
        checked by one assert; ``project_keys`` checks the keys once per sentence.
        """
        if projected_keys is None:
            projected_keys = self.project_keys(keys)                                  # (B, S, A)
        assert query.shape == (keys.shape[0], self.query_dim), "query must be (B, query_dim)"
        energy = torch.tanh(self.query_proj(query)[:, None, :] + projected_keys)     # (B, S, A)
        scores = self.score(energy).squeeze(-1)                                       # (B, S)
        if padding_mask is not None:
            scores = scores.masked_fill(~padding_mask, float("-inf"))                # (B, S)
        weights = torch.softmax(scores, dim=-1)                                       # (B, S)
        context = (weights[:, None, :] @ keys).squeeze(1)                             # (B, key_dim)
        return context, weights
