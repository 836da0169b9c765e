"""The built pages as a reader sees them: math typeset from the build's own MathJax (no
network), and figures whose text is legible at the size the pages show them.

``test_pages_render_offline_in_a_browser`` opens the build in headless Chromium through
docs/check_rendered.py and is skipped, saying so, where Chromium is not installed; the other
tests read the built files and need no browser. To check a build by hand::

    python -m sphinx -b html docs docs/_build/html
    python docs/check_rendered.py docs/_build/html --shots /tmp/docs-shots
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
THEORY_SCRIPTS = sorted(p.stem for p in (DOCS / "theory_figures").glob("plot_*.py"))
EXAMPLE_SCRIPTS = sorted(p.stem for p in (DOCS / "examples").glob("plot_*.py"))


def _load(path):
    """A module of docs/ that is not on sys.path (the check script, the Sphinx extension)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK = DOCS / "check_rendered.py"
EXT = DOCS / "_ext" / "sparsereg_docs.py"
# The narrowest the pages show a figure in a desktop window (theory.html, window 1200 px wide,
# both sidebars shown; measured by docs/check_rendered.py, which also checks 1024-1920 px).
NARROWEST_FIGURE_PX = 548


def test_math_is_served_from_the_build_not_a_cdn(html):
    """Every page with math loads MathJax from its own _static/, and no page loads a script,
    stylesheet or image from elsewhere (the pages work offline)."""
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (html / "_static" / "mathjax" / "LICENSE").is_file()
    fonts = html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert len(list(fonts.glob("*.woff"))) > 10
    pages_with_math = 0
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        scripts = re.findall(r'<script[^>]*src="([^"]*)"', text)
        loaded = re.findall(r'<(?:script|img|iframe|link)\b[^>]*?\s(?:src|href)="([^"]*)"', text)
        remote = [u for u in loaded if re.match(r"(https?:)?//", u)]
        assert not remote, f"{page.relative_to(html)} loads {remote}"
        if 'class="math' in text:
            pages_with_math += 1
            assert any(s.endswith("_static/mathjax/tex-chtml.js") for s in scripts), page.name
    assert pages_with_math >= 5


def test_figures_text_legible_at_the_narrowest_width(html):
    """Each gallery figure records its smallest text (the check script needs it), and that
    text is >= 9 pt (12 CSS px) on screen when the figure is shown at the narrowest width."""
    from PIL import Image

    check = _load(CHECK)
    figures = [p for p in (html / "_images").glob("sphx_glr_*.png") if "_thumb" not in p.name]
    assert len(figures) >= len(THEORY_SCRIPTS) + len(EXAMPLE_SCRIPTS)
    for path in figures:
        record = check.png_text(path).get(check.FONT_KEY)
        assert record is not None, f"{path.name} has no record of its smallest text"
        text = json.loads(record)
        with Image.open(path) as image:
            natural = image.width
        shown = min(natural, NARROWEST_FIGURE_PX)
        on_screen = text["pt"] * text["dpi"] / 72 * shown / natural
        assert on_screen >= check.MIN_TEXT_PX, (
            f"{path.name}: {text['text']!r} at {text['pt']} pt is {on_screen:.1f} px high when "
            f"the figure is shown {shown} px wide")


def test_smallest_text_record_round_trips(tmp_path):
    """The scraper's record: the smallest drawn text, in a tEXt chunk the PNG keeps valid."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    ext, check = _load(EXT), _load(CHECK)
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], label="a line")
    ax.legend(fontsize="small")
    pt, text = ext.smallest_text(fig)
    assert (round(pt, 2), text) == (8.33, "a line")
    path = tmp_path / "figure.png"
    fig.savefig(path)
    plt.close(fig)
    ext.add_png_text(path, ext.FONT_KEY, '{"pt": 8.33}')
    assert check.png_text(path)[ext.FONT_KEY] == '{"pt": 8.33}'
    with Image.open(path) as image:
        image.load()  # raises on a corrupt chunk
    with pytest.raises(ValueError, match="not a PNG"):
        ext.add_png_text(ROOT / "README.md", ext.FONT_KEY, "x")


def test_check_figures_fails_on_small_text_and_missing_records(tmp_path):
    """The browser check's verdict on a figure, from its record and displayed width."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ext, check = _load(EXT), _load(CHECK)
    fig = plt.figure(figsize=(6, 3), dpi=100)
    fig.text(0.5, 0.5, "label", fontsize=10)
    for name in ("sphx_glr_a_001.png", "sphx_glr_b_001.png"):
        fig.savefig(tmp_path / name)
    plt.close(fig)
    ext.add_png_text(tmp_path / "sphx_glr_a_001.png", ext.FONT_KEY,
                     json.dumps({"pt": 10, "dpi": 100, "text": "label"}))

    def layout(name, shown):
        return {"src": (tmp_path / name).as_uri(), "shown": shown, "natural": 600,
                "complete": True}

    # 10 pt at 100 dpi: 13.9 px at full size, 12.7 px at 548 of 600 px, 9.3 px at 400.
    assert check.check_figures("p", [(1280, [layout("sphx_glr_a_001.png", 548)])]) == []
    problems = check.check_figures("p", [(1280, [layout("sphx_glr_a_001.png", 600)]),
                                         (1200, [layout("sphx_glr_a_001.png", 400)])])
    assert len(problems) == 1 and "9.3 px" in problems[0] and "1200 px" in problems[0]
    problems = check.check_figures("p", [(1280, [layout("sphx_glr_b_001.png", 600)])])
    assert len(problems) == 1 and "no record" in problems[0]


def test_build_without_mathjax_package_says_what_to_install(monkeypatch):
    from sphinx.errors import ExtensionError

    ext = _load(EXT)

    def not_installed(name):
        raise ext.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(ext.metadata, "distribution", not_installed)
    with pytest.raises(ExtensionError, match=r'django-static-mathjax.*pip install -e "\.\[docs\]"'):
        ext.mathjax_source()


def test_check_script_refuses_bad_input(tmp_path, capsys):
    """A folder that is not a build: exit status 2 and what to run."""
    check = _load(CHECK)
    assert check.main([str(tmp_path)]) == 2
    assert "not a built sparsereg docs tree" in capsys.readouterr().err


@pytest.mark.skipif(_load(CHECK).find_chromium() is None,
                    reason="Chromium is not installed (Debian: apt-get install chromium): the "
                           "pages were not checked in a browser (docs/check_rendered.py)")
def test_pages_render_offline_in_a_browser(html, tmp_path):
    """docs/check_rendered.py on the build: math typeset, nothing fetched from the network,
    figures legible at 1024-1920 px windows (screenshots in the test's tmp_path)."""
    proc = subprocess.run([sys.executable, str(CHECK), str(html), "--shots", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert {p.name for p in tmp_path.glob("*.png")} == {
        "index.png", "theory.png", "generated__sparsereg.L1Regressor.png"}
