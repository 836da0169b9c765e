"""
Shrinkage: coefficients pulled toward zero, predictions compressed
==================================================================

Both penalties *shrink*: the fitted coefficients are pulled toward zero compared with the
truth (top: L2 shrinks every coefficient and keeps them all nonzero; L1 pulls the large ones
toward zero and sets the small ones exactly to zero).

The same pull shows in the predictions (bottom): on held-out data, regressing the predictions
on the noise-free truth gives a slope below 1 under strong shrinkage. The model is then
*miscalibrated*: high values are predicted too low and low values too high. With a mild
penalty the slope is close to 1. This is the bias side of the bias-variance trade-off, which
the relaxed lasso (``relax=`` in :class:`sparsereg.L1RegressorCV`) undoes for the selected
features.
"""

import matplotlib.pyplot as plt
import numpy as np

from sparsereg import L1Regressor, L2Regressor, alpha_max

rng = np.random.default_rng(2)
n, p = 200, 20
w_true = np.r_[np.linspace(3.0, 0.5, 10), np.zeros(10)]
X = rng.standard_normal((n, p))
y = X @ w_true + rng.standard_normal(n)
X_test = rng.standard_normal((2000, p))
truth = X_test @ w_true

a_max = alpha_max(X, y)
models = {
    "L2, alpha = 0.01": L2Regressor(0.01),
    "L2, alpha = 3": L2Regressor(3.0),
    f"L1, alpha = {0.3 * a_max:.2f} (0.3 alpha_max)": L1Regressor(0.3 * a_max),
}
# 6 inches wide, one panel above the other: at the width of the page, every label is readable.
fig, axes = plt.subplots(2, 1, figsize=(6, 8.4), layout="constrained")
axes[0].plot(np.arange(p), w_true, "k_", ms=16, mew=2.5, label="true coefficient")
for k, (name, model) in enumerate(models.items()):
    model.fit(X, y)
    axes[0].plot(np.arange(p) + 0.2 * (k - 1), model.coef_, "o", ms=5,
                 label=f"{name}: {model.n_nonzero_} nonzero")
    pred = model.predict(X_test)
    slope = np.polyfit(truth, pred, 1)[0]
    axes[1].plot(truth, pred, ".", ms=2, alpha=0.4, color=f"C{k}")
    grid = np.array([truth.min(), truth.max()])
    axes[1].plot(grid, np.polyval(np.polyfit(truth, pred, 1), grid), color=f"C{k}",
                 lw=2, label=f"{name}: slope {slope:.2f}")
    print(f"{name:32s} n_nonzero = {model.n_nonzero_:2d}, "
          f"||w||_1 = {np.abs(model.coef_).sum():.2f} (truth {np.abs(w_true).sum():.2f}), "
          f"calibration slope = {slope:.3f}")
axes[0].axhline(0, color="0.6", lw=0.8)
axes[0].set(xlabel="feature", ylabel="coefficient", xticks=range(0, p, 2),
            title="Coefficients are pulled toward zero")
axes[0].legend()
axes[1].plot(grid, grid, "k:", label="perfect calibration (slope 1)")
axes[1].set(xlabel="noise-free truth $x \\cdot w_{true}$", ylabel="prediction",
            title="Held-out predictions vs truth")
axes[1].legend(loc="lower right")
plt.show()
