"""The CLI on awkward files (docs/cli.rst, "What fit does to the file"): the ones it must
refuse give one ``sparsereg: error:`` line and exit status 2, never a traceback, and the odd
but valid ones (unicode names, quoted delimiters, Windows line endings, a byte-order mark, a
trailing delimiter) fit as their cleaned contents do in sparsereg's estimators. Also the
number format of the report and its mark for tiny coefficients, and the help texts.
"""

import numpy as np
import pandas as pd
import pytest
from _cli_helpers import (assert_same_fit, check_error, check_ok, clean_like_a_user, run,
                          saved_coefficients, table_rows)

import sparsereg
from sparsereg._cli_report import format_numbers


# 6. The number format; the mark of tiny coefficients.

def test_format_numbers_one_notation():
    assert format_numbers([270.04, -0.080041, 28.2]) == ["270.0    ", " -0.08004", " 28.20   "]
    assert format_numbers([429.8, 4.9602e-10]) == ["4.298e+02", "4.960e-10"]


def test_tiny_coefficients_are_listed_and_marked(tmp_path):
    """A column orthogonal to the target and the others: its ridge coefficient is 0 exactly,
    only round-off away from it."""
    rng = np.random.default_rng(0)
    centred = rng.normal(size=(50, 4))
    centred -= centred.mean(axis=0)
    q, _ = np.linalg.qr(centred)  # orthogonal columns of zero mean
    x1, x2, z, w = q.T * 7.3
    pd.DataFrame({"x1": x1, "x2": x2, "z": z, "y": 3.7 * x1 - 1.3 * x2 + 0.4 * w + 10}) \
        .to_csv(tmp_path / "orth.csv", index=False)
    result = run("fit", "orth.csv", "-t", "y", "--penalty", "l2", "--alpha", 0.1,
                 "--save", "o.joblib", cwd=tmp_path)
    out = check_ok(result)
    coef, _ = saved_coefficients(tmp_path / "o.joblib")
    assert abs(coef["z"]) < 1e-12 * abs(coef["x1"])
    rows = dict(table_rows(out))
    if coef["z"] == 0:  # round-off may cancel on another machine: then it is not listed
        assert "z" not in rows and "2 of 3 features nonzero" in out
    else:
        assert rows["z"][0].endswith("*") and float(rows["z"][0][:-1]) == pytest.approx(
            coef["z"], rel=1e-3)
        assert not rows["x1"][0].endswith("*")
        assert "3 of 3 features nonzero (1 of them marked *)" in out
        assert "* nonzero but below 1e-08 x the largest |coef|" in out


# Adversarial files: one line, exit 2 or a fit, never a traceback.

BAD_FILES = [
    ("empty.csv", b"", "empty.csv is empty"),
    ("header.csv", b"a,b,y\n", "header.csv has a header but no data rows"),
    ("no_target.csv", b"a,b,y\n1,2,\n3,4,\n",
     "target column 'y' of no_target.csv is missing in every row (2): nothing to fit"),
    ("nan_column.csv", b"a,b,y\n1,,3\n3,,4\n5,,6\n",
     "column(s) 'b' of nan_column.csv have no value in any row (with a target): leave them out "
     "with --drop b"),
    ("text_target.csv", b"a,b,y\n1,2,3\n3,4,high\n",
     "target column 'y' is not numeric (value 'high' in data row 2 of text_target.csv)"),
    ("long_rows.csv", b"a,b,y\n1,2,3,4\n5,6,7,8\n",
     "cannot read long_rows.csv as CSV: some rows have more fields than the header"),
    ("latin1.csv", "a,\u00e9t\u00e9,y\n1,2,3\n".encode("latin-1"),
     "cannot read latin1.csv as CSV: it is not UTF-8 text (it holds the byte 0xe9); save it "
     "as UTF-8"),
]


@pytest.mark.parametrize("name, content, fragment", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_give_one_line(tmp_path, name, content, fragment):
    (tmp_path / name).write_bytes(content)
    check_error(run("fit", name, "-t", "y", cwd=tmp_path), fragment)


GOOD_FILES = [  # (name, content): each the same 6 rows as GOOD_FRAME
    ("unicode.csv", "Größe,価格,y\n"),
    ("quoted.csv", 'Größe,"価格",y\n'),
    ("crlf.csv", "Größe,価格,y\r\n"),
    ("bom.csv", "\ufeffGröße;価格;y\n"),
]
GOOD_ROWS = [(1.0, "Smith, J", 3.0), (2.0, "Doe, A", 5.5), (3.5, "Smith, J", 4.0),
             (4.0, "Doe, A", 9.0), (5.0, "Doe, A", 8.0), (6.5, "Smith, J", 7.0)]


@pytest.mark.parametrize("name, header", GOOD_FILES, ids=[g[0] for g in GOOD_FILES])
def test_awkward_but_valid_files_fit(tmp_path, name, header):
    """Unicode names, quoted fields holding the delimiter, Windows line endings, a BOM."""
    sep = ";" if ";" in header else ","
    end = "\r\n" if header.endswith("\r\n") else "\n"
    lines = [f'{a}{sep}"{b}"{sep}{y}' for a, b, y in GOOD_ROWS]
    (tmp_path / name).write_bytes((header + end.join(lines) + end).encode("utf-8"))
    result = run("fit", name, "-t", "y", "--alpha", 0.1, "--tol", 1e-10, "--save", "m.joblib",
                 cwd=tmp_path)
    check_ok(result)
    assert result.stderr == ""
    frame = pd.DataFrame(GOOD_ROWS, columns=["Größe", "価格", "y"])
    X, y = clean_like_a_user(frame, "y")
    assert list(X.columns) == ["Größe", "価格_Smith, J"]
    reference = sparsereg.L1Regressor(alpha=0.1, tol=1e-10).fit(X.to_numpy(), y)
    assert_same_fit(tmp_path / "m.joblib", X, reference)


def test_trailing_delimiter_column_is_left_out_with_a_note(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,y,\n1,2,3,\n2,1,5,\n3,3,4,\n4,5,9,\n")
    result = run("fit", "t.csv", "-t", "y", "--alpha", 0.1, cwd=tmp_path)
    check_ok(result)
    assert result.stderr.splitlines() == [
        "sparsereg: note: left out 1 column(s) of t.csv without a name or a value (a delimiter "
        "at the end of each line?)"]
    assert "-> 2 model features" in result.stdout


def test_decimal_commas_get_a_warning(tmp_path):
    (tmp_path / "eu.csv").write_text("a;b;y\n1,5;2;3\n2,5;1;5\n3,0;4;4\n")
    result = run("fit", "eu.csv", "-t", "y", "--alpha", 0.1, cwd=tmp_path)
    check_ok(result)
    assert result.stderr.splitlines() == [
        "sparsereg: warning: column 'a' of eu.csv holds numbers written with a comma (value "
        "'1,5'): it is treated as categorical; write the file with decimal points and no "
        "thousands separators"]


# 9. The help texts.

def test_help_texts_name_the_cleaning_options(tmp_path):
    fit = check_ok(run("fit", "--help", cwd=tmp_path))
    for option in ("--drop COL[,COL...]", "--sep CHAR", "--impute {mean,median,most_frequent}",
                   "Student_Yes", "rows whose target is missing are"):
        assert option in fit, option
    predict = check_ok(run("predict", "--help", cwd=tmp_path))
    assert "--ignore-unknown" in predict and "category levels" in predict


def test_fit_and_predict_without_pandas_say_what_to_install(tmp_path):
    """pandas is optional: without it, reading a CSV is a one-line error naming it, not an
    ImportError traceback from the first pandas import (fit and predict both had one)."""
    import subprocess
    import sys

    data = tmp_path / "d.csv"
    rows = np.random.default_rng(0).integers(0, 9, (30, 3))
    data.write_text("a,b,y\n" + "".join(f"{a},{b},{y}\n" for a, b, y in rows))
    model = tmp_path / "m.sparsereg"
    run = "from sparsereg.__main__ import main; sys.exit(main())"
    made = subprocess.run([sys.executable, "-c", "import sys; " + run, "fit", str(data),
                           "--target", "y", "--save", str(model)], capture_output=True,
                          text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    for args in (["fit", str(data), "--target", "y"], ["predict", str(model), str(data)]):
        done = subprocess.run([sys.executable, "-c",
                               "import sys; sys.modules['pandas'] = None; " + run, *args],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr, done.stderr
        assert "needs pandas" in done.stderr, done.stderr
