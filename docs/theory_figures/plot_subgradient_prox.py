"""
Subgradients and proximal operators: a dead zone for L1, a scaling for L2
=========================================================================

Top row: the penalties ``alpha |w|`` and ``alpha w^2 / 2`` and their (sub)gradients. The L1
subgradient keeps magnitude ``alpha`` all the way to zero, where it fills the whole interval
``[-alpha, alpha]``; the L2 gradient ``alpha w`` fades out as ``w -> 0``.

Bottom row: the proximal operators, ``prox(z) = argmin_w 1/2 (w - z)^2 + t * penalty(w)``.
For L1 it is soft-thresholding ``S(z, t) = sign(z) max(|z| - t, 0)``
(:func:`sparsereg.soft_threshold`), which returns exact zeros on the dead zone ``[-t, t]``; for
L2 it is the scaling ``z / (1 + t)``, zero only at ``z = 0``.

The dots are not drawn from the formulas: they are coefficients fitted by
:class:`~sparsereg.L1Regressor` and :class:`~sparsereg.L2Regressor` on a design with orthonormal
columns (``X^T X / n = I``), where the penalized least-squares solution is exactly the proximal
operator applied to the least-squares coefficients ``z = X^T y / n``.
"""

import matplotlib.pyplot as plt
import numpy as np

from sparsereg import L1Regressor, L2Regressor, soft_threshold

alpha = 1.0
w = np.linspace(-3, 3, 601)

# An orthonormal design whose least-squares coefficients are the grid z.
z = np.linspace(-3, 3, 24)  # 0 excluded: a generic problem
n = 100
Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((n, z.size)))
X = np.sqrt(n) * Q  # X^T X / n = I
y = X @ z
l1 = L1Regressor(alpha, fit_intercept=False, tol=1e-12).fit(X, y)
l2 = L2Regressor(alpha, fit_intercept=False).fit(X, y)
assert np.allclose(l1.coef_, soft_threshold(z, alpha), atol=1e-9)
assert np.allclose(l2.coef_, z / (1 + alpha), atol=1e-9)
print(f"L1 fit: {l1.n_nonzero_} of {z.size} coefficients nonzero "
      f"(the {np.sum(np.abs(z) <= alpha)} with |z| <= alpha are exactly 0)")
print(f"L2 fit: {l2.n_nonzero_} of {z.size} nonzero: shrunk, none zero")

fig, axes = plt.subplots(2, 2, figsize=(6, 6.4), layout="constrained")
ax = axes[0, 0]
ax.plot(w, alpha * np.abs(w), label="L1: $\\alpha |w|$")
ax.plot(w, alpha * w**2 / 2, label="L2: $\\alpha w^2 / 2$")
ax.set(title="Penalty", xlabel="w", ylim=(-0.2, 3.2))
ax.legend()

ax = axes[0, 1]
for side in (w < 0, w > 0):
    ax.plot(w[side], alpha * np.sign(w[side]), color="C0")
ax.plot([0, 0], [-alpha, alpha], color="C0", lw=4, solid_capstyle="butt",
        label="L1: $\\alpha\\,\\mathrm{sign}(w)$;\n$[-\\alpha, \\alpha]$ at $w = 0$")
ax.plot(w, alpha * w, color="C1", label="L2: $\\alpha w$")
ax.set(title="(Sub)gradient", xlabel="w", ylim=(-3.2, 3.2))
ax.legend(loc="upper left")

ax = axes[1, 0]
ax.axvspan(-alpha, alpha, color="C0", alpha=0.12, label="dead zone $[-t, t]$")
ax.plot(w, soft_threshold(w, alpha), color="C0", label="$S(z, t)$")
ax.plot(z, l1.coef_, "o", color="C0", mfc="white", label="L1Regressor coef_")
ax.plot(w, w, ":", color="0.5", label="identity")
ax.set(title=f"L1 proximal operator, t = {alpha:g}", xlabel="z", ylabel="prox(z)")
ax.legend(loc="upper left")

ax = axes[1, 1]
ax.plot(w, w / (1 + alpha), color="C1", label="$z / (1 + t)$")
ax.plot(z, l2.coef_, "o", color="C1", mfc="white", label="L2Regressor coef_")
ax.plot(w, w, ":", color="0.5", label="identity")
ax.set(title=f"L2 proximal operator, t = {alpha:g}", xlabel="z", ylabel="prox(z)")
ax.legend(loc="upper left")
for ax in axes.flat:
    ax.axhline(0, color="0.7", lw=0.6)
    ax.axvline(0, color="0.7", lw=0.6)
plt.show()
