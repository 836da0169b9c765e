"""Penalty-strength conventions: one objective in sparsereg, several elsewhere.

sparsereg minimises (unit weights; with weights read ``n`` as the sum of the weights)::

    1/(2n) RSS + alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio)/2 * ||w||_2^2)

and, for the classifiers, the same with the mean log-loss in place of ``1/(2n) RSS``.
scikit-learn's Lasso / ElasticNet and glmnet's binomial and multinomial families use the same
scale; the other conventions differ by factors of ``n`` (scikit-learn's LogisticRegression
inverts it: ``C = 1 / (n alpha)``; glmnet's gaussian ridge part is divided by the standard
deviation of y). Every conversion goes through sparsereg's ``(alpha, l1_ratio)``.
"""

import numbers

import numpy as np

from ._validation import check_choice, check_scalar_param

# Same objective as sparsereg, by a name users search for. glmnet's binomial and multinomial
# families: -(1/N) loglik + lambda * ((1 - a)/2 ||b||^2 + a ||b||_1), weights rescaled to sum
# to N (glmnet vignette, "Logistic Regression" and "Multinomial Regression"), i.e. the
# classifiers' objective with alpha = lambda and l1_ratio = a.
_SAME_AS_SPARSEREG = ("sparsereg", "sklearn_lasso", "sklearn_elasticnet", "glmnet_binomial",
                      "glmnet_multinomial")
# Pure L2 conventions: only a squared-norm term, ``value`` is its coefficient on RSS scale.
_RIDGE_ONLY = ("sklearn_ridge", "per_sample", "textbook")
# scikit-learn's LogisticRegression: C * sum_i s_i logloss_i + (l1_ratio ||w||_1
# + (1 - l1_ratio)/2 ||w||^2); dividing by C * S gives alpha = 1 / (C * S).
_INVERSE = ("sklearn_logistic",)
KINDS = _SAME_AS_SPARSEREG + _RIDGE_ONLY + ("glmnet",) + _INVERSE


def convert_alpha(value, *, from_, to, n_samples, l1_ratio=None, y_std=None,
                  return_l1_ratio=False):
    """Convert a penalty strength between sparsereg and other libraries' conventions.

    The conventions (``n`` = ``n_samples``, or the sum of the sample weights):

    ``"sparsereg"``, ``"sklearn_lasso"``, ``"sklearn_elasticnet"``
        ``1/(2n) RSS + alpha (r ||w||_1 + (1 - r)/2 ||w||^2)``, with ``r = l1_ratio``.
    ``"sklearn_ridge"`` and ``"textbook"``
        ``RSS + a ||w||^2`` (``sklearn.linear_model.Ridge``; Hastie et al.'s ridge). Equal to
        sparsereg's L2 at ``a = n * alpha``.
    ``"per_sample"``
        ``1/(2n) RSS + lambda/(2n) ||w||^2``, the weight-decay form of neural-network
        training; numerically the same value as ``"sklearn_ridge"``.
    ``"glmnet"``
        glmnet's gaussian family with ``standardize=FALSE``:
        ``1/(2n) RSS + lambda (a ||w||_1 + (1 - a)/2 ||w||^2)`` *after* glmnet divides y by
        its standard deviation ``s`` (``ddof=0``) and rescales back. For the lasso ``lambda``
        equals sparsereg's ``alpha``; otherwise the ridge part is divided by ``s``, so
        ``y_std`` is needed, and for ``0 < a < 1`` the equivalent sparsereg ``l1_ratio``
        differs from ``a`` (ask for it with ``return_l1_ratio=True``).
    ``"sklearn_logistic"``
        ``value`` is ``C`` of :class:`sklearn.linear_model.LogisticRegression`, which
        minimises ``C sum_i s_i logloss_i + r ||w||_1 + (1 - r)/2 ||w||^2`` (``r`` its
        ``l1_ratio``, same meaning as sparsereg's). Dividing by ``C n`` gives the objective of
        the sparsereg classifiers (:class:`L1Classifier`, :class:`L2Classifier`,
        :class:`ElasticNetClassifier`) with ``alpha = 1 / (C n)``, ``n`` the sum of the sample
        weights *times the class weights* (scikit-learn multiplies ``class_weight`` into the
        sample weights; ``class_weight="balanced"`` keeps the sum at ``n_samples``). ``C`` may
        be ``inf`` (no penalty, ``alpha = 0``). Exact for the solvers that leave the intercept
        unpenalized (not ``"liblinear"``), binary and multinomial alike.
    ``"glmnet_binomial"``, ``"glmnet_multinomial"``
        glmnet's logistic families with ``standardize=FALSE``:
        ``-(1/n) loglik + lambda (a ||w||_1 + (1 - a)/2 ||w||^2)``, the same scale as the
        sparsereg classifiers (``lambda = alpha``, ``a = l1_ratio``, no dependence on
        ``n_samples``: glmnet rescales the weights to sum to ``n``). For the multinomial
        family this is ``type.multinomial="ungrouped"`` (the default); the grouped penalty
        is a different one.

    Parameters
    ----------
    value : float
        The penalty strength in the ``from_`` convention (non-negative).
        For ``"sklearn_logistic"`` it is ``C`` (positive; ``inf`` for no penalty).
    from_, to : str
        One of ``"sparsereg"``, ``"sklearn_lasso"``, ``"sklearn_elasticnet"``,
        ``"sklearn_ridge"``, ``"per_sample"``, ``"textbook"``, ``"glmnet"``,
        ``"sklearn_logistic"``, ``"glmnet_binomial"``, ``"glmnet_multinomial"``.
    n_samples : int or float
        Number of samples ``n`` (or the sum of the sample weights, times the class weights
        for ``"sklearn_logistic"``).
    l1_ratio : float in [0, 1], default=None
        The L1 share in the ``from_`` convention (glmnet's ``alpha`` for ``from_="glmnet"``).
        ``None`` means 0 when either side is a pure-L2 convention, else 1 (the lasso). Pure-L2
        conventions accept only 0.
    y_std : float, default=None
        Standard deviation of y (``np.std(y)``, ``ddof=0``, weighted if weights are used);
        required when converting to or from ``"glmnet"`` with an L2 part.
    return_l1_ratio : bool, default=False
        Also return the L1 share in the ``to`` convention. Required for a glmnet elastic net
        with ``y_std != 1``, where the share changes.

    Returns
    -------
    value : float
        The same penalty in the ``to`` convention (``inf`` for ``to="sklearn_logistic"`` from
        a zero penalty).
    l1_ratio : float
        Only with ``return_l1_ratio=True``.

    Examples
    --------
    ``L2Regressor(alpha=0.1)`` on 200 samples is ``Ridge(alpha=20)``:

    >>> from sparsereg import convert_alpha
    >>> convert_alpha(0.1, from_="sparsereg", to="sklearn_ridge", n_samples=200)
    20.0
    >>> convert_alpha(20.0, from_="sklearn_ridge", to="sparsereg", n_samples=200)
    0.1

    glmnet's lasso lambda is sparsereg's alpha; its ridge lambda is divided by ``y_std``:

    >>> convert_alpha(0.5, from_="glmnet", to="sparsereg", n_samples=200)
    0.5
    >>> convert_alpha(0.5, from_="glmnet", to="sparsereg", n_samples=200, l1_ratio=0.0,
    ...               y_std=2.0)
    0.25

    ``L1Classifier(alpha=0.01)`` on 200 samples is ``LogisticRegression(C=0.5, l1_ratio=1)``;
    glmnet's binomial lambda is the classifiers' alpha:

    >>> convert_alpha(0.01, from_="sparsereg", to="sklearn_logistic", n_samples=200)
    0.5
    >>> convert_alpha(0.5, from_="sklearn_logistic", to="glmnet_binomial", n_samples=200)
    0.01
    """
    check_choice(from_, "from_", KINDS)
    check_choice(to, "to", KINDS)
    if from_ in _INVERSE and not (isinstance(value, numbers.Real) and value == np.inf):
        check_scalar_param(value, "value", low=0.0, low_inclusive=False)  # C > 0
    elif from_ not in _INVERSE:
        check_scalar_param(value, "value", low=0.0)
    check_scalar_param(n_samples, "n_samples", low=0.0, low_inclusive=False)
    ridge_side = from_ in _RIDGE_ONLY or to in _RIDGE_ONLY
    if l1_ratio is None:
        l1_ratio = 0.0 if ridge_side else 1.0
    check_scalar_param(l1_ratio, "l1_ratio", low=0.0, high=1.0)
    if from_ in _RIDGE_ONLY and l1_ratio != 0:
        raise ValueError(f"l1_ratio must be 0 for from_={from_!r}, which has no L1 term; "
                         f"got {l1_ratio!r}.")
    if y_std is not None:
        check_scalar_param(y_std, "y_std", low=0.0, low_inclusive=False)

    alpha, ratio = _to_sparsereg(float(value), from_, float(l1_ratio), n_samples, y_std)
    out, out_ratio = _from_sparsereg(alpha, ratio, to, n_samples, y_std)
    if not return_l1_ratio and not np.isclose(out_ratio, l1_ratio, rtol=1e-12, atol=0):
        raise ValueError(f"The equivalent penalty in the {to!r} convention has l1_ratio "
                         f"{out_ratio!r}, not {l1_ratio!r} (glmnet rescales its ridge part "
                         "by y_std): pass return_l1_ratio=True to get both.")
    return (out, out_ratio) if return_l1_ratio else out


def _to_sparsereg(value, kind, l1_ratio, n, y_std):
    if kind in _SAME_AS_SPARSEREG:
        return value, l1_ratio
    if kind in _RIDGE_ONLY:
        return value / n, 0.0
    if kind in _INVERSE:  # C -> alpha = 1 / (C n); C = inf is no penalty
        return (0.0 if value == np.inf else 1.0 / (value * n)), l1_ratio
    # glmnet: L1 part lambda*a, L2 part lambda*(1 - a)/s on sparsereg's scale.
    l1_part = value * l1_ratio
    l2_part = 0.0 if l1_ratio == 1 else value * (1 - l1_ratio) / _need_y_std(y_std)
    alpha = l1_part + l2_part
    return alpha, (l1_part / alpha if alpha > 0 else l1_ratio)


def _from_sparsereg(alpha, l1_ratio, kind, n, y_std):
    if kind in _SAME_AS_SPARSEREG:
        return alpha, l1_ratio
    if kind in _RIDGE_ONLY:
        if l1_ratio != 0:
            raise ValueError(f"to={kind!r} has no L1 term: only an L2 penalty (l1_ratio=0) "
                             f"converts to it, got l1_ratio={l1_ratio!r}.")
        return alpha * n, 0.0
    if kind in _INVERSE:
        return (np.inf if alpha == 0 else 1.0 / (alpha * n)), l1_ratio
    l1_part = alpha * l1_ratio
    l2_part = 0.0 if l1_ratio == 1 else alpha * (1 - l1_ratio) * _need_y_std(y_std)
    lam = l1_part + l2_part
    return lam, (l1_part / lam if lam > 0 else l1_ratio)


def _need_y_std(y_std):
    if y_std is None:
        raise ValueError("y_std is required for glmnet with an L2 part (l1_ratio < 1): "
                         "glmnet divides y by its standard deviation internally.")
    return float(y_std)
