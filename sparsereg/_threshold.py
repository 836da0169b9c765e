"""Soft-thresholding, the proximal operator of the L1 norm."""

import numpy as np


def soft_threshold(z, t):
    """Soft-thresholding ``S(z, t) = sign(z) * max(|z| - t, 0)``, elementwise.

    The proximal operator of ``t * |.|``: it returns exact zeros on ``[-t, t]`` (which is why
    the lasso selects features) and moves everything else toward zero by ``t``. It is
    1-Lipschitz. Compare with the L2 proximal operator ``z / (1 + t)``, which never returns 0
    for ``z != 0``.

    Parameters
    ----------
    z : array-like or float
        Input values.
    t : array-like or float
        Non-negative thresholds, broadcast against ``z``.

    Returns
    -------
    ndarray or float
        ``sign(z) * max(|z| - t, 0)``, with the dtype of ``z`` (float64 for integers).

    Examples
    --------
    >>> from sparsereg import soft_threshold
    >>> soft_threshold([-3.0, -0.5, 0.0, 0.5, 3.0], 1.0)
    array([-2., -0.,  0.,  0.,  2.])
    """
    z_arr = np.asarray(z)
    if not np.issubdtype(z_arr.dtype, np.floating):
        z_arr = z_arr.astype(np.float64)
    t_arr = np.asarray(t, dtype=z_arr.dtype)
    if np.any(t_arr < 0):
        raise ValueError("t must be non-negative.")
    out = np.sign(z_arr) * np.maximum(np.abs(z_arr) - t_arr, 0)
    return out if out.ndim else out.dtype.type(out)
