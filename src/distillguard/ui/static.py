"""Static files of the UI: its own CSS and script, and plotly.js from the ``plotly`` package.

Nothing is fetched from the network: plotly.js is the bundle shipped inside the pinned
``plotly`` Python package (the same one the HTML report inlines), served from the app.

Plotly normally injects its style rules with an inline ``<style>`` element, which the UI's
policy (``style-src 'self'``) forbids; without them its layered SVGs stack wrongly. So the
rules are read once from the bundle itself (an object of selector → declarations that
plotly.js adds at start-up) and served as ``plotly.css``. If a future bundle changes that
shape, a minimal set of the rules that matter for static charts is served instead.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

#: The rules plotly.js registers at load, in its bundle: ``{"X,X div":"...", ...}``.
_RULES_START = '{"X,X div":'
_RULE = re.compile(
    r"""\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*:\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*([,}])"""
)
_FALLBACK_CSS = """\
.js-plotly-plot .plotly .main-svg {position:absolute;top:0;left:0;pointer-events:none;}
.js-plotly-plot .plotly .main-svg .draglayer {pointer-events:all;}
.js-plotly-plot .plotly .user-select-none {user-select:none;}
"""
STATIC_DIR = Path(str(resources.files("distillguard.ui").joinpath("static")))


def plotly_js_path() -> Path:
    """The plotly.js bundle inside the installed ``plotly`` package."""
    return Path(str(resources.files("plotly").joinpath("package_data", "plotly.min.js")))


@functools.cache
def plotly_css() -> str:
    """Plotly's own style rules as a style sheet (see the module docstring)."""
    try:
        bundle = plotly_js_path().read_text("utf-8")
    except OSError:
        return _FALLBACK_CSS
    start = bundle.find(_RULES_START)
    if start < 0:
        return _FALLBACK_CSS
    rules, position = [], start + 1
    while (match := _RULE.match(bundle, position)) is not None:
        selector = match.group(1) if match.group(1) is not None else match.group(2)
        body = match.group(3) if match.group(3) is not None else match.group(4)
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{selector} {{{body}}}")
        position = match.end()
        if match.group(5) == "}":
            break
    if not any(".main-svg" in rule for rule in rules):
        return _FALLBACK_CSS
    return "\n".join(rules) + "\n"
