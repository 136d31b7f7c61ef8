"""Executed-notebook outputs as a reader should see them.

Used when an executed notebook is saved (``tools/nbval_save.py``) and when the site is
staged (``tools/site.py``):

- ``render_terminal``: what a terminal (or JupyterLab) finally shows for text written with
  carriage returns, backspaces and cursor moves (text progress bars leave hundreds of
  overwritten lines and ``ESC[A`` codes otherwise);
- ``drop_framework_noise``: TensorFlow's start-up lines about CUDA drivers, cuInit, oneDNN
  and CPU instructions, which say nothing a CPU learner should act on;
- ``widget_html``: a progress-bar widget (tqdm's) as static HTML, from the widget state
  saved with the notebook, so a rendered page shows the bar as it ended.
"""

from __future__ import annotations

import html
import re

CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")
OTHER_ESCAPE = re.compile(r"\x1b[()][A-Za-z0-9]|\x1b[=>]")

# Lines TensorFlow prints when it starts on a machine without a GPU. Each is harmless there.
NOISE = (
    "All log messages before absl::InitializeLog() is called are written to STDERR",
    "oneDNN custom operations are on",
    "Could not find cuda drivers on your machine",
    "cpu_feature_guard.cc",
    "To enable the following instructions:",
    "failed call to cuInit",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
    "TF-TRT Warning: Could not find TensorRT",
)


def render_terminal(text: str) -> str:
    """The screen that ``text`` leaves, the way Jupyter shows a stream.

    ``\\r`` clears the current line (as JupyterLab does), ``\\b`` deletes a character,
    ``ESC[nA`` moves up n lines, ``ESC[K`` clears to the end of the line; colour codes
    (``ESC[...m``) are kept, other control sequences are dropped.
    """
    if not any(c in text for c in "\r\b\x1b"):
        return text
    lines: list[list[str]] = [[]]
    row = col = 0
    pending = ""                       # colour codes waiting for the next character
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\x1b":
            m = CSI.match(text, i)
            if m:
                arg, cmd = m.groups()
                count = int(arg) if arg.isdigit() else 1
                if cmd == "m":
                    pending += m.group(0)
                elif cmd == "A":
                    row = max(0, row - count)
                    col = min(col, len(lines[row]))
                elif cmd == "B":
                    row += count
                    while len(lines) <= row:
                        lines.append([])
                    col = min(col, len(lines[row]))
                elif cmd == "K":
                    del lines[row][col:]
                elif cmd == "G":
                    col = min(max(count - 1, 0), len(lines[row]))
                i = m.end()
                continue
            m = OTHER_ESCAPE.match(text, i)
            i = m.end() if m else i + 1
            continue
        if ch == "\r":
            if text.startswith("\n", i + 1):          # \r\n is a plain newline
                i += 1
                continue
            lines[row] = []
            col = 0
        elif ch == "\b":
            if col > 0:
                del lines[row][col - 1]
                col -= 1
        elif ch == "\n":
            if pending and lines[row]:           # a colour reset at the end of a line
                lines[row][-1] += pending
                pending = ""
            row += 1
            if row == len(lines):
                lines.append([])
            col = 0
        else:
            cell = pending + ch
            pending = ""
            if col < len(lines[row]):
                lines[row][col] = cell
            else:
                lines[row].append(cell)
            col += 1
        i += 1
    out = ["".join(line).rstrip() for line in lines]
    if pending:
        out[-1] += pending
    while len(out) > 1 and not out[-1] and not out[-2]:
        out.pop()
    return "\n".join(out)


def drop_framework_noise(text: str) -> str:
    """``text`` without TensorFlow's start-up lines about missing GPUs, oneDNN and CPU flags."""
    kept = [line for line in text.split("\n") if not any(s in line for s in NOISE)]
    return "\n".join(kept)


def widget_html(model_id: str, state: dict) -> str:
    """Static HTML for a saved widget: boxes, labels, HTML and progress bars (what tqdm uses)."""
    model = state.get(model_id)
    if model is None:
        return ""
    name, s = model.get("model_name", ""), model.get("state", {})
    if name in ("HBoxModel", "VBoxModel", "BoxModel"):
        kind = "vbox" if name == "VBoxModel" else "hbox"
        inner = "".join(widget_html(c.removeprefix("IPY_MODEL_"), state) for c in s.get("children", []))
        return f'<div class="course-widget course-{kind}">{inner}</div>'
    if name in ("HTMLModel", "HTMLMathModel"):
        desc = html.escape(s.get("description", ""))
        return f'<span class="course-widget-html">{desc}{s.get("value", "")}</span>'
    if name == "LabelModel":
        return f'<span class="course-widget-label">{html.escape(str(s.get("value", "")))}</span>'
    if name in ("FloatProgressModel", "IntProgressModel"):
        lo, hi, value = s.get("min", 0), s.get("max", 100), s.get("value", 0)
        style = s.get("bar_style", "") or "info"
        desc = html.escape(s.get("description", ""))
        return (f'{desc}<progress class="course-progress course-progress-{style}" '
                f'max="{hi - lo}" value="{value - lo}"></progress>')
    return ""


def widget_text(model_id: str, state: dict) -> str:
    """The same widget as one line of plain text."""
    model = state.get(model_id)
    if model is None:
        return ""
    name, s = model.get("model_name", ""), model.get("state", {})
    if name in ("HBoxModel", "VBoxModel", "BoxModel"):
        return " ".join(widget_text(c.removeprefix("IPY_MODEL_"), state) for c in s.get("children", []))
    if name in ("FloatProgressModel", "IntProgressModel"):
        lo, hi, value = s.get("min", 0), s.get("max", 100), s.get("value", 0)
        filled = round(10 * (value - lo) / (hi - lo)) if hi > lo else 10
        return "|" + "█" * filled + " " * (10 - filled) + "|"
    return html.unescape(re.sub(r"<[^>]+>", "", str(s.get("value", ""))))


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def clean_outputs(outputs: list, widget_state: dict | None = None, drop_noise: bool = True) -> list:
    """Outputs of one cell as a reader should see them (see the module docstring).

    A widget output whose model is in ``widget_state`` becomes static HTML; one whose model
    is gone (a progress bar closed with ``leave=False``) is dropped, as it vanished on screen.
    """
    state = (widget_state or {}).get("state", {})
    cleaned = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = render_terminal(out["text"])
            if drop_noise and out.get("name") == "stderr":
                text = drop_framework_noise(text)
            if text.strip():
                out = dict(out, text=text if text.endswith("\n") else text + "\n")
                if cleaned and cleaned[-1].get("output_type") == "stream" \
                        and cleaned[-1].get("name") == out.get("name"):
                    cleaned[-1] = dict(cleaned[-1], text=cleaned[-1]["text"] + out["text"])
                else:
                    cleaned.append(out)
        elif kind in ("display_data", "execute_result") and WIDGET_MIME in out.get("data", {}):
            model_id = out["data"][WIDGET_MIME].get("model_id", "")
            if model_id in state:
                data = {"text/html": widget_html(model_id, state),
                        "text/plain": widget_text(model_id, state)}
                cleaned.append(dict(out, data=data, metadata={}))
        else:
            cleaned.append(out)
    return cleaned
