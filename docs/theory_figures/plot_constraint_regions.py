"""
Constraint regions: the L1 diamond touches on an axis, the L2 disc does not
===========================================================================

The penalized problem ``min_w 1/(2n) ||y - Xw - b||^2 + alpha * penalty(w)`` is the Lagrangian
form of the constrained problem ``min_w 1/(2n) ||y - Xw - b||^2`` subject to
``penalty(w) <= t``: for every budget ``t`` below the norm of the least-squares solution there
is an ``alpha`` whose penalized solution has norm exactly ``t``, and that solution is the
constrained one. So the point where the least-squares contours first touch the constraint
region is found here by *fitting sparsereg*, with ``alpha`` tuned by bisection until
``||w(alpha)|| = t``, not by geometry.

On a two-feature problem with correlated features, the touching point is a corner of the L1
diamond (one coefficient exactly zero) and a generic point of the L2 disc (both nonzero).
"""

import matplotlib.pyplot as plt
import numpy as np

from sparsereg import L1Regressor, L2Regressor, alpha_max

rng = np.random.default_rng(0)
n = 200
X = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]], size=n)
y = X @ np.array([2.0, 0.7]) + 0.5 * rng.standard_normal(n)

# Least squares with the intercept profiled out: the centre of the contours.
Xc, yc = X - X.mean(axis=0), y - y.mean()
w_ls = np.linalg.lstsq(Xc, yc, rcond=None)[0]


def loss(w1, w2):
    """Training loss 1/(2n) ||y_c - X_c w||^2 on a grid of (w1, w2)."""
    r = yc[:, None, None] - Xc[:, 0, None, None] * w1 - Xc[:, 1, None, None] * w2
    return 0.5 * np.mean(r**2, axis=0)


def alpha_with_norm(make_model, norm, t, alpha_hi):
    """Bisection on log(alpha): the penalized solution whose norm is the budget ``t``."""
    lo, hi = np.log(1e-8), np.log(alpha_hi)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if norm(make_model(np.exp(mid)).fit(X, y).coef_) > t:
            lo = mid  # too little penalty
        else:
            hi = mid
    alpha = np.exp(hi)
    return alpha, make_model(alpha).fit(X, y).coef_


t = 1.0  # the same budget for both norms
a1, w_l1 = alpha_with_norm(lambda a: L1Regressor(a, tol=1e-12),
                           lambda w: np.abs(w).sum(), t, alpha_max(X, y))
a2, w_l2 = alpha_with_norm(lambda a: L2Regressor(a), np.linalg.norm, t, 1e3)
print(f"least squares:  w = {np.round(w_ls, 3)}")
print(f"L1, ||w||_1 = {t}: alpha = {a1:.4f}, w = {np.round(w_l1, 3)}")
print(f"L2, ||w||_2 = {t}: alpha = {a2:.4f}, w = {np.round(w_l2, 3)}")
assert np.count_nonzero(w_l1) == 1 and np.count_nonzero(w_l2) == 2

grid = np.linspace(-1.6, 2.6, 300)
W1, W2 = np.meshgrid(grid, grid)
L = loss(W1, W2)
# 6 inches wide, one panel above the other: at the width of the page, every label is readable.
fig, axes = plt.subplots(2, 1, figsize=(6, 9.4), layout="constrained")
panels = [
    (axes[0], "L1: $|w_1| + |w_2| \\leq t$", w_l1, a1,
     np.array([[t, 0], [0, t], [-t, 0], [0, -t], [t, 0]])),
    (axes[1], "L2: $w_1^2 + w_2^2 \\leq t^2$", w_l2, a2,
     t * np.c_[np.cos(np.linspace(0, 2 * np.pi, 200)), np.sin(np.linspace(0, 2 * np.pi, 200))]),
]
for ax, title, w, alpha, region in panels:
    touch = loss(*w).item()
    levels = np.sort(np.r_[touch * np.array([0.35, 2.0, 3.5, 5.5]), touch])
    levels = levels[levels > loss(*w_ls).item()]
    ax.contour(W1, W2, L, levels=levels, colors="0.55", linewidths=0.8)
    ax.contour(W1, W2, L, levels=[touch], colors="C3", linewidths=1.6)
    ax.fill(region[:, 0], region[:, 1], color="C0", alpha=0.25, lw=1.5, ec="C0")
    ax.axhline(0, color="0.3", lw=0.6)
    ax.axvline(0, color="0.3", lw=0.6)
    ax.plot(*w_ls, "k+", ms=10, mew=2)
    ax.annotate("least squares", w_ls, xytext=(6, 6), textcoords="offset points")
    ax.plot(*w, "o", color="C3", ms=7)
    coords = ", ".join("0 (exactly)" if c == 0 else f"{c:.3f}" for c in w)
    ax.annotate(f"fit at alpha = {alpha:.3f}\nw = ({coords})", w,
                xytext=(10, -40), textcoords="offset points", color="C3",
                bbox={"fc": "white", "ec": "none", "alpha": 0.85})
    ax.set(title=title + f", t = {t:g}", xlabel="$w_1$", ylabel="$w_2$", aspect="equal",
           xlim=(grid[0], grid[-1]), ylim=(grid[0], grid[-1]))
fig.suptitle("The least-squares contour (red) first touches\n"
             "the constraint region at the penalized solution")
plt.show()
