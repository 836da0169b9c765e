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
counts side by side against ``alpha / alpha_max`` (for ridge, its grid's top). The default
ridge grid follows the spectrum of ``X^T X / n``: from 100 times its largest eigenvalue,
where every coefficient is tiny yet nonzero, down to a thousandth of its smallest, where the
coefficients are those of least squares.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from sparsereg import regularization_path

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)

paths = {
    "L1 (lasso)": regularization_path(X, y, penalty="l1"),
    "elastic net, l1_ratio = 0.5": regularization_path(X, y, penalty="elasticnet",
                                                       l1_ratio=0.5),
    # The default ridge grid: from near 0 to near least squares.
    "L2 (ridge)": regularization_path(X, y, penalty="l2"),
}
for name, path in paths.items():
    print(f"{name:28s} {path!r}")

# A 2 x 2 grid, 6 inches wide: at the width of the page, every label stays readable.
fig, axes = plt.subplots(2, 2, figsize=(6, 6.8), layout="constrained")
for ax, (name, path) in zip(axes.flat, paths.items()):
    path.plot(ax=ax)
    ax.set_title(name, pad=28)
ax = axes[1, 1]
for (name, path), style in zip(paths.items(), ["-", "--", ":"]):
    # Each grid starts at its own top (alpha_max for L1 and elastic net).
    top = path.alphas[0]
    ax.step(path.alphas / top, path.n_nonzero, style, where="post", lw=2,
            label=name.replace(", l1_ratio = ", "\nl1_ratio = "))
ax.set(xscale="log", xlim=(1, 1e-3), xlabel="alpha / top of the grid",
       ylabel="nonzero coefficients", title="Sparsity counts")
ax.legend(loc="lower right")
plt.show()
