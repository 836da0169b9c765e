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

from ._cli_files import CLIError, check_outputs, replaced_atomically
from ._cli_report import feature_names, fit_report, grid_edge_warning, save_plot
from ._folds import GridEdgeWarning

MODEL_FORMAT = "sparsereg-cli-model"
MODEL_VERSION = 1


def _first_line(exc):
    """The first non-empty line of an exception's message (pandas' messages span several)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _names(columns, limit=8):
    """``'a', 'b', ... (and 3 more)``: column lists in messages stay one short line."""
    shown = ", ".join(repr(str(c)) for c in columns[:limit])
    return shown + (f" (and {len(columns) - limit} more)" if len(columns) > limit else "")


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


def read_csv(path):
    """Read a CSV file into a DataFrame, or raise :class:`CLIError` saying why not.

    Parameters
    ----------
    path : str
        The file.

    Returns
    -------
    pandas.DataFrame
        At least one row and one column.
    """
    pd = _import("pandas", "reading CSV files")
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{path} is a directory, not a CSV file")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path} is empty") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ParserError is a ValueError
        raise CLIError(f"cannot read {path} as CSV: {_first_line(exc)}") from None
    if frame.shape[0] == 0:
        raise CLIError(f"{path} has a header but no data rows")
    return frame


def check_finite(frame, columns, path):
    """Reject missing (NaN) or infinite values, naming the columns and counting the rows.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : list of str
        The columns the model uses.
    path : str
        For the message.
    """
    import numpy as np

    bad = frame[columns].replace([np.inf, -np.inf], np.nan).isna()
    if bad.to_numpy().any():
        cols = [c for c in columns if bad[c].any()]
        rows = int(bad.any(axis=1).sum())
        raise CLIError(f"{path}: {rows} row(s) have missing (NaN) or infinite values, in "
                       f"column(s) {_names(cols)}; drop or impute them first")


def split_columns(frame, path):
    """Numeric (standardized) and categorical (one-hot encoded) column names, in file order.

    A column of numbers with a stray word in it is read as text and would silently become
    hundreds of one-hot columns, so a mostly-numeric text column gets a warning.

    Parameters
    ----------
    frame : pandas.DataFrame
        The feature columns.
    path : str
        For the warning.

    Returns
    -------
    numeric, categorical : list of str
    """
    import pandas as pd
    from pandas.api.types import is_numeric_dtype

    numeric = [c for c in frame.columns if is_numeric_dtype(frame[c])]
    categorical = [c for c in frame.columns if c not in numeric]
    for c in categorical:
        parsed = pd.to_numeric(frame[c], errors="coerce")
        if parsed.notna().mean() >= 0.9:
            i = int(parsed.isna().to_numpy().argmax())
            warnings.warn(f"column {c!r} of {path} is mostly numbers but holds text (value "
                          f"{frame[c].iloc[i]!r} in data row {i + 1}): it is treated as "
                          f"categorical and one-hot encoded", UserWarning, stacklevel=2)
    return numeric, categorical


def prepare_features(frame, numeric, categorical):
    """The model's input frame: numeric columns as float, categorical ones as strings.

    Strings make the encoder's categories independent of how pandas guessed the dtype of a
    file (a category column holding only digits in a later file would otherwise be numbers).

    Parameters
    ----------
    frame : pandas.DataFrame
        The CSV's contents.
    numeric, categorical : list of str
        The feature columns, as found at fit time.

    Returns
    -------
    pandas.DataFrame
        The feature columns, numeric ones first.
    """
    X = frame[numeric + categorical].copy()
    X[numeric] = X[numeric].astype(float)
    X[categorical] = X[categorical].astype(str)
    return X


def read_target(frame, target, path):
    """The target column as float, or :class:`CLIError` when absent or not numeric.

    Parameters
    ----------
    frame : pandas.DataFrame
        The CSV's contents.
    target : str
        Name of the target column.
    path : str
        For the messages.

    Returns
    -------
    pandas.Series of float
    """
    import pandas as pd

    if target not in frame.columns:
        raise CLIError(f"target column {target!r} not found in {path}; its columns are "
                       f"{_names(list(frame.columns))}")
    values = frame[target]
    numbers = pd.to_numeric(values, errors="coerce")
    junk = numbers.isna() & values.notna()
    if junk.any():
        i = int(junk.to_numpy().argmax())
        raise CLIError(f"target column {target!r} is not numeric (value {values.iloc[i]!r} in "
                       f"data row {i + 1} of {path})")
    return numbers.astype(float)


def check_fit_args(args):
    """Range checks that argparse's ``type=float`` cannot express; sets the default ``cv``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``fit`` command line (``args.cv`` becomes 5 when neither ``--alpha`` nor
        ``--cv`` is given).
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
    if args.alpha is None and args.cv is None:
        args.cv = 5  # neither given: choose alpha by 5-fold cross-validation


def build_pipeline(numeric, categorical, args):
    """``Pipeline(preprocess, estimator)`` for the chosen penalty and alpha rule.

    Standardizing makes L1 selection independent of the units of each column, as glmnet
    does by default; the one-hot columns stay 0/1. Keeping the encoder inside the pipeline
    means a saved model applies the same encoding to new files.

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
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    import sparsereg

    steps = []
    if numeric:
        steps.append(("num", StandardScaler() if args.standardize else "passthrough", numeric))
    if categorical:
        steps.append(("cat", OneHotEncoder(handle_unknown="ignore"), categorical))
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
    """``sparsereg fit``: read, fit, print the report, optionally plot and save.

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
    frame = read_csv(args.data)
    y = read_target(frame, args.target, args.data)
    numeric, categorical = split_columns(frame.drop(columns=[args.target]), args.data)
    if not numeric + categorical:
        raise CLIError(f"{args.data} has no feature columns besides the target {args.target!r}")
    check_finite(frame, [args.target] + numeric + categorical, args.data)
    X = prepare_features(frame, numeric, categorical)
    pipe = build_pipeline(numeric, categorical, args)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():  # the CLI's own wording below names --eps
            warnings.simplefilter("ignore", GridEdgeWarning)
            pipe.fit(X, y.to_numpy())
    except ValueError as exc:  # e.g. more folds than rows
        raise CLIError(f"the fit failed: {_first_line(exc)}") from None
    if args.verbose:
        print(f"[sparsereg fit] fitted in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    if args.cv is not None and (message := grid_edge_warning(pipe.named_steps["model"])):
        warnings.warn(message, UserWarning, stacklevel=1)
    names = feature_names(pipe.named_steps["preprocess"])
    print("\n".join(fit_report(pipe, names, X, y.to_numpy(), args, numeric, categorical)))
    if args.plot:
        try:
            with replaced_atomically(args.plot) as path:
                save_plot(pipe, X, y.to_numpy(), names, args, path)
        except (OSError, ValueError) as exc:  # e.g. no permission to write there
            raise CLIError(f"cannot save the plot to {args.plot}: {_first_line(exc)}") from None
        print(f"plot saved to {args.plot}")
    if args.save:
        import joblib

        from . import __version__

        model = {"format": MODEL_FORMAT, "version": MODEL_VERSION,
                 "sparsereg_version": __version__, "pipeline": pipe, "target": args.target,
                 "features": numeric + categorical, "numeric": numeric,
                 "categorical": categorical, "feature_names_out": names}
        try:
            with replaced_atomically(args.save) as path:
                joblib.dump(model, path)
        except OSError as exc:
            raise CLIError(f"cannot save the model to {args.save}: {_first_line(exc)}") from None
        print(f"model saved to {args.save}")
    return 0


def load_model(path):
    """The dict written by ``sparsereg fit --save``, or :class:`CLIError`.

    Parameters
    ----------
    path : str

    Returns
    -------
    dict
    """
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    import joblib

    try:
        model = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - whatever unpickling raises, it is not our file
        raise CLIError(f"{path} is not a sparsereg model file (cannot load it: "
                       f"{_first_line(exc)})") from None
    if not isinstance(model, dict) or model.get("format") != MODEL_FORMAT:
        raise CLIError(f"{path} is not a sparsereg model (expected a file written by "
                       f"'sparsereg fit --save')")
    if model.get("version", 0) > MODEL_VERSION:
        raise CLIError(f"{path} was written by a newer sparsereg "
                       f"({model.get('sparsereg_version')}); upgrade to read it")
    return model


def run_predict(args):
    """``sparsereg predict``: apply a saved model to a CSV and write the predictions as CSV
    (``args`` and the exit status as in :func:`run_fit`)."""
    check_outputs([("--output", args.output)],
                  [("model file", args.model), ("data file", args.data)], args.force)
    model = load_model(args.model)
    frame = read_csv(args.data)
    features, target = model["features"], model["target"]
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise CLIError(f"{args.data} lacks the model's feature column(s) {_names(missing)}")
    unknown = [c for c in frame.columns if c not in features and c != target]
    if unknown and not args.ignore_unknown:
        raise CLIError(f"{args.data} has column(s) the model was not fitted on: "
                       f"{_names(unknown)} (drop them, or pass --ignore-unknown)")
    check_finite(frame, features, args.data)
    import pandas as pd
    from pandas.api.types import is_numeric_dtype

    for c in model["numeric"]:
        if not is_numeric_dtype(frame[c]):
            raise CLIError(f"column {c!r} was numeric when the model was fitted but is not "
                           f"numeric in {args.data}")
    X = prepare_features(frame, model["numeric"], model["categorical"])
    predictions = pd.DataFrame({f"{target}_pred": model["pipeline"].predict(X)})
    if args.output:
        try:
            with replaced_atomically(args.output) as path:
                predictions.to_csv(path, index=False)
        except OSError as exc:
            raise CLIError(f"cannot write {args.output}: {_first_line(exc)}") from None
        print(f"{len(predictions)} predictions written to {args.output}")
    else:
        predictions.to_csv(sys.stdout, index=False)
    return 0
