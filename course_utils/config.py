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

Serves every notebook (01-06).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import random
import sys

import numpy as np

PROFILES = ("ci", "laptop", "full")
DEFAULT_PROFILE = "laptop"


def profile() -> str:
    """The active profile, read from ``COURSE_PROFILE`` (default ``laptop``)."""
    name = os.environ.get("COURSE_PROFILE", DEFAULT_PROFILE).strip().lower() or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ValueError(
            f"COURSE_PROFILE={name!r} is not a profile. Use one of {', '.join(PROFILES)} "
            f"(e.g. `COURSE_PROFILE=ci make lab`), or unset it for {DEFAULT_PROFILE!r}."
        )
    return name


def pick(ci, laptop, full):
    """Return the argument named after the active profile."""
    return {"ci": ci, "laptop": laptop, "full": full}[profile()]


class ProfileTable:
    """Sizes for every profile; attribute access gives the active profile's value."""

    def __init__(self, rows: dict[str, tuple]):
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
            self._rows[name] = row[:3]
            self._why[name] = row[3] if len(row) == 4 else ""
        self.profile = profile()

    def __getattr__(self, name):
        rows = self.__dict__.get("_rows", {})
        if name in rows:
            return rows[name][PROFILES.index(self.__dict__["profile"])]
        raise AttributeError(
            f"No size named {name!r} in this profile table; it has: {', '.join(rows)}."
        )

    def as_dict(self) -> dict:
        """The active profile's values as a plain dict."""
        return {name: getattr(self, name) for name in self._rows}

    def _lines(self) -> list[list[str]]:
        header = ["size"] + [f"{p} *" if p == self.profile else p for p in PROFILES] + ["why"]
        body = [[n, *(f"{v:,}" if isinstance(v, int) else str(v) for v in r), self._why[n]]
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


def profile_table(rows: dict[str, tuple]) -> ProfileTable:
    """Build the notebook's size table: ``{name: (ci, laptop, full[, why])}``."""
    return ProfileTable(rows)


def set_seed(seed: int = 0) -> list[str]:
    """Seed Python, NumPy and whichever of PyTorch and Keras are imported.

    Call it after importing your framework (a framework imported later is not seeded).
    Returns the names of what was seeded.
    """
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
    parts.append(f"profile {profile()}")
    parts.append(f"cpu threads {os.environ.get('OMP_NUM_THREADS', os.cpu_count())}")
    return " | ".join(parts)
