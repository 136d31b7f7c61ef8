import os
import re
from pathlib import Path

import numpy as np
import pytest

import course_utils as cu
from course_utils import config


def test_default_profile_is_laptop():
    assert cu.profile() == "laptop"


@pytest.mark.parametrize("name", ["ci", "laptop", "full", " CI "])
def test_profile_from_environment(monkeypatch, name):
    monkeypatch.setenv("COURSE_PROFILE", name)
    assert cu.profile() == name.strip().lower()


def test_pick_follows_profile(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert cu.pick(1, 2, 3) == 3


def test_profile_table_values_and_display(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    sizes = cu.profile_table({"n": (10, 1_000, 100_000, "examples"), "lr": (0.1, 0.01, 0.001)})
    assert sizes.n == 10 and sizes.lr == 0.1
    assert sizes.as_dict() == {"n": 10, "lr": 0.1}
    text = repr(sizes)
    assert "ci *" in text and "100,000" in text and "examples" in text
    assert "<table>" in sizes._repr_html_()


def test_profile_table_unknown_size_names_the_known_ones():
    sizes = cu.profile_table({"n": (1, 2, 3)})
    with pytest.raises(AttributeError, match="it has: n"):
        _ = sizes.epochs


def test_set_seed_makes_numpy_repeatable():
    import torch

    cu.set_seed(3)
    a, ta = np.random.rand(3), torch.rand(3)
    seeded = cu.set_seed(3)
    assert np.array_equal(a, np.random.rand(3)) and torch.equal(ta, torch.rand(3))
    assert {"python", "numpy", "torch"} <= set(seeded)


def test_set_seed_defaults_to_course_seed(monkeypatch):
    monkeypatch.delenv("COURSE_SEED", raising=False)
    assert cu.course_seed() == 0
    monkeypatch.setenv("COURSE_SEED", "4")
    assert cu.course_seed() == 4 and "seed 4" in cu.env_report()
    cu.set_seed()
    a = np.random.rand(3)
    cu.set_seed(4)
    assert np.array_equal(a, np.random.rand(3))


@pytest.mark.parametrize("text", ["-1", "1.5", "two"])
def test_course_seed_refuses_what_is_not_a_seed(monkeypatch, text):
    monkeypatch.setenv("COURSE_SEED", text)
    with pytest.raises(ValueError, match="COURSE_SEED.*non-negative int"):
        cu.set_seed()


def test_device_is_cpu_or_cuda():
    assert cu.device().type in {"cpu", "cuda"}


def test_env_report_names_versions_device_and_profile():
    report = cu.env_report()
    for part in ("Python", "numpy", "torch", "device", "profile laptop", "keras backend"):
        assert part in report


def test_machine_report_names_cpus_load_and_utc_time():
    report = cu.config.machine_report()
    assert f"{os.cpu_count()} CPUs" in report and "load " in report
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$", report)


def test_set_seed_seeds_keras_when_imported():
    import keras

    cu.set_seed(5)
    a = keras.ops.convert_to_numpy(keras.random.uniform((3,)))
    assert "keras" in cu.set_seed(5)
    assert (a == keras.ops.convert_to_numpy(keras.random.uniform((3,)))).all()
    assert f"keras backend {keras.backend.backend()}" in cu.env_report()


def test_overrides_set_rows_with_their_types(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    monkeypatch.setenv("COURSE_OVERRIDES", "n=7, lr=0.5 flag=false")
    sizes = cu.profile_table({"n": (10, 20, 30), "lr": (0.1, 0.2, 0.3), "flag": (True, True, True)})
    assert (sizes.n, sizes.lr, sizes.flag) == (7, 0.5, False)
    assert sizes.overridden == {"n": (10, 7), "lr": (0.1, 0.5), "flag": (True, False)}
    assert not sizes.targets_apply
    assert "7 (table: 10)" in repr(sizes)


def test_override_of_wrong_type_names_the_row(monkeypatch):
    monkeypatch.setenv("COURSE_OVERRIDES", "n=ten")
    with pytest.raises(ValueError, match="n='ten' is not a int"):
        cu.profile_table({"n": (10, 20, 30)})


def test_override_without_equals_sign_is_refused(monkeypatch):
    monkeypatch.setenv("COURSE_OVERRIDES", "epochs")
    with pytest.raises(ValueError, match="not name=value"):
        cu.profile_table({"n": (10, 20, 30)})


def test_override_of_unknown_row_is_reported_not_used(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_OVERRIDES", "epochs=3")
    sizes = cu.profile_table({"n": (10, 20, 30)})
    assert "no size 'epochs'" in capsys.readouterr().out and sizes.targets_apply


def test_smoke_takes_data_rows_from_ci_and_keeps_model_sizes(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setenv("COURSE_SMOKE", "1")
    sizes = cu.profile_table({"n_train": (100, 1_000, 10_000), "hidden_size": (8, 64, 512)},
                             data_rows=("n_train",))
    assert (sizes.n_train, sizes.hidden_size) == (100, 512) and not sizes.targets_apply


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_unknown_smoke_value_is_an_error(monkeypatch, value):
    monkeypatch.setenv("COURSE_SMOKE", value)
    with pytest.raises(ValueError, match="COURSE_SMOKE"):
        cu.config.smoke()


@pytest.mark.parametrize("name", ["profile", "overridden", "as_dict", "targets_apply", "_x"])
def test_row_that_would_hide_an_attribute_is_refused(name):
    with pytest.raises(ValueError, match="would hide"):
        cu.profile_table({name: (1, 2, 3)})


def test_smoke_values_replace_ci_for_the_rows_they_name(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setenv("COURSE_SMOKE", "1")
    sizes = cu.profile_table({"n_train": (100, 1_000, 10_000), "epochs": (8, 10, 20),
                              "hidden_size": (8, 16, 64)},
                             data_rows=("n_train", "epochs"), smoke_values={"epochs": 2})
    assert (sizes.n_train, sizes.epochs, sizes.hidden_size) == (100, 2, 64)
    assert not sizes.targets_apply
    monkeypatch.delenv("COURSE_SMOKE")
    assert cu.profile_table({"epochs": (8, 10, 20)}, data_rows=("epochs",),
                            smoke_values={"epochs": 2}).epochs == 20      # only in smoke runs


def test_smoke_values_must_be_data_rows():
    with pytest.raises(ValueError, match="smoke_values.*hidden_size.*not data_rows"):
        cu.profile_table({"n": (1, 2, 3), "hidden_size": (1, 2, 3)}, data_rows=("n",),
                         smoke_values={"hidden_size": 1})


def test_data_rows_must_be_rows():
    with pytest.raises(ValueError, match="not rows"):
        cu.profile_table({"n": (1, 2, 3)}, data_rows=("epochs",))


def test_env_path_resolves_tilde_and_relative_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for value in ("~/x", "x", "./x/", str(tmp_path / "x")):
        monkeypatch.setenv("COURSE_CACHE_DIR", value)
        assert cu.config.env_path("COURSE_CACHE_DIR") == tmp_path / "x"     # need not exist
    monkeypatch.setenv("COURSE_CACHE_DIR", "  ")
    assert cu.config.env_path("COURSE_CACHE_DIR") is None


def test_env_path_relative_to_the_course_folder(monkeypatch, tmp_path):
    """A notebook runs in notebooks/: a path typed relative to the course folder still works."""
    monkeypatch.chdir(config.COURSE_ROOT / "notebooks")
    monkeypatch.setenv("COURSE_DATA_DIR", "datasets")          # not in notebooks/, but in the root
    assert cu.config.env_path("COURSE_DATA_DIR", must_exist=True) == config.COURSE_ROOT / "datasets"
    monkeypatch.setenv("COURSE_DATA_DIR", "../datasets")       # relative to notebooks/ itself
    assert cu.config.env_path("COURSE_DATA_DIR", must_exist=True) == config.COURSE_ROOT / "datasets"
    monkeypatch.setenv("COURSE_DATA_DIR", "no/such/folder")
    with pytest.raises(FileNotFoundError, match="looked in .*notebooks and in the course folder"):
        cu.config.env_path("COURSE_DATA_DIR", must_exist=True)


def test_env_path_that_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="COURSE_DATA_DIR=.* is not a folder"):
        cu.config.env_path("COURSE_DATA_DIR", must_exist=True)


def test_makefile_threads_are_the_course_threads():
    """`make lab` and `make test` set the same CPU threads as the benchmarks (config.CPU_THREADS)."""
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    line = next(row for row in makefile.splitlines() if row.startswith("THREADS :="))
    assert dict(item.split("=") for item in line.split(":=")[1].split()) == config.CPU_THREADS
    shared = next(row for row in makefile.splitlines() if row.startswith("SHARED  :="))
    name, value = next(iter(config.SHARED_CORES.items()))
    assert f"{name}={value})" in shared and "OMP_WAIT_POLICY" not in line


def test_use_cpu_threads_keeps_what_the_environment_set(monkeypatch):
    for name in config.CPU_THREADS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    config.use_cpu_threads()
    assert os.environ["OMP_NUM_THREADS"] == "4"
    assert os.environ["TF_NUM_INTEROP_THREADS"] == config.CPU_THREADS["TF_NUM_INTEROP_THREADS"]
    assert "TensorFlow threads 1 per op, 2 ops at once" in cu.env_report()


def test_threads_alone_drops_the_shared_cores_policy():
    env = config.threads_alone({"OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": "8", "HOME": "/home/me"})
    assert "OMP_WAIT_POLICY" not in env and env["HOME"] == "/home/me"
    assert {name: env[name] for name in config.CPU_THREADS} == config.CPU_THREADS
