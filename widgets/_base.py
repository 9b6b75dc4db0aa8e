"""What the course widgets share: one chart built once, driven by Vega-Lite params.

A widget subclasses :class:`ChartWidget`, defines :meth:`ChartWidget._param_values` (param name
-> value, read from its controls) and builds its chart once with
:meth:`ChartWidget._build_chart`. The chart is validated with its named datasets empty
(``alt.Chart(alt.Data(name=...))`` and ``.properties(datasets={name: []})``); the rows then go
into the built spec (:func:`course.charts.spec_with`), so Altair never deep-copies or validates
them. A control change only sets params (:meth:`ChartWidget._sync_params`), or, where it
changes which rows are shown, swaps them into the built spec (:meth:`ChartWidget._show_data`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import charts
from course.errors import CourseError, article, options_text

__all__ = ["ChartWidget", "nearest_area", "new_areas", "quietly"]


class ChartWidget:
    """Base class of the course widgets (see the module docstring).

    A subclass sets ``self.widget`` (the layout shown in the notebook); with
    :meth:`_table_view` it gets the "Show numbers as a table" toggle (``show_table``) and the
    table it shows (``numbers``), filled by its ``_update_text``.
    """

    chart: alt.JupyterChart
    widget: ipw.Widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- choices ---------------------------------------------------------------------------
    @classmethod
    def _check(cls, what: str, value, valid: Sequence, *, arg: str | None = None,
               fix: str | None = None) -> None:
        """Refuse a starting value that is not one of ``valid``, naming the closest options.

        ``arg`` names the constructor argument to pass instead; ``fix`` replaces the advice.
        """
        if value in valid:
            return
        fix = fix or (f"Pass one of these as {arg}=..." if arg else "Pass one of these.")
        raise CourseError(f"{cls.__name__}: {value!r} is not {article(what)} it knows. "
                          f"{options_text(value, valid)} {fix}")

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
        spec: a new spec for the browser, nothing validated."""
        rows = {name: charts.records(value) if isinstance(value, pd.DataFrame) else value
                for name, value in datasets.items()}
        self.chart.spec = charts.spec_with(self.chart.spec, datasets=rows,
                                           params=self._param_values())

    # -- reacting to controls ----------------------------------------------------------------
    def _sync_params(self) -> None:
        """Set the chart's params from the controls (one message to the browser)."""
        params = self.chart.params
        with self.chart.hold_sync():
            for name, value in self._param_values().items():
                setattr(params, name, value)

    def _refresh(self, change=None) -> None:
        """The usual reaction to a control: new param values, new text."""
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
