"""Device handling in the notebooks, checked without a GPU (issue: the `full` profile on a GPU).

TF32 and mixed precision are for GPUs only: a notebook may switch them on only behind a
check for a GPU, so that a CPU run computes in plain float32. This reads the notebooks' code.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
GPU_ONLY = re.compile(r"allow_tf32\s*=\s*True|set_float32_matmul_precision\(\s*[\"'](high|medium)"
                      r"|torch\.(cuda\.amp\.|amp\.)?autocast\(|mixed_precision\.set_global_policy\(")
GUARD = re.compile(r"cuda|device\.type|is_available\(\)")


def _code_cells(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            yield index, "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tf32_and_mixed_precision_only_where_a_gpu_is_present(path):
    bad = [f"cell {i}" for i, src in _code_cells(path) if GPU_ONLY.search(src) and not GUARD.search(src)]
    assert not bad, (f"{path.name}: TF32 / mixed precision switched on without checking for a GPU "
                     f"({', '.join(bad)}); guard it with `if device.type == 'cuda':`.")
