import json
import math

import numpy as np
import pytest

import course_utils as cu


def test_nothing_is_written_in_an_ordinary_run(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_RECORD", raising=False)
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    assert cu.record_results("01_x", {"accuracy": 0.5}, corpus="toy") is None
    assert list(tmp_path.iterdir()) == []


def test_record_writes_one_file_per_notebook_and_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_RECORD", "1")
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    sizes = cu.profile_table({"n": (1, 2, 3)})
    path = cu.record_results("01_x", {"accuracy": np.float32(0.5), "model": "GRU"},
                             corpus="toy", sizes=sizes)
    assert path == tmp_path / "01_x.ci.json"
    entry = json.loads(path.read_text())
    assert entry["results"] == {"accuracy": 0.5, "model": "GRU"}
    assert entry["profile"] == "ci" and entry["sizes"] == {"n": 1} and entry["corpus"] == "toy"
    assert cu.results.load("01_x", "ci")["results"]["accuracy"] == 0.5
    assert cu.results.load("01_x", "laptop") is None
    assert "ci" in cu.results.recorded_times("01_x")


@pytest.mark.parametrize("value", [math.nan, math.inf, [1, 2], None])
def test_results_must_be_finite_numbers_or_strings(value):
    with pytest.raises(ValueError, match="result 'x'"):
        cu.record_results("01_x", {"x": value}, corpus="toy")


def test_empty_results_are_refused():
    with pytest.raises(ValueError, match="non-empty dict"):
        cu.record_results("01_x", {}, corpus="toy")


def test_count_parameters_of_torch_and_numpy_cells():
    import torch

    assert cu.count_parameters(torch.nn.Linear(3, 2)) == 8
    with pytest.raises(ValueError, match="count_parameters takes"):
        cu.count_parameters("model")


def test_recipe_table_shows_each_change_against_its_base_in_the_same_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    assert cu.results.recipes("05_x") == []
    row = {"parameters": 1000, "steps": 10, "characters": 640, "seconds": 5.0, "budget": "10 steps of A"}
    rows = [row | {"recipe": "A", "base": None, "change": "the base", "val_bpc": 2.0},
            row | {"recipe": "B", "base": "A", "change": "lr 3e-3", "val_bpc": 1.9},
            row | {"recipe": "B", "base": "A", "change": "lr 3e-3", "val_bpc": 1.8, "budget": "other"}]
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "05_x.json").write_text(json.dumps(rows))
    assert cu.results.recipes("05_x") == rows
    lines = cu.results.recipe_table(rows).splitlines()
    assert lines[0].startswith("| recipe | change (from base) |") and len(lines) == 5
    assert lines[3].endswith("| 1.900 | -0.100 |") and "lr 3e-3 (from A)" in lines[3]
    assert lines[4].endswith("| 1.800 |  |")                         # no base in its budget
