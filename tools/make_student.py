"""`make student`: the notebooks without their solutions, for handing out.

    .venv/bin/python tools/make_student.py            # writes student/*.ipynb

Every cell tagged ``solution`` (code, or the prose of an answer) is removed; after every
cell tagged ``exercise`` comes a "your turn" code cell for the learner. Outputs are
cleared. Nothing after an exercise may use a solution's variables, so the student
copies still run top to bottom (``make test`` runs them in the ci profile).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTION, EXERCISE, YOUR_TURN = "solution", "exercise", "your-turn"
YOUR_TURN_SOURCE = ("# ✏️ Your turn: write your answer to the exercise above here.\n"
                    "# (The solution is in the instructor's copy of this notebook.)\n")


def tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def your_turn_cell() -> dict:
    return {"cell_type": "code", "execution_count": None, "id": None,
            "metadata": {"tags": [YOUR_TURN]}, "outputs": [], "source": YOUR_TURN_SOURCE}


def student_notebook(nb: dict) -> tuple[dict, dict]:
    """(the student copy of ``nb``, counts of what was done)."""
    out = copy.deepcopy(nb)
    cells, removed, exercises = [], 0, 0
    for index, cell in enumerate(out["cells"]):
        if SOLUTION in tags(cell):
            removed += 1
            continue
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
        if EXERCISE in tags(cell):
            exercises += 1
            turn = your_turn_cell()
            turn["id"] = f"your-turn-{index}"
            cells.append(turn)
    out["cells"] = cells
    out.setdefault("metadata", {}).pop("widgets", None)
    if out.get("nbformat", 4) == 4 and out.get("nbformat_minor", 0) < 5:
        for cell in cells:                          # ids exist from nbformat 4.5 on
            cell.pop("id", None)
    return out, {"solutions removed": removed, "exercises": exercises}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks")
    parser.add_argument("--out", type=Path, default=REPO / "student")
    args = parser.parse_args(argv)
    paths = sorted(args.notebooks.glob("*.ipynb"))
    if not paths:
        raise SystemExit(f"no notebooks in {args.notebooks}")
    args.out.mkdir(parents=True, exist_ok=True)
    for stale in args.out.glob("*.ipynb"):
        if not (args.notebooks / stale.name).exists():
            stale.unlink()
    untagged = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        student, counts = student_notebook(nb)
        (args.out / path.name).write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
        print(f"student/{path.name}: {counts['exercises']} exercise(s), "
              f"{counts['solutions removed']} solution cell(s) removed")
        if not counts["solutions removed"]:
            untagged.append(path.name)
    if untagged:
        print("warning: no cell is tagged 'solution' in " + ", ".join(untagged)
              + ": their student copies still hold every answer. Tag solution cells "
              "(cell metadata \"tags\": [\"solution\"]) to remove them.")
    print(f"wrote {len(paths)} notebook(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
