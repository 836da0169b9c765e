"""Sphinx configuration of the sparsereg documentation.

Build: ``python -m sphinx -b html docs docs/_build/html`` (add ``-W --keep-going`` to turn
warnings into errors, as the test suite does). Every gallery script runs during the build, so
the figures of the theory page and of the examples always come from the current code. Check the
result in a browser, offline: ``python docs/check_rendered.py docs/_build/html``.
"""

import os
import sys
import warnings

# Import the checkout being documented, whatever is installed (PYTHONPATH, when set, is
# expected to point at a checkout too: the test suite builds a copy of docs/ elsewhere).
sys.path.insert(0, os.path.abspath(".."))
# docs/_ext holds this site's own extension (local MathJax, figures that record their text).
sys.path.insert(0, os.path.abspath("_ext"))

import matplotlib

matplotlib.use("Agg")

import sparsereg

project = "sparsereg"
author = "sparsereg developers"
copyright = "sparsereg developers, BSD-3-Clause"
version = release = sparsereg.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "sparsereg_docs",
]

# -- Math ----------------------------------------------------------------------------------
# MathJax 3 from _static/mathjax/, which sparsereg_docs copies there from an installed package
# at each build: equations are typeset without a network (Sphinx's default is a CDN).
mathjax_path = "mathjax/tex-chtml.js"

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
# The gallery sources are rendered through auto_examples/ and auto_theory/. sphinx-gallery's
# timing pages are not rendered (the .rst files are still written): they load jQuery and
# DataTables from CDNs, and every page must work offline.
exclude_patterns = ["_build", "examples", "theory_figures", "**.ipynb_checkpoints",
                    "sg_execution_times.rst", "**/sg_execution_times.rst"]

# -- API reference -----------------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"member-order": "groupwise"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- Markdown (the generated benchmark report) ------------------------------------------
myst_heading_anchors = 3

# -- Gallery -------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["examples", "theory_figures"],
    "gallery_dirs": ["auto_examples", "auto_theory"],
    "filename_pattern": r"plot_",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "doc_module": ("sparsereg",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"sparsereg": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "show_memory": False,
    # Always rerun every script: the figures must come from the current code, not a cache.
    "run_stale_examples": True,
    # Saves each figure as the default scraper does and records its smallest text in the PNG,
    # for docs/check_rendered.py: every figure's text must be >= 9 pt on screen. Hence figures
    # at most 6 inches wide with text of at least 10 pt (matplotlib's default sizes): the
    # pages show them 520 to 780 px wide in windows 1024 to 1920 px wide.
    "image_scrapers": ("sparsereg_docs.recording_matplotlib_scraper",),
}

# Example scripts must not be noisy: matplotlib's Agg backend cannot show windows.
warnings.filterwarnings("ignore", message="FigureCanvasAgg is non-interactive")

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sparsereg {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_show_sourcelink = False
html_context = {"default_mode": "light"}
