"""The one backtracking rule of every proximal-Newton step (class by class, grouped, and on
sufficient statistics): Armijo's sufficient decrease on the true objective, halving the step.

Near the optimum the predicted decrease falls below the round-off of the objective, which can
then neither confirm nor refute it; there the full Newton step is exact, so it is taken when
the objective does not grow beyond that round-off.
"""

from ._jit import kernel
from ._prox import EPS

ARMIJO = 1e-4  # fraction of the predicted decrease a step must achieve
MAX_HALVINGS = 40
ROUNDOFF_SLACK = 16.0  # objective changes within this many eps of its size are round-off


@kernel(inline="always")
def objective_roundoff(loss, penalty):
    """What round-off can hide in ``loss + penalty``."""
    return ROUNDOFF_SLACK * EPS * (abs(loss) + abs(penalty))


@kernel(inline="always")
def is_descent(decrease, roundoff):
    """Whether the predicted change of the objective is a decrease (beyond round-off)."""
    return decrease < roundoff


@kernel(inline="always")
def accepts(new, old, t, decrease, roundoff):
    """Whether the step of length ``t`` (objective ``new``, from ``old``) is taken."""
    return new <= old + ARMIJO * t * decrease or (t == 1.0 and new <= old + roundoff)
