"""Bad input to course_utils raises a clear error that names the problem and the fix."""

import numpy as np
import pytest

import course_utils as cu
from course_utils import datasets as ds
from course_utils.text import tokenize


def _env(name, value):
    def set_it(monkeypatch, tmp_path):
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    return set_it


def _write(name, content):
    def write(tmp_path):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path
    return write


VOCAB = cu.Vocab.build(["abc"])

CASES = {
    # name: (callable taking (monkeypatch, tmp_path), exception, message fragment)
    "wrong profile name": (lambda m, t: (_env("COURSE_PROFILE", "gpu")(m, t), cu.profile()),
                           ValueError, "Use one of ci, laptop, full"),
    "empty profile table": (lambda m, t: cu.profile_table({}), ValueError, "non-empty dict"),
    "profile row of wrong length": (lambda m, t: cu.profile_table({"n": (1, 2)}),
                                    ValueError, r"\(ci, laptop, full\)"),
    "negative seed": (lambda m, t: cu.set_seed(-1), ValueError, "non-negative int"),
    "COURSE_DATA_DIR missing": (lambda m, t: (_env("COURSE_DATA_DIR", "{tmp}/nowhere")(m, t),
                                              ds.load_translation_pairs()),
                                FileNotFoundError, "unset it"),
    "explicit path missing": (lambda m, t: ds.load_translation_pairs(t / "spa.txt"),
                              FileNotFoundError, "Check the path"),
    "folder without data": (lambda m, t: ds.load_text_corpus(t), FileNotFoundError,
                            "Pass the data file itself"),
    "pairs file without tabs": (lambda m, t: ds.load_translation_pairs(_write("p.txt", "Go. Ve.\n")(t)),
                                ValueError, "line 1: expected 'English<TAB>Spanish'"),
    "pairs file with empty field": (lambda m, t: ds.load_translation_pairs(_write("p.txt", "Go.\t\n")(t)),
                                    ValueError, "line 1"),
    "empty pairs file": (lambda m, t: ds.load_translation_pairs(_write("p.txt", "\n")(t)),
                         ValueError, "holds no sentence pairs"),
    "zip without spa.txt": (lambda m, t: (ds.load_translation_pairs(_zip(t))),
                            ValueError, "holds no spa.txt"),
    "empty text corpus": (lambda m, t: ds.load_text_corpus(_write("book.txt", "")(t)),
                          ValueError, "is empty"),
    "Gutenberg text without end marker": (
        lambda m, t: ds.strip_gutenberg("*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nbook"),
        ValueError, "markers were not both found"),
    "split fractions too large": (lambda m, t: ds.split_pairs([("a", "b")], 0.6, 0.5),
                                  ValueError, "add up to less than 1"),
    "split of no pairs": (lambda m, t: ds.split_pairs([]), ValueError, "Load a corpus first"),
    "texts and labels of different length": (lambda m, t: ds.stratified_split(["a"], [0, 1], 0.1, 0.1),
                                             ValueError, "one label per text"),
    "unknown review split": (lambda m, t: ds.ReviewData("x", "y", {"train": ([], None)})["dev"],
                             KeyError, "choose one of train"),
    "aclImdb folder without reviews": (lambda m, t: ds.load_imdb(_dir(t, "aclImdb")),
                                       ValueError, "holds no aclImdb"),
    "order task too short": (lambda m, t: ds.make_order_task(10, 1), ValueError, "length >= 2"),
    "tokenize bytes": (lambda m, t: tokenize(b"abc"), ValueError, "Decode bytes first"),
    "unknown token level": (lambda m, t: tokenize("abc", "sentence"), ValueError, "'char' or 'word'"),
    "vocab from one string": (lambda m, t: cu.Vocab.build("abc"), ValueError, r"wrap it as \[text\]"),
    "vocab from empty texts": (lambda m, t: cu.Vocab.build(["", ""]), ValueError, "texts are empty"),
    "vocab max_size too small": (lambda m, t: cu.Vocab.build(["abc"], max_size=4), ValueError,
                                 "at least 5"),
    "unknown character, strict": (lambda m, t: VOCAB.encode("abz", unknown="error"), ValueError,
                                  "'z' .* not in the vocabulary"),
    "decode id out of range": (lambda m, t: VOCAB.decode([99]), ValueError, "outside this vocabulary"),
    "pad nothing": (lambda m, t: cu.pad_sequences([]), ValueError, "non-empty list"),
    "pad strings": (lambda m, t: cu.pad_sequences(["abc"]), ValueError, "Vocab.encode first"),
    "bad padding side": (lambda m, t: cu.pad_sequences([[1]], padding="left"), ValueError,
                         "'pre' or 'post'"),
    "one_hot of floats": (lambda m, t: cu.one_hot(np.array([0.5]), 3), ValueError, "integer ids"),
    "one_hot id too large": (lambda m, t: cu.one_hot(np.array([3]), 3), ValueError,
                             "depth=len\\(vocab\\)"),
    "batches of unequal arrays": (lambda m, t: next(cu.batches(np.ones(3), np.ones(4), batch_size=2)),
                                  ValueError, "same length"),
    "batch size zero": (lambda m, t: next(cu.batches(np.ones(3), batch_size=0)), ValueError,
                        "at least 1"),
}


def _zip(tmp_path):
    import zipfile
    path = tmp_path / "spa-eng.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    return path


def _dir(tmp_path, name):
    (tmp_path / name).mkdir()
    return tmp_path / name


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_raises_a_clear_error(case, monkeypatch, tmp_path):
    action, error, message = CASES[case]
    with pytest.raises(error, match=message):
        action(monkeypatch, tmp_path)


def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20
