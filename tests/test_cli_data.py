"""The CLI cleans what a user's CSV has (docs/cli.rst, "What fit does to the file").

Run as subprocesses on ISLP's Hitters.csv (59 rows without a Salary; League, Division and
NewLeague of two levels) and Credit.csv (an ID column; Gender, Student and Married of two
levels, Gender's values with a leading space; Ethnicity of three), in tests/data with their
license, and on files generated here from them for delimiters, missing values and unseen
levels. Expected coefficients come from sparsereg's estimators fitted in this process on data
cleaned here with pandas (dropna, get_dummies, standardization), never from the CLI's pipeline.
"""

import re
import shutil

import joblib
import numpy as np
import pandas as pd
import pytest
from _cli_helpers import (DATA, check_error, check_ok, printed_coefficients, run, table_rows,
                          value_after)

import sparsereg
from sparsereg._cli_report import format_numbers

HITTERS_NOTE = "sparsereg: note: dropped 59 of 322 rows whose target 'Salary' is missing"


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


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """The real files, and files made from them, in a folder whose matplotlibrc keeps the
    text of SVG images as text (so the plot's labels can be read back)."""
    folder = tmp_path_factory.mktemp("cli_data")
    for name in ("Hitters.csv", "Credit.csv"):
        shutil.copy(DATA / name, folder / name)
    (folder / "matplotlibrc").write_text("svg.fonttype: none\n")
    hitters = pd.read_csv(DATA / "Hitters.csv")
    hitters.to_csv(folder / "hitters_semicolon.csv", sep=";", index=False)
    hitters.to_csv(folder / "hitters_tab.tsv", sep="\t", index=False)
    holes = hitters.copy()
    paid = hitters.index[hitters["Salary"].notna()]
    holes.loc[[0, *paid[[2, 6, 29]]], "Walks"] = np.nan  # row 0 has no Salary either
    holes.loc[paid[[4, 39]], "Errors"] = np.nan
    holes.to_csv(folder / "hitters_holes.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def hitters_l1(work):
    result = run("fit", "Hitters.csv", "--target", "Salary", "--alpha", 2, "--tol", 1e-10,
                 "--save", "h.joblib", "--plot", "h.svg", cwd=work)
    check_ok(result)
    return result


@pytest.fixture(scope="module")
def credit_l1(work):
    result = run("fit", "Credit.csv", "--target", "Balance", "--drop", "ID", "--alpha", 1,
                 "--tol", 1e-10, "--save", "c.joblib", cwd=work)
    check_ok(result)
    return result


# 1. Rows without a target: dropped, with a note.

def test_hitters_rows_without_salary_are_dropped_with_a_note(hitters_l1):
    assert hitters_l1.stderr.splitlines() == [HITTERS_NOTE]
    first = hitters_l1.stdout.splitlines()[0]
    assert first.endswith("on Hitters.csv: 263 rows (59 of 322 dropped: target missing)")


def test_hitters_coefficients_equal_the_library(work, hitters_l1):
    X, y = clean_like_a_user(pd.read_csv(work / "Hitters.csv"), "Salary")
    assert len(y) == 263
    reference = sparsereg.L1Regressor(alpha=2.0, tol=1e-10).fit(X.to_numpy(), y)
    expected = assert_same_fit(work / "h.joblib", X, reference)
    # 4. one indicator per two-level column, of its second level
    assert {"League_N", "Division_W", "NewLeague_N"} <= set(expected)
    assert not {"League_A", "Division_E", "NewLeague_A"} & set(expected)
    # 6. the table: exactly the nonzero coefficients, to 4 significant digits
    printed = printed_coefficients(hitters_l1.stdout)
    assert set(printed) == {n for n, c in expected.items() if c != 0}
    for name, value in printed.items():
        assert value == pytest.approx(expected[name], rel=5e-4), name
    assert f"{len(printed)} of 19 features nonzero" in hitters_l1.stdout


def test_hitters_cross_validation_equals_the_library(work):
    result = run("fit", "Hitters.csv", "-t", "Salary", "--cv", 5, "--tol", 1e-8,
                 "--save", "hcv.joblib", "--plot", "hcv.svg", cwd=work)
    check_ok(result)
    assert result.stderr.splitlines() == [HITTERS_NOTE]
    X, y = clean_like_a_user(pd.read_csv(work / "Hitters.csv"), "Salary")
    reference = sparsereg.L1RegressorCV(cv=5, tol=1e-8).fit(X.to_numpy(), y)
    _, model = saved_coefficients(work / "hcv.joblib")
    assert model.alpha_ == pytest.approx(reference.alpha_, rel=1e-9)
    assert_same_fit(work / "hcv.joblib", X, reference)
    assert value_after("alpha", result.stdout) == pytest.approx(reference.alpha_, rel=5e-4)
    labels = svg_texts(work / "hcv.svg")
    assert strongest(model.coef_, joblib.load(work / "hcv.joblib")) <= labels


# 2. --drop; 4. binary text columns.

def test_credit_drop_id_and_binary_columns_equal_the_library(work, credit_l1):
    X, y = clean_like_a_user(pd.read_csv(work / "Credit.csv"), "Balance", drop=["ID"])
    reference = sparsereg.L1Regressor(alpha=1.0, tol=1e-10).fit(X.to_numpy(), y)
    expected = assert_same_fit(work / "c.joblib", X, reference)
    # " Male" and "Female": stripped, one indicator; Ethnicity's three levels, one each
    assert {"Gender_Male", "Student_Yes", "Married_Yes", "Ethnicity_African American",
            "Ethnicity_Asian", "Ethnicity_Caucasian"} <= set(expected)
    assert "ID" not in expected and "Student_No" not in expected
    assert "left out (--drop): 'ID'" in credit_l1.stdout
    assert credit_l1.stderr == ""
    printed = printed_coefficients(credit_l1.stdout)
    assert set(printed) == {n for n, c in expected.items() if c != 0}
    for name, value in printed.items():
        assert value == pytest.approx(expected[name], rel=5e-4), name


@pytest.mark.parametrize("drop, fragment", [
    (["--drop", "Idd,Incom"], "--drop: Credit.csv has no column 'Idd' (close matches: 'ID'), "
                              "'Incom' (close matches: 'Income'); its columns are 'ID',"),
    (["--drop", "ID", "--drop", "Balance"], "--drop 'Balance' is the target column"),
], ids=["unknown", "target"])
def test_drop_errors(work, drop, fragment):
    check_error(run("fit", "Credit.csv", "-t", "Balance", *drop, cwd=work), fragment)


# 3. The delimiter.

@pytest.mark.parametrize("name", ["hitters_semicolon.csv", "hitters_tab.tsv"])
def test_delimiter_is_sniffed(work, hitters_l1, name):
    result = run("fit", name, "-t", "Salary", "--alpha", 2, "--tol", 1e-10,
                 "--save", f"{name}.joblib", cwd=work)
    check_ok(result)
    assert result.stderr.splitlines() == [HITTERS_NOTE]
    assert saved_coefficients(work / f"{name}.joblib")[0] == \
        saved_coefficients(work / "h.joblib")[0]


def test_wrong_sep_names_the_delimiter_of_the_header(work):
    check_error(run("fit", "hitters_semicolon.csv", "-t", "Salary", "--sep", ",", cwd=work),
                "target column 'Salary' not found in hitters_semicolon.csv; its columns are "
                "'AtBat;Hits;HmRun;Runs;RBI;Walks;Years;CAtBat;CHits;CHmRun;CRuns;CRBI;CWalks;"
                "League;Division;PutOuts;Assists;Errors;Salary;NewLeague'. The file was read "
                "with the delimiter ',' but its header holds ';': if that separates the "
                "columns, pass --sep ';'")
    check_ok(run("fit", "hitters_tab.tsv", "-t", "Salary", "--alpha", 5, "--sep", "tab",
                 cwd=work))


# 5. Missing feature values.

def test_missing_features_name_the_columns_and_impute(work):
    check_error(run("fit", "hitters_holes.csv", "-t", "Salary", cwd=work),
                "hitters_holes.csv: 5 row(s) have missing values, in column(s) 'Walks' (3), "
                "'Errors' (2): fill them with --impute {mean,median,most_frequent}, or leave "
                "the columns out with --drop")


def test_impute_median_is_fitted_on_the_training_rows_and_saved(work):
    result = run("fit", "hitters_holes.csv", "-t", "Salary", "--alpha", 2, "--tol", 1e-10,
                 "--impute", "median", "--save", "hi.joblib", cwd=work)
    check_ok(result)
    assert result.stderr.splitlines() == [
        HITTERS_NOTE, "sparsereg: note: imputed 5 missing value(s) in 5 row(s) by --impute "
                      "median: 'Walks' (3), 'Errors' (2)"]
    frame = pd.read_csv(work / "hitters_holes.csv")
    X, y = clean_like_a_user(frame, "Salary", impute="median")
    reference = sparsereg.L1Regressor(alpha=2.0, tol=1e-10).fit(X.to_numpy(), y)
    assert_same_fit(work / "hi.joblib", X, reference)
    # predict fills a missing value with the training rows' median, not the new file's
    new = pd.read_csv(work / "Hitters.csv").drop(columns="Salary").head(4)
    new.loc[[1, 2], "Walks"] = np.nan
    new.to_csv(work / "holes_new.csv", index=False)
    out = run("predict", "hi.joblib", "holes_new.csv", cwd=work)
    predicted = np.array(check_ok(out).splitlines()[1:], dtype=float)
    assert out.stderr.splitlines() == [
        "sparsereg: note: imputed 2 missing value(s) in 2 row(s) with the training data's "
        "medians (the model was fitted with --impute median): 'Walks' (2)"]
    train = frame[frame["Salary"].notna()].drop(columns="Salary")
    train = train.fillna(train.median(numeric_only=True))
    numeric = [c for c in X.columns if c in train.columns]
    z = (new[numeric].fillna(train[numeric].median()) - train[numeric].mean()) \
        / train[numeric].std(ddof=0)
    by_hand = reference.intercept_ + z.to_numpy() @ reference.coef_[:len(numeric)]
    for j, name in enumerate(X.columns[len(numeric):], start=len(numeric)):
        column, level = name.split("_")
        by_hand += reference.coef_[j] * (new[column] == level).to_numpy()
    assert predicted == pytest.approx(by_hand, rel=1e-6)


# 8. Unseen levels, model-file errors.

def test_predict_warns_of_unseen_levels_once_per_column(work, credit_l1):
    new = pd.read_csv(work / "Credit.csv").drop(columns="Balance").head(6)
    new.loc[[0, 3], "Ethnicity"] = "Hispanic"
    new.loc[1, "Student"] = "Maybe"
    new.to_csv(work / "credit_new.csv", index=False)  # ID kept: the model left it out
    result = run("predict", "c.joblib", "credit_new.csv", cwd=work)
    predicted = np.array(check_ok(result).splitlines()[1:], dtype=float)
    assert result.stderr.splitlines() == [
        "sparsereg: warning: column 'Student': level 'Maybe' (1 row) not seen in training; "
        "predicted as its reference level 'No' (indicator 0)",
        "sparsereg: warning: column 'Ethnicity': level 'Hispanic' (2 rows) not seen in "
        "training; predicted with all of the column's indicators 0"]
    # by hand: the training standardization, Student_Yes 0, no Ethnicity indicator
    coef, model = saved_coefficients(work / "c.joblib")
    train = pd.read_csv(work / "Credit.csv")
    numeric = ["Income", "Limit", "Rating", "Cards", "Age", "Education"]
    z = (new[numeric] - train[numeric].mean()) / train[numeric].std(ddof=0)
    by_hand = model.intercept_ + z.to_numpy() @ np.array([coef[c] for c in numeric])
    by_hand += coef["Gender_Male"] * (new["Gender"].str.strip() == "Male")
    by_hand += coef["Married_Yes"] * (new["Married"] == "Yes")
    by_hand += coef["Student_Yes"] * (new["Student"] == "Yes")
    for level in ("African American", "Asian", "Caucasian"):
        by_hand += coef[f"Ethnicity_{level}"] * (new["Ethnicity"] == level)
    assert predicted == pytest.approx(by_hand.to_numpy(), rel=1e-9)
    quiet = run("predict", "c.joblib", "credit_new.csv", "--ignore-unknown", cwd=work)
    assert check_ok(quiet) == result.stdout and quiet.stderr == ""


def test_swapped_model_and_data(work, credit_l1):
    check_error(run("predict", "Credit.csv", "c.joblib", cwd=work),
                "sparsereg: error: MODEL must be a model file written by 'sparsereg fit --save' "
                "(got 'Credit.csv', which looks like a CSV file: did you swap MODEL and DATA?)")


# 6. The table.

def test_one_number_format_down_each_column(hitters_l1):
    rows = table_rows(hitters_l1.stdout)
    coef_cells = [cells[0] for _, cells in rows]
    assert not any("e" in cell for cell in coef_cells)  # fixed notation throughout
    for cell in coef_cells:  # 4 significant digits, more only for 5 digits before the point
        integer = cell.lstrip("-").split(".")[0].lstrip("0")
        assert len(cell.lstrip("-").replace(".", "").lstrip("0")) == max(4, len(integer)), cell
    block = hitters_l1.stdout.split("largest |coef| first:\n", 1)[1].splitlines()
    points = {line.index(".") for line in block[1:len(rows) + 1]}  # the coef column's points
    assert len(points) == 1, block


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


# 7. The plot names the strongest lines.

def svg_texts(path):
    return set(re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text()))


def strongest(coef, saved, n=8):
    names = saved["feature_names_out"]
    order = [j for j in np.argsort(-np.abs(coef), kind="stable") if coef[j] != 0]
    return {names[j] for j in order[:n]}


def test_plot_labels_the_strongest_features(work, hitters_l1):
    saved = joblib.load(work / "h.joblib")
    coef = saved["pipeline"].named_steps["model"].coef_
    labels = svg_texts(work / "h.svg") & set(saved["feature_names_out"])
    assert np.count_nonzero(coef) >= 8
    assert labels == strongest(coef, saved)


def test_plot_labels_in_process(work, credit_l1):
    """The same labels, read from the figure's axes (``path_figure``, before it is saved)."""
    import argparse

    from sparsereg._cli_data import read_training_data
    from sparsereg._cli_plot import path_figure

    data = read_training_data(str(work / "Credit.csv"), "Balance", drop=["ID"])
    saved = joblib.load(work / "c.joblib")
    args = argparse.Namespace(cv=None, penalty="l1", tol=1e-10)
    fig = path_figure(saved["pipeline"], data.X, data.y, saved["feature_names_out"], args)
    texts = [t.get_text() for t in fig.axes[0].texts]
    coef = saved["pipeline"].named_steps["model"].coef_
    assert set(texts) == strongest(coef, saved)
    assert texts[0] == saved["feature_names_out"][int(np.argmax(np.abs(coef)))]


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


# 9. The help texts.

def test_help_texts_name_the_cleaning_options(tmp_path):
    fit = check_ok(run("fit", "--help", cwd=tmp_path))
    for option in ("--drop COL[,COL...]", "--sep CHAR", "--impute {mean,median,most_frequent}",
                   "Student_Yes", "rows whose target is missing are"):
        assert option in fit, option
    predict = check_ok(run("predict", "--help", cwd=tmp_path))
    assert "--ignore-unknown" in predict and "category levels" in predict
