"""Every exercise's check, three ways: the master notebook's solution passes, the untouched
blank of the student copy reports "not attempted yet" (it does not raise: a Run All goes
on), and each plausible wrong answer fails with its own message (tests/exercise_cases.py)."""

from __future__ import annotations

import json

import pytest

from course_utils import exercises
from tests.exercise_cases import CASES, NOTEBOOKS, answers, question_cells

IDS = [f"{nb}-{name}" for nb, name in CASES]


def _run(nb, name, ns):
    _, args = question_cells(nb, name)
    return exercises.result(nb, name, *(ns[a] for a in args))


@pytest.mark.parametrize(("nb", "name"), CASES, ids=IDS)
def test_the_solution_passes(nb, name):
    assert _run(nb, name, answers(nb, name, CASES[nb, name], "solution")) == ("correct", "correct")


@pytest.mark.parametrize(("nb", "name"), CASES, ids=IDS)
def test_the_blank_is_not_attempted_yet(nb, name):
    status, message = _run(nb, name, answers(nb, name, CASES[nb, name], "blank"))
    assert status == "not attempted", message
    assert message.startswith("not attempted yet")


WRONG = [(nb, name, label) for (nb, name), case in CASES.items() for label in case.wrong]


@pytest.mark.parametrize(("nb", "name", "label"), WRONG, ids=[f"{n}-{e}-{w}" for n, e, w in WRONG])
def test_a_wrong_answer_fails_with_its_message(nb, name, label):
    case = CASES[nb, name]
    change, fragment = case.wrong[label]
    solved = answers(nb, name, case, "solution")
    status, message = _run(nb, name, dict(solved, **change(solved)))
    assert status == "wrong", message
    assert fragment in message, message


def test_every_exercise_has_a_case_with_a_wrong_answer():
    """Each question of every master notebook is in CASES, with at least one wrong answer."""
    questions = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
                name = text.split("name:")[1].split()[0]
                questions.append((path.name[:2], name))
    assert questions, "no notebook has otter-grader questions"
    missing = sorted(set(questions) - set(CASES))
    assert not missing, f"exercises without a three-way case: {missing}"
    assert all(case.wrong for case in CASES.values())


def test_hint_and_solution_on_request(capsys):
    ex = exercises.load("02")
    assert "ex1" in repr(ex)
    ex.hint("ex1")
    assert "sigmoid" in capsys.readouterr().out
    ex.solution("ex1")
    out = capsys.readouterr().out
    assert "def lstm_step" in out and "BEGIN SOLUTION" not in out and "C = F * C_prev" in out
    with pytest.raises(ValueError, match="ex1, ex2"):
        ex.hint("ex9")
    with pytest.raises(ValueError, match="01"):
        exercises.load("99")


def test_a_solution_needs_the_master_notebooks(tmp_path):
    assert "does not have" in exercises.solution_text("02", "ex1", folder=tmp_path)
