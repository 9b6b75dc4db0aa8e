"""CatalogueExplorer: browse the course datasets, their sources and a first chart.

Pick a dataset to read its description, licence and citation and see its first rows. For the
productivity dataset, pick a region to see its series drawn with the course's time-series chart.
The chart is built once with every region's series and driven by two Vega-Lite params.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import pandas as pd

from course import charts
from course import data as course_data
from widgets._base import ChartWidget

__all__ = ["CatalogueExplorer"]

_COLUMNS = ["itl_code", "region", "year", "gva_per_hour"]  # the series the chart draws


class CatalogueExplorer(ChartWidget):
    """A first explorer: the data catalogue, one dataset at a time.

    Parameters
    ----------
    dataset : str
        The dataset shown first.
    region : str
        ITL1 code of the region drawn in the productivity chart.
    """

    def __init__(self, dataset: str = "gva_per_hour", region: str = "TLI") -> None:
        self.catalogue = course_data.catalogue()
        names = list(self.catalogue["name"])
        if dataset not in names:
            course_data.load(dataset)  # raises the friendly 'did you mean' error
        self._gva = course_data.load("gva_per_hour", level=["UK", "ITL1"])
        regions = self._gva[self._gva["itl_level"] == "ITL1"].drop_duplicates("itl_code")
        region_options = [(f"{r} ({c})", c) for r, c in
                          zip(regions["region"], regions["itl_code"], strict=True)]
        region = self._area(region, region_options, arg="region", what="ITL1 region")

        titles = dict(zip(self.catalogue["name"], self.catalogue["title"], strict=True))
        # Every dataset's description and first rows are prepared once (about 0.2 s), so a
        # change of dataset only swaps two HTML strings.
        self._about = {n: self._about_html(n) for n in names}
        self._preview = {n: course_data.load(n).head(5).to_html(index=False, border=0, na_rep="")
                         for n in names}
        self.dataset = ipw.Dropdown(
            options=[(f"{n}: {titles[n]}"[:90], n) for n in names], value=dataset,
            description="Dataset", layout=ipw.Layout(width="95%"),
        )
        self.region = ipw.Dropdown(options=region_options, value=region, description="Region")
        self.about = ipw.HTML()
        self.preview = ipw.HTML()
        self._build_chart(self._figure(), datasets={"series": self._gva[_COLUMNS]})
        self.dataset.observe(self._show_dataset, names="value")
        self.region.observe(self._refresh, names="value")
        self._show_dataset()
        super().__init__([
            self.dataset, self.about, self.preview,
            ipw.HTML("<h4>A first chart: GVA per hour worked, one region against the UK</h4>"),
            self.region, self.chart,
        ])

    def _about_html(self, name: str) -> str:
        row = self.catalogue.set_index("name").loc[name]
        return (
            f"<p><b>{html.escape(str(row['title']))}</b><br>"
            f"{html.escape(str(row['rows']))} rows · coverage: {html.escape(str(row['coverage']))}"
            f"<br>Cite as: <i>{html.escape(course_data.cite(name))}</i></p>"
        )

    def _show_dataset(self, change=None) -> None:
        self.about.value = self._about[self.dataset.value]
        self.preview.value = self._preview[self.dataset.value]

    def region_series(self) -> pd.DataFrame:
        """The rows the chart draws now: the chosen region and the UK, 2004–2021."""
        keep = self._gva["itl_code"].isin([self.region.value, "UKX"])
        return self._gva.loc[keep, _COLUMNS].reset_index(drop=True)

    def _figure(self):
        """The chart, built once: every region's line is embedded, a param picks which shows."""
        line = alt.Chart(alt.Data(name="series")).transform_filter(
            "datum.itl_code == region || datum.itl_code == 'UKX'"
        ).mark_line(point=True, invalid="break-paths-show-domains").encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("gva_per_hour:Q", title="£ per hour worked (current prices)"),
            color=alt.Color("region:N", title=None,
                            scale=alt.Scale(range=[charts.HIGHLIGHT, charts.PALETTE[0]])),
            tooltip=[alt.Tooltip("region:N"), alt.Tooltip("year:O"),
                     alt.Tooltip("gva_per_hour:Q", format=",.1f", title="£ per hour")],
        )
        return line.add_params(*self._params()).properties(
            datasets={"series": []},  # the rows go into the built spec (ChartWidget._show_data)
            width=460, height=260,
            title=alt.Title(alt.expr("'GVA per hour worked, 2004–2021: ' + region_name + "
                                     "' and the UK'"), anchor="start"),
            description=("Line chart of GVA per hour worked in pounds, current prices, for the "
                         "chosen region and the UK from 2004 to 2021. Both rise over the period."),
        )

    def figure(self) -> dict:
        """The chart with the current choice of region (the same as :meth:`spec`)."""
        return self.spec()

    def _describe(self) -> str:
        return (f"The chart shows GVA per hour worked in {self._region_name()} "
                f"({self.region.value}) and the UK, 2004 to 2021.")

    def _param_values(self) -> dict:
        return {"region": self.region.value, "region_name": self._region_name()}

    def _region_name(self) -> str:
        rows = self._gva.loc[self._gva["itl_code"] == self.region.value, "region"]
        return str(rows.iloc[0])
