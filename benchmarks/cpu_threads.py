"""How PyTorch's CPU threads should wait: spin (OpenMP's default) or sleep (``PASSIVE``).

A recurrent step is hundreds of small operations, one per time step and gate, each split
over the threads. Between two operations a thread waits: spinning keeps it on its core,
ready at once; sleeping gives the core away and costs a wake-up. With the cores to itself
a process gains by spinning; with another process on the same cores (``make test`` runs
two notebooks at once) spinning takes the cores the other one needs.

This script times training steps of notebook 05's three laptop models (GRU and LSTM 384,
64 streams of 100 characters; the Transformer, 4 blocks of width 128, 12 chunks of 64) with
each policy, first one process alone, then two identical processes at once:

    .venv/bin/python benchmarks/cpu_threads.py

Each measurement is a fresh process (OpenMP reads ``OMP_WAIT_POLICY`` when it starts) with
``cu.config.CPU_THREADS``; the table gives the median milliseconds per step. Compare the
rows of one run: the machine's load moves every number. Not run by the tests.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_utils import config  # noqa: E402

POLICIES = {"spin then sleep (default)": None, "sleep (PASSIVE)": "PASSIVE"}
MODELS = ("GRU", "LSTM", "Transformer")


def time_steps(steps: int = 14, skip: int = 4) -> dict:
    """Median seconds of a training step of each model (in this process, random text)."""
    import torch

    from course_utils import language_model as lm
    from course_utils.char_transformer import CharTransformer
    torch.manual_seed(0)
    V, ids = 90, np.random.default_rng(0).integers(4, 90, 400_000)
    models = {"GRU": (lm.CharLM(V, 64, 384, 1, rnn="gru"), 64, 100),
              "LSTM": (lm.CharLM(V, 64, 384, 1, rnn="lstm"), 64, 100),
              "Transformer": (CharTransformer(V, 128, 4, 4, block_size=64, tie_weights=False), 12, 64)}
    seconds = {}
    for name, (model, batch_size, seq_len) in models.items():
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        state, times = None, []
        for x, y in lm.stream_batches(ids, batch_size, seq_len)[:steps]:
            start = time.perf_counter()
            _, _, state = lm.train_step(model, x, y, lm.detach_state(state), optimizer)
            times.append(time.perf_counter() - start)
        seconds[name] = float(np.median(times[skip:]))
    return seconds


def measure(policy: str | None, processes: int) -> list[dict]:
    """Start ``processes`` workers at once with ``policy``; each returns its step times."""
    env = config.threads_alone()
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    workers = [subprocess.Popen([sys.executable, __file__, "--worker"], env=env, stdout=subprocess.PIPE,
                                text=True) for _ in range(processes)]
    return [json.loads(worker.communicate()[0].splitlines()[-1]) for worker in workers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help="time the steps in this process")
    if parser.parse_args().worker:
        print(json.dumps(time_steps()))
        return
    print(f"# cpu_threads · {config.machine_report()} · {config.CPU_THREADS}\n")
    print("| processes at once | threads wait by | " + " | ".join(f"{m} ms/step" for m in MODELS) + " |")
    print("|---|---|" + "---:|" * len(MODELS))
    for processes in (1, 2):
        for label, policy in POLICIES.items():
            runs = measure(policy, processes)
            cells = [" / ".join(f"{run[m] * 1000:.0f}" for run in runs) for m in MODELS]
            print(f"| {processes} | {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
