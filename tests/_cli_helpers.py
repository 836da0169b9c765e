"""What the CLI tests share: running ``sparsereg`` and reading what it printed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

import sparsereg
from sparsereg.__main__ import main

REPO = Path(sparsereg.__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"


def run(*args, cwd):
    """``python -m sparsereg *args`` on this checkout (not whatever is installed)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "sparsereg", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def run_in_process(*args, cwd, capsys, monkeypatch):
    """``main(args)`` in this process: the same code path without a second's startup.

    An uncaught exception (what would be a traceback) fails the test by itself.
    """
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, out, err)


def check_ok(result):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def check_error(result, fragment):
    """Exit status 2 and exactly one ``sparsereg: error:`` line on stderr, no traceback."""
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sparsereg: error: "), lines[0]
    assert fragment in lines[0], lines[0]


def value_after(label, text):
    """The number printed after ``label`` at the start of a line of the report."""
    match = re.search(rf"^{re.escape(label)}\s+(\S+)", text, re.MULTILINE)
    assert match, f"{label!r} not in output:\n{text}"
    return float(match.group(1))


def table_rows(text):
    """The rows of the coefficient table, ``(intercept)`` included: ``[(name, cells)]`` with
    the number cells as printed (a ``*`` mark kept on the coef cell). Names may hold spaces
    (``Ethnicity_African American``): the cells are the trailing tokens that are numbers."""
    block = text.split("largest |coef| first:\n", 1)[1]
    rows = []
    for line in block.splitlines()[1:]:  # below the header row
        tokens = line.split()
        cells = []
        while tokens and re.fullmatch(r"-?[\d.]+(e[+-]\d+)?\*?", tokens[-1]):
            cells.insert(0, tokens.pop())
        rows.append((" ".join(tokens), cells))
        if tokens == ["(intercept)"]:
            return rows
    raise AssertionError(f"no (intercept) row in:\n{text}")


def printed_coefficients(text):
    """{feature: coef} from the table of selected features (the intercept left out)."""
    return {name: float(cells[0].rstrip("*")) for name, cells in table_rows(text)
            if name != "(intercept)"}


def clean_like_a_user(frame, target, drop=(), impute=None):
    """What a user would do in pandas: rows with a target, text stripped, numeric columns
    imputed (``impute``: ``"mean"`` or ``"median"``) and standardized (population std), a
    two-level text column as the indicator of its second level, other text one per level."""
    frame = frame.drop(columns=list(drop))
    frame = frame[frame[target].notna()].reset_index(drop=True)
    y = frame.pop(target).to_numpy(dtype=float)
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numeric = frame.drop(columns=text).astype(float)
    if impute:
        numeric = numeric.fillna(getattr(numeric, impute)())
    parts = [(numeric - numeric.mean()) / numeric.std(ddof=0)]
    for c in text:
        values = frame[c].astype(str).str.strip()
        parts.append(pd.get_dummies(values, prefix=c, drop_first=values.nunique() == 2,
                                    dtype=float))
    return pd.concat(parts, axis=1), y


def saved_coefficients(path):
    saved = joblib.load(path)
    model = saved["pipeline"].named_steps["model"]
    return dict(zip(saved["feature_names_out"], model.coef_)), model


def assert_same_fit(model_file, X, reference):
    """The CLI's saved coefficients equal ``reference`` (fitted in process on ``X``), by name."""
    coef, model = saved_coefficients(model_file)
    assert set(coef) == set(X.columns)
    expected = dict(zip(X.columns, reference.coef_))
    scale = np.abs(reference.coef_).max()
    for name in X.columns:
        assert coef[name] == pytest.approx(expected[name], abs=1e-6 * scale), name
    assert float(model.intercept_) == pytest.approx(float(reference.intercept_), rel=1e-8)
    return expected
