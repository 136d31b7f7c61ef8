"""Checks and hints of notebook 06's exercises (06_transformer_attention)."""

from __future__ import annotations

import numpy as np

from . import Exercise, NotAttempted, Wrong, as_array, require


# ---------------------------------------------------------------- exercise 1: the causal mask
def check_ex1(my_causal_mask):
    require(("my_causal_mask", my_causal_mask))
    import torch

    got = my_causal_mask(5)
    if got is None or got is Ellipsis:
        raise NotAttempted("my_causal_mask returns nothing yet.")
    if not isinstance(got, torch.Tensor) or got.dtype != torch.bool:
        kind = type(got).__name__ + (f" of {got.dtype}" if hasattr(got, "dtype") else "")
        raise Wrong(f"my_causal_mask(T) should be a torch bool tensor (True: may attend), got {kind}.")
    if tuple(got.shape) != (5, 5):
        raise Wrong(f"my_causal_mask(5) has shape {tuple(got.shape)}, expected (5, 5): queries x keys.")
    right = torch.ones(5, 5).tril().bool()                               # query t sees keys <= t
    if torch.equal(got, right):
        return
    if torch.equal(got, right.T):
        raise Wrong("your mask lets each query see the later keys (the upper triangle): row t, the "
                    "query, may see columns 0 ... t.")
    if torch.equal(got, right & ~torch.eye(5, dtype=torch.bool)):
        raise Wrong("the diagonal is False: a query must also see its own position (keys <= t).")
    raise Wrong("my_causal_mask(5) should be True on and below the diagonal, False above it.")


# ---------------------------------------------------------------- exercise 2: multi-head attention
def _by_hand(mha, x, h, scale=True, out=True):
    import torch

    B, T, E = x.shape
    d_k = E // h
    split = lambda t: t.view(B, T, h, d_k).transpose(1, 2)              # noqa: E731  (B, h, T, d_k)
    q, k, v = split(mha.q_proj(x)), split(mha.k_proj(x)), split(mha.v_proj(x))
    scores = q @ k.transpose(-2, -1) / (d_k ** 0.5 if scale else 1.0)
    heads = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, E)
    return mha.out_proj(heads) if out else heads


def check_ex2(mha_by_hand):
    require(("mha_by_hand", mha_by_hand))
    import torch

    from ..attention import MultiHeadAttention

    torch.manual_seed(6)
    E, h = 16, 4
    mha = MultiHeadAttention(E, h).eval()
    x = torch.randn(2, 5, E)
    with torch.no_grad():
        got = mha_by_hand(mha, x, h)
        if got is None or got is Ellipsis:
            raise NotAttempted("mha_by_hand returns nothing yet.")
        theirs = mha(x, x, x)[0]
        variants = {"the scores are not divided by sqrt(d_k)": _by_hand(mha, x, h, scale=False),
                    "out_proj (W^O) is missing after the heads are concatenated":
                        _by_hand(mha, x, h, out=False)}
    got = as_array(got, "mha_by_hand(mha, x, num_heads)")
    if got.shape != tuple(theirs.shape):
        raise Wrong(f"mha_by_hand gives shape {got.shape} for x of shape {tuple(x.shape)}; "
                    "self-attention keeps it: (B, T, E).")
    if np.abs(got - theirs.numpy()).max() < 1e-5:
        return
    for message, wrong in variants.items():
        if np.allclose(got, wrong.numpy(), atol=1e-5):
            raise Wrong(message + ".")
    raise Wrong(f"mha_by_hand differs from MultiHeadAttention by up to "
                f"{np.abs(got - theirs.numpy()).max():.2g}: check the split into heads "
                "((B, T, E) -> (B, h, T, E/h)) and how they are joined back.")


# ---------------------------------------------------------------- exercise 3: one head at a time
def check_ex3(per_head, agree):
    require(("per_head", per_head), ("agree", agree))
    w = as_array(per_head, "per_head")
    if w.ndim != 3:
        raise Wrong(f"per_head has {w.ndim} axes; the weights of every head for one sentence have 3: "
                    "(h, T_y, T_x). Ask for average_heads=False and take sentence 0.")
    if w.shape[0] < 2:
        raise Wrong("per_head holds one head: the Transformer has several (axis 0).")
    if not np.allclose(w.sum(-1), 1, atol=1e-3):
        raise Wrong("each row of per_head should sum to 1 (a softmax over the source words): crop "
                    "the target axis to real words, not the source axis.")
    truth = float((w.argmax(-1) == w.mean(0).argmax(-1)).mean())
    try:
        agree = float(agree)
    except (TypeError, ValueError):
        raise Wrong(f"agree should be a number between 0 and 1, got {agree!r}.") from None
    if abs(agree - truth) > 1e-6:
        raise Wrong(f"agree = {agree:.3f}, but per_head gives {truth:.3f}: for each head and target "
                    "word, does the head's most-attended source word equal the average map's?")


EXERCISES = {
    "ex1": Exercise(check_ex1, "row t is the query, column s the key: True where s <= t. "
                    "torch.arange(T)[:, None] >= torch.arange(T)[None, :] does it in one line."),
    "ex2": Exercise(check_ex2, "split: .view(B, T, h, d_k).transpose(1, 2); attend per head with "
                    "softmax(q k^T / sqrt(d_k)) v; join back with .transpose(1, 2).reshape(B, T, E), "
                    "then out_proj."),
    "ex3": Exercise(check_ex3, "per_head = tr_model.attention_weights(src, tgt, average_heads=False)"
                    "[0] cropped to the real words; then compare per_head.argmax(-1) with "
                    "per_head.mean(0).argmax(-1) and take the mean."),
}
