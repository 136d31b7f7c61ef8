"""The built course site, checked in a real browser (headless Chromium).

`make test` builds the site in the ci profile (tools/build_site.py) and then runs this
file: every page is loaded from a server on 127.0.0.1, and each must render, load every
image, typeset its math with the site's own MathJax, make no request off this machine,
and show no error or traceback in any cell output. Screenshots of two pages are kept in
_build/site/<profile>/screenshots/.

Without Chromium the browser test skips and says how to install it (in CI, CI=true, it
fails instead: .ci/run installs Chromium); without a built site both skip, unless
`make test` (COURSE_SITE_REQUIRED=1) or CI asked for one.
"""

import functools
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROFILE = os.environ.get("COURSE_SITE_PROFILE", "ci")
SITE = REPO / "_build" / "site" / PROFILE / "html"
SHOTS = REPO / "_build" / "site" / PROFILE / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"
SITE_REQUIRED = IN_CI or bool(os.environ.get("COURSE_SITE_REQUIRED"))   # `make test` sets it
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             "/usr/bin/chromium") if p and Path(p).exists()), None)
CHROMEDRIVER = next((p for p in (shutil.which("chromedriver"), "/usr/bin/chromedriver")
                     if p and Path(p).exists()), None)
INSTALL = ("headless Chromium is not installed: on Debian/Ubuntu run "
           "`sudo apt-get install chromium chromium-driver` (the browser test then runs)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")


def _need(condition: bool, message: str, required: bool = IN_CI):
    if not condition:
        if required:
            pytest.fail(message)
        pytest.skip(message)


def pages() -> list[Path]:
    return sorted(p for p in SITE.rglob("*.html")
                  if "_static" not in p.relative_to(SITE).parts) if SITE.is_dir() else []


@pytest.fixture(scope="module")
def site_url():
    _need(SITE.is_dir() and (SITE / "index.html").is_file(),
          f"no built site at {SITE}: run `make site PROFILE={PROFILE}` first", SITE_REQUIRED)
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    _need(CHROMIUM is not None and CHROMEDRIVER is not None, INSTALL)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1280,1600")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


CHECK_PAGE = """
const done = arguments[arguments.length - 1];
(async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(img => img.complete ? null : img.decode().catch(() => null)));
  const mathNodes = Array.from(document.querySelectorAll('.math'));
  if (mathNodes.length && window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const outputs = Array.from(document.querySelectorAll('.cell_output, .output'));
  done({
    title: document.title,
    h1: Array.from(document.querySelectorAll('article h1')).map(h => h.textContent.trim()),
    textLength: (document.querySelector('main') || document.body).innerText.length,
    images: imgs.map(img => ({src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0})),
    math: mathNodes.length,
    mathJaxLoaded: !!(window.MathJax && MathJax.startup),
    untypeset: mathNodes.filter(m => !m.querySelector('mjx-container') && !m.closest('mjx-container')
                                   && m.tagName !== 'MJX-CONTAINER').length,
    mathErrors: document.querySelectorAll('mjx-merror').length,
    errorOutputs: outputs.filter(o => !o.closest('.tag_raises-exception'))
                         .filter(o => o.matches('.traceback, .error, .output_error')
                                   || /Traceback \\(most recent call last\\)/.test(o.innerText))
                         .map(o => o.innerText.slice(0, 300)),
    cudaNoise: outputs.filter(o => /cuInit|oneDNN custom operations/.test(o.innerText)).length,
    solutions: document.querySelectorAll('.tag_solution, details.course-solution').length,
    openSolutions: Array.from(document.querySelectorAll('.tag_solution details, details.course-solution'))
                        .filter(d => d.open).length,
  });
})();
"""


def test_pages_make_no_request_off_this_machine_by_construction():
    _need(bool(pages()), f"no built site at {SITE}: run `make site PROFILE={PROFILE}` first",
          SITE_REQUIRED)
    external = re.compile(r"""<(script|link|img|iframe|source)\b[^>]*\b(src|href)=["'](https?:)?//""", re.I)
    offenders = {str(p.relative_to(SITE)): m.group(0) for p in pages()
                 for m in [external.search(p.read_text(encoding="utf-8"))] if m}
    assert not offenders, f"pages load resources from other hosts: {offenders}"


def test_every_page_renders_in_chromium(browser, site_url):
    all_pages = pages()
    problems, summary, requests = [], {}, set()
    for page in all_pages:
        rel = page.relative_to(SITE).as_posix()
        browser.get(f"{site_url}/{rel}")
        info = browser.execute_async_script(CHECK_PAGE)
        summary[rel] = info
        if not info["title"] or info["textLength"] < 50:
            problems.append(f"{rel}: page is empty")
        if rel.startswith("notebooks/") and len(info["h1"]) != 1:
            problems.append(f"{rel}: expected one title, found {info['h1']}")
        bad = [i["src"] for i in info["images"] if not i["ok"]]
        if bad:
            problems.append(f"{rel}: images did not load: {bad}")
        if info["math"] and (not info["mathJaxLoaded"] or info["untypeset"] or info["mathErrors"]):
            problems.append(f"{rel}: math not typeset ({info['untypeset']} of {info['math']} left, "
                            f"{info['mathErrors']} MathJax errors, MathJax loaded: {info['mathJaxLoaded']})")
        if info["errorOutputs"]:
            problems.append(f"{rel}: error in a cell output: {info['errorOutputs'][0]!r}")
        if info["openSolutions"]:
            problems.append(f"{rel}: {info['openSolutions']} solution(s) shown unfolded")
        for entry in browser.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                requests.add(message["params"]["request"]["url"])
    offsite = sorted(u for u in requests  # chrome:// pages are the browser's own
                     if u.startswith(("http:", "https:", "ws:", "wss:")) and not u.startswith(site_url))
    if offsite:
        problems.append(f"requests off this machine: {offsite[:5]}")
    _screenshots(browser, site_url, summary)
    report = {rel: {k: (len(v) if isinstance(v, list) else v) for k, v in info.items()}
              for rel, info in summary.items()}
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "pages.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    assert not problems, "\n".join(problems)
    assert sum(len(i["images"]) for i in summary.values()) > 0, "the site shows no figure at all"
    assert any(i["math"] for i in summary.values()), "no page has math: is the math extension on?"


def _most_illustrated(summary: dict) -> str | None:
    notebook_pages = {k: v for k, v in summary.items() if k.startswith("notebooks/")}
    return max(notebook_pages, key=lambda k: len(notebook_pages[k]["images"]), default=None)


def _screenshots(browser, site_url: str, summary: dict) -> None:
    """The landing page and the notebook page with the most figures, kept as test artefacts."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for rel in ("index.html", _most_illustrated(summary)):
        if rel is None:
            continue
        browser.get(f"{site_url}/{rel}")
        browser.execute_async_script(CHECK_PAGE)
        browser.save_screenshot(str(SHOTS / (Path(rel).stem + ".png")))
