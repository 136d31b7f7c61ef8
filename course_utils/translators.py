"""Three English->Spanish translators in PyTorch, trained and decoded alike (notebook 06).

Notebook 06 compares, on notebook 03's split and word vocabularies and at matched
parameter counts, three ways for a decoder to use the source sentence
:math:`x = (x_1, \\dots, x_{T_x})` while it writes the translation
:math:`y = (y_1, \\dots, y_{T_y})`:

1. ``GRUTranslator(attention=False)``, notebook 03's encoder-decoder: the whole source
   is squeezed into one vector, the encoder's final state :math:`h_{T_x}`, and the
   decoder starts from it.
2. ``GRUTranslator(attention=True)``, Bahdanau et al. (2015): at every step the decoder
   looks back at *all* encoder states :math:`h_1 \\dots h_{T_x}` and takes a weighted
   average, the context :math:`c_t`; the weights :math:`\\alpha_{tj}` say which source
   words it reads while writing word :math:`t`.
3. ``TransformerTranslator``, Vaswani et al. (2017): no recurrence at all; every layer
   is attention over the sentence (self-attention) or over the source (cross-attention),
   with positions given by sinusoidal encodings.

All three are trained the same way (``course_utils.training.fit_translator``): *teacher
forcing*, the decoder reads the
true previous words ``tgt_in = <s> y`` and is scored on ``tgt_out = y </s>`` by the
cross-entropy over real (non-padding) target positions :math:`M`,

.. math::  \\mathcal{L} = -\\frac{1}{|M|} \\sum_{(n, t) \\in M} \\log p(y_{n,t} \\mid y_{n,<t}, x_n),

with the arrays of ``course_utils.seq2seq.encode_words`` (ids 0 pad, 1 ``<s>``, 2
``</s>``, 3 ``<unk>``, padding after the words).

All three are decoded the same way, through the step-function interface of
``course_utils.decoding``::

    state = model.start(src)                      # src: (B, T_x) ids -> decoder state
    log_probs, state = model.step(prev, state)    # prev: (B,) ids -> (B, V) NumPy, new state
    cu.decoding.greedy_decode(model.step, model.start(src), len(src),
                              start_id=1, end_id=2, max_len=30)

``course_utils.decoding.translate`` does this for a list of sentences (greedy or beam
search); ``course_utils.training.width_for_parameters`` makes the comparison fair.

Inputs are checked once, where they enter (``training.fit_translator``,
``decoding.translate``, ``start``, ``attention_weights``), by ``text.as_ids`` and
``text.check_padding``; ``forward`` and ``step``, called on every batch and decoding step,
trust them.

Shapes: B batch, S = T_x source length, T = T_y target length, E embedding size
(``embed_dim``, also the Transformer's model width, the paper's d_model), H hidden size
(``hidden_size``), V vocabulary.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import decoding
from .attention import (
    AdditiveAttention,
    DecoderBlock,
    EncoderBlock,
    causal_mask,
    sinusoidal_positional_encoding,
)
from .checks import check_args
from .text import Vocab, as_ids, check_padding

PAD, START, END = Vocab.pad_id, Vocab.start_id, Vocab.end_id


# ------------------------------------------------------------------ the shared interface

class _Translator(nn.Module):
    """What the three translators share: input checks and the decoding interface.

    A subclass implements ``forward(src, tgt_in) -> logits (B, T, V)``,
    ``_start(src) -> state`` and ``_step(prev (B,), state) -> (log_probs (B, V), state)``
    on tensors; ``start`` (checked) and ``step`` wrap them for ``course_utils.decoding``.
    """

    max_len: int | None = None               # the longest sentence the model accepts (None: any)

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int):
        super().__init__()
        check_args(type(self).__name__, " (the reserved ids 0-3 plus at least one word); pass len(vocab)",
                   src_vocab_size=(src_vocab_size, f"an int > {Vocab.unk_id + 1}"),
                   tgt_vocab_size=(tgt_vocab_size, f"an int > {Vocab.unk_id + 1}"))
        self.src_vocab_size, self.tgt_vocab_size = src_vocab_size, tgt_vocab_size

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def _check_length(self, length: int, name: str) -> None:
        if self.max_len is not None and length > self.max_len:
            raise ValueError(f"{name} has {length} positions, but the model was built with "
                             f"max_len={self.max_len}: build it with max_len={length} or more, "
                             "or leave the longer sentences out.")

    def _ids(self, ids, name: str) -> torch.Tensor:
        """Checked ``src`` or ``tgt_in`` ids (``name``): (B, T) int64 on the model's device."""
        side = name[:3]                                                  # "src" or "tgt"
        size = getattr(self, f"{side}_vocab_size")
        ids = as_ids(ids, size, ndim=2, what=name, fix=f"the model's vocabulary has {size} tokens. Encode "
                     f"with the vocabulary it was built for, or build it with {side}_vocab_size=len(vocab)")
        check_padding(ids, "source" if side == "src" else "target")
        self._check_length(ids.shape[1], name)
        return torch.from_numpy(ids).to(self.device)

    def _tensors(self, src, tgt_in) -> tuple[torch.Tensor, torch.Tensor]:
        """Unchecked (hot path): ids as int64 tensors on the model's device."""
        src, tgt_in = (torch.as_tensor(a, device=self.device).long() for a in (src, tgt_in))
        assert src.dim() == tgt_in.dim() == 2 and len(src) == len(tgt_in), "ids: (B, S), (B, T)"
        return src, tgt_in

    def _pair(self, src, tgt_in) -> tuple[torch.Tensor, torch.Tensor]:
        src, tgt_in = self._ids(src, "src"), self._ids(tgt_in, "tgt_in")
        if tgt_in.shape[0] != src.shape[0]:
            raise ValueError(f"src has {src.shape[0]} sentences but tgt_in has {tgt_in.shape[0]}: "
                             "pass the decoder inputs of the same pairs (encode_words gives both).")
        return src, tgt_in

    @torch.inference_mode()
    def start(self, src, validate: bool = True) -> dict:
        """The decoder's state before the first word, for ``src`` (B, S) ids.

        Puts the model in eval mode (no dropout); ``fit_translator`` turns training mode back on.
        The state is a dict of tensors on the model's device, batch first. ``validate=False``
        skips the input checks, for a caller that made ``src`` itself (``decoding.translate``
        encodes it with the model's own vocabulary), as ``torch.distributions`` skips them
        with ``validate_args=False``.
        """
        self.eval()
        src = self._ids(src, "src") if validate else torch.as_tensor(src, device=self.device)
        return self._start(src)

    @torch.inference_mode()
    def step(self, prev, state: dict) -> tuple[np.ndarray, dict]:
        """One decoder step: previous ids ``prev`` (B,) -> log p(y_t | y_<t, x) as NumPy (B, V)."""
        assert np.ndim(prev) == 1 and {len(a) for a in decoding.tree_leaves(state)} == {len(prev)}, \
            "prev (B,) and every state tensor need the same batch B: pass model.start(src) of those sentences"
        log_probs, state = self._step(torch.as_tensor(prev, dtype=torch.long, device=self.device),
                                      state)
        return log_probs.float().cpu().numpy(), state


# ------------------------------------------------------------------------- GRU models

class GRUTranslator(_Translator):
    """A GRU encoder-decoder, with or without additive attention (Bahdanau et al., 2015).

    Encoder (both variants), over the real words only (packed sequences):

    .. math::  h_j = \\mathrm{GRU_{enc}}(E_x[x_j], h_{j-1}), \\quad h_0 = 0, \\quad
               s_0 = h_{T_x}\\ \\text{(the state after the last real word)}.

    Without attention (notebook 03's model), the decoder sees the source only through
    :math:`s_0`:

    .. math::  s_t = \\mathrm{GRU_{dec}}(E_y[y_{t-1}], s_{t-1}), \\qquad
               p(y_t \\mid y_{<t}, x) = \\mathrm{softmax}(W_o s_t + b_o).

    With attention, the previous decoder state :math:`s_{t-1}` is the query that scores
    every encoder state :math:`h_j` (padding gets :math:`-\\infty`):

    .. math::  e_{tj} = v^\\top \\tanh(W_q s_{t-1} + W_k h_j), \\quad
               \\alpha_{tj} = \\frac{\\exp e_{tj}}{\\sum_k \\exp e_{tk}}, \\quad
               c_t = \\sum_j \\alpha_{tj} h_j,

    .. math::  s_t = \\mathrm{GRUCell}([E_y[y_{t-1}]; c_t], s_{t-1}), \\qquad
               p(y_t \\mid y_{<t}, x) = \\mathrm{softmax}(W_o [s_t; c_t] + b_o).

    Shapes: :math:`h_j, s_t, c_t` are (B, H), :math:`\\alpha_t` is (B, S). Unlike the
    paper, the encoder reads left to right only (the paper's is bidirectional) and the
    output layer is linear (the paper's adds :math:`y_{t-1}` and a maxout layer): the
    attention is the one change from notebook 03's model. Dropout acts on the
    embeddings and on the output layer's input.
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, embed_dim: int = 128,
                 hidden_size: int = 256, attention: bool = False, dropout: float = 0.1):
        super().__init__(src_vocab_size, tgt_vocab_size)
        check_args("GRUTranslator", embed_dim=(embed_dim, "a positive int"),
                   hidden_size=(hidden_size, "a positive int"),
                   dropout=(dropout, "a number in [0, 1)"))
        self.use_attention = bool(attention)
        self.src_embed = nn.Embedding(src_vocab_size, embed_dim, padding_idx=PAD)
        self.encoder = nn.GRU(embed_dim, hidden_size, batch_first=True)
        self.tgt_embed = nn.Embedding(tgt_vocab_size, embed_dim, padding_idx=PAD)
        self.drop = nn.Dropout(dropout)
        if self.use_attention:
            self.attention = AdditiveAttention(hidden_size, hidden_size, hidden_size)
            self.decoder = nn.GRUCell(embed_dim + hidden_size, hidden_size)  # reads [E_y y; c]
            self.out = nn.Linear(2 * hidden_size, tgt_vocab_size)        # reads [s; c]
        else:
            self.decoder = nn.GRU(embed_dim, hidden_size, batch_first=True)
            self.out = nn.Linear(hidden_size, tgt_vocab_size)

    def _encode(self, src: torch.Tensor):
        """Encoder states (B, S, H) (zero on padding), final states (B, H), mask (B, S)."""
        mask = src != PAD                                                # (B, S) True = word
        x = self.drop(self.src_embed(src))                               # (B, S, E)
        packed = pack_padded_sequence(x, mask.sum(1).cpu(), batch_first=True, enforce_sorted=False)
        out, h_last = self.encoder(packed)                               # h_last: (1, B, H)
        memory, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return memory, h_last[0], mask                                   # (B, S, H), (B, H), (B, S)

    def _attend_step(self, y_emb, s, memory, keys, mask):
        """One attention-decoder step: s_{t-1} -> (s_t, [s_t; c_t], alpha_t)."""
        c, alpha = self.attention(s, memory, mask, projected_keys=keys)  # (B, H), (B, S)
        s = self.decoder(torch.cat([y_emb, c], dim=-1), s)               # (B, H)
        return s, torch.cat([s, c], dim=-1), alpha                       # (B, H), (B, 2H), (B, S)

    def _teacher_forced(self, src, tgt_in):
        """Output-layer inputs (B, T, H or 2H) and attention weights (B, T, S) or None."""
        memory, s, mask = self._encode(src)
        y = self.drop(self.tgt_embed(tgt_in))                            # (B, T, E)
        if not self.use_attention:
            features, _ = self.decoder(y, s[None])                       # (B, T, H)
            return features, None
        keys = self.attention.project_keys(memory)                       # (B, S, H)
        features, weights = [], []
        for t in range(tgt_in.shape[1]):
            s, feature, alpha = self._attend_step(y[:, t], s, memory, keys, mask)
            features.append(feature)
            weights.append(alpha)
        return torch.stack(features, dim=1), torch.stack(weights, dim=1)  # (B, T, 2H), (B, T, S)

    def forward(self, src, tgt_in) -> torch.Tensor:
        """Teacher forcing: ``src`` (B, S) and ``tgt_in`` (B, T) ids -> logits (B, T, V)."""
        features, _ = self._teacher_forced(*self._tensors(src, tgt_in))
        return self.out(self.drop(features))                             # (B, T, V)

    @torch.no_grad()
    def attention_weights(self, src, tgt_in) -> torch.Tensor:
        """The teacher-forced attention weights :math:`\\alpha_{tj}`: (B, T, S) on the CPU.

        Row ``[b, t]`` sums to 1 over the source words and is 0 on padding. Computed in
        eval mode (no dropout); the model's mode is restored afterwards.
        """
        if not self.use_attention:
            raise ValueError("This GRUTranslator has no attention; build it with attention=True.")
        was_training = self.training
        self.eval()
        _, weights = self._teacher_forced(*self._pair(src, tgt_in))
        self.train(was_training)
        return weights.cpu()

    def _start(self, src):
        memory, s, mask = self._encode(src)
        if not self.use_attention:
            return {"s": s}                                              # (B, H)
        return {"s": s, "memory": memory, "padding_mask": mask,          # (B, H), (B, S, H), (B, S)
                "keys": self.attention.project_keys(memory)}             # (B, S, H)

    def _step(self, prev, state):
        y = self.drop(self.tgt_embed(prev))                              # (B, E)
        if self.use_attention:
            s, features, _ = self._attend_step(y, state["s"], state["memory"], state["keys"],
                                               state["padding_mask"])
        else:
            out, s = self.decoder(y[:, None], state["s"][None])           # (B, 1, H), (1, B, H)
            features, s = out[:, 0], s[0]
        logits = self.out(self.drop(features))                           # (B, V)
        return F.log_softmax(logits, dim=-1), {**state, "s": s}


# ------------------------------------------------------------------------- Transformer

class TransformerTranslator(_Translator):
    """A pre-norm Transformer encoder-decoder (Vaswani et al., 2017) from the course's blocks.

    Words become vectors scaled by :math:`\\sqrt{E}` plus sinusoidal position codes
    :math:`P` (``attention.sinusoidal_positional_encoding``):

    .. math::  X^{(0)} = \\sqrt{E}\\, E_x[x] + P_{0..S-1}, \\qquad
               Y^{(0)} = \\sqrt{E}\\, E_y[y_{<t}] + P_{0..T-1}.

    The encoder stack applies ``num_layers`` ``attention.EncoderBlock`` s (self-attention
    over the source, source padding masked, then a feed-forward network) and a final
    LayerNorm: the memory :math:`M = \\mathrm{LN}(X^{(L)})` (B, S, E). The decoder stack
    applies ``num_layers`` ``attention.DecoderBlock`` s (causal self-attention,
    cross-attention to :math:`M`, feed-forward) and a final LayerNorm:
    :math:`z = \\mathrm{LN}(Y^{(L)})` (B, T, E), and
    :math:`p(y_t \\mid y_{<t}, x) = \\mathrm{softmax}(W_o z_t + b_o)`.

    Layer norm comes first in every block (pre-LN, Xiong et al., 2020), with a final norm
    after each stack. Sentences may have up to ``max_len`` tokens.

    Decoding (``start`` / ``step``) keeps a key/value cache per decoder layer in the
    state: each step feeds only the newest word through the decoder and reuses the keys
    and values of the earlier positions and of the memory. The cache is preallocated and
    ``step`` writes into it: continue from the state a step returns, not from an older
    one (beam search does, since it gathers copies). ``kv_cache = False`` re-runs the
    decoder over the whole prefix at every step instead (same outputs, slower).
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, embed_dim: int = 128,
                 num_heads: int = 4, num_layers: int = 2, d_ff: int = 256, dropout: float = 0.1,
                 max_len: int = 256):
        super().__init__(src_vocab_size, tgt_vocab_size)
        if min(embed_dim, num_heads, num_layers, d_ff, max_len) < 1 or embed_dim % num_heads:
            raise ValueError(f"embed_dim={embed_dim} must be a multiple of num_heads={num_heads}, "
                             f"and num_layers={num_layers}, d_ff={d_ff} and max_len={max_len} "
                             "must be >= 1 (e.g. embed_dim=128, num_heads=4).")
        self.embed_dim, self.num_heads, self.max_len = embed_dim, num_heads, max_len
        self.kv_cache = True
        self.src_embed = nn.Embedding(src_vocab_size, embed_dim, padding_idx=PAD)
        self.tgt_embed = nn.Embedding(tgt_vocab_size, embed_dim, padding_idx=PAD)
        self.register_buffer("positions", sinusoidal_positional_encoding(max_len, embed_dim),
                             persistent=False)                           # (max_len, E), not learned
        self.drop = nn.Dropout(dropout)
        block = (embed_dim, num_heads, d_ff, dropout)
        self.encoder = nn.ModuleList(EncoderBlock(*block) for _ in range(num_layers))
        self.encoder_norm = nn.LayerNorm(embed_dim)
        self.decoder = nn.ModuleList(DecoderBlock(*block) for _ in range(num_layers))
        self.decoder_norm = nn.LayerNorm(embed_dim)
        self.out = nn.Linear(embed_dim, tgt_vocab_size)                  # W_o, b_o
        with torch.no_grad():                                            # sqrt(E) E_x[x] of variance 1,
            for table in (self.src_embed, self.tgt_embed):               # like the positions P
                table.weight.normal_(0.0, embed_dim ** -0.5)
                table.weight[PAD] = 0.0

    def _embed(self, ids, table: nn.Embedding, offset: int = 0) -> torch.Tensor:
        """(B, T) ids at positions offset.. -> sqrt(E) * table[ids] + P: (B, T, E)."""
        P = self.positions[offset:offset + ids.shape[1]]                 # (T, E)
        return self.drop(table(ids) * math.sqrt(self.embed_dim) + P)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The encoder stack: ``src`` (B, S) ids -> memory M (B, S, E), padding mask (B, S)."""
        padding_mask = src != PAD                                        # (B, S) True = word
        x = self._embed(src, self.src_embed)                             # (B, S, E)
        for block in self.encoder:
            x, _ = block(x, padding_mask)                                # (B, S, E)
        return self.encoder_norm(x), padding_mask

    def decode(self, tgt_in, memory, padding_mask, need_weights: bool = False):
        """The decoder stack, teacher-forced: ``tgt_in`` (B, T) -> z (B, T, E), weights.

        The weights are the last layer's cross-attention (B, h, T, S) when
        ``need_weights``, else None (the other layers take the fused kernel).
        """
        y = self._embed(tgt_in, self.tgt_embed)                          # (B, T, E)
        causal = causal_mask(tgt_in.shape[1], device=tgt_in.device)      # (T, T)
        for i, block in enumerate(self.decoder):
            last = i == len(self.decoder) - 1
            y, weights = block(y, memory, padding_mask, causal, need_weights=need_weights and last)
        return self.decoder_norm(y), weights                             # (B, T, E)

    def forward(self, src, tgt_in) -> torch.Tensor:
        """Teacher forcing: ``src`` (B, S) and ``tgt_in`` (B, T) ids -> logits (B, T, V)."""
        src, tgt_in = self._tensors(src, tgt_in)
        z, _ = self.decode(tgt_in, *self.encode(src))
        return self.out(z)                                               # (B, T, V)

    @torch.no_grad()
    def attention_weights(self, src, tgt_in, average_heads: bool = True) -> torch.Tensor:
        """The last decoder layer's cross-attention, on the CPU: (B, T, S), or (B, h, T, S).

        The model returns them from its own teacher-forced pass (eval mode, the readable
        attention path). Row ``[b, t]`` sums to 1 and is 0 on source padding.
        """
        src, tgt_in = self._pair(src, tgt_in)
        was_training = self.training
        self.eval()
        _, weights = self.decode(tgt_in, *self.encode(src), need_weights=True)   # (B, h, T, S)
        self.train(was_training)
        return (weights.mean(1) if average_heads else weights).cpu()

    def _start(self, src):
        memory, padding_mask = self.encode(src)                          # (B, S, E), (B, S)
        if not self.kv_cache:
            prefix = torch.zeros(len(src), 0, dtype=torch.long, device=src.device)
            return {"memory": memory, "padding_mask": padding_mask, "prefix": prefix}
        room = min(2 * src.shape[1] + 10, self.max_len)                  # translate's default output bound
        layers = []
        for block in self.decoder:                                       # the memory's keys and values,
            mem_k, mem_v = block.cross_attn.keys_values(memory, memory)  # once: (B, h, S, d_k)
            buffer = mem_k.new_zeros(len(src), self.num_heads, room, self.embed_dim // self.num_heads)
            layers.append({"k": buffer, "v": buffer.clone(),             # (B, h, room, d_k), filled: 0
                           "mem_k": mem_k.contiguous(), "mem_v": mem_v.contiguous()})
        filled = torch.zeros(len(src), dtype=torch.long, device=src.device)      # (B,) all alike
        return {"padding_mask": padding_mask, "layers": layers, "t": filled}

    def _step(self, prev, state):
        if "prefix" in state:                                            # no cache: the whole prefix
            prefix = torch.cat([state["prefix"], prev[:, None]], dim=1)  # (B, t)
            z, _ = self.decode(prefix, state["memory"], state["padding_mask"])
            return F.log_softmax(self.out(z[:, -1]), dim=-1), {**state, "prefix": prefix}
        t = int(state["t"][0])                                           # words decoded so far
        assert t < self.max_len, f"the model decodes at most max_len={self.max_len} words"
        layers = [{**cache, "t": t} for cache in state["layers"]]        # new dicts, same buffers
        y = self._embed(prev[:, None], self.tgt_embed, offset=t)         # (B, 1, E): the newest word
        for block, cache in zip(self.decoder, layers):
            y, _ = block(y, None, state["padding_mask"], cache=cache)    # writes k, v at position t
        z = self.decoder_norm(y[:, 0])                                   # (B, E)
        for cache in layers:
            del cache["t"]                                               # the state's leaves: tensors
        return F.log_softmax(self.out(z), dim=-1), {"padding_mask": state["padding_mask"],
                                                    "layers": layers, "t": state["t"] + 1}
