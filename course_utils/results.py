"""Recorded runs: the one source of the README's run times and results (every notebook).

Each notebook ends with a results cell that calls :func:`record`. In a learner's run and
in ``make test`` nothing is written; when ``COURSE_RECORD`` is set (``benchmarks/
notebook_times.py --record`` sets it) the run is saved as
``results/<notebook>.<profile>.json``: the measured results, the profile and its sizes,
the corpus, the run time, the machine and the date. ``load`` reads one back, so a
notebook can quote its recorded run time instead of a hand-typed one.
"""

from __future__ import annotations

import json
import math
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from . import config

_IMPORTED_AT = time.perf_counter()        # about when the notebook's kernel started work
RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"


def results_dir() -> Path:
    """``COURSE_RESULTS_DIR`` if set, else ``results/`` beside ``course_utils``."""
    return Path(os.environ.get("COURSE_RESULTS_DIR", RESULTS_DIR)).expanduser()


def _plain(name: str, value):
    """A JSON-ready number or string; NaN, infinities and other types are refused."""
    if hasattr(value, "item"):                           # NumPy / torch scalars
        value = value.item()
    if isinstance(value, bool) or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"result {name!r} is {value}: record finite numbers only.")
        return value
    raise ValueError(f"result {name!r} has type {type(value).__name__}; record numbers or "
                     "strings (e.g. round(float(x), 3)).")


def record(notebook: str, results: dict, corpus: str, sizes=None) -> Path | None:
    """Save this run's ``results`` (``{label: number or string}``) when ``COURSE_RECORD`` is set.

    ``notebook`` is the file's stem, e.g. ``"05_character_generation"``; labels are what the
    README prints, e.g. ``"validation bits per character, LSTM"``. Returns the path written,
    or ``None`` in an ordinary run.
    """
    if not isinstance(results, dict) or not results:
        raise ValueError("record needs a non-empty dict {label: value} of measured results.")
    plain = {str(k): _plain(str(k), v) for k, v in results.items()}
    if not os.environ.get("COURSE_RECORD"):
        return None
    entry = {
        "notebook": notebook,
        "profile": config.profile(),
        "smoke": config.smoke(),
        "overridden": {k: list(v) for k, v in getattr(sizes, "overridden", {}).items()},
        "sizes": sizes.as_dict() if sizes is not None else {},
        "corpus": corpus,
        "results": plain,
        "seconds": round(time.perf_counter() - _IMPORTED_AT, 1),
        "machine": config.machine_report(),
        "environment": config.env_report(),
        "date": f"{datetime.now(UTC):%Y-%m-%d}",
    }
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook}.{entry['profile']}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(entry, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load(notebook: str, profile: str) -> dict | None:
    """The recorded run of ``notebook`` in ``profile``, or ``None`` if there is none."""
    path = results_dir() / f"{notebook}.{profile}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def recorded_times(notebook: str) -> str:
    """One line for a notebook's header, e.g. ``"recorded run time: ci 44 s, laptop 6.6 min"``."""
    parts = []
    for name in config.PROFILES:
        run = load(notebook, name)
        if run is not None:
            s = run["seconds"]
            parts.append(f"{name} {s:.0f} s" if s < 120 else f"{name} {s / 60:.1f} min")
    if not parts:
        return "no recorded run time yet (benchmarks/notebook_times.py --record makes one)"
    return "recorded run time: " + ", ".join(parts)


def recipes(notebook: str) -> list[dict]:
    """The rows a recipe benchmark recorded for ``notebook`` (``results/recipes/<notebook>.json``,
    written by ``benchmarks/char_lm_recipes.py --record``), oldest first; [] if none."""
    path = results_dir() / "recipes" / f"{notebook}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def recipe_table(rows: list[dict]) -> str:
    """A Markdown table of recipe rows, each with its change from its base recipe and what the
    change bought in validation bits per character (against the base run with the same
    ``budget``, the time of so many steps of a reference recipe)."""
    lines = ["| recipe | change (from base) | parameters | steps | characters | seconds | valid bpc "
             "| vs base |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        base = next((r for r in rows if r["recipe"] == row["base"]
                     and r.get("budget") == row.get("budget")), None)
        delta = f"{row['val_bpc'] - base['val_bpc']:+.3f}" if base else ""
        change = row["change"] + (f" (from {row['base']})" if row["base"] else "")
        lines.append(f"| {row['recipe']} | {change} | {row['parameters']:,} | {row['steps']:,} | "
                     f"{row['characters']:,} | {row['seconds']:.0f} | {row['val_bpc']:.3f} | {delta} |")
    return "\n".join(lines)
