"""course_utils.quiet: TensorFlow's GPU-probe notices stay off a CPU learner's screen."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = """
import sys
{setup}
import keras, numpy as np
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
m.compile("adam", "mse"); m.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)
import warnings; warnings.warn("a learner should see this")
print("done")
"""


def _stderr(setup: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    env.update(PYTHONPATH=str(REPO), KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="")
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(setup=setup)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "done" in result.stdout, result.stderr
    return result.stderr


def test_tensorflow_imports_without_gpu_noise_but_warnings_still_show():
    pytest.importorskip("tensorflow")
    quiet = _stderr("from course_utils import quiet; quiet.install()")
    assert "a learner should see this" in quiet
    for noise in ("oneDNN", "cuda drivers", "cuInit", "absl::InitializeLog"):
        assert noise not in quiet, quiet
