"""Checks and hints of notebook 01's exercises (01_sequential_data)."""

from __future__ import annotations

import numpy as np

from . import Exercise, NotAttempted, Wrong, as_array, first_match, fraction, require, same_shape

MIN_FLAT_ACC = 0.8         # the MLP on concatenated one-hot vectors, every profile and seed of the course
MIN_DILATED_ACC = 0.9      # a CNN whose receptive field holds both marked tokens (section 6)


def _one_hot(ids, V):
    return np.eye(V)[ids]                                              # (..., V)


# ---------------------------------------------------------------- exercise 1: an order-aware MLP input
def check_ex1(flat_one_hot, flat_acc, sizes):
    require(("flat_one_hot", flat_one_hot))
    V, T = sizes.vocab_size, sizes.seq_len
    ids = np.random.default_rng(0).integers(1, V, size=(4, T))         # (4, T)
    got = flat_one_hot(ids)
    if got is None or got is Ellipsis:
        raise NotAttempted("flat_one_hot returns nothing yet.")
    got = as_array(got, "flat_one_hot(ids)")
    if got.shape == (4, V):
        raise Wrong(f"flat_one_hot gives (4, {V}) for 4 sequences: that sums the one-hot vectors "
                    f"(a bag of words, order lost); concatenate them: (4, seq_len * {V}) = (4, {T * V}).")
    same_shape(got, (4, T * V), "flat_one_hot(ids) for 4 sequences",
               "one row of seq_len × vocab_size numbers")
    right = _one_hot(ids, V).reshape(4, -1)
    if not np.array_equal(got, right):
        if np.array_equal(got, _one_hot(ids, V).transpose(0, 2, 1).reshape(4, -1)):
            raise Wrong("flat_one_hot lists the vocabulary first, then the positions: put the one-hot "
                        "vector of position 0 first, then position 1, ... (reshape (batch, T, V) to "
                        "(batch, T * V)).")
        raise Wrong("flat_one_hot(ids) should be the one-hot vectors of the positions, concatenated.")
    acc = fraction(flat_acc, "flat_acc")
    if acc < MIN_FLAT_ACC:
        raise Wrong(f"flat_acc = {acc:.3f}: with the positions kept, the MLP should reach "
                    f"{MIN_FLAT_ACC} (train it on flat_one_hot(x_train) for sizes.epochs epochs, "
                    "evaluate on flat_one_hot(x_test)).")


# ---------------------------------------------------------------- exercise 2: the shuffle test
def _first_is_1(x):
    return np.argmax(x == 1, axis=1) < np.argmax(x == 2, axis=1)


def check_ex2(x_scrambled, scrambled_acc, order_acc, x_test, y_test, gru):
    require(("x_scrambled", x_scrambled), ("scrambled_acc", scrambled_acc), ("order_acc", order_acc))
    x = np.asarray(x_scrambled)
    same_shape(x, x_test.shape, "x_scrambled", "the test sequences, shuffled")
    if np.array_equal(x, x_test):
        raise Wrong("x_scrambled equals x_test: nothing was shuffled.")
    if not np.array_equal(np.sort(x, axis=1), np.sort(x_test, axis=1)):
        if np.array_equal(np.sort(x, axis=0), np.sort(x_test, axis=0)) or \
                sorted(map(tuple, x)) == sorted(map(tuple, x_test)):
            raise Wrong("you shuffled whole sequences (the rows), so each one keeps its order: shuffle "
                        "the tokens within each sequence (rng.permuted(x_test, axis=1)).")
        raise Wrong("each row of x_scrambled should hold the same tokens as that row of x_test, "
                    "in another order.")
    says_1 = np.asarray(gru.predict(x, verbose=0))[:, 0] > 0.5
    truth = {"scrambled_acc": float(np.mean(says_1 == y_test)),
             "order_acc": float(np.mean(says_1 == _first_is_1(x)))}
    given = {"scrambled_acc": fraction(scrambled_acc, "scrambled_acc"),
             "order_acc": fraction(order_acc, "order_acc")}
    old_labels = abs(given["order_acc"] - truth["scrambled_acc"]) < 1e-6
    if old_labels and truth["order_acc"] != truth["scrambled_acc"]:
        raise Wrong(f"order_acc = {given['order_acc']:.3f} is the score against the old labels: score the "
                    "same predictions against which marked token comes first in the *shuffled* rows.")
    for name in truth:
        if abs(given[name] - truth[name]) > 1e-6:
            raise Wrong(f"{name} = {given[name]:.3f}, but the GRU's predictions on x_scrambled give "
                        f"{truth[name]:.3f}.")
    if not 0.4 < truth["scrambled_acc"] < 0.6:
        raise Wrong(f"against the labels the GRU scores {truth['scrambled_acc']:.3f}; after shuffling "
                    "it should be near chance (0.4 to 0.6).")
    if truth["order_acc"] <= 0.8:
        raise Wrong(f"against the new order the GRU scores {truth['order_acc']:.3f}, expected above 0.8.")


# ---------------------------------------------------------------- exercise 3: the GRU's parameters
def check_ex3(predicted, gru):
    require(("predicted", predicted))
    count = gru.count_params()
    if predicted == count:
        return
    embedding, layer, dense = (m.count_params() for m in gru.layers[:3])
    H = dense - 1
    known = {
        count - 3 * H: "one bias vector per block too few: Keras' GRU (reset_after=True) keeps two "
                       "per block, an input and a recurrent one",
        count + layer // 3: "a fourth block: a GRU has three (update gate, reset gate, candidate), "
                            "an LSTM four",
        count - embedding: "the embedding is missing: vocab_size rows of 8 numbers",
        count - dense: "the dense layer is missing: H weights and 1 bias",
    }
    if predicted in known:
        raise Wrong(f"predicted = {predicted:,}, Keras counts {count:,}: {known[predicted]}.")
    raise Wrong(f"predicted = {predicted:,}, but Keras counts {count:,} ({predicted - count:+,}).")


# ---------------------------------------------------------------- exercise 4: a convolution by hand
def _conv(E, W, b, flip=False, relu=True):
    k = W.shape[0]
    W = W[::-1] if flip else W
    out = np.stack([np.einsum("bic,icf->bf", E[:, t:t + k], W) for t in range(E.shape[1] - k + 1)], axis=1)
    return np.maximum(out + b, 0) if relu else out + b


def check_ex4(conv_by_hand):
    require(("conv_by_hand", conv_by_hand))
    import keras

    rng = np.random.default_rng(4)
    E = rng.normal(size=(2, 10, 8)).astype("float32")                  # (B, T, channels)
    W = rng.normal(size=(3, 8, 5)).astype("float32")                   # (k, channels, F)
    b = rng.normal(size=(5,)).astype("float32")
    layer = keras.layers.Conv1D(5, 3, activation="relu")
    layer.build((None, 10, 8))
    layer.set_weights([W, b])
    theirs = keras.ops.convert_to_numpy(layer(E))                      # (2, 8, 5)
    got = conv_by_hand(E, W, b)
    if got is None or got is Ellipsis:
        raise NotAttempted("conv_by_hand returns nothing yet.")
    got = as_array(got, "conv_by_hand(E, W, b)")
    same_shape(got, theirs.shape, "conv_by_hand(E, W, b) for E (2, 10, 8) and k = 3",
               "the window fits at T - k + 1 = 8 positions, one value per filter")
    if np.allclose(got, theirs, atol=1e-4):
        return
    known = first_match(got, {
        "no relu: the layer applies max(0, ·) after the sum and the bias": _conv(E, W, b, relu=False),
        "you flipped the kernel (the convolution of mathematics): Keras' Conv1D slides W as it is "
        "(a cross-correlation)": _conv(E, W, b, flip=True),
        "the bias is missing": _conv(E, W, 0 * b),
    }, atol=1e-4)
    raise Wrong(known or f"conv_by_hand differs from keras.layers.Conv1D by up to "
                f"{np.abs(got - theirs).max():.2g}.")


# ---------------------------------------------------------------- exercise 5: a dilated CNN
def check_ex5(dilations, dilated_field, dilated_acc, distances, sizes):
    require(("dilations", dilations), ("dilated_field", dilated_field), ("dilated_acc", dilated_acc))
    k = sizes.cnn_kernel
    field = 1 + (k - 1) * sum(dilations)
    if dilated_field != field:
        raise Wrong(f"dilated_field = {dilated_field}, but 1 + (k - 1) * sum(dilations) = {field} for "
                    f"k = {k} and dilations {list(dilations)}.")
    longest = max(distances)
    if field - 1 < longest:
        beyond = [d for d in distances if d > field - 1 and d in dilated_acc]
        seen = f": accuracy at distance {beyond[0]} is {dilated_acc[beyond[0]]:.2f}" if beyond else ""
        raise Wrong(f"the receptive field is {field}, so distances up to {field - 1} fit in one window, "
                    f"but section 6 tests distances up to {longest}{seen}. Add dilated layers until "
                    "the field is longer than the longest distance.")
    missing = [d for d in distances if d not in dilated_acc]
    if missing:
        raise Wrong(f"dilated_acc has no accuracy for distance {missing[0]}: test every distance.")
    low = {d: fraction(dilated_acc[d], f"dilated_acc[{d}]") for d in distances}
    low = {d: a for d, a in low.items() if a < MIN_DILATED_ACC}
    if low:
        d = min(low)
        raise Wrong(f"accuracy at distance {d} is {low[d]:.2f}, below {MIN_DILATED_ACC}, although the "
                    f"field ({field}) holds both tokens: train for sizes.rf_epochs epochs on x_rf.")


EXERCISES = {
    "ex1": Exercise(check_ex1, "cu.one_hot(ids, V) has shape (batch, seq_len, V); reshape it to "
                    "(batch, seq_len * V). Then build the MLP of section 4 with that input size."),
    "ex2": Exercise(check_ex2, "rng.permuted(x_test, axis=1) shuffles each row on its own. Which "
                    "marked token comes first in a row: np.argmax(row == 1) < np.argmax(row == 2)."),
    "ex3": Exercise(check_ex3, "embedding: vocab_size × 8; GRU: 3 blocks of (8 × H + H × H + 2 × H); "
                    "dense: H + 1. H is sizes.gru_hidden_size."),
    "ex4": Exercise(check_ex4, "at position t the window is E[:, t:t + k] (shape (B, k, C)); "
                    "np.einsum('bic,icf->bf', window, W) sums over i and c. Add b, then the relu."),
    "ex5": Exercise(check_ex5, "with kernel 3 each layer of rate r adds 2r tokens to the field: "
                    "doubling the rate (1, 2, 4, ...) grows it fastest; keep the last rate just large "
                    "enough that the field exceeds max(distances)."),
}
