"""Static charts and widgets for the course website (an IPython startup file).

``site/build.py`` copies this file into the ``profile_default/startup`` folder of the IPython
directory that the website's lesson kernels use (``IPYTHONDIR``), and nowhere else: students'
kernels never load it. It registers IPython display printers for three kinds of object, which
IPython consults before an object's own ``_repr_mimebundle_``:

- Altair charts are drawn to SVG by vl-convert (no JavaScript, no network) and shown as an image
  whose ``alt`` text is the chart's title and description;
- the course widgets (``widgets.*``, and any ipywidgets layout holding an ``alt.JupyterChart``)
  are shown as a picture of their starting view, the names and values of their controls, the
  numbers behind the chart where the widget has them, and a note on how to run them live;
- any other widget gets the same note instead of a widget that a static page cannot draw.

The lesson code is not changed: ``course.setup()`` still switches the renderer on, but these
printers answer first.
"""

from __future__ import annotations

import base64
import html

LIVE_NOTE = (
    "This explorer is interactive in the lesson notebook: what you see here is a picture of its "
    "starting view. To move its controls, open the lesson with one of the launch links at the top "
    "of this page (JupyterHub or Binder), or on your own machine run <code>make lab</code> in a "
    "copy of the course."
)


def alt_text(spec: dict) -> str:
    """A chart's alt text: its title, then its description (every course chart has both)."""
    from course.charts import _fallback_text  # the same text a viewer without widgets shows

    lines = [line.strip().rstrip(".") for line in _fallback_text(spec).splitlines() if line.strip()]
    return ". ".join(lines) + "."


def svg_figure(spec: dict, css_class: str = "pp-chart") -> str:
    """A Vega-Lite spec as an HTML figure holding a static SVG image with its alt text."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<figure class="{css_class}"><img src="data:image/svg+xml;base64,{data}" '
            f'alt="{html.escape(alt_text(spec), quote=True)}"></figure>')


def _chart_bundle(chart, include=None, exclude=None):
    spec = chart.to_dict()
    return {"text/html": svg_figure(spec), "text/plain": alt_text(spec)}


def _walk(widget, seen=None):
    """Every widget inside ``widget`` (itself first), depth first, each once."""
    seen = set() if seen is None else seen
    if id(widget) in seen:
        return
    seen.add(id(widget))
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child, seen)


def _control_text(widget) -> str | None:
    description = str(getattr(widget, "description", "") or "").strip()
    if type(widget).__name__ in ("Button", "ToggleButton"):
        return None  # "Show numbers as a table" and the like: actions, not settings
    if not description or not hasattr(widget, "value"):
        return None
    value = widget.value
    if hasattr(widget, "options") and hasattr(widget, "label") and widget.label is not None:
        value = widget.label  # what the dropdown shows, not its internal code
    if isinstance(value, tuple | list):
        value = " to ".join(str(v) for v in value)
    return f"{html.escape(description.rstrip(':'))}: <strong>{html.escape(str(value))}</strong>"


def _widget_bundle(obj, include=None, exclude=None):
    import altair as alt

    root = getattr(obj, "widget", obj)  # the course widgets keep their layout in .widget
    specs, controls, tables = [], [], []
    for item in _walk(root):
        if isinstance(item, alt.JupyterChart):
            specs.append(item.spec if isinstance(item.spec, dict) else item.chart.to_dict())
        else:
            text = _control_text(item)
            if text:
                controls.append(text)
    own = getattr(obj, "chart", None)
    if isinstance(own, alt.JupyterChart) and not specs:
        specs.append(own.spec)
    numbers = getattr(obj, "numbers", None)
    if numbers is not None and str(getattr(numbers, "value", "")).strip():
        tables.append(numbers.value)
    name = type(obj).__name__
    parts = [f'<div class="pp-static-widget" data-widget="{html.escape(name)}">',
             f'<p class="pp-widget-label">Interactive explorer: <code>{html.escape(name)}</code> '
             "(a picture of its starting view)</p>"]
    parts += [svg_figure(spec) for spec in specs]
    if controls:
        parts.append('<p class="pp-widget-controls">Its controls start at: '
                     + "; ".join(controls) + ".</p>")
    for table in tables:
        parts.append("<details><summary>The numbers behind the chart</summary>"
                     f"{table}</details>")
    parts.append(f'<p class="pp-widget-note">{LIVE_NOTE}</p></div>')
    text = f"{name}: an interactive explorer; open the lesson in Jupyter to use it."
    return {"text/html": "\n".join(parts), "text/plain": text}


def _widget_display(obj) -> None:
    """For widgets that display themselves (``_ipython_display_``, as the course's ChartWidget
    does, to print its saved-picture output first): IPython asks this formatter before any other,
    so the site's picture must be registered here too."""
    from IPython.display import display

    display(_widget_bundle(obj), raw=True)


def register(ip) -> None:
    """Register the printers with a running IPython shell."""
    ip.display_formatter.ipython_display_formatter.for_type_by_name(
        "widgets._base", "ChartWidget", _widget_display)
    formatter = ip.display_formatter.mimebundle_formatter
    formatter.for_type_by_name("altair.vegalite.v6.api", "TopLevelMixin", _chart_bundle)
    formatter.for_type_by_name("widgets._base", "ChartWidget", _widget_bundle)
    formatter.for_type_by_name("ipywidgets.widgets.widget", "Widget", _widget_bundle)


try:
    _ip = get_ipython()  # noqa: F821 - defined in an IPython startup file
except NameError:
    _ip = None
if _ip is not None:
    register(_ip)
