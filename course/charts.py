"""Altair chart builders and the course theme.

Every builder needs a ``title`` that states the finding and a ``description`` that a screen
reader reads out (Vega writes it into the chart's ``aria-label``). :func:`table` returns the
numbers behind any chart, so every chart can also be read as a table.

Nothing here changes Altair's global state on import: call :func:`setup` once per notebook to
switch on the course theme and offline rendering (Vega's JavaScript comes from the installed
``vl-convert-python`` package, never from a CDN).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import anywidget
import ipywidgets
import pandas as pd
import traitlets

from course.charts_saving import picture_metadata
from course.errors import CourseError, options_text

__all__ = [
    "PALETTE",
    "HIGHLIGHT",
    "HIGHLIGHT_TEXT",
    "MUTED",
    "TEXT",
    "DIVERGING",
    "MAX_WIDTH",
    "EMBED_OPTIONS",
    "contrast_ratio",
    "text_colour",
    "finish",
    "bar_layers",
    "value_labels",
    "label_position",
    "tile_layers",
    "setup",
    "ensure_offline",
    "jupyter_chart",
    "CourseChart",
    "VegaBundle",
    "theme",
    "ranked_bars",
    "time_series",
    "tile_map",
    "table",
    "to_svg",
    "ChartError",
    "ChartAccess",
    "SavedPicture",
    "picture_html",
]

#: The Okabe–Ito palette (distinguishable with the common forms of colour-blindness), with the
#: three colours that are too light for a mark on white (orange 2.2:1, sky blue 2.3:1, yellow
#: 1.3:1) and the reddish purple (3.06:1) darkened in the same hue, so every mark meets the
#: WCAG 2.2 non-text contrast of 3:1 against the white background (tests/test_charts.py).
PALETTE = [
    "#0072B2",  # blue            5.2:1 on white
    "#B87800",  # orange, darker  3.7:1
    "#009E73",  # bluish green    3.4:1
    "#B5548C",  # reddish purple  4.6:1
    "#2E86C1",  # sky blue, darker 4.0:1
    "#D55E00",  # vermillion      3.9:1
    "#8F7F00",  # yellow, darker (olive) 4.0:1
    "#000000",  # black
]
HIGHLIGHT = "#D55E00"
#: Grey for context marks (other areas' lines): 3.4:1 on white, still quieter than colour.
MUTED = "#8C8C8C"
#: Text on white: 16:1. Text in the highlight colour uses HIGHLIGHT_TEXT (5.8:1; the highlight
#: itself is 3.9:1, enough for a line but not for 11 px text, which needs 4.5:1).
TEXT = "#222222"
HIGHLIGHT_TEXT = "#A64A00"
#: Diverging scheme for values either side of a benchmark (blue below, orange above).
DIVERGING = "blueorange"
#: The widest a chart may be drawn, in CSS pixels. At 1366×768 with JupyterLab's file browser
#: open a notebook's output area is about 930 px wide; widgets lay their charts out within this.
MAX_WIDTH = 880
#: Embed options for every course chart: no actions menu (its unnamed <summary> fails axe's
#: "summary-name" rule, and its "Open in Vega Editor" link would leave the machine).
EMBED_OPTIONS = {"actions": False}

_FONT = "Helvetica Neue, Arial, sans-serif"


class ChartError(CourseError):
    """A chart was asked for without the information it needs (a column, a title, alt text)."""


def _luminance(colour: str) -> float:
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str = "#FFFFFF") -> float:
    """The WCAG 2.x contrast ratio of two ``#rrggbb`` colours (1 to 21).

    Text needs 4.5:1 against what is behind it, and marks (bars, lines, points) 3:1.

    >>> round(contrast_ratio("#0072B2"), 2), round(contrast_ratio("#777777", "#000000"), 2)
    (5.19, 4.69)
    """
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def theme() -> dict:
    """The course theme as a Vega-Lite config dictionary.

    Examples
    --------
    >>> theme()["config"]["range"]["category"][0]
    '#0072B2'
    """
    return {
        "config": {
            "font": _FONT,
            "background": "white",
            "view": {"stroke": None, "continuousWidth": 420, "continuousHeight": 260},
            "range": {"category": PALETTE},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12,
                      "subtitleColor": "#444444", "color": TEXT, "limit": MAX_WIDTH},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "gridColor": "#E6E6E6",
                     "labelColor": TEXT, "titleColor": TEXT, "domainColor": "#767676",
                     "tickColor": "#767676"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": TEXT,
                       "titleColor": TEXT, "labelLimit": 260},
            "text": {"color": TEXT},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0], "size": 50, "opacity": 1},
            # Vega-Lite draws points and ticks at 0.7 opacity by default, which takes the
            # palette's colours under the 3:1 non-text contrast on white
            "circle": {"opacity": 1}, "square": {"opacity": 1}, "tick": {"opacity": 1},
        }
    }


_SETUP_DONE = False

_CHART_JS = Path(__file__).parent / "static" / "chart.js"
# The course charts' Vega library: Vega, Vega-Lite and vega-embed, bundled by vl-convert into one
# ES module that exports ``vegaEmbed``.
_VEGA_SNIPPET = "export { vegaEmbed };"

# Each script runs in a child process and writes one offline bundle on stdout.
_ALTAIR_BUNDLE = (
    "import sys, altair as alt; alt.JupyterChart.enable_offline(True); "
    "sys.stdout.write(alt.JupyterChart._esm)"
)
_COURSE_BUNDLE = (
    "import sys, vl_convert as vlc; "
    "sys.stdout.write(vlc.javascript_bundle(sys.stdin.read(), vl_version=sys.argv[1]))"
)


def _vl_version() -> str:
    """The Vega-Lite version Altair writes specs for, as vl-convert names it ("v6_4")."""
    return "_".join(alt.SCHEMA_VERSION.split(".")[:2])


def offline_bundle_path(which: str = "course") -> Path:
    """Where an offline JavaScript bundle is cached: ``"course"`` for the Vega library that
    :class:`CourseChart`'s front end loads (see :class:`VegaBundle`), ``"altair"`` for
    ``alt.JupyterChart``'s front end.

    The file name carries the Altair and vl-convert versions, so an upgrade makes a new bundle.
    ``COURSE_CACHE_DIR`` overrides the folder (default: ``$XDG_CACHE_HOME`` or ``~/.cache``).
    """
    from importlib.metadata import version

    folder = os.environ.get("COURSE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "productive-places",
    )
    versions = f"altair{alt.__version__}-vlconvert{version('vl-convert-python')}"
    if which == "altair":
        return Path(folder) / f"jupyterchart-{versions}.js"
    if which != "course":
        raise ValueError(f"no bundle {which!r}: 'course' or 'altair'")
    return Path(folder) / f"vega-embed-{versions}.js"


def _cached_bundle(path: Path, script: str, *args: str, stdin: str | None = None) -> str | None:
    """A bundle read from ``path``, made first by ``script`` in a child process if missing.

    None when it cannot be made, written or read (the caller then bundles in this process)."""
    try:
        if not path.exists():
            made = subprocess.run([sys.executable, "-c", script, *args], input=stdin,
                                  capture_output=True, text=True, timeout=120, check=True).stdout
            if "vega" not in made.lower():
                return None
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(made, encoding="utf-8")
            os.replace(partial, path)
        return path.read_text(encoding="utf-8")
    except (OSError, subprocess.SubprocessError):
        return None


# The Vega library's text (set by _load_offline_bundle or ensure_offline) and the widget model
# that carries it to the browser (made on first use by _vega_bundle).
_VEGA: dict = {"text": None, "key": None, "model": None}


def _set_vega(text: str) -> None:
    import hashlib

    _VEGA["text"], _VEGA["key"] = text, hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _load_offline_bundle() -> bool:
    """Give :class:`CourseChart` (its Vega library) and ``alt.JupyterChart`` their offline
    bundles without importing vl-convert in this process.

    Bundling Vega with vl-convert takes about two seconds and 100 MiB in the kernel. Each bundle
    is made once, in a separate process, and cached on disk; later kernels read the file (about
    0.9 MB). Returns False (and :func:`ensure_offline` bundles in this process) when a cache
    cannot be written or read.
    """
    if _VEGA["text"] is None:
        bundle = _cached_bundle(offline_bundle_path("course"), _COURSE_BUNDLE, _vl_version(),
                                stdin=_VEGA_SNIPPET)
        if bundle is not None:
            _set_vega(bundle)
    # Altair's own JupyterChart (for a student who makes one) stays offline too. Altair has no
    # public API for handing it a bundle made earlier: its public
    # ``JupyterChart.enable_offline(True)`` bundles Vega with vl-convert inside this kernel on
    # every start (about 2 s and 100 MiB, over the performance budget). So the bundle is made
    # once by that public call in a child process (_ALTAIR_BUNDLE) and set here on the same two
    # class attributes that enable_offline sets. If Altair renames them, the hasattr check sends
    # us to the public call (ensure_offline).
    if not (hasattr(alt.JupyterChart, "_esm") and hasattr(alt.JupyterChart, "_is_offline")):
        return False
    if not alt.JupyterChart._is_offline:
        bundle = _cached_bundle(offline_bundle_path("altair"), _ALTAIR_BUNDLE)
        if bundle is not None:
            alt.JupyterChart._esm = bundle
            alt.JupyterChart._is_offline = True
    return _VEGA["text"] is not None and alt.JupyterChart._is_offline


class VegaBundle(ipywidgets.Widget):
    """The widget model that carries the course charts' Vega library (0.9 MB) to the browser,
    once per kernel; never displayed.

    Every :class:`CourseChart` names this model, and its front end (``course/static/chart.js``)
    loads the library from it once per browser page. A chart that carried the library as its
    own front-end module, as Altair's offline ``JupyterChart`` does, sent the 0.9 MB again for
    every chart, and the page compiled it again for every chart, one after the other: about
    0.1 s each on an idle 2-core machine. anywidget 0.11 gives each model 2 s to load its module;
    past that it logs "[anywidget] Failed to initialize model" and ignores the kernel's later
    messages to that model. Eleven widgets on one page crossed that line with Chromium's CPU
    slowed 8 times (a clean-clone test run at load 15-18 did in two lessons); with the library
    loaded once they do not until 12 times, the page receives 3.9-4.8 MB instead of 13-13.5 MB,
    and each chart's own module is ``chart.js`` alone (about 10 KB). See benchmarks/FINDINGS.md.
    """

    bundle = traitlets.Unicode("").tag(sync=True)
    #: A hash of ``bundle``: the page keeps one library per key.
    key = traitlets.Unicode("").tag(sync=True)


def _vega_bundle() -> VegaBundle:
    """This kernel's :class:`VegaBundle`, made on first use (again if it was closed, e.g. by
    ``ipywidgets.Widget.close_all()``)."""
    model = _VEGA["model"]
    if model is None or model.comm is None:
        ensure_offline()
        model = _VEGA["model"] = VegaBundle(bundle=_VEGA["text"], key=_VEGA["key"])
    return model


class CourseChart(alt.JupyterChart):
    """Altair's ``JupyterChart`` with the course's front end (``course/static/chart.js``).

    Python sees the same widget (``spec``, ``params``, ``embed_options``). In the browser, a new
    spec that differs from the chart on the page only in the rows of its named datasets or the
    values of its plain params updates that chart in place (Vega's ``view.data`` and
    ``view.signal``) instead of compiling and drawing it again: what makes a course widget's
    control change repaint within the 150 ms budget. Any other change draws the chart again.
    Selections made in the browser are not sent back to Python (the course reads a widget's
    state from its controls). The front end loads Vega, offline, from this kernel's
    :class:`VegaBundle`, named in ``_vega``.
    """

    _esm = _CHART_JS.read_text(encoding="utf-8")
    _vega = traitlets.Dict().tag(sync=True)

    def __init__(self, *args, **kwargs) -> None:
        if "_vega" not in kwargs:
            # the library's model first, so that it reaches the browser before this chart does
            model = _vega_bundle()
            kwargs["_vega"] = {"model": model.model_id, "key": model.key}
        super().__init__(*args, **kwargs)


def setup(offline: bool = True) -> None:
    """Switch on the course theme and (by default) offline rendering. Safe to call twice.

    With ``offline=True`` charts render through ``alt.JupyterChart`` with Vega's JavaScript
    bundled from ``vl-convert-python`` (cached on disk, see :func:`offline_bundle_path`), so
    they draw with no internet connection.
    """
    global _SETUP_DONE
    _course_theme()
    alt.theme.enable("course")
    if offline:
        _load_offline_bundle()  # if this fails, Altair bundles in-process on first display
        if RENDERER not in alt.renderers.names():
            alt.renderers.register(RENDERER, _render)
        alt.renderers.enable(RENDERER, offline=True)
    _SETUP_DONE = True


RENDERER = "course"


class ChartAccess(anywidget.AnyWidget):
    """The course charts' browser helper (``course/static/access.js``), one inside every course
    widget and chart: accessible names and pressed states for the controls, and a picture of
    the chart sent back as ``picture`` (SVG text) for :class:`SavedPicture`."""

    _esm = (Path(__file__).parent / "static" / "access.js").read_text(encoding="utf-8")
    picture = traitlets.Unicode("").tag(sync=True)


def picture_html(title: str, alt: str, svg: str = "") -> str:
    """The saved view of a chart: its picture (when the browser has sent one), title and alt text.

    >>> "course-picture" in picture_html("London leads", "Bars of GVA per hour by region.")
    True
    """
    import base64
    import html as _html

    image = ""
    if svg:
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        image = (f"<img src='data:image/svg+xml;base64,{data}' alt='{_html.escape(alt, True)}' "
                 "style='max-width:100%;height:auto'>")
    heading = f"<b>{_html.escape(title)}</b> " if title else ""
    return (f"<figure class='course-picture' style='margin:0'>{image}<figcaption>"
            f"{heading}{_html.escape(alt)} <i>(A picture saved with the "
            "notebook: run the cell to use the chart again.)</i></figcaption></figure>")


class SavedPicture:
    """A hidden output beside a live chart that holds its picture, for the saved notebook.

    While the chart is live, ``access.js`` hides this output; the server saves the notebook
    without the chart's live view (:mod:`course.charts_saving`), which a notebook reopened
    without its kernel could not draw ("Error displaying widget: model not found"), so there
    this output shows the chart's picture with its title and alt text instead. Outside a
    Jupyter kernel it does nothing.
    """

    def __init__(self, access: ChartAccess, title: str, alt, view: str | None = None) -> None:
        """``alt`` is the alt text, or a function giving it (a widget's follows its controls);
        ``view`` is the model id of the live view displayed next, which the server drops from
        the saved notebook (:mod:`course.charts_saving`) so that the picture stands alone."""
        self.handle = None
        self.title, self._alt = title, alt
        self.metadata = picture_metadata(view)
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # pragma: no cover - IPython comes with ipywidgets
            return
        shell = get_ipython()
        if shell is None or not hasattr(shell, "kernel"):
            return
        self.handle = display({"text/html": picture_html(title, self.alt), "text/plain": self.alt},
                              raw=True, display_id=True, metadata=self.metadata)
        access.observe(self._update, names="picture")

    @property
    def alt(self) -> str:
        return self._alt() if callable(self._alt) else self._alt

    def _update(self, change) -> None:
        if self.handle is not None and change["new"]:
            self.handle.update({"text/html": picture_html(self.title, self.alt, change["new"]),
                                "text/plain": self.alt}, raw=True, metadata=self.metadata)


def _fallback_text(spec: dict) -> str:
    """The chart's title and alt text, for a viewer that cannot draw widgets."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, dict):  # an expression that follows a widget's controls: not text
        title = None
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    parts = [str(p) for p in (title, spec.get("description")) if p]
    return "\n".join(parts) or "Altair chart (needs a Jupyter frontend with widgets to draw)"


def _render(spec: dict, **metadata) -> dict:
    """The course's Altair renderer: an offline ``alt.JupyterChart`` holding the spec as given.

    Altair's own "jupyter" renderer turns the spec it is given back into a Chart
    (``Chart.from_dict``) and that into a spec again, validating it twice more; ``to_dict`` has
    already validated it once before any renderer runs. Skipping the round trip takes a
    displayed chart from about 100 ms to 23 ms (benchmarks, a 12-bar chart). The chart's
    selections still work in the browser; Python never sees this widget again, so nothing is
    lost by not syncing them back. The plain-text fallback is the chart's title and alt text.
    """
    import ipywidgets as ipw

    ensure_offline()
    options = {**(metadata.get("embed_options") or {}), **EMBED_OPTIONS}
    widget = CourseChart(None, embed_options=options)
    widget.spec = spec
    access = ChartAccess(layout=ipw.Layout(display="none"))
    box = ipw.VBox([widget, access], layout=ipw.Layout(max_width="100%"))
    box.add_class("course-chart")
    text = _fallback_text(spec)
    title, _, alt_text = text.partition("\n")
    SavedPicture(access, title, alt_text or title, view=box.model_id)
    bundle = box._repr_mimebundle_()
    data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
    data["text/plain"] = text
    return data, meta


def fallback_text(spec: dict, now: str = "") -> str:
    """A chart's title and alt text (and ``now``, what a widget shows now) as plain text."""
    text = _fallback_text(spec)
    return f"{text}\n{now}" if now else text


def ensure_offline() -> None:
    """Make sure :class:`CourseChart` and ``alt.JupyterChart`` draw with bundled JavaScript,
    never from a CDN."""
    if _load_offline_bundle():
        return
    # a cache could not be made or read: bundle in this process (about 2 s, once per kernel)
    if _VEGA["text"] is None:
        import vl_convert as vlc

        _set_vega(vlc.javascript_bundle(_VEGA_SNIPPET, vl_version=_vl_version()))
    alt.JupyterChart.enable_offline(True)


def _course_theme() -> None:
    if "course" not in alt.theme.names():
        alt.theme.register("course", enable=False)(lambda: theme())


def jupyter_chart(chart: alt.TopLevelMixin) -> CourseChart:
    """An offline :class:`CourseChart` for a widget: built once, then driven by its params.

    The course theme (palette, contrast, fonts) is applied to the widget's chart whether or not
    :func:`setup` was called, and only for this chart (Altair's global theme is left as it is).
    """
    ensure_offline()
    _course_theme()
    with alt.theme.enable("course"):
        return CourseChart(chart, embed_options=dict(EMBED_OPTIONS))


def spec_with(template: dict, *, datasets: dict | None = None, params: dict | None = None) -> dict:
    """A copy of a built chart's spec with inline datasets replaced and param values set.

    A widget builds and validates its chart once (:func:`jupyter_chart`) with its named
    datasets empty, then puts the rows in with this, at build time and whenever a control
    changes which rows are shown: Altair never deep-copies or validates the rows (for 820 rows
    that was 0.2 s at build time).

    >>> spec_with({"datasets": {"a": [], "b": [1]}, "params": [{"name": "k", "value": 1}]},
    ...           datasets={"a": [{"x": 1}]}, params={"k": 2})
    {'datasets': {'a': [{'x': 1}], 'b': [1]}, 'params': [{'name': 'k', 'value': 2}]}
    """
    spec = dict(template)
    if datasets:
        spec["datasets"] = {**template.get("datasets", {}), **datasets}
    if params:
        spec["params"] = [{**p, "value": params.get(p["name"], p.get("value"))}
                          for p in template.get("params", [])]
    return spec


def records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame's rows as inline Vega-Lite values, converted as Altair converts embedded data
    (dates to ISO text, missing values to null); for :func:`spec_with`."""
    return alt.utils.sanitize_pandas_dataframe(frame).to_dict("records")


def _require_text(title: str | None, description: str | None) -> None:
    if not title or not str(title).strip():
        raise ChartError(
            "Every course chart needs a title that states what it shows, e.g. "
            "title=\"London's lead has barely moved since 2004\"."
        )
    if not description or len(str(description).strip()) < 20:
        raise ChartError(
            "Every course chart needs a description (alt text) for screen-reader users: one or "
            "two sentences saying what the chart shows and its main finding, e.g. "
            "description=\"Bar chart of GVA per hour by region in 2021; London is highest.\""
        )


def _require_columns(frame: pd.DataFrame, columns: Sequence[str | None], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ChartError(f"{what} needs a pandas DataFrame, not {type(frame).__name__}.")
    for col in columns:
        if col is not None and col not in frame.columns:
            raise ChartError(
                f"{what}: there is no column {col!r} in the data. "
                f"{options_text(col, list(frame.columns))} "
                "Pass the name of the column to plot."
            )


def _title(title: str, subtitle: str | None) -> alt.TitleParams:
    return alt.TitleParams(title, subtitle=subtitle) if subtitle else alt.TitleParams(title)


def value_labels(base: alt.Chart, value: str, label: str, *, x: alt.X, y: alt.Y,
                 value_format: str = ",.1f", size: int = 11) -> alt.Chart:
    """Values written beside each bar in dark text on the white background (never over a bar,
    where contrast fails): right of a positive bar's end, and right of the zero line for a
    negative bar (at its far end the label would run into the category labels).

    ``base`` must be the bars' own chart (same data and transforms) made with
    :func:`label_position`, so a layer of the two keeps the bars' sort order (Vega-Lite drops a
    sort it cannot merge across different data: ranks then read 1, 10, 11, 2, ...).
    """
    at = x.to_dict() if hasattr(x, "to_dict") else dict(x)
    at = {k: v for k, v in at.items() if k not in ("field", "type", "title", "axis")}
    return base.mark_text(
        fontSize=size, color=TEXT, baseline="middle", align="left", dx=3,
    ).encode(x=alt.X("_label_at:Q", **at), y=y,
             text=alt.Text(f"{value}:Q", format=value_format))


def label_position(base: alt.Chart, value: str) -> alt.Chart:
    """``base`` with the x position of each bar's value label (for :func:`value_labels`); give
    the result to the bars too, so bars and labels share one data source."""
    return base.transform_calculate(_label_at=f"max(datum[{value!r}], 0)")


def bar_layers(base: alt.Chart, value: str, label: str, *, value_title: str | None = None,
               label_title: str | None = None, value_format: str = ",.1f",
               sort: str | Sequence[str] | alt.EncodingSortField | None = "descending",
               colour=None, tooltip: list | None = None, label_limit: int = 220,
               values: bool = True) -> list[alt.Chart]:
    """The bars and value labels of a ranked bar chart, for :func:`ranked_bars` and widgets.

    ``base`` is an ``alt.Chart`` with the data (inline, or a named dataset and transforms).
    ``sort`` is "descending" or "ascending" by value (numerically), a list of labels, an
    ``alt.EncodingSortField`` (e.g. by a rank column), or None (the data's order).
    """
    if sort in ("descending", "ascending"):
        sort = alt.EncodingSortField(value, op="sum", order=sort)
    y = alt.Y(f"{label}:N", sort=sort, title=label_title or None,
              axis=alt.Axis(labelLimit=label_limit))
    x = alt.X(f"{value}:Q", title=value_title)
    tooltip = tooltip or [alt.Tooltip(f"{label}:N"),
                          alt.Tooltip(f"{value}:Q", format=value_format)]
    base = label_position(base, value)
    bars = base.mark_bar().encode(x=x, y=y, color=colour or alt.value(PALETTE[0]),
                                  tooltip=tooltip)
    layers = [bars]
    if values:
        layers.append(value_labels(base, value, label, x=x, y=y, value_format=value_format))
    return layers


def finish(chart: alt.TopLevelMixin, *, title, description: str, subtitle: str | None = None,
           **properties) -> alt.TopLevelMixin:
    """A chart with its title and alt text checked and set (every course chart ends here).

    ``title`` is text, or an ``alt.Title`` (whose text may be an expression that follows a
    widget's controls); ``description`` is the alt text Vega gives the chart's SVG. A fixed
    ``width`` wider than :data:`MAX_WIDTH` is refused.
    """
    text = getattr(title, "text", title)
    _require_text(text if isinstance(text, str) else "expression", description)
    width = properties.get("width")
    if isinstance(width, (int, float)) and width > MAX_WIDTH:
        raise ChartError(f"A chart {width} px wide would not fit a laptop's notebook "
                         f"({MAX_WIDTH} px at most); pass a smaller width.")
    if isinstance(title, str):
        title = _title(title, subtitle)
    return chart.properties(title=title, description=description, **properties)


def ranked_bars(
    frame: pd.DataFrame,
    value: str,
    label: str,
    *,
    title: str,
    description: str,
    value_title: str | None = None,
    label_title: str = "",
    benchmark: float | None = None,
    benchmark_label: str = "UK",
    highlight: Sequence[str] | None = None,
    subtitle: str | None = None,
    value_format: str = ",.1f",
    sort: str | Sequence[str] | None = "descending",
    width: int = 420,
    label_limit: int = 220,
) -> alt.LayerChart:
    """Horizontal bars sorted from highest to lowest, with values written at the bar ends.

    Parameters
    ----------
    frame : DataFrame
        One row per bar.
    value, label : str
        Columns holding the bar length and the bar label.
    title, description : str
        The finding, and alt text for screen readers (both required).
    benchmark : float, optional
        Draws a reference rule (e.g. 100 for an index with UK = 100).
    highlight : list of str, optional
        Labels to draw in the highlight colour.
    sort : {"descending", "ascending"}, list of labels, or None
        Bar order: by value (numerically; the default is highest first), the labels in the
        order given, or the frame's own order (None).
    width : int
        Width of the bars' area in pixels (at most :data:`MAX_WIDTH` with the labels).

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["A", "B"], "v": [2.0, 1.0]})
    >>> ch = ranked_bars(df, "v", "region", title="A leads", description="Bars of v for A and B.")
    >>> ch.to_dict()["description"]
    'Bars of v for A and B.'
    """
    _require_text(title, description)
    _require_columns(frame, [value, label], "ranked_bars")
    if sort not in ("descending", "ascending", None) and isinstance(sort, str):
        raise ChartError(f"ranked_bars: sort={sort!r} is not an order it knows. "
                         f"{options_text(sort, ['descending', 'ascending'])} "
                         "Or pass a list of labels, or None to keep the data's order.")
    data = frame[[label, value]].dropna().copy()
    hl = list(highlight or [])
    data["_highlight"] = data[label].isin(hl)
    if sort is None:
        sort = list(data[label])
    colour = alt.condition(alt.datum._highlight, alt.value(HIGHLIGHT), alt.value(PALETTE[0]))
    layers: list[alt.Chart] = bar_layers(
        alt.Chart(data), value, label, value_title=value_title or value, label_title=label_title,
        value_format=value_format, sort=sort, colour=colour, label_limit=label_limit)
    if benchmark is not None:
        rule_data = pd.DataFrame({"benchmark": [float(benchmark)], "label": [benchmark_label]})
        rule = alt.Chart(rule_data).mark_rule(color=TEXT, strokeDash=[4, 3]).encode(
            x="benchmark:Q"
        )
        layers.append(rule)
    height = max(120, 18 * len(data))
    return finish(alt.layer(*layers), title=title, subtitle=subtitle, description=description,
                  height=height, width=width)


def _complete_years(frame: pd.DataFrame, x: str, y: str, series: str | None) -> pd.DataFrame:
    """Add explicit empty rows for years missing inside each line so it breaks there instead of
    bridging the gap. A line starts at its first value and ends at its last: years before and
    after (Northern Ireland's employment rate starts in 2022) get no empty rows, because Vega
    shows the first row of a line in its tooltip, which would then read "null"."""
    years = range(int(frame[x].min()), int(frame[x].max()) + 1)
    keys = [series] if series else []
    if keys:
        groups = frame[series].dropna().unique()
        grid = pd.MultiIndex.from_product([groups, years], names=[series, x]).to_frame(index=False)
    else:
        grid = pd.DataFrame({x: list(years)})
    full = grid.merge(frame, on=[*keys, x], how="left")
    valid = full[y].notna()
    if keys:
        seen = valid.groupby(full[series]).cumsum()
        left = valid[::-1].groupby(full[series][::-1]).cumsum()[::-1]
    else:
        seen, left = valid.cumsum(), valid[::-1].cumsum()[::-1]
    return full[(seen > 0) & (left > 0)].reset_index(drop=True)


def time_series(
    frame: pd.DataFrame,
    y: str,
    *,
    title: str,
    description: str,
    x: str = "year",
    series: str | None = None,
    highlight: Sequence[str] | None = None,
    y_title: str | None = None,
    benchmark: float | None = None,
    subtitle: str | None = None,
    value_format: str = ",.1f",
    y_zero: bool = False,
    width: int = 460,
) -> alt.LayerChart:
    """Lines over time; missing years break the line (never drawn through).

    With ``series`` set, each series is a line; series named in ``highlight`` are drawn in colour
    and labelled at their last point, the rest in grey.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [2004, 2005, 2007], "v": [1.0, 2.0, 3.0]})
    >>> ch = time_series(df, "v", title="v rises", description="Line of v by year, 2004 to 2007.")
    >>> len(table(ch))  # 2006 is added as an empty row so the line breaks there
    4
    """
    _require_text(title, description)
    _require_columns(frame, [x, y, series], "time_series")
    cols = [c for c in (series, x, y) if c]
    data = _complete_years(frame[cols].copy(), x, y, series)
    hl = list(highlight or [])
    base = alt.Chart(data)
    x_enc = alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
    y_enc = alt.Y(f"{y}:Q", title=y_title or y, scale=alt.Scale(zero=y_zero))
    layers: list[alt.Chart] = []
    if series:
        data["_highlight"] = data[series].isin(hl)
        base = alt.Chart(data)
        tooltip = [alt.Tooltip(f"{series}:N"), alt.Tooltip(f"{x}:O"),
                   alt.Tooltip(f"{y}:Q", format=value_format)]
        others = base.transform_filter(~alt.datum._highlight).mark_line(
            color=MUTED, strokeWidth=1.2, invalid="break-paths-show-domains"
        ).encode(x=x_enc, y=y_enc, detail=f"{series}:N", tooltip=tooltip)
        layers.append(others)
        if hl:
            focus = base.transform_filter(alt.datum._highlight)
            layers.append(
                focus.mark_line(strokeWidth=3, invalid="break-paths-show-domains",
                                point=alt.OverlayMarkDef(size=30)).encode(
                    x=x_enc, y=y_enc,
                    color=alt.Color(f"{series}:N", legend=None,
                                    scale=alt.Scale(range=[HIGHLIGHT, *PALETTE])),
                    tooltip=tooltip,
                )
            )
            last = data.dropna(subset=[y]).sort_values(x).groupby(series).tail(1)
            last = last[last[series].isin(hl)]
            layers.append(
                alt.Chart(last).mark_text(align="left", dx=5, fontSize=11, fontWeight="bold").encode(
                    x=x_enc, y=y_enc, text=f"{series}:N",
                    color=alt.Color(f"{series}:N", legend=None,
                                    scale=alt.Scale(range=[text_colour(c) for c in
                                                           (HIGHLIGHT, *PALETTE)])),
                )
            )
    else:
        layers.append(
            base.mark_line(invalid="break-paths-show-domains", point=True).encode(
                x=x_enc, y=y_enc, tooltip=[alt.Tooltip(f"{x}:O"),
                                           alt.Tooltip(f"{y}:Q", format=value_format)]
            )
        )
    if benchmark is not None:
        rule = alt.Chart(pd.DataFrame({"b": [float(benchmark)]})).mark_rule(
            color=TEXT, strokeDash=[4, 3]
        ).encode(y="b:Q")
        layers.append(rule)
    # the direct labels have their own (darker) colour range: text needs 4.5:1, a line 3:1
    return finish(alt.layer(*layers).resolve_scale(color="independent"), title=title,
                  subtitle=subtitle, description=description, width=width, height=280)


def tile_map(
    frame: pd.DataFrame,
    value: str,
    *,
    title: str,
    description: str,
    code: str = "itl_code",
    tiles: pd.DataFrame | None = None,
    value_title: str | None = None,
    midpoint: float | None = None,
    subtitle: str | None = None,
    value_format: str = ",.1f",
    width: int = 240,
) -> alt.LayerChart:
    """The 12 ITL1 regions as a tile-grid map (no boundary files), coloured by ``value``.

    Each tile shows the region's abbreviation and value, so the map reads without colour too.
    With ``midpoint`` (e.g. 100 for an index), a diverging scale centred there is used.

    Examples
    --------
    >>> tiles = pd.DataFrame({"itl_code": ["TLI", "TLC"], "abbreviation": ["LDN", "NE"],
    ...                       "region": ["London", "North East"], "row": [4, 1], "col": [3, 2]})
    >>> df = pd.DataFrame({"itl_code": ["TLI", "TLC"], "v": [133.0, 83.0]})
    >>> ch = tile_map(df, "v", tiles=tiles, title="London leads",
    ...               description="Tile map of v for two regions.")
    >>> sorted(table(ch)["abbreviation"])
    ['LDN', 'NE']
    """
    _require_text(title, description)
    _require_columns(frame, [code, value], "tile_map")
    if tiles is None:
        from course.data import load

        tiles = load("itl1_tiles")
    unknown = sorted(set(frame[code]) - set(tiles["itl_code"]))
    if unknown:
        raise ChartError(
            f"tile_map draws the 12 ITL1 regions, but the data has other codes: {unknown[:5]}. "
            f"{options_text(unknown[0], list(tiles['itl_code']))} "
            "Filter the data to ITL1 (e.g. load(..., level='ITL1')) first."
        )
    data = tiles[["itl_code", "region", "abbreviation", "row", "col"]].merge(
        frame[[code, value]].rename(columns={code: "itl_code"}), on="itl_code", how="left"
    )
    if midpoint is not None:
        scale = alt.Scale(scheme=DIVERGING, domainMid=float(midpoint))
    else:
        scale = alt.Scale(scheme="blues")
    layers = tile_layers(alt.Chart(data), value, value_title=value_title or value, scale=scale,
                         value_format=value_format)
    return finish(alt.layer(*layers), title=title, subtitle=subtitle, description=description,
                  width=width, height=330)


def tile_layers(base: alt.Chart, value: str, *, scale: alt.Scale, value_title: str | None = None,
                value_format: str = ",.1f", name: str = "region", legend: bool = True,
                tooltip: list | None = None) -> list[alt.Chart]:
    """The layers of a tile-grid map, for :func:`tile_map` and the widgets' maps.

    ``base`` holds one row per tile with ``row``, ``col``, ``abbreviation``, ``name`` and
    ``value`` (missing for a region without data). Each tile is coloured by its value and
    carries a white label plate with its abbreviation and value in dark text, so the labels
    read at 4.5:1 or more whatever the tile's colour ("no data" where the value is missing,
    never "null"); the tooltip says the same.
    """
    x = alt.X("col:O", axis=None)
    y = alt.Y("row:O", axis=None)
    # what a screen reader says for a tile: the tooltip's words ("Index: no data"), never the
    # colour channel's raw value, which Vega-Lite would read out as "null"
    said = json.dumps(f"; {value_title or value}: ")
    shown = base.transform_calculate(
        _shown=f"isValid(datum[{value!r}]) ? format(datum[{value!r}], {value_format!r}) "
               ": 'no data'",
        _said=f"'Region: ' + datum[{name!r}] + {said} + datum._shown")
    tooltip = tooltip or [alt.Tooltip(f"{name}:N", title="Region"),
                          alt.Tooltip("_shown:N", title=value_title or value)]
    # invalid="show": a region without a value keeps its (white) tile; Vega-Lite would drop it
    rect = shown.mark_rect(stroke="white", strokeWidth=2, cornerRadius=3, invalid="show").encode(
        x=x, y=y,
        color=alt.condition(f"isValid(datum[{value!r}])",
                            alt.Color(f"{value}:Q", scale=scale, title=value_title or value,
                                      legend=alt.Legend() if legend else None),
                            alt.value("#FFFFFF")),
        tooltip=tooltip, description="_said:N",
    )
    plate = shown.mark_rect(color="white", cornerRadius=2, width=44, height=30,
                            stroke="#767676", strokeWidth=0.5).encode(
        x=x, y=y, tooltip=tooltip, description="_said:N")
    label = shown.mark_text(baseline="bottom", dy=-1, fontSize=11, fontWeight="bold",
                            color=TEXT).encode(x=x, y=y, text="abbreviation:N")
    number = shown.mark_text(baseline="top", dy=2, fontSize=10, color=TEXT).encode(
        x=x, y=y, text="_shown:N")
    return [rect, plate, label, number]


def text_colour(colour: str, background: str = "#FFFFFF", ratio: float = 4.5) -> str:
    """``colour`` darkened in steps until text in it reads at ``ratio`` on ``background``.

    >>> text_colour("#0072B2"), text_colour("#D55E00")
    ('#0072B2', '#BC5200')
    """
    value = colour.lstrip("#")
    rgb = [int(value[i:i + 2], 16) for i in (0, 2, 4)]
    out = colour
    while contrast_ratio(out, background) < ratio and any(rgb):
        rgb = [int(c * 0.94) for c in rgb]
        out = "#" + "".join(f"{c:02X}" for c in rgb)
    return out


def table(chart: alt.TopLevelMixin) -> pd.DataFrame:
    """The numbers behind a course chart, as a DataFrame (the accessible view of any chart).

    For a layered chart, the first layer with inline data is returned.
    """
    candidates = [chart, *getattr(chart, "layer", [])]
    for part in candidates:
        data = getattr(part, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            return data.drop(columns=[c for c in data.columns if str(c).startswith("_")])
    raise ChartError("This chart has no inline data to show as a table.")


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to SVG text offline with vl-convert (used by tests and for export)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.vegalite_to_svg(chart.to_dict(), vl_version=vl_version_for_vl_convert())
