"""The problem layer between the estimators and the solvers.

An estimator, a CV fold, a path or a Dask fit builds the same three objects and hands them to
the same solvers:

- **inputs** (:mod:`._inputs`): ``read_inputs`` validates ``(X, y, sample_weight)``, in memory
  or Dask, and ``Inputs.design`` builds
- the **design** (the protocol of :class:`._units.DesignBase`): :class:`RowDesign` for dense
  or CSC rows (:mod:`._rows`), :class:`GramDesign` for sufficient statistics (:mod:`._stats`,
  Dask input and statistics folds); every statistic fixed when it is built;
- the **datafit** (:mod:`._datafit`): the loss, as data; :class:`SquaredError` today, and the
  contract a new loss must meet;
- the **penalty** (:mod:`._penalty`): per-feature L1 and L2 weights, the sign constraint and
  the unpenalized features' statistics.

The kernels receive them as the typed bundles of :mod:`sparsereg._kernels._bundles`
(``design.row_data()``, ``design.gram_data()``, ``penalty.data()``,
``design.roundoff_data()``).
"""

from ._dask import is_dask_array
from ._datafit import SquaredError
from ._inputs import Inputs, read_inputs, read_X
from ._penalty import Bounds, Penalty, make_penalty, psd_pinv
from ._rows import RowDesign, make_design
from ._stats import GramDesign, SufficientStats

__all__ = ["Bounds", "GramDesign", "Inputs", "Penalty", "RowDesign", "SquaredError", "SufficientStats",
           "is_dask_array", "make_design", "make_penalty", "psd_pinv", "read_X",
           "read_inputs"]
