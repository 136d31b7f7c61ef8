"""Bad input to course_utils raises a clear error that names the problem and the fix.

Every case is named ``module/class/what``, every other test ``test_<module>_<class>_...``,
with the classes of input of issue 16:

- ``files``: files that are not what they claim (other encodings, archives read as text,
  damaged archives, HTML pages, empty files, folders, unreadable paths, the cache);
- ``env``: environment variables (COURSE_OFFLINE, COURSE_PROFILE, COURSE_DATA_DIR, ...);
- ``silent``: input that used to give a plausible wrong result without an error;
- ``shapes``: shapes and types at module boundaries (batch vs one sequence, ragged, None);
- ``args``: plain argument checks (sizes, fractions, options).

The model modules' cases are in ``tests/test_bad_input_models.py``, with the same scheme.
Count both files' tests, and the lines of checking code before and after, with
``python tests/test_bad_input.py``.
"""

import gzip
import io
import math
import os
import pathlib
import re
import sys
import tarfile
import time
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import course_utils as cu
from course_utils import datasets as ds
from course_utils import decoding, metrics
from course_utils.text import padding_mask, tokenize

PAIRS_TEXT = "Go.\tVe.\nI am hungry.\tTengo hambre.\nWhere is it?\t¿Dónde está?\n"
VOCAB = cu.Vocab.build(["abc"])
HTML = b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n"
FILE_EXAMPLES = settings(max_examples=int(os.environ.get("BAD_INPUT_EXAMPLES", 40)), deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])


# ------------------------------------------------------------------ fixture builders

def zip_bytes(text: str = PAIRS_TEXT) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("spa-eng/spa.txt", text)
    return buffer.getvalue()


def tar_gz_bytes() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for split in ("train", "test"):
            for label, stars in (("pos", 8), ("neg", 2)):
                data = f"{split} {label} review: ¡qué {label}!".encode()
                info = tarfile.TarInfo(f"aclImdb/{split}/{label}/0_{stars}.txt")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tar_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("book.txt")
        info.size = len(text.encode())
        tar.addfile(info, io.BytesIO(text.encode()))
    return buffer.getvalue()


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


def write(name: str, content):
    """An action that writes ``content`` (str: UTF-8, bytes: as is) to tmp_path/name."""
    def make(tmp_path):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path
    return make


def pairs_from(name, content):
    return lambda m, t: ds.load_translation_pairs(write(name, content)(t))


def text_from(name, content):
    return lambda m, t: ds.load_text_corpus(write(name, content)(t))


def env(name, value, then):
    """Set ``name`` (``{tmp}`` is replaced by tmp_path), then call ``then()``."""
    def run(m, t):
        m.setenv(name, value.format(tmp=t))
        return then()
    return run


def tab_step(vocab_size=5, transform=lambda lp: lp):
    """A step function: uniform log-probabilities, passed through ``transform``."""
    def step(prev, state):
        return transform(np.full((len(prev), vocab_size), -math.log(vocab_size))), state
    return step


STATE = (np.zeros((2, 3)),)
SPANISH = "¿Dónde está la estación? Mañana."
E = ValueError

# name: (action (monkeypatch, tmp_path) -> anything, exception, regex the message must match)
CASES = {
    # ---------------------------------------------------------------- datasets / files
    "datasets/files/UTF-16 with BOM": (pairs_from("spa.txt", PAIRS_TEXT.encode("utf-16")), E, "UTF-16"),
    "datasets/files/UTF-16 without BOM": (text_from("book.txt", SPANISH.encode("utf-16-le")), E,
                                          "UTF-16.*re-save it as UTF-8"),
    "datasets/files/Latin-1 text": (text_from("book.txt", SPANISH.encode("latin-1")), E,
                                    r"book.txt is not UTF-8 \(byte 0.*Latin-1.*iconv"),
    "datasets/files/Latin-1 pairs": (pairs_from("spa.txt", PAIRS_TEXT.encode("latin-1")), E, "not UTF-8"),
    "datasets/files/cut multi-byte char": (text_from("book.txt", SPANISH.encode()[:-1] + "é".encode()[:1]), E,
                                           "middle of a UTF-8 character.*fetch it again"),
    "datasets/files/gzip read as text": (text_from("book.txt", gzip.compress(SPANISH.encode())), E,
                                         "book.txt is compressed or an archive.*extract it first"),
    "datasets/files/zip read as text": (text_from("book.txt", zip_bytes()), E, "compressed or an archive"),
    "datasets/files/tar read as text": (text_from("book.txt", tar_bytes(SPANISH)), E,
                                        "compressed or an archive"),
    "datasets/files/bzip2 read as pairs": (pairs_from("spa.txt", b"BZh91AY&SY" + bytes(20)), E,
                                           "compressed or an archive"),
    "datasets/files/truncated zip": (pairs_from("spa-eng.zip", zip_bytes()[:-30]), E,
                                     "spa-eng.zip is a damaged archive.*Fetch it again"),
    "datasets/files/bit-flipped zip": (pairs_from("spa-eng.zip", flip(zip_bytes(), 45)), E,
                                       "damaged archive"),
    "datasets/files/zip without spa.txt": (lambda m, t: ds.load_translation_pairs(
        write("spa-eng.zip", _zip_of("readme.txt", "hi"))(t)), E, "holds no spa.txt"),
    "datasets/files/truncated tar.gz": (lambda m, t: ds.load_imdb(
        write("aclImdb_v1.tar.gz", tar_gz_bytes()[:-40])(t)), E, "damaged archive"),
    "datasets/files/bit-flipped tar.gz": (lambda m, t: ds.load_imdb(
        write("aclImdb_v1.tar.gz", flip(tar_gz_bytes(), 30))(t)), E, "damaged archive"),
    "datasets/files/HTML page as tar.gz": (lambda m, t: ds.load_imdb(
        write("aclImdb_v1.tar.gz", HTML)(t)), E, "an HTML page.*download the data file itself"),
    "datasets/files/HTML page as pairs": (pairs_from("spa.txt", HTML), E, "spa.txt is an HTML page"),
    "datasets/files/HTML page as zip": (pairs_from("spa-eng.zip", HTML), E, "HTML page"),
    "datasets/files/empty text file": (text_from("book.txt", b""), E, "book.txt is empty"),
    "datasets/files/blank pairs file": (pairs_from("spa.txt", "\n \n"), E, "is empty"),
    "datasets/files/pairs without tabs": (pairs_from("p.txt", "Go. Ve.\n"), E,
                                          "line 1: expected 'English<TAB>Spanish'"),
    "datasets/files/pairs with an empty field": (pairs_from("p.txt", "Go.\t\n"), E, "line 1"),
    "datasets/files/Gutenberg text without end marker": (lambda m, t: ds.strip_gutenberg(
        "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nbook"), E, "markers were not both found"),
    "datasets/files/explicit path missing": (lambda m, t: ds.load_translation_pairs(t / "spa.txt"),
                                             FileNotFoundError, "Check the path"),
    "datasets/files/folder without data": (lambda m, t: ds.load_text_corpus(t), FileNotFoundError,
                                           "a folder without any of .*pass the data file itself"),
    "datasets/files/folder where the file should be": (
        lambda m, t: (write("spa-eng/spa.txt/x", "x")(t), ds.load_translation_pairs(t)),
        IsADirectoryError, r"cannot read .*spa.txt .*a file, not a folder"),
    "datasets/files/folder with files where the cache file belongs": (lambda m, t: (
        write("spa-eng.zip/notes.txt", "x")(ds.cache_dir()), ds.load_translation_pairs()), IsADirectoryError,
        r"cache: .*spa-eng.zip is a folder, not a file. Move it away or remove it \(rm -r .*make data"),
    "datasets/files/link to nothing in the cache": (lambda m, t: (
        ds.cache_dir().mkdir(parents=True), (ds.cache_dir() / "1268-0.txt").symlink_to(t / "gone"),
        ds.load_text_corpus()), FileNotFoundError, r"1268-0.txt is a link to .*gone, which does not exist"),
    "datasets/files/aclImdb folder without reviews": (lambda m, t: ds.load_imdb(_dir(t, "aclImdb")),
                                                      E, "holds no aclImdb"),
    "datasets/files/unreadable file": (lambda m, t: (
        m.setattr(pathlib.Path, "read_bytes", _denied), ds.load_text_corpus(write("b.txt", "x")(t))),
        PermissionError, r"cannot read .*b.txt \(Permission denied\).*check its permissions"),
    # ---------------------------------------------------------------- datasets / env
    "datasets/env/COURSE_OFFLINE unknown": (env("COURSE_OFFLINE", "maybe", ds.load_translation_pairs),
                                            E, "COURSE_OFFLINE='maybe' is not understood"),
    "datasets/env/COURSE_DATA_DIR missing": (env("COURSE_DATA_DIR", "{tmp}/nowhere",
                                                 ds.load_translation_pairs),
                                             FileNotFoundError, "COURSE_DATA_DIR=.* or unset it"),
    "datasets/env/COURSE_DATA_DIR is a file": (lambda m, t: env(
        "COURSE_DATA_DIR", str(write("f.txt", "x")(t)), ds.load_text_corpus)(m, t),
        FileNotFoundError, "COURSE_DATA_DIR=.*is not a folder"),
    "datasets/env/COURSE_CACHE_DIR is a file": (lambda m, t: env(
        "COURSE_CACHE_DIR", str(write("c", "x")(t)), ds.load_translation_pairs)(m, t),
        FileNotFoundError, "COURSE_CACHE_DIR=.*is not a folder. Point COURSE_CACHE_DIR at a folder"),
    "datasets/env/COURSE_CACHE_DIR not writable": (lambda m, t: (
        m.setenv("COURSE_OFFLINE", "0"), m.setattr(ds.tempfile, "mkstemp", _denied),
        ds.fetch(ds.TATOEBA)), PermissionError,
        r"cannot write to the download cache .*Set COURSE_CACHE_DIR to a writable folder"),
    # ---------------------------------------------------------------- datasets / silent
    "datasets/silent/raw lines where pairs are expected": (
        lambda m, t: ds.split_pairs(["Go.\tVe.", "Hi.\tHola."]), E, r"\(source, target\).*parse_pairs"),
    "datasets/silent/one str where pairs are expected": (lambda m, t: ds.split_pairs(PAIRS_TEXT), E,
                                                          "parse_pairs"),
    "datasets/silent/probabilities as labels": (
        lambda m, t: ds.stratified_split(["a", "b"], [0.2, 0.9], 0.1, 0.1), E, "not probabilities"),
    "datasets/silent/NaN fraction": (lambda m, t: ds.split_pairs([("a", "b")], validation=float("nan")),
                                     E, r"fractions in \[0, 1\)"),
    "datasets/silent/fraction above 1": (lambda m, t: ds.load_imdb(validation=1.5), E, "fractions"),
    "datasets/silent/one str as texts": (lambda m, t: ds.stratified_split("ab", [0, 1], 0.1, 0.1), E,
                                         "not one str"),
    # ---------------------------------------------------------------- datasets / shapes, args
    "datasets/shapes/labels of another length": (
        lambda m, t: ds.stratified_split(["a"], [0, 1], 0.1, 0.1), E, "1 texts need one int label each"),
    "datasets/shapes/no pairs": (lambda m, t: ds.split_pairs([]), E, "non-empty list"),
    "datasets/args/split fractions too large": (lambda m, t: ds.split_pairs([("a", "b")], 0.6, 0.5),
                                                E, "adding up to less than 1"),
    "datasets/args/unknown review split": (
        lambda m, t: ds.ReviewData("x", "y", {"train": ([], None)})["dev"], KeyError, "choose one of train"),
    "datasets/args/order task too short": (lambda m, t: ds.make_order_task(10, 1), E,
                                           "length=1 must be an int >= 2"),
    # ---------------------------------------------------------------- config / env
    "config/env/COURSE_PROFILE unknown": (env("COURSE_PROFILE", "gpu", cu.profile), E,
                                          "COURSE_PROFILE='gpu' is not a profile.*ci, laptop, full"),
    "config/env/COURSE_PROFILE unknown at table": (
        env("COURSE_PROFILE", "fast", lambda: cu.profile_table({"n": (1, 2, 3)})), E, "COURSE_PROFILE"),
    "config/env/COURSE_SMOKE unknown": (env("COURSE_SMOKE", "2", cu.config.smoke), E,
                                        "COURSE_SMOKE='2' is not understood"),
    "config/env/COURSE_OVERRIDES of wrong type": (
        env("COURSE_OVERRIDES", "n=ten", lambda: cu.profile_table({"n": (1, 2, 3)})), E, "not a int"),
    "config/silent/row shadows an attribute": (lambda m, t: cu.profile_table({"profile": (1, 2, 3)}),
                                               E, "would hide"),
    "config/args/empty profile table": (lambda m, t: cu.profile_table({}), E, "non-empty dict"),
    "config/args/profile row of wrong length": (lambda m, t: cu.profile_table({"n": (1, 2)}), E,
                                                r"\(ci, laptop, full\)"),
    "config/args/negative seed": (lambda m, t: cu.set_seed(-1), E, "non-negative int"),
    "config/args/float seed": (lambda m, t: cu.set_seed(0.5), E, "non-negative int"),
    # ---------------------------------------------------------------- text / silent
    "text/silent/vocab from one str": (lambda m, t: cu.Vocab.build("We like cats."), E,
                                       r"not one str. Wrap one text as \[text\]"),
    "text/silent/vocab from token ids": (lambda m, t: cu.Vocab.build([[4, 5], [6]]), E,
                                         r"Vocab.build\[0\] is a list.*decode token ids"),
    "text/silent/vocab from None": (lambda m, t: cu.Vocab.build(["a", None]), E, "NoneType"),
    "text/silent/vocab of reserved tokens only": (lambda m, t: cu.Vocab.build(["ab"], min_count=5), E,
                                                  "only the reserved tokens.*lower min_count"),
    "text/silent/vocab from empty texts": (lambda m, t: cu.Vocab.build(["", ""]), E, "texts are empty"),
    "text/silent/encode_batch of one str": (lambda m, t: VOCAB.encode_batch("abc"), E, "not one str"),
    "text/silent/decode probabilities": (lambda m, t: VOCAB.decode(np.array([0.1, 0.7, 0.2])), E,
                                         r"float64 values.*argmax"),
    "text/silent/decode id out of range": (lambda m, t: VOCAB.decode([4, 99]), E,
                                           r"ids 4..99 outside \[0, 7\)"),
    "text/silent/decode negative id": (lambda m, t: VOCAB.decode([-1]), E, "outside"),
    "text/silent/one_hot of floats": (lambda m, t: cu.one_hot(np.array([0.5]), 3), E, "float64 values"),
    "text/silent/one_hot id too large": (lambda m, t: cu.one_hot(np.array([3]), 3), E,
                                         r"depth = len\(vocab\)"),
    "text/silent/padding_mask of probabilities": (lambda m, t: padding_mask(np.full((2, 3, 4), 0.25)),
                                                  E, "not integer ids"),
    "text/silent/pad strings": (lambda m, t: cu.pad_sequences(["abc"]), E, "text, not ids"),
    "text/silent/batches of a str": (lambda m, t: next(cu.batches("abc", batch_size=2)), E, "not a str"),
    "text/silent/unknown character, strict": (lambda m, t: VOCAB.encode("abz", unknown="error"), E,
                                              "'z' .* not in the vocabulary"),
    # ---------------------------------------------------------------- text / shapes
    "text/shapes/decode a batch": (lambda m, t: VOCAB.decode(np.array([[4, 5], [5, 6]])), E,
                                   r"shape \(2, 2\), not 1-D.*loop over the rows"),
    "text/shapes/pad one sequence": (lambda m, t: cu.pad_sequences([4, 5, 6]), E,
                                     r"sequence 0\) got shape \(\), not 1-D.*wrap one sequence"),
    "text/shapes/ragged ids": (lambda m, t: cu.one_hot([[1, 2], [3]], 5), E, "ragged.*pad_sequences"),
    "text/shapes/encode a list": (lambda m, t: VOCAB.encode(["abc"]), E, "takes one str.*encode_batch"),
    "text/shapes/tokenize bytes": (lambda m, t: tokenize(b"abc"), E, "Decode bytes first"),
    "text/shapes/tokenize None": (lambda m, t: tokenize(None), E, "NoneType"),
    "text/shapes/batches of unequal arrays": (
        lambda m, t: next(cu.batches(np.ones(3), np.ones(4), batch_size=2)), E, r"lengths \[3, 4\]"),
    "text/args/unknown token level": (lambda m, t: tokenize("abc", "sentence"), E, "'char' or 'word'"),
    "text/args/vocab level": (lambda m, t: cu.Vocab(["a"], level="sentence"), E, "'char' or 'word'"),
    "text/args/vocab max_size too small": (lambda m, t: cu.Vocab.build(["abc"], max_size=4), E,
                                           "max_size=4 must be None or an int >= 5"),
    "text/args/min_count zero": (lambda m, t: cu.Vocab.build(["abc"], min_count=0), E,
                                 "min_count=0 must be a positive int"),
    "text/args/pad nothing": (lambda m, t: cu.pad_sequences([]), E, "got 0 lists"),
    "text/args/bad padding side": (lambda m, t: cu.pad_sequences([[1]], padding="left"), E,
                                   "'pre' or 'post'"),
    "text/args/batch size zero": (lambda m, t: next(cu.batches(np.ones(3), batch_size=0)), E,
                                  "batch_size >= 1"),
    # ---------------------------------------------------------------- metrics
    "metrics/silent/hypotheses as one str": (lambda m, t: metrics.exact_match("hola", ["hola"]), E,
                                             "hypotheses must be a non-empty list of str, not one str"),
    "metrics/silent/references as one str": (lambda m, t: metrics.bleu(["a"], "a"), E,
                                             "one reference .* per hypothesis"),
    "metrics/silent/None reference": (lambda m, t: metrics.chrf(["hola", "adiós"], ["hola", None]), E,
                                      r"reference 1 is None.*never None"),
    "metrics/silent/hypotheses as ids": (lambda m, t: metrics.bleu([[4, 5]], ["hola"]), E,
                                         "decode token ids"),
    "metrics/silent/NaN scores": (lambda m, t: metrics.token_accuracy(
        np.full((1, 2, 3), np.nan), np.zeros((1, 2), int)), E, "NaN.*diverged"),
    "metrics/silent/probabilities as predicted ids": (lambda m, t: metrics.token_accuracy(
        np.full((2, 3), 0.5), np.zeros((2, 3), int)), E, "not integer ids.*argmax"),
    "metrics/silent/target id beyond the scores": (lambda m, t: metrics.token_accuracy(
        np.zeros((1, 2, 3)), np.array([[1, 7]])), E, r"targets got ids 1..7 outside \[0, 3\)"),
    "metrics/silent/mask of probabilities": (lambda m, t: metrics.token_accuracy(
        np.zeros((1, 2), int), np.zeros((1, 2), int), mask=np.array([[0.2, 0.9]])), E, "true/false mask"),
    "metrics/silent/raw lines where pairs are expected": (
        lambda m, t: metrics.references_by_source(["Go.\tVe."]), E, "parse_pairs"),
    "metrics/shapes/predicted and targets of different T": (lambda m, t: metrics.token_accuracy(
        np.zeros((2, 3), int), np.zeros((2, 4), int)), E, r"need one \(N, T\) shape"),
    "metrics/shapes/one sequence where a batch is expected": (lambda m, t: metrics.token_accuracy(
        np.zeros(3, int), np.zeros(3, int)), E, r"shape \(3,\), not 2-D"),
    "metrics/shapes/mask of another shape": (lambda m, t: metrics.token_accuracy(
        np.zeros((2, 3), int), np.zeros((2, 3), int), mask=np.ones((2, 2))), E, r"mask \(2, 2\)"),
    "metrics/shapes/empty arrays": (lambda m, t: metrics.token_accuracy(
        np.zeros((0, 3), int), np.zeros((0, 3), int)), E, "selects a position"),
    "metrics/shapes/fewer references": (lambda m, t: metrics.bleu(["a", "b"], ["a"]), E,
                                        "2 hypotheses, 1 references"),
    "metrics/shapes/empty reference list": (lambda m, t: metrics.exact_match(["hola"], [[]]), E,
                                            "reference 0 is"),
    "metrics/shapes/no hypotheses": (lambda m, t: metrics.chrf([], []), E, "list of str, not empty"),
    "metrics/shapes/sources of another length": (
        lambda m, t: metrics.bleu_by_length(["a"], ["a", "b"], ["a", "b"]), E, "one source sentence"),
    "metrics/args/edges not increasing": (
        lambda m, t: metrics.bleu_by_length(["a"], ["a"], ["a"], edges=(5, 3)), E, "increasing"),
    "metrics/args/no pairs": (lambda m, t: metrics.references_by_source([]), E, "non-empty list"),
    # ---------------------------------------------------------------- decoding
    "decoding/silent/step returns probabilities": (lambda m, t: decoding.greedy_decode(
        tab_step(transform=np.exp), STATE, 2, 1, 2, 5), E, "log-probs.*not probabilities"),
    "decoding/silent/step returns logits": (lambda m, t: decoding.beam_search(
        tab_step(transform=lambda lp: lp + 3.0), STATE, 2, 1, 2, 5), E, "log_softmax"),
    "decoding/silent/step returns NaN": (lambda m, t: decoding.greedy_decode(
        tab_step(transform=lambda lp: lp * np.nan), STATE, 2, 1, 2, 5), E, "no NaN"),
    "decoding/silent/end id beyond the vocabulary": (lambda m, t: decoding.greedy_decode(
        tab_step(), STATE, 2, 1, 9, 5), E, r"V > 9.*vocabulary the model was trained on"),
    "decoding/silent/scored id beyond the vocabulary": (lambda m, t: decoding.sequence_log_prob(
        tab_step(), STATE, [[3], [7]], 1, 2), E, "V > 7"),
    "decoding/silent/negative scored id": (lambda m, t: decoding.sequence_log_prob(
        tab_step(), STATE, [[3], [-1]], 1, 2), E, "outside"),
    "decoding/silent/NaN length penalty": (lambda m, t: decoding.beam_search(
        tab_step(), STATE, 2, 1, 2, 5, length_penalty=float("nan")), E, "length_penalty=nan"),
    "decoding/shapes/state of another batch size": (lambda m, t: decoding.greedy_decode(
        tab_step(), (np.zeros((3, 4)),), 2, 1, 2, 5), E, r"\[\(3, 4\)\].*needs the batch \(2\) first"),
    "decoding/shapes/None state": (lambda m, t: decoding.beam_search(tab_step(), None, 2, 1, 2, 5), E,
                                   "init_state is None"),
    "decoding/shapes/step keeps the time axis": (lambda m, t: decoding.greedy_decode(
        tab_step(transform=lambda lp: lp[:, None]), STATE, 2, 1, 2, 5), E, "squeeze"),
    "decoding/shapes/one sequence where a batch is expected": (lambda m, t: decoding.sequence_log_prob(
        tab_step(), STATE, [3, 4], 1, 2), E, r"sequence 0\) got shape \(\)"),
    "decoding/shapes/text where ids are expected": (lambda m, t: decoding.sequence_log_prob(
        tab_step(), STATE, ["hola", "adiós"], 1, 2), E, "text, not ids"),
    "decoding/shapes/no sequences": (lambda m, t: decoding.sequence_log_prob(tab_step(), STATE, [], 1, 2),
                                     E, "batch_size=0"),
    "decoding/args/beam width 0": (lambda m, t: decoding.beam_search(
        tab_step(), STATE, 2, 1, 2, 5, beam_width=0), E, "beam_width=0"),
    "decoding/args/max_len 0": (lambda m, t: decoding.greedy_decode(tab_step(), STATE, 2, 1, 2, 0), E,
                                "max_len=0"),
    "decoding/args/batch size 0": (lambda m, t: decoding.greedy_decode(tab_step(), STATE, 0, 1, 2, 5),
                                   E, "batch_size=0"),
    "decoding/args/float batch size": (lambda m, t: decoding.greedy_decode(tab_step(), STATE, 2.0, 1, 2, 5),
                                       E, "batch_size=2.0"),
    "decoding/args/negative length penalty": (lambda m, t: decoding.beam_search(
        tab_step(), STATE, 2, 1, 2, 5, length_penalty=-1.0), E, "length_penalty=-1.0 must be a number >= 0"),
}


def _zip_of(name, text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(name, text)
    return buffer.getvalue()


def _dir(tmp_path, name):
    (tmp_path / name).mkdir()
    return tmp_path / name


def _denied(*args, **kwargs):
    raise PermissionError(13, "Permission denied")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_raises_a_clear_error(case, monkeypatch, tmp_path):
    action, error, message = CASES[case]
    with pytest.raises(error, match=message):
        action(monkeypatch, tmp_path)


# ------------------------------------------------------------------ property-based

@FILE_EXAMPLES
@given(st.data())
def test_datasets_files_any_cut_or_flipped_zip_fails_clearly_or_reads_the_same(tmp_path, data):
    """Any truncation or any flipped byte of spa-eng.zip: a CorruptDataError naming the file,
    or (a byte no reader looks at, e.g. a timestamp) exactly the original pairs."""
    original = zip_bytes()
    cut = data.draw(st.integers(0, len(original) - 1))
    damaged = data.draw(st.sampled_from([original[:cut], flip(original, cut)]))
    path = tmp_path / "spa-eng.zip"
    path.write_bytes(damaged)
    try:
        pairs = ds.load_translation_pairs(path).pairs
    except ds.CorruptDataError as err:
        assert "spa-eng.zip" in str(err)
    else:
        assert pairs == ds.parse_pairs(PAIRS_TEXT) and damaged != original[:cut]


@FILE_EXAMPLES
@given(st.data())
def test_datasets_files_any_cut_or_flipped_tar_gz_fails_clearly_or_reads_the_same(tmp_path, data):
    original = tar_gz_bytes()
    cut = data.draw(st.integers(0, len(original) - 1))
    damaged = data.draw(st.sampled_from([original[:cut], flip(original, cut)]))
    path = tmp_path / "aclImdb_v1.tar.gz"
    path.write_bytes(damaged)
    try:
        reviews = ds.load_imdb(path, validation=0.0)["test"][0]
    except ds.CorruptDataError as err:
        assert "aclImdb_v1.tar.gz" in str(err)
    else:
        assert sorted(reviews) == ["test neg review: ¡qué neg!", "test pos review: ¡qué pos!"]


@FILE_EXAMPLES
@given(st.text(min_size=1, max_size=40).filter(lambda s: any(ord(c) > 127 for c in s)),
       st.sampled_from(["utf-16", "utf-16-le", "utf-8-cut"]))
def test_datasets_files_any_text_in_another_encoding_fails_clearly(tmp_path, text, encoding):
    if encoding == "utf-8-cut":            # cut inside the last multi-byte character
        raw = (text + "é").encode()[:-1]
    else:
        raw = ("a" + text).encode(encoding)
    path = tmp_path / "book.txt"
    path.write_bytes(raw)
    with pytest.raises(ds.CorruptDataError, match="book.txt (is UTF-16|ends in the middle)"):
        ds.load_text_corpus(path)


@FILE_EXAMPLES
@given(st.lists(st.tuples(st.sampled_from("áéíóúñ¿¡üÁÉÑ"), st.sampled_from("aeos nt")), min_size=1,
                max_size=10), st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20))
def test_datasets_files_any_latin1_text_fails_clearly(tmp_path, accented, plain):
    """Spanish written in Latin-1 (each accented letter followed by an ASCII one, as in
    words; a Latin-1 run such as 'á¡¡' is also valid UTF-8 and cannot be told apart)."""
    path = tmp_path / "spa.txt"
    spanish = "".join(a + b for a, b in accented)
    path.write_bytes(f"{plain}\t{spanish}\n".encode("latin-1"))
    with pytest.raises(ds.CorruptDataError, match="spa.txt is not UTF-8.*Latin-1"):
        ds.load_translation_pairs(path)


@settings(max_examples=60, deadline=None)
@given(st.one_of(
    st.lists(st.floats(allow_nan=True), min_size=1, max_size=5),            # probabilities, NaN
    st.lists(st.integers(-50, -1) | st.integers(7, 10**6), min_size=1),   # outside the vocabulary
    st.lists(st.lists(st.integers(0, 6), min_size=1, max_size=3), min_size=2, max_size=3),  # a batch
    st.text(min_size=1)))                                                  # text, not ids
def test_text_silent_decode_refuses_anything_but_one_sequence_of_ids(ids):
    with pytest.raises(ValueError, match="Vocab.decode got (float64 values|ids|shape|text|ragged)"):
        VOCAB.decode(ids)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=5), max_size=4),
       st.sampled_from([None, 3, b"bytes", ("a",), 2.5]), st.integers(0, 4))
def test_text_silent_any_non_str_among_texts_is_named(texts, intruder, at):
    texts.insert(min(at, len(texts)), intruder)
    with pytest.raises(ValueError, match=rf"Vocab.build must be .* but Vocab.build\[\d\] is a "
                                         rf"{type(intruder).__name__}"):
        cu.Vocab.build(texts)


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not 0 <= x < 1)
       | st.tuples(st.floats(0, 1), st.floats(0, 1)).filter(lambda v: sum(v) >= 1))
def test_datasets_silent_fractions_outside_0_1_are_refused(value):
    validation, test = value if isinstance(value, tuple) else (value, 0.1)
    with pytest.raises(ValueError, match=r"fractions in \[0, 1\)"):
        ds.split_pairs([("Go.", "Ve.")], validation=validation, test=test)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["probabilities", "logits", "nan", "inf"]), st.integers(2, 30))
def test_decoding_silent_any_step_output_that_is_not_log_probabilities_is_refused(kind, V):
    transform = {"probabilities": np.exp, "logits": lambda lp: lp * 3 + 1,
                 "nan": lambda lp: np.where(np.arange(V) == 0, np.nan, lp),
                 "inf": lambda lp: np.where(np.arange(V) == 0, np.inf, lp)}[kind]
    with pytest.raises(ValueError, match="log-probs"):
        decoding.beam_search(tab_step(V, transform), STATE, 2, 1, 0, 4, beam_width=2)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["maybe", "2", "ja", "enabled", "0.5"]),
       st.sampled_from(["COURSE_OFFLINE", "COURSE_SMOKE"]))
def test_config_env_unknown_flag_values_are_errors(value, name):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        with pytest.raises(ValueError, match=f"{name}='{value}' is not understood"):
            cu.config.env_flag(name)
    finally:
        os.environ.pop(name) if old is None else os.environ.__setitem__(name, old)


def test_config_env_flag_values_that_are_understood(monkeypatch):
    for value, on in (("", False), ("0", False), ("no", False), ("OFF", False), ("1", True),
                      ("true", True), (" Yes ", True), ("on", True)):
        monkeypatch.setenv("COURSE_OFFLINE", value)
        assert ds.offline() is on


# ------------------------------------------------------------------ paths in the environment

def test_datasets_env_tilde_and_relative_paths_behave_alike(tmp_path, monkeypatch):
    (tmp_path / "data" / "spa-eng").mkdir(parents=True)
    (tmp_path / "data" / "spa-eng" / "spa.txt").write_text(PAIRS_TEXT, encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    found = {}
    for data, cache in (("~/data", "~/cache"), ("data", "cache"), ("./data/", "./cache/"),
                        (str(tmp_path / "data"), str(tmp_path / "cache"))):
        monkeypatch.setenv("COURSE_DATA_DIR", data)
        monkeypatch.setenv("COURSE_CACHE_DIR", cache)
        found[data] = (ds.data_dir(), ds.cache_dir(), len(ds.load_translation_pairs()))
    assert set(found.values()) == {(tmp_path / "data", tmp_path / "cache", 3)}
    assert not (tmp_path / "~").exists()


# ------------------------------------------------------------------ the download cache

@pytest.fixture
def served(serve_tatoeba):
    """Tatoeba's remote pointed at the local 127.0.0.1 server, verified against the fixture."""
    return serve_tatoeba(zip_bytes(), PAIRS_TEXT)


def cache_listing():
    folder = ds.cache_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


BAD_CACHE = {"HTML page": HTML, "truncated zip": zip_bytes()[:-30], "bit-flipped zip": flip(zip_bytes(), 45),
             "empty file": b"", "other data": zip_bytes("A.\tB.\n"), "folder": None}


@pytest.mark.parametrize("bad", BAD_CACHE, ids=str)
def test_datasets_files_bad_cache_file_is_replaced_by_a_download(served, bad, capsys):
    dest = ds.cache_dir() / "spa-eng.zip"
    dest.parent.mkdir(parents=True)
    (dest.mkdir() if BAD_CACHE[bad] is None else dest.write_bytes(BAD_CACHE[bad]))
    corpus = ds.load_translation_pairs()
    assert corpus.source == "download" and len(corpus) == 3
    assert "is corrupt" in capsys.readouterr().out and cache_listing() == ["spa-eng.zip"]
    assert ds.load_translation_pairs().source == "download cache"


@pytest.mark.parametrize("bad", ["HTML page", "truncated zip"], ids=str)
def test_datasets_files_bad_cache_file_offline_is_removed_and_never_fails_again(served, bad, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    ds.cache_dir().mkdir(parents=True)
    (ds.cache_dir() / "spa-eng.zip").write_bytes(BAD_CACHE[bad])
    for _ in range(2):
        assert ds.load_translation_pairs().source == "offline default"
    assert cache_listing() == [] and served.requests == []


@pytest.mark.parametrize("failure", ["404", "HTML page with status 200", "truncated transfer",
                                     "altered file"], ids=str)
def test_datasets_files_failed_download_leaves_the_cache_clean(served, failure, capsys):
    served_file = served.root / "spa-eng.zip"
    if failure == "404":
        served_file.unlink()
    elif failure == "HTML page with status 200":
        served_file.write_bytes(HTML)
    elif failure == "truncated transfer":
        served.truncate.add("/spa-eng.zip")
    else:
        served_file.write_bytes(zip_bytes(PAIRS_TEXT + "Extra.\tExtra.\n"))
    for _ in range(2):                       # falls back, and the next call does too
        assert ds.load_translation_pairs().source == "offline default"
    assert "nothing was saved" in capsys.readouterr().out
    assert cache_listing() == [] and len(served.requests) == 2


def test_datasets_files_corrupt_file_in_a_read_only_cache_gets_a_clear_error(served, monkeypatch):
    """A bad cache file that cannot be removed: an error naming it and the fix, online and
    offline, and no download over it (root ignores chmod, so removal is denied by hand)."""
    dest = ds.cache_dir() / "spa-eng.zip"
    dest.parent.mkdir(parents=True)
    dest.write_bytes(HTML)
    unlink = pathlib.Path.unlink
    monkeypatch.setattr(pathlib.Path, "unlink",
                        lambda path, *a, **k: _denied() if path == dest else unlink(path, *a, **k))
    for offline in ("0", "1"):
        monkeypatch.setenv("COURSE_OFFLINE", offline)
        with pytest.raises(PermissionError, match=re.escape(f"cache: {dest} is corrupt (") + ".*HTML page.*"
                           + re.escape("cannot be removed (Permission denied). Delete it by hand, or set "
                                       "COURSE_CACHE_DIR to a writable folder.")):
            ds.load_translation_pairs()
    assert served.requests == [] and dest.read_bytes() == HTML


def test_datasets_files_corrupt_file_in_a_chmod_read_only_cache(served):
    dest = ds.cache_dir() / "spa-eng.zip"
    dest.parent.mkdir(parents=True)
    dest.write_bytes(zip_bytes()[:-30])
    dest.parent.chmod(0o555)
    try:
        if os.access(dest.parent, os.W_OK):
            pytest.skip("this user may write to a read-only folder (root)")
        with pytest.raises(PermissionError, match="damaged archive.*cannot be removed.*COURSE_CACHE_DIR"):
            ds.load_translation_pairs()
    finally:
        dest.parent.chmod(0o755)


def test_datasets_files_interrupted_download_leaves_no_part_file(served, monkeypatch):
    """Ctrl-C (KeyboardInterrupt) in the middle of a download: it stops, nothing is left."""
    def interrupted(src, dst, total):
        dst.write(src.read(100))
        raise KeyboardInterrupt
    monkeypatch.setattr(ds, "_copy_with_progress", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ds.load_translation_pairs()
    assert cache_listing() == []


def test_datasets_files_stale_part_files_are_never_read_and_are_cleaned(served, monkeypatch):
    """``.part`` files of interrupted downloads (even holding a whole archive) are never read
    as data; ours are deleted once stale (untouched for 10 minutes), a live one is left to its
    download, another tool's ``spa-eng.zip.part`` is left alone."""
    folder = ds.cache_dir()
    folder.mkdir(parents=True)
    stale, live, other = (folder / name for name in (".spa-eng.zip.k3x9.part", ".spa-eng.zip.q7w2.part",
                                                     "spa-eng.zip.part"))
    for part in (stale, live, other):
        part.write_bytes(zip_bytes())
    os.utime(stale, (time.time() - 3600,) * 2)
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert ds.load_translation_pairs().source == "offline default"
    assert not stale.exists() and live.exists() and served.requests == []
    monkeypatch.setenv("COURSE_OFFLINE", "0")
    assert ds.load_translation_pairs().source == "download"
    assert cache_listing() == sorted([live.name, "spa-eng.zip", other.name])


# ------------------------------------------------------------------ counting

CLASSES = ("files", "env", "silent", "shapes", "args")
MODULES = ("datasets", "text", "metrics", "decoding", "config",              # this file
           "cells", "convert", "sentiment", "language_model", "training",    # tests/test_bad_input_models.py
           "seq2seq", "attention", "translators", "checks")
FILES = (__file__, str(pathlib.Path(__file__).with_name("test_bad_input_models.py")))


def counts(test_ids):
    """{(module, class): number of tests} from collected test ids."""
    table = {}
    for test_id in test_ids:
        m = re.search(r"\[(\w+)/(\w+)/", test_id) or re.search(
            rf"test_({'|'.join(MODULES)})_({'|'.join(CLASSES)})_", test_id)
        if m:
            table[m.groups()] = table.get(m.groups(), 0) + 1
    return table


def test_every_module_has_a_test_per_class_that_applies():
    import test_bad_input_models as models

    names = [f"[{c}]" for c in [*CASES, *models.CASES]] + [n for n in [*globals(), *vars(models)]
                                                          if n.startswith("test_")]
    table = counts(names)
    applies = {("datasets", c) for c in CLASSES} | {("config", "env"), ("config", "args")} | {
        (m, c) for m in ("text", "metrics", "decoding", "cells", "convert", "sentiment", "language_model",
                         "training", "seq2seq", "attention", "translators")
        for c in ("silent", "shapes", "args")}
    assert applies <= set(table), applies - set(table)


# ------------------------------------------------------------------ lines of checking code

BEFORE = "89c2d5d"     # main before issue 16; its counts, for a copy without git history:
CHECK_LINES_BEFORE = {"attention": 141, "cells": 100, "config": 33, "datasets": 62, "decoding": 26,
                      "language_model": 60, "metrics": 37, "plots": 11, "results": 6, "sentiment": 56,
                      "seq2seq": 13, "text": 49, "training": 2, "translators": 119}        # 715 in all


def check_lines(source: str) -> int:
    """Lines of checking code in a module's source, counted with ast: every line of an
    ``assert``; of an ``if`` whose body is only ``raise`` (its test, the raise and the
    message, not an ``else``); of any other ``raise``; of an ``except`` clause that ends in
    ``raise``; of a module-level function or table named ``*check*``, ``*validate*``,
    ``as_*`` or ``_as_*``, or any function named ``_check*``, ``check_*``, ``_validate*``
    (helpers that exist to validate)."""
    import ast

    def named_check(name: str) -> bool:
        return "check" in name.lower() or "validate" in name or name.startswith(("as_", "_as_"))

    tree, lines = ast.parse(source), set()
    for node in tree.body:          # module-level helpers and tables that exist to validate
        if isinstance(node, ast.FunctionDef) and named_check(node.name) or isinstance(node, ast.Assign) \
                and any(isinstance(t, ast.Name) and named_check(t.id) for t in node.targets):
            lines.update(range(node.lineno, node.end_lineno + 1))
    for node in ast.walk(tree):
        end = None
        if isinstance(node, ast.FunctionDef) and node.name.startswith(("_check", "check_", "_validate")):
            end = node.end_lineno
        elif isinstance(node, ast.If) and all(isinstance(s, ast.Raise) for s in node.body):
            end = node.body[-1].end_lineno
        elif isinstance(node, ast.ExceptHandler) and isinstance(node.body[-1], ast.Raise) \
                or isinstance(node, (ast.Assert, ast.Raise)):
            end = node.end_lineno
        if end is not None:
            lines.update(range(node.lineno, end + 1))
    return len(lines)


def check_lines_now() -> dict[str, int]:
    """Lines of checking code in every module of course_utils (the checked-out copy)."""
    root = pathlib.Path(cu.__file__).parent
    return {p.stem: check_lines(p.read_text(encoding="utf-8")) for p in sorted(root.glob("*.py"))}


def test_checks_at_the_edges_take_fewer_lines_than_before():
    now = check_lines_now()
    assert sum(now.values()) < sum(CHECK_LINES_BEFORE.values()), now


if __name__ == "__main__":          # python tests/test_bad_input.py: the counts for the report
    import subprocess

    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          *FILES], capture_output=True, text=True).stdout.splitlines()
    table = counts(out)
    print("bad-input tests per module and class\n")
    print(f"{'module':15}" + "".join(f"{c:>8}" for c in CLASSES) + "   total")
    for module in MODULES:
        row = [table.get((module, c), 0) for c in CLASSES]
        print(f"{module:15}" + "".join(f"{n:8d}" for n in row) + f"{sum(row):8d}")
    print(f"{'all':15}" + "".join(f"{sum(table.get((m, c), 0) for m in MODULES):8d}" for c in CLASSES)
          + f"{sum(table.values()):8d}")
    root = pathlib.Path(cu.__file__).parent
    print(f"\nlines of checking code (check_lines) in course_utils: before ({BEFORE}) and now")
    totals = [0, 0]
    for name, now in check_lines_now().items():
        old = subprocess.run(["git", "show", f"{BEFORE}:course_utils/{name}.py"], cwd=root,
                             capture_output=True, text=True)
        before = check_lines(old.stdout) if old.returncode == 0 else CHECK_LINES_BEFORE.get(name, 0)
        if before or now:
            print(f"  course_utils/{name + '.py':18} {before:6d} {now:6d}")
        totals = [t + n for t, n in zip(totals, (before, now))]
    print(f"  {'total':31} {totals[0]:6d} {totals[1]:6d}")
