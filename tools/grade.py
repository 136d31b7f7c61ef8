"""`make grade SUBMISSIONS=folder`: score a folder of submitted student notebooks with
otter-grader, without Docker.

    .venv/bin/python tools/grade.py SUBMISSIONS [--jobs 2] [--autograders _build/autograder] [--out CSV]

Every ``*.ipynb`` under SUBMISSIONS (sub-folders too, e.g. one per learner) is graded by
``otter run`` with the autograder of its notebook, which ``make student`` wrote to
``_build/autograder/<notebook>.zip`` (the notebook is recognised by the otter metadata of the
copy, so a learner may rename the file). ``otter run`` executes the submission top to
bottom in this environment, then runs each exercise's test: one point per exercise.
The scores go to ``SUBMISSIONS/grades.csv`` (one row per submission, one column per
exercise) and a table on the screen. Run it in the ci profile (``make grade`` does) so a
notebook takes a minute or two.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AUTOGRADERS = REPO / "_build" / "autograder"


def assignment(path: Path) -> str | None:
    """The notebook a submission is a copy of (otter's metadata), or None."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return None
    return meta.get("otter", {}).get("assignment_name")


def grade_one(path: Path, autograder: Path) -> dict[str, float]:
    """{exercise: score} for one submission, from ``otter run``'s results.json."""
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder),
                              "-o", out, str(path)], capture_output=True, text=True)
        results = Path(out) / "results.json"
        if run.returncode or not results.exists():
            raise RuntimeError(f"otter run failed on {path}:\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
        tests = json.loads(results.read_text(encoding="utf-8"))["tests"]
    return {t["name"]: float(t["score"]) for t in tests if "score" in t and t.get("max_score")}


def grade(folder: Path, autograders: Path = AUTOGRADERS, jobs: int = 1) -> list[dict]:
    """One row per submission under ``folder``; ``jobs`` submissions graded at once."""
    todo = []
    for path in sorted(Path(folder).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        name = assignment(path)
        if name is None:
            print(f"skipped {path}: not a student copy (no otter metadata)")
            continue
        autograder = Path(autograders) / f"{name}.zip"
        if not autograder.exists():
            raise SystemExit(f"no autograder for {name} in {autograders}: run `make student` first.")
        todo.append((path, name, autograder))

    def one(item):
        path, name, autograder = item
        scores = grade_one(path, autograder)
        row = {"submission": str(path.relative_to(folder)), "notebook": name, **scores,
               "total": sum(scores.values()), "max": float(len(scores))}
        print(f"{row['submission']}: {row['total']:g} / {row['max']:g}  "
              + " ".join(f"{k} {v:g}" for k, v in scores.items()), flush=True)
        return row

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, todo))


def write_csv(rows: list[dict], path: Path) -> None:
    columns = ["submission", "notebook"]
    for row in rows:
        columns += [k for k in row if k not in columns and k not in ("total", "max")]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns + ["total", "max"], restval="")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--autograders", type=Path, default=AUTOGRADERS)
    parser.add_argument("--out", type=Path, help="the CSV (default SUBMISSIONS/grades.csv)")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once (one per core)")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        raise SystemExit(f"{args.submissions} is not a folder of submitted notebooks.")
    rows = grade(args.submissions, args.autograders, args.jobs)
    out = args.out or args.submissions / "grades.csv"
    write_csv(rows, out)
    print(f"graded {len(rows)} submission(s): {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
