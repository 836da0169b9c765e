"""
Choosing alpha by cross-validation and the one-standard-error rule
==================================================================

:class:`sparsereg.L1RegressorCV` fits one warm-started path per fold and records the validation
error of every alpha in ``mse_path_`` (shape ``(n_alphas, n_folds)``), summarized per alpha by
its mean over folds ``mse_mean_`` and standard error ``mse_se_``. Two choices follow:

* ``alpha_min_``, the alpha with the smallest mean CV error (``selection="min"``, the default,
  as scikit-learn's ``LassoCV``);
* ``alpha_1se_``, the *largest* alpha whose mean error is within one standard error of that
  minimum (``selection="1se"``, glmnet's ``lambda.1se``), where the standard error is the
  standard deviation over folds divided by ``sqrt(n_folds)``. Its error is statistically
  indistinguishable from the minimum, and its model is sparser.

The error bars below are those standard errors.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.model_selection import KFold

from sparsereg import L1RegressorCV

X, y = make_regression(n_samples=150, n_features=60, n_informative=8, noise=25.0,
                       random_state=0)
cv = KFold(10, shuffle=True, random_state=0)
model = L1RegressorCV(cv=cv, selection="1se").fit(X, y)

mean, se = model.mse_mean_, model.mse_se_  # over the folds of mse_path_
n_nonzero = model.path_.n_nonzero
i_min = int(np.argmin(mean))
i_1se = int(np.flatnonzero(model.alphas_ == model.alpha_1se_)[0])
print(f"alpha_min_ = {model.alpha_min_:.3f}: {n_nonzero[i_min]} nonzero, "
      f"CV MSE {mean[i_min]:.0f} +/- {se[i_min]:.0f}")
print(f"alpha_1se_ = {model.alpha_1se_:.3f}: {n_nonzero[i_1se]} nonzero, "
      f"CV MSE {mean[i_1se]:.0f}")
print(f"selection='1se' refits at alpha_ = {model.alpha_:.3f}: "
      f"{model.n_nonzero_} nonzero coefficients")

fig, ax = plt.subplots(figsize=(6, 4.6), layout="constrained")
ax.errorbar(model.alphas_, mean, yerr=se, fmt="o", ms=3, color="C3", ecolor="0.6",
            capsize=2, label="mean CV error +/- one standard error")
ax.axhline(mean[i_min] + se[i_min], color="C3", ls=":", lw=1,
           label="minimum + one standard error")
ax.axvline(model.alpha_min_, color="C0", ls="--",
           label=f"alpha_min_ = {model.alpha_min_:.2f} ({n_nonzero[i_min]} nonzero)")
ax.axvline(model.alpha_1se_, color="C2", ls="--",
           label=f"alpha_1se_ = {model.alpha_1se_:.2f} ({n_nonzero[i_1se]} nonzero)")
ax.set(xscale="log", yscale="log", xlim=(model.alphas_[0], model.alphas_[-1]),
       xlabel="alpha", ylabel="mean squared error (10-fold CV)",
       title="L1RegressorCV: CV curve and the two choices of alpha")
top = ax.secondary_xaxis("top")
picks = np.linspace(0, len(model.alphas_) - 1, 7).astype(int)
top.set_xticks(model.alphas_[picks], [str(k) for k in n_nonzero[picks]])
top.set_xlabel("number of nonzero coefficients")
ax.legend(loc="upper center")
plt.show()

# %%
# Other ways to choose
# --------------------
# ``selection="aic"`` and ``"bic"`` pick the alpha minimising an information criterion along
# the full-data path (no refitting per fold; degrees of freedom = number of nonzeros), and
# ``relax`` gives the relaxed lasso, which refits the selected features with less shrinkage
# (``gamma * lasso + (1 - gamma) * least squares on the support``), gamma chosen by CV.
for selection in ["min", "1se", "aic", "bic"]:
    m = L1RegressorCV(cv=cv, selection=selection).fit(X, y)
    print(f"selection={selection!r:6}: alpha_ = {m.alpha_:7.3f}, {m.n_nonzero_:2d} nonzero")
relaxed = L1RegressorCV(cv=cv, relax=[0.0, 0.5, 1.0]).fit(X, y)
print(f"relax: gamma = {relaxed.relax_}, alpha_ = {relaxed.alpha_:.3f}, "
      f"{relaxed.n_nonzero_} nonzero")
