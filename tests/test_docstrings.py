"""The documented parameters are the accepted ones.

The numpydoc ``Parameters`` section of every public estimator and of
``regularization_path`` is parsed (with numpydoc's own parser) and compared with the
signature and with what ``fit`` accepts: every documented ``solver`` / ``selection`` choice
fits, every other value raises ``ValueError``, every parameter is documented (in signature
order) and every documented default is the signature's.
"""

import ast
import inspect
import re
import warnings

import numpy as np
import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc
from numpydoc.validate import validate
from sklearn.base import BaseEstimator, is_classifier

import sparsereg
from sparsereg._path import ENET_SOLVERS, PATH_SOLVERS, PENALTIES
from sparsereg._ridge import RIDGE_SOLVERS

ESTIMATORS = [obj for name, obj in inspect.getmembers(sparsereg, inspect.isclass)
              if name in sparsereg.__all__ and issubclass(obj, BaseEstimator)]
CV_ESTIMATORS = [cls for cls in ESTIMATORS if "selection" in inspect.signature(cls).parameters]
SOLVER_ESTIMATORS = [cls for cls in ESTIMATORS if "solver" in inspect.signature(cls).parameters]
# Public callables whose signature is their documented interface (RegularizationPath is a
# result container: it is made by regularization_path, documented by its Attributes).
DOCUMENTED = ESTIMATORS + [sparsereg.regularization_path, sparsereg.alpha_max,
                           sparsereg.convert_alpha, sparsereg.soft_threshold]
# Defaults that must be stated as ``default=...`` wherever the parameter exists.
KEY_DEFAULTS = ("alphas", "eps", "cv", "tol", "max_iter", "solver", "selection")
# Every solver name any part of the library knows: each must be documented wherever it is
# accepted, and rejected wherever it is not documented.
KNOWN_SOLVERS = tuple(dict.fromkeys(ENET_SOLVERS + RIDGE_SOLVERS))
NOT_A_CHOICE = "not-a-choice"
_NOT_STATED = object()


def _name(obj):
    return obj.__name__


def _parameters(obj):
    """{name: (type, description)} of the numpydoc Parameters section, in order."""
    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    out = {}
    for p in doc["Parameters"]:
        for name in p.name.split(","):
            out[name.strip()] = (p.type, " ".join(line.strip() for line in p.desc))
    return out


def _signature(obj):
    return inspect.signature(obj).parameters  # for a class, __init__'s (without self)


def _choices(type_str):
    """The ``{"a", "b"}`` set at the start of a numpydoc type, in order, or None."""
    m = re.match(r"\s*\{([^}]*)\}", type_str)
    if m is None:
        return None
    return tuple(ast.literal_eval(item.strip()) for item in m.group(1).split(","))


def _default(type_str):
    """The value of ``default=...`` in a numpydoc type, or a sentinel when not stated."""
    m = re.search(r"\bdefault=(.+)$", type_str)
    return _NOT_STATED if m is None else ast.literal_eval(m.group(1).strip())


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 3))
    return X, X @ np.array([1.0, -2.0, 0.0]) + 0.1 * rng.standard_normal(24)


def _fit(cls, data, **params):
    """Fit a fast instance (3 alphas and 3 folds for the CV estimators); classifiers get
    the target split at its median into two classes."""
    if cls in CV_ESTIMATORS:
        params = {"alphas": 3, "cv": 3, **params}
    X, y = data
    if is_classifier(cls()):
        y = (y > np.median(y)).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # only acceptance is tested here, not convergence
        return cls(**params).fit(X, y)


# -- (a) solver ---------------------------------------------------------------------------

@pytest.mark.parametrize("cls", SOLVER_ESTIMATORS, ids=_name)
def test_documented_solvers_are_the_accepted_ones(cls, data):
    type_str, _ = _parameters(cls)["solver"]
    documented = _choices(type_str)
    assert documented is not None, f"{cls.__name__}: solver type {type_str!r} lists no choices"
    assert set(documented) == set(cls._solvers), (
        f"{cls.__name__} documents solver {documented}, validates {cls._solvers}")
    for solver in documented:
        _fit(cls, data, solver=solver)  # accepted: no ValueError
    for solver in [s for s in KNOWN_SOLVERS if s not in documented] + [NOT_A_CHOICE]:
        with pytest.raises(ValueError, match="solver"):
            _fit(cls, data, solver=solver)


def _path_solvers(description):
    """{penalty: solvers} from regularization_path's solver text, whose sentences read
    '``"a"``, ``"b"`` or ``"c"`` for ``"l1"`` and ``"elasticnet"``; ...'."""
    quoted = r'``"[^"]+"``'
    out = {}
    for solvers, penalties in re.findall(
            rf"((?:{quoted}(?:, | or ))*{quoted}) for ((?:{quoted}(?: and )?)+)", description):
        for penalty in re.findall(r'"([^"]+)"', penalties):
            out[penalty] = tuple(re.findall(r'"([^"]+)"', solvers))
    return out


def test_regularization_path_documents_its_penalties_and_solvers(data):
    params = _parameters(sparsereg.regularization_path)
    penalties = _choices(params["penalty"][0])
    assert set(penalties) == set(PENALTIES)
    documented = _path_solvers(params["solver"][1])
    assert set(documented) == set(PENALTIES), params["solver"][1]
    for penalty, solvers in documented.items():
        assert set(solvers) == set(PATH_SOLVERS[penalty]), penalty
        for solver in solvers:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sparsereg.regularization_path(*data, penalty=penalty, solver=solver,
                                              n_alphas=3)
        for solver in [s for s in KNOWN_SOLVERS if s not in solvers] + [NOT_A_CHOICE]:
            with pytest.raises(ValueError, match="solver"):
                sparsereg.regularization_path(*data, penalty=penalty, solver=solver,
                                              n_alphas=3)
    with pytest.raises(ValueError, match="penalty"):
        sparsereg.regularization_path(*data, penalty=NOT_A_CHOICE)


# -- (b) selection ------------------------------------------------------------------------

@pytest.mark.parametrize("cls", CV_ESTIMATORS, ids=_name)
def test_documented_selections_are_the_accepted_ones(cls, data):
    documented = _choices(_parameters(cls)["selection"][0])
    assert documented is not None
    assert set(documented) == set(cls._selections)
    for selection in documented:
        assert _fit(cls, data, selection=selection).alpha_ > 0
    for selection in ("cv", "loo", NOT_A_CHOICE):
        with pytest.raises(ValueError, match="selection"):
            _fit(cls, data, selection=selection)


def test_cv_estimators_are_discovered():
    names = {cls.__name__ for cls in CV_ESTIMATORS}
    assert names == {"ElasticNetRegressorCV", "L1RegressorCV", "L2RegressorCV",
                     "ElasticNetClassifierCV", "L1ClassifierCV", "L2ClassifierCV"}
    assert len(ESTIMATORS) == 12


# -- (c) every parameter documented, every documented parameter real ----------------------

@pytest.mark.parametrize("obj", DOCUMENTED, ids=_name)
def test_signature_and_parameters_section_agree(obj):
    signature = list(_signature(obj))
    documented = list(_parameters(obj))
    assert set(signature) - set(documented) == set(), "undocumented parameters"
    assert set(documented) - set(signature) == set(), "documented but not accepted"
    assert documented == signature, "documented in another order than the signature"


@pytest.mark.parametrize("obj", ESTIMATORS + [sparsereg.regularization_path], ids=_name)
def test_numpydoc_validation_has_no_parameter_errors(obj):
    errors = validate(f"sparsereg.{obj.__name__}")["errors"]
    assert [e for e in errors if e[0].startswith("PR")] == []


# -- (d) documented defaults are the signature's -----------------------------------------

@pytest.mark.parametrize("obj", DOCUMENTED, ids=_name)
def test_documented_defaults_are_the_signature_defaults(obj):
    signature = _signature(obj)
    for name, (type_str, _) in _parameters(obj).items():
        default = _default(type_str)
        if default is _NOT_STATED:
            assert name not in KEY_DEFAULTS, f"{name}: the type {type_str!r} states no default"
            continue
        actual = signature[name].default
        assert actual is not inspect.Parameter.empty, f"{name} is required but has a default"
        assert type(default) is type(actual) and default == actual, (
            f"{name}: documented default={default!r}, signature {actual!r}")


# -- the pieces (imported here: the checks above also run on a checkout without them) ------

@pytest.fixture
def pieces():
    from sparsereg import _docstrings

    return _docstrings

def test_choices_and_literals_render_as_numpydoc_writes_them(pieces):
    choices, literal, solver_entry = pieces.choices, pieces.literal, pieces.solver_entry
    assert choices(("auto", "cd")) == '{"auto", "cd"}'
    assert [literal(v) for v in (1e-3, 1e-4, 1e-6, 0.5, 1000, None, True, "min")] == [
        "1e-3", "1e-4", "1e-6", "0.5", "1000", "None", "True", '"min"']
    assert solver_entry(RIDGE_SOLVERS, "Text.").type == (
        '{"auto", "cholesky", "svd", "cg", "gradient"}, default="auto"')


def test_entries_wrap_without_breaking_inline_literals(pieces):
    entry = pieces.Entry("x", "float", "word " * 30 + "``a b c d e f g h`` " + "word " * 10)
    lines = entry.render().splitlines()
    assert lines[0] == "    x : float"
    assert all(len(line) <= 96 and line.startswith(" " * 8) for line in lines[1:])
    assert sum(line.count("``") for line in lines) == 2
    assert any("``a b c d e f g h``" in line for line in lines)


def test_param_defaults_and_fields_are_values(pieces):
    param = pieces.param
    assert param("eps", default=1e-6).type == "float, default=1e-6"
    assert param("eps").type == "float, default=None"
    with pytest.raises(KeyError):
        param("no_such_parameter")
    with pytest.raises(TypeError):
        param("tol", no_such_field="x")  # a field the text has no slot for is an error


def test_compose_layout(pieces):
    doc = pieces.compose("Summary.", parameters=[pieces.param("tol")],
                         examples="    >>> 1\n    1\n")
    assert doc == ("Summary.\n\n    Parameters\n    ----------\n    tol : float, default=1e-4\n"
                   "        Relative duality-gap tolerance at every alpha, and the settling test (``L1Regressor``).\n\n"
                   "    Examples\n    --------\n    >>> 1\n    1\n")
