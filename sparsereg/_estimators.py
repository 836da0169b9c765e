"""scikit-learn estimators: validation and bookkeeping around the solvers."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._params import check_box_solver, check_params
from ._path import ENET_SOLVERS
from ._problem import is_dask_array, read_inputs, read_X
from ._problem._dask import check_dask_solver, lazy_predict, output_dtype
from ._multi_output import column_intercept, fit_targets, set_sparsity, single_target
from ._ridge import RIDGE_SOLVERS, solve_ridge
from ._ridge_targets import solve_ridge_targets
from ._solvers import solve_enet, stored_precision, warn_rounding_lost
from ._glm import glm_gap, solve_glm
from ._glm_checks import check_glm_inputs
from ._glm_checks import check_loss
from ._problem._datafit import glm_datafit
from ._problem._penalty import stored_coefficients


def store_params(estimator, params):
    """Store each constructor argument as the attribute of the same name (scikit-learn's
    rule: ``__init__`` stores, ``fit`` validates). ``params`` is the constructor's
    ``locals()``."""
    for name, value in params.items():
        if name != "self":
            setattr(estimator, name, value)


class _LinearModel(RegressorMixin, BaseEstimator):
    """Prediction and tags shared by every fitted linear model of the package."""

    def _glm(self):
        """Whether ``loss`` is one of the GLM deviances (after fit's check)."""
        return getattr(self, "loss", "squared_error") != "squared_error"

    def predict(self, X):
        """Predict the mean: ``X @ coef_ + intercept_``, or its exponential with a GLM loss
        (the log link), as scikit-learn's Poisson, Gamma and Tweedie regressors.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            One column per target when fitted to a 2-D y. A lazy dask array when X is a
            dask array.
        """
        check_is_fitted(self)
        if is_dask_array(X):
            linear = lazy_predict(X, self.coef_.T, self.intercept_)  # (p,) or (p, n_targets)
        else:
            X = read_X(self, X)
            linear = np.asarray(X @ self.coef_.T) + self.intercept_ if self.coef_.ndim == 2 \
                else np.asarray(X @ self.coef_).ravel() + self.intercept_
        return np.exp(linear) if self._glm() else linear

    def score(self, X, y, sample_weight=None):
        """R^2 of the prediction (squared error); with a GLM loss the fraction of deviance
        explained, D^2, as scikit-learn's GLM regressors score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        if not self._glm():
            return super().score(X, y, sample_weight)
        y = np.asarray(y, dtype=np.float64)
        s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        c = s / s.sum()
        datafit = glm_datafit(self.loss, self.power)
        fitted = datafit.value(y, np.log(self.predict(X)), c)
        null = datafit.value(y, np.full(len(y), datafit.null_intercept(y, c)), c)
        return 1.0 - fitted / null

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True  # a 2-D y: one independent model per column
        return tags


class _PenalizedRegressor(_LinearModel):
    """Shared fit/predict for every penalized least-squares regressor.

    Subclasses define ``_l1_ratio()`` and ``_solve(design, ...)``.
    """

    _solvers = ENET_SOLVERS
    _warns_at_alpha_zero = True

    def _check_params(self, n_features):
        params = dict(alpha=self.alpha, l1_ratio=self._l1_ratio(), tol=self.tol,
                      max_iter=self.max_iter, fit_intercept=self.fit_intercept,
                      warm_start=self.warm_start, solver=self.solver,
                      penalty_factor=self.penalty_factor)
        for name in ("positive", "lower_bounds", "upper_bounds"):
            params[name] = getattr(self, name, None if name != "positive" else False)
        checked = check_params(params, n_features=n_features, solvers=self._solvers)
        check_box_solver(checked["bounds"], self.solver)
        # the box of this fit, read by _solve and _stored (fit-time state, not a parameter)
        self._box = checked["bounds"]
        return checked["penalty_factor"]

    def fit(self, X, y, sample_weight=None):
        """Fit the model to ``X`` (dense or scipy.sparse) and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data. float32 stays float32; CSR/CSC matrices are never densified. A
            dask array is reduced to its sufficient statistics in one pass (chunk by chunk,
            in float64) and solved on the p x p Gram matrix: the same objective and
            certificate as in memory.
        y : array-like or dask array of shape (n_samples,) or (n_samples, n_targets)
            Target values. A 2-D y fits one independent model per column, as scikit-learn's
            Lasso, ElasticNet and Ridge do: ``coef_`` of shape (n_targets, n_features), X
            prepared once for all of them (see :ref:`multi-output`).
        sample_weight : array-like or dask array of shape (n_samples,), default=None
            Non-negative weights ``s_i`` of the squared errors.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        inputs = read_inputs(X, y, sample_weight, estimator=self, multi_output=True)
        penalty_factor = self._check_params(inputs.n_features)
        if self._check_loss():
            return self._fit_glm(inputs, penalty_factor)
        if inputs.dask:
            check_dask_solver(self.solver)
        self._warn_unpenalized()
        inputs, one_column = single_target(inputs)
        if inputs.y.ndim == 2:
            return fit_targets(self, inputs, penalty_factor)
        design, dtype = inputs.design(self.fit_intercept, self.solver)
        coef_init = None
        if self.warm_start and getattr(self, "coef_", None) is not None \
                and self.coef_.shape == (inputs.n_features,):
            coef_init = self.coef_
        sol = self._solve(design, penalty_factor, coef_init)
        self.coef_, self.intercept_, self.dual_gap_ = self._stored(design, dtype, sol,
                                                                   penalty_factor)
        self.n_iter_ = sol.n_iter
        set_sparsity(self)
        if one_column:
            column_intercept(self)
        return self

    def _check_loss(self):
        """Validate ``loss`` and ``power``; True for a GLM loss."""
        return check_loss(getattr(self, "loss", "squared_error"), getattr(self, "power", 1.5))

    def _fit_glm(self, inputs, penalty_factor):
        """Fit with a GLM deviance (:mod:`._glm`; dask input: :mod:`._glm_dask`, a pass over
        the chunks per Newton step): one target."""
        one_column = inputs.y.ndim == 2 and inputs.y.shape[1] == 1
        X, y, sw = check_glm_inputs(inputs, self.loss, self.power, penalty_factor, self._box,
                                     dask=True)
        if inputs.dask:
            check_dask_solver(self.solver)
            from ._glm_dask import glm_gap_dask as gap_of, solve_glm_dask as solve
            dtype = output_dtype(X)
        else:
            solve, gap_of, dtype = solve_glm, glm_gap, X.dtype
        coef_init = None
        if self.warm_start and getattr(self, "coef_", None) is not None \
                and self.coef_.shape == (inputs.n_features,):
            coef_init = self.coef_
        params = dict(fit_intercept=self.fit_intercept, penalty_factor=penalty_factor,
                      bounds=self._box, cache={})
        sol = solve(X, y, sw, self.loss, self.power, float(self.alpha),
                    float(self._l1_ratio()), tol=float(self.tol), max_iter=int(self.max_iter),
                    coef_init=coef_init, solver=self.solver, **params)
        self.coef_ = stored_coefficients(sol.coef, dtype, self._box)
        self.intercept_ = dtype.type(sol.intercept) if self.fit_intercept else 0.0
        self.dual_gap_ = sol.dual_gap
        if dtype != np.float64:  # certify what is stored
            self.dual_gap_, p0 = gap_of(X, y, sw, self.loss, self.power, float(self.alpha),
                                        float(self._l1_ratio()), self.coef_,
                                        self.intercept_, **params)
            warn_rounding_lost(sol.dual_gap, self.dual_gap_, self.tol * p0, dtype,
                               stacklevel=3)
        self.n_iter_ = sol.n_iter
        set_sparsity(self)
        if one_column:
            column_intercept(self)
        return self

    def _stored(self, design, dtype, sol, penalty_factor):
        """``(coef, intercept, dual gap)`` of ``sol`` as stored in ``dtype``, certified again
        after rounding; warns when the rounding loses the certificate."""
        coef, intercept, gaps = stored_precision(
            design, sol.coef, sol.intercept, dtype, float(self.alpha), float(self._l1_ratio()),
            penalty_factor, self._box)
        gap = sol.dual_gap if gaps is None else float(gaps[0])
        warn_rounding_lost(sol.dual_gap, gap, self.tol * design.gap_out(design.null_objective),
                           dtype, stacklevel=3)
        return coef[0], intercept[0] if self.fit_intercept else 0.0, gap

    def _solve_targets(self, designs, penalty_factor, coef_inits):
        """One solution per design (one X, k targets), in turn."""
        for design, coef_init in zip(designs, coef_inits):
            yield self._solve(design, penalty_factor, coef_init)

    def _warn_unpenalized(self):
        """scikit-learn's Lasso and ElasticNet warn at alpha=0 (Ridge does not): least
        squares by coordinate descent converges slowly, and to no unique solution when
        features are collinear."""
        if self._warns_at_alpha_zero and self.alpha == 0:
            name = type(self).__name__
            warnings.warn(
                f"With alpha=0, this algorithm does not converge well: {name}(alpha=0) is "
                "unpenalized least squares, which coordinate descent solves slowly (and not "
                "uniquely when features are collinear). Use "
                "sklearn.linear_model.LinearRegression or sparsereg.L2Regressor(alpha=0) "
                "(a direct solve), or set alpha > 0.", UserWarning, stacklevel=3)


class ElasticNetRegressor(_PenalizedRegressor):
    """Linear regression with combined L1 and L2 penalties (the general case).

    Minimises::

        1/(2S) sum_i s_i (y_i - x_i w - b)^2
            + alpha * sum_j v_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)

    with ``s`` the sample weights (``S`` their sum) and ``v`` the ``penalty_factor``.
    Identical to :class:`sklearn.linear_model.ElasticNet`. Solved by coordinate descent with
    soft-thresholding, working sets and gap-safe screening, stopped when the duality gap is at
    most ``tol * P(0)``.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength (>= 0). ``alpha=0`` (least squares, which coordinate
        descent solves slowly) warns, as scikit-learn's ElasticNet does.
    l1_ratio : float, default=0.5
        Mix between L1 (1.0) and L2 (0.0).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier ``v_j >= 0`` of the penalty; 0 leaves a feature unpenalized.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (``lower_bounds=0``).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints ``lower_bounds <= coef_ <= upper_bounds`` per feature (a scalar
        applies to all), glmnet's ``lower.limits``/``upper.limits``: lower bounds <= 0
        (``-inf``: none), upper bounds >= 0 (``inf``: none). Kept by every coordinate
        update (the proximal step clipped to the box); the duality gap and screening
        account for the box. ``positive=True`` is ``lower_bounds=0`` (give one of them).
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * P(0)``, where ``P(0)`` is the objective
        of the intercept-only model (``tol`` is relative and scale free), and the
        coefficients have settled: the last epoch's largest move, and the distance still to
        go estimated from the last two epochs' rate, are at most ``tol * max|coef_|`` (as
        scikit-learn's test of the last move, which the gap alone does not imply on poorly
        conditioned data).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    solver : {"auto", "cd", "gram"}, default="auto"
        ``"cd"`` works on X, ``"gram"`` on ``X^T X`` (fast when n >> p); ``"auto"`` picks.
    loss : {"squared_error", "poisson", "gamma", "tweedie"}, default="squared_error"
        The datafit. ``"poisson"``, ``"gamma"`` and ``"tweedie"`` replace the squared error by
        half the unit deviance of the mean ``mu = exp(X w + b)`` (log link), ``(1/S) sum_i
        s_i d(y_i, mu_i) / 2``, as scikit-learn's ``PoissonRegressor``, ``GammaRegressor``
        and ``TweedieRegressor(link="log")`` (with the same alpha); solved by proximal
        Newton on the same coordinate-descent engine (``max_iter`` then counts Newton
        steps) and certified by the deviance's duality gap. ``predict`` returns ``mu`` and
        ``score`` the deviance explained (D^2). One 1-D target in memory; Poisson and
        Tweedie need y >= 0, Gamma y > 0.
    power : float, default=1.5
        The Tweedie power for ``loss="tweedie"``, in [1, 2] (1 is Poisson, 2 Gamma);
        ignored by the other losses.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, with exact zeros where the L1 part is active; one row per column of
        a 2-D y (see :ref:`multi-output`).
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``; zeros for a 2-D y). Of shape (1,) for
        y of shape (n_samples, 1), as scikit-learn's.
    n_iter_ : int or list of int
        Number of epochs run (per target for a 2-D y).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap of the returned solution as stored (float32 coefficients are certified
        after rounding), in the objective's own scale, round-off margin included: the
        objective is within this of its minimum. At most ``tol * P(0)`` (each target's
        ``P(0)``) unless a ConvergenceWarning said otherwise.
    n_nonzero_ : int or ndarray of shape (n_targets,)
        Number of exactly-nonzero coefficients.
    support_ : ndarray of bool of the shape of ``coef_``
        Mask of the nonzero coefficients.
    sparsity_ : float or ndarray of shape (n_targets,)
        Fraction of exact zeros in ``coef_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Column names, when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsereg import ElasticNetRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 10))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(50)
    >>> model = ElasticNetRegressor(alpha=0.1, l1_ratio=0.7).fit(X, y)
    >>> model.n_nonzero_
    2
    >>> np.round(model.coef_[:3], 2)
    array([ 0.89, -1.89,  0.  ])
    """

    def __init__(self, alpha=1.0, l1_ratio=0.5, *, fit_intercept=True, penalty_factor=None,
                 positive=False, lower_bounds=None, upper_bounds=None, max_iter=1000,
                 tol=1e-4, warm_start=False, solver="auto", loss="squared_error", power=1.5):
        store_params(self, locals())

    def _l1_ratio(self):
        return self.l1_ratio

    def _solve(self, design, penalty_factor, coef_init):
        return solve_enet(design, float(self.alpha), float(self._l1_ratio()),
                          penalty_factor=penalty_factor, bounds=self._box,
                          tol=float(self.tol), max_iter=int(self.max_iter),
                          coef_init=coef_init, solver=self.solver)


class L1Regressor(ElasticNetRegressor):
    """Lasso: linear regression with an L1 penalty, which sets coefficients exactly to zero.

    Minimises ``1/(2S) sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j v_j |w_j|``, identical
    to :class:`sklearn.linear_model.Lasso`. The proximal step is soft-thresholding, which
    returns exact zeros, so the fitted model selects features. See
    :class:`ElasticNetRegressor` for the parameters and attributes (``l1_ratio`` is 1).

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (>= 0). Every coefficient is zero for
        ``alpha >= sparsereg.alpha_max(X, y)``. ``alpha=0`` warns, as scikit-learn's Lasso
        does.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of the penalty; 0 leaves a feature unpenalized.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (``lower_bounds=0``).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (lower <= 0 <= upper), as in
        :class:`ElasticNetRegressor`.
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * P(0)`` and the coefficients have
        settled (see :class:`L1Regressor`).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    solver : {"auto", "cd", "gram"}, default="auto"
        Kernel choice; ``"auto"`` uses the Gram kernel for dense X with n >> p.
    loss : {"squared_error", "poisson", "gamma", "tweedie"}, default="squared_error"
        The datafit, as in :class:`ElasticNetRegressor` (a GLM deviance with the log link).
    power : float, default=1.5
        The Tweedie power for ``loss="tweedie"``, in [1, 2].

    Attributes
    ----------
    coef_, intercept_, n_iter_, dual_gap_, n_nonzero_, support_, sparsity_, n_features_in_,
    feature_names_in_
        As in :class:`ElasticNetRegressor`.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import L1Regressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = L1Regressor(alpha=1.0).fit(X, y)
    >>> int(model.n_nonzero_)
    3
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, penalty_factor=None, positive=False,
                 lower_bounds=None, upper_bounds=None, max_iter=1000, tol=1e-4,
                 warm_start=False, solver="auto", loss="squared_error", power=1.5):
        store_params(self, locals())

    def _l1_ratio(self):
        return 1.0


class L2Regressor(_PenalizedRegressor):
    """Ridge: linear regression with an L2 penalty (weight decay), which shrinks every
    coefficient but sets none to zero.

    Minimises ``1/(2S) sum_i s_i (y_i - x_i w - b)^2 + alpha/2 * sum_j v_j w_j^2``. On the
    same scale as :class:`L1Regressor` (alpha does not grow with n), so
    ``L2Regressor(alpha=a)`` equals ``sklearn.linear_model.Ridge(alpha=a * n_samples)`` for
    unit weights (``a * sum(sample_weight)`` in general).

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (>= 0).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of the penalty; 0 leaves a feature unpenalized.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (``lower_bounds=0``).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints ``lower_bounds <= coef_ <= upper_bounds`` per feature (a scalar
        applies to all), glmnet's ``lower.limits``/``upper.limits``: lower bounds <= 0
        (``-inf``: none), upper bounds >= 0 (``inf``: none). Solved by coordinate descent (only
        ``solver="auto"``), every update (the proximal step clipped to the box); the duality gap and screening
        account for the box. ``positive=True`` is ``lower_bounds=0`` (give one of them).
    max_iter : int, default=1000
        Maximum number of iterations of the iterative solvers.
    tol : float, default=1e-4
        The iterative solvers stop when the duality gap is at most ``tol * P(0)``; conjugate
        gradient also waits until its residual is at most ``tol`` times the right-hand
        side's norm (scikit-learn's ``sparse_cg`` test).
    warm_start : bool, default=False
        Start the iterative solvers from the previous ``coef_``.
    solver : {"auto", "cholesky", "svd", "cg", "gradient"}, default="auto"
        ``"cholesky"`` solves the p x p system, or the n x n dual system when p > n;
        ``"svd"`` uses an eigendecomposition / thin SVD (unpenalized features are solved out
        exactly); ``"cg"`` is preconditioned conjugate gradient and ``"gradient"`` accelerated
        gradient descent with weight decay (both matrix free, for large or sparse X, stopped
        at duality gap <= ``tol * P(0)``). ``"auto"`` uses Cholesky, or CG when X is dense
        with p >= 4n or sparse with p > 2000 (falling back to Cholesky if CG does not
        converge).
    loss : {"squared_error", "poisson", "gamma", "tweedie"}, default="squared_error"
        The datafit, as in :class:`ElasticNetRegressor` (a GLM deviance with the log link).
    power : float, default=1.5
        The Tweedie power for ``loss="tweedie"``, in [1, 2].

    Attributes
    ----------
    coef_, intercept_, n_iter_, dual_gap_, n_nonzero_, support_, sparsity_, n_features_in_,
    feature_names_in_
        As in :class:`ElasticNetRegressor`; ``n_iter_`` is 1 for the closed-form solvers.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import L2Regressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> int(L2Regressor(alpha=0.01).fit(X, y).n_nonzero_)  # shrinks all 10, zeroes none
    10
    """

    _solvers = RIDGE_SOLVERS
    _warns_at_alpha_zero = False  # as scikit-learn's Ridge: alpha=0 is solved directly

    def __init__(self, alpha=1.0, *, fit_intercept=True, penalty_factor=None, positive=False,
                 lower_bounds=None, upper_bounds=None, max_iter=1000, tol=1e-4,
                 warm_start=False, solver="auto", loss="squared_error", power=1.5):
        store_params(self, locals())

    def _l1_ratio(self):
        return 0.0

    def _solve(self, design, penalty_factor, coef_init):
        if self._box is not None:  # the box needs the coordinate updates' clipped prox
            return solve_enet(design, float(self.alpha), 0.0, penalty_factor=penalty_factor,
                              bounds=self._box, tol=float(self.tol),
                              max_iter=int(self.max_iter), coef_init=coef_init)
        return solve_ridge(design, float(self.alpha), penalty_factor=penalty_factor,
                           solver=self.solver, tol=float(self.tol),
                           max_iter=int(self.max_iter), coef_init=coef_init)

    def _solve_targets(self, designs, penalty_factor, coef_inits):
        """One factorisation (or decomposition) for every target: :mod:`._ridge_targets`."""
        if self._box is not None:
            return super()._solve_targets(designs, penalty_factor, coef_inits)
        return solve_ridge_targets(designs, float(self.alpha), penalty_factor=penalty_factor,
                                   solver=self.solver, tol=float(self.tol),
                                   max_iter=int(self.max_iter), coef_inits=coef_inits)
