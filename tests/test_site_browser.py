"""The built course site, checked in a real browser (headless Chromium).

`make test` builds the site in the ci profile (tools/build_site.py) and then runs this
file: every page is loaded from a server on 127.0.0.1, and each must render, load every
image, typeset its math with the site's own MathJax, make no request off this machine,
and show no error or traceback in any cell output. Each notebook page must also lay out as
one readable column at 1024, 1280 and 1920 px: the article at least 60% of the content
area, no horizontal scrolling, exercises and solutions stacked one below the other.
Screenshots (the landing page, the notebook page with the most figures, and each notebook
page at its first exercise at 1024 and 1920 px) are kept in _build/site/<profile>/screenshots/.

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


LAYOUT_WIDTHS = (1024, 1280, 1920)        # a small laptop, the test's window, a desktop
MIN_ARTICLE_SHARE = 0.6                   # of the content area (article + on-page contents)
BLOCKS = ".course-exercise, details.course-solution, div.cell.tag_solution"

LAYOUT = """
const done = arguments[arguments.length - 1];
(async () => {
  await Promise.all(Array.from(document.images).map(i => i.complete ? null : i.decode().catch(() => null)));
  if (document.querySelector('.math') && window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const box = e => { const r = e.getBoundingClientRect();
                     return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, width: r.width,
                             height: r.height}; };
  const article = document.querySelector('article.bd-article') || document.querySelector('article');
  const content = document.querySelector('.bd-content') || document.querySelector('main');
  const all = Array.from(document.querySelectorAll(arguments[0]));
  const blocks = all.filter(e => !all.some(o => o !== e && o.contains(e)))    // outermost only
                    .map(e => Object.assign(box(e), {text: e.innerText.trim().slice(0, 50)}))
                    .filter(b => b.height > 0);
  done({article: article ? box(article).width : 0, content: content ? box(content).width : 0,
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, blocks});
})();
"""


def layout_problems(rel: str, width: int, info: dict) -> list[str]:
    """What makes a notebook page unreadable at ``width``: a squeezed article, sideways scrolling,
    exercise and solution blocks placed beside each other instead of one below the other."""
    problems = []
    share = info["article"] / info["content"] if info["content"] else 0.0
    if share < MIN_ARTICLE_SHARE:
        problems.append(f"{rel} @ {width} px: the article is {info['article']:.0f} px wide, "
                        f"{share:.0%} of the {info['content']:.0f} px content area "
                        f"(at least {MIN_ARTICLE_SHARE:.0%} expected)")
    if info["scrollWidth"] > info["innerWidth"]:
        problems.append(f"{rel} @ {width} px: the page scrolls sideways "
                        f"(document {info['scrollWidth']} px wide, window {info['innerWidth']} px)")
    beside = [(a, b) for a, b in zip(info["blocks"], info["blocks"][1:]) if b["top"] < a["bottom"] - 1]
    if beside:
        a, b = beside[0]
        problems.append(f"{rel} @ {width} px: {len(beside)} of {len(info['blocks'])} exercise/solution "
                        f"blocks start beside the previous one instead of below it, e.g. "
                        f"{b['text']!r} at x={b['left']:.0f}, y={b['top']:.0f} next to {a['text']!r} "
                        f"(x={a['left']:.0f}, y={a['top']:.0f}..{a['bottom']:.0f})")
    return problems


def test_notebook_pages_are_one_readable_column(browser, site_url):
    notebook_pages = [p for p in pages() if p.relative_to(SITE).parts[0] == "notebooks"]
    _need(bool(notebook_pages), f"no notebook page in {SITE}", SITE_REQUIRED)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems, measured = [], {}
    try:
        for width in LAYOUT_WIDTHS:
            browser.set_window_size(width, 1200)
            for page in notebook_pages:
                rel = page.relative_to(SITE).as_posix()
                browser.get(f"{site_url}/{rel}")
                info = browser.execute_async_script(LAYOUT, BLOCKS)
                measured[f"{rel} @ {width}"] = {k: v for k, v in info.items() if k != "blocks"}
                problems += layout_problems(rel, width, info)
                if width != 1280:                 # what a reader sees at the first exercise
                    browser.execute_script("const e = document.querySelector(arguments[0]);"
                                           "if (e) e.scrollIntoView();", BLOCKS)
                    browser.save_screenshot(str(SHOTS / f"{page.stem}-{width}.png"))
    finally:
        browser.set_window_size(1280, 1600)
    (SHOTS / "layout.json").write_text(json.dumps(measured, indent=1) + "\n", encoding="utf-8")
    assert not problems, "\n".join(problems)
