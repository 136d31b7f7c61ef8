"""Keras encoder-decoders for translation (notebook 03; its benchmarks reuse it).

Two models, one interface for decoding (``course_utils.decoding`` step functions):

1. **The classic Keras character-level recipe** (keras.io, "Character-level recurrent
   sequence-to-sequence model"). Characters are one-hot vectors; the target is wrapped
   as ``"\\t" + target + "\\n"`` (start and end markers) and every sequence is padded
   with spaces. An LSTM encoder reads the source and hands its final states to an LSTM
   decoder (teacher forcing: the decoder reads the true target shifted by one):

   .. math::
      (h_T, c_T) = \\mathrm{LSTM_{enc}}(x_1..x_T), \\quad
      s_t = \\mathrm{LSTM_{dec}}(y_{t-1}, s_{t-1}),\\ s_0 = (h_T, c_T), \\quad
      p(y_t \\mid y_{<t}, x) = \\mathrm{softmax}(W s_t + b).

   Shapes: encoder input (B, T_x, D_x), decoder input and target (B, T_y, D_y),
   states (B, H) each (H = ``hidden_size``), output (B, T_y, D_y). Training minimises the categorical
   cross-entropy :math:`-\\sum_t \\log p(y_t \\mid y_{<t}, x)`.
2. **A word-level GRU encoder-decoder** with embeddings and masking: ids from
   ``cu.Vocab`` (0 = padding, skipped by ``Embedding(mask_zero=True)``), one GRU state
   (B, H) passed from encoder to decoder, loss weighted to real positions only.

**Length-bucketed batches** (``LengthBuckets``, a ``keras.utils.PyDataset``): padding
every sentence to the longest one of the corpus spends most of the work on padding.
Pairs of similar target length share a batch, and each batch is cut after its longest
target (plus ``extra_steps`` padding steps), so the work follows the real lengths.

For decoding, each model gets separate *inference models*: an encoder (source -> states)
and a decoder step (previous token + states -> next-token probabilities + new states).
``recipe_decode_sequence`` is the recipe's loop (one ``predict`` call per character);
``char_step`` / ``word_step`` wrap the step models for ``course_utils.decoding``, which
decodes a whole test set with one model call per time step.

Only ``keras`` APIs are used (no ``tf.data``), so this runs on the TensorFlow and the
PyTorch backend. Keras is imported when first needed, so ``import course_utils``
stays light for the PyTorch notebooks.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import decoding
from .datasets import check_pairs
from .text import Vocab, check_texts

if TYPE_CHECKING:
    import keras

START_CHAR, END_CHAR, PAD_CHAR = "\t", "\n", " "


def _check_sources(sources, what: str) -> list[str]:
    """The public translators' input check: a non-empty list of str."""
    if isinstance(sources, str):
        raise ValueError(f"{what} got one str; pass a list of sentences, e.g. [{sources!r}].")
    sources = list(sources)
    if not sources:
        raise ValueError(f"{what} got no sentences: pass a non-empty list of str.")
    if not all(isinstance(s, str) for s in sources):
        raise ValueError(f"{what} needs str sentences, got {type(sources[0]).__name__}: "
                         "pass the English text, not ids.")
    return sources


def _check_positive(what: str, **values) -> None:
    for name, value in values.items():
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{what}: {name}={value!r} must be a positive int.")


def _check_layers(model, names: Sequence[str], builder: str) -> None:
    have = {layer.name for layer in model.layers}
    missing = [n for n in names if n not in have]
    if missing:
        raise ValueError(f"model {model.name!r} has no layer {missing}: pass a model made by "
                         f"seq2seq.{builder} (or one whose layers carry the same names).")


# ----------------------------------------------------------------- character data

@dataclass
class CharTables:
    """The recipe's character tables: sorted characters, their indices and max lengths.

    ``reverse_source=True`` makes every encoder input read backwards, padding first: the
    rows of ``encode_chars``, ``encode_char_ids`` and ``encode_sources`` are the recipe's
    reversed in time, ``x[:, ::-1]``. The encoder then reads the sentence last, its first
    characters at the very end, next to the first characters the decoder writes
    (Sutskever, Vinyals & Le, 2014, section 3.3).
    """

    input_chars: list[str]
    target_chars: list[str]
    max_encoder_len: int
    max_decoder_len: int
    reverse_source: bool = False

    def __post_init__(self):
        self.input_index = {c: i for i, c in enumerate(self.input_chars)}
        self.target_index = {c: i for i, c in enumerate(self.target_chars)}

    @property
    def num_encoder_tokens(self) -> int:
        return len(self.input_chars)

    @property
    def num_decoder_tokens(self) -> int:
        return len(self.target_chars)

    @property
    def start_id(self) -> int:
        return self.target_index[START_CHAR]

    @property
    def end_id(self) -> int:
        return self.target_index[END_CHAR]

    @classmethod
    def build(cls, pairs: Sequence[tuple[str, str]], reverse_source: bool = False) -> CharTables:
        """Tables from training pairs, as the recipe builds them (plus the space it pads with)."""
        if len(pairs) == 0:
            raise ValueError("CharTables.build got no pairs. Pass the training pairs.")
        check_pairs(pairs, "CharTables.build")
        sources = [s for s, _ in pairs]
        targets = [START_CHAR + t + END_CHAR for _, t in pairs]
        input_chars = sorted(set("".join(sources)) | {PAD_CHAR})
        target_chars = sorted(set("".join(targets)) | {PAD_CHAR})
        return cls(input_chars, target_chars, max(map(len, sources)), max(map(len, targets)),
                   reverse_source=bool(reverse_source))

    def source_order(self, encoder_input: np.ndarray) -> np.ndarray:
        """The encoder input (N, T_x, ...) as the encoder reads it: reversed in time if asked."""
        return encoder_input[:, ::-1].copy() if self.reverse_source else encoder_input

    def decode(self, ids: Sequence[int]) -> str:
        """Text of target ids, up to the end marker."""
        text = "".join(self.target_chars[int(i)] for i in ids)
        return text.split(END_CHAR)[0]


def _one_hot_rows(texts, index, length) -> np.ndarray:
    """One-hot (N, length, len(index)); padded with spaces; unknown characters -> zeros."""
    out = np.zeros((len(texts), length, len(index)), dtype=np.float32)
    pad = index[PAD_CHAR]
    for i, text in enumerate(texts):
        text = text[:length]
        for t, char in enumerate(text):
            if char in index:
                out[i, t, index[char]] = 1.0
        out[i, len(text):, pad] = 1.0
    return out


def encode_chars(tables: CharTables, pairs: Sequence[tuple[str, str]],
                 encoder_len: int | None = None, decoder_len: int | None = None):
    """The recipe's three one-hot arrays for ``pairs``.

    Returns ``encoder_input`` (N, T_x, D_x), ``decoder_input`` (N, T_y, D_y) = the target
    ``\\t...\\n``, and ``decoder_target`` (N, T_y, D_y) = the same shifted one step left
    (what the decoder must predict), all padded with spaces. Lengths default to the
    tables' maxima; longer sentences are cut.
    """
    if len(pairs) == 0:
        raise ValueError("encode_chars got no pairs: pass at least one (source, target).")
    check_pairs(pairs, "encode_chars")
    sources = [s for s, _ in pairs]
    targets = [START_CHAR + t + END_CHAR for _, t in pairs]
    T_x = encoder_len or tables.max_encoder_len
    T_y = decoder_len or tables.max_decoder_len
    encoder_input = tables.source_order(_one_hot_rows(sources, tables.input_index, T_x))  # (N, T_x, D_x)
    decoder_input = _one_hot_rows(targets, tables.target_index, T_y)                # (N, T_y, D_y)
    decoder_target = _one_hot_rows([t[1:] for t in targets], tables.target_index, T_y)
    return encoder_input, decoder_input, decoder_target


def encode_char_ids(tables: CharTables, pairs: Sequence[tuple[str, str]]):
    """The same three arrays as ``encode_chars`` as character ids (N, T) instead of one-hot.

    ``encode_chars(...)[k] == np.eye(D)[encode_char_ids(...)[k]]`` (up to unknown
    characters, which become the padding space here). Ids take a D-th of the memory;
    ``LengthBuckets(one_hot=...)`` makes one-hot vectors batch by batch.
    """
    if len(pairs) == 0:
        raise ValueError("encode_char_ids got no pairs: pass at least one (source, target).")
    check_pairs(pairs, "encode_char_ids")

    def ids(texts, index, length):
        out = np.full((len(texts), length), index[PAD_CHAR], dtype=np.int32)
        for i, text in enumerate(texts):
            row = [index.get(c, index[PAD_CHAR]) for c in text[:length]]
            out[i, :len(row)] = row
        return out

    targets = [START_CHAR + t + END_CHAR for _, t in pairs]
    return (tables.source_order(ids([s for s, _ in pairs], tables.input_index,
                                    tables.max_encoder_len)),                       # (N, T_x)
            ids(targets, tables.target_index, tables.max_decoder_len),               # (N, T_y)
            ids([t[1:] for t in targets], tables.target_index, tables.max_decoder_len))


def encode_sources(tables: CharTables, sources: Sequence[str], length: int | None = None) -> np.ndarray:
    """One-hot encoder input (N, T_x, D_x) for sources alone (to translate them)."""
    if isinstance(sources, str) or len(sources) == 0:
        raise ValueError("encode_sources got no sentences: pass a non-empty list of str.")
    return tables.source_order(_one_hot_rows(check_texts(sources, "encode_sources"),
                                             tables.input_index, length or tables.max_encoder_len))


# ------------------------------------------------------------- character models

def build_char_lstm(num_encoder_tokens: int, num_decoder_tokens: int, hidden_size: int = 256,
                    cell: str = "lstm"):
    """The recipe's training model: ``[encoder_input, decoder_input] -> probabilities``.

    ``cell="gru"`` swaps both LSTMs for GRUs (one state instead of two).
    """
    if cell not in ("lstm", "gru"):
        raise ValueError(f"cell={cell!r} must be 'lstm' or 'gru'.")
    _check_positive("build_char_lstm", num_encoder_tokens=num_encoder_tokens,
                    num_decoder_tokens=num_decoder_tokens, hidden_size=hidden_size)
    import keras

    Layer = keras.layers.LSTM if cell == "lstm" else keras.layers.GRU
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens), name="encoder_input")  # (B, T_x, D_x)
    encoder = Layer(hidden_size, return_state=True, name="encoder")
    _, *encoder_states = encoder(encoder_inputs)               # [h_T, c_T]: (B, H) each
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens), name="decoder_input")  # (B, T_y, D_y)
    decoder = Layer(hidden_size, return_sequences=True, return_state=True, name="decoder")
    decoder_outputs, *_ = decoder(decoder_inputs, initial_state=encoder_states)  # (B, T_y, H)
    dense = keras.layers.Dense(num_decoder_tokens, activation="softmax", name="decoder_dense")
    return keras.Model([encoder_inputs, decoder_inputs], dense(decoder_outputs), name="char_seq2seq")


def char_inference_models(model: keras.Model):
    """The recipe's inference encoder and decoder-step models, sharing ``model``'s layers.

    ``encoder_model``: encoder_input (B, T_x, D_x) -> states [(B, H), ...].
    ``decoder_model``: [decoder_input (B, 1, D_y), *states] -> [probs (B, 1, D_y), *states].
    """
    import keras

    _check_layers(model, ("encoder", "decoder", "decoder_dense"), "build_char_lstm")
    if len(model.inputs) != 2 or len(model.inputs[0].shape) != 3:
        raise ValueError(f"model {model.name!r} does not take one-hot characters (B, T, D): "
                         "pass a model made by seq2seq.build_char_lstm.")
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    dense = model.get_layer("decoder_dense")
    encoder_inputs, decoder_inputs = model.inputs
    _, *encoder_states = encoder(encoder_inputs)
    encoder_model = keras.Model(encoder_inputs, encoder_states, name="char_encoder")
    H = decoder.units                                          # Keras' name for the state size
    state_inputs = [keras.Input(shape=(H,), name=f"decoder_state_{k}")
                    for k in range(len(encoder_states))]
    step_inputs = keras.Input(shape=(None, decoder_inputs.shape[-1]), name="decoder_step_input")
    outputs, *states = decoder(step_inputs, initial_state=state_inputs)
    decoder_model = keras.Model([step_inputs, *state_inputs], [dense(outputs), *states],
                                name="char_decoder_step")
    return encoder_model, decoder_model


def recipe_decode_sequence(encoder_model, decoder_model, tables: CharTables,
                           input_seq: np.ndarray) -> str:
    """The recipe's greedy decoding of ONE sentence: one ``predict`` call per character.

    ``input_seq`` is (1, T_x, D_x). Returns the decoded text including the final
    ``"\\n"`` when the model produced it (as the recipe does).
    """
    if np.ndim(input_seq) != 3 or np.shape(input_seq)[0] != 1:
        raise ValueError(f"input_seq has shape {np.shape(input_seq)}; the recipe decodes one "
                         "sentence (1, T_x, D_x): seq2seq.encode_sources(tables, [sentence]).")
    states_value = encoder_model.predict(input_seq, verbose=0)
    if not isinstance(states_value, list):
        states_value = [states_value]
    target_seq = np.zeros((1, 1, tables.num_decoder_tokens), dtype=np.float32)
    target_seq[0, 0, tables.target_index[START_CHAR]] = 1.0
    decoded_sentence = ""
    while True:
        output_tokens, *states_value = decoder_model.predict([target_seq, *states_value], verbose=0)
        sampled_token_index = int(np.argmax(output_tokens[0, -1, :]))
        sampled_char = tables.target_chars[sampled_token_index]
        decoded_sentence += sampled_char
        if sampled_char == END_CHAR or len(decoded_sentence) > tables.max_decoder_len:
            return decoded_sentence
        target_seq = np.zeros((1, 1, tables.num_decoder_tokens), dtype=np.float32)
        target_seq[0, 0, sampled_token_index] = 1.0


# ------------------------------------------------------------------ step adapters

def _as_list(outputs) -> list:
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _log(probs) -> np.ndarray:
    """log p in float64 (so distinct float32 probabilities keep distinct logs)."""
    return np.log(np.maximum(np.asarray(probs, dtype=np.float64), 1e-300))


def char_step(decoder_model, num_decoder_tokens: int):
    """A ``course_utils.decoding`` step function for the char decoder-step model.

    ``step(prev (B,), states) -> (log p (B, D_y), states)``: one model call for the batch.
    """
    eye = np.eye(num_decoder_tokens, dtype=np.float32)

    def step(prev, states):
        x = eye[prev][:, None, :]                                      # (B, 1, D_y)
        probs, *new_states = decoder_model.predict_on_batch([x, *states])
        return _log(probs[:, -1]), tuple(np.asarray(s) for s in new_states)
    return step


def encode_states(encoder_model, encoder_input) -> tuple:
    """Encoder states for a batch as a tuple of NumPy arrays (B, H)."""
    return tuple(np.asarray(s) for s in _as_list(encoder_model.predict_on_batch(encoder_input)))


def translate_chars(encoder_model, decoder_model, tables: CharTables, sources: Sequence[str],
                    beam_width: int = 1, batch_size: int = 1024, length_penalty: float = 0.0,
                    max_len: int | None = None) -> list[str]:
    """Translate many sentences: batched greedy (``beam_width=1``) or beam search.

    ``max_len`` defaults to the recipe's limit (``max_decoder_len + 1`` characters).
    """
    sources = _check_sources(sources, "translate_chars")
    _check_positive("translate_chars", beam_width=beam_width, batch_size=batch_size)
    max_len = max_len or tables.max_decoder_len + 1
    step = char_step(decoder_model, tables.num_decoder_tokens)
    out = []
    for i in range(0, len(sources), batch_size):
        chunk = list(sources[i:i + batch_size])
        states = encode_states(encoder_model, encode_sources(tables, chunk))
        kw = dict(batch_size=len(chunk), start_id=tables.start_id, end_id=tables.end_id,
                  max_len=max_len)
        ids = (decoding.greedy_decode(step, states, **kw) if beam_width == 1 else
               decoding.beam_search(step, states, beam_width=beam_width,
                                    length_penalty=length_penalty, **kw))
        out += [tables.decode(row) for row in ids]
    return out


# -------------------------------------------------------------------- word level

def encode_words(source_vocab: Vocab, target_vocab: Vocab, pairs: Sequence[tuple[str, str]],
                 source_len: int | None = None, target_len: int | None = None):
    """Word ids for teacher forcing: source (N, T_x), decoder input ``<s> y`` and target
    ``y </s>`` (N, T_y), all padded with 0 (the mask)."""
    if len(pairs) == 0:
        raise ValueError("encode_words got no pairs: pass at least one (source, target).")
    if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
        raise ValueError("encode_words needs (source, target) pairs of str, e.g. [('Go.', 'Ve.')].")
    source = source_vocab.encode_batch([s for s, _ in pairs], maxlen=source_len)
    target = target_vocab.encode_batch([t for _, t in pairs], maxlen=target_len and target_len + 1,
                                       add_start=True, add_end=True)            # (N, T_y + 1)
    return source, target[:, :-1], target[:, 1:]


def build_word_gru(source_vocab_size: int, target_vocab_size: int, embed_dim: int = 128,
                   hidden_size: int = 256):
    """Word-level GRU encoder-decoder: ``[source ids, decoder input ids] -> probabilities``.

    Embeddings use ``mask_zero=True``: the encoder GRU skips padding, so its final
    state is the state after the last real word.
    """
    _check_positive("build_word_gru", source_vocab_size=source_vocab_size,
                    target_vocab_size=target_vocab_size, embed_dim=embed_dim, hidden_size=hidden_size)
    import keras

    source = keras.Input(shape=(None,), dtype="int32", name="source_ids")       # (B, T_x)
    x = keras.layers.Embedding(source_vocab_size, embed_dim, mask_zero=True,
                               name="source_embedding")(source)                # (B, T_x, E)
    _, state = keras.layers.GRU(hidden_size, return_state=True, name="encoder")(x)  # (B, H)
    target_in = keras.Input(shape=(None,), dtype="int32", name="target_in_ids")  # (B, T_y)
    y = keras.layers.Embedding(target_vocab_size, embed_dim, mask_zero=True,
                               name="target_embedding")(target_in)             # (B, T_y, E)
    decoder = keras.layers.GRU(hidden_size, return_sequences=True, return_state=True, name="decoder")
    seq, _ = decoder(y, initial_state=state)                                    # (B, T_y, H)
    probs = keras.layers.Dense(target_vocab_size, activation="softmax", name="decoder_dense")(seq)
    return keras.Model([source, target_in], probs, name="word_seq2seq")


def word_inference_models(model: keras.Model):
    """Encoder (source ids -> state (B, H)) and decoder step
    ([ids (B, 1), state] -> [probs (B, 1, V), state]) of a ``build_word_gru`` model."""
    import keras

    _check_layers(model, ("source_embedding", "encoder", "target_embedding", "decoder",
                          "decoder_dense"), "build_word_gru")
    source = model.inputs[0]
    encoder_embed, encoder = model.get_layer("source_embedding"), model.get_layer("encoder")
    _, state = encoder(encoder_embed(source))
    encoder_model = keras.Model(source, state, name="word_encoder")
    decoder = model.get_layer("decoder")
    ids = keras.Input(shape=(None,), dtype="int32", name="step_ids")
    state_in = keras.Input(shape=(decoder.units,), name="decoder_state")
    seq, new_state = decoder(model.get_layer("target_embedding")(ids), initial_state=state_in)
    decoder_model = keras.Model([ids, state_in], [model.get_layer("decoder_dense")(seq), new_state],
                                name="word_decoder_step")
    return encoder_model, decoder_model


def word_step(decoder_model):
    """A ``course_utils.decoding`` step function for the word decoder-step model."""
    def step(prev, state):
        probs, new_state = decoder_model.predict_on_batch(
            [prev[:, None].astype(np.int32), state[0]])                       # (B, 1, V), (B, H)
        return _log(probs[:, -1]), (np.asarray(new_state),)
    return step


def translate_words(encoder_model, decoder_model, source_vocab: Vocab, target_vocab: Vocab,
                    sources: Sequence[str], max_len: int, beam_width: int = 1,
                    batch_size: int = 1024, length_penalty: float = 0.0) -> list[str]:
    """Translate many sentences with the word model: batched greedy or beam search."""
    sources = _check_sources(sources, "translate_words")
    _check_positive("translate_words", max_len=max_len, beam_width=beam_width, batch_size=batch_size)
    step = word_step(decoder_model)
    out = []
    for i in range(0, len(sources), batch_size):
        chunk = list(sources[i:i + batch_size])
        state = (np.asarray(encoder_model.predict_on_batch(source_vocab.encode_batch(chunk))),)
        kw = dict(batch_size=len(chunk), start_id=target_vocab.start_id,
                  end_id=target_vocab.end_id, max_len=max_len)
        ids = (decoding.greedy_decode(step, state, **kw) if beam_width == 1 else
               decoding.beam_search(step, state, beam_width=beam_width,
                                    length_penalty=length_penalty, **kw))
        out += [target_vocab.decode(row) for row in ids]
    return out


# -------------------------------------------------------------- length buckets

def bucket_order(lengths, batch_size: int, rng: np.random.Generator, window: int = 20) -> list[np.ndarray]:
    """Row indices of one epoch's batches, each of pairs of similar length.

    Shuffle all rows; sort each run of ``window`` batches' rows by length (a stable sort);
    cut it into batches; shuffle the order of the batches; put the shortest and the
    longest batch first (``extremes_first``). Each epoch differs, yet a batch holds
    sentences of about one length.
    """
    lengths = np.asarray(lengths)
    order = rng.permutation(len(lengths))
    chunks = [order[i:i + batch_size * window] for i in range(0, len(order), batch_size * window)]
    order = np.concatenate([c[np.argsort(lengths[c], kind="stable")] for c in chunks])
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    return extremes_first([batches[k] for k in rng.permutation(len(batches))], lengths)


def extremes_first(batches: list[np.ndarray], lengths) -> list[np.ndarray]:
    """The batch of the shortest and the one of the longest sentences first, the rest in order.

    Keras on TensorFlow reads the first two batches of a ``PyDataset`` to learn which
    dimensions vary; two batches of one length would fix the time axis to it.
    """
    longest = [np.asarray(lengths)[b].max() for b in batches]
    first = list(dict.fromkeys([int(np.argmin(longest)), int(np.argmax(longest))]))
    return [batches[k] for k in first] + [b for k, b in enumerate(batches) if k not in first]


class _LengthBuckets:
    """A ``keras.utils.PyDataset`` of length-bucketed teacher-forcing batches.

    ``source`` (N, T_x), ``target_in`` and ``target_out`` (N, T_y) are token ids;
    ``lengths`` (N,) counts each target's real positions (its tokens and the end marker).
    Each batch is cut after its longest target plus ``extra_steps``. The source is cut
    after its longest source only when ``source_lengths`` is given (the word model: masked
    padding changes nothing); the character recipe's encoder reads its padding spaces, so
    its sources keep their full length, as at translation time. ``one_hot=(D_x, D_y)``
    turns ids into the recipe's one-hot vectors batch by batch; ``pad_id`` set adds sample
    weights, 1 on real target positions. ``shuffle=False`` keeps one fixed order (for
    validation).
    """

    def __init__(self, source, target_in, target_out, lengths, batch_size: int = 64,
                 extra_steps: int = 0, source_lengths=None, one_hot=None, pad_id=None,
                 shuffle: bool = True, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        arrays = [np.asarray(a) for a in (source, target_in, target_out)]
        if not all(a.ndim == 2 for a in arrays) or len({len(a) for a in arrays}) != 1:
            raise ValueError("LengthBuckets needs token ids: source (N, T_x), target_in and "
                             "target_out (N, T_y), the same N (one-hot arrays: take .argmax(-1)).")
        if arrays[1].shape != arrays[2].shape:
            raise ValueError(f"target_in {arrays[1].shape} and target_out {arrays[2].shape} differ.")
        lengths = np.asarray(lengths, dtype=int)
        if lengths.shape != (len(arrays[0]),) or lengths.min(initial=1) < 1:
            raise ValueError(f"lengths has shape {lengths.shape}: pass one positive length per pair.")
        _check_positive("LengthBuckets", batch_size=batch_size)
        self.source, self.target_in, self.target_out = arrays
        self.lengths, self.batch_size, self.extra_steps = lengths, batch_size, extra_steps
        self.source_lengths = None if source_lengths is None else np.asarray(source_lengths, dtype=int)
        self.eyes = None if one_hot is None else [np.eye(d, dtype=np.float32) for d in one_hot]
        self.pad_id, self.shuffle = pad_id, shuffle
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def on_epoch_end(self):
        if self.shuffle:
            self.batches = bucket_order(self.lengths, self.batch_size, self.rng)
        else:
            order = np.argsort(self.lengths, kind="stable")
            self.batches = extremes_first(
                [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)],
                self.lengths)

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, k: int):
        rows = self.batches[k]
        steps = min(int(self.lengths[rows].max()) + self.extra_steps, self.target_out.shape[1])
        x = self.source[rows]                                          # (B, T_x)
        if self.source_lengths is not None:
            x = x[:, :int(self.source_lengths[rows].max())]            # (B, longest source)
        y_in, y_out = self.target_in[rows, :steps], self.target_out[rows, :steps]  # (B, steps)
        if self.eyes is not None:
            x, y_in, y_out = self.eyes[0][x], self.eyes[1][y_in], self.eyes[1][y_out]  # one-hot
        if self.pad_id is None:
            return (x, y_in), y_out
        return (x, y_in), y_out, (self.target_out[rows, :steps] != self.pad_id).astype(np.float32)


def padded_share(lengths, batches, extra_steps: int = 0, full_length: int | None = None) -> float:
    """Share of the target positions computed that are padding.

    ``batches``: lists of row indices; each batch is cut after its longest target plus
    ``extra_steps`` (or at ``full_length``, padding everything to one length).
    """
    lengths = np.asarray(lengths)
    computed = sum(len(rows) * (full_length or int(lengths[rows].max()) + extra_steps)
                   for rows in batches)
    return 1 - lengths[np.concatenate(batches)].sum() / computed


# ------------------------------------------------------------------------- training

class _EpochProgress:
    """A tqdm bar over epochs that records each epoch's end time and metrics.

    ``history`` is a dict of per-epoch lists, the shape every ``fit`` of the course
    returns: ``{"epoch": [1, 2, ...], "loss": [...], ..., "seconds": [...]}`` (Keras' logs
    plus ``seconds`` since training began). With ``stop_at``, training stops once
    ``monitor`` reaches that value.
    """

    def __init__(self, epochs: int, monitor: str = "val_accuracy", stop_at: float | None = None,
                 show: bool = True):
        super().__init__()
        self.epochs, self.monitor, self.stop_at, self.show = epochs, monitor, stop_at, show
        self.history: dict[str, list] = {}

    def on_train_begin(self, logs=None):
        from tqdm.auto import tqdm

        self.start = time.perf_counter()
        self.bar = tqdm(total=self.epochs, unit="epoch", disable=not self.show)

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: float(v) for k, v in (logs or {}).items()}
        row = {"epoch": epoch + 1, **logs, "seconds": time.perf_counter() - self.start}
        for key, value in row.items():
            self.history.setdefault(key, []).append(value)
        self.bar.set_postfix({k: f"{v:.3f}" for k, v in logs.items() if "loss" in k or "acc" in k})
        self.bar.update(1)
        if self.stop_at is not None and logs.get(self.monitor, -np.inf) >= self.stop_at:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.bar.close()


_LAZY = {"EpochProgress": (_EpochProgress, "callbacks.Callback"),
         "LengthBuckets": (_LengthBuckets, "utils.PyDataset")}


def __getattr__(name):
    """``EpochProgress`` (a ``keras.callbacks.Callback``) and ``LengthBuckets`` (a
    ``keras.utils.PyDataset``) are made on first use, so that keras loads lazily."""
    if name in _LAZY:
        import keras

        mixin, base = _LAZY[name]
        parent = getattr(getattr(keras, base.split(".")[0]), base.split(".")[1])
        cls = type(name, (mixin, parent), {"__doc__": mixin.__doc__, "__module__": __name__})
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
