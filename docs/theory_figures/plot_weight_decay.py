"""
Weight decay: L2 regularization in gradient training
====================================================

Gradient descent on ``1/(2n) ||y - Xw - b||^2 + alpha/2 ||w||^2`` with step ``lr`` is

    ``w <- w - lr * (grad + alpha * w) = (1 - lr * alpha) * w - lr * grad``,

with ``grad = -X^T (y - Xw - b) / n`` the gradient of the loss: each step first *decays* the
weights by the factor ``1 - lr * alpha``, then takes the plain loss step (the intercept is not
decayed). This is the "weight decay" of neural-network training, and L2 regularization is
exactly it. A few lines of plain gradient descent converge to the coefficients of
:class:`sparsereg.L2Regressor` (a closed-form fit), linearly, as the top panel shows; the bottom
panel follows the coefficients themselves to their ridge values (dashed).
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from sparsereg import L2Regressor

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)
n = X.shape[0]
alpha = 0.1
ridge = L2Regressor(alpha).fit(X, y)

# Plain gradient descent with the weight-decay term; step 1/L for the smooth objective.
lr = 1.0 / (np.linalg.eigvalsh(X.T @ X / n).max() + alpha)
w, b = np.zeros(X.shape[1]), 0.0
history, distance = [w], []
for _ in range(1500):
    r = y - X @ w - b
    grad = -X.T @ r / n
    w = (1 - lr * alpha) * w - lr * grad  # weight decay, then the loss step
    b = b + lr * r.mean()  # the intercept is not penalized
    history.append(w)
    distance.append(np.linalg.norm(w - ridge.coef_))
history = np.array(history)
print(f"||w_gd - L2Regressor.coef_|| = {distance[-1]:.1e}; "
      f"|b_gd - intercept_| = {abs(b - ridge.intercept_):.1e}")
assert np.allclose(w, ridge.coef_, atol=1e-8) and np.isclose(b, ridge.intercept_)

# 6 inches wide, one panel above the other: at the width of the page, every label is readable.
fig, axes = plt.subplots(2, 1, figsize=(6, 6.4), layout="constrained")
axes[0].semilogy(np.arange(1, len(distance) + 1), distance)
axes[0].set(xlabel="gradient step", ylabel="$\\|w_k - w_{ridge}\\|_2$",
            title=f"Distance to the ridge solution (alpha = {alpha:g}, lr = {lr:.3f})")
steps = 200
axes[1].plot(history[:steps])
for j, c in enumerate(ridge.coef_):
    axes[1].axhline(c, color=f"C{j}", ls="--", lw=0.8)
axes[1].set(xlabel="gradient step", ylabel="coefficient",
            title="Coefficients; dashed: L2Regressor(alpha).coef_")
plt.show()
