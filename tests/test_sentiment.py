"""course_utils.sentiment (notebook 04): cleaning, the shuffle probe, metrics, the model builders."""

import numpy as np
import pytest

import course_utils as cu
from course_utils.sentiment import (
    binary_metrics,
    build_cnn_classifier,
    build_rnn_classifier,
    clean_review,
    most_confident_mistakes,
    shuffle_ids,
    shuffle_words,
)

# ------------------------------------------------------------------------ clean_review


def test_clean_review_removes_line_breaks_tags_and_entities():
    raw = "Great film.<br /><br />I <i>loved</i> it &amp; cried &quot;a lot&quot;.<br/>"
    assert clean_review(raw) == 'Great film. I loved it & cried "a lot".'


def test_clean_review_keeps_comparisons_that_are_not_tags():
    assert clean_review("a < b and c > d") == "a < b and c > d"
    assert clean_review("  spaces\n\tand   tabs ") == "spaces and tabs"


def test_clean_review_rejects_non_text():
    with pytest.raises(ValueError, match="expects a str.*one review at a time"):
        clean_review(["a list"])


# ----------------------------------------------------------------------- shuffle_words


def test_shuffle_words_keeps_the_words_and_changes_the_order():
    texts = ["one two three four five six seven eight", "not good at all", "single"]
    shuffled = shuffle_words(texts, seed=1)
    assert len(shuffled) == len(texts)
    for before, after in zip(texts, shuffled):
        assert sorted(before.split()) == sorted(after.split())
    assert shuffled[0] != texts[0]
    assert shuffled == shuffle_words(texts, seed=1)          # deterministic
    assert shuffle_words(texts, seed=2) != shuffled


@pytest.mark.parametrize("bad, message", [
    ([], "empty"),
    ("one review", "not one str"),
    (["ok", 3], r"texts\[1\] is a int"),
])
def test_shuffle_words_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        shuffle_words(bad)


def test_shuffle_ids_permutes_real_tokens_and_keeps_padding():
    ids = cu.pad_sequences([[4, 5, 6, 7, 8, 9], [10, 11], [12]], maxlen=7)
    shuffled = shuffle_ids(ids, seed=0)
    assert shuffled.shape == ids.shape and shuffled.dtype == ids.dtype
    assert ((shuffled == 0) == (ids == 0)).all(), "padding stays where it was"
    for before, after in zip(ids, shuffled):
        assert sorted(before) == sorted(after)
    assert (shuffled[0] != ids[0]).any()
    assert (ids[0] == [4, 5, 6, 7, 8, 9, 0]).all(), "the input is not modified"
    pre = cu.pad_sequences([[4, 5, 6]], maxlen=5, padding="pre")
    assert (shuffle_ids(pre, seed=3)[0, :2] == 0).all()


@pytest.mark.parametrize("bad", [np.zeros((0, 3), int), np.array([1, 2, 3]), np.ones((2, 3))])
def test_shuffle_ids_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="non-empty 2-D int array"):
        shuffle_ids(bad)


def test_shuffle_ids_rejects_a_bad_pad_id():
    with pytest.raises(ValueError, match="pad_id='0' must be an int"):
        shuffle_ids(np.ones((2, 3), int), pad_id="0")


# ---------------------------------------------------------------------- binary_metrics


def test_binary_metrics_counts_and_auc():
    labels = np.array([0, 0, 1, 1, 1])
    probs = np.array([[0.1], [0.7], [0.8], [0.6], [0.3]])           # Keras shape (N, 1)
    m = binary_metrics(labels, probs)
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["roc_auc"] == pytest.approx(4 / 6)    # pairs (neg, pos) ranked right: 4 of 6
    assert m["confusion"].tolist() == [[1, 1], [1, 2]]


@pytest.mark.parametrize("labels, probs, message", [
    ([0, 1, 1], [0.2, 0.9], "Mismatched lengths"),
    ([0, 1], [0.2, 1.7], r"probabilities in \[0, 1\]"),
    ([0, 2], [0.2, 0.7], "must be 0 .negative. or 1"),
    ([1, 1], [0.2, 0.7], "needs both classes"),
    ([], [], "empty"),
    ([[0, 1]], [[0.1, 0.2]], "must be 1-D"),
    ([0, 1], [0.2, float("nan")], r"probs\[1\] is nan"),
    ([0, 1], [0.2, float("inf")], r"probs\[1\] is inf"),
    ([0, 1], [-0.1, 0.5], "found values from -0.1"),
    ([0, 1], "0.2 0.7", "not a str"),
    ([0, 1], ["low", "high"], "must be numbers"),
])
def test_binary_metrics_rejects_bad_input(labels, probs, message):
    with pytest.raises(ValueError, match=message):
        binary_metrics(labels, probs)


@pytest.mark.parametrize("threshold", [0, 1, 1.5, "0.5", True])
def test_binary_metrics_rejects_bad_threshold(threshold):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        binary_metrics([0, 1], [0.2, 0.7], threshold=threshold)


def test_binary_metrics_threshold_moves_the_decision():
    assert binary_metrics([0, 1, 1], [0.2, 0.4, 0.9], threshold=0.3)["accuracy"] == 1.0


# ------------------------------------------------------------- most_confident_mistakes


def test_most_confident_mistakes_ranks_wrong_answers_by_confidence():
    texts = ["right", "wrong, sure", "wrong, unsure", "wrong, very sure " + "x" * 50]
    labels = np.array([1, 0, 1, 1])
    probs = np.array([0.9, 0.8, 0.45, 0.01])
    table = most_confident_mistakes(texts, labels, probs, k=2, max_chars=20)
    assert table["index"].tolist() == [3, 1]
    assert table["label"].tolist() == [1, 0]
    assert table["text"].iloc[0] == "wrong, very sure xxx ..."
    assert len(most_confident_mistakes(texts, labels, probs, k=10)) == 3   # only 3 mistakes


@pytest.mark.parametrize("kwargs, message", [
    (dict(texts=["a", "b"], labels=[0, 1, 1], probs=[0.1, 0.2, 0.3]), "Mismatched lengths"),
    (dict(texts=[], labels=[], probs=[]), "empty"),
    (dict(texts=["a"], labels=[0], probs=[0.9], k=0), "positive int"),
    (dict(texts="a review", labels=[0], probs=[0.9]), "not one str"),
    (dict(texts=["a"], labels=[0], probs=[0.9], max_chars=0), "max_chars=0"),
    (dict(texts=["a", "b"], labels=[0, 1], probs=[0.9, float("nan")]), "NaN"),
])
def test_most_confident_mistakes_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        most_confident_mistakes(**kwargs)


# ---------------------------------------------------------------- build_rnn_classifier

V, E, H = 50, 8, 6


@pytest.mark.parametrize("cell, bidirectional, pooling, recurrent_params", [
    ("lstm", False, "last", 4 * (E * H + H * H + H)),         # 4 blocks: i, f, c, o
    ("gru", False, "mean", 3 * (E * H + H * H + 2 * H)),      # 3 blocks, reset_after: 2 biases
    ("lstm", True, "mean", 2 * 4 * (E * H + H * H + H)),      # two directions
    ("gru", True, "last", 2 * 3 * (E * H + H * H + 2 * H)),
])
def test_builder_parameter_count_and_output_shape(cell, bidirectional, pooling, recurrent_params):
    model = build_rnn_classifier(V, E, H, cell=cell, bidirectional=bidirectional, pooling=pooling)
    features = 2 * H if bidirectional else H
    assert model.count_params() == V * E + recurrent_params + features + 1
    ids = np.random.default_rng(0).integers(1, V, size=(3, 7))
    probs = np.asarray(model.predict(ids, verbose=0))
    assert probs.shape == (3, 1)
    assert ((probs > 0) & (probs < 1)).all()


@pytest.mark.parametrize("cell, bidirectional, pooling", [
    ("lstm", False, "last"), ("gru", True, "mean"), ("lstm", True, "last"),
])
def test_builder_masks_padding(cell, bidirectional, pooling):
    cu.set_seed(0)
    model = build_rnn_classifier(V, E, H, cell=cell, bidirectional=bidirectional, pooling=pooling)
    ids = np.array([[5, 9, 13, 2, 7]])
    padded = cu.pad_sequences(ids, maxlen=12)                # five real tokens, then 0s
    short, long = model.predict(ids, verbose=0), model.predict(padded, verbose=0)
    assert np.allclose(short, long, atol=1e-5), "padding must not change the prediction"


def test_builder_names_the_model():
    assert build_rnn_classifier(V, E, H, cell="gru", bidirectional=True).name == "bigru_last"
    assert build_rnn_classifier(V, E, H, name="model_1").name == "model_1"


@pytest.mark.parametrize("kwargs, message", [
    (dict(cell="rnn"), "use 'lstm' or 'gru'"),
    (dict(pooling="max"), "use 'last'"),
    (dict(hidden_size=0), "hidden_size=0 must be a positive int"),
    (dict(vocab_size=12.5), "vocab_size=12.5 must be a positive int"),
    (dict(dropout=1.0), r"dropout=1.0 must be a number in \[0, 1\)"),
    (dict(dropout="0.2"), "dropout='0.2'"),
])
def test_builder_rejects_bad_arguments(kwargs, message):
    args = dict(vocab_size=V, embed_dim=E, hidden_size=H) | kwargs
    with pytest.raises(ValueError, match=message):
        build_rnn_classifier(**args)


def test_builder_dropout_adds_no_parameters_and_keeps_the_mask():
    cu.set_seed(0)
    plain = build_rnn_classifier(V, E, H, cell="gru", pooling="mean")
    dropped = build_rnn_classifier(V, E, H, cell="gru", pooling="mean", dropout=0.3)
    assert cu.count_parameters(dropped) == cu.count_parameters(plain)
    ids = np.array([[5, 9, 13, 2, 7]])
    padded = cu.pad_sequences(ids, maxlen=12)
    assert np.allclose(dropped.predict(ids, verbose=0), dropped.predict(padded, verbose=0),
                       atol=1e-5), "dropout is off at prediction and the mask still works"


# ---------------------------------------------------------------- build_cnn_classifier

F, K = 5, 3


@pytest.mark.parametrize("pooling, features", [("max", F), ("max+mean", 2 * F)])
def test_cnn_parameter_count_and_output_shape(pooling, features):
    model = build_cnn_classifier(V, E, F, kernel_size=K, pooling=pooling, dropout=0.2)
    assert cu.count_parameters(model) == V * E + (K * E * F + F) + (features + 1)
    probs = np.asarray(model.predict(np.random.default_rng(0).integers(1, V, (3, 9)), verbose=0))
    assert probs.shape == (3, 1) and ((probs > 0) & (probs < 1)).all()
    assert model.name == f"cnn_{pooling.replace('+', '_')}"


def test_cnn_max_and_mean_pooling_ignores_padding():
    import keras

    cu.set_seed(0)
    model = build_cnn_classifier(V, E, F, kernel_size=K, pooling="max+mean")
    ids = np.array([[5, 9, 13, 2, 7, 0, 0, 0]])
    pooled = keras.Model(model.inputs, model.get_layer("max_and_mean").output)
    conv = keras.Model(model.inputs, model.get_layer("conv").output).predict(ids[:, :5], verbose=0)[0]
    both = pooled.predict(ids, verbose=0)[0]                             # (2F,)
    assert np.allclose(both, np.concatenate([conv.max(axis=0), conv.mean(axis=0)]), atol=1e-5)
    assert np.allclose(model.predict(ids, verbose=0), model.predict(ids[:, :5], verbose=0), atol=1e-6)


def test_cnn_equals_the_formula_and_ignores_padding():
    """f_c = max over real t of relu(b_c + sum_k x[t + k - K // 2] . W[k, :, c]), 'same' padding."""
    import keras

    cu.set_seed(0)
    model = build_cnn_classifier(V, E, F, kernel_size=K)
    ids = np.array([[5, 9, 13, 2, 7, 0, 0, 0]])                  # five real tokens, three pads
    emb = model.get_layer(index=1).get_weights()[0]                      # (V, E)
    assert emb.shape == (V, E)
    W, b = model.get_layer("conv").get_weights()                        # (K, E, F), (F,)
    x = np.pad(emb[ids[0, :5]], ((K // 2, K // 2), (0, 0)))             # (5 + K - 1, E)
    conv = np.stack([np.einsum("ke,kef->f", x[t:t + K], W) + b for t in range(5)])  # (5, F)
    features = np.maximum(conv, 0).max(axis=0)                           # (F,)
    pooled = keras.Model(model.inputs, model.get_layer("max_over_time").output)
    assert np.allclose(pooled.predict(ids, verbose=0)[0], features, atol=1e-5)
    assert np.allclose(pooled.predict(ids[:, :5], verbose=0)[0], features, atol=1e-5)
    assert np.allclose(model.predict(ids, verbose=0), model.predict(ids[:, :5], verbose=0),
                       atol=1e-6), "padding must not change the prediction"


@pytest.mark.parametrize("kwargs, message", [
    (dict(filters=0), "filters=0 must be a positive int"),
    (dict(kernel_size=2.0), "kernel_size=2.0 must be a positive int"),
    (dict(dropout=-0.1), "dropout=-0.1"),
    (dict(vocab_size="100"), "vocab_size='100'"),
    (dict(pooling="mean"), "use 'max'"),
])
def test_cnn_builder_rejects_bad_arguments(kwargs, message):
    args = dict(vocab_size=V, embed_dim=E, filters=F) | kwargs
    with pytest.raises(ValueError, match=message):
        build_cnn_classifier(**args)
