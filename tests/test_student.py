"""`make student` (tools/make_student.py): otter-grader's release step. Student copies
without solutions, with a `grader.check` cell per exercise and the tests in their metadata,
and an autograder zip per notebook. `make test` also runs the student copies top to bottom."""

import json
from pathlib import Path

import nbformat
import pytest

from tools import make_student

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CONFIG = ("# ASSIGNMENT CONFIG\nname: 09_toy\ninit_cell: true\ncheck_all_cell: false\n"
          "export_cell: false\nrun_tests: false\ngenerate: true\ntests:\n  files: false\n  ok_format: false")


def _cell(kind, source, *tags):
    cell = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
            "raw": nbformat.v4.new_raw_cell}[kind](source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture
def master(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _cell("markdown", "# A notebook"),
        _cell("code", "x = 2\nprint(x)"),
        _cell("markdown", "## Exercises"),
        _cell("raw", CONFIG),
        _cell("code", "import course_utils.exercises\nexercises = None  # exercises.load(...)"),
        _cell("raw", "# BEGIN QUESTION\nname: ex1\npoints: 1"),
        _cell("markdown", "### Exercise 1: build the step yourself", "exercise"),
        _cell("raw", "# BEGIN SOLUTION"),
        _cell("code", "def step(v):\n    # BEGIN SOLUTION\n    return v * 21\n    # END SOLUTION",
              "solution"),
        _cell("code", "# BEGIN SOLUTION NO PROMPT\nassert step(x) == 42\n# END SOLUTION", "solution"),
        _cell("markdown", "The hand-built step equals the library's: forty-two.", "solution"),
        _cell("raw", "# END SOLUTION"),
        _cell("raw", "# BEGIN TESTS"),
        _cell("code", "def test_ex1(step):\n    assert step(2) == 42\n\n\ntest_ex1(step)"),
        _cell("raw", "# END TESTS"),
        _cell("raw", "# END QUESTION"),
        _cell("code", "print('the end', x)"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="2\n")]
    nb.cells[1].execution_count = 1
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(nb, folder / "09_toy.ipynb")
    return folder


def test_otter_assign_makes_the_student_copy_and_the_autograder(master, tmp_path, capsys):
    out, ag = tmp_path / "student", tmp_path / "ag"
    assert make_student.main(["--notebooks", str(master), "--out", str(out), "--autograders", str(ag)]) == 0
    student = nbformat.read(out / "09_toy.ipynb", as_version=4)
    nbformat.validate(student)
    text = "\n".join(_source(c) for c in student.cells)
    assert "v * 21" not in text and "forty-two" not in text and "assert step(x)" not in text
    assert "BEGIN" not in text and "test_ex1" not in text            # markup and tests gone
    assert [c.cell_type for c in student.cells].count("raw") == 0
    answer = next(c for c in student.cells if "your-turn" in c.metadata.get("tags", []))
    assert _source(answer).strip() == "def step(v):\n    ..."
    kinds = [_source(c).splitlines()[0] if c.cell_type == "code" else c.cell_type for c in student.cells]
    assert kinds == ["markdown", "x = 2", "markdown", "import course_utils.exercises", "# Initialize Otter",
                     "markdown", "def step(v):", 'grader.check("ex1")', "print('the end', x)"]
    assert "test_ex1" in student.metadata["otter"]["tests"]["ex1"]   # for grader.check, offline
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    assert (ag / "09_toy.zip").exists()
    assert "1 exercise(s) with checks" in capsys.readouterr().out


def test_a_notebook_without_otter_markup_is_refused(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("code", "print(1)"), _cell("code", "answer = 42", "solution")]
    nbformat.write(nb, folder / "01_plain.ipynb")
    with pytest.raises(SystemExit, match="no otter-grader markup .* in 01_plain.ipynb"):
        make_student.main(["--notebooks", str(folder), "--out", str(tmp_path / "out"),
                           "--autograders", str(tmp_path / "ag")])
    assert not (tmp_path / "out" / "01_plain.ipynb").exists()


def _solution_lines(nb: dict) -> list[str]:
    """Lines only a solution holds: inside a solution block, between the markers."""
    lines, inside, marked = [], False, False
    for cell in nb["cells"]:
        text = _source(cell)
        if cell["cell_type"] == "raw":
            head = text.strip().splitlines()[0] if text.strip() else ""
            inside = head == "# BEGIN SOLUTION" or (inside and head != "# END SOLUTION")
            continue
        if not inside:
            continue
        if cell["cell_type"] == "markdown":
            lines += text.splitlines()
            continue
        for line in text.splitlines():
            if line.strip().startswith("# BEGIN SOLUTION"):
                marked = True
            elif line.strip() == "# END SOLUTION":
                marked = False
            elif marked:
                lines.append(line)
    return [line.strip() for line in lines if len(line.strip()) >= 25]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_course_notebooks_release_without_their_solutions(path, tmp_path):
    original = json.loads(path.read_text(encoding="utf-8"))
    assert make_student.has_otter_markup(original), f"{path.name}: exercises without otter-grader markup"
    make_student.main(["--notebooks", str(path.parent), "--out", str(tmp_path), "--autograders",
                       str(tmp_path / "ag"), path.name[:2]])
    student = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
    kept = "\n".join(_source(c) for c in student["cells"])
    before = "\n".join(_source(c) for c in original["cells"][:next(
        i for i, c in enumerate(original["cells"]) if _source(c).startswith("## Exercises"))])
    solutions = _solution_lines(original)
    assert solutions
    for line in solutions:
        if line not in before:
            assert line not in kept, f"{path.name}: solution line survives: {line!r}"
    exercises = sum("exercise" in c.get("metadata", {}).get("tags", []) for c in original["cells"])
    checks = [c for c in student["cells"] if _source(c).startswith("grader.check(")]
    assert len(checks) == exercises == len(student["metadata"]["otter"]["tests"])
    for phrase in ("solution below", "before running the cell", "before reading the solution",
                   "instructor's copy"):
        assert phrase not in kept, f"{path.name}: {phrase!r} in the student copy"
