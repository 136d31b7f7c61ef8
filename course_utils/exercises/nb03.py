"""Checks and hints of notebook 03's exercises (03_encoder_decoder_translation)."""

from __future__ import annotations

import numpy as np

from . import Exercise, Wrong, fraction, require


def _strings(value, n: int, name: str, what: str) -> list[str]:
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise Wrong(f"{name} should be a list of strings, {what}.")
    if len(value) != n:
        raise Wrong(f"{name} holds {len(value)} strings, expected {n}: {what}.")
    return list(value)


def _share_equal(a, b) -> float:
    return float(np.mean([x == y for x, y in zip(a, b)]))


# ---------------------------------------------------------------- exercise 1: your own sentences
def _one_made_up_word(tokens_a, tokens_b, vocab) -> bool:
    """The two token lists differ at exactly one position, where both words are unknown."""
    if len(tokens_a) != len(tokens_b):
        return False
    diff = [(a, b) for a, b in zip(tokens_a, tokens_b) if a != b]
    return len(diff) == 1 and all(w not in vocab for w in diff[0])


def check_ex1(mine, char_out, word_out, unknown_words, unknown_chars, encoder_model, decoder_model,
              tables, word_encoder, word_decoder, source_vocab, target_vocab, max_words):
    require(("mine", mine), ("char_out", char_out), ("word_out", word_out),
            ("unknown_words", unknown_words), ("unknown_chars", unknown_chars))
    from ..seq2seq import translate_chars, translate_words
    from ..text import tokenize

    if isinstance(mine, str) or len(mine) < 3 or not all(isinstance(s, str) and s.strip() for s in mine):
        raise Wrong("mine should be a list of at least three English sentences.")
    tokens = [tokenize(s, "word", source_vocab.lowercase) for s in mine]
    words = sorted({w for ts in tokens for w in ts if w not in source_vocab})
    chars = sorted({c for s in mine for c in s if c not in tables.input_index})
    if sorted(set(unknown_words)) != words:
        missing, extra = sorted(set(words) - set(unknown_words)), sorted(set(unknown_words) - set(words))
        raise Wrong(f"unknown_words should be the words of mine that source_vocab does not hold: {words}"
                    + (f"; you left out {missing}" if missing else "")
                    + (f"; {extra} are in the vocabulary (or not words of mine, as "
                       "cu.text.tokenize(s, 'word') splits them)" if extra else "") + ".")
    if sorted(set(unknown_chars)) != chars:
        raise Wrong(f"unknown_chars should be the characters of mine that tables.input_index does not "
                    f"hold: {chars}, not {sorted(set(unknown_chars))}.")
    if not words:
        raise Wrong("every word of mine is in the word model's vocabulary: add two sentences that are "
                    "the same but for one made-up word (say 'Tom is a Zorblax.' and 'Tom is a Blorf.').")
    if not any(_one_made_up_word(a, b, source_vocab) for i, a in enumerate(tokens) for b in tokens[i + 1:]):
        raise Wrong("no two sentences of mine are the same but for one made-up word: add a pair such as "
                    "'Tom is a Zorblax.' and 'Tom is a Blorf.'.")
    if not chars:
        raise Wrong("every character of mine is one the char model has seen: add a sentence with a "
                    "character its English training sentences never had (an accent, say).")
    char_out = _strings(char_out, len(mine), "char_out", "one translation per sentence of mine")
    word_out = _strings(word_out, len(mine), "word_out", "one translation per sentence of mine")
    translate = {"word_out": lambda width: translate_words(word_encoder, word_decoder, source_vocab,
                                                           target_vocab, mine, max_len=max_words,
                                                           beam_width=width),
                 "char_out": lambda width: translate_chars(encoder_model, decoder_model, tables, mine,
                                                           beam_width=width)}
    for name, out in (("word_out", word_out), ("char_out", char_out)):
        right = translate[name](4)
        if out != right:
            why = (" those are the greedy translations: pass beam_width=4" if out == translate[name](1) else
                   f" the first that differs is {mine[[a == b for a, b in zip(out, right)].index(False)]!r}")
            raise Wrong(f"{name} differs from the {name[:4]} model's beam search (width 4) on mine:{why}.")


# ---------------------------------------------------------------- exercise 2: the length penalty
def _by_alpha(value, name: str) -> dict:
    try:
        keys = {float(k) for k in value} if isinstance(value, dict) else None
    except (TypeError, ValueError):
        keys = None
    if keys != {0.0, 1.0}:
        raise Wrong(f"{name} should be a dict with two entries, {{0: ..., 1: ...}}: one per alpha.")
    return {float(k): v for k, v in value.items()}


def check_ex2(long_beam, mean_length, chrf, char_beam, encoder_model, decoder_model, tables,
              test_sources, test_refs):
    require(("long_beam", long_beam), ("mean_length", mean_length), ("chrf", chrf))
    from .. import metrics
    from ..seq2seq import translate_chars

    long_beam = _strings(long_beam, len(test_sources), "long_beam", "one translation per test sentence")
    right = translate_chars(encoder_model, decoder_model, tables, test_sources, beam_width=4,
                            length_penalty=1.0)
    if _share_equal(long_beam, right) < 0.98:                       # 2%: ties broken by rounding
        if _share_equal(long_beam, char_beam) >= 0.98 and _share_equal(right, char_beam) < 0.98:
            raise Wrong("long_beam is char_beam, the plain sum of log-probabilities: pass "
                        "length_penalty=1.0 to seq2seq.translate_chars.")
        raise Wrong(f"long_beam differs from beam search (width 4, length_penalty=1.0) on "
                    f"{1 - _share_equal(long_beam, right):.0%} of the test sentences.")
    outputs = {0.0: char_beam, 1.0: long_beam}
    mean_length, chrf = _by_alpha(mean_length, "mean_length"), _by_alpha(chrf, "chrf")
    require(*((f"mean_length[{k:g}]", v) for k, v in mean_length.items()),
            *((f"chrf[{k:g}]", v) for k, v in chrf.items()))
    for alpha, outs in outputs.items():
        chars = float(np.mean([len(o) for o in outs]))
        if abs(float(mean_length[alpha]) - chars) > 0.05:
            words = float(np.mean([len(o.split()) for o in outs]))
            why = ("; that counts words, the question is characters" if
                   abs(float(mean_length[alpha]) - words) < 0.05 else "")
            raise Wrong(f"mean_length[{alpha:g}] = {float(mean_length[alpha]):.2f}, but the outputs with "
                        f"alpha = {alpha:g} have {chars:.2f} characters on average{why}.")
        score = metrics.chrf(outs, test_refs)
        if abs(float(chrf[alpha]) - score) > 0.05:
            why = ("; that is BLEU" if abs(float(chrf[alpha]) - metrics.bleu(outs, test_refs)) < 0.05
                   else "")
            raise Wrong(f"chrf[{alpha:g}] = {float(chrf[alpha]):.2f}, but metrics.chrf gives {score:.2f} for "
                        f"the outputs with alpha = {alpha:g}{why}.")


# ---------------------------------------------------------------- exercise 3: accuracy by hand
def check_ex3(acc_all, acc_real, pad_share, test_probs, test_arrays, real):
    require(("acc_all", acc_all), ("acc_real", acc_real), ("pad_share", pad_share))
    from .. import metrics

    targets = test_arrays[2]
    truth = {"acc_all": metrics.token_accuracy(test_probs, targets),
             "acc_real": metrics.token_accuracy(test_probs, targets, mask=real),
             "pad_share": float(1 - np.mean(real))}
    given = {"acc_all": fraction(acc_all, "acc_all"), "acc_real": fraction(acc_real, "acc_real"),
             "pad_share": fraction(pad_share, "pad_share")}
    on_padding = metrics.token_accuracy(test_probs, targets, mask=~real)
    known = {"acc_real": {truth["acc_all"]: "that is the accuracy over all positions, padding included: "
                                            "keep the real ones, hits[real].mean()",
                          on_padding: "that is the accuracy on the padding alone: real marks the real "
                                      "positions"},
             "pad_share": {1 - truth["pad_share"]: "that is the share of real positions"}}
    for name in truth:
        if abs(given[name] - truth[name]) > 1e-6:
            why = next((m for v, m in known.get(name, {}).items() if abs(given[name] - v) < 1e-6), "")
            raise Wrong(f"{name} = {given[name]:.4f}, but the predictions give {truth[name]:.4f}"
                        + (f": {why}." if why else "."))


# ---------------------------------------------------------------- exercise 4: sentence BLEU
def check_ex4(no_4gram, sentence_bleu, word_beam, test_refs):
    require(("no_4gram", no_4gram), ("sentence_bleu", sentence_bleu))
    import sacrebleu

    stats = [sacrebleu.sentence_bleu(o, refs) for o, refs in zip(word_beam, test_refs)]
    count = sum(s.counts[3] == 0 for s in stats)
    if not isinstance(no_4gram, int | np.integer) and not float(no_4gram).is_integer():
        raise Wrong(f"no_4gram = {no_4gram}: count the sentences (an int), not their share.")
    if int(no_4gram) != count:
        why = (": that counts the sentences that have one" if int(no_4gram) == len(stats) - count else "")
        raise Wrong(f"no_4gram = {int(no_4gram)}, but {count} of the {len(stats)} outputs have no 4-gram "
                    f"that a reference has{why}.")
    got = np.asarray(sentence_bleu, dtype=float)
    if got.shape != (len(stats),):
        raise Wrong(f"sentence_bleu has shape {got.shape}: one score per test sentence, "
                    f"({len(stats)},).")
    right = np.array([s.score for s in stats])
    if np.abs(got - right).max() < 1e-6:
        return
    plain = np.array([sacrebleu.sentence_bleu(o, refs, smooth_method="none").score
                      for o, refs in zip(word_beam, test_refs)])
    if np.abs(got - plain).max() < 1e-6:
        raise Wrong("sentence_bleu is unsmoothed: an output with no matching 4-gram then scores 0. Use "
                    "sacrebleu's default (smoothed, as our corpus_bleu): sacrebleu.sentence_bleu(o, refs).")
    i = int(np.argmax(np.abs(got - right)))
    raise Wrong(f"sentence_bleu[{i}] = {got[i]:.2f}, but sacrebleu.sentence_bleu gives {right[i]:.2f} for "
                f"{word_beam[i]!r}.")


EXERCISES = {
    "ex1": Exercise(check_ex1, "w not in source_vocab tells an unknown word (split with "
                    "cu.text.tokenize(s, 'word')), c not in tables.input_index an unknown character; "
                    "translate with seq2seq.translate_chars / translate_words and beam_width=4."),
    "ex2": Exercise(check_ex2, "seq2seq.translate_chars(encoder_model, decoder_model, tables, "
                    "test_sources, beam_width=4, length_penalty=1.0); mean of len(o) over the outputs; "
                    "metrics.chrf(outputs, test_refs)."),
    "ex3": Exercise(check_ex3, "hits = test_probs.argmax(-1) == test_arrays[2].argmax(-1), shape (N, T_y); "
                    "hits.mean() over all, hits[real].mean() over real positions; padding is 1 - "
                    "real.mean()."),
    "ex4": Exercise(check_ex4, "bleu_counts(o, refs)[0] holds the matches per order: m[3] == 0 means no "
                    "matching 4-gram. sacrebleu.sentence_bleu(o, refs).score is smoothed by default."),
}
