"""The result of a least-squares regularization path: coefficients along a grid of alphas,
stored compactly, with the statistics model selection reads from them."""

import numpy as np

from ._selection import NOISE_VARIANCE_NEEDED, information_criterion
from ._validation import check_scalar_param


class RegularizationPath:
    """Coefficients along a decreasing grid of alphas, with their sparsity counts.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Penalty strengths, in decreasing order.
    coefs : ndarray of shape (n_alphas, n_features)
        Coefficients at each alpha.
    intercepts : ndarray of shape (n_alphas,)
        Intercepts at each alpha.
    n_nonzero : ndarray of int of shape (n_alphas,)
        Number of exactly-nonzero coefficients at each alpha.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap of each solution.
    n_iter : ndarray of int of shape (n_alphas,)
        Epochs run at each alpha (1 for closed-form ridge).
    feature_names : ndarray of str or None
        Column names of X when it had them.
    penalty : str
        ``"l1"``, ``"l2"`` or ``"elasticnet"``.
    l1_ratio : float
        L1 share of the penalty.
    mse : ndarray of shape (n_alphas,)
        Weighted training mean squared error at each alpha (with a GLM ``loss``, the
        weighted training mean half deviance).
    df : ndarray of shape (n_alphas,) or None
        Effective degrees of freedom (nonzeros for the lasso; ``sum lam / (lam + alpha)`` for
        ridge), the intercept not counted. None (as is ``noise_variance``) in the path of a
        CV estimator whose selection is ``"min"`` or ``"1se"``: they are not computed.
    n_samples : float
        Sum of the sample weights (the number of samples without weights).
    noise_variance : float or None
        Residual variance of the least-squares fit when n > p + 1, used by :meth:`aic` and
        :meth:`bic` unless one is supplied.
    relax : float or None
        The relaxed-lasso ``gamma`` when the coefficients are relaxed; ``unrelaxed_coefs`` then
        holds the penalized solutions (whose duality gaps are ``dual_gaps``).
    loss : str
        The datafit: ``"squared_error"``, or ``"poisson"``, ``"gamma"``, ``"tweedie"``
        (then :meth:`predict` gives linear predictors, ``log`` of the means).
    neg2_log_likelihood : ndarray of shape (n_alphas,) or None
        ``-2 log L`` of each model for the Poisson and Gamma losses (Gamma with the
        dispersion of the unpenalized fit): :meth:`aic` and :meth:`bic` are then ``-2 log L
        + 2 df`` and ``-2 log L + log(n) df``. None otherwise.

    Examples
    --------
    Made by :func:`regularization_path`:

    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import regularization_path
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> path = regularization_path(X, y, n_alphas=20)
    >>> path
    RegularizationPath(penalty='l1', n_alphas=20, alpha=2.15..0.00215, n_nonzero=0..10)
    >>> path.n_nonzero[:10]  # sparsity counts, from alpha_max down
    array([0, 2, 2, 3, 4, 4, 5, 6, 7, 7])
    >>> coef, intercept = path.coef_at(1.0)  # interpolated between grid points
    >>> list(path.feature_names[np.flatnonzero(coef)])
    ['bmi', 'bp', 's5']
    >>> path.predict(X.iloc[:3]).shape  # one column per alpha
    (3, 20)
    >>> path.to_frame().shape  # indexed by alpha, one column per feature
    (20, 10)
    >>> int(path.n_nonzero[np.argmin(path.bic())])  # sparsity of the BIC choice
    7
    >>> ax = path.plot()  # needs matplotlib
    """

    def __init__(self, alphas, coefs, intercepts, dual_gaps, n_iter, feature_names, penalty,
                 l1_ratio, *, mse=None, df=None, n_samples=None, noise_variance=None,
                 relax=None, unrelaxed_coefs=None, columns=None, n_features=None,
                 loss="squared_error", neg2_log_likelihood=None):
        self.alphas = np.asarray(alphas, dtype=np.float64)
        # Stored compactly: the columns nonzero somewhere along the path (of ``columns``,
        # the ones solved for), so that a path on 1,000,000 mostly empty features does not
        # hold 100 dense vectors of them; ``coefs`` expands on access.
        coefs = np.asarray(coefs)
        n_features = coefs.shape[-1] if n_features is None else n_features
        columns = np.arange(coefs.shape[-1]) if columns is None else np.asarray(columns)
        used = np.any(coefs != 0, axis=0)
        if unrelaxed_coefs is not None:
            used |= np.any(np.asarray(unrelaxed_coefs) != 0, axis=0)
        if coefs.ndim == 3:  # a multinomial classification path: (n_alphas, K, p)
            self._columns, self._values, self._unrelaxed = None, coefs, None
        elif np.count_nonzero(used) < 0.5 * n_features:
            self._columns, self._values = columns[used], coefs[:, used]
            self._unrelaxed = None if unrelaxed_coefs is None else unrelaxed_coefs[:, used]
        else:  # dense: store it as it is
            self._columns, self._values, self._unrelaxed = None, \
                _expand(coefs, columns, n_features), None if unrelaxed_coefs is None else \
                _expand(np.asarray(unrelaxed_coefs), columns, n_features)
        self._n_features = n_features
        self.intercepts = np.asarray(intercepts, dtype=np.float64)
        self.n_nonzero = np.count_nonzero(self._values, axis=1)
        self.dual_gaps = np.asarray(dual_gaps, dtype=np.float64)
        self.n_iter = np.asarray(n_iter, dtype=np.int64)
        self.feature_names = feature_names
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.mse, self.df, self.n_samples = mse, df, n_samples
        self.noise_variance = noise_variance
        self.relax = relax
        self.loss = loss
        self.neg2_log_likelihood = neg2_log_likelihood

    def embedded(self, columns, n_features):
        """This path with its features placed at ``columns`` of ``n_features`` (zero
        elsewhere): a path fitted on a subset of the columns of X, as a path of X.

        Parameters
        ----------
        columns : ndarray of int
            Where each of this path's features is among the ``n_features``.
        n_features : int
            Number of features of the returned path.

        Returns
        -------
        RegularizationPath
        """
        inner = np.arange(self._values.shape[-1]) if self._columns is None else self._columns
        return RegularizationPath(
            self.alphas, self._values, self.intercepts, self.dual_gaps, self.n_iter,
            self.feature_names, self.penalty, self.l1_ratio, mse=self.mse, df=self.df,
            n_samples=self.n_samples, noise_variance=self.noise_variance, relax=self.relax,
            unrelaxed_coefs=self._unrelaxed, columns=np.asarray(columns)[inner],
            n_features=n_features, loss=self.loss)

    @property
    def coefs(self):
        """ndarray of shape (n_alphas, n_features): the coefficients at each alpha."""
        if self._columns is None:
            return self._values
        return _expand(self._values, self._columns, self._n_features)

    @property
    def unrelaxed_coefs(self):
        """ndarray of shape (n_alphas, n_features) or None: the penalized solutions of a
        relaxed path."""
        if self._columns is None or self._unrelaxed is None:
            return self._unrelaxed
        return _expand(self._unrelaxed, self._columns, self._n_features)

    def coef_at_index(self, k):
        """The coefficients at ``alphas[k]``: ndarray of shape (n_features,)."""
        if self._columns is None:
            return self._values[k]
        coef = np.zeros(self._n_features, dtype=self._values.dtype)
        coef[self._columns] = self._values[k]
        return coef

    def aic(self, noise_variance=None):
        """Akaike information criterion at each alpha (smaller is better).

        ``n log(2 pi sigma^2) + RSS / sigma^2 + 2 df``, as scikit-learn's ``LassoLarsIC``.

        Parameters
        ----------
        noise_variance : float, optional
            sigma^2. Needed when n <= p + 1; otherwise estimated from the least-squares fit.

        Returns
        -------
        ndarray of shape (n_alphas,)
        """
        return self._criterion(2.0, noise_variance)

    def bic(self, noise_variance=None):
        """Bayesian information criterion: as :meth:`aic` with ``log(n) df``; the same
        ``noise_variance`` parameter and an array of shape (n_alphas,)."""
        return self._criterion(np.log(self.n_samples), noise_variance)

    def _criterion(self, penalty_per_df, noise_variance):
        if self.loss != "squared_error":
            likelihood = self.neg2_log_likelihood
            if likelihood is None or self.df is None:
                raise ValueError(
                    f"Information criteria are not available for this loss={self.loss!r} "
                    "path: they are for Poisson, and Gamma with more samples than features "
                    "(its dispersion from the unpenalized fit), from regularization_path or a "
                    "CV estimator with selection='aic'/'bic'.")
            return likelihood + penalty_per_df * self.df
        if self.df is None:
            raise ValueError("This path has no degrees of freedom: it is the refit of a CV "
                             "estimator whose selection ('min' or '1se') does not use them. "
                             "Fit with selection='aic' or 'bic', or call "
                             "regularization_path.")
        if noise_variance is None:
            noise_variance = self.noise_variance
        if noise_variance is None:
            raise ValueError(NOISE_VARIANCE_NEEDED)
        check_scalar_param(noise_variance, "noise_variance", low=0.0, low_inclusive=False)
        return information_criterion(self.mse, self.df, self.n_samples, noise_variance,
                                     penalty_per_df)

    def __len__(self):
        return self.alphas.shape[0]

    def __repr__(self):
        return (f"RegularizationPath(penalty={self.penalty!r}, n_alphas={len(self)}, "
                f"alpha={self.alphas[0]:.3g}..{self.alphas[-1]:.3g}, "
                f"n_nonzero={self.n_nonzero[0]}..{self.n_nonzero[-1]})")

    def predict(self, X, alpha=None):
        """Predictions along the path.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        alpha : float, optional
            Predict at this alpha only: exact on a grid point, otherwise the coefficients are
            interpolated linearly in log(alpha) between the two neighbouring grid points (as
            glmnet's ``predict(..., exact=FALSE)``).

        Returns
        -------
        ndarray of shape (n_samples, n_alphas), or (n_samples,) when ``alpha`` is given.
        """
        if alpha is None:
            if self._columns is None:
                return np.asarray(X @ self._values.T) + self.intercepts
            return np.asarray(X[:, self._columns] @ self._values.T) + self.intercepts
        coef, intercept = self.coef_at(alpha)
        return np.asarray(X @ coef).ravel() + intercept

    def coef_at(self, alpha):
        """``(coef, intercept)`` at ``alpha`` (log-linear interpolation between grid points)."""
        check_scalar_param(alpha, "alpha", low=0.0)
        log_a = np.log(np.maximum(self.alphas, np.finfo(float).tiny))
        target = np.log(max(alpha, np.finfo(float).tiny))
        if target >= log_a[0]:
            return self.coef_at_index(0), self.intercepts[0]
        if target <= log_a[-1]:
            return self.coef_at_index(-1), self.intercepts[-1]
        hi = int(np.searchsorted(-log_a, -target))  # first index with alpha <= target
        lo = hi - 1
        t = (log_a[lo] - target) / (log_a[lo] - log_a[hi])
        coef = (1 - t) * self.coef_at_index(lo) + t * self.coef_at_index(hi)
        return coef, (1 - t) * self.intercepts[lo] + t * self.intercepts[hi]

    def to_frame(self):
        """The coefficients as a pandas DataFrame indexed by alpha, one column per feature."""
        import pandas as pd

        columns = (list(self.feature_names) if self.feature_names is not None
                   else [f"x{j}" for j in range(self.coefs.shape[1])])
        frame = pd.DataFrame(self.coefs, index=pd.Index(self.alphas, name="alpha"),
                             columns=columns)
        return frame

    def plot(self, ax=None, *, log_alpha=True, show_counts=True, **line_kwargs):
        """Coefficient trajectories against alpha, glmnet style.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure is made when omitted.
        log_alpha : bool, default=True
            Logarithmic alpha axis (decreasing alpha to the right, as penalties relax).
        show_counts : bool, default=True
            Label a secondary top axis with the number of nonzero coefficients.
        **line_kwargs
            Passed to ``ax.plot``.

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        # a compact path plots its nonzero columns only: the others are flat at 0
        ax.plot(self.alphas, self._values, **line_kwargs)
        if log_alpha:
            ax.set_xscale("log")
        if len(self) > 1:  # decreasing: the model grows rightwards
            ax.set_xlim(self.alphas[0], self.alphas[-1])
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        ax.set_xlabel("alpha")
        ax.set_ylabel("coefficient")
        ax.set_title(f"{self.penalty} path", pad=28 if show_counts else 6)
        if show_counts:
            top = ax.secondary_xaxis("top")
            picks = np.unique(np.linspace(0, len(self) - 1, min(len(self), 6)).astype(int))
            top.set_xticks(self.alphas[picks])
            top.set_xticklabels([str(k) for k in self.n_nonzero[picks]])
            top.set_xlabel("number of nonzero coefficients")
        return ax


def _expand(values, columns, n_features):
    """``values`` on ``columns`` as rows of length ``n_features`` (zeros elsewhere)."""
    if values.shape[1] == n_features:
        return values
    out = np.zeros((values.shape[0], n_features), dtype=values.dtype)
    out[:, columns] = values
    return out


class MultiOutputPath:
    """The regularization paths of the k targets of a 2-D y on one grid of alphas: at each
    alpha, k independent models (made by :func:`regularization_path` with y of shape
    (n_samples, n_targets)).

    Parameters
    ----------
    paths : list of RegularizationPath
        One path per target, all on the same grid of alphas.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Penalty strengths, in decreasing order, shared by every target.
    paths : list of RegularizationPath
        Target j's path: every method of a single-target path (``plot``, ``to_frame``,
        ``coef_at`` ...) is there.
    coefs : ndarray of shape (n_alphas, n_targets, n_features)
        Coefficients of each target at each alpha.
    intercepts, n_nonzero, dual_gaps, n_iter, mse : ndarray of shape (n_alphas, n_targets)
        As in :class:`RegularizationPath`, one column per target.
    df : ndarray of shape (n_alphas, n_targets)
        Effective degrees of freedom.
    feature_names, penalty, l1_ratio, relax
        As in :class:`RegularizationPath`.

    Examples
    --------
    >>> from sklearn.datasets import load_linnerud
    >>> from sparsereg import regularization_path
    >>> X, Y = load_linnerud(return_X_y=True)  # 3 targets
    >>> path = regularization_path(X, Y, n_alphas=20)
    >>> path
    MultiOutputPath(penalty='l1', n_targets=3, n_alphas=20, alpha=724..0.724)
    >>> path.coefs.shape, path.intercepts.shape
    ((20, 3, 3), (20, 3))
    >>> path.n_nonzero[0]  # the top of the grid: every target's model is zero
    array([0, 0, 0])
    >>> path.predict(X[:5]).shape  # (n_samples, n_alphas, n_targets)
    (5, 20, 3)
    >>> path.paths[0]  # the first target's path
    RegularizationPath(penalty='l1', n_alphas=20, alpha=724..0.724, n_nonzero=0..3)
    """

    def __init__(self, paths):
        self.paths = list(paths)
        first = self.paths[0]
        self.alphas = first.alphas
        self.feature_names, self.penalty = first.feature_names, first.penalty
        self.l1_ratio, self.relax = first.l1_ratio, first.relax
        for name in ("intercepts", "n_nonzero", "dual_gaps", "n_iter", "mse", "df"):
            columns = [getattr(path, name) for path in self.paths]
            setattr(self, name, None if any(c is None for c in columns) else
                    np.stack(columns, axis=1))

    @property
    def coefs(self):
        """ndarray of shape (n_alphas, n_targets, n_features)."""
        return np.stack([path.coefs for path in self.paths], axis=1)

    @property
    def n_targets(self):
        """int: the number of targets (columns of y)."""
        return len(self.paths)

    def __len__(self):
        return self.alphas.shape[0]

    def __repr__(self):
        return (f"MultiOutputPath(penalty={self.penalty!r}, n_targets={self.n_targets}, "
                f"n_alphas={len(self)}, alpha={self.alphas[0]:.3g}..{self.alphas[-1]:.3g})")

    def predict(self, X, alpha=None):
        """Predictions of every target along the path.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        alpha : float, optional
            Predict at this alpha only (interpolated as :meth:`RegularizationPath.coef_at`).

        Returns
        -------
        ndarray of shape (n_samples, n_alphas, n_targets), or (n_samples, n_targets) when
        ``alpha`` is given.
        """
        return np.stack([path.predict(X, alpha) for path in self.paths], axis=-1)

    def coef_at(self, alpha):
        """``(coef, intercept)`` at ``alpha``, of shapes (n_targets, n_features) and
        (n_targets,) (log-linear interpolation between grid points)."""
        coefs, intercepts = zip(*(path.coef_at(alpha) for path in self.paths))
        return np.array(coefs), np.array(intercepts)

    def aic(self, noise_variance=None):
        """Akaike information criterion of each target at each alpha (smaller is better).

        Parameters
        ----------
        noise_variance : float or array-like of shape (n_targets,), optional
            sigma^2, one for all targets or one per target; by default each target's own
            estimate (see :meth:`RegularizationPath.aic`).

        Returns
        -------
        ndarray of shape (n_alphas, n_targets)
        """
        return self._criterion("aic", noise_variance)

    def bic(self, noise_variance=None):
        """Bayesian information criterion: as :meth:`aic` (the same ``noise_variance``
        parameter and an array of shape (n_alphas, n_targets))."""
        return self._criterion("bic", noise_variance)

    def _criterion(self, name, noise_variance):
        values = np.broadcast_to(np.asarray(noise_variance, dtype=object), (self.n_targets,))
        return np.stack([getattr(path, name)(sigma2) for path, sigma2 in
                         zip(self.paths, values)], axis=1)
