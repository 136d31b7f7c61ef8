"""course_utils.language_model: streams for truncated BPTT, baselines, the model, sampling."""

import math

import numpy as np
import pytest
import torch

from course_utils import language_model as lm
from course_utils import training
from course_utils.training import count_parameters, epoch_line, warmup_cosine

V = 7                                                    # a tiny vocabulary


pytestmark = pytest.mark.usefixtures("torch_one_thread")


def tiny_model(rnn="lstm", hidden_size=16, seed=0):
    torch.manual_seed(seed)
    return lm.CharLM(V, embed_dim=8, hidden_size=hidden_size, rnn=rnn)


# ---------------------------------------------------------------------------- streams

def test_split_is_contiguous_and_holds_out_the_end():
    ids = np.arange(100)
    train, valid = lm.split_ids(ids, validation=0.2)
    assert len(train) == 80 and len(valid) == 20
    assert np.array_equal(np.concatenate([train, valid]), ids)


def test_streams_continue_across_batches_and_targets_are_shifted_by_one():
    ids = np.arange(41)                                  # 40 pairs: 4 streams of 10
    batches = lm.stream_batches(ids, batch_size=4, seq_len=3)
    assert len(batches) == 4                             # chunks of 3, 3, 3, 1
    assert [tuple(x.shape) for x, _ in batches] == [(4, 3)] * 3 + [(4, 1)]
    for x, y in batches:
        assert torch.equal(y, x + 1)                     # the next character
    x0, x1 = batches[0][0], batches[1][0]
    assert torch.equal(x1[:, 0], x0[:, -1] + 1)          # row b continues row b
    rows = torch.cat([x for x, _ in batches], dim=1)     # (4, 10): each row one slice
    assert torch.equal(rows, torch.arange(40).view(4, 10))


def test_streams_drop_only_the_remainder():
    batches = lm.stream_batches(np.arange(23), batch_size=5, seq_len=100)
    assert len(batches) == 1 and batches[0][0].shape == (5, 4)


# -------------------------------------------------------------------------- baselines

def test_baselines_on_a_tiny_text_with_a_known_answer():
    train, valid = np.array([0, 1, 0, 1, 0]), np.array([0, 1, 0])
    # bigram, add-one: P(1|0) = (2+1)/(2+2) and P(0|1) = (2+1)/(2+2)
    assert lm.bigram_bits_per_char(train, valid, 2) == pytest.approx(-math.log2(3 / 4))
    # unigram, add-one: P(0) = 4/7, P(1) = 3/7; targets are valid[1:] = [1, 0]
    expected = -(math.log2(3 / 7) + math.log2(4 / 7)) / 2
    assert lm.unigram_bits_per_char(train, valid, 2) == pytest.approx(expected)


def test_bigram_beats_unigram_on_alternating_text():
    text = np.array([2, 5] * 200)
    assert lm.bigram_bits_per_char(text, text, V) < 0.1 < lm.unigram_bits_per_char(text, text, V)


# ------------------------------------------------------------------------------ model

def test_forward_shapes_and_state_for_both_cells():
    idx = torch.randint(0, V, (3, 5))
    for rnn in ("lstm", "gru"):
        logits, loss, state = tiny_model(rnn)(idx, idx)
        assert logits.shape == (3, 5, V) and loss.ndim == 0
        h = state[0] if rnn == "lstm" else state
        assert h.shape == (1, 3, 16)
    assert tiny_model()(idx)[1] is None
    deep = lm.CharLM(V, 8, 16, num_layers=2, dropout=0.3)          # the `full` profile's shape
    assert deep(idx)[2][0].shape == (2, 3, 16)


def test_uniform_model_scores_log2_of_the_vocabulary():
    model = tiny_model()
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()                          # logits all 0: uniform
    ids = np.random.default_rng(0).integers(0, V, 500)
    assert lm.bits_per_char(model, ids, batch_size=4, seq_len=16) == pytest.approx(math.log2(V))


def test_state_carried_equals_one_long_pass_and_reset_differs():
    model, idx = tiny_model(), torch.randint(0, V, (2, 12))
    with torch.no_grad():
        whole, _, _ = model(idx)                          # (2, 12, V) in one go
        first, _, state = model(idx[:, :6])
        carried, _, _ = model(idx[:, 6:], None, state)
        reset, _, _ = model(idx[:, 6:])
    assert torch.allclose(torch.cat([first, carried], 1), whole, atol=1e-5)
    assert not torch.allclose(reset, whole[:, 6:], atol=1e-3)


def test_detach_state_cuts_the_graph():
    _, _, state = tiny_model()(torch.randint(0, V, (2, 4)))
    assert state[0].requires_grad
    detached = lm.detach_state(state)
    assert not any(s.requires_grad for s in detached)
    assert torch.equal(detached[0], state[0]) and lm.detach_state(None) is None


def test_a_tiny_model_overfits_a_tiny_text_and_fit_returns_a_keras_shaped_history():
    ids = np.tile(np.array([4, 5, 6, 4, 6, 5]), 60)
    model = tiny_model(hidden_size=32)
    before = lm.bits_per_char(model, ids, batch_size=4, seq_len=16)
    history = training.fit_language_model(model, ids, ids, epochs=15, batch_size=4, seq_len=16, lr=2e-2,
                                          progress=False)
    per_epoch = ("loss", "val_loss", "val_bpc", "lr", "seconds", "chars_per_s")
    assert all(len(history[k]) == 15 for k in per_epoch)
    steps = 15 * len(lm.stream_batches(ids, 4, 16))
    assert all(len(history[k]) == steps for k in ("batch_loss", "batch_grad_norm", "batch_lr"))
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history["val_bpc"][-1] < 0.3 < before
    assert history["val_loss"][-1] == pytest.approx(history["val_bpc"][-1] * math.log(2))
    assert min(history["chars_per_s"]) > 0 and all(n >= 0 for n in history["batch_grad_norm"])
    assert history["seconds"] == sorted(history["seconds"])          # cumulative


def test_fit_prints_one_line_per_epoch(capsys):
    ids = np.random.default_rng(0).integers(0, V, 300)
    training.fit_language_model(tiny_model(), ids, ids, epochs=3, batch_size=2, seq_len=10)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("epoch 3/3 · bpc ")
    assert "\r" not in "".join(lines) and "val_bpc" in lines[0]


def test_fit_runs_the_hand_written_step_with_the_cosine_schedule():
    ids = np.random.default_rng(2).integers(0, V, 600)
    batches = lm.stream_batches(ids, 4, 12)
    model, twin = tiny_model(), tiny_model()
    history = training.fit_language_model(twin, ids, ids, epochs=2, batch_size=4, seq_len=12, lr=1e-2,
                                          max_steps=5, progress=False)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.1 + 0.45 * (1 + math.cos(math.pi * s / 10)))
    lrs = []
    for _ in range(2):
        state = None
        for x, y in batches[:5]:
            state = lm.detach_state(state)
            lrs.append(opt.param_groups[0]["lr"])
            _, loss, state = model(x, y, state)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
    assert history["batch_lr"] == pytest.approx(lrs)
    for p, q in zip(model.parameters(), twin.parameters()):
        assert torch.allclose(p, q, atol=1e-6)


def test_train_step_records_the_norm_before_clipping_and_fit_can_reset_the_state():
    ids = np.random.default_rng(1).integers(0, V, 400)
    x, y = lm.stream_batches(ids, 4, 10)[0]
    model = tiny_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss, norm, state = lm.train_step(model, x, y, None, opt, clip=1e-3)
    assert loss.ndim == 0 and not loss.requires_grad and state[0].requires_grad
    assert norm > 1e-3                                   # the pre-clip norm, not the clipped one
    for carry in (True, False):
        history = training.fit_language_model(tiny_model(), ids, ids, epochs=1, batch_size=4, seq_len=10,
                                              carry_state=carry, max_steps=5, progress=False)
        assert len(history["batch_loss"]) == 5


# ------------------------------------------------------- shared helpers (course_utils.training)

def test_warmup_cosine_rises_then_falls_to_a_tenth():
    m = [warmup_cosine(s, 10, warmup_steps=2) for s in range(12)]
    assert m[:3] == pytest.approx([0.5, 1.0, 1.0])
    assert all(a >= b for a, b in zip(m[2:], m[3:])) and m[10] == m[11] == pytest.approx(0.1)
    assert warmup_cosine(0, 4) == 1.0 and warmup_cosine(2, 4) == pytest.approx(0.55)
    with pytest.raises(ValueError, match="warmup_steps < total_steps"):
        warmup_cosine(0, 5, warmup_steps=5)


def test_epoch_line_and_count_parameters():
    line = epoch_line({"loss": [2.0, 1.25], "val_bpc": [1.9, 1.8], "lr": [0.005, 0.001],
                       "seconds": [10.0, 21.4], "batch_loss": [3.0]}, epochs=4)
    assert line == "epoch 2/4 · loss 1.250 · val_bpc 1.800 · lr 1.00e-03 · 21 s"
    with pytest.raises(ValueError, match="per-epoch list"):
        epoch_line({"batch_loss": [1.0]})
    model = lm.CharLM(V, embed_dim=8, hidden_size=16)
    E, H = 8, 16                                          # embedding, LSTM (4 gates), head
    assert count_parameters(model) == V * E + 4 * (H * (E + H) + 2 * H) + H * V + V
    assert not hasattr(model, "num_parameters")          # one name for the idea


# --------------------------------------------------------------------------- sampling

def test_generate_shapes_and_prompt_kept():
    out = lm.generate(tiny_model(), [1, 2, 3], n=10, num_samples=4, generator=0)
    assert out.shape == (4, 13) and out.dtype == torch.int64
    assert (out[:, :3] == torch.tensor([1, 2, 3])).all()
    assert ((0 <= out) & (out < V)).all()


def test_generate_is_reproducible_with_a_seed():
    model = tiny_model()
    a = lm.generate(model, [1], n=30, num_samples=3, generator=7)
    b = lm.generate(model, [1], n=30, num_samples=3, generator=torch.Generator().manual_seed(7))
    c = lm.generate(model, [1], n=30, num_samples=3, generator=8)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert not torch.equal(a[0], a[1])                   # samples in a batch differ


def test_top_k_of_one_is_greedy_argmax():
    model = tiny_model()
    sampled = lm.generate(model, [1, 2], n=15, top_k=1, num_samples=2, generator=3)
    idx = torch.tensor([[1, 2]])
    with torch.no_grad():
        logits, _, state = model(idx)
        for _ in range(15):
            nxt = logits[:, -1].argmax(-1, keepdim=True)             # (1, 1)
            idx = torch.cat([idx, nxt], 1)
            logits, _, state = model(nxt, None, state)
    assert torch.equal(sampled[0], idx[0]) and torch.equal(sampled[1], idx[0])


def test_temperature_sharpens_and_flattens():
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    p = {t: lm.sampling_distribution(logits, t) for t in (0.5, 1.0, 2.0)}
    assert torch.allclose(p[1.0], torch.softmax(logits, -1))
    assert p[0.5][0] > p[1.0][0] > p[2.0][0]             # the top character gains when cold
    assert p[0.5][3] < p[1.0][3] < p[2.0][3]
    top2 = lm.sampling_distribution(logits, 1.0, top_k=2)
    assert (top2[2:] == 0).all() and top2.sum() == pytest.approx(1.0)


# -------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, message", [
    (lambda: lm.split_ids([], 0.1), "is empty"),
    (lambda: lm.split_ids("hello", 0.1), "encode it first"),
    (lambda: lm.split_ids(np.arange(10), 1.5), "between 0 and 1"),
    (lambda: lm.stream_batches(np.arange(10), 4, 0), "seq_len"),
    (lambda: lm.stream_batches(np.arange(10), 0, 4), "batch_size"),
    (lambda: lm.stream_batches(np.arange(3), 8, 4), "smaller batch_size"),
    (lambda: lm.stream_batches(np.array([0.5, 1.5]), 1, 1), "integer ids"),
    (lambda: lm.bigram_bits_per_char([0, 9], [0, 1], 3), "vocab_size=len"),
    (lambda: lm.unigram_bits_per_char([0, 1], [0, 1], 3, alpha=0), "alpha"),
    (lambda: lm.CharLM(V, rnn="transformer"), "'lstm' or 'gru'"),
    (lambda: lm.CharLM(V, dropout=1.0), "dropout"),
    (lambda: lm.generate(tiny_model(), [1], 5, temperature=0), "temperature"),
    (lambda: lm.generate(tiny_model(), [1], 5, temperature=float("nan")), "temperature"),
    (lambda: lm.generate(tiny_model(), [1], 5, top_k=0), "top_k"),
    (lambda: lm.generate(tiny_model(), [1], 5, top_k=V + 1), "vocabulary size 7"),
    (lambda: lm.generate(tiny_model(), [1, 99], 5), "vocabulary the model was built for"),
    (lambda: lm.generate(tiny_model(), [[1, 2], [3, 4]], 5), "one sequence of ids"),
    (lambda: lm.generate(tiny_model(), [], 5), "is empty"),
    (lambda: lm.generate(tiny_model(), [1], -1), "n=-1"),
    (lambda: lm.sampling_distribution(torch.tensor([0.0, float("nan")])), "NaN"),
    (lambda: lm.sampling_distribution(torch.zeros(4), top_k=5), "top_k=5"),
    (lambda: lm.sampling_distribution([1.0, 2.0]), "must be a tensor"),
    (lambda: lm.bits_per_char(tiny_model(), np.arange(10)), r"\[0, 7\)"),
    (lambda: training.fit_language_model(tiny_model(), np.arange(9), [1, 2], epochs=0), "epochs=0"),
    (lambda: training.fit_language_model(tiny_model(), [1, 2, 3], [1, 2], lr=0), "lr=0"),
    (lambda: training.fit_language_model(tiny_model(), [1, 2, 9], [1, 2]), r"train_ids got ids 1..9"),
    (lambda: training.fit_language_model(tiny_model(), np.ones((2, 9), int), [1, 2]), "one sequence"),
    (lambda: training.fit_language_model(tiny_model(), np.arange(7), [1, 2], warmup_steps=99, seq_len=2,
                                         batch_size=1), "warmup_steps=99"),
])
def test_bad_input_raises_a_helpful_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_evaluation_with_the_state_reset_sees_less_context():
    ids = np.tile(np.array([4, 5, 6, 4, 6, 5]), 60)
    model = tiny_model(hidden_size=32)
    training.fit_language_model(model, ids, ids, epochs=15, batch_size=4, seq_len=16, lr=2e-2, progress=False)
    carried = lm.bits_per_char(model, ids, batch_size=4, seq_len=2)
    reset = lm.bits_per_char(model, ids, batch_size=4, seq_len=2, carry_state=False)
    assert carried < reset                      # one character of context cannot tell 5 from 6
