"""`make data`: download and verify every real data set once, so a classroom can work offline.

    .venv/bin/python tools/fetch_data.py

Fetches the Tatoeba English-Spanish pairs, Jules Verne's *The Mysterious Island* and the
official IMDb archive (aclImdb v1, 84 MB) into the download cache
(``datasets/downloads/``, or ``COURSE_CACHE_DIR``) with ``course_utils.datasets.fetch``:
each file is verified (sha256 or structure) and renamed into place only once verified,
so an interrupted or failed download leaves nothing behind. Files already in the cache
are verified again; a file already in ``COURSE_DATA_DIR`` is not downloaded. Ends with a
summary and exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from course_utils import datasets  # noqa: E402


@dataclass(frozen=True)
class DataSet:
    name: str
    remote: datasets.Remote
    names: tuple[str, ...]         # what the loaders look for in COURSE_DATA_DIR


def course_datasets() -> list[DataSet]:
    """The real data sets the notebooks use, as ``course_utils.datasets`` defines them."""
    return [
        DataSet("Tatoeba English-Spanish (notebooks 03, 06)", datasets.TATOEBA,
                tuple(datasets.TATOEBA_NAMES)),
        DataSet("The Mysterious Island (notebook 05)", datasets.MYSTERIOUS_ISLAND,
                tuple(datasets.NOVEL_NAMES)),
        DataSet("IMDb aclImdb v1 (notebook 04)", datasets.ACL_IMDB, tuple(datasets.IMDB_NAMES)),
    ]


def _size(path: Path) -> str:
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    n = sum(f.stat().st_size for f in files)
    return f"{n / 1e6:.1f} MB"


def fetch_all(items: list[DataSet]) -> list[tuple[DataSet, str, str]]:
    """Fetch each data set; returns (data set, status, detail) with status ok / failed."""
    cache = datasets.cache_dir()
    for leftover in cache.glob(".*.part") if cache.is_dir() else []:   # from a killed run
        leftover.unlink()
    folder = datasets.data_dir()
    rows = []
    for i, item in enumerate(items, start=1):
        print(f"\n[{i}/{len(items)}] {item.name}", flush=True)
        if folder is not None and (found := datasets.find_in(folder, item.names)) is not None:
            rows.append((item, "ok", f"found in COURSE_DATA_DIR, used as it is: {found} ({_size(found)})"))
            print(f"  already in COURSE_DATA_DIR: {found}")
            continue
        try:
            got = datasets.fetch(item.remote)
        except OSError as err:      # something in the cache that is not ours to delete, or read-only
            print(f"  {err}")
            rows.append((item, "failed", str(err)))
            continue
        if got is None:
            rows.append((item, "failed", f"could not download {item.remote.url} (see the message above)"))
        else:
            path, how = got
            rows.append((item, "ok", f"{how}: {path} ({_size(path)}, verified)"))
    return rows


def summary(rows: list[tuple[DataSet, str, str]]) -> str:
    width = max(len(item.name) for item, _, _ in rows)
    lines = ["", "Summary:"]
    lines += [f"  {'OK    ' if status == 'ok' else 'FAILED'}  {item.name.ljust(width)}  {detail}"
              for item, status, detail in rows]
    failed = [item for item, status, _ in rows if status != "ok"]
    if failed:
        lines += ["", f"{len(failed)} of {len(rows)} data set(s) failed; nothing partial was saved "
                  f"(cache: {datasets.cache_dir()}). Check the network or proxy and run `make data` "
                  "again; the notebooks fall back to their offline data meanwhile."]
    else:
        lines += ["", f"All {len(rows)} data sets are in place: the notebooks can now run offline."]
    return "\n".join(lines)


def main(argv: list[str] | None = None, items: list[DataSet] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    if datasets.offline():
        print("COURSE_OFFLINE is set, which forbids downloads: run `make data` (or this "
              "script) without it, e.g. `env -u COURSE_OFFLINE make data`.", file=sys.stderr)
        return 2
    items = course_datasets() if items is None else items
    print(f"Fetching {len(items)} data set(s) into {datasets.cache_dir()}")
    try:
        rows = fetch_all(items)
    except KeyboardInterrupt:
        print("\ninterrupted: no partial file was kept; run `make data` again to finish.", file=sys.stderr)
        return 130
    print(summary(rows))
    return 0 if all(status == "ok" for _, status, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
