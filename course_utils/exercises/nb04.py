"""Checks and hints of notebook 04's exercises (04_sentiment_classification)."""

from __future__ import annotations

import numpy as np

from . import Exercise, NotAttempted, Wrong, as_array, first_match, fraction, require, same_shape

UNIGRAMS = "bag of words (unigrams)"
R1, R4 = "R1 · LSTM, last state", "R4 · BiGRU, mean"
PADS = (0, 50, 200)                    # exercise 3: extra padding steps


def _tokens(text):
    from ..text import tokenize

    return tokenize(text, level="word", lowercase=True)


# ---------------------------------------------------------------- exercise 1: which end of a review
def _cut_accuracy(cut, train_bag_of_words, train_texts, y_train, test_texts, y_test, vocab_size,
                  cut_test=True):
    vectorizer, classifier, _ = train_bag_of_words([cut(t) for t in train_texts], y_train, (1, 1),
                                                   vocab_size)
    test = [cut(t) for t in test_texts] if cut_test else list(test_texts)
    p = classifier.predict_proba(vectorizer.transform(test))[:, 1]
    return float(np.mean((p > 0.5) == np.asarray(y_test)))


def check_ex1(first_tokens, last_tokens, cut_acc, train_bag_of_words, train_texts, y_train, test_texts,
              y_test, sizes):
    require(("first_tokens", first_tokens), ("last_tokens", last_tokens), ("cut_acc", cut_acc))
    n = sizes.max_len
    words = [f"w{i}" for i in range(n + 7)]
    review = "Word " + ", ".join(words[:n // 2]) + ". And " + " ".join(words[n // 2:]) + "!"
    whole = _tokens(review)
    for fn, name, right, other in ((first_tokens, "first_tokens", whole[:n], whole[-n:]),
                                   (last_tokens, "last_tokens", whole[-n:], whole[:n])):
        got = fn(review)
        if got is None or got is Ellipsis:
            raise NotAttempted(f"{name} returns nothing yet.")
        if not isinstance(got, str):
            raise Wrong(f"{name}(text) should return the kept tokens as one string (the vectorizer "
                        f"reads text), got {type(got).__name__}.")
        kept = _tokens(got)
        if kept == right:
            continue
        if kept == other:
            raise Wrong(f"{name} keeps the other end of the review.")
        if got in (review[:n], review[-n:]):
            raise Wrong(f"{name} cuts {n} characters; max_len counts tokens, as "
                        "cu.text.tokenize(text, 'word', lowercase=True) splits them.")
        raise Wrong(f"{name} keeps {len(kept)} tokens of a {len(whole)}-token review, expected the "
                    f"{'first' if name == 'first_tokens' else 'last'} {n} (split with "
                    "cu.text.tokenize(text, 'word', lowercase=True), as tokens() does).")
    if not isinstance(cut_acc, dict) or set(cut_acc) != {"first_tokens", "last_tokens"}:
        raise Wrong('cut_acc should be a dict {"first_tokens": accuracy, "last_tokens": accuracy}.')
    given = {k: fraction(v, f"cut_acc[{k!r}]") for k, v in cut_acc.items()}
    cuts = {"first_tokens": lambda t: " ".join(_tokens(t)[:n]),
            "last_tokens": lambda t: " ".join(_tokens(t)[-n:])}
    data = (train_bag_of_words, train_texts, y_train, test_texts, y_test, sizes.vocab_size)
    for name, cut in cuts.items():
        truth = _cut_accuracy(cut, *data)
        if abs(given[name] - truth) < 1e-6:
            continue
        if abs(given[name] - _cut_accuracy(cut, *data, cut_test=False)) < 1e-6:
            raise Wrong(f"cut_acc[{name!r}] = {given[name]:.4f} scores the whole test reviews: cut them the "
                        f"same way as the training reviews (that gives {truth:.4f}).")
        raise Wrong(f"cut_acc[{name!r}] = {given[name]:.4f}, but the unigram bag trained and tested on "
                    f"{name.replace('_', ' ')} scores {truth:.4f}.")


# ---------------------------------------------------------------- exercise 2: parameter counts
def check_ex2(lstm_params, bigru_params, cnn_params, models, c1):
    require(("lstm_params", lstm_params), ("bigru_params", bigru_params), ("cnn_params", cnn_params))
    from ..training import count_parameters

    r1, r4, cnn = models[R1], models[R4], models[c1]
    V, E = (int(s) for s in next(w for w in r1.get_weights()).shape)           # embedding table
    H = r1.layers[-1].get_weights()[0].shape[0]                                  # dense input
    K, _, F = cnn.get_layer("conv").get_weights()[0].shape
    counts = {"lstm_params": (lstm_params, count_parameters(r1), {
        V * E + 4 * (E * H + H * H + 2 * H) + H + 1: "two bias vectors per block: that is PyTorch's "
                                                     "LSTM; Keras' has one",
        V * E + 3 * (E * H + H * H + H) + H + 1: "three blocks: an LSTM has four (input, forget, cell, "
                                                 "output)",
        4 * (E * H + H * H + H) + H + 1: "the embedding is missing: V x E numbers"}),
        "bigru_params": (bigru_params, count_parameters(r4), {
            V * E + 2 * 3 * (E * H + H * H + H) + 2 * H + 1: "one bias per block: with reset_after=True "
                                                             "Keras' GRU keeps two",
            V * E + 3 * (E * H + H * H + 2 * H) + H + 1: "one direction only: a bidirectional layer has "
                                                         "two GRUs, and the dense layer reads 2H numbers",
            V * E + 2 * 3 * (E * H + H * H + 2 * H) + H + 1: "the dense layer reads both directions, 2H "
                                                             "numbers, plus its bias"}),
        "cnn_params": (cnn_params, count_parameters(cnn), {
            V * E + K * E * F + F + 1: "the Conv1D's F biases are missing",
            V * E + E * F + F + F + 1: "a filter spans K words: K x E x F weights"})}
    for name, (given, truth, known) in counts.items():
        try:
            given = int(given)
        except (TypeError, ValueError):
            raise Wrong(f"{name} should be a whole number, got {given!r}.") from None
        if given != truth:
            why = known.get(given, f"{given - truth:+,}")
            raise Wrong(f"{name} = {given:,}, but Keras counts {truth:,}: {why}.")


# ---------------------------------------------------------------- exercise 3: what masking buys
def _by_pads(value, name):
    try:
        keys = {int(k) for k in value} if isinstance(value, dict) else None
    except (TypeError, ValueError):
        keys = None
    if keys != set(PADS):
        raise Wrong(f"{name} should be a dict {{0: p, 50: p, 200: p}}: one answer per number of extra pads.")
    return {int(k): float(np.asarray(v).reshape(-1)[0]) for k, v in value.items()}


def check_ex3(unmasked, p_mask, p_nomask, r1, review):
    require(("unmasked", unmasked), ("p_mask", p_mask), ("p_nomask", p_nomask))
    import keras

    from ..text import pad_sequences

    embedding = next((layer for layer in unmasked.layers if isinstance(layer, keras.layers.Embedding)), None)
    if embedding is None:
        raise Wrong("unmasked should be rung R1's network (Embedding, LSTM, Dense) without the mask.")
    if embedding.mask_zero:
        raise Wrong("unmasked still masks the padding: build its Embedding with mask_zero=False.")
    mine, theirs = unmasked.get_weights(), r1.get_weights()
    if len(mine) != len(theirs) or not all(a.shape == b.shape and np.allclose(a, b)
                                           for a, b in zip(mine, theirs)):
        raise Wrong("unmasked should hold rung R1's weights: unmasked.set_weights(r1.get_weights()).")
    p_mask, p_nomask = _by_pads(p_mask, "p_mask"), _by_pads(p_nomask, "p_nomask")
    for name, given, model in (("p_mask", p_mask, r1), ("p_nomask", p_nomask, unmasked)):
        for extra in PADS:
            ids = pad_sequences(review, maxlen=len(review[0]) + extra)                 # (1, T + extra)
            truth = float(model.predict(ids, verbose=0)[0, 0])
            if abs(given[extra] - truth) < 1e-4:
                continue
            pre = float(model.predict(pad_sequences(review, maxlen=len(review[0]) + extra, padding="pre"),
                                      verbose=0)[0, 0])
            if abs(given[extra] - pre) < 1e-4:
                raise Wrong(f"{name}[{extra}]: the padding is in front of the review; the notebook pads at "
                            "the end (cu.pad_sequences' default, padding='post').")
            other = r1 if model is unmasked else unmasked
            if abs(given[extra] - float(other.predict(ids, verbose=0)[0, 0])) < 1e-4 and extra:
                raise Wrong(f"{name}[{extra}] is the {'masked' if other is r1 else 'unmasked'} network's "
                            "answer: p_mask comes from r1, p_nomask from unmasked.")
            raise Wrong(f"{name}[{extra}] = {given[extra]:.4f}, but the network gives {truth:.4f} for the "
                        f"review followed by {extra} pads.")


# ---------------------------------------------------------------- exercise 4: what the bag learnt
def check_ex4(most_positive, most_negative, not_rank, bags):
    require(("most_positive", most_positive), ("most_negative", most_negative), ("not_rank", not_rank))
    vectorizer, classifier = bags[UNIGRAMS]
    words = vectorizer.get_feature_names_out()
    weights = classifier.coef_[0]                                         # (features,)
    order = np.argsort(weights)
    top, bottom = set(words[order[::-1][:10]]), set(words[order[:10]])
    by_size = set(words[np.argsort(-np.abs(weights))[:10]])
    for name, given, right, other in (("most_positive", most_positive, top, bottom),
                                      ("most_negative", most_negative, bottom, top)):
        if isinstance(given, str) or len(given) != 10:
            raise Wrong(f"{name} should be a list of ten words.")
        given = {str(w) for w in given}
        if given == right:
            continue
        if given == other:
            raise Wrong(f"{name} holds the words at the other end: the most "
                        f"{'negative' if name == 'most_positive' else 'positive'} weights.")
        if given == by_size:
            raise Wrong(f"{name} holds the ten largest weights by size, of either sign.")
        raise Wrong(f"{name} should be the ten words with the "
                    f"{'largest' if name == 'most_positive' else 'most negative'} weights; "
                    f"{sorted(given - right)[:3]} are not among them.")
    w_not = weights[list(words).index("not")]
    rank = int(np.sum(weights < w_not))
    try:
        given = int(not_rank)
    except (TypeError, ValueError):
        raise Wrong(f"not_rank should be a whole number, got {not_rank!r}.") from None
    if given != rank:
        why = (": that counts from the most positive" if given == int(np.sum(weights > w_not)) else "")
        raise Wrong(f"not_rank = {given:,}, but {rank:,} of the {len(words):,} words have a smaller weight "
                    f"than 'not' ({w_not:+.2f}){why}.")


# ---------------------------------------------------------------- exercise 5: the CNN's features
def _features(table, W, b, ids, relu=True, bias=True, front=None):
    K = W.shape[0]
    before = K // 2 if front is None else front
    x = np.pad(table[ids], ((before, K - 1 - before), (0, 0)))                   # (T + K - 1, E)
    a = np.stack([np.einsum("ke,kef->f", x[t:t + K], W) for t in range(len(ids))]) + (b if bias else 0)
    return np.maximum(a, 0) if relu else a                                       # (T, F)


def check_ex5(conv_features):
    require(("conv_features", conv_features))
    import keras

    from ..sentiment import build_cnn_classifier

    rng = np.random.default_rng(5)
    cnn = build_cnn_classifier(40, 6, 8, kernel_size=5, pooling="max")
    embedding = next(layer for layer in cnn.layers if isinstance(layer, keras.layers.Embedding))
    conv = cnn.get_layer("conv")
    table = rng.normal(size=embedding.get_weights()[0].shape).astype("float32")     # (V, E)
    W, b = conv.get_weights()
    W, b = rng.normal(size=W.shape).astype("float32"), rng.normal(size=b.shape).astype("float32")
    embedding.set_weights([table])
    conv.set_weights([W, b])
    ids = rng.integers(1, 40, size=9)                                                # (T,) real tokens
    got = conv_features(cnn, ids)
    if got is None or got is Ellipsis:
        raise NotAttempted("conv_features returns nothing yet.")
    got = as_array(got, "conv_features(cnn, ids)")
    same_shape(got, (9, 8), "conv_features(cnn, ids) for 9 real tokens and 8 filters",
               "one row per real token (padding='same'), one column per filter")
    right = _features(table, W, b, ids)
    padded = np.zeros((1, 16), "int64")
    padded[0, :9] = ids
    pooled = keras.Model(cnn.inputs, cnn.get_layer("max_over_time").output)
    layer = pooled.predict(padded, verbose=0)[0]                                     # (F,)
    assert np.allclose(right.max(0), layer, atol=1e-4), "the reference differs from the layer"
    if np.allclose(got, right, atol=1e-4):
        return
    known = first_match(got, {
        "no relu: the layer applies max(0, ·) after the sum and the bias":
            _features(table, W, b, ids, relu=False),
        "the bias is missing": _features(table, W, b, ids, bias=False),
        "the window is not centred: padding='same' adds K // 2 zero vectors before the first token "
        "and K - 1 - K // 2 after the last": _features(table, W, b, ids, front=0),
    }, atol=1e-4)
    raise Wrong(f"{known}." if known else
                f"conv_features differs from the Conv1D by up to {np.abs(got - right).max():.2g} "
                f"(a fresh CNN with random weights); its maximum over t differs from the "
                f"'max_over_time' layer by up to {np.abs(got.max(0) - layer).max():.2g}.")


EXERCISES = {
    "ex1": Exercise(check_ex1, "tokens(text)[:sizes.max_len] and tokens(text)[-sizes.max_len:], joined "
                    "with spaces; train_bag_of_words(cut texts, y_train, (1, 1), sizes.vocab_size) "
                    "returns (vectorizer, classifier, seconds); cut the test texts the same way."),
    "ex2": Exercise(check_ex2, "LSTM: 4 blocks of (E x H + H x H + H); Keras' GRU with reset_after=True: "
                    "3 blocks of (E x H + H x H + 2H), twice for two directions; the dense layer reads H "
                    "(2H for the BiGRU) numbers plus a bias; Conv1D: K x E x F + F."),
    "ex3": Exercise(check_ex3, "build R1's layers again with mask_zero=False, then "
                    "unmasked.set_weights(r1.get_weights()); cu.pad_sequences(review, maxlen=len(review[0]) "
                    "+ extra) pads at the end."),
    "ex4": Exercise(check_ex4, "np.argsort(classifier.coef_[0]) runs from the most negative to the most "
                    "positive weight; not_rank = how many weights are smaller than that of 'not'."),
    "ex5": Exercise(check_ex5, "x = np.pad(table[ids], ((K // 2, K - 1 - K // 2), (0, 0))); at position t, "
                    "np.einsum('ke,kef->f', x[t:t + K], W) + b, then the relu. The embedding table is the "
                    "Embedding layer's weight, W and b the layer named 'conv'."),
}
