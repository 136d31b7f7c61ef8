"""The README's run-time and results tables are generated from results/ (tools/readme_tables.py)."""

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

import readme_tables as rt  # noqa: E402


def test_readme_matches_the_recorded_runs():
    """Fails when someone edits a generated number by hand or records a run without
    regenerating: run `.venv/bin/python tools/readme_tables.py` and commit README.md."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert rt.render(readme, rt.load_runs(REPO / "results")) == readme, (
        "README.md and results/ disagree: run .venv/bin/python tools/readme_tables.py")


def _run(folder, notebook, profile, results, seconds, **extra):
    entry = {"notebook": notebook, "profile": profile, "smoke": False, "overridden": {},
             "corpus": "toy corpus", "results": results, "seconds": seconds,
             "machine": f"vm · 2 CPUs · {profile}", "date": "2026-11-29", **extra}
    (folder / f"{notebook}.{profile}.json").write_text(json.dumps(entry), encoding="utf-8")


@pytest.fixture
def repo_copy(tmp_path):
    """A README with both marker pairs, and a results folder with three runs."""
    results = tmp_path / "results"
    results.mkdir()
    _run(results, "01_sequential_data", "ci", {"test accuracy, GRU": 0.987, "pairs": 12000}, 29.4)
    _run(results, "01_sequential_data", "laptop", {"test accuracy, GRU": 1.0, "pairs": 50000}, 72.0)
    _run(results, "05_character_generation", "ci", {"bits per character, LSTM": 2.619}, 401.0,
         smoke=True, corpus="Shakespeare")
    readme = tmp_path / "README.md"
    text = "# Course\n\nintro\n\n"
    for name in rt.TABLES:
        begin, end = rt._markers(name)
        text += f"## {name}\n\n{begin}\nstale\n{end}\n\nafter {name}\n\n"
    readme.write_text(text, encoding="utf-8")
    return tmp_path


def test_generated_tables_hold_every_recorded_number(repo_copy):
    assert rt.main(["--readme", str(repo_copy / "README.md"), "--results",
                    str(repo_copy / "results")]) == 0
    text = (repo_copy / "README.md").read_text(encoding="utf-8")
    assert "stale" not in text and "after run-times" in text and "intro" in text
    assert "| 01 | [sequential data](notebooks/01_sequential_data.ipynb) | 29 s | 72 s |" in text
    assert "| 05 | [character generation](notebooks/05_character_generation.ipynb) | 6.7 min † |" in text
    assert "| test accuracy, GRU | 0.987 | 1 |" in text
    assert "| pairs | 12,000 | 50,000 |" in text
    assert "| bits per character, LSTM | 2.619 † |" in text
    assert "<b>01 sequential data</b>: 2 measurements" in text
    assert "vm · 2 CPUs · laptop" in text and "† not the profile's own sizes" in text


def test_check_fails_on_a_hand_edit_and_passes_after_regeneration(repo_copy, capsys):
    args = ["--readme", str(repo_copy / "README.md"), "--results", str(repo_copy / "results")]
    rt.main(args)
    assert rt.main(["--check", *args]) == 0
    readme = repo_copy / "README.md"
    readme.write_text(readme.read_text().replace("| 0.987 |", "| 0.991 |"), encoding="utf-8")
    assert rt.main(["--check", *args]) == 1
    assert "does not match" in capsys.readouterr().err
    rt.main(args)
    assert rt.main(["--check", *args]) == 0
    # a new recorded run makes the README stale too
    _run(repo_copy / "results", "01_sequential_data", "full", {"test accuracy, GRU": 1.0}, 30.0)
    assert rt.main(["--check", *args]) == 1


def test_no_recorded_runs_gives_a_table_that_says_so(repo_copy):
    empty = repo_copy / "empty"
    rt.main(["--readme", str(repo_copy / "README.md"), "--results", str(empty)])
    text = (repo_copy / "README.md").read_text(encoding="utf-8")
    assert text.count("No recorded runs yet") == 2


def test_bad_inputs_say_what_to_do(repo_copy):
    (repo_copy / "results" / "02_x.ci.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        rt.load_runs(repo_copy / "results")
    with pytest.raises(ValueError, match="exactly one pair of markers"):
        rt.render("# no markers\n", [])
