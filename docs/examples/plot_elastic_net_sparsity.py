"""
Elastic net: between L1 and L2
==============================

:class:`sparsereg.ElasticNetRegressor` penalizes
``alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio)/2 * ||w||_2^2)``: ``l1_ratio=1`` is the lasso,
``l1_ratio=0`` ridge. Its solution still has exact zeros as long as ``l1_ratio > 0`` (the
soft-threshold is ``alpha * l1_ratio``), and the L2 part spreads the weight over groups of
correlated features instead of picking one of them, as the lasso tends to.

The data: 30 features in 6 groups of 5 highly correlated features (within-group correlation
about 0.9); the target depends on the first two groups. The top panel counts the nonzero
coefficients as ``l1_ratio`` goes from 1 to 0 at a few fixed alphas (each alpha a fraction
of the lasso's ``alpha_max``); the bottom panel shows how many of the 10 relevant features are
kept.
"""

import matplotlib.pyplot as plt
import numpy as np

from sparsereg import ElasticNetRegressor, alpha_max

rng = np.random.default_rng(0)
n, groups, size = 100, 6, 5
latent = rng.standard_normal((n, groups))
X = np.repeat(latent, size, axis=1) + 0.33 * rng.standard_normal((n, groups * size))
w_true = np.r_[np.full(size, 1.0), np.full(size, -1.0), np.zeros((groups - 2) * size)]
y = X @ w_true + 2.0 * rng.standard_normal(n)
relevant = w_true != 0

a_max = alpha_max(X, y)  # the lasso's; for l1_ratio = r every coefficient is 0 above a_max / r
l1_ratios = np.linspace(1.0, 0.0, 21)
# 6 inches wide, one panel above the other: at the width of the page, every label is readable.
fig, axes = plt.subplots(2, 1, figsize=(6, 7.2), layout="constrained")
for k, fraction in enumerate([0.5, 0.2, 0.05]):
    counts, kept = [], []
    for r in l1_ratios:
        model = ElasticNetRegressor(fraction * a_max, l1_ratio=r).fit(X, y)
        counts.append(model.n_nonzero_)
        kept.append(int(model.support_[relevant].sum()))
    print(f"alpha = {fraction:g} * alpha_max: n_nonzero from l1_ratio=1 to 0: {counts}")
    axes[0].plot(l1_ratios, counts, "o-", ms=3, color=f"C{k}",
                 label=f"alpha = {fraction:g} alpha_max")
    axes[1].plot(l1_ratios, kept, "o-", ms=3, color=f"C{k}",
                 label=f"alpha = {fraction:g} alpha_max")
axes[0].axhline(X.shape[1], color="0.6", ls=":", label="all 30 features")
axes[0].set(xlabel="l1_ratio (1 = lasso, 0 = ridge)", ylabel="number of nonzero coefficients",
            title="Sparsity count vs l1_ratio", xlim=(1.02, -0.02))
axes[1].axhline(relevant.sum(), color="0.6", ls=":", label="all 10 relevant")
axes[1].set(xlabel="l1_ratio (1 = lasso, 0 = ridge)", ylabel="relevant features kept",
            title="The L2 part keeps correlated groups together", xlim=(1.02, -0.02))
axes[0].legend()
axes[1].legend()
plt.show()
