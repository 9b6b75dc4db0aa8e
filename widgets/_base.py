"""What the course widgets share: one chart built once, driven by Vega-Lite params.

A widget subclasses :class:`ChartWidget` (an ``ipywidgets.VBox``), defines
:meth:`ChartWidget._param_values` (param name -> value, read from its controls) and builds its
chart once with :meth:`ChartWidget._build_chart`. The chart is validated with its named datasets
empty (``alt.Chart(alt.Data(name=...))`` and ``.properties(datasets={name: []})``); the rows then
go into the built spec (:func:`course.charts.spec_with`), so Altair never deep-copies or
validates them. A control change only sets params (:meth:`ChartWidget._sync_params`), or, where
it changes which rows are shown, swaps them into the built spec (:meth:`ChartWidget._show_data`).
In the browser, the course's chart front end (``course/static/chart.js``, see
:class:`course.charts.CourseChart`) then changes the chart on the page in place rather than
drawing it again; a change to anything else in the spec (a title, an encoding) is drawn afresh,
which is slower.

Writing a widget (the contract)::

    class MyExplorer(ChartWidget):
        def __init__(self, region="TLI"):
            region = self._area(region, OPTIONS, arg="region")   # names map to codes, or a
            self.region = ipw.Dropdown(options=OPTIONS, value=region, description="Region")
            self._build_chart(self._chart(), datasets={"rows": ROWS})
            self.region.observe(self._refresh, names="value")
            super().__init__([self.region, self.chart])        # lay out last

Use the shared chart parts of :mod:`course.charts` (``bar_layers``, ``value_labels``,
``tile_layers``, ``PALETTE``, ``TEXT``, ``MUTED``) so contrast, labels and sorting are the
course's; keep the chart within ``charts.MAX_WIDTH``. A widget written for the earlier base
(``self.widget = ipw.VBox([...])`` at the end of ``__init__``) still works: that assignment now
lays the widget out; replace it with ``super().__init__([...])``.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import altair as alt
import ipywidgets as ipw
import numpy as np
import pandas as pd
import traitlets

from course import charts
from course.errors import CourseError, article, options_text

__all__ = ["ChartWidget", "nearest_area", "new_areas", "quietly"]


def _options(value, valid: Sequence) -> str:
    """'Valid options' text, nearest first for a number (2030 -> 2021, 2020, ...)."""
    numbers_only = [v for v in valid if isinstance(v, (int, float, np.integer, np.floating))
                    and not isinstance(v, bool)]
    if (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and len(numbers_only) == len(valid) and valid):
        nearest = sorted(valid, key=lambda v: (abs(float(v) - float(value)), v))[:5]
        shown = [v.item() if hasattr(v, "item") else v for v in nearest]
        return "Valid options (closest first): " + ", ".join(repr(v) for v in shown) + "."
    return options_text(value, valid)


class ChartWidget(ipw.VBox):
    """Base class of the course widgets (see the module docstring): a real ipywidget.

    A course widget *is* a ``VBox``: it can be displayed, nested in other layouts and observed
    like any ipywidget. Its traits:

    ``state``
        The control values the chart shows now (its Vega-Lite params), a dict. It changes with
        every control change, so ``w.observe(callback, names="state")`` follows the widget.
    ``alt_text``
        One sentence naming what the chart shows now (the region, year, level chosen, ...). It
        is written under the chart (a polite live region, so a screen reader hears the change)
        and into the chart's plain-text view; subclasses give it with :meth:`_describe`.

    The subclass contract: build the controls and the chart (:meth:`_build_chart`), then lay
    them out with ``super().__init__([...children...])``. (Setting ``self.widget = box`` as
    the earlier base asked still works: the box becomes the only child.) With
    :meth:`_table_view` a widget gets the "Show numbers as a table" toggle (``show_table``) and
    the table it shows (``numbers``), filled by its ``_update_text``.
    """

    state = traitlets.Dict(read_only=True, help="The control values the chart shows now.")
    alt_text = traitlets.Unicode(read_only=True, help="What the chart shows now, in words.")

    chart: alt.JupyterChart

    def __init__(self, children=(), **kwargs) -> None:
        self._caption = ipw.HTML(layout=ipw.Layout(margin="0 0 4px 0"))
        children = list(children)
        if getattr(self, "chart", None) is not None and self.chart in children:
            at = children.index(self.chart) + 1
            children.insert(at, self._caption)
        else:
            children.append(self._caption)
        self._access = charts.ChartAccess(layout=ipw.Layout(display="none"))
        children.append(self._access)
        kwargs.setdefault("layout", ipw.Layout(max_width="100%", overflow="hidden"))
        super().__init__(children, **kwargs)
        self.add_class("course-widget")
        self.add_class(f"course-widget-{type(self).__name__}")  # for tests and screenshots
        _roomy(self)
        self._update_state()

    @property
    def widget(self) -> ipw.Widget:
        """The widget itself (for code written when the layout was a separate ``widget``)."""
        return self

    @widget.setter
    def widget(self, box: ipw.Box) -> None:
        if self.comm is not None:  # already laid out: the box's children replace the old ones
            self.children = [*box.children, self._caption, self._access]
        else:
            ChartWidget.__init__(self, list(box.children))

    def _ipython_display_(self) -> None:
        """Show the widget, with its saved picture (hidden while the widget is live) before it."""
        from IPython.display import display

        spec = self.chart.spec if getattr(self, "chart", None) is not None else {}
        title, _, alt = charts.fallback_text(spec).partition("\n")
        if not alt:  # a title that follows the controls is not text: the alt text comes first
            title, alt = "", title
        # the picture's alt text: what the chart is, then what it shows at the moment of saving
        charts.SavedPicture(self._access, title, lambda: f"{alt} {self.alt_text}".strip(),
                            view=self.model_id)
        display(self._repr_mimebundle_(), raw=True)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict) and getattr(self, "chart", None) is not None:
            bundle["text/plain"] = charts.fallback_text(self.chart.spec, self.alt_text)
        return bundle

    # -- state and alt text ------------------------------------------------------------------
    def _describe(self) -> str:
        """One sentence naming what the chart shows now: every control's name and choice.

        Override for a better sentence; the default reads the controls laid out in the widget
        (their ``description`` and the label of their value), so it follows the selection.
        """
        parts = []
        for control in _controls(self):
            if control is getattr(self, "show_table", None) or not control.description:
                continue
            parts.append(f"{control.description.rstrip(':')}: {_shown_value(control)}")
        return ("The chart shows " + "; ".join(parts) + ".") if parts else ""

    def _update_state(self) -> None:
        """Refresh ``state`` and ``alt_text`` (and the caption) from the controls."""
        self.set_trait("state", dict(self._param_values()))
        text = self._describe()
        self.set_trait("alt_text", text)
        if hasattr(self, "_caption"):
            self._caption.value = (
                f"<p class='course-chart-now' aria-live='polite' style='margin:0'>"
                f"{html.escape(text)}</p>" if text else ""
            )

    # -- choices -----------------------------------------------------------------------------
    @classmethod
    def _check(cls, what: str, value, valid: Sequence, *, arg: str | None = None,
               fix: str | None = None) -> None:
        """Refuse a starting value that is not one of ``valid``, naming the closest options.

        ``arg`` names the constructor argument to pass instead; ``fix`` replaces the advice.
        Numbers (years, rates) are suggested nearest first.
        """
        if value in valid:
            return
        fix = fix or (f"Pass one of these as {arg}=..." if arg else "Pass one of these.")
        raise CourseError(f"{cls.__name__}: {value!r} is not {article(what)} it knows. "
                          f"{_options(value, valid)} {fix}")

    @classmethod
    def _year(cls, what: str, value, valid: Sequence[int], *, arg: str | None = None) -> int:
        """A year from an int or a string of digits ("2021"), refused with the nearest years
        if it is not one of ``valid``."""
        year = value
        if isinstance(value, str) and value.strip().isdigit():
            year = int(value.strip())
        elif isinstance(value, float) and value.is_integer():
            year = int(value)
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
            raise CourseError(
                f"{cls.__name__}: {what} should be a whole number such as {valid[-1]}, not "
                f"{value!r} ({type(value).__name__}). "
                f"Pass {arg or what}={valid[-1]} (any year from {valid[0]} to {valid[-1]}).")
        cls._check(what, int(year), [int(v) for v in valid], arg=arg)
        return int(year)

    @classmethod
    def _span(cls, what: str, span, valid: Sequence[int], *, arg: str,
              year: str = "year") -> tuple[int, int]:
        """A (first, last) pair of years, each one of ``valid``, the first not after the last.

        ``what`` names the span in the message ("span of years"); ``year`` names one of its
        years ("rank year").
        """
        if isinstance(span, (str, bytes)) or not hasattr(span, "__len__") or len(span) != 2:
            raise CourseError(
                f"{cls.__name__}: {arg} should be two years (first, last), e.g. "
                f"{arg}=({valid[0]}, {valid[-1]}), not {span!r}.")
        first = cls._year(year, span[0], valid, arg=arg)
        last = cls._year(year, span[1], valid, arg=arg)
        if first > last:
            raise CourseError(
                f"{cls.__name__}: the {what} {tuple(span)!r} runs backwards (it starts in {first} "
                f"and ends in {last}). Put the earlier year first: {arg}=({last}, {first}).")
        return first, last

    @classmethod
    def _area(cls, value, options: Sequence[tuple[str, str]], *, arg: str,
              what: str = "area") -> str:
        """The code of an area given by its code ("TLI") or its name ("London", any case).

        ``options`` are the ``(label, code)`` pairs of the widget's dropdown, labels like
        "London (TLI)". Anything else is refused (never silently replaced by another area),
        naming the closest areas with their codes.
        """
        codes = [code for _, code in options]
        if value in codes:
            return value
        text = str(value).strip().casefold()
        for label, code in options:
            name = label.rsplit(" (", 1)[0]
            if text in (code.casefold(), name.casefold()):
                return code
        labels = [label for label, _ in options]
        raise CourseError(
            f"{cls.__name__}: there is no {what} {value!r} here. "
            f"{options_text(value, labels)} "
            f"Pass the code, e.g. {arg}={codes[0]!r}, or the name as written in the list.")

    # -- the chart, built once -------------------------------------------------------------
    def _param_values(self) -> dict:
        """Every Vega-Lite param of the chart, with its value from the controls now."""
        return {}

    def _params(self) -> list:
        """The chart's params with their current values (to ``add_params`` when building)."""
        return [alt.param(name=name, value=value) for name, value in self._param_values().items()]

    def _build_chart(self, chart: alt.TopLevelMixin,
                     datasets: dict[str, pd.DataFrame | list] | None = None) -> None:
        """Build and validate ``chart`` once (its named datasets empty), then put in the rows."""
        self.chart = charts.jupyter_chart(chart)
        if datasets:
            self._show_data(datasets)

    def _show_data(self, datasets: dict[str, pd.DataFrame | list]) -> None:
        """Put rows (DataFrames, or inline values) and the current param values into the built
        spec: a new spec for the browser, nothing validated. The spec and the param values go
        in one message, so the browser shows the change in one step."""
        rows = {name: charts.records(value) if isinstance(value, pd.DataFrame) else value
                for name, value in datasets.items()}
        with self.chart.hold_sync():
            self.chart.spec = charts.spec_with(self.chart.spec, datasets=rows,
                                               params=self._param_values())
            self._push_params()

    # -- reacting to controls ----------------------------------------------------------------
    def _push_params(self) -> None:
        params = self.chart.params
        for name, value in self._param_values().items():
            setattr(params, name, value)  # only a changed value is sent

    def _sync_params(self) -> None:
        """Set the chart's params from the controls (one message to the browser)."""
        with self.chart.hold_sync():
            self._push_params()
        self._update_state()

    def _refresh(self, change=None) -> None:
        """The usual reaction to a control: new param values, new text, new state."""
        self._sync_params()
        self._update_text()

    def _update_text(self) -> None:
        """Refresh the text and table beside the chart (widgets that have them override this)."""

    def _table_view(self) -> None:
        """The "Show numbers as a table" toggle and the (hidden) table it shows."""
        self.show_table = ipw.ToggleButton(value=False, description="Show numbers as a table",
                                           icon="table")
        self.numbers = ipw.HTML(layout=ipw.Layout(display="none"))
        self.show_table.observe(self._on_table, names="value")

    def _on_table(self, change) -> None:
        self.numbers.layout.display = None if change["new"] else "none"
        self._update_text()

    # -- for export and tests -----------------------------------------------------------------
    def spec(self) -> dict:
        """The chart's Vega-Lite spec as built, with the current data and control values.

        A copy of the spec the browser has (never a new ``to_dict()``, which would validate the
        chart again and lose the rows put into the built spec).
        """
        return charts.spec_with(copy.deepcopy(self.chart.spec), params=self._param_values())


def _controls(box: ipw.Box) -> Iterator[ipw.ValueWidget]:
    """The controls laid out in ``box`` (depth first), skipping text and charts."""
    for child in box.children:
        if isinstance(child, ipw.Box):
            yield from _controls(child)
        elif isinstance(child, ipw.ValueWidget) and not isinstance(
                child, (ipw.HTML, ipw.HTMLMath, ipw.Label)) and not getattr(child, "disabled", False):
            yield child


def _roomy(box: ipw.Box) -> None:
    """Room for every label: descriptions and option labels are never cut off ("Show numbers…",
    "Combined author…")."""
    for control in _controls(box):
        if isinstance(control, ipw.ToggleButtons):
            control.style.button_width = "auto"
        elif isinstance(control, (ipw.ToggleButton, ipw.Button)):
            control.layout.width = "auto"
        if getattr(control, "description", "") and hasattr(control.style, "description_width") \
                and not control.style.description_width:
            control.style.description_width = "initial"


def _shown_value(control: ipw.ValueWidget) -> str:
    """A control's value as the student sees it (the option's label, a range as "a to b")."""
    label = getattr(control, "label", None)
    if isinstance(label, str) and label:
        return label
    if isinstance(label, tuple):
        return ", ".join(label) if label else "none"
    value = control.value
    if isinstance(value, tuple) and len(value) == 2:
        return f"{value[0]} to {value[1]}"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


@contextmanager
def quietly(control: ipw.ValueWidget, handler) -> Iterator[ipw.ValueWidget]:
    """Change ``control`` (new options, range or value) without calling ``handler``."""
    control.unobserve(handler, names="value")
    try:
        yield control
    finally:
        control.observe(handler, names="value")


def new_areas(dropdown: ipw.Dropdown, options: list[tuple[str, str]], handler) -> None:
    """Give an area dropdown the areas of another level, keeping the same place in view
    (:func:`nearest_area`), without calling ``handler``."""
    keep = dropdown.value
    with quietly(dropdown, handler):
        dropdown.options = options
        dropdown.value = nearest_area(keep, [code for _, code in options])


def nearest_area(previous: str, codes: Sequence[str]) -> str:
    """Keep the same place in view after a change of geography level.

    ``previous`` itself if it is one of ``codes``; else the first area inside it (ITL codes
    nest: TLD3 is in TLD), or the area it is inside; else the first of ``codes``.

    >>> nearest_area("TLD", ["TLC3", "TLD4", "TLD3"]), nearest_area("TLD3", ["TLC", "TLD"])
    ('TLD3', 'TLD')
    """
    if previous in codes:
        return previous
    inside = sorted(c for c in codes if previous and c.startswith(previous))
    parent = [c for c in codes if previous and previous.startswith(c)]
    return (inside or parent or list(codes))[0]
