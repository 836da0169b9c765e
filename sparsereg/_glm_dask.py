"""Penalized Poisson, Gamma and Tweedie regression on dask arrays: the proximal Newton of
:mod:`._glm` (its loop, :func:`~._prox_newton.prox_newton`) with X read in one pass over
its row chunks per Newton step.

The pass at a model (the line search's trial, usually the full step) returns the loss there
and the sufficient statistics of the next step's quadratic model
(:mod:`._problem._glm_chunks`), which is solved on its weighted Gram matrix as every Gram fit
is (:func:`~._glm.solve_quadratic_model` on a :class:`~._problem._stats.GramDesign`); the
gradient it also returns prices the step's predicted decrease without another pass.

The certificate is the in-memory one (:meth:`~._glm.GLMProblem.gap_of`: the same dual point,
the same round-off margins) from two more passes: the dual point's correlations at the
predictor whose intercept is optimal (its closed-form shift read off the model's pass), then
the loss's conjugate at the scaled dual point. With unpenalized features the intercept and
their coefficients are refitted by Newton's method (:func:`~._damped_newton.damped_newton`), each of
its evaluations a pass (two or three near the optimum).

Before any pass over X, a pass over y and the sample weights checks the target against the
loss, as in memory; the first pass over X also gives its column norms and largest row norm
(and finds NaN or infinity in it). IRLS weights are floored relative to each chunk's largest
(in memory: the largest of all), which matters only where ``l''`` underflows.
"""

from dataclasses import dataclass

import numpy as np

from ._damped_newton import damped_newton
from ._glm import DualReading, GLMProblem, solve_quadratic_model
from ._prox_newton import prox_newton
from ._glm_checks import check_target_summary, target_summary
from ._problem._class_chunks import DaskChunks
from ._problem._datafit import glm_datafit
from ._problem._glm_chunks import conjugate_sums, glm_sums
from ._problem._stats import GramDesign


@dataclass
class Point:
    """What the chunked problem keeps of a model's predictor: the sums of a pass there."""

    sums: object
    refitted: bool = False  # intercept and unpenalized coefficients optimal given the rest


@dataclass
class ChunkedGLMProblem(GLMProblem):
    """A :class:`~._glm.GLMProblem` whose rows are read in chunks, a pass per
    ``chunks.reduce`` (``X``, ``y``, ``s`` are None: the chunks hold them). ``cache`` keeps
    what does not depend on the penalty: the target's summary, the first pass (norms, the
    model without features), the null model."""

    chunks: object = None
    n: int = 0
    total_weight: float = 0.0
    mean_y: float = 1.0  # weighted

    @classmethod
    def of_chunks(cls, chunks, target, n_features, loss, power, alpha, l1_ratio,
                  fit_intercept=True, penalty_factor=None, bounds=None, cache=None):
        v = np.ones(n_features) if penalty_factor is None \
            else np.asarray(penalty_factor, dtype=np.float64)
        return cls(None, None, None, glm_datafit(loss, power), bool(fit_intercept),
                   alpha * l1_ratio * v, alpha * (1.0 - l1_ratio) * v, bounds,
                   {} if cache is None else cache, chunks, target["n"], target["S"],
                   target["ys"] / target["S"])

    @property
    def n_samples(self):
        return self.n

    def _pass(self, w, intercept, with_stats=False, with_norms=False):
        return Point(self.chunks.reduce(
            glm_sums, np.asarray(w, dtype=np.float64), float(intercept), self.datafit.power,
            self.unpenalized, self.fit_intercept, with_stats, with_norms))

    def _first(self):
        """``(intercept, Point)`` of the model without features (its intercept the log of
        the mean target, optimal without unpenalized features), norms included."""
        if "first" not in self.cache:
            b0 = float(np.log(self.mean_y)) if self.fit_intercept else 0.0
            point = self._pass(np.zeros(len(self.a)), b0, with_stats=True, with_norms=True)
            point.refitted = len(self.unpenalized) == 0
            self.cache["first"] = b0, point
        return self.cache["first"]

    def norms(self):
        sums = self._first()[1].sums
        return np.sqrt(sums.col_sq), float(np.sqrt(sums.row_max))

    def _null(self):
        if "null" not in self.cache:
            b0, point = self._first()
            w = np.zeros(len(self.a))
            self.cache["null"] = (w, b0, point) if point.refitted \
                else self._refit(w, b0, point, with_stats=True)
        return self.cache["null"]

    def null_model(self):
        """``(w, intercept)`` of the best model whose penalized features are all zero."""
        w, intercept, _ = self._null()
        return w.copy(), intercept

    def null_objective(self):
        """``P(0)``, from the null model's pass."""
        w, _, point = self._null()
        return point.sums.loss / self.total_weight + self.penalty(w)

    def _block(self, point):
        """``(value, gradient, Hessian, point)`` of the loss in the intercept and the
        unpenalized coefficients, read off a pass."""
        sums, S, U = point.sums, self.total_weight, self.unpenalized
        g = sums.xg[U]
        if self.fit_intercept:
            g = np.concatenate([[sums.gsum], g])
        return sums.loss / S, g / S, sums.block_hessian / S, point

    def _refit(self, w, intercept, point, with_stats):
        """:meth:`~._glm.GLMProblem.refit_unpenalized` from the sums of ``point``, a pass at
        ``(w, intercept)``: the intercept's closed-form shift (as
        :meth:`~._problem._datafit.HalfTweedieDeviance.intercept_shift`) then a pass there,
        or Newton's method on the block, a pass per evaluation."""
        U = self.unpenalized
        if len(U) == 0:
            if not self.fit_intercept:
                return w, intercept, Point(point.sums, True)
            intercept = intercept + float(np.log(point.sums.top) - np.log(point.sums.bottom))
            return w, intercept, Point(self._pass(w, intercept, with_stats).sums, True)

        def evaluate(coef):
            return self._block(self._pass(*self.with_block(w, intercept, coef), with_stats))

        start = np.concatenate([[intercept], w[U]]) if self.fit_intercept else w[U].copy()
        coef, point = damped_newton(start, evaluate, first=self._block(point))
        w, intercept = self.with_block(w, intercept, coef)
        if with_stats and point.sums.stats is None:  # no step taken from a pass without them
            point = self._pass(w, intercept, with_stats)
        return w, intercept, Point(point.sums, True)

    def refit_unpenalized(self, w, intercept, eta=None):
        """``(w, intercept, Point)`` with the intercept and the unpenalized coefficients
        refitted (see :meth:`_refit`); the point has the statistics of a Newton step."""
        if eta is None:
            if not np.any(w):
                w0, b0, point = self._null()
                return w0.copy(), b0, point
            moves = self.fit_intercept or len(self.unpenalized) > 0
            eta = self._pass(w, intercept, with_stats=not moves)
        if eta.refitted:
            return w, intercept, eta
        return self._refit(w, intercept, eta, with_stats=True)

    def duality_gap(self, w, intercept, eta=None):
        """``(gap, primal)`` at ``(w, intercept)`` (``eta``: a pass there), round-off margin
        included: :meth:`~._glm.GLMProblem.gap_of` from the passes' sums."""
        point = self._pass(w, intercept) if eta is None else eta
        w_dual, b_dual, dual = (w, intercept, point) if point.refitted \
            else self._refit(w, intercept, point, with_stats=False)
        S, at, th = self.total_weight, point.sums, dual.sums
        reading = DualReading(at.loss / S, at.abs_loss / S, at.abs_gradient / S, -th.xg / S,
                              float(np.sqrt(th.grad_sq)) / S, -th.gsum / S)

        def conjugate(kappa):
            return self.chunks.reduce(conjugate_sums, w_dual, b_dual, self.datafit.power, S,
                                      kappa).conjugate

        return self.gap_of(w, intercept, w_dual, reading, conjugate)

    # the loop's access to the data (see GLMProblem): a pass per trial point

    def newton_point(self, w, intercept, eta, l1_ratio, alpha, penalty_factor, inner_tol,
                     solver):
        stats = eta.sums.stats
        # (1/S) sum s l'' r^2 / 2 = (S' / S) (1/S') sum s' r^2 / 2: alpha S / S' (as in memory)
        sol = solve_quadratic_model(GramDesign(stats, self.fit_intercept),
                                    alpha * self.total_weight / stats.S, l1_ratio,
                                    penalty_factor, self.bounds, inner_tol, w, solver)
        return sol.coef, (sol.intercept if self.fit_intercept else 0.0)

    def move(self, d_w, d_b):
        return d_w, d_b

    def slope(self, eta, move):
        return float(eta.sums.xg @ move[0] + eta.sums.gsum * move[1]) / self.total_weight

    def trial(self, w, intercept, eta, move, step):
        point = self._pass(w, intercept, with_stats=True)
        return point.sums.loss / self.total_weight + self.penalty(w), point

    def refresh(self, w, intercept, eta):
        return eta  # a pass's sums are computed from scratch


def _target_block(y, s):
    """The target's summary (:func:`~._glm_checks.target_summary`) on one chunk, with the sum of the
    weights and of the weighted target; the weights are checked here, where they live."""
    y = np.asarray(y, dtype=np.float64)
    s = np.ones(len(y)) if s is None else np.asarray(s, dtype=np.float64)
    if not np.all(np.isfinite(s)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(s < 0):
        raise ValueError("sample_weight must be non-negative; found negative values.")
    out = target_summary(y)
    out.update(S=float(s.sum()), ys=float(s @ np.where(np.isfinite(y), y, 0.0)))
    return out


def _merge(blocks):
    total = dict(blocks[0])
    for block in blocks[1:]:
        for key, value in block.items():
            total[key] = min(total[key], value) if key == "min" else total[key] + value
    return total


def chunked_glm_problem(X, y, sample_weight, loss, power, alpha, l1_ratio, *,
                        fit_intercept=True, penalty_factor=None, bounds=None, cache=None):
    """A :class:`ChunkedGLMProblem` of checked dask inputs (:func:`~._problem._dask.
    check_dask_data`); the target is checked against the loss first, in a pass over y and
    the weights alone (once per ``cache``)."""
    import dask
    import dask.array as da

    cache = {} if cache is None else cache
    if "target" not in cache:
        ys = y.to_delayed().ravel()
        ss = [None] * len(ys) if sample_weight is None else sample_weight.to_delayed().ravel()
        block = dask.delayed(_target_block, pure=True)
        target = _merge(dask.compute(*[block(a, b) for a, b in zip(ys, ss)]))
        check_target_summary(target, loss, power)
        if not target["S"] > 0:
            raise ValueError("sample_weight must not be all zero: its sum must be positive.")
        cache["target"] = target
    s = da.ones(y.shape, chunks=y.chunks) if sample_weight is None else sample_weight
    return ChunkedGLMProblem.of_chunks(DaskChunks(X, y, s), cache["target"], X.shape[1], loss,
                                       power, alpha, l1_ratio, fit_intercept, penalty_factor,
                                       bounds, cache)


def solve_glm_dask(X, y, sample_weight, loss, power, alpha, l1_ratio, *, fit_intercept=True,
                   penalty_factor=None, bounds=None, tol=1e-4, max_iter=100,
                   coef_init=None, solver="auto", warn=True, cache=None):
    """:func:`~._glm.solve_glm` for dask arrays: one pass over the chunks per Newton step
    (and per halving of its step), two for each certificate (see the module docstring).
    ``cache``: a dict shared with :func:`glm_gap_dask` (the target's check and the first
    pass are not repeated)."""
    problem = chunked_glm_problem(X, y, sample_weight, loss, power, alpha, l1_ratio,
                                  fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                                  bounds=bounds, cache=cache)
    return prox_newton(problem, loss, alpha, l1_ratio, penalty_factor=penalty_factor, tol=tol,
                       max_iter=max_iter, coef_init=coef_init, solver=solver, warn=warn)


def glm_gap_dask(X, y, sample_weight, loss, power, alpha, l1_ratio, coef, intercept, *,
                 fit_intercept=True, penalty_factor=None, bounds=None, cache=None):
    """:func:`~._glm.glm_gap` for dask arrays: ``(gap, P(0))`` of a given model."""
    problem = chunked_glm_problem(X, y, sample_weight, loss, power, alpha, l1_ratio,
                                  fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                                  bounds=bounds, cache=cache)
    gap = problem.duality_gap(np.asarray(coef, dtype=np.float64), float(intercept))[0]
    return gap, problem.null_objective()
