"""The command-line tool (docs/cli.rst): ``sparsereg fit`` / ``predict`` run as subprocesses.

The CSV is scikit-learn's diabetes data in its original units plus a three-level text column
("region") with a real effect on the target, so the one-hot encoding and the standardization
are both exercised. Expected coefficients come from scikit-learn's Lasso / Ridge on a design
built here with numpy (standardized numeric columns, 0/1 region columns), never from the
CLI's own pipeline. Each subprocess costs about a second (imports), so the fits that several
tests inspect are run once per module.
"""

import os
import re
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Lasso, Ridge

from _cli_helpers import (check_error, check_ok, printed_coefficients, run, run_in_process,
                         value_after)
from sparsereg import ElasticNetRegressorCV, L1RegressorCV, L2RegressorCV
from sparsereg.__main__ import main

REGIONS = ("north", "south", "west")
NUMERIC = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def independent_design(frame):
    """Standardized numeric columns (population std, as StandardScaler) and region dummies."""
    X = frame[NUMERIC].to_numpy(dtype=float)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    dummies = (frame["region"].to_numpy()[:, None] == np.array(REGIONS)).astype(float)
    return np.hstack([X, dummies]), NUMERIC + [f"region_{r}" for r in REGIONS]


def coefs_by_name(model_file):
    saved = joblib.load(model_file)
    est = saved["pipeline"].named_steps["model"]
    return dict(zip(saved["feature_names_out"], est.coef_)), saved


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A folder with the CSV files that the tests read."""
    folder = tmp_path_factory.mktemp("cli")
    data = load_diabetes(as_frame=True, scaled=False).frame
    rng = np.random.default_rng(0)
    region = rng.choice(REGIONS, len(data))
    data["target"] += np.select([region == "north", region == "west"], [25.0, -15.0], 0.0)
    data.insert(3, "region", region)
    data.to_csv(folder / "diabetes.csv", index=False)
    data.drop(columns="target").to_csv(folder / "features.csv", index=False)

    bad = data.copy()
    bad.loc[[3, 10], "bmi"] = np.nan
    bad.loc[10, "s5"] = np.nan
    bad.to_csv(folder / "nan.csv", index=False)
    bad = data.copy()
    bad["target"] = bad["target"].astype(str)
    bad.loc[4, "target"] = "high"
    bad.to_csv(folder / "text_target.csv", index=False)
    data.drop(columns="target").assign(zip_code=1).to_csv(folder / "extra.csv", index=False)
    data.drop(columns=["target", "bmi"]).to_csv(folder / "missing.csv", index=False)
    (folder / "empty.csv").write_text("")
    (folder / "header_only.csv").write_text("age,bmi,target\n")
    (folder / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe\x00" * 20)
    joblib.dump({"pipeline": None}, folder / "foreign.joblib")
    return folder


@pytest.fixture(scope="module")
def l1_fit(work):
    """``fit --penalty l1 --alpha 2`` with a tight tolerance, a plot and a saved model."""
    result = run("fit", "diabetes.csv", "--target", "target", "--penalty", "l1", "--alpha", 2,
                 "--tol", 1e-10, "--plot", "l1.png", "--save", "l1.joblib", cwd=work)
    return check_ok(result)


@pytest.fixture(scope="module")
def cv_fit(work):
    """``fit --cv 3 --verbose`` with a plot and a saved model."""
    result = run("fit", "diabetes.csv", "--target", "target", "--penalty", "l1", "--cv", 3,
                 "--verbose", "--plot", "cv.png", "--save", "cv.joblib", cwd=work)
    check_ok(result)
    return result


def test_l1_coefficients_equal_sklearn_lasso(work, l1_fit):
    X, names = independent_design(pd.read_csv(work / "diabetes.csv"))
    y = pd.read_csv(work / "diabetes.csv")["target"].to_numpy()
    lasso = Lasso(alpha=2.0, tol=1e-12, max_iter=1_000_000).fit(X, y)
    expected = dict(zip(names, lasso.coef_))
    saved, _ = coefs_by_name(work / "l1.joblib")
    scale = np.abs(lasso.coef_).max()
    for name in names:
        assert saved[name] == pytest.approx(expected[name], abs=1e-6 * scale), name
    # The table lists exactly the nonzero coefficients, to the printed 4 significant digits.
    printed = printed_coefficients(l1_fit)
    assert set(printed) == {n for n in names if expected[n] != 0}
    for name, value in printed.items():
        assert value == pytest.approx(expected[name], rel=5e-4, abs=1e-6 * scale)
    assert list(printed) == sorted(printed, key=lambda n: -abs(printed[n]))
    assert "region_north" in printed  # the one-hot column carries the region effect


def test_l1_report_lines(work, l1_fit):
    _, saved = coefs_by_name(work / "l1.joblib")
    est = saved["pipeline"].named_steps["model"]
    assert 0 < est.n_nonzero_ < 13  # moderate alpha: some exact zeros
    assert f"{est.n_nonzero_} of 13 features nonzero" in l1_fit
    assert value_after("alpha", l1_fit) == 2.0
    frame = pd.read_csv(work / "diabetes.csv")
    r2 = saved["pipeline"].score(frame[saved["features"]], frame["target"])
    assert value_after("training R^2", l1_fit) == pytest.approx(r2, rel=5e-4)
    assert value_after("duality gap", l1_fit) == pytest.approx(est.dual_gap_, rel=1e-3, abs=1e-12)
    assert "CV MSE" not in l1_fit


def test_l2_keeps_every_feature_and_equals_ridge(work):
    out = check_ok(run("fit", "diabetes.csv", "-t", "target", "--penalty", "l2", "--alpha", 0.05,
                       "--save", "l2.joblib", cwd=work))
    assert "13 of 13 features nonzero" in out
    frame = pd.read_csv(work / "diabetes.csv")
    X, names = independent_design(frame)
    ridge = Ridge(alpha=0.05 * len(frame)).fit(X, frame["target"])  # sparsereg's alpha scale
    saved, _ = coefs_by_name(work / "l2.joblib")
    assert [saved[n] for n in names] == pytest.approx(ridge.coef_, rel=1e-6, abs=1e-8)


def test_cv_prints_the_cv_score_of_the_chosen_alpha(work, cv_fit):
    est = joblib.load(work / "cv.joblib")["pipeline"].named_steps["model"]
    assert est.cv == 3 and est.selection == "min"
    k = int(np.flatnonzero(est.alphas_ == est.alpha_)[0])
    assert value_after("CV MSE", cv_fit.stdout) == pytest.approx(est.mse_path_[k].mean(),
                                                                 rel=5e-4)
    assert value_after("alpha", cv_fit.stdout) == pytest.approx(est.alpha_, rel=5e-4)
    assert f"{est.n_nonzero_} of 13 features nonzero" in cv_fit.stdout
    assert "rule min" in cv_fit.stdout


def test_verbose_prints_one_progress_line_per_fold(cv_fit):
    folds = [line for line in cv_fit.stderr.splitlines() if re.search(r"fold \d done", line)]
    assert len(folds) == 3
    assert {line.split("(")[-1] for line in folds} == {f"{i}/3 folds)" for i in (1, 2, 3)}
    assert "sparsereg: error" not in cv_fit.stderr


def test_elasticnet_cv_with_1se_rule(work):
    out = check_ok(run("fit", "diabetes.csv", "-t", "target", "--penalty", "elasticnet",
                       "--l1-ratio", 0.7, "--cv", 3, "--selection", "1se", "--save", "en.joblib",
                       cwd=work))
    est = joblib.load(work / "en.joblib")["pipeline"].named_steps["model"]
    assert type(est).__name__ == "ElasticNetRegressorCV"
    assert est.l1_ratio == 0.7 and est.alpha_ == est.alpha_1se_ >= est.alpha_min_
    assert "rule 1se" in out and "l1_ratio=0.7" in out


def test_warns_when_cv_stops_at_the_grid_edge(work):
    # A grid of three decades below its top stops far too high here.
    edge = run("fit", "diabetes.csv", "-t", "target", "--penalty", "l2", "--cv", 3,
               "--eps", 1e-3, cwd=work)
    check_ok(edge)
    assert edge.stderr.startswith("sparsereg: warning: the chosen alpha")
    assert len(edge.stderr.splitlines()) == 1 and "--eps" in edge.stderr
    wide = run("fit", "diabetes.csv", "-t", "target", "--penalty", "l2", "--cv", 3,
               "--eps", 1e-9, cwd=work)
    assert "warning" not in check_ok(wide) + wide.stderr
    assert value_after("training R^2", wide.stdout) > value_after("training R^2",
                                                                    edge.stdout)


@pytest.mark.parametrize("name", ["l1.png", "cv.png"])
def test_plot_writes_a_png(work, l1_fit, cv_fit, name):
    data = (work / name).read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000


def test_predict_round_trip(work, l1_fit):
    saved = joblib.load(work / "l1.joblib")
    features = pd.read_csv(work / "features.csv")
    expected = saved["pipeline"].predict(features[saved["features"]])
    # Without the target column, to stdout.
    out = check_ok(run("predict", "l1.joblib", "features.csv", cwd=work))
    assert out.splitlines()[0] == "target_pred"
    assert np.array(out.splitlines()[1:], dtype=float) == pytest.approx(expected, rel=1e-12)
    # With the target column present (ignored), to a file.
    check_ok(run("predict", "l1.joblib", "diabetes.csv", "--output", "pred.csv", cwd=work))
    written = pd.read_csv(work / "pred.csv")
    assert list(written.columns) == ["target_pred"]
    assert written["target_pred"].to_numpy() == pytest.approx(expected, rel=1e-12)


def test_predict_ignore_unknown(work, l1_fit):
    out = check_ok(run("predict", "l1.joblib", "extra.csv", "--ignore-unknown", cwd=work))
    assert len(out.splitlines()) == 443


NAN_MESSAGE = ("2 row(s) have missing values, in column(s) 'bmi' (2), 's5' (1): fill them with "
               "--impute {mean,median,most_frequent}, or leave the columns out with --drop")
FIT_ERRORS = [
    (["no_such.csv", "-t", "target"], "no such file: no_such.csv"),
    (["diabetes.csv", "-t", "price"], "target column 'price' not found"),
    (["nan.csv", "-t", "target"], NAN_MESSAGE),
    (["empty.csv", "-t", "target"], "empty.csv is empty"),
    (["header_only.csv", "-t", "target"], "no data rows"),
    (["binary.csv", "-t", "target"], "cannot read binary.csv as CSV"),
    (["text_target.csv", "-t", "target"], "'target' is not numeric (value 'high' in data row 5"),
    (["diabetes.csv", "-t", "target", "--alpha", "-1"], "--alpha must be"),
    (["diabetes.csv", "-t", "target", "--cv", "1"], "--cv needs at least 2 folds"),
    (["diabetes.csv", "-t", "target", "--penalty", "elasticnet", "--l1-ratio", "1.5"],
     "--l1-ratio must be in [0, 1]"),
    (["diabetes.csv", "-t", "target", "--cv", "1000"], "n_splits=1000"),
    (["diabetes.csv", "-t", "target", "--eps", "0"], "--eps must be in (0, 1)"),
    (["diabetes.csv", "-t", "target", "--plot", "no_dir/p.png"], "does not exist"),
]


@pytest.mark.parametrize("args, fragment", FIT_ERRORS, ids=[f for _, f in FIT_ERRORS])
def test_fit_errors(work, capsys, monkeypatch, args, fragment):
    check_error(run_in_process("fit", *args, cwd=work, capsys=capsys, monkeypatch=monkeypatch),
                fragment)


SWAPPED = ("MODEL must be a model file written by 'sparsereg fit --save' (got 'diabetes.csv', "
           "which looks like a CSV file: did you swap MODEL and DATA?)")
PREDICT_ERRORS = [
    (["l1.joblib", "extra.csv"], "the model was not fitted on: 'zip_code'"),
    (["l1.joblib", "missing.csv"], "lacks the model's feature column(s) 'bmi'"),
    (["l1.joblib", "nan.csv"], "the model was fitted without --impute, so it cannot fill them"),
    (["diabetes.csv", "features.csv"], SWAPPED),
    (["foreign.joblib", "features.csv"], "(got 'foreign.joblib', a joblib file that sparsereg "
                                         "did not write)"),
    (["l1.joblib", "l1.joblib"], "l1.joblib is not a CSV file: it looks like a model file"),
    (["absent.joblib", "features.csv"], "no such file: absent.joblib"),
]


@pytest.mark.parametrize("args, fragment", PREDICT_ERRORS, ids=[f for _, f in PREDICT_ERRORS])
def test_predict_errors(work, l1_fit, capsys, monkeypatch, args, fragment):
    check_error(run_in_process("predict", *args, cwd=work, capsys=capsys,
                               monkeypatch=monkeypatch), fragment)


@pytest.mark.parametrize("args, fragment", [
    (["fit", "nan.csv", "-t", "target"], NAN_MESSAGE),
    (["fit", "diabetes.csv", "-t", "target", "--alpha", "-1"], "--alpha must be"),
    (["predict", "diabetes.csv", "features.csv"], SWAPPED),
    (["predict", "l1.joblib", "features.csv", "-o", "features.csv", "--force"],
     "--output features.csv is the data file features.csv"),
], ids=["nan", "alpha", "model", "overwrite"])
def test_errors_in_a_real_process(work, args, fragment):
    """A few of the cases above as real processes: exit status and stderr as a shell sees."""
    check_error(run(*args, cwd=work), fragment)


def test_alpha_and_cv_are_exclusive(work):
    result = run("fit", "diabetes.csv", "-t", "target", "--alpha", 1, "--cv", 3, cwd=work)
    assert result.returncode == 2  # an argparse usage error
    assert "not allowed with argument" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_still_works(tmp_path):
    out = check_ok(run("demo", cwd=tmp_path))
    assert "n_nonzero" in out


# No silent overwrite (docs/cli.rst, "Output files"): outputs are checked before any input is
# read.

@pytest.fixture
def small(tmp_path, capsys):
    """A folder with a 60-row CSV ``d.csv`` (target ``y``) and a model ``m.joblib`` fitted on
    it, both made in process (a few milliseconds)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["y"] = X @ [1.0, -2.0, 0.0] + rng.normal(size=60)
    frame.to_csv(tmp_path / "d.csv", index=False)
    assert main(["fit", str(tmp_path / "d.csv"), "-t", "y", "--alpha", "0.1",
                 "--save", str(tmp_path / "m.joblib")]) == 0
    capsys.readouterr()
    return tmp_path


def snapshot(folder):
    """{name: bytes} of the regular files of ``folder``: any file written, added (a leftover
    temporary file) or removed shows as a difference."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.is_symlink()}


FIT = ["fit", "d.csv", "-t", "y", "--alpha", "0.1"]
ONTO_AN_INPUT = [
    (["predict", "m.joblib", "d.csv", "-o", "d.csv"], "--output d.csv is the data file d.csv"),
    (["predict", "m.joblib", "d.csv", "-o", "m.joblib"],
     "--output m.joblib is the model file m.joblib"),
    (FIT + ["--save", "d.csv"], "--save d.csv is the data file d.csv"),
    (FIT + ["--plot", "d.csv"], "--plot d.csv is the data file d.csv"),
]


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
@pytest.mark.parametrize("args, fragment", ONTO_AN_INPUT, ids=[f for _, f in ONTO_AN_INPUT])
def test_output_onto_an_input_is_refused(small, capsys, monkeypatch, args, fragment, force):
    before = snapshot(small)
    result = run_in_process(*args, *force, cwd=small, capsys=capsys, monkeypatch=monkeypatch)
    check_error(result, fragment)
    assert "refusing to overwrite an input file, even with --force" in result.stderr
    assert snapshot(small) == before


ALIASES = ["./d.csv", "absolute", "sub/../d.csv", "symlink.csv", "here/d.csv", "hardlink.csv"]


@pytest.mark.parametrize("alias", ALIASES)
def test_aliases_of_an_input_are_refused(small, capsys, monkeypatch, alias):
    """Another name of the input file is the input file: compared as files, not strings."""
    (small / "sub").mkdir()
    os.symlink("d.csv", small / "symlink.csv")
    os.symlink(small, small / "here", target_is_directory=True)
    os.link(small / "d.csv", small / "hardlink.csv")
    if alias == "absolute":
        alias = str(small / "d.csv")
    before = snapshot(small)
    for args, option in [(FIT + ["--save", alias], "--save"),
                         (["predict", "m.joblib", "d.csv", "-o", alias], "--output"),
                         (["predict", "m.joblib", alias, "-o", "d.csv"], "--output")]:
        result = run_in_process(*args, "--force", cwd=small, capsys=capsys,
                                monkeypatch=monkeypatch)
        check_error(result, f"{option} ")
        assert "is the data file" in result.stderr
        assert snapshot(small) == before


EXISTING = [
    (FIT + ["--save", "old.joblib"], "--save old.joblib"),
    (FIT + ["--plot", "old.png"], "--plot old.png"),
    (["predict", "m.joblib", "d.csv", "--output", "old.csv"], "--output old.csv"),
]


@pytest.mark.parametrize("args, option", EXISTING, ids=[o for _, o in EXISTING])
def test_existing_output_needs_force(small, capsys, monkeypatch, args, option):
    name = args[-1]
    (small / name).write_bytes(b"an earlier result")
    before = snapshot(small)
    refused = run_in_process(*args, cwd=small, capsys=capsys, monkeypatch=monkeypatch)
    check_error(refused, f"{option} already exists; pass --force to overwrite it")
    assert snapshot(small) == before

    check_ok(run_in_process(*args, "--force", cwd=small, capsys=capsys,
                            monkeypatch=monkeypatch))
    after = snapshot(small)
    assert set(after) == set(before)  # no temporary file left behind
    assert {n for n in after if after[n] != before[n]} == {name}
    if name.endswith(".joblib"):
        assert joblib.load(small / name)["target"] == "y"
    elif name.endswith(".png"):
        assert after[name].startswith(b"\x89PNG")
    else:
        assert list(pd.read_csv(small / name).columns) == ["y_pred"]


REFUSED = [args + extra for args, _ in ONTO_AN_INPUT for extra in ([], ["--force"])] + [
    args for args, _ in EXISTING]


@pytest.mark.parametrize("args", REFUSED, ids=" ".join)
def test_refusal_comes_before_any_work(small, capsys, monkeypatch, args):
    """Nothing is read, loaded or fitted when an output is refused."""
    import sparsereg._cli as cli

    for existing, _ in EXISTING:
        (small / existing[-1]).write_bytes(b"an earlier result")

    def forbidden(*args, **kwargs):
        raise AssertionError("work done before the output paths were checked")

    for function in ("read_training_data", "read_prediction_data", "load_model",
                     "build_pipeline"):
        monkeypatch.setattr(cli, function, forbidden)
    check_error(run_in_process(*args, cwd=small, capsys=capsys, monkeypatch=monkeypatch),
                "sparsereg: error: -")


def test_outputs_of_one_command_must_differ(small, capsys, monkeypatch):
    before = snapshot(small)
    result = run_in_process(*FIT, "--plot", "p.png", "--save", "./p.png", "--force", cwd=small,
                            capsys=capsys, monkeypatch=monkeypatch)
    check_error(result, "--save ./p.png is the same file as --plot p.png")
    assert snapshot(small) == before


def test_output_that_is_a_directory_is_refused(small, capsys, monkeypatch):
    (small / "sub").mkdir()
    result = run_in_process(*FIT, "--save", "sub", "--force", cwd=small, capsys=capsys,
                            monkeypatch=monkeypatch)
    check_error(result, "--save sub is a directory")


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()],
                         ids=["error", "interrupt"])
def test_interrupted_write_keeps_the_old_file(small, capsys, monkeypatch, failure):
    """The model is written under a temporary name: a failure half-way leaves m.joblib whole
    and no temporary file."""
    def half_a_dump(value, filename):
        Path(filename).write_bytes(b"half a model")
        raise failure

    monkeypatch.setattr(joblib, "dump", half_a_dump)
    before = snapshot(small)
    args = FIT + ["--save", "m.joblib", "--force"]
    if isinstance(failure, KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            run_in_process(*args, cwd=small, capsys=capsys, monkeypatch=monkeypatch)
    else:
        check_error(run_in_process(*args, cwd=small, capsys=capsys, monkeypatch=monkeypatch),
                    "cannot save the model to m.joblib: disk full")
    assert snapshot(small) == before


def test_force_writes_through_a_symlinked_output(small, capsys, monkeypatch):
    """With --force, an output symlink is followed (as open() would), not replaced."""
    (small / "runs").mkdir()
    (small / "runs" / "v1.csv").write_text("old\n")
    os.symlink(Path("runs") / "v1.csv", small / "latest.csv")
    check_ok(run_in_process("predict", "m.joblib", "d.csv", "-o", "latest.csv", "--force",
                            cwd=small, capsys=capsys, monkeypatch=monkeypatch))
    assert (small / "latest.csv").is_symlink()
    assert list(pd.read_csv(small / "runs" / "v1.csv").columns) == ["y_pred"]
    assert sorted(os.listdir(small / "runs")) == ["v1.csv"]


# The verbose parameter of the CV estimators, in process.

def diabetes():
    return load_diabetes(return_X_y=True)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_cv_verbose_reports_each_fold(capsys, n_jobs):
    X, y = diabetes()
    L1RegressorCV(cv=4, alphas=10, verbose=1, n_jobs=n_jobs).fit(X, y)
    err = capsys.readouterr().err.splitlines()
    folds = [line for line in err if " done in " in line]
    assert len(folds) == 4 and all(line.startswith("[L1RegressorCV]") for line in folds)
    assert sorted(int(re.search(r"fold (\d)", line).group(1)) for line in folds) == [1, 2, 3, 4]
    assert [line.split("(")[-1] for line in folds] == [f"{i}/4 folds)" for i in (1, 2, 3, 4)]
    assert sum("min mean CV MSE" in line for line in err) == 1


def test_cv_verbose_one_summary_per_l1_ratio(capsys):
    X, y = diabetes()
    ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], cv=3, alphas=10, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert err.count("min mean CV MSE") == 2 and err.count(" done in ") == 6
    assert "l1_ratio=0.5" in err and "l1_ratio=1" in err


def test_cv_verbose_leave_one_out_ridge(capsys):
    X, y = diabetes()
    L2RegressorCV(alphas=10, verbose=1).fit(X, y)
    assert "exact leave-one-out" in capsys.readouterr().err


@pytest.mark.parametrize("cls", [L1RegressorCV, L2RegressorCV, ElasticNetRegressorCV])
def test_cv_silent_by_default(capsys, cls):
    assert cls().get_params()["verbose"] == 0
    X, y = diabetes()
    model = cls(cv=3, alphas=10).fit(X, y)
    assert capsys.readouterr().err == ""
    verbose = cls(cv=3, alphas=10, verbose=2).fit(X, y)
    assert verbose.get_params()["verbose"] == 2  # stored unchanged
    assert verbose.alpha_ == model.alpha_
    np.testing.assert_array_equal(verbose.coef_, model.coef_)
