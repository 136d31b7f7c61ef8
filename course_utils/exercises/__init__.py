"""The exercises' checks, hints and solutions (every notebook's "Exercises" section).

In a student copy (``make student``), after each exercise::

    grader.check("ex1")          # otter-grader runs the exercise's test: correct, or what is wrong
    exercises.hint("ex1")        # a nudge, on request
    exercises.solution("ex1")    # the instructor's answer, on request (never shown by default)

where ``exercises = exercises.load("02")`` opens the section. ``grader.check`` runs the
test cell of the master notebook, which calls :func:`check` here; the instructor grades
with the same tests (``make grade``). A check builds its own small inputs where it can
(a function is called on fresh weights and compared with the library), so it is cheap
and tells a wrong answer apart from a blank one:

* :class:`NotAttempted`: the answer is still the ``...`` of the student copy;
* :class:`Wrong`: it runs, and the message names what differs ("your output gate uses
  tanh where the LSTM needs a sigmoid").

One module per notebook (``nb01`` ... ``nb06``) holds its checks and hints.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


class NotAttempted(AssertionError):
    """The answer is still the blank of the student copy."""

    def __str__(self):
        return "not attempted yet: " + super().__str__()


class Wrong(AssertionError):
    """The answer runs but is not right; the message says what differs."""


@dataclass(frozen=True)
class Exercise:
    check: Callable[..., None]       # raises NotAttempted or Wrong; returns None when correct
    hint: str


def _module(notebook: str):
    key = str(notebook)[:2]
    try:
        return importlib.import_module(f"{__name__}.nb{key}")
    except ModuleNotFoundError:
        raise ValueError(f"No exercises for notebook {notebook!r}: use '01' ... '06'.") from None


def _exercise(notebook: str, name: str) -> Exercise:
    table = _module(notebook).EXERCISES
    if name not in table:
        raise ValueError(f"Notebook {notebook} has exercises {', '.join(table)}, not {name!r}.")
    return table[name]


def check(notebook: str, name: str, *answers) -> None:
    """Run exercise ``name`` of ``notebook`` on ``answers``: raise NotAttempted or Wrong,
    or return None when the answer is right (the master notebooks' test cells call this)."""
    _exercise(notebook, name).check(*answers)


def result(notebook: str, name: str, *answers) -> tuple[str, str]:
    """("correct" | "not attempted" | "wrong", message) without raising."""
    try:
        check(notebook, name, *answers)
    except NotAttempted as error:
        return "not attempted", str(error)
    except Wrong as error:
        return "wrong", str(error)
    return "correct", "correct"


# ---------------------------------------------------------------- for the learner
class Exercises:
    """The hints and solutions of one notebook's exercises (``load("02")``)."""

    def __init__(self, notebook: str):
        self.notebook = str(notebook)[:2]
        self.names = list(_module(self.notebook).EXERCISES)

    def __repr__(self):
        return (f"Exercises of notebook {self.notebook}: {', '.join(self.names)}. Check one with "
                f'grader.check("ex1"); exercises.hint("ex1") and exercises.solution("ex1") on request.')

    def hint(self, name: str) -> None:
        print(f"Hint for {name}: {_exercise(self.notebook, name).hint}")

    def solution(self, name: str) -> None:
        """Print the master notebook's solution of exercise ``name``."""
        _exercise(self.notebook, name)
        print(solution_text(self.notebook, name))


def load(notebook: str) -> Exercises:
    return Exercises(notebook)


def solution_text(notebook: str, name: str, folder: Path = NOTEBOOKS) -> str:
    """The solution cells of question ``name`` in the master notebook (otter-grader markup:
    the cells between the raw ``# BEGIN SOLUTION`` and ``# END SOLUTION`` of the question)."""
    paths = sorted(Path(folder).glob(f"{str(notebook)[:2]}_*.ipynb"))
    if not paths:
        return ("The solutions are in the instructor's copy of the course (notebooks/), which "
                "this installation does not have.")
    cells = json.loads(paths[0].read_text(encoding="utf-8"))["cells"]
    question, inside, parts = None, False, []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw":
            head = source.strip().splitlines()[0] if source.strip() else ""
            if head == "# BEGIN QUESTION":
                question = next((line.split(":", 1)[1].strip() for line in source.splitlines()
                                 if line.startswith("name:")), None)
            inside = question == name and head == "# BEGIN SOLUTION" or inside and head != "# END SOLUTION"
            continue
        if inside:
            parts.append(source if cell["cell_type"] == "markdown" else _without_markup(source))
    return "\n\n".join(p for p in parts if p.strip()) or f"No solution found for {name}."


def _without_markup(code: str) -> str:
    """Solution code as the learner would write it: otter's markers and the prompt stub gone."""
    keep, in_prompt = [], False
    for line in code.splitlines():
        stripped = line.strip()
        if stripped.endswith("# BEGIN PROMPT"):
            in_prompt = True
        elif stripped.endswith("# END PROMPT"):
            in_prompt = False
        elif not in_prompt and not (stripped.startswith("# BEGIN SOLUTION")
                                    or stripped == "# END SOLUTION"):
            keep.append(line)
    return "\n".join(keep).strip("\n")


# ---------------------------------------------------------------- helpers for the checks
def blank(*answers) -> bool:
    """True when any answer is still the ``...`` (or None) of the student copy."""
    return any(a is Ellipsis or a is None for a in answers)


def require(*named) -> None:
    """``require(("lstm_step", lstm_step), ...)``: NotAttempted names the first blank one."""
    for name, value in named:
        if blank(value):
            raise NotAttempted(f"{name} is still `...`: write your answer in its cell and run it.")


def as_array(value, name: str) -> np.ndarray:
    """``value`` as a float NumPy array (a torch tensor or Keras tensor is converted)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{name} should be an array of numbers, got {type(value).__name__}.") from None


def same_shape(value: np.ndarray, expected: tuple, name: str, why: str = "") -> None:
    if tuple(value.shape) != tuple(expected):
        raise Wrong(f"{name} has shape {tuple(value.shape)}, expected {tuple(expected)}"
                    + (f": {why}" if why else "."))


def fraction(value, name: str) -> float:
    require((name, value))
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise Wrong(f"{name} should be a number between 0 and 1, got {value!r}.") from None
    if not 0.0 <= value <= 1.0:
        raise Wrong(f"{name} = {value}: an accuracy is a fraction between 0 and 1.")
    return value


def first_match(got: np.ndarray, mistakes: dict, atol: float) -> str | None:
    """The message of the first known mistake whose output equals ``got``."""
    for message, wrong in mistakes.items():
        wrong = np.asarray(wrong)
        if wrong.shape == got.shape and np.allclose(got, wrong, atol=atol):
            return message
    return None
