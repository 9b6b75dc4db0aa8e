"""CatalogueExplorer: browse the course datasets, their sources and a first chart.

Pick a dataset to read its description, licence and citation and see its first rows. For the
productivity dataset, pick a region to see its series drawn with the course's time-series chart.
"""

from __future__ import annotations

import html

import ipywidgets as ipw
import pandas as pd

from course import charts
from course import data as course_data

__all__ = ["CatalogueExplorer"]


class CatalogueExplorer:
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
        if region not in set(regions["itl_code"]):
            region = region_options[0][1]

        titles = dict(zip(self.catalogue["name"], self.catalogue["title"], strict=True))
        self.dataset = ipw.Dropdown(
            options=[(f"{n}: {titles[n]}"[:90], n) for n in names], value=dataset,
            description="Dataset", layout=ipw.Layout(width="95%"),
        )
        self.region = ipw.Dropdown(options=region_options, value=region, description="Region")
        self.about = ipw.HTML()
        self.preview = ipw.HTML()
        self.chart = ipw.Output()
        self.dataset.observe(self._show_dataset, names="value")
        self.region.observe(self._show_region, names="value")
        self._show_dataset()
        self._show_region()
        self.widget = ipw.VBox([
            self.dataset, self.about, self.preview,
            ipw.HTML("<h4>A first chart: GVA per hour worked, one region against the UK</h4>"),
            self.region, self.chart,
        ])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _show_dataset(self, change=None) -> None:
        name = self.dataset.value
        row = self.catalogue.set_index("name").loc[name]
        self.about.value = (
            f"<p><b>{html.escape(str(row['title']))}</b><br>"
            f"{html.escape(str(row['rows']))} rows · coverage: {html.escape(str(row['coverage']))}"
            f"<br>Cite as: <i>{html.escape(course_data.cite(name))}</i></p>"
        )
        head = course_data.load(name).head(5)
        self.preview.value = head.to_html(index=False, border=0, na_rep="")

    def region_series(self) -> pd.DataFrame:
        """The rows the chart draws now: the chosen region and the UK, 2004–2021."""
        keep = self._gva["itl_code"].isin([self.region.value, "UKX"])
        return self._gva.loc[keep, ["itl_code", "region", "year", "gva_per_hour"]].reset_index(
            drop=True
        )

    def figure(self):
        """The chart for the chosen region (an Altair chart)."""
        rows = self.region_series()
        name = rows.loc[rows["itl_code"] == self.region.value, "region"].iloc[0]
        return charts.time_series(
            rows, "gva_per_hour", series="region", highlight=[name, "UK less Extra-Regio"],
            y_title="£ per hour worked (current prices)",
            title=f"GVA per hour worked: {name} and the UK, 2004–2021",
            description=(f"Line chart of GVA per hour worked in pounds, current prices, for {name} "
                         "and the UK from 2004 to 2021. Both rise over the period."),
        )

    def _show_region(self, change=None) -> None:
        self.chart.clear_output(wait=True)
        with self.chart:
            from IPython.display import display

            display(self.figure())
