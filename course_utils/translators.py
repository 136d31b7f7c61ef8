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

All three are trained the same way (``fit``): *teacher forcing*, the decoder reads the
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

``translate`` does this for a list of sentences (greedy or beam search).
``count_parameters`` and ``width_for_parameters`` make the comparison fair.

Shapes: B batch, S = T_x source length, T = T_y target length, E embedding size,
H hidden units, D model width, V vocabulary.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import config, decoding, metrics
from .attention import AdditiveAttention, causal_mask, sinusoidal_positional_encoding
from .text import Vocab, pad_sequences

with warnings.catch_warnings():          # no ipywidgets: tqdm.auto falls back to text bars
    warnings.simplefilter("ignore")
    from tqdm.auto import tqdm

PAD, START, END = Vocab.pad_id, Vocab.start_id, Vocab.end_id


# ------------------------------------------------------------------------- input checks

def _check_id_range(ids, vocab_size: int, name: str, argument: str) -> None:
    """A ValueError unless every id of ``ids`` lies in [0, vocab_size)."""
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high >= vocab_size:
        raise ValueError(
            f"{name} holds ids {low}..{high}, but the vocabulary has {vocab_size} tokens (ids 0.."
            f"{vocab_size - 1}). Encode with the vocabulary the model was built for, or build the "
            f"model with {argument}=len(vocab).")


def _as_ids(ids, name: str) -> torch.Tensor:
    """``ids`` as a 2-D int64 CPU-or-device tensor, or a ValueError saying what to change."""
    if isinstance(ids, torch.Tensor):
        tensor = ids
    else:
        array = np.asarray(ids)
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"{name} must hold integer token ids, got dtype {array.dtype}. "
                             "Encode the sentences with a Vocab first.")
        tensor = torch.from_numpy(np.ascontiguousarray(array))
    if tensor.dtype.is_floating_point or tensor.dtype.is_complex or tensor.dtype == torch.bool:
        raise ValueError(f"{name} must hold integer token ids, got dtype {tensor.dtype}. "
                         "Pass ids, not one-hot or embedded vectors.")
    if tensor.ndim != 2:
        hint = f"add the batch axis: {name}[None]." if tensor.ndim == 1 else "pass ids (batch, time)."
        raise ValueError(f"{name} must be a 2-D (batch, time) array of token ids, got shape "
                         f"{tuple(tensor.shape)}; {hint}")
    if tensor.numel() == 0:
        raise ValueError(f"{name} has shape {tuple(tensor.shape)}: it needs at least one sentence "
                         "and one time step.")
    return tensor.long()


def _check_source_rows(src: torch.Tensor) -> None:
    """Every source row needs a word, and padding only after the words."""
    real = src != PAD                                                    # (B, S)
    lengths = real.sum(1)                                                # (B,)
    if bool((lengths == 0).any()):
        row = int((lengths == 0).nonzero()[0, 0])
        raise ValueError(f"source row {row} is all padding: every sentence needs at least one "
                         "token. Drop empty sentences before encoding them.")
    positions = torch.arange(src.shape[1], device=src.device)           # (S,)
    if not bool((real == (positions < lengths[:, None])).all()):
        raise ValueError("source padding (id 0) must come after the words in every row, as "
                         "Vocab.encode_batch and encode_words make it; re-encode the sentences.")


# ------------------------------------------------------------------ the shared interface

class _Translator(nn.Module):
    """What the three translators share: input checks and the decoding interface.

    A subclass implements ``forward(src, tgt_in) -> logits (B, T, V)``,
    ``_start(src) -> state`` and ``_step(prev (B,), state) -> (log_probs (B, V), state)``
    on checked tensors; ``start`` and ``step`` wrap them for ``course_utils.decoding``.
    """

    max_len: int | None = None               # the longest sentence the model accepts (None: any)

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int):
        super().__init__()
        for name, size in (("src_vocab_size", src_vocab_size), ("tgt_vocab_size", tgt_vocab_size)):
            if not isinstance(size, int) or size <= END:
                raise ValueError(f"{name}={size!r} must be an int > {END} (the reserved ids 0-3 "
                                 "plus the words); pass len(vocab).")
        self.src_vocab_size, self.tgt_vocab_size = src_vocab_size, tgt_vocab_size

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def _check_length(self, length: int, name: str) -> None:
        if self.max_len is not None and length > self.max_len:
            raise ValueError(f"{name} has {length} positions, but the model was built with "
                             f"max_len={self.max_len}: build it with max_len={length} or more, "
                             "or leave the longer sentences out.")

    def _source(self, src) -> torch.Tensor:
        src = _as_ids(src, "src")
        _check_id_range(src, self.src_vocab_size, "src", "src_vocab_size")
        _check_source_rows(src)
        self._check_length(src.shape[1], "src")
        return src.to(self.device)

    def _pair(self, src, tgt_in) -> tuple[torch.Tensor, torch.Tensor]:
        src, tgt_in = self._source(src), _as_ids(tgt_in, "tgt_in")
        if tgt_in.shape[0] != src.shape[0]:
            raise ValueError(f"src has {src.shape[0]} sentences but tgt_in has {tgt_in.shape[0]}: "
                             "pass the decoder inputs of the same pairs (encode_words gives both).")
        _check_id_range(tgt_in, self.tgt_vocab_size, "tgt_in", "tgt_vocab_size")
        self._check_length(tgt_in.shape[1], "tgt_in")
        return src, tgt_in.to(self.device)

    @torch.no_grad()
    def start(self, src) -> dict:
        """The decoder's state before the first word, for ``src`` (B, S) ids.

        Puts the model in eval mode (no dropout); ``fit`` turns training mode back on.
        The state is a dict of tensors on the model's device, batch first.
        """
        self.eval()
        return self._start(self._source(src))

    @torch.no_grad()
    def step(self, prev, state: dict) -> tuple[np.ndarray, dict]:
        """One decoder step: previous ids ``prev`` (B,) -> log p(y_t | y_<t, x) as NumPy (B, V)."""
        prev = np.asarray(prev)
        if prev.ndim != 1 or not np.issubdtype(prev.dtype, np.integer):
            raise ValueError(f"step expects one previous token id per sentence, shape (B,), got "
                             f"{prev.dtype} {prev.shape}.")
        _check_id_range(prev, self.tgt_vocab_size, "prev", "tgt_vocab_size")
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
                 hidden: int = 256, attention: bool = False, dropout: float = 0.1):
        super().__init__(src_vocab_size, tgt_vocab_size)
        if min(embed_dim, hidden) < 1:
            raise ValueError(f"embed_dim={embed_dim} and hidden={hidden} must be >= 1.")
        self.use_attention = bool(attention)
        self.src_embed = nn.Embedding(src_vocab_size, embed_dim, padding_idx=PAD)
        self.encoder = nn.GRU(embed_dim, hidden, batch_first=True)
        self.tgt_embed = nn.Embedding(tgt_vocab_size, embed_dim, padding_idx=PAD)
        self.drop = nn.Dropout(dropout)
        if self.use_attention:
            self.attention = AdditiveAttention(hidden, hidden, hidden)
            self.decoder = nn.GRUCell(embed_dim + hidden, hidden)        # reads [E_y y; c]
            self.out = nn.Linear(2 * hidden, tgt_vocab_size)             # reads [s; c]
        else:
            self.decoder = nn.GRU(embed_dim, hidden, batch_first=True)
            self.out = nn.Linear(hidden, tgt_vocab_size)

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
        src, tgt_in = self._pair(src, tgt_in)
        features, _ = self._teacher_forced(src, tgt_in)
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
        return {"s": s, "memory": memory, "mask": mask,                  # (B, H), (B, S, H), (B, S)
                "keys": self.attention.project_keys(memory)}             # (B, S, H)

    def _step(self, prev, state):
        y = self.drop(self.tgt_embed(prev))                              # (B, E)
        if self.use_attention:
            s, features, _ = self._attend_step(y, state["s"], state["memory"], state["keys"],
                                               state["mask"])
        else:
            out, s = self.decoder(y[:, None], state["s"][None])           # (B, 1, H), (1, B, H)
            features, s = out[:, 0], s[0]
        logits = self.out(self.drop(features))                           # (B, V)
        return F.log_softmax(logits, dim=-1), {**state, "s": s}


# ------------------------------------------------------------------------- Transformer

class TransformerTranslator(_Translator):
    """A Transformer encoder-decoder (Vaswani et al., 2017) from PyTorch's layers.

    Words become vectors scaled by :math:`\\sqrt{D}` plus sinusoidal position codes
    :math:`P` (``attention.sinusoidal_positional_encoding``):

    .. math::  X^{(0)} = \\sqrt{D}\\, E_x[x] + P_{1..S}, \\qquad
               Y^{(0)} = \\sqrt{D}\\, E_y[y_{<t}] + P_{1..T}.

    Every attention block computes, per head of size :math:`d_k = D / n_{head}`,

    .. math::  \\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\!\\left(
               \\frac{Q K^\\top}{\\sqrt{d_k}} + \\mathrm{mask}\\right) V,

    with :math:`-\\infty` in the mask on source padding (encoder self-attention and
    decoder cross-attention) and above the diagonal of the decoder's self-attention
    (position :math:`t` may not read later words: the causal mask). The encoder's
    ``num_layers`` layers (self-attention + feed-forward) turn :math:`X^{(0)}` into the
    memory :math:`M` (B, S, D); the decoder's layers (causal self-attention,
    cross-attention to :math:`M`, feed-forward) give :math:`z_t` (B, T, D) and
    :math:`p(y_t \\mid y_{<t}, x) = \\mathrm{softmax}(W_o z_t + b_o)`.

    Layer norm comes first in every block, with a final norm after each stack (pre-LN,
    Xiong et al., 2020): it trains stably at Adam's usual learning rate without the
    original paper's warm-up schedule. Sentences may have up to ``max_len`` tokens.

    Decoding (``step``) re-runs the decoder over the whole prefix :math:`y_{<t}` at every
    step: simple and exactly what teacher forcing computes; a cache of the keys and
    values of earlier positions would save the repeated work.
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, d_model: int = 128, nhead: int = 4,
                 num_layers: int = 2, dim_feedforward: int = 256, dropout: float = 0.1,
                 max_len: int = 256):
        super().__init__(src_vocab_size, tgt_vocab_size)
        if min(d_model, nhead, num_layers, dim_feedforward, max_len) < 1 or d_model % nhead:
            raise ValueError(f"d_model={d_model} must be a multiple of nhead={nhead}, and "
                             f"num_layers={num_layers}, dim_feedforward={dim_feedforward} and "
                             f"max_len={max_len} must be >= 1 (e.g. d_model=128, nhead=4).")
        self.d_model, self.max_len = d_model, max_len
        self.src_embed = nn.Embedding(src_vocab_size, d_model, padding_idx=PAD)
        self.tgt_embed = nn.Embedding(tgt_vocab_size, d_model, padding_idx=PAD)
        self.register_buffer("positions", sinusoidal_positional_encoding(max_len, d_model),
                             persistent=False)                           # (max_len, D), not learned
        self.drop = nn.Dropout(dropout)
        layer = dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward,
                     dropout=dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(**layer), num_layers,
                                             norm=nn.LayerNorm(d_model), enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**layer), num_layers,
                                             norm=nn.LayerNorm(d_model))
        self.out = nn.Linear(d_model, tgt_vocab_size)

    def _embed(self, ids, table: nn.Embedding) -> torch.Tensor:
        """(B, T) ids -> sqrt(D) * E[ids] + P: (B, T, D)."""
        return self.drop(table(ids) * math.sqrt(self.d_model) + self.positions[: ids.shape[1]])

    def _encode(self, src):
        """Memory (B, S, D) and the source padding mask (B, S), True = padding (PyTorch's way)."""
        src_pad = src == PAD                                             # (B, S)
        memory = self.encoder(self._embed(src, self.src_embed), src_key_padding_mask=src_pad)
        return memory, src_pad

    def _decode(self, tgt_in, memory, src_pad) -> torch.Tensor:
        """Decoder outputs z (B, T, D) for the prefixes ``tgt_in`` (B, T)."""
        T = tgt_in.shape[1]
        return self.decoder(self._embed(tgt_in, self.tgt_embed), memory,
                            tgt_mask=~causal_mask(T, device=tgt_in.device),   # (T, T) True = hidden
                            tgt_key_padding_mask=tgt_in == PAD,               # (B, T)
                            memory_key_padding_mask=src_pad)                  # (B, S)

    def forward(self, src, tgt_in) -> torch.Tensor:
        """Teacher forcing: ``src`` (B, S) and ``tgt_in`` (B, T) ids -> logits (B, T, V)."""
        src, tgt_in = self._pair(src, tgt_in)
        return self.out(self._decode(tgt_in, *self._encode(src)))        # (B, T, V)

    @torch.no_grad()
    def attention_weights(self, src, tgt_in) -> torch.Tensor:
        """The last decoder layer's cross-attention, averaged over heads: (B, T, S) on the CPU.

        Hooks on that layer's ``multihead_attn`` ask it for its weights during a normal
        teacher-forced forward pass (eval mode), so they are the weights the model
        uses. Row ``[b, t]`` sums to 1 and is 0 on source padding.
        """
        attn = self.decoder.layers[-1].multihead_attn
        captured = []

        def ask_for_weights(module, args, kwargs):
            return args, {**kwargs, "need_weights": True, "average_attn_weights": True}

        def keep_weights(module, args, kwargs, output):
            captured.append(output[1])                                   # (B, T, S)

        was_training = self.training
        self.eval()
        hooks = [attn.register_forward_pre_hook(ask_for_weights, with_kwargs=True),
                 attn.register_forward_hook(keep_weights, with_kwargs=True)]
        try:
            self(src, tgt_in)
        finally:
            for hook in hooks:
                hook.remove()
            self.train(was_training)
        return captured[-1].cpu()

    def _start(self, src):
        memory, src_pad = self._encode(src)
        prefix = torch.zeros(len(src), 0, dtype=torch.long, device=src.device)
        return {"memory": memory, "src_pad": src_pad, "prefix": prefix}  # (B, S, D), (B, S), (B, 0)

    def _step(self, prev, state):
        prefix = torch.cat([state["prefix"], prev[:, None]], dim=1)      # (B, t)
        self._check_length(prefix.shape[1], "the decoded prefix")
        z = self._decode(prefix, state["memory"], state["src_pad"])[:, -1]   # (B, D): the last word
        return F.log_softmax(self.out(z), dim=-1), {**state, "prefix": prefix}


# ----------------------------------------------------------------------------- training

def _check_arrays(arrays, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (src, tgt_in, tgt_out) triple as int64 arrays with one row per pair."""
    if not isinstance(arrays, (tuple, list)) or len(arrays) != 3:
        raise ValueError(f"{name} must be the triple (src, tgt_in, tgt_out) that "
                         "cu.seq2seq.encode_words returns.")
    parts = []
    for part, array in zip(("src", "tgt_in", "tgt_out"), arrays):
        array = np.asarray(array)
        if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"{name}: {part} must be a 2-D integer array (pairs, time), got "
                             f"{array.dtype} {array.shape}. Use cu.seq2seq.encode_words.")
        parts.append(array.astype(np.int64, copy=False))
    src, tgt_in, tgt_out = parts
    if not len(src) == len(tgt_in) == len(tgt_out) or tgt_in.shape != tgt_out.shape:
        raise ValueError(f"{name}: src {src.shape}, tgt_in {tgt_in.shape} and tgt_out "
                         f"{tgt_out.shape} must have the same number of rows (and tgt_in the "
                         "shape of tgt_out). Encode them together with encode_words(..., pairs).")
    if len(src) == 0:
        raise ValueError(f"{name} holds no pairs; check the split.")
    empty = np.flatnonzero((src != PAD).sum(1) == 0)
    if len(empty):
        raise ValueError(f"{name}: source row {empty[0]} is all padding; leave pairs with an empty "
                         "source out before encoding them.")
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
def evaluate_teacher_forced(model: _Translator, arrays, batch_size: int = 256) -> dict[str, float]:
    """Teacher-forced ``loss`` (nats per real target token) and ``token_accuracy``.

    ``arrays`` is the (src, tgt_in, tgt_out) triple of ``encode_words``. The accuracy is
    ``cu.metrics.token_accuracy`` over real target positions (words and ``</s>``).
    """
    src, tgt_in, tgt_out = _check_arrays(arrays, "arrays")
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


def fit(model: _Translator, train_arrays, val_arrays, epochs: int, batch_size: int = 64,
        lr: float = 1e-3, clip: float = 1.0, label_smoothing: float = 0.0, device=None,
        seed: int = 0, progress: bool = True) -> list[dict]:
    """Train ``model`` with Adam on teacher-forced cross-entropy; validate every epoch.

    ``train_arrays`` and ``val_arrays`` are (src, tgt_in, tgt_out) triples from
    ``cu.seq2seq.encode_words``. Batches come from ``length_batches`` (shuffled with
    ``seed``; dropout draws from PyTorch's generator, seeded by ``cu.set_seed``) and are
    trimmed to their longest row. Gradients are clipped to norm ``clip``;
    ``label_smoothing`` (e.g. 0.1) spreads that much target probability over the
    vocabulary. ``device`` defaults to ``cu.config.device()``; the model moves there.

    Returns one dict per epoch: ``epoch``, ``train_loss`` (the training objective, label
    smoothing included), ``val_loss`` and ``val_token_accuracy`` (teacher-forced, no
    smoothing), and ``seconds``, the wall time since training began. The model is left
    in eval mode.
    """
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}={value!r} must be an int >= 1.")
    if not lr > 0 or not clip > 0:
        raise ValueError(f"lr={lr} and clip={clip} must be > 0 (e.g. lr=1e-3, clip=1.0).")
    if not 0 <= label_smoothing < 1:
        raise ValueError(f"label_smoothing={label_smoothing} must lie in [0, 1); 0 turns it off, "
                         "0.1 is usual.")
    train, val = _check_arrays(train_arrays, "train_arrays"), _check_arrays(val_arrays, "val_arrays")
    for src, tgt_in, tgt_out in (train, val):
        _check_id_range(src, model.src_vocab_size, "the source ids", "src_vocab_size")
        _check_id_range(np.concatenate([tgt_in, tgt_out], axis=1), model.tgt_vocab_size,
                        "the target ids", "tgt_vocab_size")
    device = config.device() if device is None else torch.device(device)
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    history, start = [], time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        total, tokens = 0.0, 0
        bar = tqdm(length_batches(train[0], train[2], batch_size, rng), desc=f"epoch {epoch}/{epochs}",
                   leave=False, disable=not progress)
        for rows in bar:
            (src,), (tgt_in, tgt_out) = _trim(train[0][rows]), _trim(train[1][rows], train[2][rows])
            logits = model(src, tgt_in)                                  # (B, T, V)
            loss = _loss(logits, tgt_out.to(device), label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            n = int((tgt_out != PAD).sum())
            total, tokens = total + loss.item() * n, tokens + n
            bar.set_postfix(loss=f"{total / tokens:.3f}", refresh=False)
        scores = evaluate_teacher_forced(model, val, batch_size=max(256, batch_size))
        if device.type == "cuda":
            torch.cuda.synchronize()
        history.append({"epoch": epoch, "train_loss": total / tokens, "val_loss": scores["loss"],
                        "val_token_accuracy": scores["token_accuracy"],
                        "seconds": time.perf_counter() - start})
        if progress:
            tqdm.write(f"epoch {epoch}: train loss {total / tokens:.3f}, val loss "
                       f"{scores['loss']:.3f}, val token accuracy {scores['token_accuracy']:.3f}, "
                       f"{history[-1]['seconds']:.0f} s")
    model.eval()
    return history


# ----------------------------------------------------------------------------- decoding

def translate(model: _Translator, src_vocab: Vocab, tgt_vocab: Vocab, sentences: Sequence[str],
              beam_width: int = 1, batch_size: int = 256, max_len: int | None = None,
              length_penalty: float = 0.0) -> list[str]:
    """Translate ``sentences`` with greedy decoding (``beam_width=1``) or beam search.

    Sentences are encoded with ``src_vocab``, decoded in batches of similar length
    (``course_utils.decoding`` over ``model.start`` / ``model.step``) and turned into
    text with ``tgt_vocab.decode``; the results come back in the input order. A
    sentence of :math:`T_x` words gets at most ``max_len`` output words, by default
    :math:`2 T_x + 10` (and never more than a Transformer's ``max_len``).
    ``length_penalty`` is beam search's :math:`\\alpha` (see ``course_utils.decoding``).
    """
    if isinstance(sentences, str):
        raise ValueError("translate expects a list of sentences, not one str: wrap it as [text].")
    sentences = list(sentences)
    if not sentences:
        raise ValueError("translate got no sentences: pass a non-empty list of str, e.g. the "
                         "test sources of cu.metrics.references_by_source(test_pairs).")
    if not all(isinstance(s, str) for s in sentences):
        raise ValueError("translate expects every sentence as a str; decode ids to text first.")
    if not isinstance(model, _Translator):
        raise ValueError(f"translate needs a GRUTranslator or TransformerTranslator, got "
                         f"{type(model).__name__}.")
    for vocab, size, side in ((src_vocab, model.src_vocab_size, "source"),
                              (tgt_vocab, model.tgt_vocab_size, "target")):
        if len(vocab) != size:
            raise ValueError(f"the {side} vocabulary has {len(vocab)} tokens but the model was "
                             f"built for {size}. Pass the vocabularies the model was trained with "
                             "(source first, then target).")
    for name, value in (("beam_width", beam_width), ("batch_size", batch_size), ("max_len", max_len)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ValueError(f"{name}={value!r} must be an int >= 1"
                             + (" (or None for 2 * source words + 10)." if name == "max_len" else "."))
    ids = [src_vocab.encode(s) for s in sentences]
    for i, row in enumerate(ids):
        if not row:
            raise ValueError(f"sentence {i} ({sentences[i]!r}) has no words to translate; "
                             "leave empty sentences out.")
    order = np.argsort([len(row) for row in ids], kind="stable")         # short ones together
    out: list[str] = [""] * len(sentences)
    for i in range(0, len(order), batch_size):
        rows = order[i:i + batch_size]
        bounds = [max_len or 2 * len(ids[r]) + 10 for r in rows]         # output words per sentence
        steps = max(bounds) if model.max_len is None else min(max(bounds), model.max_len)
        state = model.start(pad_sequences([ids[r] for r in rows], value=PAD))
        kw = dict(batch_size=len(rows), start_id=START, end_id=END, max_len=steps)
        decoded = (decoding.greedy_decode(model.step, state, **kw) if beam_width == 1 else
                   decoding.beam_search(model.step, state, beam_width=beam_width,
                                        length_penalty=length_penalty, **kw))
        for r, tokens, bound in zip(rows, decoded, bounds):
            out[r] = tgt_vocab.decode(tokens[:bound])
    return out


# -------------------------------------------------------------------- fair comparisons

def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameters (weights that receive gradients)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def width_for_parameters(build: Callable[[int], nn.Module], target: int, widths: Sequence[int]) -> int:
    """The width ``w`` in ``widths`` whose ``build(w)`` has the parameter count closest to ``target``.

    E.g. the attention GRU's hidden size that matches the plain GRU::

        target = count_parameters(GRUTranslator(V_x, V_y))
        hidden = width_for_parameters(lambda w: GRUTranslator(V_x, V_y, hidden=w, attention=True),
                                      target, range(64, 257, 8))

    Ties go to the earlier width.
    """
    widths = list(widths)
    if not widths:
        raise ValueError("width_for_parameters got no widths: pass candidates, e.g. range(64, 257, 8).")
    if not isinstance(target, (int, np.integer)) or target < 1:
        raise ValueError(f"target={target!r} must be a positive parameter count, e.g. "
                         "count_parameters(baseline).")
    gaps = [abs(count_parameters(build(w)) - int(target)) for w in widths]
    return widths[int(np.argmin(gaps))]
