"""Greedy and beam-search decoding over step functions (course_utils.decoding)."""

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import decoding

END, START = 0, 1


def table_step(targets, vocab_size=6, confidence=0.9):
    """A step function that writes ``targets[b]`` then END; state = position (B,)."""
    def step(prev, state):
        (pos,) = state
        probs = np.full((len(prev), vocab_size), (1 - confidence) / (vocab_size - 1))
        for b, p in enumerate(pos):
            seq = list(targets[b]) + [END]
            probs[b, seq[min(p, len(seq) - 1)]] = confidence
        return np.log(probs), (pos + 1,)
    step.calls = 0
    return step


def tree_step(tree, vocab_size):
    """A step function over a prefix tree ``tree[node] = {token: (p, child)}``.

    The state is the node id (B,) *before* the previous token; the step first moves to
    that token's child, then returns the child's distribution. Nodes not in the tree are
    leaves: only END follows.
    """
    def step(prev, state):
        (node,) = state
        node = np.array([n if p in (START, END) else tree[int(n)][int(p)][1]
                         for n, p in zip(node, prev)])
        log_probs = np.full((len(prev), vocab_size), -np.inf)
        for b, n in enumerate(node):
            for token, (p, _child) in tree.get(int(n), {END: (1.0, None)}).items():
                log_probs[b, token] = np.log(p)
        return log_probs, (node,)
    return step


def score(step, state, seq, with_end):
    """Sum of log-probabilities of ``seq`` (plus END when ``with_end``) for one sentence."""
    total, prev = 0.0, np.array([START])
    for token in list(seq) + [END] * with_end:
        log_probs, state = step(prev, state)
        total += log_probs[0, token]
        prev = np.array([token])
    return total


# A myopic example: greedy takes token 2 (p=0.6) but everything after it is uncertain;
# token 3 (p=0.4) is followed by END with p=0.95.  Best: [3] with 0.4*0.95 = 0.38,
# greedy: [2, x] with at most 0.6 * 0.4 * ... < 0.38.
MYOPIC = {
    0: {2: (0.6, 1), 3: (0.4, 2)},            # root
    1: {END: (0.3, 9), 4: (0.35, 3), 5: (0.35, 4)},   # after [2]
    2: {END: (0.95, 9), 4: (0.05, 5)},        # after [3]
    3: {END: (0.5, 9), 4: (0.5, 9)},
    4: {END: (0.5, 9), 5: (0.5, 9)},
    5: {END: (1.0, 9)},
}


def random_rnn_step(vocab_size=7, hidden_size=5, seed=0, nested=False):
    """A random NumPy RNN language model; its state can be a nested pytree."""
    rng = np.random.default_rng(seed)
    E = rng.normal(size=(vocab_size, hidden_size))
    W = rng.normal(size=(hidden_size, hidden_size)) / np.sqrt(hidden_size)
    U = rng.normal(size=(hidden_size, vocab_size)) * 2

    def step(prev, state):
        h = state["h"] if nested else state[0]
        h = np.tanh(E[prev] + h @ W)                                   # (B, H)
        logits = h @ U                                                 # (B, V)
        log_probs = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        if nested:
            return log_probs, {"h": h, "extra": [state["extra"][0] + 1]}
        return log_probs, (h,)
    return step


def init_state(batch, hidden_size=5, seed=1, nested=False):
    h = np.random.default_rng(seed).normal(size=(batch, hidden_size))
    return {"h": h, "extra": [np.zeros((batch, 2))]} if nested else (h,)


# ------------------------------------------------------------------------- greedy

def test_greedy_writes_the_known_answer_for_the_whole_batch():
    targets = [[3, 4, 5], [2], [5, 5, 4, 3, 2]]
    calls = []
    base = table_step(targets)

    def step(prev, state):
        calls.append(prev.copy())
        return base(prev, state)

    out, scores = decoding.greedy_decode(step, (np.zeros(3, dtype=int),), 3, START, END,
                                         max_len=20, return_scores=True)
    assert out == targets
    assert len(calls) == 6                   # longest answer (5) + END: stops early
    assert (calls[0] == START).all()
    np.testing.assert_allclose(scores, [np.log(0.9) * (len(t) + 1) for t in targets])


def test_greedy_cuts_at_max_len():
    out = decoding.greedy_decode(table_step([[3, 4, 5, 2]]), (np.zeros(1, dtype=int),), 1,
                                 START, END, max_len=2)
    assert out == [[3, 4]]


def test_a_cut_output_is_scored_without_an_end_token():
    step, state = table_step([[3, 4, 5, 2]]), (np.zeros(1, dtype=int),)
    out, scores = decoding.greedy_decode(step, state, 1, START, END, max_len=2, return_scores=True)
    assert out == [[3, 4]]                                         # cut: no room for END
    np.testing.assert_allclose(scores, [2 * np.log(0.9)])          # two tokens, no END
    np.testing.assert_allclose(decoding.sequence_log_prob(step, state, out, START, END, max_len=2), scores)
    # without max_len every list counts as ended: END (p = 0.02 after [3, 4]) is scored too
    np.testing.assert_allclose(decoding.sequence_log_prob(step, state, out, START, END),
                               [2 * np.log(0.9) + np.log(0.02)])
    with pytest.raises(ValueError, match="more than max_len=1"):
        decoding.sequence_log_prob(step, state, out, START, END, max_len=1)


def test_greedy_is_myopic_and_beam_search_is_not():
    step = tree_step(MYOPIC, vocab_size=6)
    state = (np.zeros(2, dtype=int),)
    greedy, g_scores = decoding.greedy_decode(step, state, 2, START, END, 10, return_scores=True)
    beam, b_scores = decoding.beam_search(step, state, 2, START, END, 10, beam_width=2,
                                          return_scores=True)
    assert greedy == [[2, 4], [2, 4]]                 # greedy takes the 0.6 branch first
    assert beam == [[3], [3]]
    assert (b_scores > g_scores).all()
    np.testing.assert_allclose(b_scores, np.log(0.4 * 0.95))
    np.testing.assert_allclose(decoding.sequence_log_prob(step, state, beam, START, END), b_scores)
    np.testing.assert_allclose(decoding.sequence_log_prob(step, state, greedy, START, END), g_scores)


# --------------------------------------------------------------------------- beam

@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("nested", [False, True])
def test_beam_width_1_is_greedy(seed, nested):
    step = random_rnn_step(seed=seed, nested=nested)
    state = init_state(6, seed=seed, nested=nested)
    greedy, g = decoding.greedy_decode(step, state, 6, START, END, 12, return_scores=True)
    beam, b = decoding.beam_search(step, state, 6, START, END, 12, beam_width=1, return_scores=True)
    assert beam == greedy
    np.testing.assert_allclose(b, g)


@pytest.mark.parametrize("seed", range(3))
def test_wide_beam_is_exact_search(seed):
    vocab, max_len = 3, 3
    step = random_rnn_step(vocab_size=vocab, seed=seed)
    state = init_state(2, seed=seed)
    found, scores = decoding.beam_search(step, state, 2, START, END, max_len,
                                         beam_width=vocab ** max_len, return_scores=True)
    # brute force: every output that ends with END before max_len, or is cut at max_len
    for b in range(2):
        one = tuple(a[b:b + 1] for a in state)
        scored = [(score(step, one, c, n < max_len), list(c)) for n in range(max_len + 1)
                  for c in itertools.product((1, 2), repeat=n)]
        best_score, best = max(scored, key=lambda x: x[0])
        assert scores[b] == pytest.approx(best_score)
        assert found[b] == best


# Beam search is not exact: greedy's prefix [2, 5] (0.36 * 0.4 = 0.144) is pruned at step 2
# by two prefixes after token 3 (0.34 * 0.5 = 0.17 each), whose every continuation is worse
# than greedy's end (at most 0.17 * 0.3 = 0.051, cut at max_len = 3, against 0.144).
PRUNED = {0: {2: (0.36, 1), 3: (0.34, 2), 4: (0.30, 3)},
          1: {5: (0.4, 4), 2: (0.3, 5), 3: (0.3, 6)},
          3: {2: (0.3, 15), 3: (0.3, 16), 4: (0.4, 17)},
          2: {2: (0.5, 7), 4: (0.5, 8)},
          7: {END: (0.1, None), 2: (0.3, 9), 3: (0.3, 10), 4: (0.3, 11)},
          8: {END: (0.1, None), 2: (0.3, 12), 3: (0.3, 13), 4: (0.3, 14)}}


def test_beam_search_can_lose_to_greedy_when_greedys_prefix_is_pruned():
    step, state = tree_step(PRUNED, vocab_size=6), (np.zeros(1, dtype=int),)
    greedy, g = decoding.greedy_decode(step, state, 1, START, END, 3, return_scores=True)
    beam, b = decoding.beam_search(step, state, 1, START, END, 3, beam_width=2, return_scores=True)
    assert greedy == [[2, 5]] and len(beam[0]) == 3 and beam[0][0] == 3     # pruned; beam is cut
    np.testing.assert_allclose(g, np.log(0.36 * 0.4))
    np.testing.assert_allclose(b, np.log(0.34 * 0.5 * 0.3))
    wide = decoding.beam_search(step, state, 1, START, END, 3, beam_width=3)
    assert wide == greedy                     # a beam one wider keeps it: the best output


def test_length_penalty_favours_longer_outputs():
    # [] (END at once, p=0.5) vs [4, 4, 4, 4] then END (p = 0.5 * 0.9^4 = 0.33)
    tree = {0: {END: (0.5, 9), 4: (0.5, 1)}, 1: {4: (0.9, 2), END: (0.1, 9)},
            2: {4: (0.9, 3), END: (0.1, 9)}, 3: {4: (0.9, 4), END: (0.1, 9)}, 4: {END: (0.9, 9), 4: (0.1, 9)}}
    step, state = tree_step(tree, vocab_size=6), (np.zeros(1, dtype=int),)
    assert decoding.beam_search(step, state, 1, START, END, 8, beam_width=3) == [[]]
    assert decoding.beam_search(step, state, 1, START, END, 8, beam_width=3,
                                length_penalty=2.0) == [[4, 4, 4, 4]]


def test_gather_state_keeps_the_structure():
    state = {"a": (np.arange(3), [np.arange(6).reshape(3, 2)]), "b": None}
    out = decoding.gather_state(state, np.array([2, 2, 0]))
    assert out["b"] is None and isinstance(out["a"], tuple) and isinstance(out["a"][1], list)
    np.testing.assert_array_equal(out["a"][0], [2, 2, 0])
    np.testing.assert_array_equal(out["a"][1][0], [[4, 5], [4, 5], [0, 1]])


def test_gather_state_keeps_torch_tensors_as_tensors():
    torch = pytest.importorskip("torch")
    state = (torch.arange(6.0).reshape(3, 2), np.arange(3))
    out = decoding.gather_state(state, np.array([2, 0]))
    assert isinstance(out[0], torch.Tensor) and out[0].device == state[0].device
    assert out[0].tolist() == [[4.0, 5.0], [0.0, 1.0]]
    np.testing.assert_array_equal(out[1], [2, 0])


def test_beam_search_over_a_torch_state_equals_the_numpy_state():
    torch = pytest.importorskip("torch")
    targets = [[2, 3], [4], [5, 5, 2]]

    def step(prev, state):                       # state: (sentence id, position), (B,) each
        sentence, pos = (np.asarray(a) for a in state)
        probs = np.full((len(prev), 6), 0.02)
        for row, (b, p) in enumerate(zip(sentence, pos)):
            seq = targets[b] + [END]
            probs[row, seq[min(p, len(seq) - 1)]] = 0.9
        return np.log(probs), (state[0], state[1] + 1)   # stays a tensor if it was one

    ids = np.arange(3)
    as_numpy = decoding.beam_search(step, (ids, np.zeros(3, dtype=np.int64)), 3, START, END,
                                    max_len=6, beam_width=3)
    as_torch = decoding.beam_search(step, (torch.as_tensor(ids), torch.zeros(3, dtype=torch.int64)),
                                    3, START, END, max_len=6, beam_width=3)
    assert as_torch == as_numpy == targets


# ------------------------------------------- properties, checked on random Markov models
# In a Markov model the next token depends on the sentence (batch row) and the previous
# token only: log p(v | y_<t, x_b) = tables[b, y_{t-1}, v]. Small ones (V <= 5, max_len <= 4)
# can be decoded by brute force over every possible output.

ALPHAS = st.sampled_from([0.0, 0.5, 2.0])             # length penalties


def markov_step(tables):
    """A step function over ``tables`` (B, V, V) of log-probs; state = (sentence ids (B,),)."""
    def step(prev, state):
        (sentence,) = state
        return tables[sentence, prev], state              # (B, V)
    return step


@st.composite
def markov_models(draw):
    """A random Markov model with its decoding arguments.

    The end token's logits are shifted by 0, -3 or -50; at -50 ending costs more than any
    ``max_len`` other tokens, so every output the decoders return is cut at ``max_len``.
    """
    V, B = draw(st.integers(3, 5)), draw(st.integers(1, 3))
    end_id, start_id = draw(st.permutations(range(V)))[:2]
    logits = draw(hnp.arrays(np.float64, (B, V, V), elements=st.floats(-4, 4)))
    end_shift = draw(st.sampled_from([0.0, -3.0, -50.0]))
    logits[:, :, end_id] += end_shift
    tables = logits - np.logaddexp.reduce(logits, axis=2, keepdims=True)        # log_softmax
    return dict(tables=tables, start_id=start_id, end_id=end_id, max_len=draw(st.integers(1, 4)),
                all_cut=end_shift == -50.0)


def decode(decoder, model, rows=None, **kw):
    """``decoder`` on the sentences ``rows`` (default: all) of a Markov model, with scores."""
    rows = np.arange(len(model["tables"])) if rows is None else np.asarray(rows)
    return decoder(markov_step(model["tables"]), (rows,), len(rows), model["start_id"],
                   model["end_id"], model["max_len"], return_scores=True, **kw)


def all_outputs(V, end_id, max_len):
    """Every token list a decoder can return: ended after 0 .. max_len - 1 tokens, or cut at max_len.

    There are 1 + (V-1) + ... + (V-1)**max_len of them (at most V**max_len).
    """
    tokens = [v for v in range(V) if v != end_id]
    return [list(c) for n in range(max_len + 1) for c in itertools.product(tokens, repeat=n)]


def exact_score(table, ids, start_id, end_id, max_len, alpha):
    """s(y) / lp(L) of one output under one sentence's ``table`` (V, V), summed by hand."""
    path = [start_id] + ids + [end_id] * (len(ids) < max_len)     # END only if not cut
    s = sum(table[prev, token] for prev, token in zip(path, path[1:]))
    return s / decoding.length_penalty_factor(len(path) - 1, alpha)


@settings(max_examples=200, deadline=None)
@given(markov_models(), ALPHAS)
def test_beam_as_wide_as_the_number_of_outputs_is_exhaustive_search(model, alpha):
    # After step t the beam has to hold every output that ended by then plus every live
    # prefix of t tokens: 1 + (V-1) + ... + (V-1)**t hypotheses, the most at t = max_len,
    # where that is the number of all outputs. With that width nothing is ever pruned.
    tables, start_id, end_id, max_len = (model[k] for k in ("tables", "start_id", "end_id", "max_len"))
    outputs = all_outputs(tables.shape[1], end_id, max_len)
    found, scores = decode(decoding.beam_search, model, beam_width=len(outputs), length_penalty=alpha)
    for b, table in enumerate(tables):
        ranked = sorted(((exact_score(table, y, start_id, end_id, max_len, alpha), y) for y in outputs),
                        key=lambda pair: pair[0], reverse=True)
        (best_score, best), (second_score, _) = ranked[:2]
        assert scores[b] == pytest.approx(best_score, abs=1e-9)
        if second_score < best_score - 1e-9:                       # a unique best output
            assert found[b] == best


def rounding_tie() -> dict:
    """A model where two candidate sums round to the same float though their last steps differ
    by one unit in the last place: after token 0, ending is likelier than token 0 again."""
    a = np.log(1 / 3)
    tables = np.full((1, 3, 3), a)
    tables[0, 0] = [a, np.nextafter(a, 0), a]               # from token 0: the end (1) by a hair
    tables[0, 2, 0] = np.nextafter(a, -1)                   # from the start (2): token 0
    return dict(tables=tables, start_id=2, end_id=1, max_len=2, all_cut=False)


@settings(max_examples=200, deadline=None)
@given(markov_models())
@example(rounding_tie())
def test_beam_width_1_is_greedy_on_every_markov_model(model):
    greedy, greedy_scores = decode(decoding.greedy_decode, model)
    beam, beam_scores = decode(decoding.beam_search, model, beam_width=1)
    assert beam == greedy
    np.testing.assert_allclose(beam_scores, greedy_scores, rtol=0, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(markov_models(), st.integers(1, 6), ALPHAS)
def test_returned_scores_are_the_scores_of_the_returned_outputs(model, beam_width, alpha):
    step, state, max_len = markov_step(model["tables"]), (np.arange(len(model["tables"])),), model["max_len"]
    beam, beam_scores = decode(decoding.beam_search, model, beam_width=beam_width, length_penalty=alpha)
    greedy, greedy_scores = decode(decoding.greedy_decode, model)
    if model["all_cut"]:
        assert all(len(ids) == max_len for ids in beam + greedy)
    lengths = [len(ids) + (len(ids) < max_len) for ids in beam]    # L counts END if it ended
    s = decoding.sequence_log_prob(step, state, beam, model["start_id"], model["end_id"], max_len=max_len)
    np.testing.assert_allclose(beam_scores, s / decoding.length_penalty_factor(lengths, alpha),
                               rtol=0, atol=1e-9)
    s = decoding.sequence_log_prob(step, state, greedy, model["start_id"], model["end_id"], max_len=max_len)
    np.testing.assert_allclose(greedy_scores, s, rtol=0, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(markov_models(), st.integers(1, 6), ALPHAS)
def test_decoding_a_batch_equals_decoding_each_sentence_alone(model, beam_width, alpha):
    for decoder, kw in [(decoding.greedy_decode, {}),
                        (decoding.beam_search, dict(beam_width=beam_width, length_penalty=alpha))]:
        together, together_scores = decode(decoder, model, **kw)
        alone = [decode(decoder, model, rows=[b], **kw) for b in range(len(model["tables"]))]
        assert together == [ids[0] for ids, _ in alone]
        np.testing.assert_allclose(together_scores, [s[0] for _, s in alone], rtol=0, atol=1e-9)


# Bad input: tests/test_bad_input.py (decoding/...).
