"""Fixtures for the unit tests: an isolated data environment and a local HTTP server."""

import hashlib
import http.server
import os
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("COURSE_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def isolated_data_env(tmp_path, monkeypatch):
    """Every test gets an empty download cache, no COURSE_DATA_DIR, offline mode, and the
    default profile with no size changes and no recording."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    for name in ("COURSE_PROFILE", "COURSE_SMOKE", "COURSE_OVERRIDES", "COURSE_RECORD",
                 "COURSE_RESULTS_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def torch_one_thread():
    """Tiny PyTorch models gain nothing from threads, and idle OpenMP threads spinning on
    a busy shared machine can slow their tests tenfold."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def shared_data():
    """The real Tatoeba file and novel beside the repository; skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"no shared data folder at {SHARED_DATA}")
    return SHARED_DATA


class FixtureServer:
    """Serves files from a folder on 127.0.0.1; records the paths requested."""

    def __init__(self, root: Path):
        self.root, self.requests, self.truncate = root, [], set()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                file = server.root / self.path.lstrip("/")
                if not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # A truncated transfer: promise the whole file, send half, hang up.
                self.wfile.write(body[: len(body) // 2] if self.path in server.truncate else body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def file_server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    server = FixtureServer(root)
    yield server
    server.close()


@pytest.fixture
def serve_tatoeba(file_server, monkeypatch):
    """A function ``(archive, text) -> server``: the local 127.0.0.1 server holds ``archive``
    as spa-eng.zip, Tatoeba's remote points at it, verified against ``text``; online mode."""
    from course_utils import datasets as ds

    def serve(archive: bytes, text: str):
        (file_server.root / "spa-eng.zip").write_bytes(archive)
        sha = hashlib.sha256(text.encode()).hexdigest()
        monkeypatch.setattr(ds, "TATOEBA", ds.Remote(f"{file_server.url}/spa-eng.zip", "spa-eng.zip",
                                                     ds.expect_zip_member_sha256("spa-eng/spa.txt", sha)))
        monkeypatch.setenv("COURSE_OFFLINE", "0")
        return file_server
    return serve
