"""Sphinx extension of the sparsereg docs: math that renders offline.

The pages load MathJax 3 from ``_static/mathjax/`` instead of a CDN, so equations are typeset
without a network (a page opened from disk, a firewalled machine). The files come from the
``django-static-mathjax`` package of the ``docs`` extra, a plain copy of the MathJax 3.2.2
release (it needs no Django), and are copied into the output at each build: nothing is vendored
in git.
"""

import shutil
from importlib import metadata
from pathlib import Path

from sphinx.errors import ExtensionError

#: The distribution that provides MathJax, and where its MathJax 3 release sits in it.
MATHJAX_DIST = "django-static-mathjax"
MATHJAX_ES5 = "mathjax/static/mathjax/es5"
#: What conf.py's ``mathjax_path`` names, relative to ``_static``.
MATHJAX_ENTRY = "tex-chtml.js"


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


def setup(app):
    """Register the MathJax check and copy."""
    app.connect("builder-inited", check_mathjax)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
