"""Checks and hints of notebook 05's exercises (05_character_generation)."""

from __future__ import annotations

import numpy as np

from . import Exercise, NotAttempted, Wrong, as_array, first_match, require

CLOSE_BITS = 0.05      # exercise 2: "as good as the carried state" within this many bits per character


# ---------------------------------------------------------------- exercise 1: a trigram baseline
def _trigram(train, valid, V, alpha=1.0, log=np.log2, joint=False):
    """Bits per character of p(c | a, b) from add-alpha triple counts (or a known mistake)."""
    counts = np.full((V, V, V), alpha)                                 # (V, V, V)
    np.add.at(counts, (train[:-2], train[1:-1], train[2:]), 1.0)
    total = counts.sum() if joint else counts.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore"):
        return float(-log(counts / total)[valid[:-2], valid[1:-1], valid[2:]].mean())


def check_ex1(trigram_bits_per_char, V):
    require(("trigram_bits_per_char", trigram_bits_per_char))
    from ..language_model import bigram_bits_per_char

    rng = np.random.default_rng(5)
    train = rng.integers(4, min(V, 10), size=3_000)                    # a made-up text of a few characters
    valid = rng.integers(4, min(V, 10), size=300)
    got = trigram_bits_per_char(train, valid, V)
    if got is None or got is Ellipsis:
        raise NotAttempted("trigram_bits_per_char returns nothing yet.")
    try:
        got = float(got)
    except (TypeError, ValueError):
        raise Wrong(f"trigram_bits_per_char should return one number (bits per character), got "
                    f"{type(got).__name__}.") from None
    right = _trigram(train, valid, V)
    if abs(got - right) < 1e-6:
        return
    if not np.isfinite(got):
        raise Wrong("trigram_bits_per_char gives infinite bits: a triple never seen in training gets "
                    "probability 0. Add one to every count (np.ones((V, V, V))) before counting.")
    known = first_match(np.array(got), {
        "that is in nats: bits per character use log2": _trigram(train, valid, V, log=np.log),
        "you divided by the count of all triples, p(a, b, c); p(c | a, b) divides by the count "
        "of the pair (a, b): sum over the last axis": _trigram(train, valid, V, joint=True),
        "that is the bigram's score: condition on the two characters before": bigram_bits_per_char(
            train, valid, V),
    }, atol=1e-6)
    raise Wrong(f"{known}." if known else
                f"trigram_bits_per_char gives {got:.4f} bits per character on a made-up text where "
                f"the counts give {right:.4f}: count (x[t-2], x[t-1], x[t]) on train_ids, "
                "normalise over x[t], score every validation character from the third on.")


# ---------------------------------------------------------------- exercise 2: how much context
def check_ex2(by_context, enough_k, ks, model, valid_ids, eval_carry):
    require(("by_context", by_context))
    if enough_k is Ellipsis:
        raise NotAttempted("enough_k is still `...`: the smallest k within "
                           f"{CLOSE_BITS} bits of eval_carry, or None.")
    from ..language_model import bits_per_char

    got = as_array(by_context, "by_context")
    if got.shape != (len(ks),):
        raise Wrong(f"by_context has shape {got.shape}: one score per k in ks = {list(ks)}.")
    truth = np.array([bits_per_char(model, valid_ids, seq_len=k, carry_state=False) for k in ks])
    if np.abs(got - truth).max() > 1e-3:
        carried = bits_per_char(model, valid_ids, seq_len=ks[0], carry_state=True)
        if abs(got[0] - truth[0]) > 1e-3 and abs(got[0] - carried) < 1e-3:
            raise Wrong(f"by_context[0] = {got[0]:.3f} is the score with the state carried from chunk to "
                        f"chunk; restarted every {ks[0]} characters the model scores {truth[0]:.3f}: pass "
                        "carry_state=False.")
        i = int(np.argmax(np.abs(got - truth) > 1e-3))
        raise Wrong(f"by_context[{i}] = {got[i]:.3f}, but the model restarted every {ks[i]} characters "
                    f"scores {truth[i]:.3f} on valid_ids: lm.bits_per_char(model, valid_ids, "
                    f"seq_len={ks[i]}, carry_state=False).")
    close = [k for k, b in zip(ks, got) if b - eval_carry <= CLOSE_BITS]
    right = close[0] if close else None
    if enough_k != right:
        raise Wrong(f"enough_k = {enough_k!r}, but by_context gives {right!r}: the smallest k whose score "
                    f"is at most {CLOSE_BITS} bits above eval_carry ({eval_carry:.3f}), None if none is.")


# ---------------------------------------------------------------- exercise 3: the LSTM by hand
def _lstm_lm(model, idx, order="ifgo", bias_hh=True, layers=None):
    """The model's logits (B, T, V) from its weights, or a known mistake."""
    import torch

    rnn = model.rnn
    x = model.embed(idx)                                               # (B, T, E)
    for layer in range(layers or rnn.num_layers):
        W_ih, W_hh = getattr(rnn, f"weight_ih_l{layer}"), getattr(rnn, f"weight_hh_l{layer}")
        b = getattr(rnn, f"bias_ih_l{layer}") + (getattr(rnn, f"bias_hh_l{layer}") if bias_hh else 0)
        h = c = x.new_zeros(x.shape[0], W_hh.shape[1])                 # (B, H)
        out = []
        for t in range(x.shape[1]):
            gates = dict(zip(order, (x[:, t] @ W_ih.T + h @ W_hh.T + b).chunk(4, dim=-1)))
            c = torch.sigmoid(gates["f"]) * c + torch.sigmoid(gates["i"]) * torch.tanh(gates["g"])
            h = torch.sigmoid(gates["o"]) * torch.tanh(c)
            out.append(h)
        x = torch.stack(out, dim=1)                                    # (B, T, H)
    return model.head(x)


def check_ex3(lstm_lm_by_hand):
    require(("lstm_lm_by_hand", lstm_lm_by_hand))
    import torch

    from ..language_model import CharLM

    torch.manual_seed(5)
    model = CharLM(12, embed_dim=5, hidden_size=6, num_layers=2).eval()     # two layers: the loop too
    idx = torch.randint(0, 12, (2, 7))                                 # (B, T)
    with torch.no_grad():
        got = lstm_lm_by_hand(model, idx)
        if got is None or got is Ellipsis:
            raise NotAttempted("lstm_lm_by_hand returns nothing yet.")
        if isinstance(got, tuple):
            raise Wrong("lstm_lm_by_hand should return the logits only, (B, T, V), not a tuple.")
        theirs = model(idx)[0].numpy()                                 # (2, 7, 12)
        mistakes = {
            "the gate blocks are in the wrong order: PyTorch stores input, forget, cell candidate (g), "
            "output": _lstm_lm(model, idx, order="ifog"),
            "bias_hh is missing: PyTorch adds two bias vectors, bias_ih and bias_hh":
                _lstm_lm(model, idx, bias_hh=False),
            "only the first layer ran: loop over model.rnn.num_layers, each layer reading the hidden "
            "states of the one below": _lstm_lm(model, idx, layers=1),
        }
    got = as_array(got, "lstm_lm_by_hand(model, idx)")
    if got.shape != theirs.shape:
        raise Wrong(f"lstm_lm_by_hand gives shape {got.shape} for idx (2, 7) and 12 characters; the "
                    "logits are (B, T, V) = (2, 7, 12): apply model.head to the last layer's states.")
    if np.abs(got - theirs).max() < 1e-5:
        return
    known = first_match(got, {m: v.numpy() for m, v in mistakes.items()}, atol=1e-5)
    raise Wrong((known + ".") if known else f"lstm_lm_by_hand differs from the model's logits by up to "
                f"{np.abs(got - theirs).max():.2g} (a 2-layer CharLM on fresh weights): check the gate "
                "equations, c = f * c + i * g and h = o * tanh(c).")


# ---------------------------------------------------------------- exercise 4: two spellings
def _bits(model, vocab, prefix, continuation, whole=False, log=np.log2, mean=False):
    """Bits of ``continuation`` after ``prefix`` (or a known mistake)."""
    import torch

    device = next(model.parameters()).device
    ids = torch.tensor([vocab.encode(prefix + continuation)], device=device)     # (1, P + C)
    was = model.training
    model.eval()
    with torch.no_grad():
        logp = torch.log_softmax(model(ids[:, :-1])[0][0].float(), -1).cpu().double()   # (P + C - 1, V)
    model.train(was)
    targets = ids[0, 1:].cpu()
    nats = -logp[torch.arange(len(targets)), targets].numpy()
    part = nats if whole else nats[-len(continuation):]
    part = part / (np.log(2) if log is np.log2 else 1.0)
    return float(part.mean() if mean else part.sum())


def check_ex4(continuation_bits, model, vocab):
    require(("continuation_bits", continuation_bits))
    pairs = (("And the", " island"), ("The sea", "s"), ("What say", " you to"))
    got = []
    for prefix, continuation in pairs:
        value = continuation_bits(model, prefix, continuation)
        if value is None or value is Ellipsis:
            raise NotAttempted("continuation_bits returns nothing yet.")
        try:
            got.append(float(value))
        except (TypeError, ValueError):
            raise Wrong(f"continuation_bits should return one number (bits), got {type(value).__name__}.") \
                from None
    got = np.array(got)
    right = np.array([_bits(model, vocab, *pair) for pair in pairs])
    if np.abs(got - right).max() < 1e-3:
        return
    again = np.array([float(continuation_bits(model, *pair)) for pair in pairs])
    if np.abs(again - got).max() > 1e-6:
        raise Wrong("continuation_bits gives other numbers when called again: switch dropout off with "
                    "model.eval() while scoring.")
    known = first_match(got, {
        "that is in nats: bits use log2 (divide by ln 2)":
            [_bits(model, vocab, *p, log=np.log) for p in pairs],
        "you counted the prompt's characters too: sum the bits of the continuation's characters only":
            [_bits(model, vocab, *p, whole=True) for p in pairs],
        "that is the mean per character: the question is the total bits of the continuation":
            [_bits(model, vocab, *p, mean=True) for p in pairs],
    }, atol=1e-3)
    i = int(np.argmax(np.abs(got - right)))
    raise Wrong(f"{known}." if known else
                f"continuation_bits(model, {pairs[i][0]!r}, {pairs[i][1]!r}) = {got[i]:.3f}, but the "
                f"model needs {right[i]:.3f} bits: the logits at position t "
                "predict character t + 1, so the continuation's characters are scored by the last "
                "len(continuation) positions.")


EXERCISES = {
    "ex1": Exercise(check_ex1, "lm.bigram_bits_per_char with one more axis: counts = np.ones((V, V, V)); "
                    "np.add.at(counts, (x[:-2], x[1:-1], x[2:]), 1); divide by counts.sum(axis=2, "
                    "keepdims=True); take -log2 of the validation triples' entries and the mean."),
    "ex2": Exercise(check_ex2, "by_context = [lm.bits_per_char(model, valid_ids, seq_len=k, "
                    "carry_state=False) for k in ks]; then the first k with by_context[i] - eval_carry "
                    f"<= {CLOSE_BITS}."),
    "ex3": Exercise(check_ex3, "for each layer: split x_t W_ih^T + h W_hh^T + b_ih + b_hh with .chunk(4, "
                    "dim=-1) into i, f, g, o (PyTorch's order); c = sigmoid(f) c + sigmoid(i) tanh(g), "
                    "h = sigmoid(o) tanh(c); the stacked h are the next layer's input, then model.head."),
    "ex4": Exercise(check_ex4, "feed the ids of prefix + continuation without the last; log_softmax of "
                    "the logits at position t scores character t + 1; sum -log2 p over the last "
                    "len(continuation) characters."),
}
