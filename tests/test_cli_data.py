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
from _cli_helpers import (DATA, assert_same_fit, check_error, check_ok, clean_like_a_user,
                          printed_coefficients, run, saved_coefficients, table_rows,
                          value_after)

import sparsereg

HITTERS_NOTE = "sparsereg: note: dropped 59 of 322 rows whose target 'Salary' is missing"


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
    # predict sniffs its file too: the same predictions from either delimiter
    assert check_ok(run("predict", "h.joblib", name, cwd=work)) == \
        check_ok(run("predict", "h.joblib", "Hitters.csv", cwd=work))


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
