"""Profiles, seeding, device and environment report: the first cell of every notebook.

A *profile* picks every size knob of a notebook from one small table, so that the same
notebook runs in CI (``ci``), on a laptop CPU (``laptop``, the default) or on one GPU
(``full``).  Choose it with the environment variable ``COURSE_PROFILE`` before starting
Jupyter, e.g. ``COURSE_PROFILE=full make lab``.

    sizes = cu.profile_table({
        #            ci     laptop   full     why
        "n_train": (2_000, 20_000, 100_000, "more data, better model"),
        "epochs":  (3,     10,     20),
    })
    sizes            # shows the table, the active column marked
    sizes.n_train    # the value for the active profile

Two switches from the environment change a table without editing the notebook:

- ``COURSE_OVERRIDES="epochs=2 hidden_size=64"`` sets rows by name, as nanoGPT's
  configurator does; each value is read with the type of the row it replaces.
- ``COURSE_SMOKE=1`` keeps the active profile's model sizes but takes the rows a notebook
  names in ``data_rows`` (how much data, how many steps) from ``ci``: with
  ``COURSE_PROFILE=full`` it runs the ``full`` models on a small slice in minutes on a CPU.

A table changed either way says so, and ``sizes.targets_apply`` turns ``False``: the
profile's result targets are asserted only for the sizes they were set for.

Serves every notebook (01-06).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import random
import sys
from pathlib import Path

import numpy as np

PROFILES = ("ci", "laptop", "full")
COURSE_ROOT = Path(__file__).resolve().parent.parent     # holds notebooks/, course_utils/, datasets/
DEFAULT_PROFILE = "laptop"

#: CPU threads of the course (``make lab``, ``make test`` and the benchmarks set these
#: before the frameworks start): two for PyTorch and NumPy; for TensorFlow, one thread per
#: operation and two operations at once. A recurrent layer on TensorFlow runs many small
#: operations per time step, and splitting each over two threads costs more than it saves:
#: measured 2026-11-29 on 2 cores, one epoch of notebook 03's char LSTM (batch 32) took
#: 8.7 s with (1 per op, 2 at once) against 12.8 s with (2, 1) and 20.5 s with TensorFlow's
#: default (2, 2); the recipe's epoch 9.5 s against 13.2 s; notebook 04's bidirectional
#: GRU 2.3 s against 4.6 s; only its CNN was slower, 1.3 s against 1.2 s.
CPU_THREADS = {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2",
               "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "2"}

#: How PyTorch's threads wait for their next operation (OpenMP) when two processes share
#: the cores, as in ``make test``, which runs two notebooks at once: they sleep at once
#: (``PASSIVE``) instead of first spinning on a core the other process needs. One process
#: alone (``make lab``, the benchmarks, a recorded run) keeps OpenMP's default, spin then
#: sleep, which is faster for a recurrent step's many small operations.
#: ``benchmarks/cpu_threads.py`` measures both (2 cores, 2026-12-05, a step of notebook
#: 05's GRU 384: alone, 160 ms spinning against 231 ms sleeping; two processes at once,
#: 309-316 ms sleeping against 424-498 ms spinning). TensorFlow's threads are not OpenMP's.
SHARED_CORES = {"OMP_WAIT_POLICY": "PASSIVE"}


def use_cpu_threads() -> None:
    """Set ``CPU_THREADS`` where the environment has not, as ``make`` does.

    TensorFlow reads them when it starts: call this before the first Keras model.
    """
    for name, value in CPU_THREADS.items():
        os.environ.setdefault(name, value)


def threads_alone(environ=None) -> dict:
    """A copy of ``environ`` (default: this process's) set for a process that has the cores
    to itself: ``CPU_THREADS`` set, the ``SHARED_CORES`` wait policy removed."""
    env = {name: value for name, value in (os.environ if environ is None else environ).items()
           if name not in SHARED_CORES}
    return {**env, **CPU_THREADS}


def env_flag(name: str) -> bool:
    """An on/off environment variable: unset, 0/false/no/off or 1/true/yes/on; else an error."""
    value = os.environ.get(name, "").strip().lower()
    if value not in ("", "0", "false", "no", "off", "1", "true", "yes", "on"):
        raise ValueError(f"{name}={value!r} is not understood: use 1 (on) or 0 (off), or unset it.")
    return value in ("1", "true", "yes", "on")


def env_path(name: str, must_exist: bool = False) -> Path | None:
    """The folder named by environment variable ``name``, or None when it is unset.

    ``~`` is expanded. A relative path is read from the current folder, or, where nothing
    is there, from the course's root folder (the one that holds ``notebooks/``): a notebook
    runs in ``notebooks/``, so ``COURSE_DATA_DIR=../shared/data make lab``, typed in the
    root, means the same folder in the shell and in the notebook. A file, or a missing
    folder when ``must_exist``, is an error that names the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_absolute():
        here, from_root = Path.cwd() / folder, COURSE_ROOT / folder
        folder = from_root if not here.exists() and from_root.exists() else here
    folder = folder.resolve()
    if (folder.exists() or must_exist) and not folder.is_dir():
        where = "" if Path(value).expanduser().is_absolute() else \
            f" (looked in {Path.cwd()} and in the course folder {COURSE_ROOT})"
        raise FileNotFoundError(f"{name}={value!r} is not a folder{where}. Point {name} at a "
                                "folder (an absolute path is safest), or unset it.")
    return folder


def profile() -> str:
    """The active profile, read from ``COURSE_PROFILE`` (default ``laptop``)."""
    name = os.environ.get("COURSE_PROFILE", DEFAULT_PROFILE).strip().lower() or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ValueError(f"COURSE_PROFILE={name!r} is not a profile. Use one of {', '.join(PROFILES)} "
                         f"(e.g. `COURSE_PROFILE=ci make lab`), or unset it for {DEFAULT_PROFILE!r}.")
    return name


def smoke() -> bool:
    """True when ``COURSE_SMOKE`` asks for the profile's model sizes on ``ci``'s data and steps."""
    return env_flag("COURSE_SMOKE")


def overrides() -> dict[str, str]:
    """``COURSE_OVERRIDES="name=value name=value"`` as ``{name: raw value}``."""
    pairs = {}
    for item in os.environ.get("COURSE_OVERRIDES", "").replace(",", " ").split():
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise ValueError(f"COURSE_OVERRIDES item {item!r} is not name=value, "
                             'e.g. COURSE_OVERRIDES="epochs=2 hidden_size=64".')
        pairs[name] = value
    return pairs


def _parse_like(raw: str, like, name: str):
    """``raw`` read as the type of ``like`` (the value it replaces)."""
    try:
        if isinstance(like, bool):
            if raw.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return raw.lower() in ("true", "1")
        if isinstance(like, int):
            return int(raw.replace("_", ""))
        if isinstance(like, float):
            return float(raw)
    except ValueError:
        raise ValueError(f"COURSE_OVERRIDES: {name}={raw!r} is not a {type(like).__name__} "
                         f"like the table's {like!r}.") from None
    return raw


def pick(ci, laptop, full):
    """Return the argument named after the active profile."""
    return {"ci": ci, "laptop": laptop, "full": full}[profile()]


class ProfileTable:
    """Sizes for every profile; attribute access gives the active profile's value.

    ``data_rows`` names the rows that size the data and the training steps: in smoke mode
    (``COURSE_SMOKE=1``) they take their ``ci`` value, or their value in ``smoke`` where a
    notebook's ``ci`` run is too long for the larger models. ``COURSE_OVERRIDES`` then sets any
    row by name. ``overridden`` lists what changed; ``targets_apply`` is ``False`` if
    anything did.
    """

    def __init__(self, rows: dict[str, tuple], data_rows: tuple[str, ...] = (),
                 smoke_values: dict | None = None):
        if not isinstance(rows, dict) or not rows:
            raise ValueError(
                "profile_table needs a non-empty dict: name -> (ci, laptop, full[, why])."
            )
        self._rows: dict[str, tuple] = {}
        self._why: dict[str, str] = {}
        for name, row in rows.items():
            if not isinstance(row, tuple) or len(row) not in (3, 4):
                raise ValueError(
                    f"profile_table row {name!r} must be a tuple (ci, laptop, full) or "
                    f"(ci, laptop, full, why), got {row!r}."
                )
            if hasattr(ProfileTable, name) or name in ("profile", "overridden") or name.startswith("_"):
                raise ValueError(f"profile_table row {name!r} would hide the table's own "
                                 f"attribute {name!r}: rename the row, e.g. {name + '_size'!r}.")
            self._rows[name] = row[:3]
            self._why[name] = row[3] if len(row) == 4 else ""
        unknown = [n for n in data_rows if n not in self._rows]
        if unknown:
            raise ValueError(f"data_rows {unknown} are not rows of this table ({', '.join(rows)}).")
        smoke_values = dict(smoke_values or {})
        if not set(smoke_values) <= set(data_rows):
            raise ValueError(f"smoke_values {sorted(set(smoke_values) - set(data_rows))} are not data_rows "
                             f"({', '.join(data_rows)}): only data rows change in a smoke run.")
        self.profile = profile()
        column = PROFILES.index(self.profile)
        self._active = {name: row[column] for name, row in self._rows.items()}
        self.overridden: dict[str, tuple] = {}     # name -> (table value, value used)
        if smoke():
            for name in data_rows:
                self._set(name, smoke_values.get(name, self._rows[name][0]))
        for name, raw in overrides().items():
            if name not in self._rows:
                print(f"COURSE_OVERRIDES: this notebook has no size {name!r}; not used "
                      f"(sizes: {', '.join(self._rows)}).")
                continue
            self._set(name, _parse_like(raw, self._active[name], name))
        if self.overridden:
            print(f"sizes changed from the {self.profile} column: " + ", ".join(
                f"{n} {a!r} -> {b!r}" for n, (a, b) in self.overridden.items())
                + f"; the {self.profile} result targets are not asserted in this run.")

    def _set(self, name, value):
        table_value = self._rows[name][PROFILES.index(self.profile)]
        self._active[name] = value
        if value != table_value:
            self.overridden[name] = (table_value, value)
        else:
            self.overridden.pop(name, None)

    @property
    def targets_apply(self) -> bool:
        """True when every size is the profile's own, so its result targets hold."""
        return not self.overridden

    def __getattr__(self, name):
        active = self.__dict__.get("_active", {})
        if name in active:
            return active[name]
        raise AttributeError(
            f"No size named {name!r} in this profile table; it has: {', '.join(active)}."
        )

    def as_dict(self) -> dict:
        """The active profile's values as a plain dict."""
        return {name: getattr(self, name) for name in self._rows}

    def _lines(self) -> list[list[str]]:
        header = ["size"] + [f"{p} *" if p == self.profile else p for p in PROFILES] + ["why"]
        def show(name, column, value):
            text = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
            if column == self.profile and name in self.overridden:
                text = f"{self._active[name]} (table: {text})"
            return text

        body = [[n, *(show(n, p, v) for p, v in zip(PROFILES, r)), self._why[n]]
                for n, r in self._rows.items()]
        return [header, *body]

    def __repr__(self) -> str:
        lines = self._lines()
        widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
        text = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in lines]
        return "\n".join([f"profile: {self.profile} (marked *)", *text])

    def _repr_html_(self) -> str:
        header, *body = self._lines()
        active = PROFILES.index(self.profile) + 1

        def row_html(cells, tag):
            return "<tr>" + "".join(
                f"<{tag} style='{'font-weight:bold;background:#eef' if i == active else ''}'>"
                f"{c}</{tag}>" for i, c in enumerate(cells)) + "</tr>"

        return (f"<p>profile: <b>{self.profile}</b></p><table>" + row_html(header, "th")
                + "".join(row_html(r, "td") for r in body) + "</table>")


def profile_table(rows: dict[str, tuple], data_rows: tuple[str, ...] = (),
                  smoke_values: dict | None = None) -> ProfileTable:
    """Build the notebook's size table: ``{name: (ci, laptop, full[, why])}``.

    ``data_rows``: the rows that size data and steps, taken from ``ci`` when ``COURSE_SMOKE=1``
    (or from ``smoke_values``, ``{name: value}``, for the rows it names).
    """
    return ProfileTable(rows, tuple(data_rows), smoke_values)


def course_seed() -> int:
    """The course's seed: ``COURSE_SEED`` from the environment, 0 when unset.

    Another seed perturbs training the way another CPU does (it rounds differently):
    ``COURSE_SEED=3 make lab`` runs every notebook on seed 3, and
    ``benchmarks/seed_sweep.py`` checks that every assert holds over seeds 0-4.
    """
    text = os.environ.get("COURSE_SEED", "").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(f"COURSE_SEED={text!r} is not a seed. Set it to a non-negative int "
                         f"(e.g. COURSE_SEED=1) or unset it for seed 0.")
    return int(text)


def set_seed(seed: int | None = None) -> list[str]:
    """Seed Python, NumPy and whichever of PyTorch and Keras are imported.

    ``seed`` defaults to the course's seed (``COURSE_SEED``, else 0): every notebook calls
    ``cu.set_seed()``. Call it after importing your framework (a framework imported later
    is not seeded). Returns the names of what was seeded.
    """
    if seed is None:
        seed = course_seed()
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    random.seed(seed)
    np.random.seed(seed)
    seeded = ["python", "numpy"]
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)  # also seeds every CUDA device
        seeded.append("torch")
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)
        seeded.append("keras")
    return seeded


def device():
    """``torch.device('cuda')`` when a GPU is visible, else ``torch.device('cpu')``."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_report() -> str:
    """One line for benchmark reports: host, CPU model, CPU count, load average, UTC time.

    Speeds measured on a shared machine depend on its load; print this line beside them.
    """
    from datetime import UTC, datetime

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "n/a"
    return (f"{platform.node()} · {cpu} · {os.cpu_count()} CPUs · load {load} · "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


def env_report() -> str:
    """One line: Python and library versions, device, profile, Keras backend, threads."""
    parts = [f"Python {platform.python_version()}"]
    for package in ("numpy", "torch", "tensorflow", "keras"):
        if (v := _version(package)) is not None:
            parts.append(f"{package} {v}")
    if "torch" in sys.modules or _version("torch"):
        dev = device()
        if dev.type == "cuda":
            import torch

            parts.append(f"device cuda ({torch.cuda.get_device_name(0)})")
        else:
            parts.append("device cpu")
    backend = (sys.modules["keras"].backend.backend() if "keras" in sys.modules
               else os.environ.get("KERAS_BACKEND", "tensorflow"))
    parts.append(f"keras backend {backend}")
    parts.append(f"profile {profile()}" + (" (smoke: ci data and steps)" if smoke() else ""))
    parts.append(f"seed {course_seed()}")
    parts.append(f"cpu threads {os.environ.get('OMP_NUM_THREADS', os.cpu_count())}")
    if "TF_NUM_INTEROP_THREADS" in os.environ:
        parts.append(f"TensorFlow threads {os.environ.get('TF_NUM_INTRAOP_THREADS', 'default')} per op, "
                     f"{os.environ['TF_NUM_INTEROP_THREADS']} ops at once")
    return " | ".join(parts)
