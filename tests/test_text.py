import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import course_utils as cu
from course_utils.text import detokenize, padding_mask, tokenize

TEXTS = ["We like cats.", "We like dogs a lot.", "¿Dónde está la estación?"]


def test_reserved_ids_come_first():
    vocab = cu.Vocab.build(TEXTS, level="word")
    assert vocab.itos[:4] == ["<pad>", "<s>", "</s>", "<unk>"]
    assert (vocab.pad_id, vocab.start_id, vocab.end_id, vocab.unk_id) == (0, 1, 2, 3)


def test_word_vocab_orders_by_frequency():
    vocab = cu.Vocab.build(TEXTS, level="word")
    assert vocab.itos[4:6] == ["We", "like"]


def test_word_tokens_split_punctuation_and_keep_accents():
    assert tokenize("¿Dónde está?", "word") == ["¿", "Dónde", "está", "?"]
    assert tokenize("I'm here.", "word") == ["I'm", "here", "."]


def test_detokenize_restores_spanish_punctuation():
    assert detokenize(["¿", "Dónde", "está", "?"], "word") == "¿Dónde está?"


def test_unknown_words_map_to_unk():
    vocab = cu.Vocab.build(TEXTS, level="word")
    assert vocab.encode("We like birds") == [vocab.stoi["We"], vocab.stoi["like"], vocab.unk_id]


def test_start_end_markers_and_decode_stops_at_end():
    vocab = cu.Vocab.build(TEXTS)
    ids = vocab.encode("cats", add_start=True, add_end=True)
    assert ids[0] == vocab.start_id and ids[-1] == vocab.end_id
    assert vocab.decode(ids + [vocab.stoi["x"] if "x" in vocab else 4]) == "cats"


def test_max_size_and_min_count():
    vocab = cu.Vocab.build(TEXTS, level="word", max_size=6)
    assert len(vocab) == 6
    assert "lot" not in cu.Vocab.build(TEXTS, level="word", min_count=2)


def test_lowercase_vocab():
    vocab = cu.Vocab.build(["Dogs dogs"], level="word", lowercase=True)
    assert vocab.encode("DOGS") == [4]


def test_encode_batch_pads_with_pad_id():
    vocab = cu.Vocab.build(TEXTS)
    batch = vocab.encode_batch(["ab", "a"], add_end=True)
    assert batch.shape == (2, 3) and batch[1, 2] == vocab.pad_id


def test_pad_sequences_pre_and_post():
    assert cu.pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist() == [[1, 2], [4, 0]]
    assert cu.pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="pre",
                            truncating="pre").tolist() == [[2, 3], [0, 4]]
    assert cu.pad_sequences([[], [5]]).tolist() == [[0], [5]]


def test_padding_mask_marks_real_tokens():
    assert padding_mask(np.array([[5, 0], [0, 0]])).tolist() == [[True, False], [False, False]]


def test_one_hot_shape_and_content():
    out = cu.one_hot(np.array([[1, 0], [2, 2]]), 3)
    assert out.shape == (2, 2, 3) and out.dtype == np.float32
    assert out[0, 0].tolist() == [0, 1, 0]


def test_batches_cover_everything_once_and_stay_aligned():
    x, y = np.arange(10), np.arange(10) * 2
    seen = []
    for bx, by in cu.batches(x, y, batch_size=3, shuffle=True, seed=0):
        assert (by == bx * 2).all()
        seen.extend(bx.tolist())
    assert sorted(seen) == list(range(10))
    assert len(list(cu.batches(x, batch_size=3, drop_last=True))) == 3


def test_batches_of_python_lists():
    (texts,), = list(cu.batches(["a", "b"], batch_size=2))
    assert texts == ["a", "b"]


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=8))
def test_char_round_trip(texts):
    vocab = cu.Vocab.build(texts, level="char")
    for text in texts:
        assert vocab.decode(vocab.encode(text)) == text


@given(st.lists(st.lists(st.sampled_from(["we", "like", "cats", "¿", "qué", "?", ".", "I'm"]),
                         min_size=1, max_size=10), min_size=1, max_size=5))
def test_word_round_trip_through_ids(token_lists):
    """Decoding then re-encoding any id sequence of known words gives it back."""
    vocab = cu.Vocab.build([" ".join(t) for t in token_lists], level="word")
    for tokens in token_lists:
        ids = [vocab.stoi[t] for t in tokens]
        assert vocab.encode(vocab.decode(ids)) == ids


@given(st.lists(st.lists(st.integers(1, 50), max_size=12), min_size=1, max_size=6),
       st.integers(1, 15))
def test_pad_sequences_keeps_prefix_and_pads_with_zero(seqs, maxlen):
    out = cu.pad_sequences(seqs, maxlen=maxlen)
    assert out.shape == (len(seqs), maxlen)
    for row, seq in zip(out, seqs):
        kept = seq[:maxlen]
        assert row[:len(kept)].tolist() == kept and (row[len(kept):] == 0).all()


def test_ids_from_numpy_torch_and_lists_all_decode_alike():
    import torch

    vocab = cu.Vocab.build(TEXTS)
    ids = vocab.encode("cats")
    for form in (ids, tuple(ids), np.array(ids, dtype=np.int32), torch.tensor(ids), np.array(ids)[None][0]):
        assert vocab.decode(form) == "cats"
    assert vocab.decode([]) == ""


def test_texts_may_be_any_iterable_of_str():
    vocab = cu.Vocab.build(t for t in TEXTS)                   # a generator
    assert vocab.encode_batch(tuple(TEXTS)).shape[0] == 3
    assert cu.text.check_texts(np.array(["a", "b"]), "texts") == ["a", "b"]


def test_as_ids_keeps_shape_and_gives_int64():
    out = cu.text.as_ids(np.array([[1, 2], [3, 0]], dtype=np.int16), size=4, ndim=2)
    assert out.dtype == np.int64 and out.shape == (2, 2)
