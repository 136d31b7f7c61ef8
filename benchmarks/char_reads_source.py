"""Does notebook 03's character model read its source? Adam's step size against seeds.

    .venv/bin/python benchmarks/char_reads_source.py                      # ci data and sizes
    .venv/bin/python benchmarks/char_reads_source.py --lrs 0.03 0.01 --seeds 0 1 2

A decoder trained with teacher forcing can lower its loss a long way by predicting Spanish
from the Spanish prefix alone; a decoder that ignores the encoder writes the same sentence
for every input. This script trains notebook 03's character model (the recipe's LSTM
encoder-decoder, source read backwards, length buckets, Adam with beta_2 = 0.98 and clipnorm 1,
batch 32, as the notebook does) at several step sizes and seeds, on the notebook's ``ci``
data (the course phrasebook: 4,000 training pairs of up to 7 English words), and reports
for each run: the best teacher-forced validation accuracy (the recipe's metric), the share
of distinct greedy translations of 300 distinct held-out sentences, and chrF against
copying the source.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_utils import config  # noqa: E402

config.use_cpu_threads()
os.environ.setdefault("COURSE_OFFLINE", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import course_utils as cu  # noqa: E402
from course_utils import metrics, seq2seq  # noqa: E402


def draw(pairs, n, max_words, rng):
    """``n`` pairs at random among those of at most ``max_words`` English words (notebook 03)."""
    short = [p for p in pairs if len(p[0].split()) <= max_words]
    return [short[i] for i in rng.choice(len(short), size=min(n, len(short)), replace=False)]


def run(lr: float, seed: int, n_train: int, epochs: int, latent: int, max_words: int) -> dict:
    cu.set_seed(seed)
    splits = cu.datasets.split_pairs(cu.datasets.load_translation_pairs().pairs)
    rng = np.random.default_rng(0)                                  # the notebook's draw
    train = draw(splits["train"], n_train, max_words, rng)
    val = draw(splits["validation"], max(n_train // 8, 100), max_words, rng)
    test = draw(splits["test"], 300, max_words, rng)
    tables = seq2seq.CharTables.build(train, reverse_source=True)
    x, y_in, y_out = seq2seq.encode_char_ids(tables, train)
    T_y, D = y_in.shape[1], (tables.num_encoder_tokens, tables.num_decoder_tokens)
    kw = dict(batch_size=32, extra_steps=3, one_hot=D)
    train_data = seq2seq.LengthBuckets(x, y_in, y_out, np.array([len(t) + 1 for _, t in train]),
                                       seed=seed, **kw)
    val_data = seq2seq.LengthBuckets(*seq2seq.encode_char_ids(tables, val),
                                     np.array([min(len(t) + 1, T_y) for _, t in val]),
                                     shuffle=False, **kw)
    model = seq2seq.build_char_lstm(*D, hidden_size=latent)
    model.compile(optimizer=keras.optimizers.Adam(lr, beta_2=0.98, clipnorm=1.0),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(train_data, validation_data=val_data, epochs=epochs, verbose=0, callbacks=[
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=1),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)])
    seconds = time.perf_counter() - start
    sources, refs = metrics.references_by_source(test)
    greedy = seq2seq.translate_chars(*seq2seq.char_inference_models(model), tables, sources)
    return {"lr": lr, "seed": seed, "seconds": seconds, "epochs": len(history.history["loss"]),
            "val_acc": max(history.history["val_accuracy"]),
            "distinct": len(set(greedy)) / len(sources),
            "chrf": metrics.chrf(greedy, refs), "copy_chrf": metrics.chrf(sources, refs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lrs", nargs="+", type=float, default=[0.03, 0.01])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--n-train", type=int, default=4_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--latent", type=int, default=128)
    parser.add_argument("--max-words", type=int, default=7)
    args = parser.parse_args()
    print(f"{config.machine_report()} · keras backend {keras.backend.backend()}\n")
    print("| Adam step | seed | epochs | seconds | teacher-forced val. acc. | distinct translations "
          "| chrF | chrF, copying the source |\n|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lr in args.lrs:
        for seed in args.seeds:
            r = run(lr, seed, args.n_train, args.epochs, args.latent, args.max_words)
            print(f"| {lr:g} | {seed} | {r['epochs']} | {r['seconds']:.0f} | {r['val_acc']:.3f} | "
                  f"{r['distinct']:.0%} | {r['chrf']:.1f} | {r['copy_chrf']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
