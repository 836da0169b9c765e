"""The exact minimiser of a small L1-penalized quadratic: the model of a joint Newton step.

``min_x q(x) = g^T (x - w) + 1/2 (x - w)^T H (x - w) + sum_i a_i |x_i|`` with ``H``
symmetric positive semi-definite and at most a few dozen coordinates, by feature-sign search
(Lee, Battle, Raina and Ng, "Efficient sparse coding algorithms", NIPS 2006): guess the
signs, minimise the smooth quadratic of that orthant by a linear solve, and move from the
current point towards it as far as the lowest value of ``q`` among the end and the points
where a coordinate crosses zero (that one stops at zero and leaves); a zero coordinate whose
gradient exceeds its ``a_i`` enters with the sign that lowers ``q``. Each move lowers ``q``,
so the signs never repeat: finitely many moves, each exact, whatever the conditioning of ``H``
(coordinate descent on the same model crawls when ``H`` is ill-conditioned, as it is for
columns with a large common offset).
"""

import numpy as np

from ._jit import kernel
from ._linalg import pd_solve

MAX_MOVES_PER_COORDINATE = 4  # moves at most, times the number of coordinates, plus 10
FLAT_ROUNDOFF = 1e-8  # relative size of a null-space part that is a slope, not round-off
CHOLESKY_PIVOT = 1e-10  # smallest pivot, relative to the largest diagonal entry, of a
# Cholesky solve that is kept (else the eigendecomposition's minimum-norm solve)


@kernel(internal=True)
def l1_qp(g, H, w, a, x):
    """Minimise ``q`` (see the module) into ``x`` from ``x = w``; returns the moves made.

    The orthant's linear system is solved by Cholesky when it is well conditioned, else in
    the minimum-norm sense (eigendecomposition); along ``H``'s null space (a flat direction
    of the loss) ``q`` is linear, and where it decreases there, ``x`` moves to the first
    zero crossing (:func:`_flat_move`).
    """
    m = w.shape[0]
    for i in range(m):
        x[i] = w[i]
    r = np.empty(m)  # the smooth part's gradient g + H (x - w)
    _gradient(g, H, w, x, r)
    scale = 0.0
    for i in range(m):
        scale = max(scale, abs(g[i]) + a[i])
    tol = 1e-12 * scale
    s = np.empty(m)
    _signs(x, s)
    moves = 0
    value = _q(g, H, w, a, x)
    for moves in range(MAX_MOVES_PER_COORDINATE * m + 10):
        worst_nz = 0.0
        worst_zero = tol
        enter = -1
        for i in range(m):
            if s[i] != 0.0:
                worst_nz = max(worst_nz, abs(r[i] + a[i] * s[i]))
            elif abs(r[i]) - a[i] > worst_zero:
                worst_zero = abs(r[i]) - a[i]
                enter = i
        if worst_nz <= tol:
            if enter < 0:
                return moves
            s[enter] = -1.0 if r[enter] > 0.0 else 1.0
        free = np.empty(m, dtype=np.int64)
        f = 0
        for i in range(m):
            if s[i] != 0.0:
                free[f] = i
                f += 1
        step, flat = _orthant_step(H, r, a, s, free[:f])
        if _flat_move(g, H, w, a, x, free[:f], flat, value, scale):
            # q decreased linearly along H's null space, to a zero crossing
            _signs(x, s)
            value = _q(g, H, w, a, x)
            _gradient(g, H, w, x, r)
            continue
        # Candidates along x -> x + step: the end and each zero crossing.
        best = value
        best_t = 0.0
        best_zero = -1
        trial = np.empty(m)
        for c in range(-1, f):
            if c < 0:
                t = 1.0
            else:
                i = free[c]
                end = x[i] + step[c]
                if x[i] == 0.0 or end * x[i] >= 0.0:
                    continue
                t = x[i] / (x[i] - end)
                if not 0.0 < t < 1.0:
                    continue
            for i in range(m):
                trial[i] = x[i]
            for b in range(f):
                trial[free[b]] = x[free[b]] + t * step[b]
            if c >= 0:
                trial[free[c]] = 0.0
            v = _q(g, H, w, a, trial)
            if v < best:
                best, best_t, best_zero = v, t, c
        if best_t == 0.0:  # no candidate lowers q (round-off): as good as it gets
            return moves
        for b in range(f):
            x[free[b]] += best_t * step[b]
        if best_zero >= 0:
            x[free[best_zero]] = 0.0
        _signs(x, s)
        value = best
        _gradient(g, H, w, x, r)
    return moves


@kernel(internal=True)
def _signs(x, s):
    """``s = sign(x)``: the orthant of ``x`` (0 for a zero coordinate)."""
    for i in range(x.shape[0]):
        s[i] = 0.0 if x[i] == 0.0 else (1.0 if x[i] > 0.0 else -1.0)


@kernel(internal=True)
def _gradient(g, H, w, x, r):
    """``r = g + H (x - w)``: the smooth part's gradient."""
    for i in range(w.shape[0]):
        total = g[i]
        for b in range(w.shape[0]):
            total += H[i, b] * (x[b] - w[b])
        r[i] = total


@kernel(internal=True)
def _flat_move(g, H, w, a, x, free, flat, value, scale):
    """Move ``x`` along ``flat`` (on the ``free`` coordinates; a direction of ``H``'s null
    space on which ``q`` decreases linearly in the current orthant) to its first zero
    crossing, if that lowers ``q`` as the slope predicts; returns whether ``x`` moved.

    The gradient's round-off (of ``g``, and of order ``eps |H| |x - w|``, large when
    columns have large offsets) puts a ``flat`` part in any null space: below
    ``FLAT_ROUNDOFF`` times ``scale`` (the size of ``|g| + a``) or that, it is not a slope
    (a penalized feature's common shift has the slope of its L1 weight); and a coordinate
    whose own part is below ``FLAT_ROUNDOFF`` of the largest does not set the crossing (a
    round-off part would set a step of any length, the others' parts riding on it: an
    unpenalized feature's coefficients drifted to 1e8 along their common shift)."""
    f = free.shape[0]
    size = 0.0
    big_h = 0.0
    dx = 0.0
    for b in range(f):
        size = max(size, abs(flat[b]))
        dx = max(dx, abs(x[free[b]] - w[free[b]]))
        for e in range(f):
            big_h = max(big_h, abs(H[free[b], free[e]]))
    if size <= FLAT_ROUNDOFF * max(scale, big_h * dx):
        return False
    t = np.inf
    hit = -1
    for b in range(f):
        i = free[b]
        if abs(flat[b]) < FLAT_ROUNDOFF * size:
            continue
        if x[i] != 0.0 and x[i] * flat[b] < 0.0 and -x[i] / flat[b] < t:
            t = -x[i] / flat[b]
            hit = b
    if hit < 0:  # q unbounded below along it (g outside H's range): not a model to follow
        return False
    trial = x.copy()
    slope = 0.0
    for b in range(f):
        trial[free[b]] += t * flat[b]
        slope += flat[b] * flat[b]
    trial[free[hit]] = 0.0
    # along a true null direction q falls by t |flat|^2 exactly: half of it at least
    if not _q(g, H, w, a, trial) <= value - 0.5 * t * slope:
        return False
    for i in range(x.shape[0]):
        x[i] = trial[i]
    return True


@kernel(internal=True)
def _orthant_step(H, r, a, s, free):
    """The solution ``delta`` of ``H_FF delta = -(r_F + a_F s_F)``, F the ``free``
    coordinates (the Newton step of ``q`` within the orthant of signs ``s``), and the
    right-hand side's part in the null space of ``H_FF`` (zero when Cholesky's pivots are
    all large enough; else ``delta`` is the minimum-norm solution): along that part ``q``
    is linear (the L1 part's slope, e.g. along the classes' common shift of a multinomial
    loss)."""
    f = free.shape[0]
    Hf = np.empty((f, f))
    rhs = np.empty(f)
    top = 0.0
    for b in range(f):
        rhs[b] = -(r[free[b]] + a[free[b]] * s[free[b]])
        for e in range(f):
            Hf[b, e] = H[free[b], free[e]]
        top = max(top, Hf[b, b])
    # Cholesky first (a tenth of an eigendecomposition's work), kept if no pivot is small
    step = pd_solve(Hf, rhs)
    if step.shape[0] == f:
        smallest = np.inf
        for b in range(f):
            smallest = min(smallest, Hf[b, b] * Hf[b, b])  # the pivots (L's diagonal squared)
        if smallest > CHOLESKY_PIVOT * top:
            return step, np.zeros(f)
    for b in range(f):
        for e in range(f):
            Hf[b, e] = H[free[b], free[e]]
    vals, vecs = np.linalg.eigh(Hf)
    top = max(abs(vals[0]), abs(vals[f - 1]))
    step = np.zeros(f)
    flat = np.zeros(f)
    for e in range(f):
        proj = 0.0
        for b in range(f):
            proj += vecs[b, e] * rhs[b]
        if vals[e] > 1e-12 * top:
            for b in range(f):
                step[b] += proj / vals[e] * vecs[b, e]
        else:
            for b in range(f):
                flat[b] += proj * vecs[b, e]
    return step, flat


@kernel(internal=True)
def _q(g, H, w, a, x):
    """``q(x)`` of the module."""
    m = w.shape[0]
    total = 0.0
    for i in range(m):
        d_i = x[i] - w[i]
        half = 0.0
        for b in range(m):
            half += H[i, b] * (x[b] - w[b])
        total += d_i * (g[i] + 0.5 * half) + a[i] * abs(x[i])
    return total
