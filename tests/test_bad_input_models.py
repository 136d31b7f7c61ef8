"""Bad input to the model modules raises a clear error that names the problem and the fix.

The companion of ``tests/test_bad_input.py`` (data, text, metrics, decoding, config), with
the same scheme: every case is named ``module/class/what``, every other test
``test_<module>_<class>_...``, with the classes of issue 16 (``silent``: a plausible wrong
result without an error; ``shapes``: shapes, dtypes, None and ragged input at module
boundaries; ``args``: plain argument checks). Model modules: ``cells``, ``convert``,
``sentiment``, ``language_model``, ``training``, ``seq2seq``, ``attention``,
``translators``, and the shared validators of ``checks``.

What each class covers here: float64 into a float32 torch module, a decoder-step state of
the wrong batch size, None where a state is expected, batch vs one sequence and ragged
lists (``shapes``); an empty key sequence in attention, NaN/inf in inputs, weights and
logits, a string where a list of strings is expected, ids out of range, probabilities
outside [0, 1] (``silent``); temperature <= 0, top-k out of range, sizes and rates
(``args``). Checks at the entry points raise ValueError; the hot paths (a translator's
``step``, ``AdditiveAttention.forward``) keep one assert, so those cases expect an
AssertionError. Count the tests with ``python tests/test_bad_input.py``.
"""

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import course_utils as cu
from course_utils import attention, cells, checks, convert, decoding, seq2seq, translators
from course_utils import language_model as lm
from course_utils import sentiment as sn
from course_utils import training as tr
from course_utils.training import fit_language_model as fit_lm

E = ValueError
D, H, V = 4, 5, 7
NAN, INF = float("nan"), float("inf")


# ------------------------------------------------------------------ small inputs and models

def x(*shape, fill=None, dtype=np.float32):
    """A float array of ``shape`` (random, or ``fill``)."""
    a = np.random.default_rng(0).normal(size=shape) if fill is None else np.full(shape, fill)
    return a.astype(dtype)


def with_nan(a, at=0):
    a = np.array(a, copy=True)
    a.flat[at] = np.nan
    return a


def gru(**kw):
    return cells.GRUCell.random(D, H, **kw)


def gru_params(**changes):
    return {**gru().params, **changes}


def char_lm(nan_weight=False):
    torch.manual_seed(0)
    model = lm.CharLM(V, embed_dim=4, hidden_size=8)
    if nan_weight:
        with torch.no_grad():
            model.head.bias[0] = float("nan")
    return model


def t(*shape, dtype=torch.float32, fill=None):
    g = torch.Generator().manual_seed(0)
    out = torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)
    return out if fill is None else out.fill_(fill)


SV = cu.Vocab.build(["go now", "i am here", "we go"], level="word")
TV = cu.Vocab.build(["ve ya", "estoy aqui", "vamos"], level="word")
PAIRS = [("go now", "ve ya"), ("i am here", "estoy aqui"), ("we go", "vamos")]


def translator(kind="gru", nan_weight=False):
    torch.manual_seed(0)
    model = (translators.GRUTranslator(len(SV), len(TV), embed_dim=8, hidden_size=8,
                                       attention=kind == "attention")
             if kind != "transformer" else
             translators.TransformerTranslator(len(SV), len(TV), embed_dim=8, num_heads=2, num_layers=1,
                                               d_ff=8, max_len=16))
    if nan_weight:
        with torch.no_grad():
            model.out.bias[1] = float("inf")
    return model


def arrays():
    return seq2seq.encode_words(SV, TV, PAIRS)


def step_with(kind, state_rows):
    """A translator's step for 3 sentences given the state of ``state_rows`` sentences."""
    model = translator(kind)
    state = model.start(SV.encode_batch(["go now", "we go", "i am here"][:state_rows]))
    return model.step(np.ones(3, dtype=np.int64), state)


def mha():
    return attention.MultiHeadAttention(8, 2)


def additive():
    return attention.AdditiveAttention(6, 8, 5)


def nan_torch_gru():
    module = nn.GRU(D, H, batch_first=True)
    with torch.no_grad():
        module.weight_hh_l0[0, 0] = float("nan")
    return module


TABLES = seq2seq.CharTables.build([("Go.", "Ve."), ("Hi.", "Hola.")])

# name: (action () -> anything, exception, regex the message must match)
CASES = {
    # ---------------------------------------------------------------- cells (NumPy, notebook 02)
    "cells/shapes/state of another batch size": (lambda: gru().step(x(2, D), x(3, H)), E,
                                                 r"h must have shape \(batch, hidden_size\) = \(2, 5\)"),
    "cells/shapes/None state to step": (lambda: gru().step(x(2, D), None), E, r"h is None.*zero_state"),
    "cells/shapes/None LSTM cell state": (lambda: cells.LSTMCell.random(D, H).step(x(2, D), (x(2, H), None)),
                                          E, r"state\[1\] \(c\) is None"),
    "cells/shapes/LSTM state not a pair": (lambda: cells.LSTMCell.random(D, H).step(x(2, D), x(2, H)), E,
                                           r"pair \(h, c\).*zero_state"),
    "cells/shapes/batch of sequences to step": (lambda: gru().step(x(2, 3, D), x(2, H)), E, r"use run\(\)"),
    "cells/shapes/one sequence to run": (lambda: gru().run(x(3, D)), E, r"For one sequence use xs\[None\]"),
    "cells/shapes/one example to step": (lambda: gru().step(x(D), x(H)), E, r"x_t\[None, :\]"),
    "cells/shapes/ragged sequences": (lambda: gru().run([[[0.1] * D] * 2, [[0.1] * D] * 3]), E,
                                      "xs is ragged.*pad the sequences"),
    "cells/shapes/int ids as input": (lambda: gru().run(np.ones((1, 3, D), int)), E,
                                      r"dtype int64.*astype\(np.float32\)"),
    "cells/shapes/features of another size": (lambda: gru().step(x(2, D + 1), x(2, H)), E,
                                              "input_size is 4.*input_size=5"),
    "cells/shapes/weight of another shape": (lambda: cells.GRUCell(gru_params(W_hz=x(H, H + 1))), E,
                                             r"W_hz must have shape \(5, 5\)"),
    "cells/silent/NaN in the input": (lambda: gru().run(with_nan(x(2, 3, D), 5)), E,
                                      r"xs contains NaN or inf \(first at index \(0, 1, 1\)\)"),
    "cells/silent/inf in the state": (lambda: gru().step(x(2, D), x(2, H, fill=INF)), E,
                                      "h contains NaN or inf"),
    "cells/silent/NaN in the weights": (lambda: cells.GRUCell(gru_params(W_xz=with_nan(x(D, H)))), E,
                                        r"W_xz contains NaN or inf \(first at index \(0, 0\)\)"),
    "cells/silent/text as input": (lambda: gru().step(np.array(["abcd", "efgh"]), x(2, H)), E,
                                   "dtype <U4"),
    "cells/args/hidden size zero": (lambda: cells.GRUCell.random(D, 0),
                                    E, "hidden_size=0 must be a positive int"),
    "cells/args/float input size": (lambda: cells.LSTMCell.random(4.0, H), E,
                                    "input_size=4.0 must be a positive int"),
    "cells/args/missing weight": (
        lambda: cells.GRUCell({k: v for k, v in gru_params().items() if k != "b_hh"}), E,
        r"missing \['b_hh'\]"),
    "cells/args/no time steps": (lambda: gru().run(x(2, 0, D)), E, r"no time steps \(T = 0\)"),
    "cells/args/unknown activation": (lambda: cells.RNNCell.random(D, H, activation="gelu"), E,
                                      "activation must be one of"),
    # ---------------------------------------------------------------- convert (PyTorch side)
    "convert/shapes/None module": (lambda: convert.from_torch(None),
                                   E, "torch.nn.RNN, GRU or LSTM, got NoneType"),
    "convert/shapes/size mismatch": (lambda: convert.to_torch(gru(), nn.GRU(D, H + 1)), E,
                                     r"Size mismatch.*hidden_size=6"),
    "convert/silent/NaN weights in the module": (lambda: convert.from_torch(nan_torch_gru()), E,
                                                 r"W_hr contains NaN or inf \(first at index \(0, 0\)\)"),
    "convert/args/two-layer module": (lambda: convert.from_torch(nn.LSTM(D, H, num_layers=2)), E,
                                      "num_layers=2.*num_layers=1"),
    "convert/args/cell of another kind": (lambda: convert.to_torch(gru(), nn.LSTM(D, H)), E,
                                          "loads a torch.nn.GRU, got LSTM"),
    "convert/args/reset_after=False into torch": (
        lambda: convert.to_torch(gru(reset_after=False), nn.GRU(D, H)), E, "cannot express"),
    "convert/args/bidirectional module": (lambda: convert.from_torch(nn.GRU(D, H, bidirectional=True)), E,
                                          "bidirectional=False"),
    # ---------------------------------------------------------------- sentiment (notebook 04)
    "sentiment/silent/one str as texts": (lambda: sn.shuffle_words("a fine film"),
                                          E, r"not one str.*\[text\]"),
    "sentiment/silent/None among texts": (
        lambda: sn.most_confident_mistakes(["a", None], [0, 1], [0.2, 0.9]), E, r"texts\[1\] is a NoneType"),
    "sentiment/silent/a list as one review": (lambda: sn.clean_review(["a", "b"]), E, "one review at a time"),
    "sentiment/silent/probabilities above 1": (lambda: sn.binary_metrics([0, 1], [0.2, 1.7]), E,
                                               r"probabilities in \[0, 1\].*sigmoid"),
    "sentiment/silent/logits as probabilities": (lambda: sn.binary_metrics([0, 1], [-2.3, 4.1]), E,
                                                 "apply a sigmoid to logits"),
    "sentiment/silent/NaN probability": (lambda: sn.binary_metrics([0, 1], [0.2, NAN]), E,
                                         r"probs\[1\] is nan.*diverged"),
    "sentiment/silent/probabilities as labels": (lambda: sn.binary_metrics([0.2, 0.9], [0.2, 0.9]), E,
                                                 r"labels must be 0 \(negative\) or 1"),
    "sentiment/silent/threshold above 1": (lambda: sn.binary_metrics([0, 1], [0.2, 0.9], threshold=1.5), E,
                                           "strictly between 0 and 1"),
    "sentiment/silent/NaN threshold": (lambda: sn.binary_metrics([0, 1], [0.2, 0.9], threshold=NAN), E,
                                       "threshold=nan"),
    "sentiment/silent/float ids to shuffle": (lambda: sn.shuffle_ids(np.full((2, 3), 0.5)), E,
                                              "2-D int array.*encode_batch"),
    "sentiment/shapes/two columns of probabilities": (
        lambda: sn.binary_metrics([0, 1], [[0.8, 0.2], [0.1, 0.9]]), E, r"must be 1-D.*predict\(x\)\[:, 0\]"),
    "sentiment/shapes/labels of another length": (lambda: sn.binary_metrics([0, 1, 1], [0.2, 0.9]), E,
                                                  "Mismatched lengths"),
    "sentiment/shapes/one row of ids to shuffle": (lambda: sn.shuffle_ids([4, 5, 6]), E,
                                                   r"non-empty 2-D int array.*shape \(3,\)"),
    "sentiment/shapes/ragged ids to shuffle": (lambda: sn.shuffle_ids([[4, 5], [6]]), E,
                                               "ragged.*pad_sequences"),
    "sentiment/args/dropout of 1": (lambda: sn.build_rnn_classifier(50, 8, 8, dropout=1), E,
                                    r"dropout=1 must be a number in \[0, 1\)"),
    "sentiment/args/float vocabulary size": (lambda: sn.build_cnn_classifier(50.0, 8, 8), E,
                                             "vocab_size=50.0 must be a positive int.*len\\(vocab\\)"),
    "sentiment/args/unknown pooling": (lambda: sn.build_rnn_classifier(50, 8, 8, pooling="max"), E,
                                       "use 'last' or 'mean'"),
    "sentiment/args/unknown cell": (lambda: sn.build_rnn_classifier(50, 8, 8, cell="rnn"),
                                    E, "'lstm' or 'gru'"),
    "sentiment/args/zero mistakes": (lambda: sn.most_confident_mistakes(["a"], [0], [0.9], k=0), E,
                                     "k=0 must be a positive int"),
    # ---------------------------------------------------------------- language_model (notebook 05)
    "language_model/silent/text instead of ids": (lambda: lm.split_ids("hello"), E, "encode it first"),
    "language_model/silent/probabilities as ids": (lambda: lm.stream_batches(np.array([0.5, 1.5]), 1, 1), E,
                                                   "not integer ids.*argmax"),
    "language_model/silent/prompt id out of range": (lambda: lm.generate(char_lm(), [1, 99], 5), E,
                                                     r"\[0, 7\).*vocabulary the model was built for"),
    "language_model/silent/negative id at evaluation": (lambda: lm.bits_per_char(char_lm(), [1, -1, 2]), E,
                                                        r"got ids -1..2 outside \[0, V\)"),
    "language_model/silent/training id out of range": (lambda: fit_lm(char_lm(), [1, 2, 9], [1, 2]), E,
                                                       r"train_ids got ids 1..9 outside \[0, 7\)"),
    "language_model/silent/probabilities as a prompt": (lambda: lm.generate(char_lm(), [0.2, 0.8], 5), E,
                                                        "prompt_ids got float64 values, not integer ids"),
    "language_model/silent/NaN logits": (lambda: lm.sampling_distribution(torch.tensor([0.0, NAN])), E,
                                         "NaN or infinity.*Retrain"),
    "language_model/silent/NaN weights at generate": (
        lambda: lm.generate(char_lm(True), [1], 5), E,
        r"generate: the model's weights \['head.bias'\] hold NaN"),
    "language_model/silent/NaN weights at evaluation": (lambda: lm.bits_per_char(char_lm(True), np.arange(7)),
                                                        E, "bits_per_char: the model's weights"),
    "language_model/silent/NaN weights at fit": (lambda: fit_lm(char_lm(True), np.arange(7), [1, 2]), E,
                                                 "lower lr"),
    "language_model/silent/NaN smoothing": (lambda: lm.unigram_bits_per_char([0, 1], [0, 1], 3, alpha=NAN), E,
                                            "alpha=nan"),
    "language_model/shapes/batch of prompts": (lambda: lm.generate(char_lm(), [[1, 2], [3, 4]], 5), E,
                                               r"not 1-D \(one sequence of ids is \(T,\).*loop over"),
    "language_model/shapes/ragged prompts": (lambda: lm.generate(char_lm(), [[1, 2], [3]], 5), E,
                                             "prompt_ids got ragged.*pad_sequences"),
    "language_model/shapes/empty prompt": (lambda: lm.generate(char_lm(), [], 5), E, "prompt_ids is empty"),
    "language_model/shapes/batch of texts to fit": (
        lambda: fit_lm(char_lm(), np.ones((2, 9), int), [1, 2]), E, r"train_ids got shape \(2, 9\), not 1-D"),
    "language_model/shapes/too few ids for the streams": (lambda: lm.stream_batches(np.arange(3), 8, 4), E,
                                                          "smaller batch_size"),
    "language_model/shapes/logits as a list": (lambda: lm.sampling_distribution([1.0, 2.0]), E,
                                               "must be a tensor"),
    "language_model/args/temperature 0": (
        lambda: lm.generate(char_lm(), [1], 5, temperature=0), E,
        r"temperature=0 must be a number in \(0, inf\).*0.1 is nearly greedy"),
    "language_model/args/negative temperature": (lambda: lm.sampling_distribution(torch.zeros(4), -1.0), E,
                                                 "temperature=-1.0"),
    "language_model/args/infinite temperature": (lambda: lm.generate(char_lm(), [1], 5, temperature=INF), E,
                                                 "temperature=inf"),
    "language_model/args/top_k 0": (lambda: lm.generate(char_lm(), [1], 5, top_k=0), E,
                                    r"top_k=0 must be None or an int in \[1, 7\]"),
    "language_model/args/top_k above the vocabulary": (lambda: lm.generate(char_lm(), [1], 5, top_k=V + 1), E,
                                                       "top_k=8.*vocabulary size 7"),
    "language_model/args/float top_k": (lambda: lm.sampling_distribution(torch.zeros(4), top_k=2.0), E,
                                        "top_k=2.0"),
    "language_model/args/negative n": (lambda: lm.generate(char_lm(), [1], -1),
                                       E, "n=-1 must be an int >= 0"),
    "language_model/args/no samples": (lambda: lm.generate(char_lm(), [1], 3, num_samples=0), E,
                                       "num_samples=0 must be a positive int"),
    "language_model/args/learning rate 0": (lambda: fit_lm(char_lm(), np.arange(7), [1, 2], lr=0), E,
                                            "lr=0 must be a number > 0.*lr=3e-3"),
    "language_model/args/NaN clip": (lambda: fit_lm(char_lm(), np.arange(7), [1, 2], clip=NAN),
                                     E, "clip=nan"),
    "language_model/args/zero epochs and max_steps": (
        lambda: fit_lm(char_lm(), np.arange(7), [1, 2], epochs=0, max_steps=0), E,
        "epochs=0 must be a positive int; max_steps=0 must be None or a positive int"),
    "language_model/args/warm-up longer than the run": (
        lambda: fit_lm(char_lm(), np.arange(7), [1, 2], warmup_steps=99, seq_len=2, batch_size=1), E,
        "warmup_steps=99 must be fewer"),
    "language_model/args/float vocabulary size": (lambda: lm.CharLM(7.0),
                                                  E, "vocab_size=7.0 must be a positive int"),
    "language_model/args/dropout of 1": (lambda: lm.CharLM(V, dropout=1.0),
                                         E, r"dropout=1.0 must be a number in"),
    "language_model/args/unknown cell": (lambda: lm.CharLM(V, rnn="rnn"), E, "'lstm' or 'gru'"),
    "language_model/args/validation share 1": (lambda: lm.split_ids(np.arange(10), 1.0),
                                               E, "between 0 and 1"),
    # ---------------------------------------------------------------- training (every fit)
    "training/shapes/None model": (lambda: tr.count_parameters(None), E, "not NoneType"),
    "training/shapes/history as a list": (lambda: tr.epoch_line([1.2, 1.1]),
                                          E, r"per-epoch list.*\{\"loss\""),
    "training/shapes/empty history": (lambda: tr.epoch_line({"loss": []}), E, "per-epoch list"),
    "training/silent/NaN final rate": (lambda: tr.warmup_cosine(0, 10, 0, NAN), E, "0 <= final <= 1"),
    "training/args/warm-up as long as the run": (lambda: tr.warmup_cosine(0, 10, 10), E,
                                                 "warmup_steps < total_steps"),
    # ---------------------------------------------------------------- seq2seq (notebook 03, no Keras needed)
    "seq2seq/silent/raw lines where pairs are expected": (lambda: seq2seq.CharTables.build(["Go.\tVe."]), E,
                                                          r"\(source, target\) str pairs.*parse_pairs"),
    "seq2seq/silent/one str as pairs": (lambda: seq2seq.encode_chars(TABLES, "Go.\tVe.\n"), E, "parse_pairs"),
    "seq2seq/silent/None target": (lambda: seq2seq.encode_char_ids(TABLES, [("Go.", None)]), E,
                                   r"\('Go.', None\)"),
    "seq2seq/silent/ids as sources": (lambda: seq2seq.encode_sources(TABLES, [[1, 2]]), E,
                                      r"encode_sources\[0\] is a list.*vocab.decode"),
    "seq2seq/silent/one str as sources": (lambda: seq2seq.encode_sources(TABLES, "Go."), E,
                                          "non-empty list of str"),
    "seq2seq/shapes/lines where word pairs are expected": (
        lambda: seq2seq.encode_words(SV, TV, ["go now"]), E, "pairs of str"),
    "seq2seq/shapes/batch where one sentence is expected": (
        lambda: seq2seq.recipe_decode_sequence(None, None, TABLES, np.zeros((2, 3, 4))), E,
        r"one sentence \(1, T_x, D_x\)"),
    "seq2seq/args/unknown cell": (lambda: seq2seq.build_char_lstm(4, 4, cell="rnn"), E, "'lstm' or 'gru'"),
    "seq2seq/args/zero tokens": (lambda: seq2seq.build_char_lstm(0, 4), E, "num_encoder_tokens=0"),
    "seq2seq/args/negative width": (lambda: seq2seq.build_word_gru(10, 10, hidden_size=-1),
                                    E, "hidden_size=-1"),
    # ---------------------------------------------------------------- attention (notebook 06)
    "attention/silent/empty key sequence": (lambda: attention.scaled_dot_product_attention(
        t(2, 3, 4), t(2, 0, 4), t(2, 0, 4)), E, r"key has an empty axis \(no keys"),
    "attention/silent/empty key sequence, multi-head": (lambda: mha()(t(2, 3, 8), t(2, 0, 8), t(2, 0, 8)), E,
                                                        "key has an empty axis"),
    "attention/silent/empty key sequence, additive": (lambda: additive()(t(2, 6), t(2, 0, 8)), E,
                                                      r"keys has an empty axis.*S >= 1"),
    "attention/silent/NaN query": (lambda: attention.scaled_dot_product_attention(
        t(2, 3, 4, fill=NAN), t(2, 5, 4), t(2, 5, 4)), E, "query contains NaN or inf"),
    "attention/silent/inf keys, additive": (lambda: additive().project_keys(t(2, 3, 8, fill=INF)), E,
                                            "keys contains NaN or inf"),
    "attention/silent/NaN value, multi-head": (lambda: mha()(t(2, 3, 8), t(2, 4, 8), t(2, 4, 8, fill=NAN)), E,
                                               "value contains NaN"),
    "attention/silent/mask hides every key": (lambda: attention.scaled_dot_product_attention(
        t(2, 3, 4), t(2, 5, 4), t(2, 5, 4), padding_mask=torch.zeros(2, 5, dtype=torch.bool)), E,
        "hides every key.*0/0 = NaN"),
    "attention/silent/0-1 int mask": (lambda: attention.scaled_dot_product_attention(
        t(2, 3, 4), t(2, 5, 4), t(2, 5, 4), mask=torch.ones(3, 5, dtype=torch.int64)), E,
        r"bool tensor.*\.bool\(\)"),
    "text/silent/float id tensor to padding_mask": (lambda: cu.text.padding_mask(torch.full((2, 3), 0.5)), E,
                                                    "integer token ids"),
    "attention/shapes/float64 into multi-head": (
        lambda: mha()(t(2, 3, 8, dtype=torch.float64), t(2, 3, 8), t(2, 3, 8)), E,
        r"query has dtype torch.float64, the model torch.float32.*\.to"),
    "attention/shapes/float64 keys into additive": (
        lambda: additive().project_keys(t(2, 3, 8, dtype=torch.float64)), E, "keys has dtype torch.float64"),
    "attention/shapes/mixed dtypes": (lambda: attention.scaled_dot_product_attention(
        t(2, 3, 4), t(2, 5, 4, dtype=torch.float64), t(2, 5, 4)), E, "key has dtype torch.float64"),
    "attention/shapes/one sentence to multi-head": (lambda: mha()(t(3, 8), t(3, 8), t(3, 8)), E,
                                                    r"batch-first \(B, T, 8\).*x\[None\]"),
    "attention/shapes/padding mask of another batch": (
        lambda: mha()(t(2, 3, 8), t(2, 4, 8), t(2, 4, 8), padding_mask=torch.ones(3, 4, dtype=bool)), E,
        "padding_mask of shape .*does not broadcast"),
    "attention/shapes/NumPy query": (lambda: attention.scaled_dot_product_attention(
        np.ones((2, 3, 4)), t(2, 5, 4), t(2, 5, 4)), E, "float tensor"),
    "text/shapes/one id row to padding_mask": (lambda: cu.text.padding_mask(torch.tensor([4, 5, 0])), E,
                                               r"ids\[None, :\]"),
    "attention/shapes/query of another batch, additive step": (
        lambda: additive()(t(3, 6), t(2, 4, 8)), AssertionError, "query must be"),
    "attention/args/causal mask of length 0": (lambda: attention.causal_mask(0), E, "length=0"),
    "attention/args/heads that do not divide the width": (lambda: attention.MultiHeadAttention(10, 3), E,
                                                          r"divisible.*\[1, 2, 5, 10\]"),
    "attention/args/odd width of positions": (lambda: attention.sinusoidal_positional_encoding(4, 5), E,
                                              "even"),
    # ---------------------------------------------------------------- translators (notebook 06)
    "translators/silent/inf weights at translate": (
        lambda: decoding.translate(translator(nan_weight=True), SV, TV, ["go now"]), E,
        r"translate: the model's weights \['out.bias'\] hold NaN or inf"),
    "translators/silent/inf weights at fit": (lambda: tr.fit_translator(translator(nan_weight=True), arrays(),
                                                                      arrays(), 1, progress=False), E,
                                              "fit: the model's weights"),
    "translators/silent/source id out of range": (lambda: translator().start([[4, 99]]), E,
                                                  "src got ids 4..99.*src_vocab_size=len"),
    "translators/silent/one str as sentences": (lambda: decoding.translate(translator(), SV, TV,
                                                "go now"), E,
                                                r"wrap it as \[text\]"),
    "translators/silent/ids as sentences": (lambda: decoding.translate(translator(), SV, TV, [[4, 5]]), E,
                                            "every sentence as a str"),
    "translators/silent/float ids": (lambda: translator().start(np.full((1, 2), 4.0)),
                                     E, "integer token ids"),
    "translators/silent/all-padding source": (lambda: translator().start([[4, 5], [0, 0]]), E,
                                              "source row 1 is all padding"),
    "translators/silent/vocabularies swapped": (
        lambda: decoding.translate(translator(), TV, SV, ["go"]), E, "source first"),
    "translators/shapes/state of another batch size, GRU": (lambda: step_with("gru", 2), AssertionError,
                                                            "same batch B.*model.start"),
    "translators/shapes/state of another batch size, Transformer": (lambda: step_with("transformer", 1),
                                                                    AssertionError, "same batch B"),
    "translators/shapes/None state": (lambda: translator("attention").step(np.ones(2, dtype=np.int64), None),
                                      AssertionError, "same batch B"),
    "translators/shapes/one sentence of ids": (lambda: translator().start([4, 5]), E, r"src\[None\]"),
    "translators/shapes/ragged ids": (lambda: translator("transformer").start([[4, 5], [6]]), E,
                                      "src got ragged.*pad_sequences"),
    "translators/shapes/decoder inputs of another batch": (
        lambda: translator("attention").attention_weights([[4, 5], [6, 7], [4, 0]], [[1, 4], [1, 5]]), E,
        "3 sentences but tgt_in has 2"),
    "translators/shapes/pairs instead of arrays": (
        lambda: tr.fit_translator(translator(), PAIRS, arrays(), 1), E,
        "src must be a 2-D integer array.*encode_words"),
    "translators/args/beam width 0": (
        lambda: decoding.translate(translator(), SV, TV, ["go"], beam_width=0), E,
        "beam_width=0 must be an int >= 1"),
    "translators/args/dropout above 1": (lambda: translators.GRUTranslator(len(SV), len(TV), dropout=1.5), E,
                                         r"dropout=1.5 must be a number in \[0, 1\)"),
    "translators/args/float width": (lambda: translators.GRUTranslator(len(SV), len(TV), hidden_size=8.0), E,
                                     "hidden_size=8.0 must be a positive int"),
    "translators/args/vocabulary of reserved ids only": (
        lambda: translators.GRUTranslator(4, len(TV)), E,
        r"src_vocab_size=4 must be an int > 4.*len\(vocab\)"),
    "translators/args/heads that do not divide the width": (lambda: translators.TransformerTranslator(
        len(SV), len(TV), embed_dim=10, num_heads=4), E, "multiple of num_heads=4"),
    "translators/args/learning rate 0": (
        lambda: tr.fit_translator(translator(), arrays(), arrays(), 1, lr=0), E, "lr=0"),
    "translators/args/label smoothing 1": (
        lambda: tr.fit_translator(translator(), arrays(), arrays(), 1, label_smoothing=1.0), E,
        "label_smoothing=1.0"),
    "translators/silent/probabilities as arrays": (
        lambda: tr.evaluate_teacher_forced(translator(), [a.astype(float) / 9 for a in arrays()]), E,
        "src must be a 2-D integer array.*float64"),
    "translators/silent/NaN length penalty": (
        lambda: decoding.translate(translator(), SV, TV, ["go"], beam_width=2, length_penalty=NAN), E,
        "length_penalty=nan must be a number >= 0"),
    "translators/args/max_len 0": (lambda: decoding.translate(translator(), SV, TV, ["go"], max_len=0), E,
                                   "max_len=0 must be an int >= 1"),
    "translators/args/no widths to choose from": (
        lambda: tr.width_for_parameters(lambda w: translator(), 100, []), E, "got no widths"),
    # ---------------------------------------------------------------- checks (the shared validators)
    "checks/args/every broken rule named": (
        lambda: checks.check_args("f", " (the fix)", a=(0, "a positive int"), b=(True, "a number > 0"),
                                  c=(0.5, "None or an int >= 0")), E,
        r"f: a=0 must be a positive int; b=True must be a number > 0; "
        r"c=0.5 must be None or an int >= 0 \(the fix\)"),
    "checks/shapes/ids where a float tensor is expected": (
        lambda: checks.check_tensor( torch.ones(2, 3, dtype=torch.long), "x", "(B, T, E)"), E,
        "x must be a float tensor.*embed token ids"),
    "checks/shapes/float64 against a float32 tensor": (
        lambda: checks.check_tensor(t(3, 4, dtype=torch.float64), "x", "(B, T, E)", like=t(1)), E,
        r"x has dtype torch.float64, the model torch.float32: convert it with .to\(torch.float32\); "
        r"it should be \(B, T, E\), got torch.float64 \(3, 4\)"),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_raises_a_clear_error(case):
    action, error, message = CASES[case]
    with pytest.raises(error, match=message):
        action()


# ------------------------------------------------------------------ property-based

RULES = ["a positive int", "an int >= 0", "a number > 0", "a number in [0, 1)", "a number in (0, inf)",
         "a number in [0, 1]", "None or a positive int"]


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True, allow_infinity=True),
                 st.text(max_size=3), st.lists(st.integers(), max_size=2)), st.sampled_from(RULES))
def test_checks_args_any_value_is_judged_by_its_rule(value, rule):
    """check_rule against the rule read literally; a value breaking it is named in the error."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)
    integer = number and isinstance(value, int)
    want = {"a positive int": integer and value >= 1, "an int >= 0": integer and value >= 0,
            "a number > 0": number and value > 0, "a number in [0, 1)": number and 0 <= value < 1,
            "a number in (0, inf)": number and 0 < value < math.inf,
            "a number in [0, 1]": number and 0 <= value <= 1,
            "None or a positive int": value is None or integer and value >= 1}[rule]
    assert checks.check_rule(value, rule) == want
    if not want:
        with pytest.raises(ValueError, match=re.escape(f"g: v={value!r} must be {rule}.")):
            checks.check_args("g", v=(value, rule))


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not 0 < v < math.inf)
       | st.sampled_from([0, -1, "1.0", None]),
       st.integers(-3, 2 * V) | st.none())
def test_language_model_args_any_bad_temperature_is_refused_and_top_k_only_outside_1_v(temperature, top_k):
    with pytest.raises(ValueError, match=re.escape(f"temperature={temperature!r} must be")):
        lm.sampling_distribution(torch.zeros(V), temperature, top_k)
    if top_k is not None and not 1 <= top_k <= V:
        with pytest.raises(ValueError, match=f"top_k={top_k} must be None or an int in"):
            lm.sampling_distribution(torch.zeros(V), 1.0, top_k)
    else:
        assert lm.sampling_distribution(torch.zeros(V), 1.0, top_k).sum().item() == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2 * 3 * D - 1), st.sampled_from([NAN, INF, -INF]))
def test_cells_silent_any_non_finite_input_is_located(at, value):
    xs = x(2, 3, D)
    xs.flat[at] = value
    where = tuple(int(i) for i in np.unravel_index(at, xs.shape))
    with pytest.raises(ValueError, match=re.escape(f"xs contains NaN or inf (first at index {where})")):
        gru().run(xs)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3), st.sampled_from(["sdpa", "multi-head", "additive"]))
def test_attention_silent_any_empty_sequence_is_refused(batch, length, kind):
    """No keys (or no batch) never yields a silent all-zero context: it is an error."""
    if batch and length:
        return
    call = {"sdpa": lambda: attention.scaled_dot_product_attention(t(batch, 2, 4), t(batch, length, 4),
                                                                   t(batch, length, 4)),
            "multi-head": lambda: mha()(t(batch, 2, 8), t(batch, length, 8), t(batch, length, 8)),
            "additive": lambda: additive().project_keys(t(batch, length, 8))}[kind]
    with pytest.raises(ValueError, match="has an empty axis"):
        call()


@pytest.mark.parametrize("kind", ["gru", "attention", "transformer"])
def test_translators_shapes_step_accepts_the_state_of_its_own_batch(kind):
    """The one-line assert in ``step`` lets a correct call through (greedy decoding of 3)."""
    model = translator(kind)
    src = SV.encode_batch(["go now", "we go", "i am here"])
    out = cu.decoding.greedy_decode(model.step, model.start(src), 3, 1, 2, max_len=4)
    assert len(out) == 3


def test_cells_shapes_float64_input_is_computed_in_float32():
    """float64 into the float32 NumPy cells is converted, as the frameworks do (not an error)."""
    cell = gru()
    xs = x(2, 3, D, dtype=np.float64)
    assert cell.run(xs).dtype == np.float32
    np.testing.assert_array_equal(cell.run(xs), cell.run(xs.astype(np.float32)))


def test_cells_shapes_int_weights_become_float32_weights():
    """Hand-typed integer weights are weights (unlike integer inputs, which are likely ids)."""
    cell = cells.RNNCell({"W_xh": np.eye(2, dtype=int), "W_hh": np.zeros((2, 2), int), "b_h": [0, 1]})
    assert cell.W_xh.dtype == np.float32
    np.testing.assert_allclose(cell.step(np.ones((1, 2), np.float32), np.zeros((1, 2), np.float32)),
                               np.tanh([[1.0, 2.0]]), atol=1e-6)
