"""A Sphinx extension for the course website.

- It takes out sphinx-thebe, which Jupyter Book 1 always loads: its scripts would fetch thebe
  from a CDN on a click, and its page config names a public Binder repository; the website's
  launch links (hub and Binder) replace it.
- It leaves out the widgets' saved state (MyST-NB embeds it for a live widget manager from a
  CDN, which the site does not load): megabytes of chart JavaScript per page, never used, since
  the widgets are shown as pictures.
"""

from __future__ import annotations

from docutils import nodes

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _drop_thebe_config(app, doctree, docname) -> None:
    for node in list(doctree.findall(nodes.raw)):
        if "text/x-thebe-config" in node.astext():
            node.parent.remove(node)


def _drop_thebe_files(app, pagename, templatename, context, doctree) -> None:
    def keep(asset) -> bool:
        name = getattr(asset, "filename", None) or str(asset)
        attributes = getattr(asset, "attributes", None) or {}
        if attributes.get("type") == WIDGET_STATE:
            return False  # the widgets are static pictures: their live state is not needed
        return "thebe" not in str(name) and "THEBE" not in str(attributes.get("body", ""))

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if keep(asset)]


def setup(app):
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)
    app.connect("html-page-context", _drop_thebe_files, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
