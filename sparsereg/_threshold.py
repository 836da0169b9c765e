"""Soft-thresholding, the proximal operator of the L1 norm."""

import numpy as np


def _shown(arr):
    """The value for an error message, or only its shape when it is an array."""
    return repr(arr.item()) if arr.ndim == 0 else f"an array of shape {arr.shape}"


def _real_array(value, name):
    """``value`` as an array of a real dtype (bools and integers become float64)."""
    arr = np.asarray(value)
    if arr.dtype == bool or np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.float64)
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(f"{name} must be real numbers, got {_shown(arr)} of dtype "
                        f"{arr.dtype}.")
    return arr


def soft_threshold(z, t):
    """Soft-thresholding ``S(z, t) = sign(z) * max(|z| - t, 0)``, elementwise.

    The proximal operator of ``t * |.|``: it returns exact zeros on ``[-t, t]`` (which is why
    the lasso selects features) and moves everything else toward zero by ``t``. It is
    1-Lipschitz. Compare with the L2 proximal operator ``z / (1 + t)``, which never returns 0
    for ``z != 0``.

    Parameters
    ----------
    z : array-like or float
        Input values. NaN propagates as in numpy: ``S(nan, t)`` is NaN (and ``S(+-inf, t)``
        is ``+-inf``), so a NaN in the input is never hidden by a zero.
    t : array-like or float
        Thresholds, broadcast against ``z``: finite and non-negative, else ``ValueError``
        (a NaN threshold would silently turn every output into NaN).

    Returns
    -------
    ndarray or float
        ``sign(z) * max(|z| - t, 0)``, with the dtype of ``z`` (float64 for integers).

    Raises
    ------
    TypeError
        If ``z`` or ``t`` is not real (strings, complex numbers, objects).
    ValueError
        If a threshold is negative, NaN or infinite.

    Examples
    --------
    >>> from sparsereg import soft_threshold
    >>> soft_threshold([-3.0, -0.5, 0.0, 0.5, 3.0], 1.0)
    array([-2., -0.,  0.,  0.,  2.])
    """
    z_arr = _real_array(z, "z")
    t_arr = _real_array(t, "t (the threshold)")
    if not np.all(np.isfinite(t_arr)):
        raise ValueError(f"t (the threshold) must be finite, got {_shown(t_arr)}"
                         + (" holding NaN or infinity." if t_arr.ndim else "."))
    if np.any(t_arr < 0):
        raise ValueError(f"t (the threshold) must be non-negative, got {_shown(t_arr)}.")
    t_arr = t_arr.astype(z_arr.dtype, copy=False)
    out = np.sign(z_arr) * np.maximum(np.abs(z_arr) - t_arr, 0)
    return out if out.ndim else out.dtype.type(out)
