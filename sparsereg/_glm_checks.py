"""What the GLM losses take (``loss``, ``power``, the target), checked before any work: in
memory from the target itself, for dask from a summary of its chunks (:func:`target_summary`
adds up over them)."""

import numpy as np

from ._problem._datafit import glm_datafit

GLM_LOSSES = ("poisson", "gamma", "tweedie")


def target_summary(y):
    """What :func:`check_target_summary` reads of a target: its size, its non-finite,
    non-positive, negative and positive values' counts, and its smallest value. Counts add
    over blocks of rows (a dask chunk each) and minima take the least."""
    y = np.asarray(y, dtype=np.float64)
    finite = y[np.isfinite(y)]
    return dict(n=len(y), nonfinite=len(y) - len(finite), nonpositive=int(np.sum(finite <= 0)),
                negative=int(np.sum(finite < 0)), positive=int(np.sum(finite > 0)),
                min=float(finite.min(initial=np.inf)))


def check_target_summary(summary, loss, power):
    """``ValueError`` for a target (known by its :func:`target_summary`) that the loss cannot
    take."""
    if loss == "tweedie" and not 1.0 <= power <= 2.0:
        raise ValueError(f"power must be in [1, 2] with loss='tweedie' (the log link makes "
                         f"the deviance convex there), got {power!r}.")
    if summary["nonfinite"]:
        raise ValueError(f"y must be finite with loss={loss!r}.")
    p = glm_datafit(loss, power).power
    if p == 2.0 and summary["nonpositive"]:
        raise ValueError(f"loss={loss!r} needs y > 0 (the Gamma deviance is not defined at "
                         f"y <= 0): y has {summary['nonpositive']} such values, the smallest "
                         f"{summary['min']!r}.")
    if summary["negative"]:
        raise ValueError(f"loss={loss!r} needs y >= 0 (counts, amounts): y has "
                         f"{summary['negative']} negative values, the smallest "
                         f"{summary['min']!r}.")
    if not summary["positive"]:
        raise ValueError(f"loss={loss!r} needs some y > 0: with every y = 0 the fitted mean "
                         "is 0, an intercept of -inf.")


def check_glm_target(y, loss, power):
    """``ValueError`` for a target the loss cannot take, before any work."""
    check_target_summary(target_summary(y), loss, power)


def check_loss(loss, power, losses=("squared_error",) + GLM_LOSSES):
    """``loss`` one of ``losses`` and, for "tweedie", ``power`` a real number; True for a GLM
    loss (``power``'s range is checked with the target, by :func:`check_glm_target`)."""
    if not isinstance(loss, str) or loss not in losses:
        raise ValueError(f"loss must be one of {list(losses)}, got {loss!r}.")
    if loss == "tweedie" and (isinstance(power, bool)
                              or not isinstance(power, (int, float, np.number))):
        raise TypeError(f"power must be a real number, got {power!r}.")
    return loss in GLM_LOSSES


def check_glm_inputs(inputs, loss, power, penalty_factor, bounds=None, dask=False,
                     relax=None):
    """The ``(X, y, sample_weight)`` of ``inputs`` for a GLM fit, or a ``ValueError`` for what
    these losses do not take (yet): dask input unless ``dask`` (the single fits take it, not
    the paths and CV), a 2-D y, a target outside the loss's domain (checked here in memory,
    by :func:`~._glm_dask.chunked_glm_problem`'s pass over y for dask)."""
    if inputs.dask and not dask:
        raise ValueError(f"loss={loss!r} does not take dask input in regularization paths "
                         "and cross-validation yet (L1Regressor, L2Regressor and "
                         "ElasticNetRegressor fit it); pass the data in memory.")
    y = inputs.y
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 2:
        raise ValueError(f"loss={loss!r} fits one target: y must be 1-D, got shape "
                         f"{y.shape}.")
    if bounds is not None and penalty_factor is not None \
            and np.any(np.asarray(penalty_factor) == 0):
        raise ValueError("positive=True or lower_bounds/upper_bounds with unpenalized "
                         f"features (penalty_factor zeros) is not supported with loss={loss!r} "
                         "yet.")
    if bounds is not None and relax is not None:
        raise ValueError("relax with positive=True or lower_bounds/upper_bounds is not "
                         f"supported with loss={loss!r} yet (the unpenalized refit would "
                         "leave the box).")
    if not inputs.dask:
        check_glm_target(y, loss, power)
    return inputs.X, y, inputs.sample_weight
