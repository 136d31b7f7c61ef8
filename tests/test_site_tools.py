"""The pieces of `make site`: output cleaning, saved runs, the cache key, page staging."""

import json
import re

import nbformat

from tools import build_site, nbout, nbval_save


def test_carriage_returns_and_cursor_moves_leave_the_final_screen():
    bars = "".join(f"\r{i}/3 |{'#' * i}{' ' * (3 - i)}|" for i in range(4)) + "\n"
    assert nbout.render_terminal(bars) == "3/3 |###|\n"
    nested = "epoch 1\n\rbatch 1\rbatch 2\x1b[A\repoch 2\n\n"
    assert nbout.render_terminal(nested) == "epoch 2\nbatch 2\n"
    assert nbout.render_terminal("abc\b\bX\n") == "aX\n"
    assert nbout.render_terminal("\x1b[31mred\x1b[0m\n") == "\x1b[31mred\x1b[0m\n"
    assert nbout.render_terminal("plain\n") == "plain\n"


def test_tensorflow_start_up_noise_is_dropped_and_the_rest_kept():
    text = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
            "I0000 00:00:17.1 10561 port.cc:153] oneDNN custom operations are on. You may see\n"
            "E0000 00:00:17.8 10561 cuda_platform.cc:52] failed call to cuInit: INTERNAL\n"
            "UserWarning: something a learner should read\n")
    assert nbout.drop_framework_noise(text) == "UserWarning: something a learner should read\n"


def _bar_state(value, total, style=""):
    return {"state": {
        "box": {"model_name": "HBoxModel",
                "state": {"children": ["IPY_MODEL_d", "IPY_MODEL_p", "IPY_MODEL_t"]}},
        "d": {"model_name": "HTMLModel", "state": {"value": "epochs"}},
        "p": {"model_name": "FloatProgressModel", "state": {"value": value, "max": total, "min": 0,
                                                             "bar_style": style}},
        "t": {"model_name": "HTMLModel", "state": {"value": f" {value}/{total} [00:01&lt;00:00]"}},
    }}


def test_progress_bar_widgets_become_static_html_or_vanish_when_closed():
    widget = {"output_type": "display_data", "metadata": {},
              "data": {nbout.WIDGET_MIME: {"model_id": "box", "version_major": 2}, "text/plain": "HBox()"}}
    closed = {"output_type": "display_data", "metadata": {},
              "data": {nbout.WIDGET_MIME: {"model_id": "gone"}, "text/plain": "HBox()"}}
    out = nbout.clean_outputs([widget, closed, {"output_type": "stream", "name": "stdout", "text": "a\n"},
                               {"output_type": "stream", "name": "stdout", "text": "b\n"}],
                              _bar_state(3, 3, "success"))
    assert len(out) == 2
    html = out[0]["data"]["text/html"]
    assert '<progress class="course-progress course-progress-success" max="3" value="3">' in html
    assert "epochs" in html and "3/3" in html and nbout.WIDGET_MIME not in out[0]["data"]
    assert out[0]["data"]["text/plain"].startswith("epochs |██████████|")
    assert out[1]["text"] == "a\nb\n"


def _notebook(code="x = 1", prose="Some prose.", tag=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Title\n\n{prose}"),
                nbformat.v4.new_code_cell(code),
                nbformat.v4.new_markdown_cell("Try it.")]
    if tag:
        nb.cells[1].metadata["tags"] = [tag]
        nb.cells[2].metadata["tags"] = [tag]
    return nb


def test_cache_key_follows_code_and_environment_not_prose(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nbformat.write(_notebook(), path)
    key = build_site.cache_key(path, {"COURSE_PROFILE": "ci"})
    nbformat.write(_notebook(prose="Better prose."), path)
    assert build_site.cache_key(path, {"COURSE_PROFILE": "ci"}) == key
    assert build_site.cache_key(path, {"COURSE_PROFILE": "ci", "KERAS_BACKEND": "torch"}) != key
    nbformat.write(_notebook(code="x = 2"), path)
    assert build_site.cache_key(path, {"COURSE_PROFILE": "ci"}) != key


def test_saved_run_holds_the_outputs_and_its_key(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    path = tmp_path / "01_x.ipynb"
    nb = _notebook()
    nbformat.write(nb, path)
    captured = {0: [nbformat.NotebookNode(output_type="stream", name="stderr",
                                          text="I0000 port.cc:1] oneDNN custom operations are on\n"),
                    nbformat.NotebookNode(output_type="stream", name="stdout", text="\r1/2\r2/2\n")]}
    saved = nbval_save.save_executed(path, nb, captured, {}, tmp_path / "executed")
    run = nbformat.read(saved, as_version=4)
    assert run.cells[1].outputs == [{"output_type": "stream", "name": "stdout", "text": "2/2\n"}]
    assert run.cells[1].execution_count == 1
    key = json.loads((tmp_path / "executed" / "01_x.key.json").read_text())
    assert key == build_site.cache_key(path)


def test_pages_fold_solutions_and_take_prose_from_the_current_notebook():
    executed = _notebook(prose="Old prose.", tag="solution")
    executed.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    current = _notebook(prose="New prose.", tag="solution")
    page = build_site.page_notebook(json.loads(nbformat.writes(current)),
                                    json.loads(nbformat.writes(executed)))
    assert "New prose." in page["cells"][0]["source"]
    code, answer = page["cells"][1], page["cells"][2]
    assert "".join(code["outputs"][0]["text"]) == "1\n"
    assert "hide-cell" in code["metadata"]["tags"]
    assert code["metadata"]["mystnb"]["code_prompt_show"] == "Show the solution"
    assert '<details class="course-solution">' in answer["source"]
    assert answer["source"].startswith("::::{container} course-folded")


def test_boxes_keep_headings_outside_and_always_close():
    """A heading in an exercise cell once left a raw <div> open across a section boundary,
    and the rest of the page was laid out as side-by-side columns (issue 23)."""
    text = build_site.boxed("### Exercise 2: count\n\n*Count them.*\n\n#### A hint\n\nLook.\n",
                            "course-exercise")
    head, box = text.split("\n\n", 1)
    assert head == "### Exercise 2: count"                     # still a section title
    assert box.startswith("::::{container} course-exercise\n*Count them.*")
    assert box.endswith("\n::::\n") and "#### A hint" in box   # a rubric inside the box
    inner_fence = build_site.boxed("Answer:\n\n::::{note}\nx\n::::\n", "course-folded", fold="Show")
    assert inner_fence.startswith(":::::{container} course-folded\n<details class=\"course-solution\">")
    assert build_site.boxed("### Only a title\n", "course-exercise") == "### Only a title\n"


def test_landing_page_takes_readme_sections_and_keeps_notebook_links():
    readme = ("# Course\n\nIntro with [data](datasets/README.md).\n\n## Two commands\n\nmake\n\n"
              "## The notebooks\n\n[One](notebooks/01_x.ipynb) and [web](https://example.org)\n"
              "<!-- BEGIN GENERATED x -->\n\n## Elsewhere\n\nnot shown\n")
    intro, sections = build_site.readme_sections(readme)
    assert intro == "Intro with data (`datasets/README.md`)."
    assert "[One](notebooks/01_x.ipynb)" in sections and "[web](https://example.org)" in sections
    assert "Two commands" not in sections and "not shown" not in sections and "<!--" not in sections


def test_a_tagged_notebook_builds_into_a_page_with_folded_solutions(tmp_path, monkeypatch):
    """A real Sphinx build of a small executed notebook (nothing is executed here)."""
    monkeypatch.setattr(build_site, "BUILD", tmp_path / "_build")
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Toy notebook\n\nThe loss is $-\\log p(x_t)$."),
                nbformat.v4.new_code_cell("for _ in cu.progress(range(3)): pass"),
                nbformat.v4.new_markdown_cell("**Exercise.** Compute the answer.",
                                              metadata={"tags": ["exercise"]}),
                nbformat.v4.new_code_cell("answer = 42\nprint(answer)", metadata={"tags": ["solution"]}),
                nbformat.v4.new_markdown_cell("It is 42 because ...", metadata={"tags": ["solution"]}),
                nbformat.v4.new_markdown_cell("### Exercise 2: again\n\nCompute it twice.",
                                              metadata={"tags": ["exercise"]}),
                nbformat.v4.new_markdown_cell("### Exercise 3: last\n\nOnce more.",
                                              metadata={"tags": ["exercise"]})]
    path = tmp_path / "notebooks" / "01_toy.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    widget = nbformat.NotebookNode(output_type="display_data", metadata={},
                                   data={nbout.WIDGET_MIME: {"model_id": "box"}, "text/plain": "HBox()"})
    captured = {0: [widget], 1: [nbformat.NotebookNode(output_type="stream", name="stdout", text="42\n")]}
    nbval_save.save_executed(path, nb, captured, _bar_state(3, 3, "success"), build_site.executed_dir("ci"))
    assert build_site.is_fresh(path, "ci")
    html = build_site.build("ci", [path], execute_stale=False)
    page = (html / "notebooks" / "01_toy.html").read_text(encoding="utf-8")
    assert "Show the solution" in page and '<details class="course-solution">' in page
    assert 'class="course-exercise docutils container"' in page and "<progress" in page and "3/3" in page
    for box in page.split('<div class="course-exercise')[1:]:   # each box closes in its section
        assert "<section" not in box.split("</div>")[0] and "</section>" not in box.split("</div>")[0]
    assert page.count("<section") == page.count("</section>")
    assert re.search(r'<h\d>Exercise 2: again.*?</h\d>\s*<div class="course-exercise', page, re.S)
    assert "mathjax/tex-mml-chtml.js" in page and "unpkg" not in page and "cdn" not in page.lower()
    assert (html / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    index = (html / "index.html").read_text(encoding="utf-8")
    assert "notebooks/01_toy.html" in index


def test_a_run_with_an_error_is_kept_but_never_counts_as_fresh(tmp_path, monkeypatch):
    monkeypatch.setattr(build_site, "BUILD", tmp_path / "_build")
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    path = tmp_path / "01_x.ipynb"
    nb = _notebook()
    nbformat.write(nb, path)
    error = nbformat.NotebookNode(output_type="error", ename="ValueError", evalue="bad", traceback=[])
    nbval_save.save_executed(path, nb, {0: [error]}, {}, build_site.executed_dir("ci"))
    assert not build_site.is_fresh(path, "ci")
    nbval_save.save_executed(path, nb, {0: []}, {}, build_site.executed_dir("ci"))
    assert build_site.is_fresh(path, "ci")


def test_pages_leave_out_otter_graders_markup():
    """The raw `# BEGIN QUESTION` ... cells serve `make student`; the page shows the exercise."""
    nb = _notebook(prose="Prose.", tag="exercise")
    nb.cells.insert(1, nbformat.v4.new_raw_cell("# BEGIN QUESTION\nname: ex1\npoints: 1"))
    nb.cells.append(nbformat.v4.new_raw_cell("# END QUESTION"))
    nb.cells.append(nbformat.v4.new_raw_cell("A raw cell of the author's own."))
    page = build_site.page_notebook(json.loads(nbformat.writes(nb)), None)
    raw = ["".join(c["source"]) for c in page["cells"] if c["cell_type"] == "raw"]
    assert raw == ["A raw cell of the author's own."]
    assert len(page["cells"]) == len(nb.cells) - 2
