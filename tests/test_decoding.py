"""Greedy and beam-search decoding over step functions (course_utils.decoding)."""

import itertools

import numpy as np
import pytest

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


def random_rnn_step(vocab_size=7, hidden=5, seed=0, nested=False):
    """A random NumPy RNN language model; its state can be a nested pytree."""
    rng = np.random.default_rng(seed)
    E = rng.normal(size=(vocab_size, hidden))
    W = rng.normal(size=(hidden, hidden)) / np.sqrt(hidden)
    U = rng.normal(size=(hidden, vocab_size)) * 2

    def step(prev, state):
        h = state["h"] if nested else state[0]
        h = np.tanh(E[prev] + h @ W)                                   # (B, H)
        logits = h @ U                                                 # (B, V)
        log_probs = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        if nested:
            return log_probs, {"h": h, "extra": [state["extra"][0] + 1]}
        return log_probs, (h,)
    return step


def init_state(batch, hidden=5, seed=1, nested=False):
    h = np.random.default_rng(seed).normal(size=(batch, hidden))
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


def test_beam_beats_or_ties_greedy_on_random_models():
    for seed in range(5):
        step, state = random_rnn_step(seed=seed), init_state(8, seed=seed)
        _, g = decoding.greedy_decode(step, state, 8, START, END, 10, return_scores=True)
        _, b = decoding.beam_search(step, state, 8, START, END, 10, beam_width=4, return_scores=True)
        assert (b >= g - 1e-9).all()


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


# Bad input: tests/test_bad_input.py (decoding/...).
