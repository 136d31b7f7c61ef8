"""Character-level LSTM (notebook 05): validation bits per character vs wall time, and
training throughput (characters per second) on the current device.

    .venv/bin/python benchmarks/char_lm.py --path ../shared/data/mysterious-island/1268-0.txt
    .venv/bin/python benchmarks/char_lm.py --minutes 3 --hidden 256          # laptop-sized
    .venv/bin/python benchmarks/char_lm.py --hidden 768 --layers 2 --dropout 0.3 \
        --minutes 5 --path ...                                               # one GPU

Trains on the first 90% of the text, evaluates on the last 10% every ``--eval-every``
seconds of training, and prints a Markdown table for the README. Not run by the tests.
"""

import argparse
import math
from datetime import UTC, datetime

import numpy as np
import torch

import course_utils as cu
from course_utils import language_model as lm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", help="the novel (1268-0.txt); default: the loader's choice")
    parser.add_argument("--max-chars", type=int, default=0, help="use the first N characters (0: all)")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--embed", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--rnn", choices=("lstm", "gru"), default="lstm")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seq-len", type=int, default=100)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--minutes", type=float, default=2.0, help="training time budget")
    parser.add_argument("--eval-every", type=float, default=30.0, help="seconds of training")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cu.device())")
    parser.add_argument("--no-amp", action="store_true", help="float32 on a GPU too")
    args = parser.parse_args()

    device = torch.device(args.device) if args.device else cu.device()
    cu.set_seed(0)
    corpus = cu.datasets.load_text_corpus(args.path)
    text = corpus.text[: args.max_chars] if args.max_chars else corpus.text
    vocab = cu.Vocab.build([text], level="char")
    ids = np.array(vocab.encode(text), dtype=np.int64)
    train_ids, valid_ids = lm.split_ids(ids, 0.1)
    V = len(vocab)
    bigram = lm.bigram_bits_per_char(train_ids, valid_ids, V)

    model = lm.CharLM(V, args.embed, args.hidden, args.layers, args.rnn, args.dropout).to(device)
    batches = lm.stream_batches(train_ids, args.batch_size, args.seq_len)
    budget = args.minutes * 60
    # A cosine schedule needs a step count: estimate it from a short timed warm-up.
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    amp = device.type == "cuda" and not args.no_amp
    scaler = torch.amp.GradScaler("cuda") if amp else None
    warm = lm.train_epoch(model, batches, optimizer, scaler=scaler, max_steps=5, progress=False)
    total_steps = max(1, int(budget / (warm["seconds"] / 5)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: 0.1 + 0.45 * (1 + math.cos(math.pi * min(s, total_steps) / total_steps)))

    print(f"# char_lm benchmark · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {cu.config.machine_report()} · torch threads {torch.get_num_threads()}")
    where = str(device)
    if device.type == "cuda":
        where += f" ({torch.cuda.get_device_name(0)})" + (", amp float16" if amp else "")
    print(f"device: {where} · torch {torch.__version__}")
    print(f"corpus: {corpus.name}, {len(text):,} characters, V={V}, "
          f"train {len(train_ids):,} / validation {len(valid_ids):,}")
    print(f"model: {args.rnn} hidden {args.hidden} x {args.layers} layers, "
          f"{model.num_parameters():,} parameters; batch {args.batch_size} x {args.seq_len}")
    print(f"bigram baseline: {bigram:.3f} bits per character\n")
    print("| train s | steps | chars seen | train chars/s | valid bpc |")
    print("|---:|---:|---:|---:|---:|")

    trained, steps, chars, next_eval, epoch_pos = 0.0, 0, 0, args.eval_every, 0
    while trained < budget:
        chunk = batches[epoch_pos:] if epoch_pos else batches
        n = max(1, min(len(chunk), 20))                 # train in short slices, then check time
        log = lm.train_epoch(model, chunk, optimizer, scheduler=scheduler, scaler=scaler,
                             max_steps=n, progress=False)
        trained += log["seconds"]
        steps += n
        chars += log["chars"]
        epoch_pos = (epoch_pos + n) % len(batches)     # the state restarts at each slice
        if trained >= next_eval or trained >= budget:
            bpc = lm.bits_per_char(model, valid_ids)
            print(f"| {trained:.0f} | {steps:,} | {chars:,} | {chars / trained:,.0f} | {bpc:.3f} |",
                  flush=True)
            next_eval += args.eval_every
    sample = lm.generate(model, vocab.encode("The "), n=200, temperature=0.8, generator=0)
    print(f"\nthroughput: {chars / trained:,.0f} training characters/s on {device}")
    print("sample (temperature 0.8):", vocab.decode(sample[0]).replace("\n", " "))


if __name__ == "__main__":
    main()
