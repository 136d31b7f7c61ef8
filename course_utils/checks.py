"""The input checks that the public entry points of the model modules share (notebooks 02-06).

``check_args`` checks numeric arguments against rules written as the error will read them::

    check_args("fit", epochs=(epochs, "a positive int"), lr=(lr, "a number > 0"),
               dropout=(dropout, "a number in [0, 1)"), top_k=(top_k, "None or a positive int"))
    # ValueError: fit: epochs=0 must be a positive int; lr=nan must be a number > 0.

A rule is "a positive int", "an int >= 0", "a number > 0" or "a number in [0, 1)" (any
brackets, ``inf`` allowed), each maybe after "None or "; booleans, strings and NaN obey none.
``check_tensor`` checks a float tensor at a module boundary (type, no empty axis, dtype,
NaN/inf), ``check_weights`` that a model's weights are finite, ``check_mask``,
``check_attention_inputs`` and ``check_multi_head_inputs`` the inputs of
``course_utils.attention``'s public functions, so that their ``forward`` reads like the
formula. Text and token ids
have theirs in ``course_utils.text`` (``check_texts``, ``as_ids``). Checks run once per
call of a public function, never per batch or per step.
"""

from __future__ import annotations

import numbers
import re


def check_rule(value, rule: str) -> bool:
    """Whether ``value`` obeys ``rule`` (see the module docstring); bools, str and NaN obey none."""
    if rule.startswith("None or "):
        return value is None or check_rule(value, rule[8:])
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value \
            or " int" in rule and not isinstance(value, numbers.Integral):
        return False
    if m := re.search(r"in ([\[(])(\S+), (\S+)([\])])$", rule):                 # "in [0, 1)", "in (0, inf)"
        lo, hi = float(m[2]), float(m[3])
        return (lo < value or m[1] == "[" and value == lo) and (value < hi or m[4] == "]" and value == hi)
    op, bound = ("", 1) if rule.endswith("positive int") else rule.split()[-2:]   # "> 0", ">= 0"
    return value > float(bound) if op == ">" else value >= float(bound)


def check_args(what: str, fix: str = "", **rules) -> None:
    """A ValueError naming every ``name=(value, rule)`` whose value breaks its rule, then ``fix``."""
    bad = [f"{name}={v!r} must be {rule}" for name, (v, rule) in rules.items() if not check_rule(v, rule)]
    if bad:
        raise ValueError(f"{what}: {'; '.join(bad)}{fix}.")


def check_tensor(x, name: str, shape: str, like=None):
    """``x`` if it is a float tensor ``shape`` with no empty axis, no NaN or inf and the dtype of ``like``."""
    import torch

    dtype = (getattr(like, "dtype", None) or next(like.parameters()).dtype) if like is not None else None
    problem = ("must be a float tensor (embed token ids first)" if not isinstance(x, torch.Tensor)
               or not x.is_floating_point() else "has an empty axis (no keys, or an empty batch: every "
               "sequence needs a token)" if 0 in x.shape else f"has dtype {x.dtype}, the model {dtype}: "
               f"convert it with .to({dtype})" if dtype not in (None, x.dtype) else "contains NaN or inf "
               "(clean or mask the input)" if not bool(torch.isfinite(x).all()) else None)
    if problem:
        got = f"{x.dtype} {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} {problem}; it should be {shape}, got {got}.")
    return x


def check_weights(model, what: str) -> None:
    """A ValueError unless every weight of the torch ``model`` is finite (no NaN, no inf)."""
    bad = [name for name, p in model.named_parameters() if not bool(p.detach().isfinite().all())]
    if bad:
        raise ValueError(f"{what}: the model's weights {bad[:3]} hold NaN or inf: training diverged or a "
                         "checkpoint is damaged. Retrain (lower lr, clip gradients) or reload the weights.")


_MASK_HINT = "Build masks with padding_mask(ids) or causal_mask(T) (True = may attend)."


def check_mask(mask, name: str, scores_shape):
    """``mask``: a bool tensor broadcastable to ``scores_shape``, no query's every key hidden."""
    import numpy as np
    import torch

    if isinstance(mask, np.ndarray):
        mask = torch.from_numpy(mask)
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        got = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
        raise ValueError(f"{name} must be a bool tensor, True = may attend, got {got}. Convert "
                         f"a 0/1 mask with {name}.bool(), an additive float mask (0 = keep, -inf "
                         f"= drop) with {name} == 0. {_MASK_HINT}")
    try:
        fits = torch.broadcast_shapes(mask.shape, scores_shape) == scores_shape
    except RuntimeError:
        fits = False
    if not fits:
        raise ValueError(f"{name} of shape {tuple(mask.shape)} does not broadcast to the scores "
                         f"(..., T_q, T_k) = {tuple(scores_shape)}. Use (T_q, T_k) for "
                         "causal_mask(T) and (B, T_k) for padding_mask(ids).")
    if (~mask).all(dim=-1).any():
        raise ValueError(f"{name} hides every key from some query (a row is all False), and its "
                         "softmax would be 0/0 = NaN. Check the lengths the mask was built from "
                         "(an empty sentence?), and that True means 'may attend'.")
    return mask


def check_attention_inputs(query, key, value, padding_mask=None, mask=None):
    """Inputs of ``scaled_dot_product_attention``; returns ``(padding_mask, mask, score axes)``."""
    import torch

    for name, x in (("query", query), ("key", key), ("value", value)):
        if not isinstance(x, torch.Tensor) or x.dim() < 2 or not x.is_floating_point():
            got = f"{x.dtype} {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"{name} must be a float tensor (..., T, d), got {got}. Embed token "
                             "ids first; add a length axis to a single vector: x[None, :].")
        check_tensor(x, name, "(..., T, d), no empty key sequence", like=query)   # dtype, NaN, T_k = 0
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"query (..., T_q, d_k), key (..., T_k, d_k) and value (..., T_k, d_v) "
                         f"do not fit: got {tuple(query.shape)}, {tuple(key.shape)}, "
                         f"{tuple(value.shape)}. Project query and key to one size d_k; pass "
                         "key and value of the same sequence.")
    try:
        batch = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except RuntimeError:
        raise ValueError(f"the leading (batch, head) axes of query {tuple(query.shape)}, key "
                         f"{tuple(key.shape)} and value {tuple(value.shape)} do not broadcast; "
                         "give them the same batch size.") from None
    scores_shape = torch.Size([*batch, query.shape[-2], key.shape[-2]])
    if padding_mask is not None:
        if len(scores_shape) < 3:
            raise ValueError("padding_mask (B, T_k) needs batched inputs (B, ..., T, d); for "
                             "unbatched ones pass mask= of shape (T_q, T_k).")
        padding_mask = check_mask(padding_mask, "padding_mask", scores_shape[:1] + scores_shape[-1:])
    if mask is not None:
        mask = check_mask(mask, "mask", scores_shape)
    if padding_mask is not None and mask is not None:                  # each fine, but together?
        both = padding_mask.view(len(padding_mask), *[1] * (len(scores_shape) - 2), -1) & mask
        check_mask(both, "padding_mask & mask", scores_shape)
    return padding_mask, mask, len(scores_shape)


def check_multi_head_inputs(module, query, key, value, padding_mask=None, attn_mask=None) -> None:
    """Inputs of ``MultiHeadAttention.forward``: (B, T, E) tensors of one batch, and fitting masks."""
    import torch

    E = module.embed_dim
    for name, x in (("query", query), ("key", key), ("value", value)):
        if not isinstance(x, torch.Tensor) or x.dim() != 3 or x.shape[-1] != E:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"{name} must be batch-first (B, T, {E}), got {shape}. Use x[None].")
        check_tensor(x, name, f"(B, T, {E})", like=module)                # dtype, NaN, T = 0
    (B, T_q, _), T_k = query.shape, key.shape[1]
    if key.shape[:2] != value.shape[:2] or key.shape[0] != B:
        raise ValueError(f"query {tuple(query.shape)}, key {tuple(key.shape)} and value "
                         f"{tuple(value.shape)} must share the batch size, and key and value "
                         "the length: pass the same sentences.")
    if padding_mask is not None:
        check_mask(padding_mask, "padding_mask", torch.Size((B, T_k)))
    if attn_mask is not None:                                           # (B, T_q, T_k) -> (B, 1, T_q, T_k)
        check_mask(attn_mask[:, None] if attn_mask.dim() == 3 else attn_mask, "attn_mask",
                   torch.Size((B, module.num_heads, T_q, T_k)))
