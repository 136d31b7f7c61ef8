"""`make student` (tools/make_student.py): notebooks without solutions, a "your turn" cell per
exercise. `make test` also runs the student copies top to bottom in the ci profile."""

import json
from pathlib import Path

import nbformat
import pytest

from tools import make_student

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _cell(kind, source, *tags):
    cell = (nbformat.v4.new_code_cell(source) if kind == "code"
            else nbformat.v4.new_markdown_cell(source))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture
def tagged_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("markdown", "# A notebook"),
        _cell("code", "x = 2\nprint(x)"),
        _cell("markdown", "## Exercise 1\nBuild the step yourself.", "exercise"),
        _cell("code", "step_by_hand = x * 21\nassert step_by_hand == 42", "solution"),
        _cell("markdown", "The hand-built step equals the library's: forty-two.", "solution"),
        _cell("markdown", "## Exercise 2\nExplain the gap.", "exercise"),
        _cell("code", "gap_explained = True", "solution"),
        _cell("code", "print('the end', x)"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="2\n")]
    nb.cells[1].execution_count = 1
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(nb, folder / "09_toy.ipynb")
    return folder


def test_solutions_go_and_each_exercise_gets_a_your_turn_cell(tagged_notebook, tmp_path, capsys):
    out = tmp_path / "student"
    assert make_student.main(["--notebooks", str(tagged_notebook), "--out", str(out)]) == 0
    student = nbformat.read(out / "09_toy.ipynb", as_version=4)
    nbformat.validate(student)
    text = "\n".join(_source(c) for c in student.cells)
    assert "step_by_hand" not in text and "forty-two" not in text and "gap_explained" not in text
    kinds = [("turn" if "your-turn" in c.metadata.get("tags", []) else
              "exercise" if "exercise" in c.metadata.get("tags", []) else c.cell_type)
             for c in student.cells]
    assert kinds == ["markdown", "code", "exercise", "turn", "exercise", "turn", "code"]
    assert "Your turn" in _source(student.cells[3])
    assert all(c.outputs == [] and c.execution_count is None
               for c in student.cells if c.cell_type == "code")
    assert "3 solution cell(s) removed" in capsys.readouterr().out


def test_untagged_notebooks_are_copied_with_a_warning(tmp_path, capsys):
    folder = tmp_path / "nbs"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("code", "print(1)")]
    nbformat.write(nb, folder / "01_plain.ipynb")
    make_student.main(["--notebooks", str(folder), "--out", str(tmp_path / "out")])
    assert "no cell is tagged 'solution' in 01_plain.ipynb" in capsys.readouterr().out


def _tagged(path: Path, tag: str) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def test_course_notebooks_tag_their_exercises_and_solutions():
    if not any(_tagged(p, "solution") for p in NOTEBOOKS):
        pytest.skip("no notebook tags its solutions yet")
    for path in NOTEBOOKS:
        assert _tagged(path, "exercise"), f"{path.name}: no cell tagged 'exercise'"
        assert _tagged(path, "solution"), f"{path.name}: no cell tagged 'solution'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_solution_code_or_answer_prose_survives(path, tmp_path):
    solutions = _tagged(path, "solution")
    if not solutions:
        pytest.skip(f"{path.name} tags no solution yet")
    make_student.main(["--notebooks", str(path.parent), "--out", str(tmp_path)])
    student = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
    kept = "\n".join(_source(c) for c in student["cells"])
    original = json.loads(path.read_text(encoding="utf-8"))
    elsewhere = "\n".join(_source(c) for c in original["cells"]
                          if "solution" not in c.get("metadata", {}).get("tags", []))
    for cell in solutions:
        # every line that only a solution holds must be gone
        for line in _source(cell).splitlines():
            line = line.strip()
            if len(line) >= 25 and line not in elsewhere:
                assert line not in kept, f"{path.name}: solution line survives: {line!r}"
    exercises = sum("exercise" in c.get("metadata", {}).get("tags", []) for c in original["cells"])
    turns = sum("your-turn" in c.get("metadata", {}).get("tags", []) for c in student["cells"])
    assert turns == exercises
