"""One set of parameter rules for every entry point.

Every estimator, CV estimator, :func:`~sparsereg.regularization_path` and
:func:`~sparsereg.alpha_max` checks its parameters with :func:`check_params`, which applies
the one rule :data:`RULES` holds for each name: a parameter means and accepts the same thing
wherever it appears, and is checked before any work on the data.
"""

import numpy as np

from ._problem._penalty import Bounds
from ._validation import (
    check_bool,
    check_bound,
    check_choice,
    check_penalty_factor,
    check_scalar_list,
    check_scalar_param,
    check_verbose,
)


def _real(low=None, high=None, low_inclusive=True):
    def rule(value, name, context):
        return float(check_scalar_param(value, name, low=low, high=high,
                                        low_inclusive=low_inclusive))
    return rule


def _integer(low=None):
    def rule(value, name, context):
        return int(check_scalar_param(value, name, low=low, integer=True))
    return rule


def _optional(rule):
    """``rule``, with None meaning "not given" (kept as None)."""
    def checked(value, name, context):
        return None if value is None else rule(value, name, context)
    return checked


def _fraction(value, name, context):
    """A share in [0, 1]; a non-empty list of them where the entry point compares several."""
    if name in context.get("lists", ()):
        return check_scalar_list(value, name, low=0.0, high=1.0)
    return float(check_scalar_param(value, name, low=0.0, high=1.0))


def _flag(value, name, context):
    return check_bool(value, name)


def _solver(value, name, context):
    return check_choice(value, name, context["solvers"], context.get("solver_context", ""))


def _selection(value, name, context):
    return check_choice(value, name, SELECTIONS)


def _penalty_factor(value, name, context):
    return check_penalty_factor(value, context["n_features"])


def _bound(value, name, context):
    return check_bound(value, name, context["n_features"])


def _verbose(value, name, context):
    return check_verbose(value, name)


SELECTIONS = ("min", "1se", "aic", "bic")

RULES = {
    "alpha": _real(low=0.0),
    "l1_ratio": _fraction,
    "relax": _optional(_fraction),
    "tol": _real(low=0.0),
    "max_iter": _integer(low=1),
    "eps": _optional(_real(low=0.0, high=1.0, low_inclusive=False)),
    "n_alphas": _integer(low=1),
    "n_jobs": _optional(_integer()),
    "noise_variance": _optional(_real(low=0.0, low_inclusive=False)),
    "fit_intercept": _flag,
    "positive": _flag,
    "lower_bounds": _bound,
    "upper_bounds": _bound,
    "warm_start": _flag,
    "store_cv_results": _flag,
    "verbose": _verbose,
    "solver": _solver,
    "selection": _selection,
    "penalty_factor": _penalty_factor,
}


def check_params(params, *, n_features=None, solvers=None, solver_context="", lists=()):
    """Check ``params`` (name -> value) by :data:`RULES`; returns the checked values.

    Parameters
    ----------
    params : dict
        The entry point's parameters, in the order their errors should be reported.
    n_features : int, optional
        Needed for ``penalty_factor``.
    solvers : tuple of str, optional
        The solvers the entry point accepts (needed for ``solver``).
    solver_context : str, default=""
        Qualifies the list of solvers in the error, e.g. ``" with penalty='l2'"``.
    lists : tuple of str, default=()
        Names that may be lists here (``l1_ratio`` and ``relax`` of the CV estimators).

    Returns
    -------
    dict
        Floats, ints, bools, lists or arrays, as each rule returns them; with ``positive``,
        ``lower_bounds`` or ``upper_bounds`` among ``params``, also ``"bounds"``: their
        :class:`~._problem.Bounds` (None when every coefficient is free).
    """
    context = dict(n_features=n_features, solvers=solvers, solver_context=solver_context,
                   lists=lists)
    checked = {name: RULES[name](value, name, context) for name, value in params.items()}
    if {"positive", "lower_bounds", "upper_bounds"} & checked.keys():
        checked["bounds"] = make_bounds(checked.get("positive", False),
                                        checked.get("lower_bounds"),
                                        checked.get("upper_bounds"), n_features)
    return checked


def make_bounds(positive, lower, upper, n_features):
    """The :class:`~._problem.Bounds` of checked ``positive``, ``lower_bounds`` and
    ``upper_bounds``, or None when every coefficient is free. ``positive=True`` is
    ``lower_bounds=0``: giving both is ambiguous and refused."""
    if positive and lower is not None:
        raise ValueError("positive=True is lower_bounds=0: give one of them, not both "
                         f"(got lower_bounds={lower!r}).")
    if positive:
        lower = np.zeros(n_features)
    if lower is None and upper is None:
        return None
    lower = np.full(n_features, -np.inf) if lower is None else lower
    upper = np.full(n_features, np.inf) if upper is None else upper
    if np.all(lower == -np.inf) and np.all(upper == np.inf):
        return None
    return Bounds(lower, upper)


def check_relax_l1_ratio(relax, l1_ratios):
    """The relaxed lasso refits the support an L1 penalty selects: with ``l1_ratio = 0``
    (ridge) the support is every feature and the "relaxed" fit is plain least squares."""
    if relax is not None and min(np.atleast_1d(l1_ratios)) == 0.0:
        raise ValueError("relax applies to penalties with an L1 part, not to l1_ratio=0 "
                         f"(ridge, penalty='l2'); got relax={relax!r} with "
                         f"l1_ratio={list(np.atleast_1d(l1_ratios))}.")


BOX_SOLVERS = ("auto", "cd", "gram")  # the coordinate-descent solvers: they keep a box


def check_box_solver(bounds, solver):
    """Only coordinate descent keeps a box: the direct and matrix-free ridge solvers named
    by ``solver`` cannot (their ``"auto"`` then means coordinate descent)."""
    if bounds is not None and solver not in BOX_SOLVERS:
        raise ValueError(f"solver={solver!r} cannot keep lower_bounds/upper_bounds/positive: "
                         "use solver='auto' (coordinate descent on the box).")
