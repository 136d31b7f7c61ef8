"""Every exercise's check run three ways (tests/test_exercises.py): on the solution, on the
untouched blank of the student copy, and on plausible wrong answers.

The solution and the blank come from the master notebook itself: the code of the
exercise's solution cells is executed as written (the solution), and as otter-grader's
release step strips it (the blank: ``...`` or the ``# BEGIN PROMPT`` stub), in a namespace
holding the notebook variables it needs (``context``). Where the solution trains a model,
``solution`` gives the answers directly (values of this course's ci runs) and the check
is run on those. ``wrong`` maps a plausible mistake to (answers it changes, a fragment
of the message the check must give).

    python tests/exercise_cases.py      # the table of the closing note: check, three results
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"


@dataclass
class Case:
    tests: str                                   # what the check tests, for the table
    context: Callable[[], dict] = dict           # notebook variables the solution needs
    wrong: dict[str, tuple[Callable[[dict], dict], str]] = field(default_factory=dict)
    solution: Callable[[dict], dict] | None = None   # answers, where the solution trains a model


# ---------------------------------------------------------------- the master notebooks
def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def question_cells(notebook: str, name: str) -> tuple[list[str], list[str]]:
    """(the solution code cells of question ``name``, the argument names of its test)."""
    (path,) = NOTEBOOKS.glob(f"{notebook}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    question, block, code, args = None, None, [], []
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "raw":
            head = text.strip().splitlines()[0]
            if head == "# BEGIN QUESTION":
                question = re.search(r"name:\s*(\S+)", text).group(1)
            elif head in ("# BEGIN SOLUTION", "# BEGIN TESTS"):
                block = head
            elif head in ("# END SOLUTION", "# END TESTS"):
                block = None
            continue
        if question != name or cell["cell_type"] != "code":
            continue
        if block == "# BEGIN SOLUTION":
            code.append(text)
        elif block == "# BEGIN TESTS":
            call = text.strip().splitlines()[-1]                 # test_ex1(lstm_step, ...)
            args = [a.strip() for a in call[call.index("(") + 1:-1].split(",") if a.strip()]
    assert code and args, f"notebook {notebook} has no question {name} with solution and test"
    return code, args


def blank_code(code: str) -> str:
    """``code`` as otter-grader's release step leaves it in the student copy."""
    from otter.assign.solutions import replace_solutions

    return "\n".join(replace_solutions(code.splitlines(), "python"))


def answers(notebook: str, name: str, case: Case, kind: str) -> dict:
    """The namespace after the solution (``kind="solution"``) or the blank ran."""
    cells, _ = question_cells(notebook, name)
    ns = case.context()
    if kind == "solution" and case.solution is not None:
        ns.update(case.solution(ns))
        return ns
    for code in cells:
        exec(code if kind == "solution" else blank_code(code), ns)   # noqa: S102
    return ns


# ---------------------------------------------------------------- notebook 02
def _nb02():
    import torch

    import course_utils as cu
    from course_utils.cells import GRUCell, LSTMCell, sigmoid

    sentence = "We like gated recurrent units".split()
    vocab = sorted(set(sentence), key=str.lower)
    xs = cu.one_hot(np.array([vocab.index(w) for w in sentence]), depth=len(vocab))[None]
    gru = GRUCell.random(input_size=xs.shape[2], hidden_size=2, seed=3, scale=1.5)
    states = [np.zeros((1, 2), np.float32)]
    for x_t in xs[0]:
        states.append(gru.step(x_t[None], states[-1]))
    return dict(np=np, torch=torch, cu=cu, sigmoid=sigmoid, GRUCell=GRUCell, LSTMCell=LSTMCell,
                xs=xs, T=xs.shape[1], D=xs.shape[2], H=2, gru=gru, states=states,
                device=torch.device("cpu"), print=lambda *a, **k: None)


def _lstm_tanh_gate(ns):
    sigmoid, np_ = ns["sigmoid"], np

    def lstm_step(p, X, H_prev, C_prev):
        I = sigmoid(X @ p["W_xi"] + H_prev @ p["W_hi"] + p["b_i"])      # noqa: E741
        F = sigmoid(X @ p["W_xf"] + H_prev @ p["W_hf"] + p["b_f"])
        O = np_.tanh(X @ p["W_xo"] + H_prev @ p["W_ho"] + p["b_o"])     # noqa: E741  the mistake
        C = F * C_prev + I * np_.tanh(X @ p["W_xc"] + H_prev @ p["W_hc"] + p["b_c"])
        return O * np_.tanh(C), C
    return {"lstm_step": lstm_step}


def _lstm_no_forget(ns):
    sigmoid = ns["sigmoid"]

    def lstm_step(p, X, H_prev, C_prev):
        I = sigmoid(X @ p["W_xi"] + H_prev @ p["W_hi"] + p["b_i"])      # noqa: E741
        O = sigmoid(X @ p["W_xo"] + H_prev @ p["W_ho"] + p["b_o"])      # noqa: E741
        C = C_prev + I * np.tanh(X @ p["W_xc"] + H_prev @ p["W_hc"] + p["b_c"])   # the mistake
        return O * np.tanh(C), C
    return {"lstm_step": lstm_step}


def _first_difference(value):
    return lambda ns: {"first_difference": value}


CASES: dict[tuple[str, str], Case] = {
    ("02", "ex1"): Case(
        "`lstm_step` on fresh `torch.nn.LSTM` weights: every hidden state equals PyTorch's (1e-5); "
        "known mistakes named",
        _nb02, {
            "output gate with tanh": (_lstm_tanh_gate, "output gate uses tanh"),
            "no forget gate": (_lstm_no_forget, "forgets nothing"),
            "returns H only": (lambda ns: {"lstm_step": lambda p, X, H, C: H}, "must return the pair (H, C)"),
        }),
    ("02", "ex2"): Case(
        "`predicted` equals Keras' (both `reset_after`) and PyTorch's counts",
        _nb02, {
            "one bias per block for reset_after=True": (
                lambda ns: {"predicted": {**ns["predicted"], "keras reset_after=True": 3 * 32 * 333}},
                "one bias vector per block too few"),
            "an LSTM's four blocks": (
                lambda ns: {"predicted": dict(ns["predicted"], torch=4 * 32 * 334)}, "LSTM's count"),
        }),
    ("02", "ex3"): Case(
        "the textbook GRU with the learner's $Z'$ weights equals `GRUCell.run` at every step",
        _nb02, {
            "the same weights": (lambda ns: {"textbook_gate_weights": lambda c: (c.W_xz, c.W_hz, c.b_z)},
                                 "you need Z' = 1 - Z"),
            "bias not negated": (lambda ns: {"textbook_gate_weights": lambda c: (-c.W_xz, -c.W_hz, c.b_z)},
                                 "the bias too"),
        }),
    ("02", "ex4"): Case(
        "`after`, `before` equal the two `GRUCell` runs; `first_difference` is the first step "
        "that differs (2)",
        _nb02, {
            "'they differ from step 1'": (_first_difference(1), "H_0 = 0"),
            "b_hh kept in `after`": (lambda ns: {"after": ns["gru"].run(ns["xs"])},
                                     "still uses the trained b_hh"),
        }),
}


def table() -> str:
    from course_utils import exercises

    lines = ["| exercise | what the check tests | solution | blank | wrong answer → message |",
             "|---|---|---|---|---|"]
    for (nb, name), case in CASES.items():
        _, args = question_cells(nb, name)
        results = {}
        for kind in ("solution", "blank"):
            ns = answers(nb, name, case, kind)
            results[kind] = exercises.result(nb, name, *(ns[a] for a in args))
        wrong = []
        solved = answers(nb, name, case, "solution")
        for label, (change, _) in case.wrong.items():
            ns = dict(solved, **change(solved))
            status, message = exercises.result(nb, name, *(ns[a] for a in args))
            wrong.append(f"{label}: {status}, “{message}”")
        lines.append(f"| {nb} {name} | {case.tests} | {results['solution'][0]} | "
                     f"{results['blank'][0]} | {'<br>'.join(wrong)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
