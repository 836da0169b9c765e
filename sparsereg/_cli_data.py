"""Cleaning the CSV contents of ``sparsereg fit`` and ``predict`` into the model's input.

The cleaning is what a user would otherwise do in pandas first: surrounding spaces are
removed from text values, rows whose target is missing are dropped (R's ``na.omit`` on the
model frame), ``--drop`` columns and unnamed empty columns (a trailing delimiter) are left
out, and missing feature values are refused unless ``--impute`` is given. Each step that
changes the data is announced in one ``sparsereg: note: ...`` line on stderr once every check
has passed, so a file with an error gets the error line alone. Reading the file (the
delimiter) is ``_cli_csv``'s part. Every problem raises
:class:`~sparsereg._cli_files.CLIError`.
"""

import warnings
from typing import NamedTuple

from ._cli_csv import check_target_column, columns_to_drop, names_list, notice, read_csv
from ._cli_files import CLIError


def clean_text(frame, columns, numbers=True):
    """Text columns as objects: values stripped of surrounding spaces, blanks missing (NaN).

    ``" Male"`` (ISLP's Credit.csv) and ``"Male"`` are one level, in the fit and in a later
    file alike; a blank cell is as missing as an empty one, and a column that held only
    numbers and blanks becomes numeric, as pandas reads it without the blanks.

    Parameters
    ----------
    frame : pandas.DataFrame
        Changed in place.
    columns : list of str
    numbers : bool, default=True
        Whether a column of numbers and blanks becomes numeric (not for the columns that a
        model was fitted on as categorical).
    """
    import numpy as np
    import pandas as pd

    for c in columns:
        values = frame[c].astype(object)
        missing = values.isna()
        values = values.where(missing, values.astype(str).str.strip())
        values = values.mask(values == "", np.nan).astype(object)
        parsed = pd.to_numeric(values, errors="coerce")
        # numbers but for blank cells: what pandas reads as numbers without the blanks
        numeric = numbers and parsed.notna().sum() == values.notna().sum() > 0
        frame[c] = parsed if numeric else values


def read_target(frame, target, path, notes):
    """The numeric target, the rows whose target is missing dropped (with a note).

    Parameters
    ----------
    frame : pandas.DataFrame
        The CSV's contents.
    target : str
        Name of the target column.
    path : str
        For the messages.
    notes : list of str
        Where the note of the dropped rows goes.

    Returns
    -------
    frame : pandas.DataFrame
        The rows with a target, index reset.
    y : ndarray of float
    """
    import numpy as np
    import pandas as pd

    values = frame[target]
    if not pd.api.types.is_numeric_dtype(values):
        values = values.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
        values = values.mask(values == "", np.nan)
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    junk = numbers.isna() & values.notna()
    if junk.any():
        i = int(junk.to_numpy().argmax())
        raise CLIError(f"target column {target!r} is not numeric (value {values.iloc[i]!r} in "
                       f"data row {i + 1} of {path})")
    infinite = np.isinf(numbers.to_numpy())
    if infinite.any():
        raise CLIError(f"target column {target!r} of {path} has infinite values, in "
                       f"{int(infinite.sum())} row(s) (first: data row "
                       f"{int(infinite.argmax()) + 1})")
    kept = numbers.notna().to_numpy()
    if not kept.any():
        raise CLIError(f"target column {target!r} of {path} is missing in every row "
                       f"({len(frame)}): nothing to fit")
    if not kept.all():
        notes.append(f"dropped {int((~kept).sum())} of {len(frame)} rows whose target "
                     f"{target!r} is missing")
    return frame[kept].reset_index(drop=True), numbers.to_numpy()[kept]


def leave_out_empty(frame, features, path, notes):
    """Features without a single value: an unnamed one (a trailing delimiter's ``Unnamed:
    3``) is left out with a note, a named one is an error suggesting ``--drop``.

    Parameters
    ----------
    frame : pandas.DataFrame
    features : list of str
    path : str
    notes : list of str
        Where the note of the columns left out goes.

    Returns
    -------
    list of str
        ``features`` less the unnamed empty columns.
    """
    empty = [c for c in features if frame[c].isna().all()]
    unnamed = [c for c in empty if c.startswith("Unnamed: ")]
    named = [c for c in empty if c not in unnamed]
    if named:
        raise CLIError(f"column(s) {names_list(named)} of {path} have no value in any row "
                       f"(with a target): leave them out with --drop {','.join(named)}")
    if unnamed:
        notes.append(f"left out {len(unnamed)} column(s) of {path} without a name or a value "
                     f"(a delimiter at the end of each line?)")
    return [c for c in features if c not in unnamed]


def split_columns(frame, path):
    """Numeric (standardized) and categorical (encoded) column names, in file order.

    A column of numbers with a stray word in it is read as text and would silently become
    hundreds of one-hot columns, so a mostly-numeric text column gets a warning, as does one
    of numbers with a decimal comma (a ';'-separated file from a European spreadsheet).

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
        present = frame[c].dropna()
        parsed = pd.to_numeric(present, errors="coerce")
        points = present.astype(str).str.replace(",", ".", regex=False)
        if len(present) and pd.to_numeric(points, errors="coerce").notna().all():
            warnings.warn(f"column {c!r} of {path} holds numbers written with a comma (value "
                          f"{present.iloc[0]!r}): it is treated as categorical; write the file "
                          f"with decimal points and no thousands separators", UserWarning,
                          stacklevel=2)
        elif len(present) and parsed.notna().mean() >= 0.9:
            i = int(parsed.isna().to_numpy().argmax())
            row = int(present.index[i]) + 1
            warnings.warn(f"column {c!r} of {path} is mostly numbers but holds text (value "
                          f"{present.iloc[i]!r} in data row {row} of those with a target): it "
                          f"is treated as categorical", UserWarning, stacklevel=2)
    return numeric, categorical


def _counts(columns, missing):
    return ", ".join(f"{c!r} ({int(missing[c].sum())})" for c in columns)


def check_missing(frame, numeric, categorical, path, impute, notes, fitting=True):
    """Refuse infinite values, and missing ones unless they are to be imputed (then a note).

    Parameters
    ----------
    frame : pandas.DataFrame
    numeric, categorical : list of str
        The feature columns.
    path : str
    impute : str or None
        The ``--impute`` strategy (the saved model's, in ``predict``); None refuses NaN.
    notes : list of str
        Where the note of the imputed values goes.
    fitting : bool
        Whether ``fit`` (``--impute`` can be given) or ``predict`` (the model decides).
    """
    import numpy as np

    infinite = [c for c in numeric if np.isinf(frame[c].to_numpy(dtype=float)).any()]
    if infinite:
        raise CLIError(f"{path}: column(s) {names_list(infinite)} hold infinite values, which "
                       f"cannot be fitted or imputed")
    missing = frame[numeric + categorical].isna()
    columns = [c for c in numeric + categorical if missing[c].any()]
    if not columns:
        return
    rows = int(missing.any(axis=1).sum())
    if impute is None:
        fix = ("fill them with --impute {mean,median,most_frequent}, or leave the columns out "
               "with --drop" if fitting else
               "the model was fitted without --impute, so it cannot fill them")
        raise CLIError(f"{path}: {rows} row(s) have missing values, in column(s) "
                       f"{_counts(columns, missing)}: {fix}")
    text = "text columns: their most frequent level" if (
        impute != "most_frequent" and set(columns) & set(categorical)) else ""
    if fitting:
        how = f"by --impute {impute}" + (f" ({text})" if text else "")
    else:
        what = {"mean": "means", "median": "medians", "most_frequent": "most frequent values"}
        how = (f"with the training data's {what[impute]} (the model was fitted with --impute "
               f"{impute}" + (f"; {text})" if text else ")"))
    notes.append(f"imputed {int(missing.to_numpy().sum())} missing value(s) in {rows} row(s) "
                 f"{how}: {_counts(columns, missing)}")


def prepare_features(frame, numeric, categorical):
    """The model's input frame: numeric columns as float, categorical ones as objects.

    Text makes the encoder's levels independent of how pandas guessed the dtype of a file
    (a category column holding only digits in a later file would otherwise be numbers);
    missing values stay NaN, for the imputer or for the checks before.

    Parameters
    ----------
    frame : pandas.DataFrame
        The CSV's contents, text columns cleaned by :func:`clean_text`.
    numeric, categorical : list of str
        The feature columns, as found at fit time.

    Returns
    -------
    pandas.DataFrame
        The feature columns, numeric ones first.
    """
    X = frame[numeric + categorical].copy()
    X[numeric] = X[numeric].astype(float)
    for c in categorical:
        values = X[c].astype(object)
        X[c] = values.where(values.isna(), values.astype(str)).astype(object)
    return X


def unseen_levels(X, categorical, encoder):
    """One warning text per categorical column holding levels the fit did not see.

    Parameters
    ----------
    X : pandas.DataFrame
        From :func:`prepare_features`.
    categorical : list of str
    encoder : sklearn.preprocessing.OneHotEncoder
        Fitted on ``categorical``, in that order.

    Returns
    -------
    list of str
    """
    messages = []
    drop = getattr(encoder, "drop_idx_", None)
    for i, c in enumerate(categorical):
        known = set(encoder.categories_[i])
        values = X[c].dropna()
        new = values[~values.isin(known)]
        if new.empty:
            continue
        counts = new.value_counts(sort=False)
        levels = ", ".join(f"{level!r} ({n} row{'s' * (n > 1)})" for level, n in counts.items())
        if drop is not None and drop[i] is not None:
            how = (f"predicted as its reference level {encoder.categories_[i][drop[i]]!r} "
                   f"(indicator 0)")
        else:
            how = "predicted with all of the column's indicators 0"
        levels = f"level{'s' * (len(counts) > 1)} {levels}"
        messages.append(f"column {c!r}: {levels} not seen in training; {how}")
    return messages


class TrainingData(NamedTuple):
    """What ``sparsereg fit`` fits, and what its report says of the cleaning."""

    X: object  # pandas.DataFrame from prepare_features
    y: object  # ndarray of float
    numeric: list
    categorical: list
    dropped: list  # the --drop columns
    n_read: int  # data rows in the file, before rows without a target were dropped
    sep: str


def read_training_data(path, target, sep=None, drop=None, impute=None):
    """Read and clean the CSV of ``sparsereg fit``, each step in the module docstring's order.

    Parameters
    ----------
    path : str
    target : str
    sep : str, optional
        ``--sep``; sniffed when None.
    drop : list of str, optional
        The ``--drop`` values.
    impute : str, optional
        The ``--impute`` strategy; None refuses missing feature values.

    Returns
    -------
    TrainingData
    """
    frame, sep = read_csv(path, sep)
    from pandas.api.types import is_numeric_dtype  # read_csv says if pandas is missing
    check_target_column(frame, target, path, sep)
    dropped = columns_to_drop(drop, frame, target, path)
    features = [c for c in frame.columns if c != target and c not in dropped]
    if not features:
        raise CLIError(f"{path} has no feature columns besides the target {target!r}"
                       + (" and the --drop columns" if dropped else ""))
    clean_text(frame, [c for c in features if not is_numeric_dtype(frame[c])])
    n_read, notes = len(frame), []
    frame, y = read_target(frame, target, path, notes)
    features = leave_out_empty(frame, features, path, notes)
    numeric, categorical = split_columns(frame[features], path)
    check_missing(frame, numeric, categorical, path, impute, notes)
    for note in notes:  # once the data passed every check: an error comes alone
        notice(note)
    X = prepare_features(frame, numeric, categorical)
    return TrainingData(X, y, numeric, categorical, dropped, n_read, sep)


def read_prediction_data(path, sep, model, ignore_unknown):
    """Read the CSV of ``sparsereg predict`` and clean it as the model's training file was.

    Parameters
    ----------
    path : str
    sep : str or None
        ``--sep``; sniffed when None.
    model : dict
        The saved model (``features``, ``numeric``, ``categorical``, ``target``, and from
        version 2 on ``dropped`` and ``impute``).
    ignore_unknown : bool
        Whether columns and category levels the model was not fitted on pass silently.

    Returns
    -------
    pandas.DataFrame
        The model's input, from :func:`prepare_features`.
    """
    frame, _ = read_csv(path, sep)
    from pandas.api.types import is_numeric_dtype  # read_csv says if pandas is missing
    features, numeric, categorical = model["features"], model["numeric"], model["categorical"]
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise CLIError(f"{path} lacks the model's feature column(s) {names_list(missing)}")
    known = set(features) | {model["target"]} | set(model.get("dropped", []))
    unknown = [c for c in frame.columns if c not in known]
    if unknown and not ignore_unknown:
        raise CLIError(f"{path} has column(s) the model was not fitted on: "
                       f"{names_list(unknown)} (drop them, or pass --ignore-unknown)")
    clean_text(frame, [c for c in numeric if not is_numeric_dtype(frame[c])])
    clean_text(frame, [c for c in categorical if not is_numeric_dtype(frame[c])],
               numbers=False)
    for c in numeric:
        if not is_numeric_dtype(frame[c]):
            raise CLIError(f"column {c!r} was numeric when the model was fitted but is not "
                           f"numeric in {path}")
    notes = []
    check_missing(frame, numeric, categorical, path, model.get("impute"), notes, fitting=False)
    for note in notes:
        notice(note)
    return prepare_features(frame, numeric, categorical)
