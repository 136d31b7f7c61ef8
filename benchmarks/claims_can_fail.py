"""Each claim's assert can fail: run a notebook with the claim's cause removed.

    .venv/bin/python benchmarks/claims_can_fail.py                       # every claim, ci profile
    .venv/bin/python benchmarks/claims_can_fail.py --claims 03-batched-greedy

An assert that cannot fail proves nothing. For each claim below, this script patches one
cell of a notebook so that the claim's cause is gone (the model untrained, the batching
switched off), executes the patched copy top to bottom in a fresh kernel (``ci`` profile,
the data that ships with the course, every failing cell reported, as
``benchmarks/seed_sweep.py`` does), and reports whether the claim's assert failed. The
notebooks themselves are not changed, and nothing is recorded. Not part of the test suite.

Measured 2026-12-05 (defaults: TensorFlow backend, ci; 2-core Intel Xeon VM shared with
another job): every claim's assert failed, as it must. 01: the edge-clue assert (the
untrained CNN is at chance near the edges), and with it the receptive-field asserts.
03: the batching assert (batched greedy more than 5x one sentence at a time); the
assert against the recipe's loop (more than 10x) did not fail with batching off, because
on TensorFlow most of that speed-up comes from ``predict_on_batch`` instead of
``predict``, which is why the notebook now measures the two parts apart. 04: the
accuracy target of the first neural model (0.502 < 0.63). 06: each translator's BLEU
target (``min_bleu_*``; the first run, before those targets, failed the copy-baseline assert
that they replace).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_utils import config  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"

#: claim -> the notebook, {cell id: (text, replacement)}, the assert that must then fail
#: (its cell id and a fragment of its line), and the cause removed.
CLAIMS = {
    "01-edge-clue": dict(
        notebook="01_sequential_data",
        patch={"6c1dfea5": ("keras.optimizers.Adam(3e-3)", "keras.optimizers.Adam(1e-9)")},
        expect=("edge-clue", "near an edge the CNN beats chance"),
        cause="the CNN untrained (Adam step 1e-9): it has learned no clue, at the edges or elsewhere"),
    "03-batched-greedy": dict(
        notebook="03_encoder_decoder_translation",
        patch={"471632f9": (
            "ids = decoding.greedy_decode(step, states, batch_size=len(test_sources), "
            "start_id=tables.start_id,\n                             end_id=tables.end_id, "
            "max_len=T_y + 1)",
            "ids = [row for i in range(len(test_sources)) for row in decoding.greedy_decode(\n"
            "    step, tuple(s[i:i + 1] for s in states), batch_size=1, start_id=tables.start_id,\n"
            "    end_id=tables.end_id, max_len=T_y + 1)]                  # one sentence at a time")},
        expect=("two-speedups", "greedy_speed > 5 * unbatched_speed"),
        cause="greedy decoding one sentence at a time: the same step function, no batch"),
    "04-accuracy-targets": dict(
        notebook="04_sentiment_classification",
        patch={"cell-037": ("keras.optimizers.Adam(sizes.learning_rate)", "keras.optimizers.Adam(1e-9)")},
        expect=("cell-070", "s[\"accuracy\"] >= bars[name]"),
        cause="the recurrent and convolutional models untrained (Adam step 1e-9)"),
    "06-bleu-targets": dict(
        notebook="06_transformer_attention",
        patch={"53dbeb6f": ("lr=sizes.lr,", "lr=1e-9,")},
        expect=("b6e71240", ">= target_bleu[name] > copy_bleu"),
        cause="the three translators untrained (Adam step 1e-9)"),
}

_EXECUTE = r"""
import json, re, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=3600, allow_errors=True, resources={"metadata": {"path": sys.argv[2]}}).execute()
failures = []
for cell in nb.cells:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out.traceback))      # no colours
            arrows = [m.group(1).strip() for m in re.finditer(r"^-*> *\d+ (.*)$", trace, re.M)]
            line = next((a for a in arrows if a in cell.source), cell.source.splitlines()[-1].strip())
            error = f"{out.ename}: {out.evalue}"[:300]
            failures.append({"cell": cell.get("id"), "line": line, "error": error})
print(json.dumps({"failures": failures}))
"""


def patched(notebook: str, patch: dict) -> dict:
    """The notebook's JSON with each patched cell's text replaced (each text must occur once)."""
    nb = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    cells = {c["id"]: c for c in nb["cells"]}
    for cell_id, (old, new) in patch.items():
        source = "".join(cells[cell_id]["source"])
        if source.count(old) != 1:
            raise ValueError(f"{notebook}, cell {cell_id}: the patched text occurs {source.count(old)} "
                             f"times, not once: {old!r}")
        cells[cell_id]["source"] = source.replace(old, new)
    return nb


def run(name: str, claim: dict, backend: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{claim['notebook']}.ipynb"
        path.write_text(json.dumps(patched(claim["notebook"], claim["patch"])), encoding="utf-8")
        env = {**config.threads_alone(), "TF_CPP_MIN_LOG_LEVEL": "3", "COURSE_OFFLINE": "1",
               "COURSE_PROFILE": "ci", "KERAS_BACKEND": backend, "COURSE_DATA_DIR": "",
               "COURSE_CACHE_DIR": str(Path(tmp) / "no-downloads"), "COURSE_RESULTS_DIR": tmp,
               "PYTHONWARNINGS": "ignore::DeprecationWarning"}
        env.pop("COURSE_RECORD", None)
        env.pop("COURSE_OVERRIDES", None)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _EXECUTE, str(path), str(NOTEBOOKS)], env=env,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{name}: the run itself failed:\n{done.stderr[-2000:]}")
    failures = json.loads(done.stdout.strip().splitlines()[-1])["failures"]
    cell_id, fragment = claim["expect"]
    hit = [f for f in failures if f["cell"] == cell_id and fragment in f["line"]
           and f["error"].startswith("AssertionError")]
    return {"seconds": seconds, "failures": failures, "failed as expected": bool(hit)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", nargs="+", choices=sorted(CLAIMS), default=sorted(CLAIMS))
    parser.add_argument("--backend", default="tensorflow", choices=("tensorflow", "torch"))
    args = parser.parse_args()
    print(f"{config.machine_report()} · keras backend {args.backend} · profile ci\n")
    for name in args.claims:
        claim = CLAIMS[name]
        r = run(name, claim, args.backend)
        cell_id, fragment = claim["expect"]
        print(f"## {name}: {claim['notebook']}, cause removed: {claim['cause']}\n"
              f"expected to fail: cell {cell_id}, `{fragment}` -> "
              f"{'FAILED, as it must' if r['failed as expected'] else 'DID NOT FAIL'} ({r['seconds']:.0f} s)")
        for f in r["failures"]:
            print(f"  failing cell {f['cell']}: {f['line']}  [{f['error'].splitlines()[0][:160]}]")
        print(flush=True)


if __name__ == "__main__":
    main()
