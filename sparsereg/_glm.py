"""Penalized Poisson, Gamma and Tweedie regression (log link) by proximal Newton on the
least-squares engine (issue 15).

Minimises ``P(w, b) = (1/S) sum_i s_i l(y_i, x_i w + b) + sum_j (a_j |w_j| + b_j w_j^2 / 2)``
with ``l`` half the Tweedie deviance (:class:`~._problem._datafit.HalfTweedieDeviance`).
Each Newton step solves the quadratic model of the loss at ``eta = X w + b`` plus the
penalty: a weighted least-squares problem (working response ``z = eta - l' / l''``, sample
weights ``s l''``) that :func:`~._solvers.solve_enet` (or :func:`~._ridge.solve_ridge`)
solves as any other, warm-started at ``w``: the same kernels and screening as the squared
loss (for dense n >> p on the weighted Gram matrix, accumulated block by block; for p large
on a working set of features). A backtracking (Armijo) line search on ``P`` takes the step.

Certificate: the Fenchel dual of ``P`` at ``theta = -kappa grad F(eta~)``, with ``eta~``
the predictor at which the intercept and the unpenalized coefficients are optimal (a
closed-form shift for the intercept alone with the log link, a small Newton solve with
unpenalized features), so that ``sum theta = 0`` and their correlations vanish, and ``kappa
<= 1`` the largest scaling that keeps the pure-L1 constraints ``|x_j^T theta| <= a_j`` (on
the sides of each feature's box without a bound; the penalty's conjugate, with the box's
finite terms, is that of the classifiers' certificate, ``_newton_gap``); the
loss's conjugate is closed-form for Poisson and Gamma, and a per-sample maximisation bounded
from above for the powers in between. So ``dual_gap_`` means what it means for the squared
loss: ``P`` is within it of its minimum (round-off margins by the squared loss's model).
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ._kernels._bundles import PenaltyData
from ._kernels._newton_gap import dual_scaling, penalty_conjugate
from ._kernels._prox import EPS
from ._problem import GramDesign, SufficientStats, make_design
from ._problem._penalty import box_arrays, box_reach
from ._problem._rows import solves_on_gram
from ._problem._split import SplitRows
from ._problem._datafit import glm_datafit
from ._prox_newton import prox_newton
from ._damped_newton import damped_newton
from ._ridge import RIDGE_SOLVERS, solve_ridge
from ._solvers import solve_enet

WEIGHT_FLOOR = 1e-12  # IRLS weights below this fraction of the largest are raised to it
INNER_EPOCHS = 1000
WS_MIN = 10  # the smallest working set of a Newton step


@dataclass
class GLMProblem:
    """The data and penalty of one penalized GLM fit (float64 y and weights; X as given)."""

    X: object
    y: np.ndarray
    s: np.ndarray  # sample weights
    datafit: object
    fit_intercept: bool
    a: np.ndarray  # L1 weights per feature
    b: np.ndarray  # L2 weights per feature
    bounds: object  # a Bounds (the box of the coefficients) or None
    # X's column means and norms (once per X) and P(0) (once per X, y and weights): shared by
    # the fits of a path
    cache: dict = field(default_factory=dict)

    @classmethod
    def of(cls, X, y, sample_weight, loss, power, alpha, l1_ratio, fit_intercept=True,
           penalty_factor=None, bounds=None, cache=None):
        """The problem of a fit: float64 y and weights, the penalty's per-feature weights."""
        y = np.asarray(y, dtype=np.float64)
        s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight,
                                                                      np.float64)
        v = np.ones(X.shape[1]) if penalty_factor is None else np.asarray(penalty_factor,
                                                                           dtype=np.float64)
        return cls(X, y, s, glm_datafit(loss, power), fit_intercept, alpha * l1_ratio * v,
                   alpha * (1.0 - l1_ratio) * v, bounds, {} if cache is None else cache)

    @property
    def c(self):
        return self.s / self.s.sum()

    def column_means(self):
        """The unweighted column means of X (computed once): rows are shifted by them
        before their weighted Gram matrix is accumulated."""
        if "means" not in self.cache:
            self.cache["means"] = np.asarray(self.X.mean(axis=0), dtype=np.float64).ravel()
        return self.cache["means"]

    def norms(self):
        """The columns' Euclidean norms and the largest row norm (computed once)."""
        cache = self.cache
        if "norms" not in cache:
            X = self.X
            if cache.get("split") is not None:
                cols, rows = cache["split"].squared_norms()
            elif sp.issparse(X):
                squares = X.multiply(X)
                cols = np.asarray(squares.sum(axis=0), dtype=np.float64).ravel()
                rows = np.asarray(squares.sum(axis=1), dtype=np.float64).ravel()
            else:
                cols = np.einsum("ij,ij->j", X, X, dtype=np.float64)
                rows = np.einsum("ij,ij->i", X, X, dtype=np.float64)
            cache["norms"] = np.sqrt(cols), float(np.sqrt(rows.max(initial=0.0)))
        return cache["norms"]

    def correlations(self, theta):
        """``X^T theta`` (from the split rows when made: their sparse part sums the same
        terms, the dense block's ``x - shift`` and ``shift sum(theta)`` each at most the
        round-off model's, see ``gap_of``)."""
        split = self.cache.get("split")
        if split is not None:
            return split.rmatvec(theta)
        return np.asarray(self.X.T @ theta, dtype=np.float64).ravel()

    def split_rows(self, solver):
        """X split into its mostly-zero columns (CSR) and the others (:class:`SplitRows`,
        made once per X), when the Newton steps are solved on the weighted Gram matrix
        (n >> p) and the split makes it cheaper; else None."""
        if "split" not in self.cache:
            n, p = self.X.shape
            self.cache["split"] = SplitRows.of(self.X) if solves_on_gram(n, p, False, solver) \
                else None
        return self.cache["split"]

    def predictor(self, w, intercept):
        split = self.cache.get("split")
        if split is not None:  # its nonzeros and dense block: 3.5x faster on one-hot data
            return split.matvec(w) + intercept
        return np.asarray(self.X @ w, dtype=np.float64).ravel() + intercept

    def penalty(self, w):
        return float(self.a @ np.abs(w) + 0.5 * self.b @ (w * w))

    def objective(self, w, intercept, eta=None):
        eta = self.predictor(w, intercept) if eta is None else eta
        return self.datafit.value(self.y, eta, self.c) + self.penalty(w)

    @property
    def unpenalized(self):
        """The features without any penalty (``penalty_factor`` 0)."""
        return np.flatnonzero((self.a == 0) & (self.b == 0))

    def refit_unpenalized(self, w, intercept, eta=None):
        """``(w, intercept, eta)`` with the intercept and the unpenalized coefficients
        minimising ``P`` given the others: closed-form for the intercept alone (the log
        link), Newton's method on that small block otherwise (damped, to machine accuracy).
        The dual point is read at this predictor, so that its sum (the intercept) and its
        correlations with the unpenalized features vanish."""
        eta = self.predictor(w, intercept) if eta is None else eta
        fit, y, c = self.datafit, self.y, self.c
        U = self.unpenalized
        if len(U) == 0:
            if not self.fit_intercept:
                return w, intercept, eta
            shift = fit.intercept_shift(y, eta, c)
            return w, intercept + shift, eta + shift
        coef = np.concatenate([[intercept], w[U]]) if self.fit_intercept else w[U].copy()
        split = self.cache.get("split")
        if split is not None and (len(U) + 1) ** 2 / 2 > split.cost:
            evaluate = self._split_block_evaluator(split, U, eta, coef)
        else:
            XU = self.X[:, U]
            XU = XU.toarray() if sp.issparse(XU) else np.asarray(XU, dtype=np.float64)
            B = np.column_stack([np.ones(len(y)), XU]) if self.fit_intercept else XU
            rest = eta - B @ coef

            def evaluate(coef):
                e = rest + B @ coef
                return (fit.value(y, e, c), B.T @ (c * fit.derivative(y, e)),
                        (B * (c * fit.second_derivative(y, e))[:, None]).T @ B, e)

        coef, eta = damped_newton(coef, evaluate)
        return self.with_block(w, intercept, coef) + (eta,)

    def _split_block_evaluator(self, split, U, eta, coef):
        """:meth:`refit_unpenalized`'s ``evaluate`` from the split rows: the predictor and
        the gradient by their products, the Hessian ``B^T diag(c l'') B`` of the block ``B =
        [1, X_U]`` from their weighted statistics (``n (k^2 / 2 + k p_d)`` for every column,
        where the dense ``B`` costs ``n |U|^2``: 15x less on the insurance design with every
        feature unpenalized). The Hessian only steers the steps; the fixed point is where the
        gradient, computed as before, vanishes."""
        fit, y, c, p = self.datafit, self.y, self.c, self.X.shape[1]
        offset = 1 if self.fit_intercept else 0

        def block_predictor(coef):
            v = np.zeros(p)
            v[U] = coef[offset:]
            return split.matvec(v) + (coef[0] if offset else 0.0)

        rest = eta - block_predictor(coef)

        def evaluate(coef):
            e = rest + block_predictor(coef)
            g = c * fit.derivative(y, e)
            grad = split.rmatvec(g)[U]
            stats = split.weighted_stats(np.zeros(len(y)), c * fit.second_derivative(y, e))
            m = stats.mean_x[U]
            H_uu = stats.Mxx[np.ix_(U, U)] + stats.S * np.outer(m, m)
            if offset:
                H = np.empty((len(U) + 1, len(U) + 1))
                H[0, 0], H[0, 1:], H[1:, 0], H[1:, 1:] = stats.S, stats.S * m, \
                    stats.S * m, H_uu
                grad = np.concatenate([[g.sum()], grad])
            else:
                H = H_uu
            return fit.value(y, e, c), grad, H, e
        return evaluate

    def with_block(self, w, intercept, coef):
        """``(w, intercept)`` with the intercept (when fitted) and the unpenalized
        coefficients set to ``coef``."""
        w = w.copy()
        w[self.unpenalized] = coef[1:] if self.fit_intercept else coef
        return w, float(coef[0]) if self.fit_intercept else intercept

    def null_model(self):
        """``(w, intercept)`` of the best model whose penalized features are all zero."""
        w, intercept, _ = self.refit_unpenalized(np.zeros(self.X.shape[1]), 0.0)
        return w, intercept

    def null_objective(self):
        """``P(0)``: the objective of the best model without (penalized) features (computed
        once per cache: the fits of a path share their y, weights and penalty factors)."""
        key = ("null_objective", self.fit_intercept, tuple(self.unpenalized))
        if key not in self.cache:
            self.cache[key] = self.objective(*self.null_model())
        return self.cache[key]

    @property
    def n_samples(self):
        return len(self.y)

    def duality_gap(self, w, intercept, eta=None):
        """``(gap, primal)`` at ``(w, intercept)``, round-off margin included."""
        eta = self.predictor(w, intercept) if eta is None else eta
        c, y, fit = self.c, self.y, self.datafit
        w_dual, _, shifted = self.refit_unpenalized(w, intercept, eta)
        lprime = fit.derivative(y, shifted)
        theta = -c * lprime
        reading = DualReading(
            fit.value(y, eta, c), float(c @ np.abs(fit._terms(y, eta))),
            float(c @ np.abs(fit.derivative(y, eta))),
            self.correlations(theta),
            float(np.linalg.norm(theta)), float(theta.sum()))
        live = c > 0
        return self.gap_of(w, intercept, w_dual, reading,
                           lambda kappa: fit.conjugate(y[live], kappa * lprime[live], c[live]))

    def gap_of(self, w, intercept, w_dual, reading, conjugate):
        """``(gap, primal)`` from what the data say at ``(w, intercept)`` (``reading``, sums
        over the rows: in memory or from chunk passes), ``w_dual`` the coefficients of the
        refitted predictor where the dual point was read, and ``conjugate(kappa)`` the
        loss's conjugate at the scaled dual point."""
        primal = reading.loss + self.penalty(w)
        u = reading.u
        # The dual point is theta as computed (its distance to the exact gradient does not
        # matter: any feasible theta bounds). What round-off can hide is in the sums over
        # samples: x_j^T theta (eps sqrt(n) ||x_j|| ||theta||, the model of the squared loss's
        # certificate, _kernels._prox._correlation_errors), sum(theta), which the intercept
        # needs to be 0 (its residue costs up to |b| times it), and the primal's predictor
        # (eps (|b| + max_i ||x_i|| ||w||) per sample, times c_i |l'_i|).
        norms, row_max = self.norms()
        n = self.n_samples
        # (from the split rows, a dense column's correlation is block^T theta + shift
        # sum(theta): its round-off scales with ||x_j - shift_j|| + 2 ||x_j|| / sqrt(n), as
        # |shift_j| sqrt(n) <= ||x_j||: less than ||x_j|| for offset columns)
        split = self.cache.get("split")
        scales = norms if split is None else split.correlation_scales(norms)
        err = EPS * np.sqrt(n) * reading.theta_norm * scales
        # (4x from the split rows: their predictor sums x - shift and shift separately,
        # each term at most the row's norm, as the shift, the column means, is at most the
        # largest, and the block's own rounding)
        eta_err = (1.0 if split is None else 4.0) * EPS * (
            abs(intercept) + row_max * float(np.linalg.norm(w)))
        rounding = eta_err * reading.abs_gradient
        if self.fit_intercept:
            rounding += (abs(intercept) + 1.0) * (abs(reading.theta_sum) + EPS * np.sqrt(n)
                                                   * reading.theta_norm)
        # unpenalized features: their correlations vanish at the refitted predictor up to
        # the refit's accuracy, a residue costing up to |w*_j| times it (as the intercept's);
        # the scaling and the penalty's conjugate then see them as 0
        U = self.unpenalized
        rounding += float(np.sum((np.abs(w_dual[U]) + 1.0) * (np.abs(u[U]) + err[U])))
        G = np.array(u, dtype=np.float64)[None, :]
        G[0, U] = 0.0
        pen = penalty_data(self.a, self.b, self.bounds)
        err_k = np.array([EPS * np.sqrt(n) * reading.theta_norm])
        kappa = dual_scaling(G, True, pen, scales, err_k, False)
        r_conj = penalty_conjugate(G, kappa, pen, scales, err_k, False)
        conj = conjugate(kappa)
        dual = -conj - r_conj
        scale = reading.abs_loss + abs(conj) + self.penalty(w) + r_conj
        margin = 64.0 * EPS * scale + rounding
        return max(primal - dual, 0.0) + margin, primal

    # The proximal-Newton loop (prox_newton) reaches the data only through these methods, so
    # that the chunked problem (._glm_dask) runs the same loop with a pass where X is read.

    def newton_point(self, w, intercept, eta, l1_ratio, alpha, penalty_factor, inner_tol,
                     solver):
        return _direction(self, w, intercept, eta, l1_ratio, alpha, penalty_factor,
                          inner_tol, solver)

    def move(self, d_w, d_b):
        """The direction as the loop carries it: here its change of the predictor."""
        return self.predictor(d_w, d_b)

    def slope(self, eta, move):
        """The loss's directional derivative at ``eta`` along ``move``."""
        return float(self.c @ (self.datafit.derivative(self.y, eta) * move))

    def trial(self, w, intercept, eta, move, step):
        """``(P, predictor)`` at the step of length ``step`` from ``eta`` along ``move``."""
        eta = eta + step * move
        return self.objective(w, intercept, eta), eta

    def refresh(self, w, intercept, eta):
        """The predictor at ``(w, intercept)`` from scratch: the certificate's."""
        return self.predictor(w, intercept)


def penalty_data(a, b, bounds):
    """The penalty as the kernels' ``PenaltyData`` (its weights and box; the unpenalized
    features' statistics are not needed by the GLM certificate)."""
    return PenaltyData(a, b, *box_arrays(bounds, a.shape[0]), None, None, None, None)


@dataclass
class DualReading:
    """What the certificate reads of the data at a model: ``F(eta)``, ``sum c |l|`` and ``sum c
    |l'|`` at its predictor, and of the dual point ``theta = -c l'`` at the refitted predictor
    its correlations ``X^T theta``, its norm and its sum."""

    loss: float
    abs_loss: float
    abs_gradient: float
    u: np.ndarray
    theta_norm: float
    theta_sum: float


def working_set(problem, w, eta):
    """The features a Newton step on the rows moves (p large: its design copies them): the
    support of ``w`` and the worst violators of the optimality conditions at ``eta`` (as
    many as the support, at least ``WS_MIN``), from one pass over X; None (every feature)
    when that would be half of them or more, or when some feature has no L1 penalty. On
    the weighted Gram matrix (n >> p) every feature takes part: there a step costs a pass
    over X whatever the set, and growing it step by step took more steps. The certificate still reads every feature, so a
    feature left out that should enter makes the gap say so, and the next step takes it."""
    a, p = problem.a, problem.X.shape[1]
    if np.any(a == 0) or p < 2 * WS_MIN:
        return None
    grad = np.asarray(problem.X.T @ (problem.c * problem.datafit.derivative(problem.y, eta)),
                      dtype=np.float64).ravel()
    violation = box_reach(-grad, problem.bounds) - a
    support = np.flatnonzero(w)
    candidates = np.flatnonzero((w == 0) & (violation > 0))
    room = max(WS_MIN, len(support))
    if len(candidates) > room:
        candidates = candidates[np.argpartition(-violation[candidates], room)[:room]]
    ws = np.union1d(support, candidates)
    return None if len(ws) >= 0.5 * p else ws


def _direction(problem, w, intercept, eta, l1_ratio, alpha, penalty_factor, inner_tol,
               solver):
    """The Newton point: the penalized weighted least-squares solution of the quadratic
    model at ``eta`` (coefficients and intercept), over the :func:`working_set`."""
    X = problem.X
    split = problem.split_rows(solver)
    gram = solves_on_gram(*X.shape, False, solver) and (split is not None or not sp.issparse(X))
    ws = working_set(problem, w, eta) if l1_ratio > 0 and not gram else None
    fit, y = problem.datafit, problem.y
    h = fit.second_derivative(y, eta)
    h = np.maximum(h, WEIGHT_FLOOR * float(h.max()))
    z = eta - fit.derivative(y, eta) / h
    weights = problem.s * h
    # (1/S) sum s l'' r^2 / 2 = (S' / S) (1/S') sum s' r^2 / 2: the least-squares alpha is
    # alpha S / S'
    alpha_ls = alpha * problem.s.sum() / weights.sum()
    factors = penalty_factor if penalty_factor is None or ws is None else penalty_factor[ws]
    start = w if ws is None else w[ws]
    if gram:
        # n >> p: the solvers work on the weighted Gram matrix, formed from blocks of rows
        # as they are read (the row design would first copy X scaled by the weights), or
        # from the mostly-zero columns' nonzeros (one-hot factors: SplitRows)
        stats = split.weighted_stats(z, weights) if split is not None else \
            SufficientStats.of_weighted_rows(X, z, weights, problem.column_means())
        design = GramDesign(stats, problem.fit_intercept)
    else:
        design = make_design(X if ws is None else X[:, ws], z, weights, problem.fit_intercept,
                             solver=solver if l1_ratio > 0 else "auto")
    bounds = problem.bounds if problem.bounds is None or ws is None else problem.bounds.take(ws)
    sol = solve_quadratic_model(design, alpha_ls, l1_ratio, factors, bounds, inner_tol, start,
                                solver)
    coef = sol.coef
    if ws is not None:
        coef = np.zeros_like(w)
        coef[ws] = sol.coef
    return coef, (sol.intercept if problem.fit_intercept else 0.0)


def solve_quadratic_model(design, alpha_ls, l1_ratio, penalty_factor, bounds, inner_tol,
                          start, solver):
    """The Newton point: the least-squares fit of ``design`` (the quadratic model's working
    response and weights) with the penalty and the box, warm-started at ``start``."""
    if l1_ratio == 0.0 and bounds is None:
        return solve_ridge(design, alpha_ls, penalty_factor=penalty_factor, tol=inner_tol,
                           coef_init=start, warn=False,
                           solver=solver if solver in RIDGE_SOLVERS else "auto")
    return solve_enet(design, alpha_ls, l1_ratio, penalty_factor=penalty_factor,
                      bounds=bounds, tol=inner_tol, max_iter=INNER_EPOCHS,
                      coef_init=start, solver=solver, warn=False)


def solve_glm(X, y, sample_weight, loss, power, alpha, l1_ratio, *, fit_intercept=True,
              penalty_factor=None, bounds=None, tol=1e-4, max_iter=100, coef_init=None,
              solver="auto", warn=True, cache=None):
    """Penalized GLM fit (see the module docstring), stopped at duality gap <= ``tol *
    P(0)``; ``max_iter`` counts Newton steps. Returns a :class:`~._solvers.Solution`.
    ``cache``: a dict shared by the fits of one X, y and weights (a path), holding the
    column means and norms (a pass over X each) and ``P(0)``, computed once."""
    problem = GLMProblem.of(X, y, sample_weight, loss, power, alpha, l1_ratio,
                            fit_intercept, penalty_factor, bounds, cache)
    problem.split_rows(solver)  # first: every predictor and the norms can then use it
    return prox_newton(problem, loss, alpha, l1_ratio, penalty_factor=penalty_factor, tol=tol,
                       max_iter=max_iter, coef_init=coef_init, solver=solver, warn=warn)


def unpenalized_glm(X, y, sample_weight, loss, power, fit_intercept=True, start=None):
    """``(coef, intercept)`` of the unpenalized GLM: with every feature unpenalized, the
    refit of :meth:`GLMProblem.refit_unpenalized` is the whole fit, by Newton's method to
    machine accuracy (nothing is penalized, so there is no duality gap to certify), from
    ``start`` (``(coef, intercept)``, e.g. a path's least penalized model) or 0."""
    problem = GLMProblem.of(X, y, sample_weight, loss, power, 0.0, 0.0, fit_intercept)
    problem.split_rows("auto")
    coef, intercept = (np.zeros(X.shape[1]), 0.0) if start is None else start
    coef, intercept, _ = problem.refit_unpenalized(np.array(coef, dtype=np.float64),
                                                   float(intercept) if fit_intercept else 0.0)
    return coef, intercept


def glm_gap(X, y, sample_weight, loss, power, alpha, l1_ratio, coef, intercept, *,
            fit_intercept=True, penalty_factor=None, bounds=None, cache=None):
    """``(gap, P(0))``: the certificate of a given model (e.g. float32 coefficients as
    stored) and the objective it is measured against (``cache`` as :func:`solve_glm`'s)."""
    problem = GLMProblem.of(X, y, sample_weight, loss, power, alpha, l1_ratio,
                            fit_intercept, penalty_factor, bounds, cache)
    gap = problem.duality_gap(np.asarray(coef, dtype=np.float64), float(intercept))[0]
    return gap, problem.null_objective()
