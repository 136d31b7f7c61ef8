"""Run time of every notebook, top to bottom in a fresh kernel, per profile.

    .venv/bin/python benchmarks/notebook_times.py --profiles ci laptop
    .venv/bin/python benchmarks/notebook_times.py --profiles full --notebooks 01 --save /tmp/runs

Prints a Markdown table (seconds) for the README. Threads are capped as in `make test`.
"""

import argparse
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course_utils import config

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
THREADS = {"OMP_NUM_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE", "MKL_NUM_THREADS": "2",
           "TF_NUM_INTRAOP_THREADS": "2", "TF_NUM_INTEROP_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}


def run(path: Path, profile: str, save: Path | None) -> float:
    """Execute one notebook; keep the executed copy in ``save`` to read its results."""
    os.environ.update(THREADS, COURSE_PROFILE=profile)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=3600, resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, save / f"{path.stem}.{profile}.ipynb")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", default=["ci", "laptop"])
    parser.add_argument("--notebooks", nargs="*", default=[], help="name prefixes, e.g. 01 02")
    parser.add_argument("--save", type=Path, help="folder for the executed notebooks")
    args = parser.parse_args()
    paths = [p for p in sorted(NOTEBOOKS.glob("*.ipynb"))
             if not args.notebooks or p.name.startswith(tuple(args.notebooks))]
    print(f"{config.machine_report()} · "
          f"KERAS_BACKEND={os.environ.get('KERAS_BACKEND', 'tensorflow')}\n")
    print("| notebook | " + " | ".join(args.profiles) + " |")
    print("|---|" + "---:|" * len(args.profiles))
    for path in paths:
        times = [run(path, profile, args.save) for profile in args.profiles]
        print(f"| {path.stem} | " + " | ".join(f"{t:.0f} s" for t in times) + " |", flush=True)


if __name__ == "__main__":
    main()
