"""The documentation builds without a warning, and the code shown in the docs and README runs.

The Sphinx build runs every gallery script (the examples and the figures of the theory page),
so it also checks that the figures are drawn from the current code. The docs dependencies are
in the ``test`` extra: nothing here is skipped.
"""

import doctest
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sparsereg

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
THEORY_SCRIPTS = sorted(p.stem for p in (DOCS / "theory_figures").glob("plot_*.py"))
EXAMPLE_SCRIPTS = sorted(p.stem for p in (DOCS / "examples").glob("plot_*.py"))
PAGES = ["index", "getting_started", "user_guide", "theory", "conventions", "cli", "api",
         "benchmarks", "architecture", "auto_examples/index", "auto_theory/index"]
DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_key_pages_built(html):
    for page in PAGES:
        assert (html / f"{page}.html").is_file(), page
    for stem in EXAMPLE_SCRIPTS:
        assert (html / "auto_examples" / f"{stem}.html").is_file(), stem


def test_every_public_name_has_an_api_page(html):
    for name in sparsereg.__all__:
        page = html / "generated" / f"sparsereg.{name}.html"
        assert page.is_file(), f"{name} is in sparsereg.__all__ but not in docs/api.rst"


def test_theory_figures_are_generated_and_shown(html):
    theory = (html / "theory.html").read_text(encoding="utf-8")
    assert len(THEORY_SCRIPTS) >= 6
    for stem in THEORY_SCRIPTS:
        image = f"sphx_glr_{stem}_001.png"
        assert (html / "_images" / image).stat().st_size > 10_000, image
        assert f'src="_images/{image}"' in theory, f"theory.rst does not show {image}"


def test_examples_draw_figures(html):
    for stem in EXAMPLE_SCRIPTS:
        assert (html / "_images" / f"sphx_glr_{stem}_001.png").is_file(), stem


def test_benchmarks_page_is_the_generated_report(html):
    report = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", report, flags=re.MULTILINE).group(1)
    page = (html / "benchmarks.html").read_text(encoding="utf-8")
    assert f"<h1>{title}" in page
    assert "<table" in page


@pytest.mark.parametrize("path", [ROOT / "README.md"] + sorted(DOCS.glob("*.rst")),
                         ids=lambda p: p.name)
def test_code_in_pages_runs_and_prints_what_is_shown(path):
    """README.md and every top-level docs page: the ``>>>`` examples give the shown output."""
    import matplotlib

    matplotlib.use("Agg")
    test = doctest.DocTestParser().get_doctest(path.read_text(encoding="utf-8"), {},
                                               path.name, str(path), 0)
    if path.name in ("README.md", "getting_started.rst", "user_guide.rst", "conventions.rst"):
        assert test.examples, f"{path.name} lost its examples"
    report = []
    runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def _console_sessions(text):
    """(command, expected output lines) pairs of the ``.. code-block:: console`` blocks."""
    pairs = []
    for block in re.findall(r"\.\. code-block:: console\n\n((?:   .*\n|\n)+)", text):
        for line in block.splitlines():
            line = line[3:]
            if line.startswith("$ "):
                pairs.append((line[2:], []))
            elif pairs and line.strip():
                pairs[-1][1].append(line)
    return pairs


def _same_line(got, expected):
    got, expected = got.split(), expected.split()
    if len(got) != len(expected):
        return False
    for g, e in zip(got, expected):
        try:
            g_num, e_num = float(g), float(e)
        except ValueError:
            if g != e:
                return False
            continue
        if not (expected[0] == "duality" or abs(g_num - e_num) <= 1e-3 * max(1.0, abs(e_num))):
            return False  # the duality gap is a bound, its value may vary with round-off
    return True


def test_cli_page_session_prints_what_is_shown(tmp_path):
    sessions = _console_sessions((DOCS / "cli.rst").read_text(encoding="utf-8"))
    assert sessions
    for data in (ROOT / "tests" / "data").glob("*.csv"):  # the ISLP files the page fits
        shutil.copy(data, tmp_path)
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    for command, expected in sessions:
        if command.startswith("sparsereg "):
            command = f"{sys.executable} -m {command}"
        elif command.startswith("python "):
            command = f"{sys.executable} {command[len('python '):]}"
        proc = subprocess.run(command, shell=True, check=False, cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{command}\n{proc.stderr}"
        got = [line for line in proc.stdout.splitlines() if line.strip()]
        assert len(got) == len(expected) and all(map(_same_line, got, expected)), (
            f"{command}\nprinted:\n" + "\n".join(got) + "\nthe page shows:\n"
            + "\n".join(expected))


# -- docs/architecture.rst names only what exists -------------------------------------------

ARCHITECTURE = DOCS / "architecture.rst"
# A file path (``sparsereg/_problem/_rows.py``, ``tests/_reference.py``, or a bare ``_rows.py``
# read in the directory named last before it), a directory (``sparsereg/_kernels/``) or a
# dotted name (``sparsereg._problem._datafit.SquaredError``).
_NAME = re.compile(r"(?<![\w/.*])(?P<file>(?:\w+/)*\w+\.py)\b"
                   r"|(?<![\w/.])(?P<dir>sparsereg/(?:\w+/)*)(?![\w*])"
                   r"|(?<![\w.])(?P<dotted>sparsereg(?:\.\w+)+)")


def _architecture_names():
    """``(files, dotted names, diagram lines)`` of docs/architecture.rst; each file is
    ``(path as written, path from the repository root)`` and each diagram line a list of
    ``(module path or None, text)`` segments, the text after each module it names."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    files, dotted, where = [], [], Path("sparsereg")
    for match in _NAME.finditer(text):
        if match["dir"]:
            where = Path(match["dir"])
            assert (ROOT / where).is_dir(), f"{match['dir']} is not a directory"
        elif match["dotted"]:
            dotted.append(match["dotted"])
        else:
            name = match["file"]
            files.append((name, Path(name) if "/" in name else where / name))
    block = re.search(r"\.\. code-block:: text\n\n((?:   .*\n|\n)+)", text).group(1)
    diagram, where = [], Path("sparsereg")
    for line in block.splitlines():
        segments, module, start = [], None, 0
        for match in _NAME.finditer(line):
            segments.append((module, line[start:match.start()]))
            module, start = None, match.end()
            if match["dir"]:
                where = Path(match["dir"])
            elif match["file"]:
                name = match["file"]
                module = Path(name) if "/" in name else where / name
        diagram.append(segments + [(module, line[start:])])
    return files, dotted, diagram


def _module_name(path):
    return ".".join(path.with_suffix("").parts)


def test_architecture_page_names_existing_modules():
    """Every file the architecture page names exists and every module it names imports."""
    files, dotted, _ = _architecture_names()
    assert len(files) >= 30, "the architecture page no longer names the modules"
    for written, path in files:
        assert (ROOT / path).is_file(), (f"docs/architecture.rst names {written} "
                                         f"({path}), which does not exist")
        if path.parts[0] == "sparsereg":
            importlib.import_module(_module_name(path))
    for name in dotted:
        parts = name.split(".")
        for k in range(len(parts), 0, -1):  # the longest importable prefix, then attributes
            try:
                obj = importlib.import_module(".".join(parts[:k]))
                break
            except ModuleNotFoundError:
                continue
        for attr in parts[k:]:
            assert hasattr(obj, attr), f"docs/architecture.rst names {name}: no {attr}"
            obj = getattr(obj, attr)


def test_architecture_diagram_names_are_attributes_of_their_modules():
    """In the diagram, a code-like name (with an underscore, a dot or a capital followed by
    a lower-case letter: ``make_design``, ``Inputs.design``, ``Penalty``, ``L1Regressor``)
    after a module on its line is an attribute of that module; elsewhere, of one of the
    modules the page names."""
    files, _, diagram = _architecture_names()
    modules = {path: importlib.import_module(_module_name(path))
               for _, path in files if path.parts[0] == "sparsereg"}

    def resolves(obj, name):
        for attr in name.split("."):
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True

    checked = 0
    for segments in diagram:
        for module, text in segments:
            for name in re.findall(r"[A-Za-z_][\w.]*\w", text):
                if name in ("Numba", "True", "False", "None") or not (
                        "_" in name or "." in name or re.search(r"[A-Z][a-z]|[a-z0-9][A-Z]",
                                                                name)):
                    continue  # a word, not a name
                owners = [modules[module]] if module is not None else modules.values()
                assert any(resolves(m, name) for m in owners), (
                    f"the diagram of docs/architecture.rst names {name}, which "
                    + (f"{module} does not define" if module is not None
                       else "no module named on the page defines"))
                checked += 1
    assert checked >= 50, checked


def test_architecture_diagram_shows_every_problem_and_kernel_module():
    """A module added to the problem layer or the kernels must be placed in the diagram."""
    _, _, diagram = _architecture_names()
    named = {module for segments in diagram for module, _ in segments}
    for package in ("_problem", "_kernels"):
        for path in sorted((ROOT / "sparsereg" / package).glob("*.py")):
            module = path.relative_to(ROOT)
            assert path.name == "__init__.py" or module in named, (
                f"{module} is missing from the diagram of docs/architecture.rst")
