"""
Coefficient paths: L1, elastic net and L2 on the same data
==========================================================

:func:`sparsereg.regularization_path` on the diabetes data (10 standardized features), with
``penalty="l1"``, ``"elasticnet"`` (``l1_ratio=0.5``) and ``"l2"``, each drawn by
:meth:`sparsereg.RegularizationPath.plot` (the top axis gives the number of nonzero
coefficients). Alpha decreases to the right.

The lasso and elastic-net paths start at ``alpha_max`` with every coefficient exactly zero and
let features in one at a time; the ridge path has all 10 coefficients nonzero at every alpha,
shrinking them smoothly toward zero without reaching it. The last panel puts the sparsity
counts side by side against ``alpha / alpha_max``. The ridge grid is longer (``eps=1e-6``
instead of the default ``1e-3``): at the top of the L2 grid, ``alpha_max`` computed with
``l1_ratio=1e-3`` as glmnet does, every coefficient is already tiny yet nonzero, and the
coefficients approach least squares only at much smaller alphas.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from sparsereg import alpha_max, regularization_path

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)

paths = {
    "L1 (lasso)": regularization_path(X, y, penalty="l1"),
    "elastic net, l1_ratio = 0.5": regularization_path(X, y, penalty="elasticnet",
                                                       l1_ratio=0.5),
    # A longer grid for ridge (eps=1e-6): it approaches least squares only at small alpha.
    "L2 (ridge)": regularization_path(X, y, penalty="l2", eps=1e-6),
}
for name, path in paths.items():
    print(f"{name:28s} {path!r}")

fig, axes = plt.subplots(1, 4, figsize=(16, 4.2), layout="constrained")
for ax, (name, path) in zip(axes, paths.items()):
    path.plot(ax=ax)
    ax.set_title(name, pad=28)
for (name, path), style in zip(paths.items(), ["-", "--", ":"]):
    # Each grid starts at its own alpha_max (for L2, computed with l1_ratio=1e-3 as glmnet).
    top = alpha_max(X, y, l1_ratio=max(path.l1_ratio, 1e-3))
    axes[3].step(path.alphas / top, path.n_nonzero, style, where="post", lw=2, label=name)
axes[3].set(xscale="log", xlim=(1, 1e-3), xlabel="alpha / alpha_max",
            ylabel="number of nonzero coefficients", title="Sparsity counts")
axes[3].legend(loc="center right", fontsize="small")
plt.show()
