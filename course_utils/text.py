"""Text to integer ids and back: vocabularies, padding, masks and batches (notebooks 01-06).

A ``Vocab`` maps tokens (characters or words) to ids. Ids 0-3 are reserved:

| id | token   | used for                                        |
|----|---------|-------------------------------------------------|
| 0  | <pad>   | filling short sequences up to a common length   |
| 1  | <s>     | start of a target sentence (decoder input)      |
| 2  | </s>    | end of a sentence (decoding stops here)         |
| 3  | <unk>   | any token not seen when the vocabulary was built |

    vocab = cu.Vocab.build(["We like cats.", "We like dogs."], level="word")
    ids = vocab.encode("We like birds.")        # "birds" -> <unk>
    vocab.decode(ids)                           # 'We like <unk>.'

``check_texts`` and ``as_ids`` guard the entry points of this module and of ``metrics``
and ``decoding``: one str where a list of texts is expected (it would be read character
by character), floats (probabilities) where ids are expected, a batch where one sequence
is expected, ragged lists and ids outside the vocabulary raise a ValueError saying so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from .checks import check_args

PAD, START, END, UNK = "<pad>", "<s>", "</s>", "<unk>"
SPECIALS = (PAD, START, END, UNK)
LEVELS = ("char", "word")

_WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]")
_SPACE_BEFORE = re.compile(r" ([.,!?;:)\]»%])")
_SPACE_AFTER = re.compile(r"([¿¡(\[«]) ")


# ------------------------------------------------------------- checks at entry points

def check_texts(texts, what: str) -> list[str]:
    """``texts`` as a list of str (not one str: it would be read character by character)."""
    bad = "not one str" if isinstance(texts, str) else "not None" if texts is None else "not empty" if not (
        texts := list(texts)) else next((f"but {what}[{i}] is a {type(t).__name__} ({str(t)[:30]!r})"
                                         for i, t in enumerate(texts) if not isinstance(t, str)), None)
    if bad:
        raise ValueError(f"{what} must be a non-empty list of str, {bad}. Wrap one text as [text]; "
                         "decode token ids to text (vocab.decode) and bytes to str first.")
    return texts


def as_ids(ids, size: int | None = None, ndim: int | None = 1, what: str = "ids",
           fix: str = "use the vocabulary that made them (size or depth = len(vocab))") -> np.ndarray:
    """``ids`` as an int64 array with ``ndim`` axes and values in ``[0, size)``, or an error
    ending in ``fix``: the course's one id-range check, run once where ids enter."""
    try:
        a = np.asarray(ids.detach().cpu() if hasattr(ids, "detach") else ids)
    except ValueError:
        a = np.empty(0, dtype=object)     # ragged nested lists
    batch = f"[ids]{f' or {what}[None]' if ndim == 2 else ''}, or loop over the rows of a batch"
    problem = ("text, not ids: encode it first (with a Vocab)" if a.dtype.kind in "US" else
               "ragged or mixed lists: pad them with cu.pad_sequences" if a.dtype.kind == "O" else
               f"{a.dtype} values, not integer ids (integer token ids come from vocab.encode; probabilities "
               "or scores? take .argmax(-1) first)" if a.dtype.kind not in "iu" and a.size else
               f"shape {a.shape}, not {ndim}-D (one sequence of ids is (T,), a batch (N, T)): wrap one "
               f"sequence as {batch}"
               if ndim is not None and a.ndim != ndim else f"ids {a.min()}..{a.max()} outside [0, "
               f"{size if size is not None and a.max() >= size else 'V'}): {fix}"
               if a.size and (a.min() < 0 or size is not None and a.max() >= size) else None)
    if problem:
        raise ValueError(f"{what} got {problem}.")
    return a.astype(np.int64, copy=False)


def check_padding(ids: np.ndarray, what: str, pad_id: int = 0) -> np.ndarray:
    """``ids`` (N, T) if it holds a token in every row and padding only after the tokens."""
    real = ids != pad_id                                                 # (N, T)
    lengths = real.sum(1)                                                # (N,)
    problem = (f"has shape {ids.shape}: it needs a sentence and a time step" if ids.size == 0 else
               f"row {int(np.argmin(lengths))} is all padding: drop empty sentences" if not lengths.all()
               else f"has padding (id {pad_id}) before a token: padding must come after the words in every "
               "row, as Vocab.encode_batch and encode_words make it; re-encode the sentences"
               if (real != (np.arange(ids.shape[1]) < lengths[:, None])).any() else None)
    if problem:
        raise ValueError(f"{what} {problem}.")
    return ids


# ----------------------------------------------------------------------------- tokens

def tokenize(text: str, level: str = "char", lowercase: bool = False) -> list[str]:
    """Split text into characters, or into words and punctuation marks."""
    if not isinstance(text, str) or level not in LEVELS:
        raise ValueError(f"tokenize takes one str and level 'char' or 'word', got {type(text).__name__} "
                         f"and {level!r}. Decode bytes first; encode a list of texts with encode_batch.")
    if lowercase:
        text = text.lower()
    return list(text) if level == "char" else _WORD.findall(text)


def detokenize(tokens: Sequence[str], level: str = "char") -> str:
    """Join tokens back into text (words: no space before . , ! ? or after ¿ ¡)."""
    if level == "char":
        return "".join(tokens)
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", " ".join(tokens)))


class Vocab:
    """A token <-> id mapping with reserved ids for padding, start, end and unknown."""

    def __init__(self, tokens: Iterable[str], level: str = "char", lowercase: bool = False):
        tokenize("", level)                               # checks the level
        self.level, self.lowercase = level, lowercase
        self.itos: list[str] = list(dict.fromkeys([*SPECIALS, *tokens]))
        if len(self.itos) == len(SPECIALS):
            raise ValueError(f"The vocabulary would hold only the reserved tokens {' '.join(SPECIALS)}: "
                             "the texts are empty, or min_count removed every token. Check the data, "
                             "or lower min_count.")
        self.stoi = {token: i for i, token in enumerate(self.itos)}

    @classmethod
    def build(cls, texts: Iterable[str], level: str = "char", min_count: int = 1,
              max_size: int | None = None, lowercase: bool = False) -> Vocab:
        """The vocabulary of ``texts``: most frequent first, ties in first-seen order.

        ``max_size`` counts the reserved tokens too; rarer tokens map to ``<unk>``.
        """
        texts = check_texts(texts, "Vocab.build")
        check_args("Vocab.build", " (max_size counts the reserved tokens)",
                   min_count=(min_count, "a positive int"),
                   max_size=(max_size, f"None or an int >= {len(SPECIALS) + 1}"))
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(tokenize(text, level, lowercase))
        kept = [t for t, c in counts.most_common() if c >= min_count]
        if max_size is not None:
            kept = kept[: max_size - len(SPECIALS)]
        return cls(kept, level=level, lowercase=lowercase)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        sample = ", ".join(repr(t) for t in self.itos[len(SPECIALS):len(SPECIALS) + 8])
        return f"Vocab({len(self)} {self.level} tokens: {sample}, ...)"

    pad_id, start_id, end_id, unk_id = 0, 1, 2, 3

    def encode(self, text: str, add_start: bool = False, add_end: bool = False,
               unknown: str = "unk") -> list[int]:
        """Ids of the tokens of ``text``; unknown tokens become ``<unk>`` or raise."""
        if unknown not in ("unk", "error"):
            raise ValueError(f"unknown={unknown!r} must be 'unk' or 'error'.")
        ids = []
        for token in tokenize(text, self.level, self.lowercase):
            if token not in self.stoi and unknown == "error":
                raise ValueError(f"Token {token!r} in {text[:40]!r} is not in the vocabulary. Build it "
                                 "from data that contains it, or pass unknown='unk' to map it to <unk>.")
            ids.append(self.stoi.get(token, self.unk_id))
        return [self.start_id] * add_start + ids + [self.end_id] * add_end

    def decode(self, ids: Iterable[int], strip_special: bool = True,
               stop_at_end: bool = True) -> str:
        """Text of ``ids``: stops at ``</s>``, drops ``<pad>``/``<s>`` unless asked."""
        tokens = []
        for i in as_ids(ids, len(self), what="Vocab.decode").tolist():
            if stop_at_end and i == self.end_id:
                break
            if strip_special and i in (self.pad_id, self.start_id, self.end_id):
                continue
            tokens.append(self.itos[i])
        return detokenize(tokens, self.level)

    def encode_batch(self, texts: Sequence[str], maxlen: int | None = None,
                     add_start: bool = False, add_end: bool = False) -> np.ndarray:
        """Encode and pad ``texts`` into an int array of shape (len(texts), maxlen)."""
        texts = check_texts(texts, "encode_batch")
        return pad_sequences([self.encode(t, add_start, add_end) for t in texts],
                             maxlen=maxlen, value=self.pad_id)


def pad_sequences(sequences: Sequence[Sequence[int]], maxlen: int | None = None,
                  value: int = 0, padding: str = "post", truncating: str = "post") -> np.ndarray:
    """Pad (or cut) id sequences to one length: an int64 array of shape (N, maxlen).

    ``padding``/``truncating`` = ``"post"`` works at the end, ``"pre"`` at the start.
    """
    sequences = [as_ids(s, what=f"pad_sequences (sequence {i})") for i, s in enumerate(sequences)]
    maxlen = max(len(s) for s in sequences) if maxlen is None and sequences else maxlen
    if not sequences or not maxlen or maxlen < 1 or {padding, truncating} - {"pre", "post"}:
        raise ValueError(f"pad_sequences needs id lists, maxlen >= 1 and padding/truncating 'pre' or "
                         f"'post'; got {len(sequences)} lists, {maxlen=}, {padding=}, {truncating=}.")
    out = np.full((len(sequences), maxlen), value, dtype=np.int64)
    for row, seq in enumerate(sequences):
        seq = seq[:maxlen] if truncating == "post" else seq[-maxlen:]
        if len(seq):
            if padding == "post":
                out[row, :len(seq)] = seq
            else:
                out[row, -len(seq):] = seq
    return out


def padding_mask(ids, pad_id: int = 0):
    """(B, T) bool, True where ``ids`` holds a real token (``ids != pad_id``), False on padding.

    ``ids``: padded token ids (B, T), a NumPy array, a list of rows or a torch tensor; the
    mask comes back as the same kind (a tensor stays a tensor, on its device). Notebook 01
    reads it as an array; the attention functions of notebook 06 take it as their
    ``padding_mask`` and broadcast it over heads and queries themselves.
    """
    array = as_ids(ids, ndim=None, what="padding_mask")                  # integer ids, once
    if array.ndim != 2:
        raise ValueError(f"padding_mask needs a (B, T) matrix of padded token ids, got shape "
                         f"{array.shape}. For one sentence use ids[None, :].")
    return (ids if hasattr(ids, "detach") else array) != pad_id          # (B, T)


def one_hot(ids, depth: int) -> np.ndarray:
    """One-hot float32 vectors: shape ``ids.shape + (depth,)``."""
    ids = as_ids(ids, depth, ndim=None, what="one_hot")
    return np.eye(depth, dtype=np.float32)[ids]


def batches(*arrays, batch_size: int, shuffle: bool = False, seed: int | None = None,
            drop_last: bool = False) -> Iterator[tuple]:
    """Yield aligned mini-batches ``(a[i:j], b[i:j], ...)`` of equally long arrays."""
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1 or batch_size < 1 or any(isinstance(a, str) for a in arrays):
        raise ValueError(f"batches needs arrays or lists (not a str) of one length and batch_size >= 1; "
                         f"got lengths {lengths} and batch_size={batch_size}.")
    n = lengths[0]
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for i in range(0, stop, batch_size):
        idx = order[i:i + batch_size]
        yield tuple(a[idx] if isinstance(a, np.ndarray) else [a[j] for j in idx] for a in arrays)
