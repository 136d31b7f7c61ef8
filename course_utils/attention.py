"""Attention from scratch, in PyTorch (notebook 06, attention and Transformer vs recurrent seq2seq).

**Attention is a soft dictionary lookup.** A Python dict returns the value whose key
equals the query. Attention compares a *query* vector :math:`q` with every *key*
:math:`k_s` of a sequence, turns the similarity scores into weights that are positive
and sum to 1, and returns the weighted average of the *values* :math:`v_s`:

.. math::  e_s = \\mathrm{score}(q, k_s), \\qquad
           \\alpha_s = \\frac{\\exp e_s}{\\sum_{s'} \\exp e_{s'}}, \\qquad
           \\mathrm{output} = \\sum_s \\alpha_s v_s.

A key that matches the query well gets most of the weight; nothing is ever looked up
"exactly", so gradients reach every key and value. Two scores are used in the course:

- **additive** (Bahdanau et al., 2015, "Neural machine translation by jointly learning
  to align and translate"): a small network,
  :math:`e_{t,s} = v^\\top \\tanh(W_q q_t + W_k k_s + b)`; ``AdditiveAttention``. The
  recurrent translator of notebook 06 uses it with the decoder state as the query and
  the encoder states as keys and values.
- **scaled dot product** (Vaswani et al., 2017, "Attention is all you need"):
  :math:`e_{t,s} = q_t \\cdot k_s / \\sqrt{d_k}`. For all queries at once, with
  :math:`Q` (T_q, d_k), :math:`K` (T_k, d_k), :math:`V` (T_k, d_v),

  .. math::  \\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\!\\left(
             \\frac{Q K^\\top}{\\sqrt{d_k}}\\right) V ,

  two matrix products that run fast on a GPU; ``scaled_dot_product_attention``.
  ``torch.nn.functional.scaled_dot_product_attention`` computes the same thing with a
  fused kernel (and returns no weights); the tests assert that the two agree.

**Masks** say which keys a query may look at. This module uses one convention
everywhere: a **boolean mask, True = "may attend"** (the convention of the boolean
``attn_mask`` of ``torch.nn.functional.scaled_dot_product_attention``). Scores where the
mask is False are set to :math:`-\\infty` before the softmax, so those keys get weight
exactly 0. Two masks are common:

- a **padding mask** (``padding_mask``): sentences of a batch are padded to one length,
  and no query may read the padding. Shape (B, 1, 1, T_k), broadcast over heads and
  queries.
- a **causal mask** (``causal_mask``): a decoder that writes word :math:`t` may read
  words :math:`0..t` but not the future ones it is learning to predict. Shape (T, T),
  lower-triangular.

Combine masks with ``&``. Beware: ``torch.nn.MultiheadAttention``'s ``key_padding_mask``
and boolean ``attn_mask`` use the *opposite* convention (True = "ignore"); pass ``~mask``
to them.

**Multi-head attention** (``MultiHeadAttention``) runs :math:`h` attentions side by side,
each on its own learned projections of size :math:`d_k = E / h`, so that different heads
can look for different things (the previous word, the subject of the verb, ...):

.. math::  \\mathrm{head}_i = \\mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V), \\qquad
           \\mathrm{MultiHead}(Q, K, V) = \\mathrm{Concat}(\\mathrm{head}_1, \\dots,
           \\mathrm{head}_h)\\, W^O .

*Self-attention* has queries, keys and values from the same sequence; *cross-attention*
(a decoder reading the encoder) has queries from one sequence, keys and values from the
other.

**Positional encoding.** Attention treats its keys as a *set*: shuffle the tokens of a
sentence and self-attention returns the same outputs, shuffled the same way
(permutation equivariance; the tests check it). "dog bites man" and "man bites dog"
would look alike. A Transformer therefore adds to every token embedding a vector that
depends on its position, e.g. the fixed sinusoids of Vaswani et al. (2017)
(``sinusoidal_positional_encoding``). A recurrent network needs none: it reads the
tokens in order.

Shapes: B batch, h heads, T_q queries, T_k keys (= S source positions), d_k query/key
size, d_v value size, E model width (embed_dim). Inputs are batch-first.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

_MASK_HINT = ("Build masks with padding_mask(ids) or causal_mask(T) (True = may attend) "
              "and combine them with &.")


# ------------------------------------------------------------------------------- checks

def _as_bool_mask(mask, name: str = "mask") -> torch.Tensor:
    """``mask`` as a bool tensor, or a ValueError that says how to make one."""
    if isinstance(mask, np.ndarray):
        mask = torch.from_numpy(mask)
    if not isinstance(mask, torch.Tensor):
        raise ValueError(f"{name} must be a bool torch.Tensor (True = may attend), got "
                         f"{type(mask).__name__}. {_MASK_HINT}")
    if mask.dtype != torch.bool:
        raise ValueError(
            f"{name} has dtype {mask.dtype}; pass a bool mask, True = may attend. Convert a 0/1 "
            f"mask with {name}.bool(), an additive float mask (0 = keep, -inf = drop) with "
            f"{name} == 0, or build it with padding_mask / causal_mask.")
    return mask


def _check_some_key_visible(mask: torch.Tensor, name: str = "mask") -> None:
    """Every query row must keep at least one key, or its softmax would be 0/0 = NaN.

    Checked on the mask before broadcasting: a row of the broadcast mask is a copy of a
    row of ``mask``, so this is the same test at a fraction of the cost.
    """
    if (~mask).all(dim=-1).any():
        raise ValueError(
            f"{name} hides every key from some query (a row of {name} is all False), and such a "
            "query has nothing to attend to (its softmax would be 0/0 = NaN). Every query needs "
            "at least one visible key: check the padding and the lengths the mask was built from "
            "(an empty sentence?), and that True means 'may attend' (torch.nn.MultiheadAttention "
            "uses the opposite convention).")


def _masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """softmax over the last axis, with weight exactly 0 where ``mask`` is False."""
    if mask is not None:
        scores = scores.masked_fill(~mask.to(scores.device), float("-inf"))
    return torch.softmax(scores, dim=-1)


def _check_qkv(query, key, value) -> None:
    for name, x in (("query", query), ("key", key), ("value", value)):
        if not isinstance(x, torch.Tensor) or x.dim() < 2:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"{name} must be a tensor of shape (..., T, d) with at least 2 dims, "
                             f"got {shape}. Add a length axis for a single vector: x[None, :].")
        if not x.is_floating_point():
            raise ValueError(f"{name} has dtype {x.dtype}; attention needs floating-point "
                             f"vectors. Embed token ids first, or convert with {name}.float().")
    if not query.dtype == key.dtype == value.dtype:
        raise ValueError(f"query, key and value have dtypes {query.dtype}, {key.dtype}, "
                         f"{value.dtype}; convert them to one dtype, e.g. with .float().")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"query (..., T_q, {query.shape[-1]}) and key (..., T_k, {key.shape[-1]}) "
                         "must have the same last size d_k to be compared by dot products. "
                         "Project them to one size first (an nn.Linear).")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key has {key.shape[-2]} positions and value {value.shape[-2]} "
                         "(axis -2); every key needs its value: pass key and value of the same "
                         "sequence.")
    try:
        torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except RuntimeError:
        raise ValueError(f"the leading (batch, head) axes of query {tuple(query.shape)}, key "
                         f"{tuple(key.shape)} and value {tuple(value.shape)} do not broadcast; "
                         "give them the same batch size (and number of heads).") from None


# ------------------------------------------------------------------- dot-product attention

def scaled_dot_product_attention(query, key, value, mask=None) -> tuple[torch.Tensor, torch.Tensor]:
    """:math:`\\mathrm{softmax}(Q K^\\top / \\sqrt{d_k})\\, V`, and the attention weights.

    ``query`` (..., T_q, d_k), ``key`` (..., T_k, d_k), ``value`` (..., T_k, d_v), where
    ``...`` is any batch (and head) axes. Returns ``(output, weights)``: output
    (..., T_q, d_v), weights (..., T_q, T_k), every row of the weights summing to 1.

    **Why divide by** :math:`\\sqrt{d_k}`: if the components of :math:`q` and :math:`k`
    are independent with mean 0 and variance 1, the dot product
    :math:`q \\cdot k = \\sum_{i=1}^{d_k} q_i k_i` has variance :math:`d_k`. With
    :math:`d_k = 64` the scores then spread over about :math:`\\pm 8`, the softmax puts
    almost all weight on one key (it saturates), and its gradients, which carry a factor
    :math:`\\alpha_s (1 - \\alpha_s)`, vanish. Dividing by :math:`\\sqrt{d_k}` brings the
    variance back to 1 whatever the head size.

    ``mask``: an optional bool tensor broadcastable to (..., T_q, T_k), True = "may
    attend" (e.g. ``padding_mask(ids)`` (B, 1, 1, T_k), ``causal_mask(T)`` (T, T), or
    both combined with ``&``). Masked scores become :math:`-\\infty`, so masked keys get
    weight exactly 0. Every query must keep at least one key.
    """
    _check_qkv(query, key, value)
    d_k = query.shape[-1]
    scores = query @ key.transpose(-2, -1) / math.sqrt(d_k)              # (..., T_q, T_k)
    if mask is not None:
        mask = _as_bool_mask(mask)
        try:
            fits = torch.broadcast_shapes(mask.shape, scores.shape) == scores.shape
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to the scores' shape "
                f"(..., T_q, T_k) = {tuple(scores.shape)}. Use (T_q, T_k) for a causal mask, "
                "(B, 1, 1, T_k) from padding_mask(ids) for 4-D (B, heads, T, d) inputs, or "
                "(B, 1, T_k) for 3-D (B, T, d) inputs.")
        _check_some_key_visible(mask)
    weights = _masked_softmax(scores, mask)                              # (..., T_q, T_k)
    return weights @ value, weights                                      # (..., T_q, d_v)


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


def padding_mask(ids, pad_id: int = 0) -> torch.Tensor:
    """(B, 1, 1, T) bool, True where ``ids != pad_id`` (a real token that may be attended).

    ``ids`` is a (B, T) torch tensor or NumPy array of token ids. The two singleton axes
    let the mask broadcast against the scores (B, heads, T_q, T_k): the same keys are
    hidden from every head and every query. For 3-D scores (B, T_q, T_k) use
    ``padding_mask(ids)[:, 0]`` (B, 1, T); for ``MultiHeadAttention``'s
    ``key_padding_mask`` and ``AdditiveAttention`` use ``ids != pad_id`` (B, T).
    """
    if not isinstance(ids, torch.Tensor):
        array = np.asarray(ids)
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"ids must hold integer token ids, got dtype {array.dtype}. "
                             "Encode the text with a Vocab and pad it (pad_sequences) first.")
        ids = torch.from_numpy(array.astype(np.int64, copy=False))
    elif ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
        raise ValueError(f"ids must hold integer token ids, got dtype {ids.dtype}. Pass the "
                         "padded id matrix (B, T), not embeddings or a mask.")
    if ids.dim() != 2:
        raise ValueError(f"ids must be a (B, T) matrix of padded token ids, got shape "
                         f"{tuple(ids.shape)}. For one sentence use ids[None, :].")
    return (ids != pad_id)[:, None, None, :]                             # (B, 1, 1, T)


# ------------------------------------------------------------------ positional encoding

def sinusoidal_positional_encoding(length: int, d_model: int, device=None) -> torch.Tensor:
    """The fixed positional encodings of Vaswani et al. (2017): float32 (length, d_model).

    .. math::  PE_{pos, 2i} = \\sin\\!\\left(\\frac{pos}{10000^{2i / d}}\\right), \\qquad
               PE_{pos, 2i+1} = \\cos\\!\\left(\\frac{pos}{10000^{2i / d}}\\right),

    with :math:`d` = ``d_model``. Each pair of columns is a clock hand turning at its own
    speed, from one turn every :math:`2\\pi` positions (i = 0) to one every
    :math:`10000 \\cdot 2\\pi`; together they give every position a distinct pattern,
    bounded in [-1, 1], and :math:`PE_{pos + k}` is a fixed rotation of :math:`PE_{pos}`
    for every offset :math:`k`. Row 0 is ``[0, 1, 0, 1, ...]``. Add it to the token
    embeddings (B, T, d_model) as ``x + pe[:T]``.
    """
    for name, value, low in (("length", length, 1), ("d_model", d_model, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name}={value!r} must be an int >= {low}.")
    if d_model % 2:
        raise ValueError(f"d_model={d_model} must be even: columns come in (sin, cos) pairs. "
                         f"Use d_model={d_model + 1}.")
    position = torch.arange(length, dtype=torch.float64)[:, None]       # (length, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)             # (d_model / 2,)
    angle = position / 10000.0 ** (two_i / d_model)                      # (length, d_model / 2)
    pe = torch.empty(length, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.to(device=device, dtype=torch.float32)                     # (length, d_model)


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
    ``torch.nn.MultiheadAttention(E, h, batch_first=True)`` without dropout (see
    ``load_torch_weights``), but with this module's mask convention, True = may attend.
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True):
        super().__init__()
        if min(embed_dim, num_heads) < 1:
            raise ValueError(f"embed_dim={embed_dim} and num_heads={num_heads} must both be >= 1.")
        if embed_dim % num_heads:
            divisors = [d for d in range(1, embed_dim + 1) if embed_dim % d == 0]
            raise ValueError(f"embed_dim={embed_dim} is not divisible by num_heads={num_heads}: each "
                             f"head gets embed_dim / num_heads dimensions. Pick num_heads from "
                             f"{divisors}, or change embed_dim.")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads                                       # d_k = E / h
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)                     # W^Q, all heads
        self.k_proj = nn.Linear(embed_dim, embed_dim, bias=bias)                     # W^K
        self.v_proj = nn.Linear(embed_dim, embed_dim, bias=bias)                     # W^V
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)                   # W^O

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        return x.view(B, T, self.num_heads, self.head_dim).transpose(1, 2)            # (B, h, T, d_k)

    def _merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        B, _, T, _ = x.shape
        return x.transpose(1, 2).reshape(B, T, self.embed_dim)                      # (B, T, E)

    def _check_inputs(self, query, key, value) -> None:
        for name, x in (("query", query), ("key", key), ("value", value)):
            if not isinstance(x, torch.Tensor) or x.dim() != 3 or x.shape[-1] != self.embed_dim:
                shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
                raise ValueError(f"{name} must be batch-first (B, T, {self.embed_dim}), got {shape}. "
                                 "For (T, B, E) tensors use x.transpose(0, 1); for one sentence "
                                 "x[None].")
        if not query.shape[0] == key.shape[0] == value.shape[0]:
            raise ValueError(f"query, key and value have batch sizes {query.shape[0]}, "
                             f"{key.shape[0]}, {value.shape[0]}; they must be the same sentences.")
        if key.shape[1] != value.shape[1]:
            raise ValueError(f"key has {key.shape[1]} positions and value {value.shape[1]}; pass "
                             "key and value of the same sequence (often the same tensor).")

    def _combined_mask(self, key_padding_mask, attn_mask, B, T_q, T_k) -> torch.Tensor | None:
        """Both masks as one bool tensor broadcastable to the scores (B, h, T_q, T_k)."""
        mask = None
        if key_padding_mask is not None:
            key_padding_mask = _as_bool_mask(key_padding_mask, "key_padding_mask")
            if tuple(key_padding_mask.shape) != (B, T_k):
                raise ValueError(
                    f"key_padding_mask must be (B, T_k) = ({B}, {T_k}), got "
                    f"{tuple(key_padding_mask.shape)}. Build it as ids != pad_id (True = real "
                    "token); padding_mask(ids) is the (B, 1, 1, T) form for "
                    "scaled_dot_product_attention.")
            mask = key_padding_mask[:, None, None, :]                                 # (B, 1, 1, T_k)
        if attn_mask is not None:
            attn_mask = _as_bool_mask(attn_mask, "attn_mask")
            shapes = {2: (T_q, T_k), 3: (B, T_q, T_k), 4: (B, self.num_heads, T_q, T_k)}
            if shapes.get(attn_mask.dim()) != tuple(attn_mask.shape):
                raise ValueError(
                    f"attn_mask must be (T_q, T_k) = ({T_q}, {T_k}), (B, T_q, T_k) or (B, h, T_q, "
                    f"T_k), got {tuple(attn_mask.shape)}. A decoder's self-attention uses "
                    f"causal_mask(T) (T, T).")
            if attn_mask.dim() == 3:
                attn_mask = attn_mask[:, None]                                        # (B, 1, T_q, T_k)
            mask = attn_mask if mask is None else mask & attn_mask
        return mask

    def forward(self, query, key, value, key_padding_mask=None,
                attn_mask=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend from ``query`` (B, T_q, E) to ``key`` / ``value`` (B, T_k, E).

        Self-attention: ``mha(x, x, x)``; cross-attention: ``mha(y, memory, memory)``.
        Masks are bool, **True = may attend** (the opposite of
        ``torch.nn.MultiheadAttention``):

        - ``key_padding_mask`` (B, T_k): True on real tokens, False on padding
          (``ids != pad_id``);
        - ``attn_mask`` (T_q, T_k), (B, T_q, T_k) or (B, h, T_q, T_k): e.g.
          ``causal_mask(T)``.

        Returns ``(output, weights)``: output (B, T_q, E) and the weights of every head
        (B, h, T_q, T_k), not averaged over heads.
        """
        self._check_inputs(query, key, value)
        (B, T_q, _), T_k = query.shape, key.shape[1]
        mask = self._combined_mask(key_padding_mask, attn_mask, B, T_q, T_k)
        q = self._split_heads(self.q_proj(query))                                     # (B, h, T_q, d_k)
        k = self._split_heads(self.k_proj(key))                                       # (B, h, T_k, d_k)
        v = self._split_heads(self.v_proj(value))                                     # (B, h, T_k, d_k)
        heads, weights = scaled_dot_product_attention(q, k, v, mask)                  # (B, h, T_q, d_k)
        return self.out_proj(self._merge_heads(heads)), weights                       # (B, T_q, E)

    @torch.no_grad()
    def load_torch_weights(self, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the parameters of a ``torch.nn.MultiheadAttention``; returns ``self``.

        PyTorch stores :math:`W^Q, W^K, W^V` stacked in one ``in_proj_weight`` (3E, E)
        (and ``in_proj_bias`` (3E,)); they are split in three. Afterwards both modules
        give the same outputs and per-head weights (in eval mode, or with dropout 0),
        masks converted between the two conventions.
        """
        if not isinstance(mha, nn.MultiheadAttention):
            raise ValueError(f"expected a torch.nn.MultiheadAttention, got {type(mha).__name__}.")
        if (mha.embed_dim, mha.num_heads) != (self.embed_dim, self.num_heads):
            raise ValueError(f"the torch module has embed_dim={mha.embed_dim}, num_heads="
                             f"{mha.num_heads}; this one {self.embed_dim}, {self.num_heads}. Build "
                             f"MultiHeadAttention({mha.embed_dim}, {mha.num_heads}) to load it.")
        if mha.kdim != mha.embed_dim or mha.vdim != mha.embed_dim:
            raise ValueError(f"the torch module has separate kdim={mha.kdim} / vdim={mha.vdim} "
                             f"(embed_dim={mha.embed_dim}); only key and value of width embed_dim "
                             "are supported. Project keys and values to embed_dim first.")
        if mha.bias_k is not None or mha.add_zero_attn:
            raise ValueError("the torch module uses add_bias_kv or add_zero_attn, which this "
                             "module does not have; build it without them.")
        if (mha.in_proj_bias is None) != (self.q_proj.bias is None):
            raise ValueError(f"bias differs: the torch module has bias={mha.in_proj_bias is not None}, "
                             f"this one bias={self.q_proj.bias is not None}. Build both alike.")
        w_q, w_k, w_v = mha.in_proj_weight.chunk(3, dim=0)                           # (E, E) each
        for proj, weight in ((self.q_proj, w_q), (self.k_proj, w_k), (self.v_proj, w_v)):
            proj.weight.copy_(weight)
        if mha.in_proj_bias is not None:
            for proj, bias in zip((self.q_proj, self.k_proj, self.v_proj), mha.in_proj_bias.chunk(3)):
                proj.bias.copy_(bias)
        self.out_proj.weight.copy_(mha.out_proj.weight)
        if self.out_proj.bias is not None:
            self.out_proj.bias.copy_(mha.out_proj.bias)
        return self


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

    def _check_keys(self, keys) -> None:
        if not isinstance(keys, torch.Tensor) or keys.dim() != 3 or keys.shape[-1] != self.key_dim:
            shape = tuple(keys.shape) if isinstance(keys, torch.Tensor) else type(keys).__name__
            raise ValueError(f"keys must be (B, S, key_dim) = (B, S, {self.key_dim}), got {shape}: "
                             "the encoder states, batch-first.")

    def project_keys(self, keys) -> torch.Tensor:
        """:math:`W_k k_s + b` for every key: (B, S, key_dim) -> (B, S, attn_dim)."""
        self._check_keys(keys)
        return self.key_proj(keys)                                                    # (B, S, A)

    def forward(self, query, keys, key_padding_mask=None,
                projected_keys=None) -> tuple[torch.Tensor, torch.Tensor]:
        """One step: ``query`` (B, query_dim), ``keys`` (B, S, key_dim) -> context, weights.

        ``key_padding_mask`` (B, S) bool, True = a real token (``src != pad_id``); padding
        gets weight exactly 0. ``projected_keys`` (B, S, attn_dim) is
        ``project_keys(keys)``, computed here when not given. Returns the context
        :math:`c_t` (B, key_dim) and the weights :math:`\\alpha_t` (B, S).
        """
        if not isinstance(query, torch.Tensor) or query.dim() != 2 or query.shape[-1] != self.query_dim:
            shape = tuple(query.shape) if isinstance(query, torch.Tensor) else type(query).__name__
            raise ValueError(f"query must be (B, query_dim) = (B, {self.query_dim}), one decoder "
                             f"step, got {shape}. For T steps call once per step, since each step's "
                             "query is the state the previous step produced.")
        self._check_keys(keys)
        if projected_keys is None:
            projected_keys = self.key_proj(keys)                                      # (B, S, A)
        B, S = keys.shape[:2]
        if query.shape[0] != B:
            raise ValueError(f"query has batch size {query.shape[0]} and keys {B}; pass the decoder "
                             "states and encoder states of the same sentences.")
        if tuple(projected_keys.shape) != (B, S, self.attn_dim):
            raise ValueError(f"projected_keys must be (B, S, attn_dim) = ({B}, {S}, {self.attn_dim}), "
                             f"got {tuple(projected_keys.shape)}. Pass project_keys(keys) of these keys.")
        mask = None
        if key_padding_mask is not None:
            mask = _as_bool_mask(key_padding_mask, "key_padding_mask")
            if tuple(mask.shape) != (B, S):
                raise ValueError(f"key_padding_mask must be (B, S) = ({B}, {S}), got "
                                 f"{tuple(mask.shape)}. Build it as src_ids != pad_id "
                                 "(True = real token).")
            _check_some_key_visible(mask, "key_padding_mask")
        energy = torch.tanh(self.query_proj(query)[:, None, :] + projected_keys)     # (B, S, A)
        scores = self.score(energy).squeeze(-1)                                       # (B, S)
        weights = _masked_softmax(scores, mask)                                       # (B, S)
        context = (weights[:, None, :] @ keys).squeeze(1)                             # (B, key_dim)
        return context, weights
