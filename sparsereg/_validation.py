"""Input checks that run before any solver work and name the offending parameter."""

import numbers

import numpy as np
from sklearn.utils.validation import check_array


def check_scalar_param(value, name, *, low=None, high=None, integer=False,
                       low_inclusive=True):
    """A real (or integer) scalar within bounds, else ``TypeError`` / ``ValueError``."""
    kinds = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {kind}, got {value!r} of type "
                        f"{type(value).__name__}.")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        op = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {op} {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
    return value


def check_choice(value, name, choices, context=""):
    """One of the strings ``choices``, else ``ValueError`` listing them.

    ``context`` qualifies the list, e.g. ``" with penalty='l1'"``.
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name}{context} must be one of {list(choices)}, got {value!r}.")
    return value


def check_bool(value, name):
    """A Python or numpy bool, else ``TypeError``: ``"yes"`` or ``None`` are not flags."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r} of type "
                        f"{type(value).__name__}.")
    return bool(value)


def check_verbose(value, name="verbose"):
    """A bool or a non-negative integer, as scikit-learn's ``verbose``."""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a bool or a non-negative integer, got {value!r} of "
                        f"type {type(value).__name__}.")
    return int(check_scalar_param(value, name, low=0, integer=True))


def check_scalar_list(value, name, *, low, high):
    """A real in ``[low, high]`` or a non-empty 1-D list of them, as a list of floats.

    An empty list is rejected here: it would otherwise leave nothing to choose from after
    every fold has been fitted.
    """
    values = np.asarray(value, dtype=object)
    if values.ndim > 1 or values.size == 0:
        raise ValueError(f"{name} must be a float or a non-empty list of floats in "
                         f"[{low:g}, {high:g}], got {value!r}.")
    items = [value] if values.ndim == 0 else list(values)
    return [float(check_scalar_param(v, name, low=low, high=high)) for v in items]


def check_sample_weight(sample_weight, n_samples):
    """``None`` (unit weights) or a finite, non-negative float64 vector with positive sum."""
    if sample_weight is None:
        return None
    if np.isscalar(sample_weight):
        check_scalar_param(sample_weight, "sample_weight", low=0.0, low_inclusive=False)
        return None if sample_weight == 1 else np.full(n_samples, float(sample_weight))
    sw = check_array(sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight",
                     ensure_all_finite=True)
    if sw.ndim != 1:
        raise ValueError(f"sample_weight must be 1-D, got shape {sw.shape}.")
    if sw.shape[0] != n_samples:
        raise ValueError(f"sample_weight has {sw.shape[0]} entries but X has {n_samples} "
                         "samples.")
    if np.any(sw < 0):
        raise ValueError("sample_weight must be non-negative; found negative values.")
    if sw.sum() <= 0:
        raise ValueError("sample_weight must not be all zero: its sum must be positive.")
    return sw


def check_penalty_factor(penalty_factor, n_features):
    """``None`` or a finite, non-negative float64 vector of length ``n_features``."""
    if penalty_factor is None:
        return None
    pf = np.asarray(penalty_factor)
    if pf.ndim != 1 or not np.issubdtype(pf.dtype, np.number) or np.iscomplexobj(pf):
        raise TypeError("penalty_factor must be a 1-D array of real numbers, got "
                        f"{penalty_factor!r}.")
    pf = pf.astype(np.float64)
    if pf.shape[0] != n_features:
        raise ValueError(f"penalty_factor has {pf.shape[0]} entries but X has {n_features} "
                         "features.")
    if not np.all(np.isfinite(pf)):
        raise ValueError("penalty_factor must be finite.")
    if np.any(pf < 0):
        raise ValueError("penalty_factor must be non-negative; 0 means unpenalized.")
    return pf


def check_bound(value, name, n_features):
    """``None`` or a float64 vector of length ``n_features`` (a scalar is broadcast): glmnet's
    ``lower.limits`` (``<= 0``, may be ``-inf``) or ``upper.limits`` (``>= 0``, may be
    ``inf``), as ``name`` says."""
    if value is None:
        return None
    v = np.asarray(value)
    if v.ndim > 1 or not np.issubdtype(v.dtype, np.number) or np.iscomplexobj(v):
        raise TypeError(f"{name} must be a real number or a 1-D array of them (one per "
                        f"feature), got {value!r}.")
    v = np.broadcast_to(v.astype(np.float64), (n_features,)) if v.ndim == 0 else \
        v.astype(np.float64)
    if v.shape[0] != n_features:
        raise ValueError(f"{name} has {v.shape[0]} entries but X has {n_features} features.")
    if np.any(np.isnan(v)):
        raise ValueError(f"{name} must not contain NaN.")
    upper = name.startswith("upper")
    if np.any(v < 0) if upper else np.any(v > 0):
        side, sign = ("upper", "non-negative (inf: no bound)") if upper else \
            ("lower", "non-positive (-inf: no bound)")
        raise ValueError(f"{name} must be {sign}, as glmnet's {side}.limits: 0 must be "
                         f"feasible; got {value!r}.")
    return np.array(v)


def _n_rows(a):
    shape = getattr(a, "shape", None)
    if shape is not None:
        return shape[0] if len(shape) > 0 else None
    try:
        return len(a)
    except TypeError:
        return None


def check_lengths(X, y):
    """``X`` and ``y`` must have one row per sample (checked before any conversion)."""
    n_x, n_y = _n_rows(X), _n_rows(y)
    if n_x is not None and n_y is not None and n_x != n_y:
        raise ValueError(f"X and y have inconsistent numbers of samples: X has {n_x} rows, "
                         f"y has {n_y} entries.")
