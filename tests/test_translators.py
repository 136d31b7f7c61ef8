"""course_utils.translators: shapes, masks, step decoding = teacher forcing, training, translation."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import decoding, seq2seq, training
from course_utils import translators as tr
from course_utils.attention import causal_mask
from course_utils.text import Vocab

V_SRC, V_TGT = 13, 11                                    # tiny vocabularies
KINDS = ("gru", "gru+attention", "transformer")

SRC = torch.tensor([[4, 5, 6, 7, 8],                     # three sources of lengths 5, 2, 3
                    [9, 4, 0, 0, 0],
                    [5, 6, 7, 0, 0]])
TGT_IN = torch.tensor([[1, 4, 5, 6, 7],                  # <s> y, of lengths 5, 2, 4
                       [1, 8, 0, 0, 0],
                       [1, 9, 10, 4, 0]])


pytestmark = pytest.mark.usefixtures("torch_one_thread")


def build(kind, src_vocab=V_SRC, tgt_vocab=V_TGT, seed=0):
    torch.manual_seed(seed)
    if kind == "transformer":
        return tr.TransformerTranslator(src_vocab, tgt_vocab, embed_dim=16, num_heads=2, num_layers=2,
                                        d_ff=32, max_len=40)
    return tr.GRUTranslator(src_vocab, tgt_vocab, embed_dim=8, hidden_size=16,
                            attention=kind == "gru+attention")


@pytest.fixture(params=KINDS)
def model(request):
    return build(request.param).eval()


# ----------------------------------------------------------------------- teacher forcing

def test_forward_gives_logits_for_every_target_position(model):
    assert model(SRC, TGT_IN).shape == (3, 5, V_TGT)
    assert model(SRC.numpy(), TGT_IN.numpy()[:, :2]).shape == (3, 2, V_TGT)   # NumPy works too


@torch.no_grad()
def test_extra_source_padding_changes_nothing(model):
    padded = torch.cat([SRC, torch.zeros(3, 4, dtype=torch.long)], dim=1)    # (3, 9)
    torch.testing.assert_close(model(padded, TGT_IN), model(SRC, TGT_IN), atol=1e-5, rtol=0)


@torch.no_grad()
def test_a_position_never_sees_later_target_words(model):
    logits = model(SRC, TGT_IN)
    for t in range(TGT_IN.shape[1] - 1):
        changed = TGT_IN.clone()
        changed[:, t + 1:] = torch.randint(4, V_TGT, changed[:, t + 1:].shape)
        torch.testing.assert_close(model(SRC, changed)[:, :t + 1], logits[:, :t + 1],
                                   atol=1e-5, rtol=0)


# ------------------------------------------------------------------------- decoding

@torch.no_grad()
def test_step_by_step_decoding_agrees_with_teacher_forcing(model):
    expected = torch.log_softmax(model(SRC, TGT_IN), dim=-1).numpy()        # (B, T, V)
    state = model.start(SRC)
    for t in range(TGT_IN.shape[1]):
        log_probs, state = model.step(TGT_IN[:, t].numpy(), state)          # (B, V)
        assert isinstance(log_probs, np.ndarray) and log_probs.shape == (3, V_TGT)
        np.testing.assert_allclose(log_probs, expected[:, t], atol=1e-5, rtol=0)


@torch.no_grad()
def test_gathered_states_follow_their_rows(model):
    rows = np.array([2, 0, 0, 1])                         # as beam search reorders hypotheses
    expected = torch.log_softmax(model(SRC[rows], TGT_IN[rows]), dim=-1).numpy()
    state = decoding.gather_state(model.start(SRC), rows)
    for t in range(TGT_IN.shape[1]):
        log_probs, state = model.step(TGT_IN[rows, t].numpy(), state)
        np.testing.assert_allclose(log_probs, expected[:, t], atol=1e-5, rtol=0)


def likes_to_stop(kind):
    """A model whose end-of-sentence logit is raised, so hypotheses finish early."""
    model = build(kind, seed=1).eval()
    with torch.no_grad():
        model.out.bias[tr.END] += 2.0
    return model


@pytest.mark.parametrize("kind", KINDS)
def test_beam_width_one_is_greedy_and_wider_beams_score_at_least_as_well(kind):
    model = likes_to_stop(kind)
    kw = dict(batch_size=3, start_id=tr.START, end_id=tr.END, max_len=12)
    greedy = decoding.greedy_decode(model.step, model.start(SRC), **kw)
    assert decoding.beam_search(model.step, model.start(SRC), beam_width=1, **kw) == greedy
    beam = decoding.beam_search(model.step, model.start(SRC), beam_width=4, **kw)
    score = lambda out: decoding.sequence_log_prob(model.step, model.start(SRC), out, tr.START, tr.END)
    assert np.all(score(beam) >= score(greedy) - 1e-6)


# -------------------------------------------------------------------------- attention

@pytest.mark.parametrize("kind", ["gru+attention", "transformer"])
def test_attention_weights_are_distributions_over_the_real_source_words(kind):
    model = build(kind).train()
    weights = model.attention_weights(SRC, TGT_IN)
    assert weights.shape == (3, 5, 5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 5), atol=1e-5, rtol=0)
    assert torch.all(weights.masked_select((SRC == 0)[:, None, :].expand(-1, 5, -1)) == 0)
    assert model.training                                 # the mode is restored


def test_transformer_attention_weights_come_from_the_model_itself():
    model = build("transformer").eval()
    with torch.no_grad():
        before = model(SRC, TGT_IN)
        per_head = model.attention_weights(SRC, TGT_IN, average_heads=False)     # (B, h, T, S)
        after = model(SRC, TGT_IN)
    torch.testing.assert_close(after, before, atol=0, rtol=0)
    assert per_head.shape == (3, 2, 5, 5)
    torch.testing.assert_close(per_head.mean(1), model.attention_weights(SRC, TGT_IN))
    with torch.no_grad():                  # the last block's cross-attention, by hand
        memory, pad = model.encode(SRC)
        y = model._embed(TGT_IN, model.tgt_embed)
        for block in model.decoder[:-1]:
            y, _ = block(y, memory, pad, causal_mask(5))
        last = model.decoder[-1]
        h = last.norm1(y)
        y = y + last.self_attn(h, h, h, attn_mask=causal_mask(5))[0]
        _, by_hand = last.cross_attn(last.norm2(y), memory, memory, padding_mask=pad)
    torch.testing.assert_close(per_head, by_hand, atol=1e-6, rtol=0)


@pytest.mark.parametrize("beam_width", [1, 3])
def test_the_key_value_cache_changes_no_output(beam_width):
    model = likes_to_stop("transformer")
    kw = dict(batch_size=3, start_id=tr.START, end_id=tr.END, max_len=12, return_scores=True)
    outputs = {}
    for cached in (True, False):
        model.kv_cache = cached
        state = model.start(SRC)
        outputs[cached] = (decoding.greedy_decode(model.step, state, **kw) if beam_width == 1 else
                           decoding.beam_search(model.step, state, beam_width=beam_width, **kw))
    assert outputs[True][0] == outputs[False][0]
    np.testing.assert_allclose(outputs[True][1], outputs[False][1], atol=1e-5)


def test_the_plain_gru_has_no_attention_weights():
    with pytest.raises(ValueError, match="attention=True"):
        build("gru").attention_weights(SRC, TGT_IN)


# -------------------------------------------------------------- training, translation

WORDS = "zero one two three four five six seven eight nine".split()


def reversal_pairs(n, seed):
    """English 'one four two' -> target 'two four one': a task every model can learn."""
    rng = np.random.default_rng(seed)
    sentences = [" ".join(rng.choice(WORDS, size=rng.integers(2, 6))) for _ in range(n)]
    return [(s, " ".join(s.split()[::-1])) for s in sentences]


@pytest.fixture(scope="module")
def task():
    train, val = reversal_pairs(200, 0), reversal_pairs(40, 1)
    src_vocab = Vocab.build([s for s, _ in train], level="word")
    tgt_vocab = Vocab.build([t for _, t in train], level="word")
    arrays = [seq2seq.encode_words(src_vocab, tgt_vocab, pairs) for pairs in (train, val)]
    return src_vocab, tgt_vocab, arrays


@pytest.mark.parametrize("kind", KINDS)
def test_fit_lowers_the_training_loss(kind, task):
    src_vocab, tgt_vocab, (train, val) = task
    model = build(kind, len(src_vocab), len(tgt_vocab))
    history = training.fit_translator(model, train, val, epochs=3, batch_size=32, lr=3e-3, device="cpu",
                                      progress=False)
    assert set(history) == {"loss", "val_loss", "val_token_accuracy", "lr", "seconds"}
    assert all(len(values) == 3 for values in history.values())          # Keras' shape
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert 0 <= history["val_token_accuracy"][-1] <= 1
    assert history["seconds"][0] <= history["seconds"][-1]
    assert not model.training


def test_restore_best_puts_back_the_best_validation_epoch(task):
    src_vocab, tgt_vocab, (train, val) = task
    model = build("gru", len(src_vocab), len(tgt_vocab))
    history = training.fit_translator(model, train, val, epochs=4, batch_size=32, lr=3e-2, device="cpu",
                                      restore_best=True, progress=False)   # a rate that overshoots
    assert training.evaluate_teacher_forced(model, val)["loss"] == pytest.approx(min(history["val_loss"]))


def test_evaluate_teacher_forced_counts_real_positions_only(task):
    src_vocab, tgt_vocab, (_, val) = task
    model = build("gru", len(src_vocab), len(tgt_vocab)).eval()
    scores = training.evaluate_teacher_forced(model, val, batch_size=7)
    with torch.no_grad():
        logits = model(val[0], val[1])
    loss = nn.functional.cross_entropy(logits.flatten(0, 1), torch.from_numpy(val[2]).flatten(),
                                       ignore_index=0)
    assert scores["loss"] == pytest.approx(loss.item(), rel=1e-5)
    mask = val[2] != 0
    assert scores["token_accuracy"] == pytest.approx((logits.argmax(-1).numpy() == val[2])[mask].mean())


@pytest.mark.parametrize("kind", ["gru+attention", "transformer"])
def test_translate_returns_strings_in_the_input_order(kind, task):
    src_vocab, tgt_vocab, _ = task
    model = build(kind, len(src_vocab), len(tgt_vocab))
    sentences = [s for s, _ in reversal_pairs(9, 2)]
    batched = decoding.translate(model, src_vocab, tgt_vocab, sentences, batch_size=4)
    assert batched == [decoding.translate(model, src_vocab, tgt_vocab, [s])[0] for s in sentences]
    assert all(isinstance(t, str) for t in batched)
    cut = decoding.translate(model, src_vocab, tgt_vocab, sentences, max_len=2)
    assert all(len(t.split()) <= 2 for t in cut)
    beams = decoding.translate(model, src_vocab, tgt_vocab, sentences, beam_width=3, batch_size=4)
    assert len(beams) == len(sentences) and all(isinstance(t, str) for t in beams)


# ----------------------------------------------------------------------- fair sizes

def test_fit_follows_warmup_then_cosine(task):
    src_vocab, tgt_vocab, (train, val) = task
    steps = -(-len(train[0]) // 32)                                       # batches in one epoch
    model = build("transformer", len(src_vocab), len(tgt_vocab))
    history = training.fit_translator(model, train, val, epochs=2, batch_size=32, lr=1e-3, warmup_steps=steps,
                                      device="cpu", progress=False)
    assert history["lr"][0] == pytest.approx(1e-3)                        # the end of the ramp
    assert history["lr"][1] == pytest.approx(1e-3 * training.warmup_cosine(2 * steps - 1, 2 * steps,
                                                                           steps))
    with pytest.raises(ValueError, match="warmup_steps"):
        training.fit_translator(model, train, val, epochs=1, batch_size=32, warmup_steps=steps,
                                progress=False)
    constant = training.fit_translator(build("gru", len(src_vocab), len(tgt_vocab)), train, val, epochs=2,
                                       batch_size=32, lr=1e-3, final_lr=1.0, device="cpu", progress=False)
    assert constant["lr"] == [1e-3, 1e-3]


def test_width_for_parameters_picks_the_closest_count():
    square = lambda w: nn.Linear(w, w)                    # w * w + w parameters
    assert training.width_for_parameters(square, 110, [5, 10, 20]) == 10
    assert training.width_for_parameters(square, 200, [5, 10, 20]) == 10
    assert training.width_for_parameters(square, 300, [5, 10, 20]) == 20
    target = training.count_parameters(tr.GRUTranslator(50, 60, hidden_size=32))
    width = training.width_for_parameters(lambda w: tr.GRUTranslator(50, 60, hidden_size=w, attention=True),
                                          target, range(8, 41, 4))
    matched = training.count_parameters(tr.GRUTranslator(50, 60, hidden_size=width, attention=True))
    assert abs(matched - target) / target < 0.1


# ------------------------------------------------------------------------ bad input

@pytest.mark.parametrize("kind", KINDS)
def test_bad_ids_name_the_problem(kind):
    model = build(kind)
    with pytest.raises(ValueError, match=r"2-D .*src\[None\]"):
        model.start(SRC[0])
    with pytest.raises(ValueError, match=f"{V_SRC} tokens.*src_vocab_size"):
        model.start(SRC + 10)
    with pytest.raises(ValueError, match="integer token ids"):
        model.start(SRC.float())
    with pytest.raises(ValueError, match="all padding"):
        model.start(torch.cat([SRC, torch.zeros(1, 5, dtype=torch.long)]))
    with pytest.raises(ValueError, match="after the words"):
        model.start(torch.tensor([[0, 4, 5]]))
    if kind != "gru":
        with pytest.raises(ValueError, match=f"{V_TGT} tokens.*tgt_vocab_size"):
            model.attention_weights(SRC, TGT_IN + 10)
        with pytest.raises(ValueError, match="3 sentences but tgt_in has 2"):
            model.attention_weights(SRC, TGT_IN[:2])


def test_sentences_longer_than_the_transformer_allows_are_refused():
    model = build("transformer")                          # max_len=40
    with pytest.raises(ValueError, match="max_len=40"):
        model.start(torch.full((1, 41), 4))


def test_fit_refuses_misaligned_arrays(task):
    src_vocab, tgt_vocab, (train, val) = task
    model = build("gru", len(src_vocab), len(tgt_vocab))
    with pytest.raises(ValueError, match="same number of rows"):
        training.fit_translator(model, (train[0][:-1], train[1], train[2]), val, epochs=1, progress=False)
    with pytest.raises(ValueError, match="triple"):
        training.fit_translator(model, train[:2], val, epochs=1, progress=False)
    with pytest.raises(ValueError, match="src_vocab_size"):
        training.fit_translator(build("gru", 5, len(tgt_vocab)), train, val, epochs=1, progress=False)


def test_translate_refuses_bad_sentence_lists(task):
    src_vocab, tgt_vocab, _ = task
    model = build("gru", len(src_vocab), len(tgt_vocab))
    with pytest.raises(ValueError, match="no sentences"):
        decoding.translate(model, src_vocab, tgt_vocab, [])
    with pytest.raises(ValueError, match=r"wrap it as \[text\]"):
        decoding.translate(model, src_vocab, tgt_vocab, "one two")
    with pytest.raises(ValueError, match="sentence 1"):
        decoding.translate(model, src_vocab, tgt_vocab, ["one", ""])
    with pytest.raises(ValueError, match="source first"):
        decoding.translate(build("gru", 99, len(tgt_vocab)), src_vocab, tgt_vocab, ["one"])
