"""Sphinx extension of the sparsereg docs: math that renders offline, figures that record their
smallest text.

* **Local MathJax.** The pages load MathJax 3 from ``_static/mathjax/`` instead of a CDN, so
  equations are typeset without a network (a page opened from disk, a firewalled machine). The
  files come from the ``django-static-mathjax`` package of the ``docs`` extra, a plain copy of
  the MathJax 3.2.2 release (it needs no Django), and are copied into the output at each build:
  nothing is vendored in git.
* **Legible figures.** :func:`recording_matplotlib_scraper` saves the gallery's figures as
  sphinx-gallery's own scraper does and writes, into each PNG, the size of the smallest text
  drawn on it. ``docs/check_rendered.py`` reads it back to check, in a browser, that every
  figure's text is at least 9 pt on screen at the size the page displays it.
"""

import json
import shutil
import struct
import zlib
from importlib import metadata
from pathlib import Path

from sphinx.errors import ExtensionError

#: The distribution that provides MathJax, and where its MathJax 3 release sits in it.
MATHJAX_DIST = "django-static-mathjax"
MATHJAX_ES5 = "mathjax/static/mathjax/es5"
#: What conf.py's ``mathjax_path`` names, relative to ``_static``.
MATHJAX_ENTRY = "tex-chtml.js"
#: PNG text-chunk keyword under which the smallest text of a figure is recorded.
FONT_KEY = "sparsereg:smallest-text"


def mathjax_source():
    """The folder of the installed MathJax 3 release (its ``es5`` build).

    Returns
    -------
    pathlib.Path
        The folder that holds ``tex-chtml.js``, its fonts and its extensions.

    Raises
    ------
    sphinx.errors.ExtensionError
        If the package is not installed or does not hold MathJax where expected.
    """
    try:
        dist = metadata.distribution(MATHJAX_DIST)
    except metadata.PackageNotFoundError:
        raise ExtensionError(
            f"the docs typeset math with a local copy of MathJax 3 from the {MATHJAX_DIST!r} "
            "package, which is not installed: run  pip install -e \".[docs]\"  (or  pip install "
            f"{MATHJAX_DIST}; it needs no Django)") from None
    source = Path(dist.locate_file(MATHJAX_ES5))
    if not (source / MATHJAX_ENTRY).is_file():
        raise ExtensionError(
            f"{MATHJAX_DIST} {dist.version} has no {MATHJAX_ES5}/{MATHJAX_ENTRY}; the docs "
            f"were written for its MathJax 3.2 layout: pip install \"{MATHJAX_DIST}>=3.2.2,<4\"")
    return source


def _skip_unused(folder, names):
    """``shutil.copytree`` filter: leave out the other combined builds and the SVG output
    (about 16 of the release's 24 MB), which ``tex-chtml.js`` never loads."""
    if Path(folder).name == "es5":
        return [n for n in names if n.endswith(".js") and n != MATHJAX_ENTRY]
    if Path(folder).name == "output":
        return [n for n in names if n.startswith("svg")]
    return []


def check_mathjax(app):
    """Fail at the start of an HTML build, not after it, when MathJax is missing."""
    if app.builder.format == "html":
        mathjax_source()


def copy_mathjax(app, exception):
    """Copy MathJax into ``_static/mathjax`` of a finished HTML build, with its license."""
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    shutil.copytree(source, target, ignore=_skip_unused, dirs_exist_ok=True)
    shutil.copy2(source.parent / "LICENSE", target / "LICENSE")


# -- Figures -------------------------------------------------------------------------------

def smallest_text(fig):
    """The smallest text that drawing ``fig`` puts on it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    tuple of (float, str) or None
        Its size in points and the text itself; None if the figure draws no text.
    """
    renderer = fig.canvas.get_renderer()
    drawn = []

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if s.strip():
            drawn.append((prop.get_size_in_points(), s))
        return type(renderer).draw_text(renderer, gc, x, y, s, prop, angle, ismath, mtext)

    # Every visible text goes through draw_text, whatever made it (tick labels, legends,
    # secondary axes, annotations), which findobj on the figure would not tell apart from
    # stale tick labels outside the view.
    renderer.draw_text = record
    try:
        fig.draw(renderer)
    finally:
        del renderer.draw_text
    return min(drawn, key=lambda d: d[0]) if drawn else None


def add_png_text(path, key, value):
    """Add a ``tEXt`` chunk to a PNG file, before its ``IEND`` chunk.

    Parameters
    ----------
    path : str or pathlib.Path
        The PNG file, rewritten in place; its image data is not touched.
    key, value : str
        The chunk's keyword (1-79 Latin-1 characters) and text (Latin-1).

    Raises
    ------
    ValueError
        If the file is not a PNG that ends with an ``IEND`` chunk, or the keyword is invalid.
    """
    path = Path(path)
    data = path.read_bytes()
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[-8:-4] != b"IEND":
        raise ValueError(f"{path} is not a PNG file ending with an IEND chunk")
    if not 1 <= len(key) <= 79:
        raise ValueError(f"PNG keyword must have 1 to 79 characters, got {key!r}")
    body = b"tEXt" + key.encode("latin-1") + b"\0" + value.encode("latin-1")
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    path.write_bytes(data[:-12] + chunk + data[-12:])


def recording_matplotlib_scraper(block, block_vars, gallery_conf, **kwargs):
    """sphinx-gallery's matplotlib scraper, plus the smallest text of each figure in its PNG.

    The record (JSON under the ``sparsereg:smallest-text`` keyword) gives the text's size in
    points (``pt``), the resolution the PNG was saved at (``dpi``) and the text itself, so
    the size of that text in image pixels is ``pt * dpi / 72``.

    Parameters
    ----------
    block, block_vars, gallery_conf, **kwargs
        As for :func:`sphinx_gallery.scrapers.matplotlib_scraper`.

    Returns
    -------
    str
        The reStructuredText that shows the figures.
    """
    import matplotlib
    import matplotlib.pyplot as plt
    from sphinx_gallery.scrapers import matplotlib_scraper

    records = []
    for num in plt.get_fignums():  # the order in which the scraper saves them
        fig = plt.figure(num)
        dpi = kwargs.get("dpi", matplotlib.rcParams["savefig.dpi"])
        records.append((smallest_text(fig), fig.dpi if dpi == "figure" else dpi))
    paths = block_vars["image_path_iterator"].paths
    first = len(paths)
    rst = matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
    for path, (found, dpi) in zip(paths[first:], records):
        if found is not None and str(path).endswith(".png"):
            pt, text = found
            add_png_text(path, FONT_KEY, json.dumps(
                {"pt": round(pt, 2), "dpi": float(dpi), "text": text[:40]}, ensure_ascii=True))
    return rst


def setup(app):
    """Register the MathJax check and copy (the scraper is named in ``sphinx_gallery_conf``)."""
    app.connect("builder-inited", check_mathjax)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
