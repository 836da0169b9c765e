"""sparsereg: L1, L2 and elastic-net regression, scikit-learn compatible and certified.

L1 (lasso) sets coefficients exactly to zero; L2 (ridge) shrinks them all but keeps them
nonzero; the elastic net lies in between. Every solution comes with its duality gap.
"""

from ._alpha import alpha_max
from ._class_cv import ElasticNetClassifierCV, L1ClassifierCV, L2ClassifierCV
from ._class_path import ClassificationPath
from ._classifiers import ElasticNetClassifier, L1Classifier, L2Classifier
from ._conventions import convert_alpha
from ._cv import ElasticNetRegressorCV, L1RegressorCV, L2RegressorCV
from ._estimators import ElasticNetRegressor, L1Regressor, L2Regressor
from ._folds import GridEdgeWarning
from ._path import RegularizationPath, regularization_path
from ._regpath import MultiOutputPath
from ._threshold import soft_threshold

__version__ = "0.1.0.dev0"

__all__ = [
    "ClassificationPath",
    "ElasticNetClassifier",
    "ElasticNetClassifierCV",
    "ElasticNetRegressor",
    "ElasticNetRegressorCV",
    "GridEdgeWarning",
    "L1Classifier",
    "L1ClassifierCV",
    "L1Regressor",
    "L1RegressorCV",
    "L2Classifier",
    "L2ClassifierCV",
    "L2Regressor",
    "L2RegressorCV",
    "MultiOutputPath",
    "RegularizationPath",
    "alpha_max",
    "convert_alpha",
    "regularization_path",
    "soft_threshold",
]
