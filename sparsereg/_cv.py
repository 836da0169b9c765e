"""Cross-validated estimators: one warm-started path per fold, then the full-data path."""

import functools
import sys
import warnings

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.model_selection import check_cv

from ._docstrings import (
    RELAX_NOT_RIDGE,
    compose,
    cv_attributes,
    param,
    regressor_cv_parameters,
    solver_entry,
)
from ._estimators import _LinearModel, store_params
from ._alpha import alpha_max_of_design
from ._cv_summary import set_cv_errors, summarize
from ._glm_checks import check_loss
from ._glm_cv import fit_glm_cv
from ._folds import (
    fold_reporter,
    reported_fold_mse,
    row_fold,
    select_alpha,
    statistics_folds,
    statistics_suffice,
    stats_fold,
    warn_at_grid_edge,
)
from ._kernel_folds import KernelFolds, kernel_folds_suffice
from ._loo import leave_one_out_spectrum
from ._multi_output import column_intercept, fit_cv_targets, set_sparsity, single_target
from ._params import SELECTIONS, check_box_solver, check_params, check_relax_l1_ratio
from ._path import ENET_SOLVERS, build_path, check_alphas, least_squares_grid, ridge_spectrum
from ._problem import read_inputs
from ._problem._dask import check_dask_solver, fold_designs
from ._ridge import RIDGE_SOLVERS
from ._selection import NOISE_VARIANCE_NEEDED, noise_dof
from ._validation import check_scalar_list, check_scalar_param

__all__ = ["ElasticNetRegressorCV", "L1RegressorCV", "L2RegressorCV", "SELECTIONS"]


def alphas_or_size(alphas):
    """A CV estimator's ``alphas`` checked: the size of the automatic grid (an int; None
    means 100), or the given grid."""
    if alphas is None or isinstance(alphas, (int, np.integer)):
        n_alphas = 100 if alphas is None else alphas
        return int(check_scalar_param(n_alphas, "alphas", low=1, integer=True))
    return check_alphas(alphas)


def relax_gammas(relax):
    """Relaxed-fit gammas to compare (None: the plain penalized fit; 1.0 is that fit too)."""
    if relax is None:
        return [None]
    gammas = check_scalar_list(relax, "relax", low=0.0, high=1.0)
    return [None if g == 1.0 else g for g in gammas]


class _PathCV(_LinearModel):
    """Shared fit for the cross-validated regressors (subclasses set the penalty)."""

    _solvers = ENET_SOLVERS
    _selections = SELECTIONS

    def _l1_ratios(self):
        raise NotImplementedError

    def _check_params(self, n_features):
        """Every parameter, before any data pass or fit (dask and in-memory alike)."""
        params = dict(selection=self.selection, solver=self.solver, eps=self.eps, tol=self.tol,
                      max_iter=self.max_iter, n_jobs=self.n_jobs,
                      fit_intercept=self.fit_intercept, verbose=self.verbose,
                      noise_variance=self.noise_variance, penalty_factor=self.penalty_factor)
        for name in ("positive", "lower_bounds", "upper_bounds", "l1_ratio", "relax",
                     "store_cv_results"):
            if name in self.get_params():
                params[name] = getattr(self, name)
        checked = check_params(params, n_features=n_features, solvers=self._solvers,
                               lists=("l1_ratio", "relax"))
        self._alphas_or_size()
        check_relax_l1_ratio(checked.get("relax"), self._l1_ratios())
        check_box_solver(checked["bounds"], self.solver)
        self._box = checked["bounds"]  # this fit's box (fit-time state, not a parameter)
        return checked["penalty_factor"]

    def _check_noise_variance_known(self, total_weight, n_features):
        """AIC/BIC need sigma^2: given, or estimable by least squares on the full data."""
        if self.selection in ("aic", "bic") and self.noise_variance is None \
                and noise_dof(total_weight, n_features, self.fit_intercept) is None:
            raise ValueError(NOISE_VARIANCE_NEEDED)

    def _alphas_or_size(self):
        return alphas_or_size(self.alphas)

    def _grid(self, design, l1_ratio, penalty_factor, spectrum=None, shared=None):
        """``(alphas, spectrum)``: the given grid, or the automatic one; for ridge drawn from
        ``spectrum`` (leave-one-out's decomposition) or from one made here (or by the first
        target, ``shared``), returned so that the refit reuses it too."""
        alphas = self._alphas_or_size()
        if not isinstance(alphas, int):
            return alphas, spectrum
        if l1_ratio == 0.0 and spectrum is None:
            spectrum = ridge_spectrum(design, penalty_factor) if shared is None else \
                shared.spectrum(("grid", l1_ratio), design,
                                lambda: ridge_spectrum(design, penalty_factor))
        return least_squares_grid(design, l1_ratio, penalty_factor, alphas, self.eps,
                                  spectrum), spectrum

    def _solver_params(self, penalty_factor, columns=None):
        """The path solver's parameters; ``columns``: the features kept (None: all)."""
        bounds = self._box if self._box is None or columns is None else self._box.take(columns)
        return dict(penalty_factor=penalty_factor, bounds=bounds, tol=float(self.tol),
                    max_iter=int(self.max_iter), solver=self.solver)

    def _relaxes(self):
        return relax_gammas(getattr(self, "relax", None))

    def _cv_errors(self, folds, alphas, l1_ratio, relaxes, solver_params):
        """(n_relax, n_alphas, n_folds) validation errors."""
        if isinstance(folds, KernelFolds):  # ridge only: relaxes is [None]
            return folds.errors(alphas)[None]
        report = fold_reporter(self, l1_ratio, len(folds))
        errors = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(reported_fold_mse)(report, k, fold, alphas, l1_ratio, relaxes,
                                        solver_params)
            for k, fold in enumerate(folds))
        return np.stack(errors, axis=-1)

    def _dask_n_folds(self, groups):
        if groups is not None:
            raise ValueError("groups are not supported with dask input: folds are groups of "
                             "whole chunks.")
        n_folds = 5 if self.cv is None else self.cv
        if isinstance(n_folds, bool) or not isinstance(n_folds, (int, np.integer)):
            raise TypeError("With dask input, cv must be an int (folds are groups of whole "
                             f"chunks), got {self.cv!r}.")
        return int(check_scalar_param(n_folds, "cv", low=2, integer=True))

    def _prepare(self, inputs, penalty_factor, groups, shared=None):
        """``(design, folds, dtype)`` for in-memory or dask ``inputs`` (1-D y).

        ``folds(l1_ratio)`` gives the folds; in memory they are split on first use, since
        ridge with ``cv=None`` is scored by leave-one-out and needs none (the split is checked
        here, before any work, whenever fold fits are certain). In memory they are known by
        their statistics where the fits would run on the Gram matrix anyway
        (:func:`statistics_suffice`), else by their rows. ``shared``
        (:class:`~sparsereg._multi_output.SharedX`): the full-data design of another target
        of the same X, re-aimed at this one.
        """
        if inputs.dask:
            check_dask_solver(self.solver)
            n_folds = self._dask_n_folds(groups)
            design, stats_folds, dtype = fold_designs(inputs.X, inputs.y, inputs.sample_weight,
                                                      self.fit_intercept, n_folds)
            self._check_noise_variance_known(design.S, inputs.n_features)  # S: after the pass
            dask_folds = [stats_fold(*f) for f in stats_folds]
            return design, lambda l1_ratio: dask_folds, dtype
        X, y, sample_weight = inputs.X, inputs.y, inputs.sample_weight
        total_weight = X.shape[0] if sample_weight is None else sample_weight.sum()
        self._check_noise_variance_known(total_weight, X.shape[1])
        splits = self._splits(X, y, groups) if self._folds_certain() else None
        design, dtype = inputs.design(self.fit_intercept, self.solver) if shared is None \
            else shared.design(inputs, self.fit_intercept, self.solver)

        @functools.cache
        def split():
            return self._splits(X, y, groups) if splits is None else splits

        @functools.cache
        def folds_of_kind(by_statistics):
            if by_statistics:
                return statistics_folds(X, y, sample_weight, split(), self.fit_intercept)
            # folds slice rows: CSC and CSR do so directly (CSC X stays CSC, as the kernels
            # want it: no CSR copy of X, no conversion of every fold back)
            X_rows = X.tocsr() if sp.issparse(X) and X.format not in ("csc", "csr") else X
            return [row_fold(X_rows, y, sample_weight, train, test, self.fit_intercept,
                             self.solver)
                    for train, test in split()]

        @functools.cache
        def by_kernel():
            return KernelFolds(X, y, sample_weight, split(), self.fit_intercept)

        def folds(l1_ratio):
            n_train = min(len(train) for train, _ in split())
            if self._box is None and kernel_folds_suffice(X, n_train, l1_ratio, self.solver,
                                                          penalty_factor):
                return by_kernel()
            return folds_of_kind(statistics_suffice(X, n_train, l1_ratio, self.solver))
        return design, folds, dtype

    def _folds_certain(self):
        """Only ridge (l1_ratio 0) with ``cv=None`` may be scored without folds."""
        return self.cv is not None or any(r > 0 for r in self._l1_ratios())

    def _splits(self, X, y, groups):
        return list(check_cv(5 if self.cv is None else self.cv).split(X, y, groups))

    def _leave_one_out(self, design, l1_ratio, penalty_factor, shared=None):
        """The spectrum giving exact leave-one-out errors for ridge with ``cv=None``, or None
        (then 5 folds; in memory with a warning saying why leave-one-out is unavailable).
        ``shared``: made by the first target of the same X, re-aimed at this one."""
        if l1_ratio != 0.0 or self.cv is not None or not design.has_rows:
            return None
        if self._box is not None:
            spectrum, reason = None, ("the box (lower_bounds, upper_bounds, positive) has no "
                                      "closed form")
        else:
            spectrum, reason = leave_one_out_spectrum(design, penalty_factor) \
                if shared is None else shared.spectrum(
                    ("loo", l1_ratio), design,
                    lambda: leave_one_out_spectrum(design, penalty_factor))
        if spectrum is None:
            warnings.warn(f"cv=None: exact leave-one-out is not available: {reason}. Using "
                          "5-fold cross-validation instead (pass cv to choose).", UserWarning,
                          stacklevel=4)
        return spectrum

    def fit(self, X, y, sample_weight=None, groups=None):
        """Choose alpha (and l1_ratio) by cross-validation, then fit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data. With a dask array, the folds are ``cv`` groups of consecutive
            whole chunks: one pass computes every group's sufficient statistics, a training
            fold's are the total minus its group's, and every fit runs on the Gram matrix.
        y : array-like or dask array of shape (n_samples,) or (n_samples, n_targets)
            Target values. A 2-D y fits one independent model per column, each with its own
            alpha (and l1_ratio) chosen by its own cross-validation on the same folds,
            exactly as that column alone would be fitted: the fitted attributes gain a
            leading target axis (see :ref:`multi-output`).
        sample_weight : array-like or dask array of shape (n_samples,), default=None
            Sample weights, used in the fits and to weight the validation errors.
        groups : array-like of shape (n_samples,), default=None
            Group labels passed to the splitter (not with dask input).

        Returns
        -------
        self : object
        """
        inputs = read_inputs(X, y, sample_weight, estimator=self, min_samples=2,
                             multi_output=True)
        penalty_factor = self._check_params(inputs.n_features)
        if check_loss(self.loss, self.power):
            return fit_glm_cv(self, inputs, penalty_factor, groups)
        inputs, one_column = single_target(inputs)
        if inputs.y.ndim == 2:
            return fit_cv_targets(self, inputs, penalty_factor, groups)
        self._fit_target(inputs, penalty_factor, groups)
        if one_column:
            column_intercept(self)
        return self

    def _fit_target(self, inputs, penalty_factor, groups, shared=None):
        """Fit to ``inputs`` with a 1-D y (``shared``: see :meth:`_prepare`)."""
        n_features, columns = inputs.n_features, None
        if self.selection not in ("aic", "bic"):
            # (the information criteria's noise variance counts every column)
            inputs, columns = inputs.without_empty_columns()
            if columns is not None and penalty_factor is not None:
                penalty_factor = penalty_factor[columns]
        design, folds, dtype = self._prepare(inputs, penalty_factor, groups, shared)
        solver_params = self._solver_params(penalty_factor, columns)

        results = []  # (l1_ratio, relax, alphas, (mean, se, errors or None))
        spectra = {}  # ridge decompositions made for the grids, reused by the refit
        for l1_ratio in self._l1_ratios():
            loo = self._leave_one_out(design, l1_ratio, penalty_factor, shared)
            alphas, spectra[l1_ratio] = self._grid(design, l1_ratio, penalty_factor, loo,
                                                   shared)
            relaxes = self._relaxes()  # [None] for l1_ratio = 0 (checked in _check_params)
            if loo is not None:  # exact leave-one-out from one decomposition, summarized
                summaries = [loo.loo_errors(alphas, per_sample=self._store_loo())]
            else:  # (n_relax, n_alphas, n_folds)
                errors = self._cv_errors(folds(l1_ratio), alphas, l1_ratio, relaxes,
                                         solver_params)
                summaries = list(zip(*summarize(errors), errors))
            results += [(l1_ratio, gamma, alphas, cv) for gamma, cv in zip(relaxes, summaries)]
            if self.verbose:
                mean = np.array([cv[0] for cv in summaries])
                k = np.unravel_index(np.argmin(mean), mean.shape)[-1]
                how = "exact leave-one-out" if loo is not None else "cross-validation"
                sys.stderr.write(f"[{type(self).__name__}] l1_ratio={l1_ratio:g} ({how}): "
                                 f"min mean CV MSE {mean.min():.6g} at alpha={alphas[k]:.6g}\n")
        best = int(np.argmin([cv[0].min() for *_, cv in results]))
        l1_ratio, relax, alphas, (mean, se, _) = results[best]
        i_min, i_1se = select_alpha(alphas, mean, se)

        # The refit is the full-data path's solution at the chosen alpha.
        self.path_ = build_path(design, alphas, l1_ratio, self._penalty_name,
                                feature_names=getattr(self, "feature_names_in_", None),
                                dtype=dtype, relax=relax, spectrum=spectra.get(l1_ratio),
                                statistics=self.selection in ("aic", "bic"), **solver_params)
        if columns is not None:
            self.path_ = self.path_.embedded(columns, n_features)
        if self.selection in ("aic", "bic"):
            criterion = getattr(self.path_, self.selection)(self.noise_variance)
            chosen = int(np.nanargmin(criterion))
        else:
            chosen = i_min if self.selection == "min" else i_1se
            warn_at_grid_edge(self, alphas, mean, se,
                              null_at_top=l1_ratio > 0 and alphas[0] >= alpha_max_of_design(
                                  design, l1_ratio, penalty_factor) * (1 - 1e-12),
                              wide=design.n_features >= design.n_samples, stacklevel=4)
        intercepts = self.path_.intercepts
        gaps, n_iter = self.path_.dual_gaps, self.path_.n_iter
        chosen_results = [r for r in results if r[1] == relax]
        self.alphas_ = (np.array([r[2] for r in chosen_results]) if self._multiple_ratios()
                        else alphas)
        set_cv_errors(self, [r[3] for r in chosen_results], self._multiple_ratios())
        self.l1_ratio_ = l1_ratio
        self.relax_ = 1.0 if relax is None else relax
        self.alpha_min_, self.alpha_1se_ = float(alphas[i_min]), float(alphas[i_1se])
        self.alpha_ = float(alphas[chosen])
        self.coef_ = self.path_.coef_at_index(chosen).astype(dtype, copy=False)
        self.intercept_ = dtype.type(intercepts[chosen]) if self.fit_intercept else 0.0
        self.dual_gap_ = float(gaps[chosen])
        self.n_iter_ = int(n_iter[chosen])
        set_sparsity(self)
        return self

    def _multiple_ratios(self):
        return False

    def _store_loo(self):
        """Whether leave-one-out keeps every sample's error (``store_cv_results``)."""
        return bool(getattr(self, "store_cv_results", False))


# The docstrings are composed from the named pieces of _docstrings; the choice lists come
# from the tuples fit validates against.
_CV_ATTRIBUTES = cv_attributes()


class ElasticNetRegressorCV(_PathCV):
    __doc__ = compose(
        "Elastic net with alpha (and l1_ratio) chosen by cross-validation.",
        parameters=regressor_cv_parameters(
            solver_entry(ENET_SOLVERS, "Kernel choice, as in :class:`ElasticNetRegressor`."),
            SELECTIONS,
            l1_part=[param("l1_ratio", default=0.5), param("positive"),
                     param("lower_bounds"), param("upper_bounds"),
                     param("relax", extra=RELAX_NOT_RIDGE)]),
        attributes=_CV_ATTRIBUTES,
        examples="""\
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import ElasticNetRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=20).fit(X, y)
    >>> model.l1_ratio_, model.mse_path_.shape  # (n_l1_ratio, n_alphas, n_folds)
    (1.0, (2, 20, 5))
    >>> model.n_nonzero_
    9
""")

    _penalty_name = "elasticnet"

    def __init__(self, *, l1_ratio=0.5, alphas=None, eps=None, cv=5, selection="min",
                 noise_variance=None, n_jobs=None, fit_intercept=True, penalty_factor=None,
                 positive=False, lower_bounds=None, upper_bounds=None, relax=None,
                 max_iter=1000, tol=1e-4, solver="auto", verbose=0, loss="squared_error",
                 power=1.5):
        store_params(self, locals())

    def _multiple_ratios(self):
        return np.ndim(self.l1_ratio) > 0

    def _l1_ratios(self):
        return check_scalar_list(self.l1_ratio, "l1_ratio", low=0.0, high=1.0)


class L1RegressorCV(_PathCV):
    __doc__ = compose(
        "Lasso with alpha chosen by cross-validation (or by the 1-SE rule, AIC or BIC).",
        parameters=regressor_cv_parameters(
            solver_entry(ENET_SOLVERS, "Kernel choice, as in :class:`L1Regressor`."),
            SELECTIONS,
            l1_part=[param("positive"), param("lower_bounds"), param("upper_bounds"),
                     param("relax")]),
        attributes=_CV_ATTRIBUTES,
        examples="""\
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import L1RegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = L1RegressorCV(selection="1se").fit(X, y)
    >>> bool(model.alpha_ == model.alpha_1se_ > model.alpha_min_)
    True
    >>> model.n_nonzero_  # 9 at alpha_min_
    6
""")

    _penalty_name = "l1"

    def __init__(self, *, alphas=None, eps=None, cv=5, selection="min", noise_variance=None,
                 n_jobs=None, fit_intercept=True, penalty_factor=None, positive=False,
                 lower_bounds=None, upper_bounds=None, relax=None, max_iter=1000, tol=1e-4,
                 solver="auto", verbose=0, loss="squared_error", power=1.5):
        store_params(self, locals())

    def _l1_ratios(self):
        return [1.0]


class L2RegressorCV(_PathCV):
    __doc__ = compose(
        "Ridge with alpha chosen by cross-validation; exact leave-one-out by default.",
        extended="""
    With ``cv=None`` every alpha is scored by exact leave-one-out from a single
    eigendecomposition (or SVD when p > n), as scikit-learn's ``RidgeCV(gcv_mode="svd")``,
    for any n_samples >= 2; no folds are built. Sparse X with p > n and more than 2000
    features is decomposed through the n x n kernel ``X_c D^-1 X_c^T`` (sparse products; X
    is never densified) when n_samples <= 2000. Beyond that, or when every feature is
    unpenalized, ``cv=None`` means 5 folds and a ``UserWarning`` says why. With dask input
    (where rows cannot be left out one by one) ``cv=None`` means 5 folds. Alphas are on
    sparsereg's scale (``Ridge(alpha=a * n_samples)``).
""",
        parameters=regressor_cv_parameters(
            solver_entry(RIDGE_SOLVERS, "Solver for the fits, as in :class:`L2Regressor`."),
            SELECTIONS,
            l1_part=[param("positive"), param("lower_bounds"), param("upper_bounds")],
            ridge_grid=True),
        attributes=_CV_ATTRIBUTES,
        examples="""\
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import L2RegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = L2RegressorCV(alphas=30).fit(X, y)  # leave-one-out: summaries per alpha
    >>> model.mse_mean_.shape, model.mse_se_.shape, model.mse_path_
    ((30,), (30,), None)
    >>> L2RegressorCV(alphas=30, store_cv_results=True).fit(X, y).mse_path_.shape
    (30, 442)
""")

    _penalty_name = "l2"
    _solvers = RIDGE_SOLVERS

    def __init__(self, *, alphas=None, eps=None, cv=None, store_cv_results=False,
                 selection="min", noise_variance=None, n_jobs=None, fit_intercept=True,
                 penalty_factor=None, positive=False, lower_bounds=None, upper_bounds=None,
                 max_iter=1000, tol=1e-4, solver="auto", verbose=0, loss="squared_error",
                 power=1.5):
        store_params(self, locals())

    def _l1_ratios(self):
        return [0.0]
