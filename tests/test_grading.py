"""`make grade`: otter-grader scores a folder of submitted copies of notebook 02 (the
quickest notebook, ci profile): solved 4/4, untouched 0/4, half solved 2/4.

Each copy is executed top to bottom by ``otter run`` (no Docker), about half a minute each
on 2 cores, two at a time."""

from __future__ import annotations

import json
import shutil

import pytest

from course_utils.exercises import _without_markup
from tools import grade, make_student
from tools.make_student import REPO

NOTEBOOK = "02_gru_hidden_state"


def fill(student: dict, master: dict, questions: set[str]) -> dict:
    """The student copy with the answer cells of ``questions`` holding the master's solution."""
    by_id = {c["id"]: c for c in master["cells"]}
    nb = json.loads(json.dumps(student))
    question = None
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if "your-turn" in cell["metadata"].get("tags", []) and question in questions:
            cell["source"] = _without_markup("".join(by_id[cell["id"]]["source"]))
        if cell["cell_type"] == "markdown" and "exercise" in cell["metadata"].get("tags", []):
            question = "ex" + text.split("Exercise ")[1].split(":")[0].split(".")[0].strip()
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    assert make_student.main(["--out", str(tmp / "student"), "--autograders", str(tmp / "ag"),
                              NOTEBOOK[:2]]) == 0
    student = json.loads((tmp / "student" / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    master = json.loads((REPO / "notebooks" / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    subs = tmp / "submissions"
    for who, questions in {"solved": {"ex1", "ex2", "ex3", "ex4"}, "half": {"ex1", "ex3"}}.items():
        (subs / who).mkdir(parents=True)
        (subs / who / f"{NOTEBOOK}.ipynb").write_text(json.dumps(fill(student, master, questions)))
    (subs / "untouched").mkdir()
    shutil.copy(tmp / "student" / f"{NOTEBOOK}.ipynb", subs / "untouched" / "renamed.ipynb")
    mp = pytest.MonkeyPatch()
    for name, value in {"COURSE_PROFILE": "ci", "COURSE_OFFLINE": "1", "COURSE_DATA_DIR": "",
                        "COURSE_CACHE_DIR": str(tmp / "no-downloads")}.items():
        mp.setenv(name, value)
    try:
        assert grade.main([str(subs), "--autograders", str(tmp / "ag"), "--jobs", "2"]) == 0
    finally:
        mp.undo()
    rows = (subs / "grades.csv").read_text(encoding="utf-8").splitlines()
    return {line.split(",")[0].split("/")[0]: line.split(",") for line in rows[1:]}, rows[0].split(",")


def test_a_solved_copy_scores_full_marks(graded):
    rows, header = graded
    assert header == ["submission", "notebook", "ex1", "ex2", "ex3", "ex4", "total", "max"]
    assert rows["solved"][2:] == ["1.0", "1.0", "1.0", "1.0", "4.0", "4.0"]


def test_an_untouched_copy_scores_zero(graded):
    rows, _ = graded
    assert rows["untouched"][1] == NOTEBOOK                    # found by its metadata, not its name
    assert rows["untouched"][2:] == ["0.0", "0.0", "0.0", "0.0", "0.0", "4.0"]


def test_a_half_solved_copy_scores_its_solved_exercises(graded):
    rows, _ = graded
    assert rows["half"][2:] == ["1.0", "0.0", "1.0", "0.0", "2.0", "4.0"]
