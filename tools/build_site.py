"""`make site`: the course as a static HTML site, built from executed notebooks.

    .venv/bin/python tools/build_site.py --profile ci          # what `make site` runs
    .venv/bin/python tools/build_site.py --profile laptop      # the one to publish

Steps, each cheap when nothing changed:

1. **Execute** every notebook whose code (or ``course_utils``, the runner that keeps its
   outputs, or the environment that sizes it) changed since its last run in this profile,
   with nbval and the ``tools.nbval_save`` plugin, into ``_build/executed/<profile>/``.
   ``make test`` leaves fresh ``ci`` runs there, so the test run's site build executes
   nothing. A prose-only edit does not re-execute: the key covers code cells only, and the
   pages take their markdown from the current notebook.
2. **Stage** a Sphinx source folder ``_build/site/<profile>/src``: each notebook with its
   recorded outputs, solution cells collapsed behind a "Show the solution" toggle,
   exercise prompts marked; a landing page with the course's introduction, the notebook
   map and the README's generated tables; MathJax from the ``django-static-mathjax``
   package (no network at build or read time). Files are rewritten only when they change,
   so Sphinx re-reads only what did.
3. **Build** with Sphinx, myst-nb (execution off) and sphinx-book-theme into
   ``_build/site/<profile>/html``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

NOTEBOOKS = REPO / "notebooks"
BUILD = REPO / "_build"
# Environment variables that change what a notebook computes.
KEY_ENV = ("COURSE_PROFILE", "COURSE_SMOKE", "COURSE_OVERRIDES", "KERAS_BACKEND", "COURSE_DATA_DIR")
SOLUTION, EXERCISE = "solution", "exercise"
README_SECTIONS = ("The notebooks", "Run times", "Profiles: one notebook, three sizes", "Results")


def executed_dir(profile: str) -> Path:
    return BUILD / "executed" / profile


def site_dir(profile: str) -> Path:
    return BUILD / "site" / profile


def _sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def code_hash(nb: dict) -> str:
    """Hash of the code cells' sources, in order: what decides a notebook's outputs."""
    return _sha(*("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                  for c in nb["cells"] if c["cell_type"] == "code"))


def course_utils_hash() -> str:
    files = sorted((REPO / "course_utils").glob("*.py"))
    return _sha(*(f.name + "\n" + f.read_text(encoding="utf-8") for f in files))


def runner_hash() -> str:
    """The code that runs a notebook and keeps its outputs (tools/nbval_save.py, tools/nbout.py)."""
    files = [REPO / "tools" / "nbval_save.py", REPO / "tools" / "nbout.py"]
    return _sha(*(f.name + "\n" + f.read_text(encoding="utf-8") for f in files))


def cache_key(path: Path, env: dict | None = None) -> dict:
    """What produced an executed notebook: its code, course_utils, the runner, the sizing environment."""
    env = os.environ if env is None else env
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return {"notebook": Path(path).stem, "code": code_hash(nb), "course_utils": course_utils_hash(),
            "runner": runner_hash(), "env": {k: env.get(k, "") for k in KEY_ENV}}


def is_fresh(path: Path, profile: str, env: dict | None = None) -> bool:
    """True when ``_build/executed/<profile>`` holds a run of this code in this environment."""
    folder = executed_dir(profile)
    key_file, executed = folder / f"{path.stem}.key.json", folder / f"{path.stem}.ipynb"
    if not key_file.is_file() or not executed.is_file():
        return False
    env = dict(os.environ if env is None else env, COURSE_PROFILE=profile)
    return json.loads(key_file.read_text(encoding="utf-8")) == cache_key(path, env)


def execute(paths: list[Path], profile: str) -> None:
    """Run ``paths`` under nbval in ``profile`` and keep the executed copies."""
    env = dict(os.environ, COURSE_PROFILE=profile, PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "pytest", *map(str, paths), "--nbval-lax", "--nbval-current-env",
           "--nbval-sanitize-with", str(REPO / "tests" / "nbval_sanitize.cfg"),
           "-p", "tools.nbval_save", "--nbval-save", str(executed_dir(profile)),
           "-p", "no:cacheprovider", "-q"]
    print(f"site: executing {len(paths)} notebook(s) in the {profile} profile: "
          + ", ".join(p.stem for p in paths), flush=True)
    result = subprocess.run(cmd, cwd=REPO, env=env)
    if result.returncode != 0:
        raise SystemExit(f"site: a notebook failed in the {profile} profile (see above); "
                         "fix it and run make site again.")


# ------------------------------------------------------------------------------- staging

OTTER_MARKUP = ("# ASSIGNMENT CONFIG", "# BEGIN ", "# END ")   # raw cells (README: exercises)


def _tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")


def boxed(markdown: str, css_class: str, fold: str | None = None) -> str:
    """``markdown`` in a box of class ``css_class`` (folded behind ``fold`` when given).

    The box is a ``container`` directive, never a bare ``<div>`` opened and closed by raw
    HTML: a heading in a cell starts a new section, and a raw ``<div>`` left open in the
    section before it closed the wrong element and set the rest of the page out as
    side-by-side columns. Leading headings ("### Exercise 2: ...") stay outside the box as
    section titles (the page's contents list them); a heading further down becomes a
    rubric inside the box, so the box always closes where it opened.
    """
    lines = markdown.strip("\n").split("\n")
    start = 0
    while start < len(lines) and (HEADING.match(lines[start]) or not lines[start].strip()):
        start += 1
    head, body = "\n".join(lines[:start]).strip(), "\n".join(lines[start:]).strip()
    if not body:
        return markdown
    if fold is not None:
        body = f"<details class=\"course-solution\">\n<summary>{fold}</summary>\n\n{body}\n\n</details>"
    colons = [len(m) for m in re.findall(r"^\s*(:{3,})", body, flags=re.M)]
    fence = ":" * max([4, *(n + 1 for n in colons)])           # longer than any fence inside
    return (f"{head}\n\n" if head else "") + f"{fence}{{container}} {css_class}\n{body}\n{fence}\n"


def page_notebook(source: dict, executed: dict | None) -> dict:
    """The notebook as its page shows it: current prose, recorded outputs, solutions folded."""
    import copy

    nb = copy.deepcopy(source)
    nb.setdefault("metadata", {}).pop("widgets", None)
    outputs = ([c for c in executed["cells"] if c["cell_type"] == "code"]
               if executed is not None else [])
    code_index = 0
    cells = []
    for cell in nb["cells"]:
        tags = _tags(cell)
        if cell["cell_type"] == "raw" and _source(cell).lstrip().startswith(OTTER_MARKUP):
            continue                    # otter-grader's markup: for `make student`, not for readers
        if cell["cell_type"] == "code":
            done = outputs[code_index] if code_index < len(outputs) else None
            cell["outputs"] = done.get("outputs", []) if done else []
            cell["execution_count"] = done.get("execution_count") if done else None
            code_index += 1
            if "NBVAL_RAISES_EXCEPTION" in _source(cell) and "raises-exception" not in tags:
                tags.append("raises-exception")            # an intended error, shown as such
                cell["metadata"]["tags"] = tags
            if SOLUTION in tags:
                cell["metadata"]["tags"] = sorted(set(tags) | {"hide-cell"})
                cell["metadata"].setdefault("mystnb", {})["code_prompt_show"] = "Show the solution"
                cell["metadata"]["mystnb"]["code_prompt_hide"] = "Hide the solution"
        elif cell["cell_type"] == "markdown" and SOLUTION in tags:
            cell["source"] = boxed(_source(cell), "course-folded", fold="Show the solution")
        elif cell["cell_type"] == "markdown" and EXERCISE in tags:
            cell["source"] = boxed(_source(cell), "course-exercise")
        cells.append(cell)
    nb["cells"] = cells
    return nb


def readme_sections(readme: str, names=README_SECTIONS) -> tuple[str, str]:
    """(introduction, the named ``##`` sections) of the README, links fixed for the site."""
    parts = re.split(r"^(## .+)$", readme, flags=re.M)
    intro = parts[0].split("\n", 1)[1] if "\n" in parts[0] else ""
    chosen = []
    for heading, body in zip(parts[1::2], parts[2::2]):
        if heading[3:].strip() in names:
            chosen.append(heading + body)

    def fix(text: str) -> str:
        # links to notebooks stay (they are pages); other repository paths become code
        text = re.sub(r"\[([^\]]+)\]\((?!notebooks/|https?://|#)([^)]+)\)", r"\1 (`\2`)", text)
        return re.sub(r"<!-- .*? -->\n?", "", text)

    return fix(intro).strip(), fix("".join(chosen)).strip()


def landing_page(readme: str, stems: list[str], profile: str) -> str:
    intro, sections = readme_sections(readme)
    toctree = "\n".join(f"notebooks/{s}" for s in stems)
    return (f"# Sequence models, one notebook at a time\n\n{intro}\n\n"
            f"```{{note}}\nThese pages show every notebook run top to bottom in the "
            f"`{profile}` profile (`COURSE_PROFILE={profile}`), outputs included. "
            "Solutions are folded: open one only after trying the exercise.\n```\n\n"
            f"```{{toctree}}\n:hidden:\n:maxdepth: 1\n:caption: Notebooks\n\n{toctree}\n```\n\n"
            f"{sections}\n")


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def mathjax_source() -> Path:
    """MathJax 3's browser build, shipped by the ``django-static-mathjax`` package on PyPI."""
    try:
        import mathjax
    except ImportError:
        raise SystemExit("site: MathJax is missing: .venv/bin/pip install django-static-mathjax "
                         "(it is in requirements.txt).") from None
    return Path(mathjax.__file__).resolve().parent / "static" / "mathjax" / "es5"


def stage_mathjax(dest: Path) -> None:
    """Copy the parts of MathJax the pages load (the tex-mml-chtml build, fonts, extensions)."""
    src = mathjax_source()
    marker = dest / ".source"
    if marker.is_file() and marker.read_text() == str(src):
        return
    shutil.rmtree(dest, ignore_errors=True)
    keep = ("tex-mml-chtml.js", "input", "output", "a11y", "ui", "sre", "adaptors")
    for name in keep:
        item = src / name
        if item.is_dir():
            shutil.copytree(item, dest / name)
        elif item.is_file():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, dest / name)
    marker.write_text(str(src))


def stage(profile: str, paths: list[Path]) -> tuple[Path, int]:
    """Write the Sphinx source folder; returns it and the number of files that changed."""
    src = site_dir(profile) / "src"
    changed = 0
    stems = []
    for path in paths:
        source = json.loads(path.read_text(encoding="utf-8"))
        executed_path = executed_dir(profile) / f"{path.stem}.ipynb"
        executed = json.loads(executed_path.read_text(encoding="utf-8")) if executed_path.is_file() else None
        page = page_notebook(source, executed)
        changed += _write_if_changed(src / "notebooks" / path.name,
                                     json.dumps(page, indent=1, ensure_ascii=False) + "\n")
        stems.append(path.stem)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    changed += _write_if_changed(src / "index.md", landing_page(readme, stems, profile))
    for name in os.listdir(src / "notebooks"):                 # notebooks since removed
        if name.endswith(".ipynb") and Path(name).stem not in stems:
            (src / "notebooks" / name).unlink()
            changed += 1
    stage_mathjax(site_dir(profile) / "static" / "mathjax")
    return src, changed


def build(profile: str, paths: list[Path], execute_stale: bool = True) -> Path:
    start = time.perf_counter()
    stale = [p for p in paths if not is_fresh(p, profile)]
    if stale and execute_stale:
        execute(stale, profile)
    elif stale:
        print("site: no fresh run for " + ", ".join(p.stem for p in stale)
              + f" in {profile}; their pages show no outputs.")
    src, changed = stage(profile, paths)
    html = site_dir(profile) / "html"
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(REPO / "site"),
           "-d", str(site_dir(profile) / "doctrees"), str(src), str(html)]
    env = dict(os.environ, COURSE_SITE_PROFILE=profile,
               COURSE_SITE_STATIC=str(site_dir(profile) / "static"))
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    (site_dir(profile) / "warnings.txt").write_text("\n".join(warnings) + "\n", encoding="utf-8")
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit("site: Sphinx failed (see above).")
    pages = sorted(html.rglob("*.html"))
    images = list((html / "_images").glob("*")) if (html / "_images").is_dir() else []
    print(f"site: {profile} profile, {len(pages)} pages, {len(images)} images, "
          f"{len(stale) if execute_stale else 0} notebook(s) executed, {changed} source file(s) "
          f"changed, {len(warnings)} Sphinx warning(s) (in {site_dir(profile) / 'warnings.txt'}), "
          f"{time.perf_counter() - start:.1f} s.\nsite: open {html / 'index.html'}")
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default=os.environ.get("COURSE_PROFILE", "laptop"),
                        choices=("ci", "laptop", "full"))
    parser.add_argument("--notebooks", nargs="*", default=[], help="name prefixes, e.g. 01 05")
    parser.add_argument("--no-execute", action="store_true",
                        help="build from whatever runs are in _build/executed/<profile>")
    args = parser.parse_args(argv)
    paths = [p for p in sorted(NOTEBOOKS.glob("*.ipynb"))
             if not args.notebooks or p.name.startswith(tuple(args.notebooks))]
    build(args.profile, paths, execute_stale=not args.no_execute)
    return 0


if __name__ == "__main__":
    sys.exit(main())
