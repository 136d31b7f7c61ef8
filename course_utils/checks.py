"""The input checks that the public entry points of the model modules share (notebooks 02-06).

``check_args`` checks numeric arguments against rules written as the error will read them::

    check_args("fit", epochs=(epochs, "a positive int"), lr=(lr, "a number > 0"),
               dropout=(dropout, "a number in [0, 1)"), top_k=(top_k, "None or a positive int"))
    # ValueError: fit: epochs=0 must be a positive int; lr=nan must be a number > 0.

A rule is "a positive int", "an int >= 0", "a number > 0" or "a number in [0, 1)" (any
brackets, ``inf`` allowed), each maybe after "None or "; booleans, strings and NaN obey none.
``check_tensor`` checks a float tensor at a module boundary (type, no empty axis, dtype,
NaN/inf), ``check_weights`` that a model's weights are finite. Text and token ids
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
