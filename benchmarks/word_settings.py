"""Notebook 03's word model: Adam's step size, beta_2 and the batch size, measured.

    .venv/bin/python benchmarks/word_settings.py                      # ci data and sizes
    .venv/bin/python benchmarks/word_settings.py --seeds 0 1 2

Notebook 03 trains its character LSTM with Adam at a large step and beta_2 = 0.98 on
batches of 32 (the settings ``benchmarks/seed_recipe.py`` and
``benchmarks/char_reads_source.py`` measured); until this script measured them, it trained
its word GRU with Adam at 0.003, the default beta_2 = 0.999, on batches of 64. This script
trains the notebook's word model (``seq2seq.build_word_gru``: embeddings of H/2, GRU
encoder and decoder of H, masking, length buckets, gradient norm clipped at 1, the step
shrinking to 0.3 of itself after an epoch without a better validation loss, the best epoch
kept) on the notebook's ``ci`` data (4,000 training pairs of up to 7 English words, drawn
as the notebook draws them), once per setting and seed, and reports the best validation
loss, the epochs and seconds it took, and the chrF of greedy translations of 300 held-out
sentences.

Measured 2026-12-05 (``benchmarks/word_settings.py``, defaults; 2-core Intel Xeon VM,
load 1.5 at the start, shared with another job, so the seconds are rough; Keras 3.15 on
TensorFlow 2.21, CPU):

    | Adam step | beta_2 | batch | seed | epochs (best) | seconds | best val. loss | chrF, greedy |
    |---:|---:|---:|---:|---:|---:|---:|---:|
    | 0.003 | 0.999 | 64 | 0 | 8 (8) | 25 | 1.499 | 39.1 |
    | 0.003 | 0.999 | 64 | 1 | 8 (8) | 37 | 1.639 | 31.8 |
    | 0.001 | 0.999 | 64 | 0 | 8 (8) | 33 | 2.545 | 15.1 |
    | 0.001 | 0.999 | 64 | 1 | 8 (8) | 34 | 2.534 | 14.5 |
    | 0.01 | 0.98 | 32 | 0 | 8 (7) | 50 | 1.205 | 55.5 |
    | 0.01 | 0.98 | 32 | 1 | 8 (8) | 33 | 1.042 | 63.5 |
    | 0.003 | 0.98 | 64 | 0 | 8 (8) | 37 | 1.529 | 37.0 |
    | 0.003 | 0.98 | 64 | 1 | 8 (8) | 49 | 1.698 | 31.1 |
    | 0.003 | 0.999 | 32 | 0 | 8 (8) | 42 | 1.337 | 44.0 |
    | 0.003 | 0.999 | 32 | 1 | 8 (8) | 44 | 1.344 | 43.6 |
    | 0.01 | 0.999 | 64 | 0 | 8 (8) | 43 | 1.251 | 51.4 |
    | 0.01 | 0.999 | 64 | 1 | 8 (8) | 43 | 1.533 | 41.8 |

The char model's settings (0.01, 0.98, batch 32) gave the lowest validation loss and the
highest chrF in both seeds; the step size matters most (0.01 at batch 64 comes second),
and beta_2 = 0.98 alone, at 0.003, changes little. Notebook 03's word model has used
them since.
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

#: (step size, beta_2, batch size): the word model's earlier settings, Adam's defaults, the char
#: model's, and one change at a time.
SETTINGS = [(0.003, 0.999, 64), (0.001, 0.999, 64), (0.01, 0.98, 32), (0.003, 0.98, 64),
            (0.003, 0.999, 32), (0.01, 0.999, 64)]


def draw(pairs, n, max_words, rng):
    """``n`` pairs at random among those of at most ``max_words`` English words (notebook 03)."""
    short = [p for p in pairs if len(p[0].split()) <= max_words]
    return [short[i] for i in rng.choice(len(short), size=min(n, len(short)), replace=False)]


def run(lr, beta_2, batch_size, seed, n_train, epochs, hidden, max_words) -> dict:
    cu.set_seed(seed)
    splits = cu.datasets.split_pairs(cu.datasets.load_translation_pairs().pairs)
    rng = np.random.default_rng(0)                                  # the notebook's draw
    train = draw(splits["train"], n_train, max_words, rng)
    val = draw(splits["validation"], max(n_train // 8, 100), max_words, rng)
    test = draw(splits["test"], 300, max_words, rng)
    source_vocab = cu.Vocab.build([s for s, _ in train], level="word")
    target_vocab = cu.Vocab.build([t for _, t in train], level="word")

    def buckets(pairs, **kw):
        x, y_in, y_out = seq2seq.encode_words(source_vocab, target_vocab, pairs)
        return seq2seq.LengthBuckets(x, y_in, y_out, (y_out != 0).sum(1), source_lengths=(x != 0).sum(1),
                                     batch_size=batch_size, pad_id=0, seed=seed, **kw)

    train_data = buckets(train)
    model = seq2seq.build_word_gru(len(source_vocab), len(target_vocab), embed_dim=hidden // 2,
                                   hidden_size=hidden)
    model.compile(optimizer=keras.optimizers.Adam(lr, beta_2=beta_2, clipnorm=1.0),
                  loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(train_data, validation_data=buckets(val, shuffle=False), epochs=epochs,
                        verbose=0, callbacks=[
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=1),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)])
    seconds = time.perf_counter() - start
    sources, refs = metrics.references_by_source(test)
    encoder, decoder = seq2seq.word_inference_models(model)
    max_len = train_data.target_out.shape[1] + 2
    greedy = seq2seq.translate_words(encoder, decoder, source_vocab, target_vocab, sources, max_len=max_len)
    val_loss = history.history["val_loss"]
    return {"seconds": seconds, "epochs": len(val_loss), "best_epoch": int(np.argmin(val_loss)) + 1,
            "val_loss": min(val_loss), "chrf": metrics.chrf(greedy, refs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--n-train", type=int, default=4_000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--max-words", type=int, default=7)
    args = parser.parse_args()
    print(f"{config.machine_report()} · keras backend {keras.backend.backend()}\n")
    print("| Adam step | beta_2 | batch | seed | epochs (best) | seconds | best val. loss | chrF, greedy |\n"
          "|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lr, beta_2, batch_size in SETTINGS:
        for seed in args.seeds:
            r = run(lr, beta_2, batch_size, seed, args.n_train, args.epochs, args.hidden, args.max_words)
            print(f"| {lr:g} | {beta_2:g} | {batch_size} | {seed} | {r['epochs']} ({r['best_epoch']}) | "
                  f"{r['seconds']:.0f} | {r['val_loss']:.3f} | {r['chrf']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
