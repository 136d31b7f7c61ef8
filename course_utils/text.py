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
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

PAD, START, END, UNK = "<pad>", "<s>", "</s>", "<unk>"
SPECIALS = (PAD, START, END, UNK)
LEVELS = ("char", "word")

_WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]")
_SPACE_BEFORE = re.compile(r" ([.,!?;:)\]»%])")
_SPACE_AFTER = re.compile(r"([¿¡(\[«]) ")


def tokenize(text: str, level: str = "char", lowercase: bool = False) -> list[str]:
    """Split text into characters, or into words and punctuation marks."""
    if not isinstance(text, str):
        raise ValueError(f"tokenize expects a str, got {type(text).__name__}. "
                         "Decode bytes first (e.g. data.decode('utf-8')).")
    if level not in LEVELS:
        raise ValueError(f"level={level!r} is not supported; use 'char' or 'word'.")
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
        if level not in LEVELS:
            raise ValueError(f"level={level!r} is not supported; use 'char' or 'word'.")
        self.level, self.lowercase = level, lowercase
        self.itos: list[str] = list(SPECIALS)
        for token in tokens:
            if token not in SPECIALS and token not in self.itos:
                self.itos.append(token)
        self.stoi = {token: i for i, token in enumerate(self.itos)}

    @classmethod
    def build(cls, texts: Iterable[str], level: str = "char", min_count: int = 1,
              max_size: int | None = None, lowercase: bool = False) -> Vocab:
        """The vocabulary of ``texts``: most frequent first, ties in first-seen order.

        ``max_size`` counts the reserved tokens too; rarer tokens map to ``<unk>``.
        """
        if isinstance(texts, str):
            raise ValueError("Vocab.build expects a list of texts, not one str: "
                             "wrap it as [text].")
        if min_count < 1:
            raise ValueError(f"min_count={min_count} must be at least 1.")
        if max_size is not None and max_size <= len(SPECIALS):
            raise ValueError(f"max_size={max_size} leaves no room beyond the "
                             f"{len(SPECIALS)} reserved tokens; use at least {len(SPECIALS) + 1}.")
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(tokenize(text, level, lowercase))
        if not counts:
            raise ValueError("Vocab.build got no tokens: the texts are empty. "
                             "Check that the data loaded (e.g. print(len(texts))).")
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
                raise ValueError(f"Token {token!r} in {text[:40]!r} is not in the vocabulary. "
                                 "Build the vocabulary from data that contains it, or pass "
                                 "unknown='unk' to map it to <unk>.")
            ids.append(self.stoi.get(token, self.unk_id))
        return [self.start_id] * add_start + ids + [self.end_id] * add_end

    def decode(self, ids: Iterable[int], strip_special: bool = True,
               stop_at_end: bool = True) -> str:
        """Text of ``ids``: stops at ``</s>``, drops ``<pad>``/``<s>`` unless asked."""
        tokens = []
        for i in np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids).ravel():
            i = int(i)
            if not 0 <= i < len(self.itos):
                raise ValueError(f"Id {i} is outside this vocabulary (size {len(self)}). "
                                 "Decode with the vocabulary that encoded the ids.")
            if stop_at_end and i == self.end_id:
                break
            if strip_special and i in (self.pad_id, self.start_id, self.end_id):
                continue
            tokens.append(self.itos[i])
        return detokenize(tokens, self.level)

    def encode_batch(self, texts: Sequence[str], maxlen: int | None = None,
                     add_start: bool = False, add_end: bool = False) -> np.ndarray:
        """Encode and pad ``texts`` into an int array of shape (len(texts), maxlen)."""
        return pad_sequences([self.encode(t, add_start, add_end) for t in texts],
                             maxlen=maxlen, value=self.pad_id)


def pad_sequences(sequences: Sequence[Sequence[int]], maxlen: int | None = None,
                  value: int = 0, padding: str = "post", truncating: str = "post") -> np.ndarray:
    """Pad (or cut) id sequences to one length: an int64 array of shape (N, maxlen).

    ``padding``/``truncating`` = ``"post"`` works at the end, ``"pre"`` at the start.
    """
    if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
        sequences = sequences.tolist()
    if len(sequences) == 0:
        raise ValueError("pad_sequences got no sequences: pass a non-empty list of id lists.")
    if padding not in ("pre", "post") or truncating not in ("pre", "post"):
        raise ValueError(f"padding={padding!r} and truncating={truncating!r} must each be "
                         "'pre' or 'post'.")
    if maxlen is None:
        maxlen = max(len(s) for s in sequences)
    if maxlen < 1:
        raise ValueError(f"maxlen={maxlen} must be at least 1.")
    out = np.full((len(sequences), maxlen), value, dtype=np.int64)
    for row, seq in enumerate(sequences):
        if isinstance(seq, str) or not all(isinstance(i, (int, np.integer)) for i in seq):
            raise ValueError(f"Sequence {row} is not a list of int ids: {str(seq)[:40]}. "
                             "Encode texts with Vocab.encode first.")
        seq = list(seq)[:maxlen] if truncating == "post" else list(seq)[-maxlen:]
        if seq:
            if padding == "post":
                out[row, :len(seq)] = seq
            else:
                out[row, -len(seq):] = seq
    return out


def padding_mask(ids: np.ndarray, pad_id: int = 0) -> np.ndarray:
    """True where ``ids`` holds a real token, False on padding; same shape as ``ids``."""
    return np.asarray(ids) != pad_id


def one_hot(ids, depth: int) -> np.ndarray:
    """One-hot float32 vectors: shape ``ids.shape + (depth,)``."""
    ids = np.asarray(ids)
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"one_hot expects integer ids, got dtype {ids.dtype}. "
                         "Encode text with a Vocab first.")
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"ids must lie in [0, {depth}); found {ids.min()}..{ids.max()}. "
                         "Use depth=len(vocab).")
    return np.eye(depth, dtype=np.float32)[ids]


def batches(*arrays, batch_size: int, shuffle: bool = False, seed: int | None = None,
            drop_last: bool = False) -> Iterator[tuple]:
    """Yield aligned mini-batches ``(a[i:j], b[i:j], ...)`` of equally long arrays."""
    if not arrays:
        raise ValueError("batches needs at least one array.")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"All arrays must have the same length; got {[len(a) for a in arrays]}.")
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size} must be at least 1.")
    n = lengths.pop()
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for i in range(0, stop, batch_size):
        idx = order[i:i + batch_size]
        yield tuple(a[idx] if isinstance(a, np.ndarray) else [a[j] for j in idx] for a in arrays)
