"""Attention from scratch against PyTorch's own layers (course_utils.attention)."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn import functional as F

from course_utils.attention import (
    AdditiveAttention,
    DecoderBlock,
    EncoderBlock,
    MultiHeadAttention,
    attend,
    causal_mask,
    scaled_dot_product_attention,
    sinusoidal_positional_encoding,
)
from course_utils.text import padding_mask

LENGTHS = [5, 3, 1]                      # real tokens per sentence; the batch is padded to 5


def lengths_mask(lengths=LENGTHS, T=None) -> torch.Tensor:
    """(B, T) bool, True on the first ``lengths[b]`` positions of row b."""
    T = T or max(lengths)
    return torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]


def qkv(*batch, T_q=4, T_k=5, d_k=8, d_v=6, dtype=torch.float32):
    query = torch.randn(*batch, T_q, d_k, dtype=dtype)
    key = torch.randn(*batch, T_k, d_k, dtype=dtype)
    value = torch.randn(*batch, T_k, d_v, dtype=dtype)
    return query, key, value


def explicit_softmax(query, key, mask=None):
    """softmax(Q K^T / sqrt(d_k)) written out once more, with exp and a sum."""
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
    e = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


# ------------------------------------------------------- scaled dot-product attention

@pytest.mark.parametrize("dtype, tol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("batch", [(3,), (3, 2)], ids=["3-D", "4-D"])
@pytest.mark.parametrize("masking", ["none", "padding", "causal"])
def test_sdpa_matches_torch(dtype, tol, batch, masking):
    torch.manual_seed(0)
    T = 5
    query, key, value = qkv(*batch, T_q=T, T_k=T, dtype=dtype)
    mask, torch_kwargs = None, {}
    pad = None
    if masking == "padding":
        pad = lengths_mask()                                                # (B, T_k)
        mask = pad[:, None, :]                                              # (B, 1, T_k)
        mask = mask[:, None] if len(batch) == 2 else mask                   # (B, 1, 1, T_k)
        torch_kwargs = {"attn_mask": mask}
    elif masking == "causal":
        mask = causal_mask(T)
        torch_kwargs = {"is_causal": True}
    output, weights = scaled_dot_product_attention(query, key, value, None if pad is not None else mask,
                                                   padding_mask=pad)
    expected = F.scaled_dot_product_attention(query, key, value, **torch_kwargs)
    torch.testing.assert_close(output, expected, atol=tol, rtol=tol)
    torch.testing.assert_close(weights, explicit_softmax(query, key, mask), atol=tol, rtol=tol)
    assert output.shape == (*batch, T, 6) and weights.shape == (*batch, T, T)
    assert output.dtype == weights.dtype == dtype
    if masking == "causal":                    # the same mask passed explicitly to torch
        again = F.scaled_dot_product_attention(query, key, value, attn_mask=causal_mask(T))
        torch.testing.assert_close(output, again, atol=tol, rtol=tol)


def test_sdpa_cross_attention_shapes_and_broadcast_batch():
    torch.manual_seed(1)
    query = torch.randn(2, 3, 7, 4)                                          # (B, h, T_q, d_k)
    key, value = torch.randn(2, 1, 9, 4), torch.randn(2, 1, 9, 5)            # shared by heads
    output, weights = scaled_dot_product_attention(query, key, value)
    assert output.shape == (2, 3, 7, 5) and weights.shape == (2, 3, 7, 9)
    torch.testing.assert_close(output, F.scaled_dot_product_attention(query, key, value))


@pytest.mark.parametrize("masking", ["padding", "causal", "both"])
def test_sdpa_masked_weights_are_exactly_zero(masking):
    torch.manual_seed(2)
    query, key, value = qkv(3, 2, T_q=5, T_k=5)
    ids = torch.tensor([[4, 5, 6, 7, 8], [4, 5, 6, 0, 0], [4, 0, 0, 0, 0]])
    pad = padding_mask(ids) if masking != "causal" else None                # (B, T_k)
    causal = causal_mask(5) if masking != "padding" else None               # (T, T)
    _, weights = scaled_dot_product_attention(query, key, value, causal, padding_mask=pad)
    mask = torch.ones(5, 5, dtype=torch.bool) if causal is None else causal
    if pad is not None:
        mask = mask & pad[:, None, None, :]
    hidden = ~mask.expand_as(weights)
    assert (weights[hidden] == 0.0).all()
    assert (weights[~hidden] > 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 2, 5))


def test_sdpa_gradients_flow_and_skip_masked_keys():
    torch.manual_seed(3)
    query, key, value = (x.requires_grad_() for x in qkv(3, T_q=5, T_k=5))
    output, _ = scaled_dot_product_attention(query, key, value, padding_mask=lengths_mask())
    output.square().sum().backward()
    for x in (query, key, value):
        assert torch.isfinite(x.grad).all()
    padded = ~lengths_mask()                                                 # (B, T_k)
    assert (value.grad[padded] == 0.0).all() and (key.grad[padded] == 0.0).all()
    assert (value.grad[~padded] != 0).any() and (query.grad != 0).any()


def test_scaling_keeps_score_variance_near_one():
    """The reason for 1/sqrt(d_k): unit-variance q and k give dot products of variance d_k."""
    torch.manual_seed(4)
    d_k = 256
    q, k = torch.randn(4000, d_k), torch.randn(4000, d_k)
    dots = (q * k).sum(-1)
    assert 0.9 * d_k < dots.var() < 1.1 * d_k
    assert 0.9 < (dots / math.sqrt(d_k)).var() < 1.1


# ------------------------------------------------------------------------------ masks

def test_causal_mask_is_lower_triangular():
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]
    mask = causal_mask(6)
    assert mask.dtype == torch.bool and mask.shape == (6, 6)
    rows, cols = torch.meshgrid(torch.arange(6), torch.arange(6), indexing="ij")
    assert torch.equal(mask, cols <= rows)
    assert causal_mask(1).tolist() == [[True]]


@pytest.mark.parametrize("as_numpy", [False, True])
def test_padding_mask_shape_and_values(as_numpy):
    ids = [[5, 6, 7, 0], [8, 0, 0, 0]]
    ids = np.array(ids, dtype=np.int32) if as_numpy else torch.tensor(ids)
    mask = padding_mask(ids)                                                # a tensor stays a tensor
    assert mask.dtype == (bool if as_numpy else torch.bool) and mask.shape == (2, 4)
    assert isinstance(mask, np.ndarray if as_numpy else torch.Tensor)
    assert mask.tolist() == [[True, True, True, False], [True, False, False, False]]
    assert padding_mask(ids, pad_id=8).tolist() == [[True] * 4, [False, True, True, True]]


def test_padding_mask_broadcasts_against_head_scores():
    torch.manual_seed(5)
    ids = torch.tensor([[3, 4, 0], [3, 0, 0]])
    query, key, value = qkv(2, 4, T_q=3, T_k=3)                              # (B, h, T, d)
    _, weights = scaled_dot_product_attention(query, key, value, padding_mask=padding_mask(ids))
    assert (weights[..., 1:][1] == 0).all() and (weights[..., 2][0] == 0).all()


# -------------------------------------------------------------------- positional encoding

def test_positional_encoding_matches_the_formula():
    length, d = 50, 16
    pe = sinusoidal_positional_encoding(length, d)
    assert pe.shape == (length, d) and pe.dtype == torch.float32
    assert pe[0].tolist() == [0.0, 1.0] * (d // 2)
    for pos, i in [(1, 0), (7, 3), (49, 7), (20, 5)]:
        angle = pos / 10000 ** (2 * i / d)
        assert pe[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
        assert pe[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)
    assert pe.abs().max() <= 1.0
    assert len({tuple(row) for row in pe.tolist()}) == length               # positions differ


# ---------------------------------------------------------------- multi-head attention

def torch_and_ours(E=12, h=3, seed=6, bias=True):
    torch.manual_seed(seed)
    reference = torch.nn.MultiheadAttention(E, h, batch_first=True, bias=bias).eval()
    with torch.no_grad():                    # random biases, so that copying them is tested
        for p in reference.parameters():
            p.normal_(0, 0.3)
    ours = MultiHeadAttention(E, h, bias=bias).load_torch_weights(reference).eval()
    return reference, ours


@pytest.mark.parametrize("kind", ["self", "cross"])
@pytest.mark.parametrize("masking", ["none", "padding", "causal", "both"])
def test_multi_head_attention_matches_torch(kind, masking):
    reference, ours = torch_and_ours()
    T = 5
    x = torch.randn(3, T, 12)
    memory = x if kind == "self" else torch.randn(3, T, 12)
    query = x if kind == "self" else torch.randn(3, 4 if masking in ("none", "padding") else T, 12)
    pad = lengths_mask() if masking in ("padding", "both") else None        # (B, T_k) True = real
    causal = causal_mask(T) if masking in ("causal", "both") else None      # (T, T) True = may attend
    output, weights = ours(query, memory, memory, padding_mask=pad, attn_mask=causal)
    expected, expected_weights = reference(
        query, memory, memory, need_weights=True, average_attn_weights=False,
        key_padding_mask=None if pad is None else ~pad,                      # torch: True = ignore
        attn_mask=None if causal is None else ~causal)
    torch.testing.assert_close(output, expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weights, expected_weights, atol=1e-5, rtol=1e-5)
    assert weights.shape == (3, 3, query.shape[1], T)


def test_multi_head_attention_without_bias_and_with_float_masks_in_torch():
    reference, ours = torch_and_ours(E=8, h=2, bias=False)
    x = torch.randn(2, 4, 8)
    causal = causal_mask(4)
    additive = torch.zeros(4, 4).masked_fill(~causal, float("-inf"))     # torch's float form
    expected, _ = reference(x, x, x, attn_mask=additive)
    output, _ = ours(x, x, x, attn_mask=causal)
    torch.testing.assert_close(output, expected, atol=1e-5, rtol=1e-5)


def test_multi_head_attention_masks_and_gradients():
    torch.manual_seed(7)
    mha = MultiHeadAttention(8, 2)
    x = torch.randn(3, 5, 8, requires_grad=True)
    pad = lengths_mask()
    output, weights = mha(x, x, x, padding_mask=pad, attn_mask=causal_mask(5))
    allowed = (pad[:, None, None, :] & causal_mask(5)).expand_as(weights)
    assert (weights[~allowed] == 0.0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 2, 5))
    output[pad].sum().backward()                # only real query positions are scored
    assert torch.isfinite(x.grad).all()
    assert (x.grad[~pad] == 0.0).all()          # padding is neither read nor scored
    for p in mha.parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all()


def test_multi_head_attention_per_batch_attn_mask():
    torch.manual_seed(8)
    mha = MultiHeadAttention(8, 4).eval()
    x = torch.randn(2, 3, 8)
    per_sentence = torch.stack([causal_mask(3), torch.ones(3, 3, dtype=torch.bool)])   # (B, T, T)
    _, weights = mha(x, x, x, attn_mask=per_sentence)
    _, causal_weights = mha(x[:1], x[:1], x[:1], attn_mask=causal_mask(3))
    _, free_weights = mha(x[1:], x[1:], x[1:])
    torch.testing.assert_close(weights, torch.cat([causal_weights, free_weights]))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 7).flatmap(lambda n: st.permutations(list(range(n)))))
def test_self_attention_is_permutation_equivariant(order):
    """Without positional encoding, shuffling the tokens shuffles the outputs alike."""
    torch.manual_seed(9)
    mha = MultiHeadAttention(8, 2).eval()
    T, perm = len(order), torch.tensor(order)
    x = torch.randn(2, T, 8)
    with torch.no_grad():
        output, weights = mha(x, x, x)
        shuffled, shuffled_weights = mha(x[:, perm], x[:, perm], x[:, perm])
    torch.testing.assert_close(shuffled, output[:, perm], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(shuffled_weights, weights[:, :, perm][..., perm], atol=1e-5, rtol=1e-5)


def test_positional_encoding_breaks_the_symmetry():
    torch.manual_seed(10)
    mha = MultiHeadAttention(8, 2).eval()
    x, perm = torch.randn(1, 4, 8), torch.tensor([3, 1, 0, 2])
    pe = sinusoidal_positional_encoding(4, 8)
    with torch.no_grad():
        output, _ = mha(x + pe, x + pe, x + pe)
        y = x[:, perm] + pe
        shuffled, _ = mha(y, y, y)
    assert not torch.allclose(shuffled, output[:, perm], atol=1e-3)


# ----------------------------------------------------------------- additive attention

def test_additive_attention_weights_and_context():
    torch.manual_seed(11)
    attn = AdditiveAttention(query_dim=6, key_dim=4, attn_dim=5)
    query, keys = torch.randn(3, 6), torch.randn(3, 5, 4)
    pad = lengths_mask()
    context, weights = attn(query, keys, pad)
    assert context.shape == (3, 4) and weights.shape == (3, 5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3))
    assert (weights[~pad] == 0.0).all() and (weights[pad] > 0).all()
    torch.testing.assert_close(context, torch.einsum("bs,bsk->bk", weights, keys))
    # The score written out: e_s = v^T tanh(W_q q + W_k k_s + b).
    with torch.no_grad():
        W_q, W_k, b = attn.query_proj.weight, attn.key_proj.weight, attn.key_proj.bias
        v = attn.score.weight[0]                                          # (A,)
        e = torch.tanh(query[0] @ W_q.T + keys[0] @ W_k.T + b) @ v          # (S,): sentence 0
    torch.testing.assert_close(weights[0], torch.softmax(e, dim=-1))


def test_additive_attention_padding_changes_nothing():
    torch.manual_seed(12)
    attn = AdditiveAttention(6, 4, 5)
    query, keys = torch.randn(2, 6), torch.randn(2, 3, 4)
    context, weights = attn(query, keys)
    padded = torch.cat([keys, torch.randn(2, 4, 4) * 100], dim=1)            # junk in the padding
    pad = torch.arange(7)[None, :].expand(2, 7) < 3
    padded_context, padded_weights = attn(query, padded, pad)
    torch.testing.assert_close(padded_context, context, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(padded_weights[:, :3], weights, atol=1e-6, rtol=1e-6)
    assert (padded_weights[:, 3:] == 0.0).all()


def test_additive_attention_projected_keys_path_is_the_same():
    torch.manual_seed(13)
    attn = AdditiveAttention(6, 4, 5)
    query, keys, pad = torch.randn(3, 6), torch.randn(3, 5, 4), lengths_mask()
    projected = attn.project_keys(keys)
    assert projected.shape == (3, 5, 5)
    for a, b in zip(attn(query, keys, pad), attn(query, keys, pad, projected_keys=projected)):
        assert torch.equal(a, b)


def test_additive_attention_gradients_skip_padding():
    torch.manual_seed(14)
    attn = AdditiveAttention(6, 4, 5)
    query = torch.randn(3, 6, requires_grad=True)
    keys = torch.randn(3, 5, 4, requires_grad=True)
    pad = lengths_mask()
    context, _ = attn(query, keys, pad)
    context.square().sum().backward()
    assert torch.isfinite(query.grad).all() and torch.isfinite(keys.grad).all()
    assert (keys.grad[~pad] == 0.0).all() and (keys.grad[pad] != 0).any()
    for p in attn.parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all()


# ------------------------------------------------------------------------------ bad input

def test_sdpa_rejects_bad_masks():
    query, key, value = qkv(3, T_q=5, T_k=5)
    with pytest.raises(ValueError, match="bool"):
        scaled_dot_product_attention(query, key, value, causal_mask(5).float())
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(query, key, value, torch.ones(2, 5, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(query, key, value, padding_mask=torch.ones(3, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="batched inputs"):
        scaled_dot_product_attention(query[0], key[0], value[0], padding_mask=lengths_mask()[:1])
    with pytest.raises(ValueError, match="hides every key"):
        scaled_dot_product_attention(query, key, value, padding_mask=lengths_mask([5, 0, 2]))


def test_sdpa_rejects_bad_shapes():
    query, key, value = qkv(3, T_q=4, T_k=5, d_k=8)
    with pytest.raises(ValueError, match="one size d_k"):
        scaled_dot_product_attention(query[..., :7], key, value)
    with pytest.raises(ValueError, match="same sequence"):
        scaled_dot_product_attention(query, key, value[:, :4])
    with pytest.raises(ValueError, match="float tensor"):
        scaled_dot_product_attention(torch.randn(8), torch.randn(8), torch.randn(8))
    with pytest.raises(ValueError, match="do not broadcast"):
        scaled_dot_product_attention(query, key[:2], value[:2])
    with pytest.raises(ValueError, match="float tensor"):
        scaled_dot_product_attention(query.long(), key.long(), value.long())


def test_mask_builders_reject_bad_input():
    for bad in (0, -1, 2.0):
        with pytest.raises(ValueError, match="length"):
            causal_mask(bad)
    with pytest.raises(ValueError, match="integer token ids"):
        padding_mask(torch.randn(2, 3))
    with pytest.raises(ValueError, match="integer token ids"):
        padding_mask(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        padding_mask(torch.tensor([1, 2, 0]))
    with pytest.raises(ValueError, match="even"):
        sinusoidal_positional_encoding(10, 7)
    with pytest.raises(ValueError, match="length"):
        sinusoidal_positional_encoding(0, 8)


def test_multi_head_attention_rejects_bad_input():
    with pytest.raises(ValueError, match=r"divisible.*\[1, 2, 5, 10\]"):
        MultiHeadAttention(10, 3)
    mha = MultiHeadAttention(8, 2)
    x = torch.randn(3, 5, 8)
    with pytest.raises(ValueError, match="bool"):
        mha(x, x, x, padding_mask=lengths_mask().float())
    with pytest.raises(ValueError, match=r"padding_mask .*does not broadcast"):
        mha(x, x, x, padding_mask=torch.ones(3, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="attn_mask .*does not broadcast"):
        mha(x, x, x, attn_mask=causal_mask(4))
    with pytest.raises(ValueError, match="hides every key"):
        mha(x, x, x, padding_mask=lengths_mask([5, 0, 2]))
    with pytest.raises(ValueError, match="batch-first"):
        mha(x[0], x[0], x[0])
    with pytest.raises(ValueError, match="batch size"):
        mha(x, x[:2], x[:2])


def test_load_torch_weights_rejects_other_shapes():
    with pytest.raises(ValueError, match="embed_dim=12"):
        MultiHeadAttention(8, 2).load_torch_weights(torch.nn.MultiheadAttention(12, 2))
    with pytest.raises(ValueError, match="num_heads"):
        MultiHeadAttention(8, 2).load_torch_weights(torch.nn.MultiheadAttention(8, 4))
    with pytest.raises(ValueError, match="kdim"):
        MultiHeadAttention(8, 2).load_torch_weights(torch.nn.MultiheadAttention(8, 2, kdim=6, vdim=6))
    with pytest.raises(ValueError, match="bias"):
        MultiHeadAttention(8, 2).load_torch_weights(torch.nn.MultiheadAttention(8, 2, bias=False))


def test_additive_attention_rejects_bad_input():
    attn = AdditiveAttention(6, 4, 5)
    query, keys = torch.randn(3, 6), torch.randn(3, 5, 4)
    with pytest.raises(ValueError, match="key_dim"):
        attn.project_keys(keys[..., :3])
    with pytest.raises(ValueError, match=">= 1"):
        AdditiveAttention(0, 4, 5)
    with pytest.raises(AssertionError, match="query"):         # a hot path: one assert
        attn(query[:, None], keys)


# ------------------------------------------------------------- readable path vs fused kernel

@pytest.mark.parametrize("masking", ["none", "padding", "causal", "both"])
def test_fast_path_equals_the_readable_attention(masking):
    torch.manual_seed(15)
    q, k, v = qkv(3, 2, T_q=5, T_k=5)
    pad = lengths_mask() if masking in ("padding", "both") else None
    causal = causal_mask(5) if masking in ("causal", "both") else None
    mask = None if pad is None and causal is None else (
        pad[:, None, None, :] if causal is None else causal if pad is None
        else pad[:, None, None, :] & causal)
    readable, weights = attend(q, k, v, mask)
    fast, none = attend(q, k, v, mask, need_weights=False)
    assert none is None and weights.shape == (3, 2, 5, 5)
    torch.testing.assert_close(fast, readable, atol=1e-5, rtol=1e-5)
    mha = MultiHeadAttention(12, 3).eval()
    x = torch.randn(3, 5, 12)
    slow, _ = mha(x, x, x, padding_mask=pad, attn_mask=causal)
    quick, _ = mha(x, x, x, padding_mask=pad, attn_mask=causal, need_weights=False)
    torch.testing.assert_close(quick, slow, atol=1e-5, rtol=1e-5)


# ---------------------------------------------------------- blocks against torch.nn layers

def torch_layer(kind, E=16, h=4, d_ff=24, seed=16):
    torch.manual_seed(seed)
    cls = torch.nn.TransformerEncoderLayer if kind == "encoder" else torch.nn.TransformerDecoderLayer
    layer = cls(E, h, d_ff, dropout=0.0, batch_first=True, norm_first=True).eval()
    with torch.no_grad():                    # random norms and biases, so copying them is tested
        for p in layer.parameters():
            p.normal_(0, 0.3)
    ours = EncoderBlock(E, h, d_ff) if kind == "encoder" else DecoderBlock(E, h, d_ff)
    return layer, ours.load_torch_weights(layer).eval()


@pytest.mark.parametrize("masked", [False, True])
def test_encoder_block_equals_torch_encoder_layer(masked):
    layer, ours = torch_layer("encoder")
    x = torch.randn(3, 5, 16)
    pad = lengths_mask() if masked else None
    with torch.no_grad():
        expected = layer(x, src_key_padding_mask=None if pad is None else ~pad)
        for need_weights in (True, False):
            output, _ = ours(x, pad, need_weights=need_weights)
            torch.testing.assert_close(output, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("masked", [False, True])
def test_decoder_block_equals_torch_decoder_layer(masked):
    layer, ours = torch_layer("decoder")
    y, memory = torch.randn(3, 4, 16), torch.randn(3, 5, 16)
    src_pad = lengths_mask() if masked else None                           # (B, S)
    tgt_pad = lengths_mask([4, 2, 3]) if masked else None                   # (B, T)
    causal = causal_mask(4)
    self_mask = causal if tgt_pad is None else causal & tgt_pad[:, None, None, :]
    with torch.no_grad():
        expected = layer(y, memory, tgt_mask=~causal,
                         tgt_key_padding_mask=None if tgt_pad is None else ~tgt_pad,
                         memory_key_padding_mask=None if src_pad is None else ~src_pad)
        for need_weights in (True, False):
            output, weights = ours(y, memory, src_pad, self_mask, need_weights=need_weights)
            torch.testing.assert_close(output, expected, atol=1e-5, rtol=1e-5)
    assert weights is None                                                  # the fast path's


def test_decoder_block_with_a_cache_equals_the_whole_prefix():
    _, ours = torch_layer("decoder")
    y, memory, pad = torch.randn(3, 4, 16), torch.randn(3, 5, 16), lengths_mask()
    with torch.no_grad():
        expected, _ = ours(y, memory, pad, causal_mask(4))
        mem_k, mem_v = ours.cross_attn.keys_values(memory, memory)
        cache = {"k": torch.zeros(3, 4, 3, 4), "v": torch.zeros(3, 4, 3, 4), "mem_k": mem_k, "mem_v": mem_v}
        for t in range(4):                                                  # one position at a time
            out, _ = ours(y[:, t:t + 1], None, pad, cache=cache)
            torch.testing.assert_close(out[:, 0], expected[:, t], atol=1e-5, rtol=1e-5)
    assert cache["t"] == 4 and cache["k"].shape == (3, 4, 6, 4)             # room 3, doubled to 6


def test_blocks_refuse_post_norm_torch_layers():
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)    # norm_first=False
    with pytest.raises(ValueError, match="norm_first=True"):
        EncoderBlock(8, 2, 16).load_torch_weights(layer)
