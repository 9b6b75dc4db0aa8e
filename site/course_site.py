"""A Sphinx extension for the course website: take out sphinx-thebe, which Jupyter Book 1 always
loads. Its scripts would fetch thebe from a CDN on a click, and its page config names a public
Binder repository; the website's launch links (hub and Binder) replace it.
"""

from __future__ import annotations

from docutils import nodes


def _drop_thebe_config(app, doctree, docname) -> None:
    for node in list(doctree.findall(nodes.raw)):
        if "text/x-thebe-config" in node.astext():
            node.parent.remove(node)


def _drop_thebe_files(app, pagename, templatename, context, doctree) -> None:
    def keep(asset) -> bool:
        name = getattr(asset, "filename", None) or str(asset)
        body = (getattr(asset, "attributes", None) or {}).get("body", "")
        return "thebe" not in str(name) and "THEBE" not in str(body)

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if keep(asset)]


def setup(app):
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)
    app.connect("html-page-context", _drop_thebe_files, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
