"""Altair chart builders and the course theme.

Every builder needs a ``title`` that states the finding and a ``description`` that a screen
reader reads out (Vega writes it into the chart's ``aria-label``). :func:`table` returns the
numbers behind any chart, so every chart can also be read as a table.

Nothing here changes Altair's global state on import: call :func:`setup` once per notebook to
switch on the course theme and offline rendering (Vega's JavaScript comes from the installed
``vl-convert-python`` package, never from a CDN).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import pandas as pd

from course.errors import CourseError, options_text

__all__ = [
    "PALETTE",
    "HIGHLIGHT",
    "MUTED",
    "DIVERGING",
    "setup",
    "ensure_offline",
    "jupyter_chart",
    "theme",
    "ranked_bars",
    "time_series",
    "tile_map",
    "table",
    "to_svg",
    "ChartError",
]

#: Okabe–Ito palette: distinguishable with the common forms of colour-blindness.
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
HIGHLIGHT = "#D55E00"
MUTED = "#B8B8B8"
#: Diverging scheme for values either side of a benchmark (blue below, orange above).
DIVERGING = "blueorange"

_FONT = "Helvetica Neue, Arial, sans-serif"


class ChartError(CourseError):
    """A chart was asked for without the information it needs (a column, a title, alt text)."""


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
                      "subtitleColor": "#444444"},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "gridColor": "#E6E6E6",
                     "labelColor": "#222222", "titleColor": "#222222"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0], "size": 50},
        }
    }


_SETUP_DONE = False

_BUNDLE_SCRIPT = (
    "import sys, altair as alt; alt.JupyterChart.enable_offline(True); "
    "sys.stdout.write(alt.JupyterChart._esm)"
)


def offline_bundle_path() -> Path:
    """Where the offline JavaScript bundle for ``alt.JupyterChart`` is cached.

    The file name carries the Altair and vl-convert versions, so an upgrade makes a new bundle.
    ``COURSE_CACHE_DIR`` overrides the folder (default: ``$XDG_CACHE_HOME`` or ``~/.cache``).
    """
    from importlib.metadata import version

    folder = os.environ.get("COURSE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "productive-places",
    )
    name = f"jupyterchart-altair{alt.__version__}-vlconvert{version('vl-convert-python')}.js"
    return Path(folder) / name


def _load_offline_bundle() -> bool:
    """Give ``alt.JupyterChart`` its offline bundle without importing vl-convert in this process.

    Bundling Vega with vl-convert takes about two seconds and 100 MiB in the kernel. The bundle is
    made once, in a separate process, and cached on disk; later kernels read the file (about
    0.9 MB). Returns False (and the caller falls back to Altair's own in-process bundling) when
    the cache cannot be written or read.
    """
    if alt.JupyterChart._is_offline:
        return True
    path = offline_bundle_path()
    try:
        if not path.exists():
            made = subprocess.run([sys.executable, "-c", _BUNDLE_SCRIPT], capture_output=True,
                                  text=True, timeout=120, check=True).stdout
            if "vega" not in made.lower():
                return False
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(made, encoding="utf-8")
            os.replace(partial, path)
        alt.JupyterChart._esm = path.read_text(encoding="utf-8")
        alt.JupyterChart._is_offline = True
        return True
    except (OSError, subprocess.SubprocessError):
        return False


def setup(offline: bool = True) -> None:
    """Switch on the course theme and (by default) offline rendering. Safe to call twice.

    With ``offline=True`` charts render through ``alt.JupyterChart`` with Vega's JavaScript
    bundled from ``vl-convert-python`` (cached on disk, see :func:`offline_bundle_path`), so
    they draw with no internet connection.
    """
    global _SETUP_DONE
    if "course" not in alt.theme.names():
        alt.theme.register("course", enable=False)(lambda: theme())
    alt.theme.enable("course")
    if offline:
        _load_offline_bundle()  # if this fails, Altair bundles in-process on first display
        if RENDERER not in alt.renderers.names():
            alt.renderers.register(RENDERER, _render)
        alt.renderers.enable(RENDERER, offline=True)
    _SETUP_DONE = True


RENDERER = "course"


def _fallback_text(spec: dict) -> str:
    """The chart's title and alt text, for a viewer that cannot draw widgets."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
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
    ensure_offline()
    widget = alt.JupyterChart(None, embed_options=metadata.get("embed_options"))
    widget.spec = spec
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    data["text/plain"] = _fallback_text(spec)
    return bundle


def ensure_offline() -> None:
    """Make sure ``alt.JupyterChart`` draws with bundled JavaScript, never from a CDN."""
    if not _load_offline_bundle():
        alt.JupyterChart.enable_offline(True)


def jupyter_chart(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    """An offline ``alt.JupyterChart`` for a widget: built once, then driven by its params."""
    ensure_offline()
    return alt.JupyterChart(chart, embed_options={"actions": False})


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

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["A", "B"], "v": [2.0, 1.0]})
    >>> ch = ranked_bars(df, "v", "region", title="A leads", description="Bars of v for A and B.")
    >>> ch.to_dict()["description"]
    'Bars of v for A and B.'
    """
    _require_text(title, description)
    _require_columns(frame, [value, label], "ranked_bars")
    data = frame[[label, value]].dropna().copy()
    hl = list(highlight or [])
    data["_highlight"] = data[label].isin(hl)
    y = alt.Y(f"{label}:N", sort="-x", title=label_title or None)
    x = alt.X(f"{value}:Q", title=value_title or value)
    colour = alt.condition(
        alt.datum._highlight, alt.value(HIGHLIGHT), alt.value(PALETTE[0])
    )
    bars = alt.Chart(data).mark_bar().encode(
        x=x, y=y, color=colour,
        tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip(f"{value}:Q", format=value_format)],
    )
    text = alt.Chart(data).mark_text(align="left", dx=3, fontSize=11, color="#222222").encode(
        x=x, y=y, text=alt.Text(f"{value}:Q", format=value_format)
    )
    layers: list[alt.Chart] = [bars, text]
    if benchmark is not None:
        rule_data = pd.DataFrame({"benchmark": [float(benchmark)], "label": [benchmark_label]})
        rule = alt.Chart(rule_data).mark_rule(color="#222222", strokeDash=[4, 3]).encode(
            x="benchmark:Q"
        )
        layers.append(rule)
    height = max(120, 18 * len(data))
    return alt.layer(*layers).properties(
        title=_title(title, subtitle), description=description, height=height, width=420
    )


def _complete_years(frame: pd.DataFrame, x: str, y: str, series: str | None) -> pd.DataFrame:
    """Add explicit empty rows for missing years so lines break instead of bridging gaps."""
    years = range(int(frame[x].min()), int(frame[x].max()) + 1)
    keys = [series] if series else []
    if keys:
        groups = frame[series].dropna().unique()
        grid = pd.MultiIndex.from_product([groups, years], names=[series, x]).to_frame(index=False)
    else:
        grid = pd.DataFrame({x: list(years)})
    return grid.merge(frame, on=[*keys, x], how="left")


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
            color=MUTED, strokeWidth=1, invalid="break-paths-show-domains"
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
                                    scale=alt.Scale(range=[HIGHLIGHT, *PALETTE])),
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
            color="#222222", strokeDash=[4, 3]
        ).encode(y="b:Q")
        layers.append(rule)
    return alt.layer(*layers).properties(
        title=_title(title, subtitle), description=description, width=460, height=280
    )


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
    values = data[value].astype(float)
    if midpoint is not None:
        scale = alt.Scale(scheme=DIVERGING, domainMid=float(midpoint))
        # a diverging scale with a midpoint stretches each side to its own extreme
        mid = float(midpoint)
        above = (values - mid) > 0.55 * max(values.max() - mid, 0)
        below = (mid - values) > 0.55 * max(mid - values.min(), 0)
        data["_dark"] = above | below
    else:
        scale = alt.Scale(scheme="blues")
        low, high = values.min(), values.max()
        data["_dark"] = (values - low) > 0.6 * (high - low) if high > low else False
    # white text on the darkest tiles keeps labels readable (WCAG contrast)
    ink = alt.condition(alt.datum._dark, alt.value("white"), alt.value("#111111"))
    x = alt.X("col:O", axis=None)
    y = alt.Y("row:O", axis=None)
    tooltip = [alt.Tooltip("region:N"), alt.Tooltip(f"{value}:Q", format=value_format)]
    rect = alt.Chart(data).mark_rect(stroke="white", strokeWidth=2, cornerRadius=3).encode(
        x=x, y=y, color=alt.Color(f"{value}:Q", scale=scale, title=value_title or value),
        tooltip=tooltip,
    )
    label = alt.Chart(data).mark_text(baseline="bottom", dy=-1, fontSize=11,
                                      fontWeight="bold").encode(x=x, y=y, text="abbreviation:N",
                                                                color=ink)
    number = alt.Chart(data).mark_text(baseline="top", dy=2, fontSize=10).encode(
        x=x, y=y, text=alt.Text(f"{value}:Q", format=value_format), color=ink
    )
    return alt.layer(rect, label, number).properties(
        title=_title(title, subtitle), description=description, width=240, height=330
    )


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
