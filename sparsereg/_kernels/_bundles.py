"""The kernel boundary: a few typed bundles instead of long positional argument lists.

Every solver kernel takes the data of one problem as these named tuples (Numba compiles a
named tuple of arrays as a struct; unlike a jitclass it can be cached on disk). Two arrays of
the same type can no longer be swapped by position: a kernel reads ``pen.a``, not "the sixth
argument".

- :class:`RowData`: the design matrix and what coordinate descent needs per feature;
- :class:`GramData`: the sufficient statistics of the Gram-matrix kernel;
- :class:`PenaltyData`: the per-feature penalty and the unpenalized features' statistics;
- :class:`Roundoff`: the round-off model of the correlations (see ``_prox.duality_gap``).

Build them with the ``*_data`` methods of the problem layer (``Design.row_data``,
``Design.gram_data``, ``Penalty.data``), which fix every scalar's Python type so that one
compiled specialization serves every call.
"""

from collections import namedtuple

RowData = namedtuple("RowData", ["X", "y", "c", "q", "lips", "S", "fit_intercept"])
RowData.__doc__ = """Design for coordinate descent on rows.

X : F-ordered ndarray (n, p) or CSC triple ``(data, indices, indptr)``
    ``diag(c) X`` (offset columns shifted).
y, c : ndarray (n,)
    Target (centred and in solver units) and intercept column ``sqrt(s)``.
q, lips : ndarray (p,)
    ``x_j^T c`` and the curvature ``||x_j - mean_j c||^2 / S``.
S : float
    Sum of the sample weights.
fit_intercept : bool
"""

GramData = namedtuple("GramData", ["Q", "g0", "yy"])
GramData.__doc__ = """Sufficient statistics: ``X_c^T X_c / S`` (C-ordered), ``X_c^T y_c / S``
and ``||y_c||^2 / S``."""

PenaltyData = namedtuple("PenaltyData", ["a", "b", "lower", "upper", "bounded", "unpen",
                                         "pinv_uu", "g_u", "gy_u"])
PenaltyData.__doc__ = """Penalty ``a_j |w_j| + b_j / 2 w_j^2``, the box ``lower_j <= w_j <=
upper_j`` (``lower <= 0 <= upper``; ``-inf`` / ``inf`` where unbounded; ``bounded`` False when
every feature is unbounded: ``positive=True`` is ``lower = 0``), and the unpenalized features ``unpen`` with ``pinv(X_U^T X_U / S)``, ``X_c^T X_U / S`` and
``X_U^T y_c / S``. The last four are None when every feature is penalized (``unpen`` may be
an array while the other three are None: the classification kernels need the indices only).
None is a type of its own to Numba, which prunes every ``if unpen is None`` branch on a
kernel's argument at compile time: a fit without unpenalized features does not compile their
projection (about 3 s)."""

Roundoff = namedtuple("Roundoff", ["norms", "eps_root_n", "y_norm"])
Roundoff.__doc__ = """Round-off model of the correlations ``x_j^T r / S``: the columns' norms
over ``sqrt(S)``, ``eps sqrt(n)`` and ``||y|| / sqrt(S)``."""
