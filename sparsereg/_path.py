"""Regularization paths: one alpha loop with warm starts serves fit, paths and CV."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._alpha import alpha_max_of_design
from ._params import check_box_solver, check_params, check_relax_l1_ratio
from ._problem import read_inputs
from ._problem._dask import check_dask_solver
from ._regpath import RegularizationPath
from ._glm_checks import check_loss
from ._ridge_shifts import ridge_grid_cg
from ._ridge import RIDGE_SOLVERS, RidgeSpectrum, solve_ridge
from ._selection import degrees_of_freedom, noise_variance, relaxed_path
from ._solvers import solve_enet, stored_precision, warn_rounding_lost
from ._validation import check_choice

PENALTIES = ("l1", "l2", "elasticnet")
LOSSES = ("squared_error", "logistic", "poisson", "gamma", "tweedie")
ENET_SOLVERS = ("auto", "cd", "gram")
# A path with l1_ratio = 0 inside an elastic-net run (a CV l1_ratio list) maps "cd" and
# "gram" to the ridge solvers; a pure L2 path takes the ridge solvers by name.
PATH_SOLVERS = {"l1": ENET_SOLVERS, "elasticnet": ENET_SOLVERS, "l2": RIDGE_SOLVERS}
L2_GRID_L1_RATIO = 1e-3  # glmnet's convention for the top of a ridge grid


def alpha_grid(design, l1_ratio, penalty_factor, n_alphas, eps, alpha_max=alpha_max_of_design):
    """``n_alphas`` log-spaced values from ``alpha_max`` down to ``eps * alpha_max``; for
    ridge, ``alpha_max`` is computed with ``l1_ratio = 1e-3`` (glmnet's convention).
    ``alpha_max(design, l1_ratio, penalty_factor)`` is the loss's own (least squares by
    default)."""
    top = alpha_max(design, max(l1_ratio, L2_GRID_L1_RATIO), penalty_factor)
    if not (top > 0.0 and np.isfinite(top)):  # y fully explained by the unpenalized part
        top = 1.0
    return np.geomspace(top, top * eps, n_alphas)


L1_EPS = 1e-3  # the L1 and elastic-net grids: alpha_max down to 1e-3 alpha_max (glmnet's)
L2_TOP = 100.0  # the L2 grid's top: every eigen-direction shrunk at least 100x
L2_BOTTOM = 1e-3  # ... its bottom: each within 0.1 % of least squares
L2_RANK = 1e-12  # eigenvalues below this fraction of the largest are round-off (rank)
L2_FALLBACK_EPS = 1e-8  # bottom / top when the spectrum is too large to compute
SPECTRUM_GRID_MAX = 2000  # min(n, p) up to which the L2 grid comes from the eigenvalues


def ridge_grid(design, penalty_factor, n_alphas, eps=None, eigvals=None):
    """The L2 grid: from ``100 lam_max`` (every coefficient within 1 % of 0 along each
    eigen-direction of the centred, weighted Gram matrix ``X^T X / S`` with columns scaled
    by ``1 / sqrt(penalty_factor)``) down to ``lam_min / 1000`` (each within 0.1 % of least
    squares; ``lam_min`` the smallest nonzero eigenvalue), or to ``eps`` times the top.
    Leave-one-out optima sit that low: on ISLP's Credit data at ``lam_min / 200``.

    The ridge solution shrinks the least-squares one by ``lam / (lam + alpha)`` along each
    eigenvector, so this range shows the whole path from near 0 to near least squares.
    ``eigvals`` (a decomposition already made, e.g. for leave-one-out) are used as given;
    otherwise they are computed when ``min(n, p) <= SPECTRUM_GRID_MAX`` (the p x p Gram
    matrix, the thin SVD, or for sparse wide X the n x n kernel). Beyond that the trace
    bounds ``lam_max`` from above and the bottom is ``top * 1e-8``.
    """
    v = np.ones(design.n_features) if penalty_factor is None else np.asarray(penalty_factor)
    pen = v > 0
    if eigvals is None and pen.any():
        spectrum = ridge_spectrum(design, penalty_factor)
        eigvals = None if spectrum is None else spectrum.eigvals
    if eigvals is not None and eigvals.size and eigvals.max() > 0:
        top = L2_TOP * eigvals.max()
        bottom = eigvals[eigvals > eigvals.max() * L2_RANK].min() * L2_BOTTOM
    else:
        trace = float(np.sum(design.lips[pen] / v[pen])) if pen.any() else 0.0
        top = L2_TOP * trace if trace > 0 and np.isfinite(trace) else 1.0
        bottom = top * L2_FALLBACK_EPS
    if eps is not None:
        bottom = top * eps
    return np.geomspace(top, bottom, n_alphas)


def ridge_spectrum(design, penalty_factor):
    """The :class:`~sparsereg._ridge.RidgeSpectrum` an L2 grid is drawn from (for sparse wide
    X the n x n kernel's, which has eigenvalues only), or None when ``min(n, p)`` exceeds
    ``SPECTRUM_GRID_MAX`` or no decomposition applies. Pass it on to the path
    (``build_path(..., spectrum=...)``): one decomposition serves the grid and every fit."""
    if min(design.n_samples, design.n_features) > SPECTRUM_GRID_MAX:
        return None
    spectrum = RidgeSpectrum.of(design, penalty_factor)
    if spectrum is None and design.spectral_form() is None and getattr(design, "has_rows", False):
        from ._loo import kernel_spectrum

        v = np.ones(design.n_features) if penalty_factor is None else penalty_factor
        spectrum = kernel_spectrum(design, v)
    return spectrum


def least_squares_grid(design, l1_ratio, penalty_factor, n_alphas, eps=None, spectrum=None):
    """The automatic grid of the squared loss: :func:`ridge_grid` for L2 (from ``spectrum``
    when one is given), else :func:`alpha_grid` down to ``eps`` (default 1e-3) times
    ``alpha_max``."""
    if l1_ratio == 0.0:
        return ridge_grid(design, penalty_factor, n_alphas, eps,
                          None if spectrum is None else spectrum.eigvals)
    return alpha_grid(design, l1_ratio, penalty_factor, n_alphas, L1_EPS if eps is None else eps)


def check_alphas(alphas):
    """A user-given grid as a decreasing float64 array of finite, non-negative values."""
    alphas = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
    if alphas.size == 0 or not np.all(np.isfinite(alphas)) or alphas[-1] < 0:
        raise ValueError("alphas must be a non-empty array of finite, non-negative values.")
    return alphas


def resolve_l1_ratio(penalty, l1_ratio):
    check_choice(penalty, "penalty", PENALTIES)
    if penalty == "l1":
        return 1.0
    if penalty == "l2":
        return 0.0
    l1_ratio = 0.5 if l1_ratio is None else l1_ratio
    return check_params(dict(l1_ratio=l1_ratio))["l1_ratio"]


def compact_path(design, alphas, l1_ratio, *, penalty_factor=None, spectrum=None,
                 **solver_params):
    """:func:`path_on_design` without the empty columns of sparse X (they stay 0 and are
    inactive in the dual, see ``nonempty_columns``): ``(design, columns, coefs, intercepts,
    gaps, n_iter)`` with ``coefs`` on ``columns`` (None: every column) and ``design``
    restricted to them."""
    columns = design.nonempty_columns() if spectrum is None else None
    if columns is not None and len(columns):
        design = design.column_subset(columns)
        if penalty_factor is not None:
            penalty_factor = penalty_factor[columns]
        if solver_params.get("bounds") is not None:
            solver_params = dict(solver_params, bounds=solver_params["bounds"].take(columns))
    else:
        columns = None
    return (design, columns) + path_on_design(design, alphas, l1_ratio,
                                              penalty_factor=penalty_factor,
                                              spectrum=spectrum, **solver_params)


def path_on_design(design, alphas, l1_ratio, *, penalty_factor=None, bounds=None,
                   tol=1e-4, max_iter=1000, solver="auto", spectrum=None):
    """Solve along ``alphas`` (decreasing) with warm starts; returns the per-alpha arrays.
    ``spectrum``: a :class:`RidgeSpectrum` of this design already made (ridge only).
    ``bounds``: a :class:`~._problem.Bounds` (then every alpha, ridge too, is solved by
    coordinate descent, the one solver that keeps a box) or None."""
    p = design.n_features
    # Column-major: the held-out predictions X_test @ coefs.T need no copy of the path
    coefs = np.zeros((p, len(alphas))).T
    intercepts = np.zeros(len(alphas))
    gaps = np.zeros(len(alphas))
    n_iter = np.zeros(len(alphas), dtype=np.int64)
    spectral = None
    ridge_solver = "auto" if solver in ("cd", "gram") else solver
    ridge = l1_ratio == 0.0 and bounds is None  # a ridge path on the ridge solvers
    if ridge and solver in ("auto", "svd", "cholesky"):
        if spectrum is not None and spectrum.mapping is not None:
            spectral = spectrum
        elif solver != "auto" or design.decomposition_pays(len(alphas)):
            spectral = RidgeSpectrum.of(design, penalty_factor)
        else:  # sparse X: conjugate gradient, warm-started from the previous alpha
            ridge_solver = "cg"
    coef = None
    unconverged = []
    closed_form = spectral.solve_path(alphas, tol=tol) if spectral is not None else None
    shifted = starts = None
    if closed_form is None and ridge and ridge_solver == "cg":
        # one Krylov sequence for the whole grid; per-alpha CG only for what it leaves
        shifted, starts = ridge_grid_cg(design, alphas, penalty_factor, tol, max_iter)
    for k, alpha in enumerate(alphas):
        if closed_form is not None:
            sol = closed_form[k]
        elif shifted is not None and shifted[k] is not None:
            sol = shifted[k]
        elif ridge:
            start = coef
            if starts is not None and starts[k] is not None:
                start = starts[k]
            elif ridge_solver in ("cg", "gradient"):
                start = extrapolated_start(alphas, coefs, k, sign_safe=False)
            sol = solve_ridge(design, alpha, penalty_factor=penalty_factor,
                              solver=ridge_solver, tol=tol, max_iter=max_iter,
                              coef_init=start, warn=False)
        else:
            sol = solve_enet(design, alpha, l1_ratio, penalty_factor=penalty_factor,
                             bounds=bounds, tol=tol, max_iter=max_iter,
                             coef_init=extrapolated_start(alphas, coefs, k, sign_safe=True),
                             solver=solver, warn=False)
        coef = sol.coef
        coefs[k], intercepts[k], gaps[k], n_iter[k] = sol.coef, sol.intercept, \
            sol.dual_gap, sol.n_iter
        if not sol.converged:
            unconverged.append(alpha)
    if unconverged:
        warnings.warn(f"The path did not converge at {len(unconverged)} of {len(alphas)} "
                      f"alphas (largest duality gap {gaps.max():.3e}, tol * P(0) = "
                      f"{design.gap_out(tol * design.null_objective):.3e}); increase "
                      "max_iter, or loosen tol if round-off is the limit.",
                      ConvergenceWarning, stacklevel=3)
    return coefs, intercepts, gaps, n_iter


def extrapolated_start(alphas, coefs, k, sign_safe):
    """Warm start at ``alphas[k]`` from the path's solutions at the two previous alphas,
    extrapolated linearly in log alpha (``coefs[k - 1]`` alone for the first two, or when the
    grid is not strictly decreasing there); None for ``k = 0``.

    Where the support is stable the solution is smooth in log alpha (on it, the problem is a
    ridge with a fixed sign term), so the extrapolation starts much closer than the last
    solution: 30 % fewer epochs along a wide elastic-net path, 25 % for the lasso. With
    ``sign_safe`` (L1 and elastic net) only the coefficients nonzero with one sign in both
    solutions move, and never across zero: the start keeps the last support and signs.
    """
    if k == 0:
        return None
    last = coefs[k - 1]
    if k < 2 or not alphas[k - 2] > alphas[k - 1] > alphas[k] > 0:  # (log 0: no trend)
        return last
    before = coefs[k - 2]
    t = np.log(alphas[k - 1] / alphas[k]) / np.log(alphas[k - 2] / alphas[k - 1])
    start = last + t * (last - before)
    if sign_safe:
        sign = np.sign(last)
        stable = (sign != 0) & (sign == np.sign(before))
        start = np.where(stable, start, last)
        start[np.sign(start) != sign] = 0.0
    return start


def build_path(design, alphas, l1_ratio, penalty_name, *, feature_names=None, dtype=None,
               relax=None, statistics=True, **solver_params):
    """Solve along ``alphas`` and package the result with its selection statistics; with
    ``statistics=False`` (a CV refit whose selection does not use them) without the degrees
    of freedom and the noise variance, which can cost more than the path."""
    full_design, n_features = design, design.n_features
    design, columns, coefs, intercepts, gaps, n_iter = compact_path(design, alphas, l1_ratio,
                                                                     **solver_params)
    if columns is not None and solver_params.get("penalty_factor") is not None:
        solver_params = dict(solver_params, penalty_factor=solver_params["penalty_factor"][columns])
    unrelaxed = None
    if relax is not None:
        unrelaxed = coefs
        coefs, intercepts = relaxed_path(design, coefs, relax, solver_params.get("bounds"))
    df = None
    if statistics:
        df = degrees_of_freedom(design, coefs if relax is None else unrelaxed, alphas,
                                l1_ratio, solver_params.get("penalty_factor"))
        if relax is not None:  # the relaxed fit spends one degree of freedom per nonzero
            df = np.count_nonzero(coefs, axis=1).astype(np.float64)
    stored = coefs
    if dtype is not None:
        stored, rounded_b, stored_gaps = stored_precision(
            design, coefs, intercepts, dtype, alphas, l1_ratio,
            solver_params.get("penalty_factor"), solver_params.get("bounds"))
        if relax is None and stored_gaps is not None:  # certify the stored (rounded) models
            warn_rounding_lost(gaps, stored_gaps, design.gap_out(
                solver_params.get("tol", 1e-4) * design.null_objective), dtype, stacklevel=3)
            intercepts, gaps = rounded_b.astype(np.float64), stored_gaps
    return RegularizationPath(
        alphas, stored, intercepts, gaps,
        n_iter, feature_names, penalty_name, l1_ratio, mse=design.residual_mse(coefs, intercepts),
        df=df, n_samples=design.S,
        noise_variance=noise_variance(full_design) if statistics else None, relax=relax,
        unrelaxed_coefs=unrelaxed, columns=columns, n_features=n_features)


def regularization_path(X, y, *, penalty="l1", l1_ratio=None, alphas=None, n_alphas=100,
                        eps=None, fit_intercept=True, sample_weight=None,
                        penalty_factor=None, positive=False, lower_bounds=None,
                        upper_bounds=None, tol=1e-4, max_iter=1000, solver="auto", relax=None,
                        loss="squared_error", class_weight=None, power=1.5):
    """Coefficients along a grid of alphas, from all-zero (L1) to weakly penalized.

    Each alpha is solved to a duality gap of at most ``tol * P(0)``, starting from the
    previous solution (warm start); working sets and gap-safe screening make the whole path
    cost a small multiple of a single fit.

    Parameters
    ----------
    X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
        Training data. A dask array costs one pass for the whole path (its sufficient
        statistics); every alpha is then solved on the Gram matrix.
    y : array-like or dask array of shape (n_samples,) or (n_samples, n_targets)
        Target values. A 2-D y gives k independent paths on one grid (for L1 and elastic
        net the automatic grid of the target with the largest ``alpha_max``, so that every
        target's path starts at zero): a :class:`MultiOutputPath` with coefs of shape
        (n_alphas, n_targets, n_features). Not with ``loss="logistic"``.
    penalty : {"l1", "l2", "elasticnet"}, default="l1"
        Which penalty.
    l1_ratio : float, optional
        L1 share for ``penalty="elasticnet"`` (default 0.5).
    alphas : array-like, default=None
        Grid of alphas (sorted into decreasing order). Default: ``n_alphas`` log-spaced
        values, for L1 and elastic net from ``alpha_max`` down to ``eps * alpha_max``; for
        L2 from 100 times the largest eigenvalue of the centred Gram matrix ``X^T X / S``
        (every coefficient near 0) down to its smallest nonzero one divided by 1000 (near
        least squares), as :class:`L2RegressorCV`'s grid.
    n_alphas : int, default=100
        Grid size when ``alphas`` is None.
    eps : float, default=None
        Ratio of the smallest to the largest alpha of the default grid; None: 1e-3 for L1
        and elastic net, the spectrum's range for L2 (see ``alphas``).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative sample weights.
    penalty_factor : array-like of shape (n_features,), optional
        Per-feature penalty multipliers; 0 means unpenalized.
    positive : bool, default=False
        Non-negative coefficients (``lower_bounds=0``).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients, glmnet's ``lower.limits``/``upper.limits``
        (lower <= 0, upper >= 0; a scalar applies to every feature): kept by every
        coordinate update, accounted for by each alpha's duality gap. With a box, an L2
        path is solved by coordinate descent (``solver="auto"``).
    tol : float, default=1e-4
        Relative duality-gap tolerance at every alpha (and the settling test of
        :class:`~sparsereg.L1Regressor`'s ``tol``).
    max_iter : int, default=1000
        Maximum epochs per alpha.
    solver : str, default="auto"
        As in the estimators: ``"auto"``, ``"cd"`` or ``"gram"`` for ``"l1"`` and
        ``"elasticnet"``; ``"auto"``, ``"cholesky"``, ``"svd"``, ``"cg"`` or ``"gradient"``
        for ``"l2"``. Any other value raises ``ValueError``.
    relax : float in [0, 1], optional
        Relaxed lasso (glmnet's ``relax=TRUE``): at each alpha, return
        ``relax * coef + (1 - relax) * least-squares refit on coef's support``; 0 gives the
        unpenalized refit on the selected features, 1 the lasso itself. Not with
        ``l1_ratio=0`` (``penalty="l2"``), which selects no features.
    loss : {"squared_error", "logistic", "poisson", "gamma", "tweedie"}, default="squared_error"
        ``"logistic"``: y holds class labels; two classes give the binary logistic path,
        more the multinomial one (a :class:`ClassificationPath`, solved by proximal Newton
        with warm starts; ``max_iter`` counts Newton iterations, ``solver`` must be
        ``"auto"`` and ``relax`` None). ``"poisson"``, ``"gamma"``, ``"tweedie"``: the
        penalized GLM with the log link (see :ref:`glm-losses`), each alpha solved by
        proximal Newton from the previous solutions; the grid runs from the loss's own
        ``alpha_max`` (for L2, at ``l1_ratio=1e-3``) down to ``eps`` times it (None: 1e-3,
        L2 1e-4), ``mse`` holds the training mean half deviance, and ``aic``/``bic`` come
        from the likelihood (Poisson; Gamma when n > p + 1).
    class_weight : dict, "balanced" or None, default=None
        Class weights for ``loss="logistic"``, multiplied into ``sample_weight``.
    power : float, default=1.5
        The Tweedie power for ``loss="tweedie"``, in [1, 2].

    Returns
    -------
    RegularizationPath, MultiOutputPath or ClassificationPath

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import regularization_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = regularization_path(X, y, n_alphas=20)
    >>> int(path.n_nonzero[0]), int(path.n_nonzero[-1])
    (0, 10)
    """
    feature_names = getattr(X, "columns", None)  # pandas only
    if feature_names is not None:
        feature_names = np.asarray(feature_names, dtype=object)
    check_choice(loss, "loss", LOSSES)
    if loss == "logistic":
        from ._class_path import logistic_path

        return logistic_path(X, y, penalty=penalty, l1_ratio=l1_ratio, alphas=alphas,
                             n_alphas=n_alphas, eps=eps, fit_intercept=fit_intercept,
                             sample_weight=sample_weight, class_weight=class_weight,
                             penalty_factor=penalty_factor, positive=positive,
                             lower_bounds=lower_bounds, upper_bounds=upper_bounds, tol=tol,
                             max_iter=max_iter, solver=solver, relax=relax,
                             feature_names=feature_names)
    if class_weight is not None:
        raise ValueError("class_weight applies to loss='logistic' only.")
    inputs = read_inputs(X, y, sample_weight, multi_output=True)
    glm = check_loss(loss, power, LOSSES)
    l1_ratio = resolve_l1_ratio(penalty, l1_ratio)
    checked = check_params(
        dict(solver=solver, fit_intercept=fit_intercept, positive=positive,
             lower_bounds=lower_bounds, upper_bounds=upper_bounds, tol=tol,
             max_iter=max_iter, eps=eps, penalty_factor=penalty_factor, relax=relax),
        n_features=inputs.n_features, solvers=PATH_SOLVERS[penalty],
        solver_context=f" with penalty={penalty!r}")
    if alphas is None:
        check_params(dict(n_alphas=n_alphas))
    else:
        alphas = check_alphas(alphas)
    relax, pf, bounds = checked["relax"], checked["penalty_factor"], checked["bounds"]
    check_relax_l1_ratio(relax, [l1_ratio])
    check_box_solver(bounds, solver)
    if glm:
        from ._glm_checks import check_glm_inputs
        from ._glm_path import glm_path

        X, y, sw = check_glm_inputs(inputs, loss, power, pf, bounds, relax=relax)
        return glm_path(X, y, sw, loss, power, penalty, l1_ratio, alphas=alphas,
                        n_alphas=n_alphas, eps=eps, feature_names=feature_names, relax=relax,
                        fit_intercept=fit_intercept, penalty_factor=pf, bounds=bounds, tol=tol,
                        max_iter=max_iter, solver=solver)
    if inputs.dask:
        check_dask_solver(solver)
    if inputs.y.ndim == 2:
        from ._multi_output import path_targets  # it builds on this module

        return path_targets(inputs, l1_ratio, penalty, alphas=alphas, n_alphas=n_alphas,
                            eps=eps, fit_intercept=fit_intercept, solver=solver,
                            penalty_factor=pf, feature_names=feature_names, relax=relax,
                            bounds=bounds, tol=tol, max_iter=max_iter)
    design, dtype = inputs.design(fit_intercept, solver)
    spectrum = None
    if alphas is None:
        spectrum = ridge_spectrum(design, pf) if l1_ratio == 0.0 else None
        alphas = least_squares_grid(design, l1_ratio, pf, n_alphas, eps, spectrum)
    return build_path(design, alphas, l1_ratio, penalty, feature_names=feature_names,
                      spectrum=spectrum,
                      dtype=dtype, relax=relax, penalty_factor=pf,
                      bounds=bounds, tol=tol, max_iter=max_iter, solver=solver)

