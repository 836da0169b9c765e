"""
The regularized objective: empirical loss plus alpha times complexity
=====================================================================

Every estimator minimises ``Cost(h) = EmpLoss(h) + alpha * Complexity(h)``: the training loss
``1/(2n) ||y - Xw - b||^2`` plus ``alpha`` times the penalty (``||w||_1`` for L1,
``||w||_2^2 / 2`` for L2). Increasing ``alpha`` buys a simpler model (smaller complexity) at the
price of a larger training error. The error on held-out data is U-shaped: too small an alpha
fits the noise of the 60 training samples (variance), too large an alpha fits nothing (bias).

The curves come from :func:`sparsereg.regularization_path` on a problem with 50 features, 5
of them relevant, and predictions along the path (:meth:`sparsereg.RegularizationPath.predict`)
on 5000 fresh samples.
"""

import matplotlib.pyplot as plt
import numpy as np

from sparsereg import regularization_path

rng = np.random.default_rng(1)
n, p = 60, 50
w_true = np.zeros(p)
w_true[:5] = [3.0, -2.0, 1.5, 1.0, -1.0]


def sample(m):
    X = rng.standard_normal((m, p))
    return X, X @ w_true + 2.0 * rng.standard_normal(m)


X, y = sample(n)
X_test, y_test = sample(5000)

# 6 inches wide, one panel above the other: at the width of the page, every label is readable.
fig, axes = plt.subplots(2, 1, figsize=(6, 7.6), layout="constrained")
for ax, penalty, complexity, label in [
    (axes[0], "l1", lambda c: np.abs(c).sum(axis=1), "$\\|w\\|_1$"),
    (axes[1], "l2", lambda c: 0.5 * (c**2).sum(axis=1), "$\\|w\\|_2^2 / 2$"),
]:
    path = regularization_path(X, y, penalty=penalty, n_alphas=60,
                               eps=1e-3 if penalty == "l1" else 1e-7)
    a = path.alphas
    train = 0.5 * np.mean((y[:, None] - path.predict(X)) ** 2, axis=0)
    test = 0.5 * np.mean((y_test[:, None] - path.predict(X_test)) ** 2, axis=0)
    best = int(np.argmin(test))
    ax.plot(a, train, label="EmpLoss: training $\\frac{1}{2n}\\|y - Xw - b\\|^2$")
    ax.plot(a, train + a * complexity(path.coefs), "--",
            label=f"Cost = EmpLoss + alpha * {label}")
    ax.plot(a, test, lw=2.5, label="held-out loss (5000 new samples)")
    ax.axvline(a[best], color="0.5", lw=0.8)
    ax.annotate(f"best alpha = {a[best]:.3g}\n{path.n_nonzero[best]} nonzero",
                (a[best], test[best]), xytext=(8, 30), textcoords="offset points")
    ax.set(xscale="log", yscale="log", xlim=(a[0], a[-1]), xlabel="alpha (decreasing)",
           ylabel="loss", title=f"{penalty.upper()}: bias (left) vs variance (right)")
    ax.legend(loc="lower left")
    print(f"{penalty}: best held-out loss {test[best]:.3f} at alpha {a[best]:.3g} "
          f"({path.n_nonzero[best]} nonzero); at the smallest alpha {test[-1]:.3f}")
plt.show()
