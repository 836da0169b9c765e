"""``sparsereg fit`` and ``sparsereg predict``: a CSV in, a fitted pipeline and a report out.

pandas, joblib, scikit-learn's preprocessing and matplotlib are imported inside the commands:
pandas and matplotlib are optional dependencies, and ``sparsereg --help`` or ``demo`` should
not pay for them. Every mistake in the user's input raises :class:`CLIError`, which the entry
point turns into one ``sparsereg: error: ...`` line and exit status 2. Output paths are
checked (``_cli_files``) before any input is read, so a refused command writes nothing.
"""

import math
import os
import sys
import time
import warnings

from ._cli_csv import first_line, looks_like_csv, parse_sep
from ._cli_data import read_prediction_data, read_training_data, unseen_levels
from ._cli_files import CLIError, check_outputs, replaced_atomically
from ._cli_plot import save_plot
from ._cli_report import feature_names, fit_report, grid_edge_warning
from ._folds import GridEdgeWarning

MODEL_FORMAT = "sparsereg-cli-model"
MODEL_VERSION = 2  # 2: binary columns as one indicator, --drop, --impute


def _import(module, purpose):
    """Import an optional dependency, or fail with the install command."""
    try:
        return __import__(module)
    except ImportError:
        raise CLIError(f"{purpose} needs {module}, which is not installed: "
                       f"pip install {module}") from None


def _check_plot_path(path):
    """matplotlib present and a known image extension, checked before a possibly long fit."""
    _import("matplotlib", "--plot")
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    ext = os.path.splitext(path)[1][1:].lower()
    if ext not in formats:  # without one, matplotlib would append ".png" to the name
        raise CLIError(f"--plot {path}: the file name needs an image extension, one of "
                       f"{', '.join(sorted(formats))}")


def check_fit_args(args):
    """Range checks that argparse's ``type=float`` cannot express; sets the default ``cv``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``fit`` command line (``args.cv`` becomes 5 when neither ``--alpha`` nor
        ``--cv`` is given; ``args.sep`` becomes the delimiter character or None).
    """
    if args.alpha is not None and not (math.isfinite(args.alpha) and args.alpha >= 0):
        raise CLIError(f"--alpha must be a finite number >= 0, got {args.alpha}")
    if args.cv is not None and args.cv < 2:
        raise CLIError(f"--cv needs at least 2 folds, got {args.cv}")
    if args.l1_ratio is not None:
        if not 0.0 <= args.l1_ratio <= 1.0:
            raise CLIError(f"--l1-ratio must be in [0, 1], got {args.l1_ratio}")
        if args.penalty != "elasticnet":
            raise CLIError(f"--l1-ratio applies to --penalty elasticnet, not {args.penalty}")
    if not (math.isfinite(args.tol) and args.tol > 0):
        raise CLIError(f"--tol must be a finite number > 0, got {args.tol}")
    if args.eps is not None and not 0.0 < args.eps < 1.0:
        raise CLIError(f"--eps must be in (0, 1), got {args.eps}")
    if args.alpha is not None and (args.selection, args.eps) != (None, None):
        raise CLIError("--selection and --eps concern the cross-validated alphas: use them "
                       "with --cv, not --alpha")
    args.sep = parse_sep(args.sep)
    if args.alpha is None and args.cv is None:
        args.cv = 5  # neither given: choose alpha by 5-fold cross-validation


def build_pipeline(numeric, categorical, args):
    """``Pipeline(preprocess, estimator)`` for the chosen penalty and alpha rule.

    Standardizing makes L1 selection independent of the units of each column, as glmnet
    does by default. A text column of two levels becomes one 0/1 indicator of its second
    level (the first, in sorted order, is the reference: ``pd.get_dummies(drop_first=True)``):
    two complementary indicators beside an intercept would split one effect in two. More
    levels keep one indicator each, so the penalty treats every level alike. Keeping the
    imputer and encoder inside the pipeline means a saved model applies them to new files.

    Parameters
    ----------
    numeric, categorical : list of str
        The feature columns.
    args : argparse.Namespace
        The parsed ``fit`` command line.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted, with steps ``"preprocess"`` and ``"model"``.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    import sparsereg

    def chain(strategy, name, last):  # with --impute, the imputer before the transform
        if not args.impute:
            return last
        steps = [("impute", SimpleImputer(strategy=strategy))]
        return Pipeline(steps + ([] if isinstance(last, str) else [(name, last)]))

    steps = []
    if numeric:
        scale = StandardScaler() if args.standardize else "passthrough"
        steps.append(("num", chain(args.impute, "scale", scale), numeric))
    if categorical:  # text has no mean or median: its imputer takes the most frequent level
        encoder = OneHotEncoder(drop="if_binary", handle_unknown="ignore")
        steps.append(("cat", chain("most_frequent", "encode", encoder), categorical))
    preprocess = ColumnTransformer(steps, verbose_feature_names_out=False)
    penalty = {"l1": "L1", "l2": "L2", "elasticnet": "ElasticNet"}[args.penalty]
    if args.cv is None:
        cls = getattr(sparsereg, f"{penalty}Regressor")
        params = {"alpha": args.alpha}
    else:
        cls = getattr(sparsereg, f"{penalty}RegressorCV")
        params = {"cv": args.cv, "selection": args.selection or "min",
                  "verbose": int(args.verbose)}
        if args.eps is not None:
            params["eps"] = args.eps
    if args.penalty == "elasticnet":
        params["l1_ratio"] = 0.5 if args.l1_ratio is None else args.l1_ratio
    return Pipeline([("preprocess", preprocess), ("model", cls(tol=args.tol, **params))])


def run_fit(args):
    """``sparsereg fit``: read and clean, fit, print the report, optionally plot and save.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status 0 (errors raise :class:`CLIError`).
    """
    check_fit_args(args)
    check_outputs([("--plot", args.plot), ("--save", args.save)],
                  [("data file", args.data)], args.force)
    if args.plot:
        _check_plot_path(args.plot)
    data = read_training_data(args.data, args.target, args.sep, args.drop, args.impute)
    X, y = data.X, data.y
    pipe = build_pipeline(data.numeric, data.categorical, args)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():  # the CLI's own wording below names --eps
            warnings.simplefilter("ignore", GridEdgeWarning)
            pipe.fit(X, y)
    except ValueError as exc:  # e.g. more folds than rows
        raise CLIError(f"the fit failed: {first_line(exc)}") from None
    if args.verbose:
        print(f"[sparsereg fit] fitted in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    if args.cv is not None and (message := grid_edge_warning(pipe.named_steps["model"])):
        warnings.warn(message, UserWarning, stacklevel=1)
    names = feature_names(pipe.named_steps["preprocess"])
    print("\n".join(fit_report(pipe, names, data, args)))
    if args.plot:
        try:
            with replaced_atomically(args.plot) as path:
                save_plot(pipe, X, y, names, args, path)
        except (OSError, ValueError) as exc:  # e.g. no permission to write there
            raise CLIError(f"cannot save the plot to {args.plot}: {first_line(exc)}") from None
        print(f"plot saved to {args.plot}")
    if args.save:
        import joblib

        from . import __version__

        model = {"format": MODEL_FORMAT, "version": MODEL_VERSION,
                 "sparsereg_version": __version__, "pipeline": pipe, "target": args.target,
                 "features": data.numeric + data.categorical, "numeric": data.numeric,
                 "categorical": data.categorical, "feature_names_out": names,
                 "dropped": data.dropped, "impute": args.impute}
        try:
            with replaced_atomically(args.save) as path:
                joblib.dump(model, path)
        except OSError as exc:
            raise CLIError(f"cannot save the model to {args.save}: {first_line(exc)}") from None
        print(f"model saved to {args.save}")
    return 0


def load_model(path):
    """The dict written by ``sparsereg fit --save``, or :class:`CLIError` saying what was
    expected and what the file looks like instead (a CSV: the arguments were swapped).

    Parameters
    ----------
    path : str

    Returns
    -------
    dict
    """
    expected = "MODEL must be a model file written by 'sparsereg fit --save'"
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{expected} (got {path!r}, which is a directory)")
    if os.path.getsize(path) == 0:
        raise CLIError(f"{expected} (got {path!r}, which is empty)")
    if looks_like_csv(path):  # never unpickle text: it fails with a bare opcode number
        raise CLIError(f"{expected} (got {path!r}, which looks like a CSV file: did you swap "
                       f"MODEL and DATA?)")
    import joblib

    try:
        model = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - whatever unpickling raises, it is not our file
        raise CLIError(f"{expected} (got {path!r}, which cannot be loaded: "
                       f"{first_line(exc)})") from None
    if not isinstance(model, dict) or model.get("format") != MODEL_FORMAT:
        raise CLIError(f"{expected} (got {path!r}, a joblib file that sparsereg did not "
                       f"write)")
    if model.get("version", 0) > MODEL_VERSION:
        raise CLIError(f"{path} was written by a newer sparsereg "
                       f"({model.get('sparsereg_version')}); upgrade to read it")
    return model


def _encoder(pipe):
    """The fitted OneHotEncoder of a saved pipeline (behind its imputer when --impute)."""
    cat = pipe.named_steps["preprocess"].named_transformers_["cat"]
    return cat.steps[-1][1] if hasattr(cat, "steps") else cat


def run_predict(args):
    """``sparsereg predict``: apply a saved model to a CSV and write the predictions as CSV
    (``args`` and the exit status as in :func:`run_fit`)."""
    check_outputs([("--output", args.output)],
                  [("model file", args.model), ("data file", args.data)], args.force)
    sep = parse_sep(args.sep)
    model = load_model(args.model)
    X = read_prediction_data(args.data, sep, model, args.ignore_unknown)
    pipe = model["pipeline"]
    if model["categorical"] and not args.ignore_unknown:
        for message in unseen_levels(X, model["categorical"], _encoder(pipe)):
            print(f"sparsereg: warning: {message}", file=sys.stderr)
    import pandas as pd

    with warnings.catch_warnings():  # unseen levels: told above, per column and level
        warnings.filterwarnings("ignore", message="Found unknown categories")
        predictions = pd.DataFrame({f"{model['target']}_pred": pipe.predict(X)})
    if args.output:
        try:
            with replaced_atomically(args.output) as path:
                predictions.to_csv(path, index=False)
        except OSError as exc:
            raise CLIError(f"cannot write {args.output}: {first_line(exc)}") from None
        print(f"{len(predictions)} predictions written to {args.output}")
    else:
        predictions.to_csv(sys.stdout, index=False)
    return 0
