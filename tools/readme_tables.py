"""The README's run-time and results tables, generated from the recorded runs in ``results/``.

    .venv/bin/python tools/readme_tables.py            # rewrite the tables in README.md
    .venv/bin/python tools/readme_tables.py --check    # exit 1 if README.md is out of date

Each notebook's closing cell records its measurements to ``results/<notebook>.<profile>.json``
when ``benchmarks/notebook_times.py --record`` runs it (see ``course_utils/results.py``).
This script writes two tables between marker comments in README.md, so that every run time
and result the README shows is one that a recorded run measured:

    <!-- BEGIN GENERATED run-times ... -->  ...  <!-- END GENERATED run-times -->
    <!-- BEGIN GENERATED results ... -->    ...  <!-- END GENERATED results -->

Text outside the markers is left alone. ``tests/test_readme_tables.py`` fails when the
README and ``results/`` disagree; regenerate with the first command above.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROFILES = ("ci", "laptop", "full")
TABLES = ("run-times", "results")
COMMAND = "tools/readme_tables.py"


def load_runs(folder: Path) -> list[dict]:
    """Every ``<notebook>.<profile>.json`` in ``folder``, sorted by notebook then profile."""
    runs = []
    for path in sorted(Path(folder).glob("*.json")) if Path(folder).is_dir() else []:
        try:
            run = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} is not valid JSON ({err}); rerun its notebook with "
                             "benchmarks/notebook_times.py --record, or delete it.") from None
        missing = [k for k in ("notebook", "profile", "results", "seconds") if k not in run]
        if missing:
            raise ValueError(f"{path} lacks {', '.join(missing)}: it is not a recorded run "
                             "(course_utils.results.record writes them).")
        if run["profile"] not in PROFILES:
            raise ValueError(f"{path}: unknown profile {run['profile']!r}.")
        runs.append(run)
    return sorted(runs, key=lambda r: (r["notebook"], PROFILES.index(r["profile"])))


def _number(stem: str) -> str:
    return stem.split("_", 1)[0]


def _title(stem: str) -> str:
    return stem.split("_", 1)[1].replace("_", " ") if "_" in stem else stem


def format_seconds(seconds: float) -> str:
    """44 s, 6.6 min: seconds below two minutes, minutes above."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def format_value(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value).replace("|", "\\|")
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.1e}"


def _flag(run: dict) -> str:
    """A marker for a run that did not use its profile's own sizes."""
    return " †" if run.get("smoke") or run.get("overridden") else ""


def _profiles_in(runs: list[dict]) -> list[str]:
    present = {r["profile"] for r in runs}
    return [p for p in PROFILES if p in present]


def _footnotes(runs: list[dict], machines_too: bool = True) -> list[str]:
    lines = []
    machines: dict[tuple[str, str], list[str]] = {}
    for run in runs if machines_too else []:
        key = (run["profile"], run.get("machine", "machine not recorded"))
        machines.setdefault(key, []).append(_number(run["notebook"]))
    for (profile, machine), numbers in machines.items():
        lines.append(f"`{profile}` ({', '.join(numbers)}): {machine}")
    if any(_flag(r) for r in runs):
        lines.append("† not the profile's own sizes (`COURSE_SMOKE` or `COURSE_OVERRIDES`): "
                     "its targets were not asserted.")
    if not lines:
        return []
    head = ["", "Recorded on:", ""] if machines_too else [""]
    return head + [f"- {line}" for line in lines]


def run_times_table(runs: list[dict]) -> str:
    """Whole-notebook wall time per profile (fresh kernel, top to bottom)."""
    if not runs:
        return ("_No recorded runs yet: `benchmarks/notebook_times.py --record` makes them, "
                f"then `{COMMAND}` writes this table._")
    profiles = _profiles_in(runs)
    by = {(r["notebook"], r["profile"]): r for r in runs}
    notebooks = sorted({r["notebook"] for r in runs})
    lines = ["| # | notebook | " + " | ".join(profiles) + " |",
             "|---|---|" + "---:|" * len(profiles)]
    for stem in notebooks:
        cells = []
        for p in profiles:
            run = by.get((stem, p))
            cells.append(format_seconds(run["seconds"]) + _flag(run) if run else "")
        lines.append(f"| {_number(stem)} | [{_title(stem)}](notebooks/{stem}.ipynb) | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines + _footnotes(runs))


def results_table(runs: list[dict]) -> str:
    """Every recorded measurement: one folded table per notebook (``<details>``, so the
    README stays short), one row per label, one column per profile."""
    if not runs:
        return ("_No recorded runs yet: `benchmarks/notebook_times.py --record` makes them, "
                f"then `{COMMAND}` writes this table._")
    profiles = _profiles_in(runs)
    by = {(r["notebook"], r["profile"]): r for r in runs}
    blocks = []
    for stem in sorted({r["notebook"] for r in runs}):
        mine = [by[(stem, p)] for p in profiles if (stem, p) in by]
        lines = ["| measurement | " + " | ".join(profiles) + " |", "|---|" + "---:|" * len(profiles)]
        corpora = [by[(stem, p)].get("corpus", "") if (stem, p) in by else "" for p in profiles]
        if any(corpora):
            lines.append("| data | " + " | ".join(format_value(c) for c in corpora) + " |")
        labels: list[str] = []
        for run in mine:
            labels += [label for label in run["results"] if label not in labels]
        for label in labels:
            cells = []
            for p in profiles:
                run = by.get((stem, p))
                value = run["results"].get(label) if run else None
                cells.append("" if value is None else format_value(value) + _flag(run))
            lines.append(f"| {format_value(label)} | " + " | ".join(cells) + " |")
        summary = f"<b>{_number(stem)} {_title(stem)}</b>: {len(labels)} measurements"
        blocks.append(f"<details><summary>{summary}</summary>\n\n" + "\n".join(lines)
                      + "\n\n</details>")
    notes = _footnotes(runs, machines_too=False)               # a blank line ends each <details>
    return "\n\n".join(blocks) + ("\n" + "\n".join(notes) if notes else "")


def _markers(name: str) -> tuple[str, str]:
    return (f"<!-- BEGIN GENERATED {name}: edit results/ and run {COMMAND}, not this table -->",
            f"<!-- END GENERATED {name} -->")


def render(readme: str, runs: list[dict]) -> str:
    """``readme`` with the text between each pair of markers replaced by its table."""
    tables = {"run-times": run_times_table(runs), "results": results_table(runs)}
    for name, table in tables.items():
        begin, end = _markers(name)
        pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.S)
        if len(pattern.findall(readme)) != 1:
            raise ValueError(f"README.md needs exactly one pair of markers:\n{begin}\n{end}")
        readme = pattern.sub(lambda _: f"{begin}\n{table}\n{end}", readme)
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when README.md differs from results/")
    parser.add_argument("--readme", type=Path, default=REPO / "README.md")
    parser.add_argument("--results", type=Path, default=REPO / "results")
    args = parser.parse_args(argv)
    current = args.readme.read_text(encoding="utf-8")
    wanted = render(current, load_runs(args.results))
    if args.check:
        if wanted != current:
            print(f"{args.readme} does not match {args.results}/: run "
                  f".venv/bin/python {COMMAND} and commit README.md.", file=sys.stderr)
            return 1
        print(f"{args.readme} matches {args.results}/.")
        return 0
    if wanted != current:
        args.readme.write_text(wanted, encoding="utf-8")
        print(f"updated the tables in {args.readme}.")
    else:
        print(f"{args.readme} was already up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
