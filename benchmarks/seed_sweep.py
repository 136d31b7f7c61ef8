"""Run every notebook over several seeds and Keras backends; report every assert that fails.

    .venv/bin/python benchmarks/seed_sweep.py                       # ci, seeds 0-4, both backends
    .venv/bin/python benchmarks/seed_sweep.py --copies student      # the student copies (or: both)
    .venv/bin/python benchmarks/seed_sweep.py --summary             # the saved sweeps, one table
    COURSE_DATA_DIR=../shared/data .venv/bin/python benchmarks/seed_sweep.py \
        --profile laptop --seeds 0 1 2 --backends tensorflow --notebooks 04

Another CPU rounds differently, and that perturbs training the way another seed does: an
assert that fails for one seed fails on someone's machine. Each run executes one notebook
top to bottom in a fresh kernel with ``COURSE_SEED`` set, *not* stopping at an error, so
every failing cell is reported (with the line that failed and its message) and the results
cell still records what the notebook measured. The PyTorch notebooks (05, 06) do not use
Keras, so they run once per seed. ``ci`` runs use the data that ships with the course, as
``make test`` does.

Writes ``results/seed_sweep/<profile>.json`` (every run: seconds, failures, measured results)
and prints two Markdown tables: the runs, and the spread of every measured number over seeds.
With ``--record``, the first seed's run on the first backend of each notebook is also kept
as its recorded run, ``results/<notebook>.<profile>.json`` (as ``notebook_times.py --record``
writes it), so a sweep need not be followed by another run to record.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_utils import config  # noqa: E402

KERAS_NOTEBOOKS = ("01", "02", "03", "04")
BACKENDS = ("tensorflow", "torch")


def run_one(path: Path, profile: str, seed: int, backend: str, results_dir: Path,
            smoke: bool = False) -> dict:
    """Execute ``path`` in a fresh kernel; return its seconds, failures and recorded results."""
    env = {**config.threads_alone(), "TF_CPP_MIN_LOG_LEVEL": "3", "COURSE_OFFLINE": "1",
           "COURSE_PROFILE": profile, "COURSE_SEED": str(seed), "KERAS_BACKEND": backend,
           "COURSE_RECORD": "1", "COURSE_RESULTS_DIR": str(results_dir),
           "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    if smoke:                    # the profile's model sizes on ci's data and steps, as `make test`
        env["COURSE_SMOKE"] = "1"
    if profile == "ci" or smoke:  # the data that ships with the course, as `make test` runs it
        env.update(COURSE_DATA_DIR="", COURSE_CACHE_DIR=str(results_dir / "no-downloads"))
    if backend == "torch" and path.parent.name == "student":   # as make test: TensorFlow hidden
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tools" / "without_tensorflow"),
                                                          os.environ.get("PYTHONPATH")]))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _EXECUTE, str(path)], env=env, cwd=path.parent,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    report = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {
        "failures": [{"cell": None, "line": "the kernel did not finish", "error": done.stderr[-2000:]}]}
    recorded = results_dir / f"{path.stem}.{profile}.json"
    results = json.loads(recorded.read_text(encoding="utf-8"))["results"] if recorded.is_file() else {}
    return {"notebook": path.stem, "copy": path.parent.name, "seed": seed, "backend": backend,
            "seconds": round(seconds, 1), "failures": report["failures"], "results": results,
            "recorded": str(recorded) if recorded.is_file() else None}


def keep_as_recorded(run: dict) -> Path:
    """Copy a run's recorded results into ``results/``, with the notebook's wall time."""
    entry = json.loads(Path(run["recorded"]).read_text(encoding="utf-8"))
    entry["seconds"] = run["seconds"]                  # the whole notebook, kernel start included
    path = ROOT / "results" / Path(run["recorded"]).name
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(entry, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.move(tmp, path)
    return path


# Runs in a child process: execute with errors allowed, then list every cell that raised.
_EXECUTE = r"""
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=3600, allow_errors=True,
               resources={"metadata": {"path": "."}}).execute()
failures = []
for k, cell in enumerate(nb.cells):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            lines = [l for l in cell.source.splitlines() if l.strip().startswith("assert")]
            where = next((l.strip() for l in lines if l.strip() in "".join(out.traceback)), None)
            printed = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
            failures.append({"cell": k, "line": where or cell.source.splitlines()[-1].strip(),
                             "error": f"{out.ename}: {out.evalue}"[:500], "printed": printed[-400:]})
print(json.dumps({"failures": failures}))
"""


def plan(notebooks: list[Path], seeds: list[int], backends: list[str]) -> list[tuple]:
    """(path, seed, backend) for every run; PyTorch notebooks run on one backend only."""
    runs = []
    for path in notebooks:
        own = backends if path.name.startswith(KERAS_NOTEBOOKS) else backends[:1]
        runs += [(path, seed, backend) for seed in seeds for backend in own]
    return runs


def spread(runs: list[dict]) -> list[tuple]:
    """(notebook, result, backend, min, max, values by seed) for every number measured."""
    rows = {}
    for r in runs:
        if r["copy"] != "notebooks":
            continue
        for name, value in r["results"].items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                rows.setdefault((r["notebook"], name, r["backend"]), []).append((r["seed"], value))
    return [(nb, name, backend, min(v for _, v in vals), max(v for _, v in vals), vals)
            for (nb, name, backend), vals in sorted(rows.items())]


def summary(paths: list[Path]) -> str:
    """A Markdown table of saved sweeps: notebook, profile, backends, seeds, failing runs."""
    rows = []
    for path in sorted(paths):
        sweep = json.loads(path.read_text(encoding="utf-8"))
        by_notebook = {}
        for r in sweep["runs"]:
            by_notebook.setdefault((r["notebook"], r["copy"]), []).append(r)
        for (nb, copy), runs in sorted(by_notebook.items()):
            keras_backends = ", ".join(sorted({r["backend"] for r in runs}))
            profile = sweep["profile"] + (" (smoke)" if sweep.get("smoke") else "")
            rows.append(f"| {nb} | {copy} | {profile} | "
                        f"{keras_backends if nb.startswith(KERAS_NOTEBOOKS) else 'PyTorch'} | "
                        f"{', '.join(str(s) for s in sorted({r['seed'] for r in runs}))} | {len(runs)} | "
                        f"{sum(bool(r['failures']) for r in runs)} | `{path.name}` |")
    return ("| notebook | copy | profile | backends | seeds | runs | failing runs | file |\n"
            "|---|---|---|---|---|---:|---:|---|\n" + "\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci", choices=config.PROFILES)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--notebooks", nargs="*", default=[], help="name prefixes, e.g. 03 04")
    parser.add_argument("--copies", choices=("notebooks", "student", "both"), default="notebooks",
                        help="the master notebooks, the student copies (student/, written first "
                             "by tools/make_student.py), or both")
    parser.add_argument("--smoke", action="store_true",
                        help="COURSE_SMOKE=1: the profile's model sizes on ci's data and steps")
    parser.add_argument("--out", type=Path,
                        help="default: results/seed_sweep/<profile>.json (<profile>-smoke.json)")
    parser.add_argument("--summary", nargs="*", type=Path, metavar="SWEEP",
                        help="print a table of saved sweeps (default: results/seed_sweep/*.json)")
    parser.add_argument("--record", action="store_true",
                        help="keep the first seed's run of each notebook as its recorded run")
    args = parser.parse_args()
    if args.summary is not None:
        print(summary(args.summary or list((ROOT / "results" / "seed_sweep").glob("*.json"))))
        return
    folders = [ROOT / name for name in ("notebooks", "student") if args.copies in (name, "both")]
    if args.copies != "notebooks":
        subprocess.run([sys.executable, str(ROOT / "tools" / "make_student.py")], check=True,
                       stdout=subprocess.DEVNULL)
    notebooks = [p for folder in folders for p in sorted(folder.glob("*.ipynb"))
                 if not args.notebooks or p.name.startswith(tuple(args.notebooks))]
    if args.smoke and args.record:
        parser.error("--record keeps runs at the profile's own sizes; a --smoke run is not one")
    out = args.out or ROOT / "results" / "seed_sweep" / f"{args.profile}{'-smoke' * args.smoke}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    print(f"{config.machine_report()}\n")
    print("| notebook | copy | seed | backend | seconds | failures |\n|---|---|---:|---|---:|---|")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (path, seed, backend) in enumerate(plan(notebooks, args.seeds, args.backends)):
            run = run_one(path, args.profile, seed, backend, Path(tmp) / str(k), args.smoke)
            runs.append(run)
            if (args.record and run["copy"] == "notebooks" and seed == args.seeds[0]
                    and backend == args.backends[0] and run["recorded"] and not run["failures"]):
                print(f"recorded: {keep_as_recorded(run).relative_to(ROOT)}", file=sys.stderr)
            failed = "; ".join(f"cell {f['cell']}: `{f['line']}` {f['error']} {f.get('printed', '')}"
                               .replace("\n", " ").replace("|", "/") for f in run["failures"])
            print(f"| {run['notebook']} | {run['copy']} | {seed} | {backend} | {run['seconds']:.0f} | "
                  f"{failed or 'none'} |", flush=True)
    n_failed = sum(bool(r["failures"]) for r in runs)
    print(f"\n{len(runs)} runs, {n_failed} with a failing cell\n")
    print("| notebook | result | backend | min | max | by seed |\n|---|---|---|---:|---:|---|")
    for nb, name, backend, low, high, vals in spread(runs):
        if low != high:
            print(f"| {nb} | {name} | {backend} | {low:g} | {high:g} | "
                  + ", ".join(f"{s}: {v:g}" for s, v in vals) + " |")
    for run in runs:
        run.pop("recorded")                                   # a temporary path
    out.write_text(json.dumps({"command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
                               "machine": config.machine_report(), "profile": args.profile,
                               "smoke": args.smoke,
                               "runs": runs, "failed_runs": n_failed}, indent=1, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    print(f"written: {out}")
    sys.exit(1 if n_failed else 0)


if __name__ == "__main__":
    main()
