"""Numpydoc docstrings composed from named pieces.

The cross-validated estimators share most of their parameter and attribute entries. Each
entry is a named piece here (:data:`PARAMETERS`, :data:`CV_ATTRIBUTES`); an estimator's
docstring is assembled by :func:`compose` from pieces, with its own defaults passed as values
(``param("eps", default=1e-6)``), never by editing shared text. The ``{"a", "b"}`` lists of
choices are generated from the tuples that ``fit`` validates against, which the estimators
pass in (:func:`solver_entry`, ``param("selection", choices=...)``): a documented list cannot
drift from the accepted one.

This module imports nothing from sparsereg, so any module can use it without an import
cycle.
"""

import re
import textwrap
from dataclasses import dataclass

__all__ = ["CV_ATTRIBUTES", "LOO_SPLITTER", "PARAMETERS", "RELAX_NOT_RIDGE", "RIDGE_GRID",
           "Entry", "Piece", "choices", "compose", "cv_attributes", "literal", "param",
           "regressor_cv_parameters", "solver_entry"]

WIDTH = 96  # rendered line length, indentation included
ENTRY_INDENT = " " * 4
TEXT_INDENT = " " * 8
_NO_DEFAULT = object()


def literal(value):
    """A default value as numpydoc writes it: ``"auto"``, ``None``, ``1e-3``, ``0.5``."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        mantissa, exponent = f"{value:.0e}".split("e")
        short = f"{mantissa}e{int(exponent)}"
        if float(short) == value and len(short) < len(repr(value)):
            return short
    return repr(value)


def choices(values):
    """``{"a", "b"}``: the numpydoc type of a parameter taking one of ``values``."""
    return "{" + ", ".join(literal(v) for v in values) + "}"


_choices = choices  # param() has a keyword of that name


def _wrap(text, indent, width=WIDTH):
    """Fill ``text`` at ``width``, never breaking inside an inline literal ````...````."""
    protected = re.sub(r"``.+?``", lambda m: m.group().replace(" ", "\0"), " ".join(text.split()))
    lines = textwrap.wrap(protected, width=width, initial_indent=indent, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False)
    return "\n".join(line.replace("\0", " ") for line in lines)


@dataclass(frozen=True)
class Entry:
    """One entry of a Parameters or Attributes section: ``name : type`` and its text."""

    name: str
    type: str | None
    text: str

    def render(self):
        head = ENTRY_INDENT + (self.name if self.type is None else f"{self.name} : {self.type}")
        return head + "\n" + _wrap(self.text, TEXT_INDENT) + "\n"


@dataclass(frozen=True)
class Piece:
    """A shared parameter entry: type, usual default and text.

    ``text`` may hold ``{field}`` slots, filled by :func:`param` keywords (every slot has a
    value in ``fields``, which the caller may override); ``type`` may hold ``{choices}``,
    filled from the tuple of accepted values the caller passes.
    """

    type: str
    default: object
    text: str
    fields: tuple = ()


# -- Parameters of the cross-validated estimators ----------------------------------------

PARAMETERS = {
    "l1_ratio": Piece(
        "float or list of float", 0.5,
        "L1 share of the penalty, in [0, 1]; with a (non-empty) list, the best (l1_ratio, "
        "alpha) pair is chosen."),
    "alphas": Piece(
        "None, int or array-like", None,
        "The grid: None for 100 log-spaced values from ``alpha_max`` down to "
        "``eps * alpha_max``, an int for that many, or explicit values."),
    "eps": Piece(
        "float", None,
        "Ratio of the smallest to the largest alpha of the automatic grid; None: 1e-3 for "
        "L1 and elastic net, the design's spectrum for L2 (the grid of "
        ":func:`regularization_path` with ``penalty=\"l2\"``)."),
    "cv": Piece(
        "int, cross-validation generator or iterable", 5,
        "{splitter}; ``groups`` given to ``fit`` are passed through. With dask input, an int: "
        "the number of folds, each a group of consecutive whole chunks.",
        fields=(("splitter", "Any scikit-learn splitter"),)),
    "store_cv_results": Piece(
        "bool", False,
        "With leave-one-out (``cv=None``), also keep every sample's error at every alpha in "
        "``mse_path_``, of shape (n_alphas, n_samples), as scikit-learn's ``RidgeCV`` keeps "
        "``cv_results_``. By default only their mean and standard error per alpha are kept "
        "(``mse_mean_``, ``mse_se_``: all that selection uses), and ``mse_path_`` is None, so "
        "that the fitted estimator's size does not grow with n_samples. With k-fold "
        "cross-validation it changes nothing: ``mse_path_`` always holds the (n_alphas, "
        "n_folds) errors."),
    "selection": Piece(
        "{choices}", "min",
        "Choose the alpha with the smallest mean CV error, or the largest alpha within one "
        "standard error of it (glmnet's ``lambda.1se``: a sparser, more regularized model), "
        "or the alpha minimising an information criterion on the full-data path."),
    "noise_variance": Piece(
        "float", None,
        "The noise variance sigma^2 (> 0) for ``selection=\"aic\"``/``\"bic\"``; estimated "
        "by least squares when n > p + 1 (otherwise required, and checked before any fold "
        "is fitted)."),
    "n_jobs": Piece(
        "int", None,
        "Folds run in this many threads (the kernels release the GIL)."),
    "fit_intercept": Piece(
        "bool", True,
        "Fit an unpenalized intercept."),
    "penalty_factor": Piece(
        "array-like of shape (n_features,)", None,
        "Per-feature penalty multipliers; 0 means unpenalized."),
    "positive": Piece(
        "bool", False,
        "Non-negative coefficients (``lower_bounds=0``)."),
    "lower_bounds": Piece(
        "float or array-like of shape (n_features,)", None,
        "Lower bounds of the coefficients (<= 0; ``-inf``: none; a scalar applies to every "
        "feature), glmnet's ``lower.limits``: kept by every coordinate update, accounted for "
        "by the duality gap and screening. Not with ``positive=True`` (which is "
        "``lower_bounds=0``)."),
    "upper_bounds": Piece(
        "float or array-like of shape (n_features,)", None,
        "Upper bounds of the coefficients (>= 0; ``inf``: none), glmnet's ``upper.limits``."),
    "relax": Piece(
        "float or list of float", None,
        "Relaxed lasso (glmnet's ``relax=TRUE``): blend ``gamma * coef + (1 - gamma) * OLS "
        "refit on the support``; with a list, the best (gamma, alpha) pair is chosen by CV."),
    "max_iter": Piece(
        "int", 1000,
        "Maximum epochs per alpha."),
    "tol": Piece(
        "float", 1e-4,
        "Relative duality-gap tolerance at every alpha, and the settling test (``L1Regressor``)."),
    "loss": Piece(
        "{\"squared_error\", \"poisson\", \"gamma\", \"tweedie\"}", "squared_error",
        "The datafit, as in :class:`ElasticNetRegressor`: with ``\"poisson\"``, "
        "``\"gamma\"`` or ``\"tweedie\"`` every fold's path is scored by its held-out mean "
        "half deviance (``mse_path_`` and ``mse_mean_`` then hold deviances), ``cv=None`` "
        "means 5 folds and ``selection`` is ``\"min\"`` or ``\"1se\"``."),
    "power": Piece(
        "float", 1.5,
        "The Tweedie power for ``loss=\"tweedie\"``, in [1, 2]."),
    "verbose": Piece(
        "int or bool", 0,
        "When > 0 (or True), print a progress line to stderr as each fold completes and per "
        "l1_ratio."),
}

# Extra sentences and field values some estimators add to a shared piece.
RELAX_NOT_RIDGE = ("Values in [0, 1]; not with an ``l1_ratio`` of 0 (ridge has no support "
                   "to refit).")
RIDGE_GRID = ("The automatic grid runs from 100 times the largest eigenvalue of the centred "
              "Gram matrix ``X^T X / S`` (every coefficient near 0) to its smallest nonzero "
              "eigenvalue divided by 1000 (near least squares); with leave-one-out every "
              "alpha costs O(n k) after one decomposition.")
LOO_SPLITTER = "None for exact leave-one-out, else any splitter"


def param(name, *, default=_NO_DEFAULT, extra=None, choices=None, **fields):
    """The entry of the shared parameter ``name`` (a key of :data:`PARAMETERS`).

    ``default`` replaces the usual default (a value, written as numpydoc does); ``extra`` is
    appended to the text; ``choices`` (the tuple of accepted values) fills a ``{choices}``
    type; other keywords fill the text's ``{field}`` slots (an unknown one is a TypeError).
    """
    piece = PARAMETERS[name]
    slots = dict(piece.fields)
    unknown = set(fields) - set(slots)
    if unknown:
        raise TypeError(f"param({name!r}) has no field {sorted(unknown)}")
    text = piece.text.format(**{**slots, **fields}) if slots else piece.text
    if extra:
        text = f"{text} {extra}"
    type_ = piece.type
    if "{choices}" in type_:
        if choices is None:
            raise TypeError(f"param({name!r}) needs the tuple of accepted values (choices=)")
        type_ = type_.format(choices=_choices(choices))
    default = piece.default if default is _NO_DEFAULT else default
    return Entry(name, f"{type_}, default={literal(default)}", text)


def solver_entry(solvers, text, default="auto"):
    """The ``solver`` entry: ``{...}`` generated from the accepted ``solvers`` tuple."""
    return Entry("solver", f"{choices(solvers)}, default={literal(default)}", text)


# -- Attributes of the cross-validated estimators ----------------------------------------

CV_ATTRIBUTES = {
    "alpha_": (
        "float",
        "The chosen alpha: ``alpha_min_`` or ``alpha_1se_`` according to ``selection``, or "
        "for ``\"aic\"``/``\"bic\"`` the alpha minimising the criterion on the full-data "
        "path."),
    "alpha_min_": (
        "float",
        "Alpha with the smallest mean CV error."),
    "alpha_1se_": (
        "float",
        "Largest alpha whose mean CV error is within one standard error of the minimum."),
    "alphas_": (
        "ndarray of shape (n_alphas,) (or (n_l1_ratio, n_alphas))",
        "The grid, decreasing."),
    "mse_mean_": (
        "ndarray of shape (n_alphas,) (or (n_l1_ratio, n_alphas))",
        "Mean validation error at each alpha (glmnet's ``cvm``): the mean over folds of the "
        "folds' mean squared errors (weighted by sample_weight when given); for exact "
        "leave-one-out, ``sum_i s_i e_i^2 / S``, with ``e_i`` the residual of sample i "
        "under the fit without it and S the sum of the weights. ``alpha_min_`` minimises "
        "it."),
    "mse_se_": (
        "ndarray of shape (n_alphas,) (or (n_l1_ratio, n_alphas))",
        "Standard error of ``mse_mean_`` (glmnet's ``cvsd``, used by the 1-SE rule): the "
        "standard deviation over folds (ddof=1) divided by sqrt(n_folds). For exact "
        "leave-one-out the folds are the n samples, sample i contributing ``n s_i e_i^2 / "
        "S`` (``s_i = 1`` without weights; these n values average to ``mse_mean_``)."),
    "mse_path_": (
        "ndarray of shape (n_alphas, n_folds) (or (n_l1_ratio, n_alphas, n_folds)) or None",
        "Validation mean squared error of each alpha and fold (weighted by sample_weight "
        "when given); ``mse_mean_`` and ``mse_se_`` are its mean and standard error over the "
        "last axis. With exact leave-one-out (ridge with ``cv=None``) it is None, or with "
        "``store_cv_results=True`` (:class:`L2RegressorCV`) one column per sample, column i "
        "holding ``n s_i e_i^2 / S`` (see ``mse_se_``)."),
    "path_": (
        "RegularizationPath",
        "The full-data path on the chosen grid; the refit is its point at ``alpha_``."),
    "l1_ratio_": (
        "float",
        "The chosen l1_ratio."),
    "relax_": (
        "float",
        "The chosen relaxed-lasso gamma (1.0: not relaxed)."),
    "coef_, intercept_, dual_gap_, n_iter_, n_nonzero_, support_, sparsity_": (
        None,
        "The refitted model at ``alpha_``. With y of shape (n_samples, n_targets), every "
        "attribute above gains a leading axis of length n_targets (``path_`` and ``n_iter_`` "
        "become lists): target j's are what ``y[:, j]`` fitted alone gives, its alpha chosen "
        "by its own cross-validation on the same folds (see :ref:`multi-output`)."),
    "n_features_in_": (
        "int",
        "Number of features seen during fit."),
    "feature_names_in_": (
        "ndarray of str",
        "Column names, when X has string column names."),
}


def cv_attributes():
    """The Attributes entries of every cross-validated estimator."""
    return [Entry(name, type_, text) for name, (type_, text) in CV_ATTRIBUTES.items()]


def regressor_cv_parameters(solver, selections, *, eps=None, l1_part=(), ridge_grid=False):
    """The Parameters entries of a CV regressor, in its signature's order: ``solver`` its
    entry (:func:`solver_entry`), ``selections`` the accepted selection rules, ``l1_part``
    the entries only penalties with an L1 part have (l1_ratio, positive, relax)."""
    head = [entry for entry in l1_part if entry.name == "l1_ratio"]
    tail = [entry for entry in l1_part if entry.name != "l1_ratio"]
    return [
        *head,
        param("alphas", default=None),
        param("eps", default=eps, extra=RIDGE_GRID) if ridge_grid else
        param("eps", default=eps),
        *([param("cv", default=None, splitter=LOO_SPLITTER), param("store_cv_results")]
          if ridge_grid else [param("cv", default=5)]),
        param("selection", choices=selections, default="min"),
        param("noise_variance"),
        param("n_jobs"),
        param("fit_intercept"),
        param("penalty_factor"),
        *tail,
        param("max_iter", default=1000),
        param("tol", default=1e-4),
        solver,
        param("verbose"),
        param("loss"),
        param("power"),
    ]


# -- Docstrings ----------------------------------------------------------------------------

def _section(title, entries):
    return f"{ENTRY_INDENT}{title}\n{ENTRY_INDENT}{'-' * len(title)}\n" + "".join(
        entry.render() for entry in entries)


def compose(summary, *, extended=None, parameters=(), attributes=(), examples=None):
    """A class or function docstring from its parts.

    ``summary`` is the one-line summary; ``extended`` an already formatted extended summary
    (dedented here and indented like the sections); ``parameters`` and ``attributes`` are
    :class:`Entry` lists; ``examples`` the body of the Examples section, copied verbatim
    (its doctests run under ``pytest --doctest-modules``).
    """
    parts = [summary + "\n"]
    if extended:
        parts.append(textwrap.indent(textwrap.dedent(extended).strip("\n"), ENTRY_INDENT)
                     + "\n")
    if parameters:
        parts.append(_section("Parameters", parameters))
    if attributes:
        parts.append(_section("Attributes", attributes))
    if examples:
        parts.append(f"{ENTRY_INDENT}Examples\n{ENTRY_INDENT}--------\n{examples}")
    return "\n".join(parts)
