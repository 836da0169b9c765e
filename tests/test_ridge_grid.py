"""The default L2 grid contains the answer: on real data (diabetes; ISLP's Hitters and
Credit, shipped in ``tests/data`` with their license) leave-one-out chooses an interior
alpha, the same one scikit-learn's ``RidgeCV`` chooses on that grid, and the path runs from
coefficients near 0 to near least squares (computed independently by ``lstsq``). The path
and the CV estimator share one default grid."""

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import RidgeCV

from sparsereg import L2RegressorCV, regularization_path

DATA = Path(__file__).parent / "data"


def read_islp(name, target, drop=()):
    """A numeric design from an ISLP CSV: rows with a missing target dropped, text columns
    as indicators of all levels but the first (sorted)."""
    with open(DATA / name, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r[target].strip() != ""]
    columns = []
    for key in rows[0]:
        if key == target or key in drop:
            continue
        values = [r[key].strip() for r in rows]
        try:
            columns.append(np.array(values, dtype=float))
        except ValueError:
            for level in sorted(set(values))[1:]:
                columns.append(np.array([v == level for v in values], dtype=float))
    return np.column_stack(columns), np.array([float(r[target]) for r in rows])


def datasets():
    X, y = load_diabetes(return_X_y=True)
    return {"diabetes": (X, y),
            "Hitters": read_islp("Hitters.csv", "Salary"),
            "Credit": read_islp("Credit.csv", "Balance", drop=("ID",))}


DATASETS = datasets()


@pytest.mark.parametrize("name", list(DATASETS))
def test_default_leave_one_out_choice_is_interior_and_matches_ridgecv(name):
    X, y = DATASETS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no edge warning
        model = L2RegressorCV().fit(X, y)
    k = int(np.flatnonzero(model.alphas_ == model.alpha_)[0])
    assert 0 < k < len(model.alphas_) - 1
    # scikit-learn's exact leave-one-out on the same grid (its alpha is n times ours)
    n = X.shape[0]
    ref = RidgeCV(alphas=model.alphas_ * n).fit(X, y)
    assert ref.alpha_ / n == pytest.approx(model.alpha_, rel=1e-9)


@pytest.mark.parametrize("name", list(DATASETS))
def test_default_l2_path_runs_from_near_zero_to_near_least_squares(name):
    X, y = DATASETS[name]
    path = regularization_path(X, y, penalty="l2")
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    ls = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    scale = np.abs(ls).max()
    assert np.abs(path.coefs[0]).max() <= 0.02 * scale
    assert np.abs(path.coefs[-1] - ls).max() <= 0.02 * scale
    # one default grid for the path and the CV estimator
    np.testing.assert_allclose(path.alphas, L2RegressorCV().fit(X, y).alphas_, rtol=1e-12)


def test_eps_still_sets_the_bottom_of_the_l2_grid():
    X, y = DATASETS["diabetes"]
    path = regularization_path(X, y, penalty="l2", eps=1e-4, n_alphas=10)
    assert path.alphas[-1] == pytest.approx(1e-4 * path.alphas[0], rel=1e-12)


def test_one_decomposition_serves_the_grid_and_the_fits(monkeypatch):
    """The L2 grid comes from the decomposition the path (or leave-one-out) uses anyway."""
    import sparsereg._ridge as ridge

    calls = []
    of = ridge.RidgeSpectrum.of.__func__

    def spy(cls, *args, **kwargs):
        calls.append(1)
        return of(cls, *args, **kwargs)

    monkeypatch.setattr(ridge.RidgeSpectrum, "of", classmethod(spy))
    X, y = DATASETS["diabetes"]
    regularization_path(X, y, penalty="l2")
    assert len(calls) == 1
    calls.clear()
    L2RegressorCV().fit(X, y)  # leave-one-out, its grid and the refit
    assert len(calls) == 1
