"""
Pipeline and GridSearchCV
=========================

sparsereg estimators are ordinary scikit-learn regressors: they go into a
:class:`~sklearn.pipeline.Pipeline` after a scaler and their ``alpha`` (and ``l1_ratio``) can be
tuned by :class:`~sklearn.model_selection.GridSearchCV`. Standardizing first matters for
penalized models: the penalty treats every coefficient alike, so features must be on comparable
scales.

For a grid over alpha alone, :class:`sparsereg.L1RegressorCV` is much faster (one warm-started
path per fold instead of one fit per grid point); ``GridSearchCV`` is the general tool, e.g.
to tune preprocessing and penalty together.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparsereg import ElasticNetRegressor

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# pandas output keeps the column names, so the regressor records them in feature_names_in_.
pipe = make_pipeline(StandardScaler(), ElasticNetRegressor()).set_output(transform="pandas")
grid = {
    "elasticnetregressor__alpha": np.geomspace(0.01, 10, 13),
    "elasticnetregressor__l1_ratio": [0.1, 0.5, 0.9, 1.0],
}
search = GridSearchCV(pipe, grid, cv=KFold(5, shuffle=True, random_state=0),
                      scoring="neg_mean_squared_error").fit(X_train, y_train)

best = search.best_estimator_[-1]
print("best parameters:", {k.split("__")[1]: round(float(v), 4)
                           for k, v in search.best_params_.items()})
print(f"held-out MSE = {-search.score(X_test, y_test):.1f}, "
      f"R^2 = {search.best_estimator_.score(X_test, y_test):.3f}")
print(f"{best.n_nonzero_} of {best.n_features_in_} coefficients nonzero:")
print({name: round(float(c), 2) for name, c in zip(best.feature_names_in_, best.coef_)})

# %%
# The cross-validated error over the grid, one curve per ``l1_ratio``.
mse = -search.cv_results_["mean_test_score"].reshape(len(grid["elasticnetregressor__alpha"]),
                                                     -1)
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for k, ratio in enumerate(grid["elasticnetregressor__l1_ratio"]):
    ax.plot(grid["elasticnetregressor__alpha"], mse[:, k], "o-", ms=3,
            label=f"l1_ratio = {ratio}")
ax.set(xscale="log", xlabel="alpha", ylabel="mean CV squared error",
       title="GridSearchCV over (alpha, l1_ratio)")
ax.legend()
plt.show()
