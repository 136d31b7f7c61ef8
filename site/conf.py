"""Sphinx configuration of the course site; `make site` (tools/build_site.py) stages the pages.

Offline by construction: MathJax is served from the site itself (copied from the
``django-static-mathjax`` package), widget JavaScript is not loaded (progress bars are
static HTML), and the theme's assets ship with the theme.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROFILE = os.environ.get("COURSE_SITE_PROFILE", "ci")
STAGED_STATIC = Path(os.environ.get("COURSE_SITE_STATIC",
                                   HERE.parent / "_build" / "site" / PROFILE / "static"))

project = "Sequence models, one notebook at a time"
author = "the course authors"
copyright = "the course authors"
language = "en"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
suppress_warnings = ["myst.header", "misc.highlighting_failure"]

# Notebooks arrive executed (tools/nbval_save.py); myst-nb only renders them.
nb_execution_mode = "off"
nb_merge_streams = True
nb_ipywidgets_js = {}                       # no CDN scripts; bars are static HTML
nb_render_error_lexer = "ipythontb"
myst_enable_extensions = ["dollarmath", "amsmath", "html_image", "colon_fence"]
myst_heading_anchors = 3

# Math: MathJax 3 from this site's own _static folder, never from a CDN.
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax3_config = {"options": {"menuOptions": {"settings": {"assistiveMml": False}}}}

html_theme = "sphinx_book_theme"
html_title = "Sequence models"
html_static_path = [str(HERE / "_static"), str(STAGED_STATIC)]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
}
