"""`make data` (tools/fetch_data.py) against a local server: progress, summary, failures."""

import dataclasses
import hashlib
import io
import zipfile

from course_utils import datasets
from tools import fetch_data


def test_the_real_data_sets_are_the_loaders_sources():
    urls = {d.remote.url for d in fetch_data.course_datasets()}
    assert urls == {datasets.TATOEBA.url, datasets.MYSTERIOUS_ISLAND.url, datasets.ACL_IMDB.url}


def _served(file_server, name: str, body: bytes) -> str:
    (file_server.root / name).write_bytes(body)
    return f"{file_server.url}/{name}"


def test_downloads_verify_and_a_failure_is_named_and_leaves_nothing(file_server, monkeypatch, capsys):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    good = b"English\tEspanol\n" * 100
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("spa-eng/spa.txt", good)
    url_ok = _served(file_server, "spa-eng.zip", buf.getvalue())
    url_bad = _served(file_server, "book.txt", b"not the book")
    items = [
        fetch_data.DataSet("pairs", dataclasses.replace(
            datasets.TATOEBA, url=url_ok, verify=datasets.expect_zip_member_sha256(
                "spa-eng/spa.txt", hashlib.sha256(good).hexdigest())), datasets.TATOEBA_NAMES),
        fetch_data.DataSet("novel", dataclasses.replace(datasets.MYSTERIOUS_ISLAND, url=url_bad),
                           datasets.NOVEL_NAMES),
        fetch_data.DataSet("reviews", dataclasses.replace(
            datasets.ACL_IMDB, url=f"{file_server.url}/missing.tar.gz"), datasets.IMDB_NAMES),
    ]
    assert fetch_data.main([], items) == 1
    out = capsys.readouterr().out
    assert "OK      pairs" in out and "FAILED  novel" in out and "FAILED  reviews" in out
    assert "2 of 3 data set(s) failed; nothing partial was saved" in out
    cache = datasets.cache_dir()
    assert sorted(p.name for p in cache.iterdir()) == ["spa-eng.zip"]     # no .part, no bad file
    # a second run finds the verified file in the cache and downloads nothing
    served_before = len(file_server.requests)
    assert fetch_data.main([], items[:1]) == 0
    assert len(file_server.requests) == served_before
    assert "download cache" in capsys.readouterr().out


def test_offline_mode_is_refused_with_the_fix(capsys):
    assert fetch_data.main([], []) == 2          # the test environment sets COURSE_OFFLINE=1
    assert "env -u COURSE_OFFLINE make data" in capsys.readouterr().err


def test_a_folder_in_the_cache_is_a_failed_row_with_the_fix(file_server, monkeypatch, capsys):
    """Not a traceback: the summary names the folder and how to clear it; the rest still runs."""
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    url = _served(file_server, "book.txt", b"not the book")
    item = fetch_data.DataSet("novel", dataclasses.replace(datasets.MYSTERIOUS_ISLAND, url=url),
                              datasets.NOVEL_NAMES)
    in_the_way = datasets.cache_dir() / datasets.MYSTERIOUS_ISLAND.filename
    in_the_way.mkdir(parents=True)
    (in_the_way / "notes.txt").write_text("mine")
    assert fetch_data.main([], [item]) == 1
    out = capsys.readouterr().out
    assert "FAILED  novel" in out and "is a folder, not a file" in out and "rm -r" in out
    assert (in_the_way / "notes.txt").read_text() == "mine"          # nothing of yours deleted
