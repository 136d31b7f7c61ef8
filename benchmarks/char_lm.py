"""Character-level language model (notebook 05): validation bits per character per epoch,
training time and throughput, for one choice of sizes. Used to choose the ``laptop`` and
``full`` columns of the notebook's profile table on the validation split.

    .venv/bin/python benchmarks/char_lm.py --path ../shared/data/mysterious-island/1268-0.txt \
        --hidden 512 --batch-size 128 --epochs 6
    .venv/bin/python benchmarks/char_lm.py --minutes 3 --hidden 256          # epochs from a budget
    .venv/bin/python benchmarks/char_lm.py --hidden 768 --layers 2 --dropout 0.3 --epochs 20

Trains with ``course_utils.training.fit_language_model`` (the notebook's loop: truncated BPTT,
Adam, cosine decay to a tenth, clipping at 1) on the first 90% of the text and reads the
last 10% after every epoch. ``--record`` appends the run to
``results/05_character_generation.search.json``, which the notebook prints as the record
of what was tried. Prints a Markdown table. Not run by the tests.
"""

import argparse
import json
import math
import time
from datetime import UTC, datetime

import numpy as np
import torch

import course_utils as cu
from course_utils import language_model as lm

SEARCH = cu.results.results_dir() / "05_character_generation.search.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", help="the novel (1268-0.txt); default: the loader's choice")
    parser.add_argument("--max-chars", type=int, default=0, help="use the first N characters (0: all)")
    parser.add_argument("--rnn", choices=("lstm", "gru"), default="lstm")
    parser.add_argument("--embed", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seq-len", type=int, default=100)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--warmup", type=int, default=0, help="warm-up steps")
    parser.add_argument("--epochs", type=int, default=0, help="epochs (0: from --minutes)")
    parser.add_argument("--minutes", type=float, default=2.0, help="training budget if no --epochs")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cu.device())")
    parser.add_argument("--record", action="store_true", help=f"append the run to {SEARCH.name}")
    args = parser.parse_args()

    device = torch.device(args.device) if args.device else cu.device()
    cu.set_seed(0)
    corpus = cu.datasets.load_text_corpus(args.path)
    text = corpus.text[: args.max_chars] if args.max_chars else corpus.text
    vocab = cu.Vocab.build([text], level="char")
    ids = np.array(vocab.encode(text), dtype=np.int64)
    train_ids, valid_ids = lm.split_ids(ids, 0.1)
    V = len(vocab)
    model = lm.CharLM(V, args.embed, args.hidden, args.layers, args.rnn, args.dropout).to(device)
    steps_per_epoch = len(lm.stream_batches(train_ids, args.batch_size, args.seq_len))
    epochs, max_steps = args.epochs, None
    if not epochs:                     # time a few steps, then size the run to the budget
        probe = lm.CharLM(V, args.embed, args.hidden, args.layers, args.rnn).to(device)
        timing = cu.training.fit_language_model(probe, train_ids, valid_ids[:2000], epochs=1,
                                                batch_size=args.batch_size, seq_len=args.seq_len,
                                                max_steps=6, progress=False)
        steps = max(1, int(args.minutes * 60 / (timing["seconds"][0] / 6)))
        epochs = math.ceil(steps / steps_per_epoch)
        max_steps = min(steps_per_epoch, math.ceil(steps / epochs))

    print(f"# char_lm benchmark · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {cu.config.machine_report()} · torch threads {torch.get_num_threads()}")
    print(f"device: {device} · torch {torch.__version__}")
    print(f"corpus: {corpus.name}, {len(text):,} characters, V={V}, "
          f"train {len(train_ids):,} / validation {len(valid_ids):,}")
    print(f"model: {args.rnn} {args.hidden} x {args.layers}, dropout {args.dropout}, "
          f"{cu.count_parameters(model):,} parameters; batch {args.batch_size} x {args.seq_len}, "
          f"lr {args.lr}, warm-up {args.warmup}, {epochs} epochs of "
          f"{max_steps or steps_per_epoch} steps")
    print(f"bigram baseline: {lm.bigram_bits_per_char(train_ids, valid_ids, V):.3f} bits per character\n")
    start = time.perf_counter()
    history = cu.training.fit_language_model(model, train_ids, valid_ids, epochs=epochs,
                                             batch_size=args.batch_size, seq_len=args.seq_len, lr=args.lr,
                                             warmup_steps=args.warmup, max_steps=max_steps)
    wall = time.perf_counter() - start
    print("\n| epoch | train s | train bpc | valid bpc | chars/s |")
    print("|---:|---:|---:|---:|---:|")
    for i, (s, loss, bpc, cps) in enumerate(zip(history["seconds"], history["loss"],
                                                 history["val_bpc"], history["chars_per_s"])):
        print(f"| {i + 1} | {s:.0f} | {loss / math.log(2):.3f} | {bpc:.3f} | {cps:,.0f} |")
    print(f"\nwall time {wall:.0f} s (evaluation included) · {cu.config.machine_report()}")
    sample = lm.generate(model, vocab.encode("The "), n=200, temperature=0.8, generator=0)
    print("sample (temperature 0.8):", vocab.decode(sample[0]).replace("\n", " "))
    if args.record:
        runs = json.loads(SEARCH.read_text(encoding="utf-8")) if SEARCH.is_file() else []
        runs.append({
            "rnn": args.rnn, "hidden": args.hidden, "layers": args.layers, "embed": args.embed,
            "dropout": args.dropout, "batch_size": args.batch_size, "seq_len": args.seq_len,
            "lr": args.lr, "warmup": args.warmup, "epochs": epochs, "max_steps": max_steps,
            "corpus": corpus.name, "chars": len(text), "device": str(device),
            "val_bpc": [round(v, 3) for v in history["val_bpc"]],
            "train_bpc": [round(v / math.log(2), 3) for v in history["loss"]],
            "seconds": [round(s, 1) for s in history["seconds"]],
            "machine": cu.config.machine_report(), "date": f"{datetime.now(UTC):%Y-%m-%d}",
        })
        SEARCH.parent.mkdir(parents=True, exist_ok=True)
        SEARCH.write_text(json.dumps(runs, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"recorded in {SEARCH}")


if __name__ == "__main__":
    main()
