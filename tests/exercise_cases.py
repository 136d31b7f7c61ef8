"""Every exercise's check run three ways (tests/test_exercises.py): on the solution, on the
untouched blank of the student copy, and on plausible wrong answers.

The solution and the blank come from the master notebook itself: the code of the
exercise's solution cells is executed as written (the solution), and as otter-grader's
release step strips it (the blank: ``...`` or the ``# BEGIN PROMPT`` stub), in a namespace
holding the notebook variables it needs (``context``). Where the solution trains a model,
``solution`` gives the answers directly (values of this course's ci runs) and the check
is run on those. ``wrong`` maps a plausible mistake to (answers it changes, a fragment
of the message the check must give).

    python tests/exercise_cases.py      # the table of the closing note: check, three results
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"


@dataclass
class Case:
    tests: str                                   # what the check tests, for the table
    context: Callable[[], dict] = dict           # notebook variables the solution needs
    wrong: dict[str, tuple[Callable[[dict], dict], str]] = field(default_factory=dict)
    solution: Callable[[dict], dict] | None = None   # answers, where the solution trains a model
    exec_cells: int | None = None                # solution cells run before ``solution`` (None: all)


# ---------------------------------------------------------------- the master notebooks
def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def question_cells(notebook: str, name: str) -> tuple[list[str], list[str]]:
    """(the solution code cells of question ``name``, the argument names of its test)."""
    (path,) = NOTEBOOKS.glob(f"{notebook}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    question, block, code, args = None, None, [], []
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "raw":
            head = text.strip().splitlines()[0]
            if head == "# BEGIN QUESTION":
                question = re.search(r"name:\s*(\S+)", text).group(1)
            elif head in ("# BEGIN SOLUTION", "# BEGIN TESTS"):
                block = head
            elif head in ("# END SOLUTION", "# END TESTS"):
                block = None
            continue
        if question != name or cell["cell_type"] != "code":
            continue
        if block == "# BEGIN SOLUTION":
            code.append(text)
        elif block == "# BEGIN TESTS":
            call = text.strip().splitlines()[-1]                 # test_ex1(lstm_step, ...)
            args = [a.strip() for a in call[call.index("(") + 1:-1].split(",") if a.strip()]
    assert code and args, f"notebook {notebook} has no question {name} with solution and test"
    return code, args


def blank_code(code: str) -> str:
    """``code`` as otter-grader's release step leaves it in the student copy."""
    from otter.assign.solutions import replace_solutions

    return "\n".join(replace_solutions(code.splitlines(), "python"))


def answers(notebook: str, name: str, case: Case, kind: str) -> dict:
    """The namespace after the solution (``kind="solution"``) or the blank ran."""
    cells, _ = question_cells(notebook, name)
    ns = case.context()
    if kind == "solution":
        for code in cells[:case.exec_cells]:
            exec(code, ns)                                           # noqa: S102
        if case.solution is not None:
            ns.update(case.solution(ns))
        return ns
    for code in cells:
        exec(blank_code(code), ns)                                   # noqa: S102
    return ns


# ---------------------------------------------------------------- notebook 02
def _nb02():
    import torch

    import course_utils as cu
    from course_utils.cells import GRUCell, LSTMCell, sigmoid

    sentence = "We like gated recurrent units".split()
    vocab = sorted(set(sentence), key=str.lower)
    xs = cu.one_hot(np.array([vocab.index(w) for w in sentence]), depth=len(vocab))[None]
    gru = GRUCell.random(input_size=xs.shape[2], hidden_size=2, seed=3, scale=1.5,
                         reset_after=False)                       # section 3's GRU
    gru_after = GRUCell.random(input_size=xs.shape[2], hidden_size=2, seed=3, scale=1.5)  # appendix A's
    states = [np.zeros((1, 2), np.float32)]
    for x_t in xs[0]:
        states.append(gru.step(x_t[None], states[-1]))
    return dict(np=np, torch=torch, cu=cu, sigmoid=sigmoid, GRUCell=GRUCell, LSTMCell=LSTMCell,
                xs=xs, T=xs.shape[1], D=xs.shape[2], H=2, gru=gru, gru_after=gru_after, states=states,
                device=torch.device("cpu"), print=lambda *a, **k: None)


def _lstm_tanh_gate(ns):
    sigmoid, np_ = ns["sigmoid"], np

    def lstm_step(p, X, H_prev, C_prev):
        I = sigmoid(X @ p["W_xi"] + H_prev @ p["W_hi"] + p["b_i"])      # noqa: E741
        F = sigmoid(X @ p["W_xf"] + H_prev @ p["W_hf"] + p["b_f"])
        O = np_.tanh(X @ p["W_xo"] + H_prev @ p["W_ho"] + p["b_o"])     # noqa: E741  the mistake
        C = F * C_prev + I * np_.tanh(X @ p["W_xc"] + H_prev @ p["W_hc"] + p["b_c"])
        return O * np_.tanh(C), C
    return {"lstm_step": lstm_step}


def _lstm_no_forget(ns):
    sigmoid = ns["sigmoid"]

    def lstm_step(p, X, H_prev, C_prev):
        I = sigmoid(X @ p["W_xi"] + H_prev @ p["W_hi"] + p["b_i"])      # noqa: E741
        O = sigmoid(X @ p["W_xo"] + H_prev @ p["W_ho"] + p["b_o"])      # noqa: E741
        C = C_prev + I * np.tanh(X @ p["W_xc"] + H_prev @ p["W_hc"] + p["b_c"])   # the mistake
        return O * np.tanh(C), C
    return {"lstm_step": lstm_step}


def _first_difference(value):
    return lambda ns: {"first_difference": value}


# ---------------------------------------------------------------- notebook 01
class _Oracle:
    """A stand-in for the trained GRU: answers "token 1 comes first" from the order it sees."""

    def predict(self, x, verbose=0):
        return (np.argmax(x == 1, axis=1) < np.argmax(x == 2, axis=1)).astype(float)[:, None]


def _nb01(model=None):
    from types import SimpleNamespace

    import course_utils as cu

    sizes = SimpleNamespace(vocab_size=10, seq_len=12, epochs=8, gru_hidden_size=16, cnn_kernel=3,
                            rf_epochs=6)
    x_test, y_test = cu.datasets.make_order_task(2_000, sizes.seq_len, sizes.vocab_size, seed=2)
    ns = dict(np=np, cu=cu, sizes=sizes, x_test=x_test, y_test=y_test, gru=_Oracle(),
              print=lambda *a, **k: None, distances=[1, 2, 3, 4, 5, 6, 8, 12])
    if model == "gru":
        import keras
        ns["gru"] = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(10, 8),
                                      keras.layers.GRU(16), keras.layers.Dense(1, activation="sigmoid")])
    if model == "cnn":
        import keras
        ns["keras"] = keras
        ns["cnn"] = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(10, 8),
                                      keras.layers.Conv1D(32, 3, activation="relu")])
    return ns


def _bag_of_words(ns):
    return {"flat_one_hot": lambda ids: ns["cu"].one_hot(ids, 10).sum(axis=1)}


def _conv_no_relu(ns):
    def conv_by_hand(E, W, b):
        k = W.shape[0]
        return np.stack([np.einsum("bic,icf->bf", E[:, t:t + k], W) for t in range(E.shape[1] - k + 1)],
                        axis=1) + b
    return {"conv_by_hand": conv_by_hand}


def _conv_flipped(ns):
    def conv_by_hand(E, W, b):
        k = W.shape[0]
        return np.maximum(np.stack([np.einsum("bic,icf->bf", E[:, t:t + k], W[::-1])
                                    for t in range(E.shape[1] - k + 1)], axis=1) + b, 0)
    return {"conv_by_hand": conv_by_hand}


def _dilated(dilations, distances=(1, 2, 3, 4, 5, 6, 8, 12), field=None, acc=0.97, beyond=0.52):
    """Answers of exercise 5 as a run would give them: ``acc`` inside the field, chance beyond."""
    reach = 1 + 2 * sum(dilations)
    return lambda ns: {"dilations": list(dilations), "distances": list(distances),
                       "dilated_field": field or reach,
                       "dilated_acc": {d: acc if d < reach else beyond for d in distances}}


# ---------------------------------------------------------------- notebook 03
def notebook_code(notebook: str, *ids: str) -> list[str]:
    """The source of the master notebook's cells ``ids`` (helpers a solution calls)."""
    (path,) = NOTEBOOKS.glob(f"{notebook}_*.ipynb")
    cells = {c.get("id"): _source(c) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]}
    return [cells[i] for i in ids]


PAIRS03 = [("I like cats.", "me gustan los gatos ."), ("Tom is here.", "tom está aquí ."),
           ("The cat eats fish.", "el gato come pescado ."),
           ("Where is the station?", "¿ dónde está la estación ?"),
           ("I am tired.", "estoy cansado ."), ("We like the sea.", "nos gusta el mar ."),
           ("Tom likes fish.", "a tom le gusta el pescado ."),
           ("The station is here.", "la estación está aquí .")]


def _random_weights(model, seed, scale):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=scale, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


@functools.cache
def _translators03():
    """Small char and word models with random weights (the checks translate with them)."""
    import course_utils as cu
    from course_utils import seq2seq

    tables = seq2seq.CharTables.build(PAIRS03, reverse_source=True)
    char = _random_weights(seq2seq.build_char_lstm(tables.num_encoder_tokens, tables.num_decoder_tokens,
                                                   hidden_size=16), seed=3, scale=2.5)
    source_vocab = cu.Vocab.build([s for s, _ in PAIRS03], level="word")
    target_vocab = cu.Vocab.build([t for _, t in PAIRS03], level="word")
    word = _random_weights(seq2seq.build_word_gru(len(source_vocab), len(target_vocab), embed_dim=8,
                                                  hidden_size=16), seed=4, scale=0.6)
    return (tables, *seq2seq.char_inference_models(char), source_vocab, target_vocab,
            *seq2seq.word_inference_models(word))


def _nb03():
    from collections import Counter

    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    import course_utils as cu
    from course_utils import metrics, seq2seq

    tables, encoder_model, decoder_model, source_vocab, target_vocab, word_encoder, word_decoder = \
        _translators03()
    test_sources, test_refs = [s for s, _ in PAIRS03], [[t] for _, t in PAIRS03]
    char_beam = seq2seq.translate_chars(encoder_model, decoder_model, tables, test_sources, beam_width=4)
    word_beam = ["me gustan los gatos .", "tom está aquí", "el gato come el pescado .", "dónde está",
                 "estoy muy cansado .", "nos gusta el mar .", "tom le gusta", "la estación está aquí ."]
    rng = np.random.default_rng(0)
    N, T_y, D_y = 8, 12, 6
    test_probs = rng.dirichlet(np.ones(D_y), size=(N, T_y))                       # (N, T_y, D_y)
    targets = np.eye(D_y)[np.where(rng.random((N, T_y)) < 0.5, test_probs.argmax(-1),
                                   rng.integers(0, D_y, (N, T_y)))]
    real = np.arange(T_y)[None, :] < rng.integers(3, T_y, N)[:, None]              # (N, T_y)
    ns = dict(np=np, cu=cu, seq2seq=seq2seq, metrics=metrics, Counter=Counter, Tokenizer13a=Tokenizer13a,
              tables=tables, encoder_model=encoder_model, decoder_model=decoder_model,
              source_vocab=source_vocab, target_vocab=target_vocab, word_encoder=word_encoder,
              word_decoder=word_decoder, max_words=10, test_sources=test_sources, test_refs=test_refs,
              char_beam=char_beam, word_beam=word_beam, test_probs=test_probs,
              test_arrays=(None, None, targets), real=real,
              char_acc={"all padded positions (recipe)": metrics.token_accuracy(test_probs, targets),
                        "real positions only": metrics.token_accuracy(test_probs, targets, mask=real)},
              scores={"word GRU, beam 4": metrics.evaluate(word_beam, test_refs)},
              print=lambda *a, **k: None)
    for code in notebook_code("03", "5a398aa3", "fef3064c"):                       # bleu_counts, corpus_bleu
        exec(code, ns)                                                             # noqa: S102
    return ns


def _mine_without_a_pair(ns):
    from course_utils import seq2seq
    from course_utils.text import tokenize

    mine = [s for s in ns["mine"] if "Blorf" not in s]
    words = {w for s in mine for w in tokenize(s, "word") if w not in ns["source_vocab"]}
    return {"mine": mine, "unknown_words": sorted(words),
            "unknown_chars": sorted({c for s in mine for c in s if c not in ns["tables"].input_index}),
            "char_out": seq2seq.translate_chars(ns["encoder_model"], ns["decoder_model"], ns["tables"], mine,
                                                beam_width=4),
            "word_out": seq2seq.translate_words(ns["word_encoder"], ns["word_decoder"], ns["source_vocab"],
                                                ns["target_vocab"], mine, max_len=ns["max_words"],
                                                beam_width=4)}


# ---------------------------------------------------------------- notebook 04
R1, R4, C1 = "R1 · LSTM, last state", "R4 · BiGRU, mean", "C1 · CNN (K=3), max"

BAG_HELPERS = """
def tokens(text):
    return cu.text.tokenize(text, level="word", lowercase=True)

def tfidf(ngram_range, max_features=None):
    return TfidfVectorizer(tokenizer=tokens, lowercase=False, token_pattern=None,
                           ngram_range=ngram_range, min_df=2, max_features=max_features,
                           sublinear_tf=True)

def answers_both_ways(probs):
    share = np.mean(np.asarray(probs) > 0.5)
    return sizes.min_share <= share <= 1 - sizes.min_share
"""


def _reviews(n, rng):
    """Made-up reviews: small talk first, the verdict at the end."""
    filler = "the film movie plot actors was a and it not story of this with".split()
    good, bad = "great excellent wonderful loved best".split(), "bad worst awful boring waste".split()
    labels = rng.integers(0, 2, n)
    texts = [" ".join(rng.choice(filler, 10)) + " , " + " ".join(rng.choice(filler + (good + bad), 3)) + " "
             + " ".join(rng.choice(good if y else bad, 2)) + "." for y in labels]
    return texts, labels


@functools.cache
def _models04(V):
    from course_utils import sentiment

    models = {R1: sentiment.build_rnn_classifier(V, 8, 2, cell="lstm", dropout=0.2),
              R4: sentiment.build_rnn_classifier(V, 8, 2, cell="gru", pooling="mean", bidirectional=True,
                                                 dropout=0.2),
              C1: sentiment.build_cnn_classifier(V, 8, 4, kernel_size=3, dropout=0.2)}
    _random_weights(models[R1], seed=5, scale=1.0)                   # pads move the unmasked answer
    return models


def _nb04():
    import time
    from types import SimpleNamespace

    import keras
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    import course_utils as cu

    rng = np.random.default_rng(4)
    (train_texts, y_train), (test_texts, y_test) = _reviews(300, rng), _reviews(200, rng)
    sizes = SimpleNamespace(max_len=6, vocab_size=200, embed_dim=8, hidden_size=2, filters=4, kernel_size=3,
                            min_share=0.1)
    ns = dict(np=np, cu=cu, keras=keras, time=time, TfidfVectorizer=TfidfVectorizer,
              LogisticRegression=LogisticRegression, sizes=sizes, best_C=1.0, train_texts=train_texts,
              y_train=y_train, test_texts=test_texts, y_test=y_test, print=lambda *a, **k: None)
    exec(BAG_HELPERS + notebook_code("04", "cell-031")[0], ns)                    # noqa: S102
    vectorizer, classifier, _ = ns["train_bag_of_words"](train_texts, y_train, (1, 1), sizes.vocab_size)
    p = classifier.predict_proba(vectorizer.transform(test_texts))[:, 1]
    vocab = cu.Vocab.build(train_texts, level="word", max_size=sizes.vocab_size, lowercase=True)
    ns.update(bags={"bag of words (unigrams)": (vectorizer, classifier)}, vocab=vocab, c1=C1,
              scores={"bag of words (unigrams)": {"accuracy": float(np.mean((p > 0.5) == y_test))}},
              models=_models04(len(vocab)))
    return ns


def _cut_acc_whole_test(ns):
    cut_acc = {}
    for cut in (ns["first_tokens"], ns["last_tokens"]):
        vectorizer, classifier, _ = ns["train_bag_of_words"]([cut(t) for t in ns["train_texts"]],
                                                             ns["y_train"], (1, 1), ns["sizes"].vocab_size)
        p = classifier.predict_proba(vectorizer.transform(ns["test_texts"]))[:, 1]
        cut_acc[cut.__name__] = float(np.mean((p > 0.5) == ns["y_test"]))
    return {"cut_acc": cut_acc}


def _conv_features_mistake(relu=True, centred=True):
    def conv_features(cnn, ids):
        table = cnn.get_layer(index=1).get_weights()[0]
        W, b = cnn.get_layer("conv").get_weights()
        K = W.shape[0]
        x = np.pad(table[ids], ((K // 2, K - 1 - K // 2) if centred else (0, K - 1), (0, 0)))
        a = np.stack([np.einsum("ke,kef->f", x[t:t + K], W) + b for t in range(len(ids))])
        return np.maximum(a, 0) if relu else a
    return lambda ns: {"conv_features": conv_features}


# ---------------------------------------------------------------- notebook 05
def _nb05():
    import torch

    import course_utils as cu
    from course_utils import language_model as lm

    text = ("And the island lay on the sea. What say you to the lord? The sailors walked to the "
            "shore, and the engineer looked at the sky. ") * 20
    vocab = cu.Vocab.build([text], level="char")
    ids = np.array(vocab.encode(text), dtype=np.int64)
    train_ids, valid_ids = lm.split_ids(ids, validation=0.4)
    model = _char_lm05(len(vocab), tuple(train_ids))
    return dict(np=np, torch=torch, cu=cu, lm=lm, vocab=vocab, V=len(vocab), train_ids=train_ids,
                valid_ids=valid_ids, model=model, device=torch.device("cpu"), is_novel=False,
                eval_carry=lm.bits_per_char(model, valid_ids, seq_len=25), print=lambda *a, **k: None)


@functools.cache
def _char_lm05(V, train_ids):
    """A small LSTM language model, trained for a few steps: its context matters."""
    import torch

    from course_utils import language_model as lm
    from course_utils.training import fit_language_model

    torch.manual_seed(0)
    model = lm.CharLM(V, embed_dim=8, hidden_size=32)
    fit_language_model(model, np.array(train_ids), np.array(train_ids[:200]), epochs=10, batch_size=8,
                       seq_len=16, lr=1e-2, progress=False)
    return model


def _trigram_mistake(log=np.log2, joint=False):
    def trigram_bits_per_char(train_ids, valid_ids, V):
        counts = np.ones((V, V, V))
        np.add.at(counts, (train_ids[:-2], train_ids[1:-1], train_ids[2:]), 1.0)
        p = counts / (counts.sum() if joint else counts.sum(axis=2, keepdims=True))
        return float(-log(p)[valid_ids[:-2], valid_ids[1:-1], valid_ids[2:]].mean())
    return lambda ns: {"trigram_bits_per_char": trigram_bits_per_char}


def _lstm_lm_mistake(order="ifgo", bias_hh=True, first_layer_only=False):
    """A learner's ``lstm_lm_by_hand`` with one known mistake (the check's own reference loop)."""
    from course_utils.exercises import nb05

    def lstm_lm_by_hand(model, idx):
        return nb05._lstm_lm(model, idx, order=order, bias_hh=bias_hh,
                             layers=1 if first_layer_only else None)
    return lambda ns: {"lstm_lm_by_hand": lstm_lm_by_hand}


def _continuation_mistake(kind):
    def continuation_mistake(ns):
        torch, vocab = ns["torch"], ns["vocab"]

        def continuation_bits(model, prefix, continuation):
            ids_ = torch.tensor([vocab.encode(prefix + continuation)])
            model.eval()
            with torch.no_grad():
                logp = torch.log_softmax(model(ids_[:, :-1])[0][0], -1)
            targets = ids_[0, 1:]
            nats = -logp[torch.arange(len(targets)), targets]
            if kind == "nats":
                return nats[-len(continuation):].sum().item()
            bits = nats / np.log(2)
            return bits.sum().item() if kind == "prompt too" else bits[-len(continuation):].mean().item()
        return {"continuation_bits": continuation_bits}
    return continuation_mistake


# ---------------------------------------------------------------- notebook 06
def _nb06():
    import torch

    from course_utils import attention

    g = torch.Generator().manual_seed(0)
    E, heads = 16, 4
    words = ["<pad>", "<s>", "i", "like", "cats", "me", "gustan", "los", "gatos"]
    vocab = type("Vocab", (), {"itos": words})
    return dict(torch=torch, np=np, attention=attention, g=g, d=8, E=E, heads=heads,
                ours=attention.MultiHeadAttention(E, heads).eval(), print=lambda *a, **k: None,
                models={"Transformer": None}, src_ids=[[2, 3, 4, 0]], tgt_in_ids=[[1, 5, 6, 7, 8, 0]],
                src_vocab=vocab, tgt_vocab=vocab)


def _per_head(ns):
    """Per-head weights as a trained Transformer gives them: 4 heads, 5 target x 6 source words."""
    w = np.random.default_rng(0).random((4, 5, 6)) ** 4
    w /= w.sum(-1, keepdims=True)
    return {"per_head": w, "agree": float((w.argmax(-1) == w.mean(0).argmax(-1)).mean())}


def _mha_no_scale(ns):
    torch = ns["torch"]

    def mha_by_hand(mha, x, h):
        B, T, E = x.shape
        split = lambda t: t.view(B, T, h, E // h).transpose(1, 2)    # noqa: E731
        q, k, v = split(mha.q_proj(x)), split(mha.k_proj(x)), split(mha.v_proj(x))
        per_head = torch.softmax(q @ k.transpose(-2, -1), dim=-1) @ v          # no / sqrt(d_k)
        return mha.out_proj(per_head.transpose(1, 2).reshape(B, T, E))
    return {"mha_by_hand": mha_by_hand}


CASES: dict[tuple[str, str], Case] = {
    ("01", "ex1"): Case(
        "`flat_one_hot` on 4 sequences equals the concatenated one-hot vectors (shape "
        "`(4, seq_len·V)`); `flat_acc` ≥ 0.8",
        _nb01, {
            "summed one-hots (a bag of words)": (_bag_of_words, "that sums the one-hot vectors"),
            "an MLP that did not learn": (lambda ns: {"flat_acc": 0.55}, "flat_acc = 0.550"),
        }, solution=lambda ns: {"flat_acc": 0.93}, exec_cells=1),
    ("01", "ex2"): Case(
        "`x_scrambled` shuffles within rows; both accuracies recomputed from the GRU's predictions: "
        "0.4–0.6 against the labels, > 0.8 against the new order",
        _nb01, {
            "whole rows shuffled": (
                lambda ns: {"x_scrambled": np.random.default_rng(0).permutation(ns["x_test"])},
                "you shuffled whole sequences"),
            "order_acc against the old labels": (lambda ns: {"order_acc": ns["scrambled_acc"]},
                                                 "is the score against the old labels"),
        }),
    ("01", "ex3"): Case(
        "`predicted` equals `gru.count_params()`; a missing bias, block, embedding or dense layer is named",
        lambda: _nb01("gru"), {
            "one bias per block": (lambda ns: {"predicted": ns["predicted"] - 3 * 16},
                                   "one bias vector per block"),
            "embedding left out": (lambda ns: {"predicted": ns["predicted"] - 80},
                                   "the embedding is missing"),
        }),
    ("01", "ex4"): Case(
        "`conv_by_hand` equals `keras.layers.Conv1D` (relu) on random weights (1e-4); a missing relu, "
        "a flipped kernel or a missing bias is named",
        lambda: _nb01("cnn"), {
            "no relu": (_conv_no_relu, "no relu"),
            "flipped kernel": (_conv_flipped, "you flipped the kernel"),
        }),
    ("01", "ex5"): Case(
        "`dilated_field` = 1 + (k−1)·Σ rates; the field is longer than `max(distances)`; accuracy ≥ 0.9 "
        "at every distance",
        _nb01, {
            "rates 1, 2, 4 on laptop's distances (up to 32)": (
                _dilated([1, 2, 4], (1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32)),
                "the receptive field is 15, so distances up to 14 fit in one window, but section 6 tests "
                "distances up to 32: accuracy at distance 16 is 0.52"),
            "field computed as 1 + k·Σ rates": (_dilated([1, 2, 3], field=19),
                                                "1 + (k - 1) * sum(dilations) = 13"),
            "a field that covers, a model that did not learn": (_dilated([1, 2, 3], acc=0.6),
                                                               "accuracy at distance 1 is 0.60"),
        }, solution=_dilated([1, 2, 3]), exec_cells=0),

    ("02", "ex1"): Case(
        "`lstm_step` on fresh `torch.nn.LSTM` weights: every hidden state equals PyTorch's (1e-5); "
        "known mistakes named",
        _nb02, {
            "output gate with tanh": (_lstm_tanh_gate, "output gate uses tanh"),
            "no forget gate": (_lstm_no_forget, "forgets nothing"),
            "returns H only": (lambda ns: {"lstm_step": lambda p, X, H, C: H}, "must return the pair (H, C)"),
        }),
    ("02", "ex2"): Case(
        "`predicted` equals Keras' (both `reset_after`) and PyTorch's counts",
        _nb02, {
            "one bias per block for reset_after=True": (
                lambda ns: {"predicted": {**ns["predicted"], "keras reset_after=True": 3 * 32 * 333}},
                "one bias vector per block too few"),
            "an LSTM's four blocks": (
                lambda ns: {"predicted": dict(ns["predicted"], torch=4 * 32 * 334)}, "LSTM's count"),
        }),
    ("02", "ex3"): Case(
        "the textbook GRU with the learner's $Z'$ weights equals `GRUCell.run` at every step",
        _nb02, {
            "the same weights": (lambda ns: {"textbook_gate_weights": lambda c: (c.W_xz, c.W_hz, c.b_z)},
                                 "you need Z' = 1 - Z"),
            "bias not negated": (lambda ns: {"textbook_gate_weights": lambda c: (-c.W_xz, -c.W_hz, c.b_z)},
                                 "the bias too"),
        }),
    ("02", "ex4"): Case(
        "`after`, `before` equal the two `GRUCell` runs; `first_difference` is the first step "
        "that differs (2)",
        _nb02, {
            "'they differ from step 1'": (_first_difference(1), "H_0 = 0"),
            "b_hh kept in `after`": (lambda ns: {"after": ns["gru_after"].run(ns["xs"])},
                                     "still uses the trained b_hh"),
        }),
    ("03", "ex1"): Case(
        "`unknown_words`, `unknown_chars` recomputed from the vocabularies; `mine` has two sentences "
        "that differ in one made-up word and a never-seen character; `char_out`, `word_out` equal "
        "both models' beam search (width 4)",
        _nb03, {
            "greedy word translations": (
                lambda ns: {"word_out": ns["seq2seq"].translate_words(
                    ns["word_encoder"], ns["word_decoder"], ns["source_vocab"], ns["target_vocab"],
                    ns["mine"], max_len=ns["max_words"], beam_width=1)}, "greedy"),
            "an unknown word left out": (lambda ns: {"unknown_words": ns["unknown_words"][1:]},
                                         "you left out"),
            "no pair of made-up words": (_mine_without_a_pair, "no two sentences of mine"),
        }),
    ("03", "ex2"): Case(
        "`long_beam` equals beam search with `length_penalty=1.0` (98% of the sentences: ties); "
        "`mean_length` (characters) and `chrf` recomputed for α = 0 and 1",
        _nb03, {
            "no penalty": (lambda ns: {"long_beam": ns["char_beam"]}, "long_beam is char_beam"),
            "length in words": (
                lambda ns: {"mean_length": {a: float(np.mean([len(o.split()) for o in outs]))
                                            for a, outs in ns["outputs"].items()}}, "that counts words"),
            "BLEU for chrF": (lambda ns: {"chrf": {a: ns["metrics"].bleu(outs, ns["test_refs"])
                                                   for a, outs in ns["outputs"].items()}}, "that is BLEU"),
        }),
    ("03", "ex3"): Case(
        "`acc_all`, `acc_real` equal `metrics.token_accuracy` without and with the mask `real`; "
        "`pad_share` = 1 − mean(real)",
        _nb03, {
            "real positions not kept": (lambda ns: {"acc_real": ns["acc_all"]}, "over all positions"),
            "share of real positions": (lambda ns: {"pad_share": 1 - ns["pad_share"]},
                                        "share of real positions"),
        }),
    ("03", "ex4"): Case(
        "`no_4gram` counts the outputs with no matching 4-gram; `sentence_bleu` equals sacrebleu's "
        "(smoothed) for every sentence",
        _nb03, {
            "a share, not a count": (lambda ns: {"no_4gram": ns["no_4gram"] / len(ns["word_beam"])},
                                     "not their share"),
            "unsmoothed": (lambda ns: {"sentence_bleu": [__import__("sacrebleu").sentence_bleu(
                o, r, smooth_method="none").score for o, r in zip(ns["word_beam"], ns["test_refs"])]},
                "unsmoothed"),
        }),

    ("04", "ex1"): Case(
        "`first_tokens`, `last_tokens` keep the first / last `max_len` tokens of a made-up review; "
        "`cut_acc` equals two bags trained again on the cuts (1e-6)",
        _nb04, {
            "characters, not tokens": (lambda ns: {"first_tokens": lambda t: t[:ns["sizes"].max_len]},
                                       "characters"),
            "the same end twice": (lambda ns: {"first_tokens": ns["last_tokens"]}, "the other end"),
            "test reviews not cut": (_cut_acc_whole_test, "scores the whole test reviews"),
        }),
    ("04", "ex2"): Case(
        "the three counts equal Keras' `count_params`; PyTorch's two LSTM biases, one GRU direction or "
        "a missing Conv1D bias is named",
        _nb04, {
            "two biases per LSTM block": (
                lambda ns: {"lstm_params": ns["lstm_params"] + 4 * ns["H"]}, "two bias vectors per block"),
            "one direction": (lambda ns: {"bigru_params": ns["V"] * ns["E"] + 3 * (
                ns["E"] * ns["H"] + ns["H"] ** 2 + 2 * ns["H"]) + ns["H"] + 1}, "one direction only"),
            "no Conv1D bias": (lambda ns: {"cnn_params": ns["cnn_params"] - ns["F"]}, "biases are missing"),
        }),
    ("04", "ex3"): Case(
        "`unmasked` has `mask_zero=False` and R1's weights; `p_mask`, `p_nomask` equal both networks' "
        "answers for the review + 0, 50, 200 pads (1e-4)",
        _nb04, {
            "the mask kept": (lambda ns: {"unmasked": ns["r1"]}, "still masks"),
            "pads in front": (
                lambda ns: {"p_nomask": {e: float(ns["unmasked"].predict(ns["cu"].pad_sequences(
                    ns["review"], maxlen=len(ns["review"][0]) + e, padding="pre"), verbose=0)[0, 0])
                    for e in (0, 50, 200)}}, "in front of the review"),
        }),
    ("04", "ex4"): Case(
        "`most_positive`, `most_negative` are the ten largest / most negative weights; `not_rank` "
        "counts the smaller weights",
        _nb04, {
            "ends swapped": (lambda ns: {"most_positive": ns["most_negative"]}, "other end"),
            "rank from the most positive": (
                lambda ns: {"not_rank": int(np.sum(ns["weights"] > ns["weight"]["not"]))},
                "counts from the most positive"),
        }),
    ("04", "ex5"): Case(
        "`conv_features` equals the Conv1D's relu outputs on random weights (1e-4); a missing relu or "
        "an uncentred window is named",
        _nb04, {
            "no relu": (_conv_features_mistake(relu=False), "no relu"),
            "window not centred": (_conv_features_mistake(centred=False), "not centred"),
        }, exec_cells=1),
    ("05", "ex1"): Case(
        "`trigram_bits_per_char` equals add-one triple counts on a made-up text (1e-6); nats, the "
        "joint p(a, b, c), no smoothing or the bigram are named",
        _nb05, {
            "natural log (nats)": (_trigram_mistake(log=np.log), "that is in nats"),
            "divided by all triples": (_trigram_mistake(joint=True), "p(c | a, b) divides by the count"),
            "the bigram": (lambda ns: {"trigram_bits_per_char": ns["lm"].bigram_bits_per_char},
                           "that is the bigram's score"),
        }, exec_cells=1),
    ("05", "ex2"): Case(
        "every score of `by_context` equals `lm.bits_per_char(model, valid_ids, seq_len=k, "
        "carry_state=False)` (1e-3); `enough_k` is the first k within 0.05 bpc of `eval_carry`",
        _nb05, {
            "the state carried": (
                lambda ns: {"by_context": [ns["lm"].bits_per_char(ns["model"], ns["valid_ids"], seq_len=k)
                                           for k in ns["ks"]]}, "pass carry_state=False"),
            "scored on the training text": (
                lambda ns: {"by_context": [ns["lm"].bits_per_char(ns["model"], ns["train_ids"], seq_len=k,
                                                                  carry_state=False) for k in ns["ks"]]},
                "but the model restarted every 4 characters scores"),
            "a score where a k is asked for": (lambda ns: {"enough_k": ns["by_context"][-1]},
                                               "but by_context gives"),
        }, exec_cells=1),
    ("05", "ex3"): Case(
        "`lstm_lm_by_hand` equals a fresh two-layer `CharLM`'s logits (1e-5); a wrong gate order, a "
        "missing `bias_hh` or a single layer is named",
        _nb05, {
            "gates in the order i, f, o, g": (_lstm_lm_mistake(order="ifog"), "wrong order"),
            "bias_hh left out": (_lstm_lm_mistake(bias_hh=False), "bias_hh is missing"),
            "the first layer only": (_lstm_lm_mistake(first_layer_only=True), "only the first layer ran"),
        }),
    ("05", "ex4"): Case(
        "`continuation_bits` equals the model's own −log₂ p summed over the continuation, on three "
        "prompts (1e-3); nats, the prompt counted too or a mean are named",
        _nb05, {
            "nats": (_continuation_mistake("nats"), "that is in nats"),
            "the prompt's bits counted too": (_continuation_mistake("prompt too"), "the prompt's characters"),
            "mean per character": (_continuation_mistake("mean"), "the mean per character"),
        }, exec_cells=1),
    ("06", "ex1"): Case(
        "`my_causal_mask(5)` is a bool tensor equal to the lower triangle (diagonal included)",
        _nb06, {
            "upper triangle": (
                lambda ns: {"my_causal_mask": lambda T: ns["torch"].ones(T, T).triu().bool()}, "later keys"),
            "diagonal excluded": (
                lambda ns: {"my_causal_mask": lambda T: ns["torch"].ones(T, T).tril(-1).bool()},
                "its own position"),
        }),
    ("06", "ex2"): Case(
        "`mha_by_hand(mha, x, h)` equals `MultiHeadAttention` on fresh weights (1e-5); a missing "
        "1/√d_k or `out_proj` is named",
        _nb06, {
            "no 1/sqrt(d_k)": (_mha_no_scale, "not divided by sqrt(d_k)"),
        }, exec_cells=1),
    ("06", "ex3"): Case(
        "`per_head` has 3 axes (h, T_y, T_x), rows summing to 1; `agree` equals the share recomputed from it",
        _nb06, {
            "the averaged map (2 axes)": (lambda ns: {"per_head": ns["per_head"].mean(0)}, "has 2 axes"),
            "agreement with head 0, not the average": (
                lambda ns: {"agree": float((ns["per_head"].argmax(-1)
                                            == ns["per_head"][0].argmax(-1)).mean())},
                "but per_head gives"),
        }, solution=_per_head, exec_cells=0),
}


def table() -> str:
    from course_utils import exercises

    lines = ["| exercise | what the check tests | solution | blank | wrong answer → message |",
             "|---|---|---|---|---|"]
    for (nb, name), case in CASES.items():
        _, args = question_cells(nb, name)
        results = {}
        for kind in ("solution", "blank"):
            ns = answers(nb, name, case, kind)
            results[kind] = exercises.result(nb, name, *(ns[a] for a in args))
        wrong = []
        solved = answers(nb, name, case, "solution")
        for label, (change, _) in case.wrong.items():
            ns = dict(solved, **change(solved))
            status, message = exercises.result(nb, name, *(ns[a] for a in args))
            wrong.append(f"{label}: {status}, “{message}”")
        lines.append(f"| {nb} {name} | {case.tests} | {results['solution'][0]} | "
                     f"{results['blank'][0]} | {'<br>'.join(wrong)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
