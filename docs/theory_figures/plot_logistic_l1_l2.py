"""
Logistic regression: exact zeros with L1, shrinkage with L2
===========================================================

:class:`sparsereg.L1Classifier` and :class:`sparsereg.L2Classifier` on scikit-learn's breast
cancer data (569 tumours, 30 standardized features, binary label), fitted over a grid of 60
alphas from ``alpha_max`` down to ``alpha_max / 1000``, each fit warm-started from the
previous one (``warm_start=True``).

The logistic loss is not quadratic, but the penalty acts the same way: the solver takes
proximal-Newton steps, and the proximal step of the L1 penalty is soft-thresholding, whose
dead zone returns exact zeros; that of L2 is a scaling, which never does. The L1 path starts
with every coefficient at zero and lets features in a few at a time; the L2 path has all 30
nonzero at every alpha. The second figure compares both fits at one alpha.

For labels coded 0/1 the gradient of the mean logistic loss at ``w = 0`` (with the fitted
intercept, the log-odds of the class frequency) is ``X^T (y - mean(y)) / n``, the same as for
the squared loss: the regression :func:`sparsereg.alpha_max` is also the smallest alpha at
which every logistic L1 coefficient is zero.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from sparsereg import L1Classifier, L2Classifier, alpha_max

data = load_breast_cancer()
X = StandardScaler().fit_transform(data.data)
y = data.target  # 1 = benign, 0 = malignant
names = np.array(data.feature_names)

top = alpha_max(X, y)  # 0/1 labels: the logistic alpha_max too (see above)
alphas = top * np.logspace(0, -3, 60)
paths = {}
for name, model in [("L1", L1Classifier(warm_start=True)),
                    ("L2", L2Classifier(warm_start=True))]:
    coefs = np.empty((alphas.size, X.shape[1]))
    for k, alpha in enumerate(alphas):
        coefs[k] = model.set_params(alpha=alpha).fit(X, y).coef_[0]
    paths[name] = coefs
counts = {name: np.count_nonzero(c, axis=1) for name, c in paths.items()}
print(f"alpha_max = {top:.4f}")
print("L1 nonzero counts along the path:", counts["L1"][::6])
print("L2 nonzero counts along the path:", counts["L2"][::6])
assert counts["L1"][0] == 0 and np.all(counts["L2"] == X.shape[1])

# One alpha for the bar chart: where the lasso keeps a handful of features.
alpha_bar = 0.02
l1 = L1Classifier(alpha=alpha_bar).fit(X, y)
l2 = L2Classifier(alpha=alpha_bar).fit(X, y)
print(f"alpha = {alpha_bar}: L1 keeps {l1.n_nonzero_} of 30 (training accuracy "
      f"{l1.score(X, y):.3f}), L2 keeps {l2.n_nonzero_} (training accuracy {l2.score(X, y):.3f})")

# %%
# The two paths side by side, on the same axes limits.
fig, axes = plt.subplots(1, 2, figsize=(6, 3.8), sharey=True, layout="constrained")
ratio = alphas / top
for ax, (name, coefs) in zip(axes, paths.items()):
    ax.plot(ratio, coefs, lw=1.2)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.axvline(alpha_bar / top, color="0.4", ls="--", lw=1)
    ax.set(xscale="log", xlim=(1, 1e-3), xlabel="alpha / alpha_max")
    title = ("L1Classifier:\nexact zeros" if name == "L1"
             else "L2Classifier:\nshrinkage, no zeros")
    ax.set_title(title)
    # The sparsity count, read at a few alphas, on a secondary top axis.
    ticks = [0, 15, 30, 45, 59]
    twin = ax.secondary_xaxis("top")
    twin.set_xticks(ratio[ticks], [str(counts[name][k]) for k in ticks])
    twin.set_xlabel("nonzero coefficients")
axes[0].set_ylabel("coefficient (standardized features)")
plt.show()

# %%
# The coefficients at ``alpha_bar``, feature by feature.

# A cell of its own: the gallery page shows the figure at full width, not as half a row.
order = np.argsort(-np.abs(l2.coef_[0]))
pos = np.arange(X.shape[1])
fig, ax = plt.subplots(figsize=(6, 7.6), layout="constrained")
ax.barh(pos - 0.2, l2.coef_[0][order], height=0.4, color="tab:orange",
        label=f"L2Classifier: {l2.n_nonzero_} of 30 nonzero")
ax.barh(pos + 0.2, l1.coef_[0][order], height=0.4, color="tab:blue",
        label=f"L1Classifier: {l1.n_nonzero_} of 30 nonzero")
zero = l1.coef_[0][order] == 0
ax.plot(np.zeros(zero.sum()), pos[zero] + 0.2, "o", ms=4, mfc="white", mec="tab:blue",
        label="L1 coefficient exactly 0")
ax.axvline(0, color="0.3", lw=0.8)
ax.set_yticks(pos, names[order])
ax.invert_yaxis()
ax.set(xlabel="coefficient (standardized features)",
       title=f"Coefficients at alpha = {alpha_bar}\n(scikit-learn's C = {1 / (alpha_bar * len(y)):.3f})")
ax.legend(loc="lower left")
plt.show()
