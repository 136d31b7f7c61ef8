"""Keras encoder-decoders (course_utils.seq2seq): data, models, inference models, decoding.

Runs on whichever Keras backend ``KERAS_BACKEND`` selects (tensorflow or torch).
"""

import keras
import numpy as np
import pytest

import course_utils as cu
from course_utils import decoding, seq2seq

PAIRS = [("Go.", "Ve."), ("Hi.", "Hola."), ("Run!", "¡Corre!"), ("I see.", "Ya veo."),
         ("We like cats.", "Nos gustan los gatos."), ("Who?", "¿Quién?")]


@pytest.fixture(scope="module")
def char_models():
    keras.utils.set_random_seed(0)
    tables = seq2seq.CharTables.build(PAIRS)
    model = seq2seq.build_char_lstm(tables.num_encoder_tokens, tables.num_decoder_tokens, hidden_size=16)
    # larger random weights so that the untrained model writes varied characters
    model.set_weights([w * 3 for w in model.get_weights()])
    return tables, model, *seq2seq.char_inference_models(model)


# --------------------------------------------------------------------- char data

def test_char_tables_follow_the_recipe():
    tables = seq2seq.CharTables.build(PAIRS)
    assert tables.input_chars == sorted(tables.input_chars) and " " in tables.input_chars
    assert "\t" in tables.target_chars and "\n" in tables.target_chars
    assert tables.max_encoder_len == len("We like cats.")
    assert tables.max_decoder_len == len("Nos gustan los gatos.") + 2
    assert tables.decode([tables.target_index[c] for c in "Hola\nVe"]) == "Hola"


def test_encode_chars_shifts_the_target_and_pads_with_spaces():
    tables = seq2seq.CharTables.build(PAIRS)
    enc, dec_in, dec_out = seq2seq.encode_chars(tables, PAIRS[:2])
    assert enc.shape == (2, tables.max_encoder_len, tables.num_encoder_tokens)
    assert dec_in.shape == dec_out.shape == (2, tables.max_decoder_len, tables.num_decoder_tokens)
    assert (enc.sum(-1) == 1).all() and (dec_in.sum(-1) == 1).all() and (dec_out.sum(-1) == 1).all()
    text = lambda arr, chars: "".join(chars[i] for i in arr.argmax(-1))
    assert text(dec_in[1], tables.target_chars).startswith("\tHola.\n   ")
    assert text(dec_out[1], tables.target_chars).startswith("Hola.\n    ")
    np.testing.assert_array_equal(dec_out[:, :-1], dec_in[:, 1:])    # teacher forcing
    assert text(enc[0], tables.input_chars) == "Go." + " " * (tables.max_encoder_len - 3)


def test_reverse_source_reads_the_padding_first_and_the_sentence_backwards():
    tables = seq2seq.CharTables.build(PAIRS, reverse_source=True)
    plain = seq2seq.CharTables.build(PAIRS)
    enc = seq2seq.encode_sources(tables, ["Go."])
    text = "".join(tables.input_chars[i] for i in enc[0].argmax(-1))
    assert text == " " * (tables.max_encoder_len - 3) + ".oG"
    np.testing.assert_array_equal(enc, seq2seq.encode_sources(plain, ["Go."])[:, ::-1])
    ids, one_hot = seq2seq.encode_char_ids(tables, PAIRS), seq2seq.encode_chars(tables, PAIRS)
    np.testing.assert_array_equal(np.eye(one_hot[0].shape[-1])[ids[0]], one_hot[0])
    np.testing.assert_array_equal(ids[0], seq2seq.encode_char_ids(plain, PAIRS)[0][:, ::-1])
    np.testing.assert_array_equal(ids[1], seq2seq.encode_char_ids(plain, PAIRS)[1])  # targets as before


def test_unknown_characters_become_zero_vectors():
    tables = seq2seq.CharTables.build(PAIRS)
    enc = seq2seq.encode_sources(tables, ["Zoë"])
    assert enc[0, :3].sum() < 3


# -------------------------------------------------------------------- char models

def test_inference_models_reproduce_the_training_model(char_models):
    tables, model, encoder_model, decoder_model = char_models
    enc, dec_in, _ = seq2seq.encode_chars(tables, PAIRS)
    full = keras.ops.convert_to_numpy(model.predict_on_batch([enc, dec_in]))   # (N, T_y, D_y)
    states = seq2seq.encode_states(encoder_model, enc)
    assert len(states) == 2 and states[0].shape == (len(PAIRS), 16)            # h, c
    for t in range(dec_in.shape[1]):
        probs, *states = decoder_model.predict_on_batch([dec_in[:, t:t + 1], *states])
        np.testing.assert_allclose(np.asarray(probs)[:, 0], full[:, t], atol=1e-5)


def test_batched_greedy_equals_the_recipe_loop(char_models):
    tables, _, encoder_model, decoder_model = char_models
    sources = [s for s, _ in PAIRS]
    # the recipe's loop is slow (one `predict` per character): three sentences, and a
    # short output limit, are enough to compare
    short = seq2seq.CharTables(tables.input_chars, tables.target_chars, tables.max_encoder_len, 8)
    loop = [seq2seq.recipe_decode_sequence(encoder_model, decoder_model, short,
                                           seq2seq.encode_sources(tables, [s])).rstrip("\n")
            for s in sources[:3]]
    assert seq2seq.translate_chars(encoder_model, decoder_model, short, sources[:3]) == loop
    assert all(len(text) <= 9 for text in loop)
    batched = seq2seq.translate_chars(encoder_model, decoder_model, tables, sources)
    assert len(set(batched)) > 1                       # not a trivial constant output
    chunked = seq2seq.translate_chars(encoder_model, decoder_model, tables, sources, batch_size=4)
    assert chunked == batched
    beam1 = seq2seq.translate_chars(encoder_model, decoder_model, tables, sources, beam_width=1)
    assert beam1 == batched


def test_beam_search_scores_at_least_greedy(char_models):
    tables, _, encoder_model, decoder_model = char_models
    enc = seq2seq.encode_sources(tables, [s for s, _ in PAIRS])
    states = seq2seq.encode_states(encoder_model, enc)
    step = seq2seq.char_step(decoder_model, tables.num_decoder_tokens)
    kw = dict(batch_size=len(PAIRS), start_id=tables.start_id, end_id=tables.end_id,
              max_len=tables.max_decoder_len + 1, return_scores=True)
    _, greedy = decoding.greedy_decode(step, states, **kw)
    _, beam = decoding.beam_search(step, states, beam_width=3, **kw)
    assert (beam >= greedy - 1e-6).all()


def test_gru_cell_has_one_state():
    model = seq2seq.build_char_lstm(5, 6, hidden_size=4, cell="gru")
    encoder_model, decoder_model = seq2seq.char_inference_models(model)
    assert len(encoder_model.outputs) == 1 and len(decoder_model.outputs) == 2


# -------------------------------------------------------------------- word models

@pytest.fixture(scope="module")
def word_setup():
    keras.utils.set_random_seed(1)
    src = cu.Vocab.build([s for s, _ in PAIRS], level="word")
    tgt = cu.Vocab.build([t for _, t in PAIRS], level="word")
    model = seq2seq.build_word_gru(len(src), len(tgt), embed_dim=8, hidden_size=12)
    return src, tgt, model, *seq2seq.word_inference_models(model)


def test_encode_words_shapes():
    src = cu.Vocab.build([s for s, _ in PAIRS], level="word")
    tgt = cu.Vocab.build([t for _, t in PAIRS], level="word")
    x, y_in, y_out = seq2seq.encode_words(src, tgt, PAIRS)
    assert x.shape[0] == y_in.shape[0] == len(PAIRS) and y_in.shape == y_out.shape
    assert (y_in[:, 0] == tgt.start_id).all()
    np.testing.assert_array_equal(y_in[:, 1:][y_out[:, :-1] != 0], y_out[:, :-1][y_out[:, :-1] != 0])
    assert tgt.decode(y_out[1]) == "Hola."


def test_word_model_trains_and_its_step_model_agrees(word_setup):
    src, tgt, model, encoder_model, decoder_model = word_setup
    x, y_in, y_out = seq2seq.encode_words(src, tgt, PAIRS)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    history = model.fit([x, y_in], y_out, sample_weight=(y_out != 0).astype("float32"),
                        epochs=3, batch_size=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    full = keras.ops.convert_to_numpy(model.predict_on_batch([x, y_in]))       # (N, T_y, V)
    state = np.asarray(encoder_model.predict_on_batch(x))
    for t in range(y_in.shape[1]):
        probs, state = decoder_model.predict_on_batch([y_in[:, t:t + 1], state])
        real = y_in[:, t] != 0
        np.testing.assert_allclose(np.asarray(probs)[real, 0], full[real, t], atol=1e-5)


def test_masking_ignores_source_padding(word_setup):
    src, _, _, encoder_model, _ = word_setup
    short = src.encode_batch(["Go."])
    padded = src.encode_batch(["Go."], maxlen=short.shape[1] + 4)
    np.testing.assert_allclose(np.asarray(encoder_model.predict_on_batch(short)),
                               np.asarray(encoder_model.predict_on_batch(padded)), atol=1e-6)


def test_word_batched_greedy_equals_one_at_a_time(word_setup):
    src, tgt, _, encoder_model, decoder_model = word_setup
    sources = [s for s, _ in PAIRS]
    batched = seq2seq.translate_words(encoder_model, decoder_model, src, tgt, sources, max_len=8)
    single = [seq2seq.translate_words(encoder_model, decoder_model, src, tgt, [s], max_len=8)[0]
              for s in sources]
    assert batched == single
    beam = seq2seq.translate_words(encoder_model, decoder_model, src, tgt, sources, max_len=8,
                                   beam_width=3)
    assert len(beam) == len(sources) and all(isinstance(b, str) for b in beam)


def test_epoch_progress_records_and_stops(word_setup):
    src, tgt, model, *_ = word_setup
    x, y_in, y_out = seq2seq.encode_words(src, tgt, PAIRS)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    progress = seq2seq.EpochProgress(5, monitor="loss", stop_at=0.0, show=False)
    model.fit([x, y_in], y_out, epochs=5, verbose=0, callbacks=[progress])
    assert progress.history["epoch"] == [1]             # stopped after the first epoch
    assert {"loss", "accuracy", "seconds", "epoch"} <= set(progress.history)   # a dict of lists
    assert all(len(values) == 1 for values in progress.history.values())


# ------------------------------------------------------------------ length buckets

def test_encode_char_ids_is_the_one_hot_arrays_as_ids():
    tables = seq2seq.CharTables.build(PAIRS)
    ids = seq2seq.encode_char_ids(tables, PAIRS)
    one_hot = seq2seq.encode_chars(tables, PAIRS)
    for a, b in zip(ids, one_hot):
        np.testing.assert_array_equal(np.eye(b.shape[-1])[a], b)


def test_bucket_order_covers_every_row_once_in_batches_of_similar_length():
    lengths = np.random.default_rng(0).integers(1, 60, size=1000)
    batches = seq2seq.bucket_order(lengths, 32, np.random.default_rng(1))
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(1000))
    longest = [lengths[b].max() for b in batches]
    assert longest[0] == min(longest) and longest[1] == max(longest)   # extremes first
    assert seq2seq.padded_share(lengths, batches) < 0.5 * seq2seq.padded_share(
        lengths, batches, full_length=lengths.max())
    again = seq2seq.bucket_order(lengths, 32, np.random.default_rng(1))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))    # seeded


def test_length_buckets_cut_batches_and_train_a_char_model():
    tables = seq2seq.CharTables.build(PAIRS)
    x, y_in, y_out = seq2seq.encode_char_ids(tables, PAIRS)
    lengths = (y_out == tables.end_id).argmax(1) + 1
    data = seq2seq.LengthBuckets(x, y_in, y_out, lengths, batch_size=2, extra_steps=1,
                                 one_hot=(tables.num_encoder_tokens, tables.num_decoder_tokens))
    assert isinstance(data, keras.utils.PyDataset) and len(data) == 3
    for k in range(len(data)):
        (xb, yb_in), yb_out = data[k]
        rows = data.batches[k]
        assert xb.shape == (2, x.shape[1], tables.num_encoder_tokens)     # sources keep T_x
        assert yb_out.shape[1] == min(lengths[rows].max() + 1, y_out.shape[1])
        assert (yb_out.argmax(-1) == tables.end_id).sum() == 2            # every end marker kept
    model = seq2seq.build_char_lstm(tables.num_encoder_tokens, tables.num_decoder_tokens, 8)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    history = model.fit(data, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_length_buckets_word_batches_cut_sources_and_weight_real_targets():
    src = cu.Vocab.build([s for s, _ in PAIRS], level="word")
    tgt = cu.Vocab.build([t for _, t in PAIRS], level="word")
    x, y_in, y_out = seq2seq.encode_words(src, tgt, PAIRS)
    data = seq2seq.LengthBuckets(x, y_in, y_out, (y_out != 0).sum(1), batch_size=4,
                                 source_lengths=(x != 0).sum(1), pad_id=0, shuffle=False)
    (xb, yb_in), yb_out, weights = data[0]
    rows = data.batches[0]
    assert xb.shape[1] == (x[rows] != 0).sum(1).max()
    np.testing.assert_array_equal(weights, yb_out != 0)


@pytest.mark.parametrize("call, words", [
    (lambda: seq2seq.LengthBuckets(np.zeros((3, 2)), np.zeros((3, 4)), np.zeros((3, 4)), [1, 2]),
     "one positive length per pair"),
    (lambda: seq2seq.LengthBuckets(np.zeros((3, 2, 5)), np.zeros((3, 4)), np.zeros((3, 4)), [1, 2, 3]),
     "token ids"),
    (lambda: seq2seq.LengthBuckets(np.zeros((3, 2)), np.zeros((3, 4)), np.zeros((3, 5)), [1, 2, 3]),
     "differ"),
    (lambda: seq2seq.LengthBuckets(np.zeros((3, 2)), np.zeros((3, 4)), np.zeros((3, 4)), [1, 2, 3],
                                   batch_size=0), "positive int"),
])
def test_length_buckets_bad_input(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# ---------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, words", [
    (lambda: seq2seq.CharTables.build([]), "no pairs"),
    (lambda: seq2seq.encode_chars(seq2seq.CharTables.build(PAIRS), []), "no pairs"),
    (lambda: seq2seq.encode_sources(seq2seq.CharTables.build(PAIRS), []), "no sentences"),
    (lambda: seq2seq.build_char_lstm(4, 4, cell="rnn"), "'lstm' or 'gru'"),
    (lambda: seq2seq.encode_words(cu.Vocab.build(["a"]), cu.Vocab.build(["b"]), []), "no pairs"),
    (lambda: seq2seq.encode_words(cu.Vocab.build(["a"]), cu.Vocab.build(["b"]), ["a"]), "pairs of str"),
    (lambda: seq2seq.encode_char_ids(seq2seq.CharTables.build(PAIRS), []), "no pairs"),
    (lambda: seq2seq.build_char_lstm(0, 4), "positive int"),
    (lambda: seq2seq.build_word_gru(10, 10, hidden_size=-1), "positive int"),
    (lambda: seq2seq.char_inference_models(seq2seq.build_word_gru(5, 5, 2, 2)), "build_char_lstm"),
    (lambda: seq2seq.word_inference_models(seq2seq.build_char_lstm(5, 5, 2)), "build_word_gru"),
    (lambda: seq2seq.recipe_decode_sequence(None, None, seq2seq.CharTables.build(PAIRS),
                                            np.zeros((2, 3, 4))), "one sentence"),
])
def test_bad_input_names_the_problem(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_translators_check_their_sentences(char_models, word_setup):
    tables, _, encoder_model, decoder_model = char_models
    with pytest.raises(ValueError, match="list of sentences"):
        seq2seq.translate_chars(encoder_model, decoder_model, tables, "Go.")
    with pytest.raises(ValueError, match="no sentences"):
        seq2seq.translate_chars(encoder_model, decoder_model, tables, [])
    with pytest.raises(ValueError, match="beam_width"):
        seq2seq.translate_chars(encoder_model, decoder_model, tables, ["Go."], beam_width=0)
    src, tgt, _, word_encoder, word_decoder = word_setup
    with pytest.raises(ValueError, match="str sentences"):
        seq2seq.translate_words(word_encoder, word_decoder, src, tgt, [[1, 2]], max_len=5)
    with pytest.raises(ValueError, match="max_len"):
        seq2seq.translate_words(word_encoder, word_decoder, src, tgt, ["Go."], max_len=0)
