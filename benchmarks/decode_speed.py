"""Decoding speed of one trained character model: the recipe's loop vs batched greedy vs beam.

    .venv/bin/python benchmarks/decode_speed.py --path /path/to/spa-eng/spa.txt
    .venv/bin/python benchmarks/decode_speed.py --epochs 2 --n-test 200 --n-loop 5   # smoke test

Trains the recipe's character-level LSTM encoder-decoder (notebook 03; latent 256) on the
first ``--pairs`` training pairs of ``cu.datasets.split_pairs`` with the fast setup of
``benchmarks/seed_recipe.py`` (Adam), then decodes held-out test sentences three ways in
one run, on the same machine:

1. the recipe's loop: one sentence at a time, one ``predict`` call per character;
2. ``course_utils.decoding.greedy_decode``: all test sentences at once, one decoder-step
   call per time step;
3. ``course_utils.decoding.beam_search`` with width 4.

It checks that 1 and 2 give identical outputs and prints sentences/second and the ratio.
Data: ``--path``, else ``COURSE_DATA_DIR``, else the offline phrasebook.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", help="Tatoeba spa.txt (default: COURSE_DATA_DIR or the phrasebook)")
    parser.add_argument("--pairs", type=int, default=10_000, help="training pairs, shortest first")
    parser.add_argument("--latent", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--n-test", type=int, default=1000, help="test sentences for batched decoding")
    parser.add_argument("--n-loop", type=int, default=20, help="test sentences for the recipe's loop")
    parser.add_argument("--beam-width", type=int, default=4)
    args = parser.parse_args()

    import keras

    import course_utils as cu
    from course_utils import decoding, metrics, seq2seq

    cu.set_seed(0)
    corpus = cu.datasets.load_translation_pairs(args.path)
    splits = cu.datasets.split_pairs(corpus.pairs)
    train = splits["train"][:args.pairs]
    tables = seq2seq.CharTables.build(train)
    test_sources, _ = metrics.references_by_source(splits["test"])
    test_sources = [s for s in test_sources if len(s) <= tables.max_encoder_len][:args.n_test]

    model = seq2seq.build_char_lstm(tables.num_encoder_tokens, tables.num_decoder_tokens, args.latent)
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    encoder_input, decoder_input, decoder_target = seq2seq.encode_chars(tables, train)
    start = time.perf_counter()
    model.fit([encoder_input, decoder_input], decoder_target, batch_size=128, epochs=args.epochs,
              verbose=0, callbacks=[seq2seq.EpochProgress(args.epochs, monitor="accuracy")])
    print(f"trained {args.epochs} epochs on {len(train):,} pairs in {time.perf_counter() - start:.0f} s")
    encoder_model, decoder_model = seq2seq.char_inference_models(model)

    loop_sources = test_sources[:args.n_loop]
    seq2seq.recipe_decode_sequence(encoder_model, decoder_model, tables,      # warm-up, untimed
                                   seq2seq.encode_sources(tables, loop_sources[:1]))
    start = time.perf_counter()
    loop = [seq2seq.recipe_decode_sequence(encoder_model, decoder_model, tables,
                                           seq2seq.encode_sources(tables, [s])).rstrip("\n")
            for s in loop_sources]
    loop_s = time.perf_counter() - start

    step = seq2seq.char_step(decoder_model, tables.num_decoder_tokens)
    kw = dict(batch_size=len(test_sources), start_id=tables.start_id, end_id=tables.end_id,
              max_len=tables.max_decoder_len + 1)
    timings = {}
    for name, decode in (("batched greedy", lambda st: decoding.greedy_decode(step, st, **kw)),
                         (f"beam search (width {args.beam_width})",
                          lambda st: decoding.beam_search(step, st, beam_width=args.beam_width, **kw))):
        for _ in range(2):                       # the first run warms up (traces) the models
            start = time.perf_counter()          # timed: encoding the sources + decoding
            states = seq2seq.encode_states(encoder_model, seq2seq.encode_sources(tables, test_sources))
            ids = decode(states)
            timings[name] = (time.perf_counter() - start, ids)
    greedy = [tables.decode(row) for row in timings["batched greedy"][1]]
    same = greedy[:len(loop)] == loop

    rows = [("recipe loop (1 predict per character)", len(loop_sources), loop_s)]
    rows += [(name, len(test_sources), seconds) for name, (seconds, _) in timings.items()]
    loop_speed = len(loop_sources) / loop_s
    print(f"\n{cu.config.machine_report()} · KERAS_BACKEND={keras.backend.backend()} · "
          f"{corpus.name} · latent {args.latent}\n")
    print("| decoder | sentences | seconds | sentences/s | x recipe loop |")
    print("|---|---:|---:|---:|---:|")
    for name, n, seconds in rows:
        speed = n / seconds
        print(f"| {name} | {n:,} | {seconds:.2f} | {speed:,.1f} | {speed / loop_speed:,.0f} |")
    ratio = (len(test_sources) / timings["batched greedy"][0]) / loop_speed
    print(f"\nbatched greedy / recipe loop: {ratio:,.0f}x "
          f"(target >= 1000x); greedy outputs identical to the loop: {same}")
    for s, out in list(zip(loop_sources, loop))[:5]:
        print(f"  {s!r} -> {out!r}")
    if not same:
        raise SystemExit("batched greedy and the recipe's loop disagree")


if __name__ == "__main__":
    np.set_printoptions(linewidth=120)
    main()
