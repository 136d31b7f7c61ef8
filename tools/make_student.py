"""`make student`: otter-grader's release step on the master notebooks.

    .venv/bin/python tools/make_student.py     # student/*.ipynb and _build/autograder/*.zip

Each master notebook's "Exercises" section carries otter-grader's markup (raw cells
``# ASSIGNMENT CONFIG``, ``# BEGIN QUESTION`` ... ``# END QUESTION``, solution blocks and
test cells; see README.md, "Exercises"). ``otter assign`` makes from it:

* the student copy: solution code between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
  replaced by ``...`` (or by the ``# BEGIN PROMPT`` stub), answer prose removed, the tests
  kept in the notebook's metadata and a ``grader.check("exN")`` cell after each exercise;
* the autograder (a zip of the tests) that ``make grade`` scores submissions with.

This script then tidies each student copy: otter's ``grader = otter.Notebook(...)`` cell
moves to the top of the exercises, answer cells left empty go, cell ids stay stable, and
the course's ``solution`` tags are dropped. Nothing after an exercise may use a solution's
variables, so the student copies still run top to bottom (``make test`` runs them).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AUTOGRADERS = REPO / "_build" / "autograder"
CONFIG = "# ASSIGNMENT CONFIG"
SOLUTION, YOUR_TURN, ANSWER = "solution", "your-turn", "otter_answer_cell"


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def has_otter_markup(nb: dict) -> bool:
    return any(c["cell_type"] == "raw" and source(c).lstrip().startswith(CONFIG) for c in nb["cells"])


def tidy(nb: dict) -> dict:
    """The student copy as ``otter assign`` wrote it, tidied (see the module docstring)."""
    cells = nb["cells"]
    init = [c for c in cells if c["cell_type"] == "code" and source(c).startswith("# Initialize Otter")]
    cells = [c for c in cells if not any(c is i for i in init)]
    kept, question = [], 0
    for cell in cells:
        text = source(cell).strip()
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            if ANSWER in tags(cell) and not text:
                continue                                   # a solution-only cell: nothing left
            if text.startswith("grader.check("):
                question += 1
                cell["id"] = f"check-{text.split(chr(34))[1]}"
        names = [t for t in tags(cell) if t != SOLUTION]
        if ANSWER in names and YOUR_TURN not in names:
            names.append(YOUR_TURN)
        cell.setdefault("metadata", {})["tags"] = names
        if not names:
            cell["metadata"].pop("tags")
        kept.append(cell)
    for cell in init:                                      # otter's init cell: where the exercises start
        cell["id"], cell["outputs"], cell["execution_count"] = "otter-init", [], None
        at = next((k + 1 for k, c in enumerate(kept) if "exercises.load(" in source(c)), 0)
        kept.insert(at, cell)
    nb["cells"] = kept
    nb.setdefault("metadata", {}).pop("widgets", None)
    return nb


def release(master: Path, out: Path, autograders: Path) -> dict:
    """Run ``otter assign`` on ``master``: the student copy in ``out``, the autograder zip
    in ``autograders``; returns counts for the summary line."""
    from otter.assign import main as otter_assign

    with tempfile.TemporaryDirectory() as tmp:
        otter_assign(str(master), str(Path(tmp) / "dist"), no_pdfs=True, no_run_tests=True)
        dist = Path(tmp) / "dist"
        nb = tidy(json.loads((dist / "student" / master.name).read_text(encoding="utf-8")))
        (zip_path,) = (dist / "autograder").glob("*.zip")
        shutil.copyfile(zip_path, autograders / f"{master.stem}.zip")
    (out / master.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    questions = len(nb.get("metadata", {}).get("otter", {}).get("tests", {}))
    return {"exercises": questions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks")
    parser.add_argument("--out", type=Path, default=REPO / "student")
    parser.add_argument("--autograders", type=Path, default=AUTOGRADERS)
    parser.add_argument("names", nargs="*", help="only these notebooks (file names or their first digits)")
    args = parser.parse_args(argv)
    paths = sorted(args.notebooks.glob("*.ipynb"))
    if args.names:
        paths = [p for p in paths if any(p.name.startswith(n) for n in args.names)]
    if not paths:
        raise SystemExit(f"no notebooks in {args.notebooks}")
    unmarked = [p.name for p in paths if not has_otter_markup(json.loads(p.read_text(encoding="utf-8")))]
    if unmarked:
        raise SystemExit("no otter-grader markup (a raw '# ASSIGNMENT CONFIG' cell) in "
                         + ", ".join(unmarked) + ": mark its exercises up first (README.md, 'Exercises').")
    args.out.mkdir(parents=True, exist_ok=True)
    args.autograders.mkdir(parents=True, exist_ok=True)
    if not args.names:
        for stale in args.out.glob("*.ipynb"):
            if not (args.notebooks / stale.name).exists():
                stale.unlink()
    logging.getLogger("otter").setLevel(logging.WARNING)
    for path in paths:
        counts = release(path, args.out, args.autograders)
        print(f"student/{path.name}: {counts['exercises']} exercise(s) with checks; "
              f"autograder {args.autograders / path.stem}.zip")
    print(f"wrote {len(paths)} notebook(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
