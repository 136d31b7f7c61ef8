"""Run time of every notebook, top to bottom in a fresh kernel, per profile.

    .venv/bin/python benchmarks/notebook_times.py --profiles ci laptop
    .venv/bin/python benchmarks/notebook_times.py --profiles full --notebooks 01 --save /tmp/runs
    COURSE_DATA_DIR=../shared/data .venv/bin/python benchmarks/notebook_times.py \
        --profiles laptop --notebooks 05 --record

Prints a Markdown table (seconds). Threads are capped as in `make test`. With
``--record`` each notebook's results cell saves ``results/<notebook>.<profile>.json``
(see ``course_utils.results``), and this script writes the measured wall time into it.
"""

import argparse
import json
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course_utils import config, results

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
THREADS = {**config.CPU_THREADS, "TF_CPP_MIN_LOG_LEVEL": "2"}


def run(path: Path, profile: str, save: Path | None, record: bool) -> float:
    """Execute one notebook; keep the executed copy in ``save`` to read its results."""
    os.environ.update(THREADS, COURSE_PROFILE=profile)
    for name in config.SHARED_CORES:              # one notebook at a time: the cores are its own
        os.environ.pop(name, None)
    if record:
        os.environ["COURSE_RECORD"] = "1"
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=3600, resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, save / f"{path.stem}.{profile}.ipynb")
    if record:
        recorded = results.results_dir() / f"{path.stem}.{profile}.json"
        if not recorded.is_file():
            raise SystemExit(f"{path.name} ran but recorded nothing: its results cell must call "
                             "cu.record_results(...).")
        entry = json.loads(recorded.read_text(encoding="utf-8"))
        entry["seconds"] = round(seconds, 1)        # the whole notebook, kernel start included
        recorded.write_text(json.dumps(entry, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", default=["ci", "laptop"])
    parser.add_argument("--notebooks", nargs="*", default=[], help="name prefixes, e.g. 01 02")
    parser.add_argument("--save", type=Path, help="folder for the executed notebooks")
    parser.add_argument("--record", action="store_true",
                        help="save each run to results/<notebook>.<profile>.json")
    args = parser.parse_args()
    paths = [p for p in sorted(NOTEBOOKS.glob("*.ipynb"))
             if not args.notebooks or p.name.startswith(tuple(args.notebooks))]
    print(f"{config.machine_report()} · "
          f"KERAS_BACKEND={os.environ.get('KERAS_BACKEND', 'tensorflow')}\n")
    print("| notebook | " + " | ".join(args.profiles) + " |")
    print("|---|" + "---:|" * len(args.profiles))
    for path in paths:
        times = [run(path, profile, args.save, args.record) for profile in args.profiles]
        print(f"| {path.stem} | " + " | ".join(f"{t:.0f} s" for t in times) + " |", flush=True)


if __name__ == "__main__":
    main()
