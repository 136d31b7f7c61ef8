import os
import re

import numpy as np
import pytest

import course_utils as cu


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
