"""What ``sparsereg fit`` prints: the data it fitted, the coefficient table, the summary.

Kept apart from ``_cli`` (the commands) and ``_cli_plot`` (the image) so each stays short.
Every number is written by :func:`format_numbers`: ``SIGNIFICANT`` digits, one notation down
a column.
"""

import math

from ._cli_csv import names_list

SIGNIFICANT = 4  # digits of every printed number
TINY = 1e-8  # |coef| below this times the largest is flagged: maybe 0 at the exact optimum
PENALTY_NAMES = {"l1": "L1 (lasso)", "l2": "L2 (ridge)", "elasticnet": "elastic net"}


def feature_names(preprocess):
    """Output names of the fitted preprocessing (``region_north`` for a one-hot column).

    Short names can collide (a numeric column named ``region_north``); the transformer then
    refuses them, and the ``num__`` / ``cat__`` prefixed names are unique.

    Parameters
    ----------
    preprocess : sklearn.compose.ColumnTransformer
        Fitted.

    Returns
    -------
    list of str
    """
    try:
        return [str(n) for n in preprocess.get_feature_names_out()]
    except ValueError:
        preprocess.set_params(verbose_feature_names_out=True)
        return [str(n) for n in preprocess.get_feature_names_out()]


def raw_coefficients(pipe, n_numeric, standardized):
    """Coefficients and intercept per unit of the original columns (undoing the scaler).

    Parameters
    ----------
    pipe : sklearn.pipeline.Pipeline
        The fitted ``(preprocess, model)`` pipeline.
    n_numeric : int
        Number of numeric columns; their outputs come first in the design.
    standardized : bool
        Whether the numeric columns went through a ``StandardScaler``.

    Returns
    -------
    coef : ndarray of shape (n_features,)
    intercept : float
    """
    model = pipe.named_steps["model"]
    coef, intercept = model.coef_.astype(float), float(model.intercept_)
    if not (standardized and n_numeric):
        return coef, intercept
    scaler = pipe.named_steps["preprocess"].named_transformers_["num"]
    if hasattr(scaler, "steps"):  # (imputer, scaler) with --impute
        scaler = scaler.steps[-1][1]
    raw = coef.copy()
    raw[:n_numeric] = coef[:n_numeric] / scaler.scale_  # numeric outputs come first
    return raw, intercept - float(raw[:n_numeric] @ scaler.mean_)


def cv_score(model):
    """Mean and standard error over folds of the validation MSE at the chosen alpha.

    Parameters
    ----------
    model : fitted L1RegressorCV, L2RegressorCV or ElasticNetRegressorCV
        With a single l1_ratio, so ``mse_mean_`` and ``mse_se_`` have shape (n_alphas,).

    Returns
    -------
    mean, se : float
        glmnet's ``cvm`` and ``cvsd`` at ``alpha_``.
    """
    import numpy as np

    k = int(np.argmin(np.abs(model.alphas_ - model.alpha_)))
    return float(model.mse_mean_[k]), float(model.mse_se_[k])


def grid_edge_warning(model):
    """A message when CV chose the grid's smallest alpha while the error was still falling
    (the estimators' own criterion, :func:`~sparsereg._folds.grid_edge`), naming ``--eps``.

    Parameters
    ----------
    model : fitted L1RegressorCV, L2RegressorCV or ElasticNetRegressorCV

    Returns
    -------
    str or None
    """
    from ._folds import grid_edge

    mean, se = model.mse_mean_, model.mse_se_
    if mean.ndim != 1 or grid_edge(model.alphas_, mean, se) != "smallest" \
            or model.alpha_ != model.alphas_[-1]:
        return None
    eps = model.alphas_[-1] / model.alphas_[0]
    return (f"the chosen alpha {model.alpha_:.4g} is the smallest of the CV grid and the CV "
            f"error was still falling there: widen the grid with a smaller --eps (now "
            f"{eps:.3g}), e.g. --eps {eps * 1e-3:.3g}")


def format_numbers(values, digits=SIGNIFICANT):
    """A column of numbers as strings in one notation, aligned on the decimal point.

    Each number gets ``digits`` significant digits. The column is in fixed notation when
    every nonzero magnitude lies in [1e-4, 1e9), otherwise all of it is in scientific
    notation: one format down a column, never ``177.4`` above ``4.96e-10``.

    Parameters
    ----------
    values : sequence of float
    digits : int

    Returns
    -------
    list of str
        All of one width.
    """
    values = [float(v) for v in values]
    sizes = [abs(v) for v in values if v != 0 and math.isfinite(v)]
    fixed = all(1e-4 <= size < 1e9 for size in sizes)
    out = []
    for v in values:
        if not math.isfinite(v):
            out.append(str(v))
        elif not fixed:
            out.append(f"{v:.{digits - 1}e}")
        else:
            decimals = 0 if v == 0 else max(0, digits - 1 - math.floor(math.log10(abs(v))))
            out.append(f"{v:.{decimals}f}")
    if fixed:  # integer parts right-aligned, fractions left-aligned: the points line up
        parts = [s.partition(".") for s in out]
        left = max(len(p[0]) for p in parts)
        right = max(len(p[1] + p[2]) for p in parts)
        out = [(p[0].rjust(left) + p[1] + p[2]).ljust(left + right) for p in parts]
    width = max(len(s) for s in out)
    return [s.rjust(width) for s in out]


def number(value, digits=SIGNIFICANT):
    """One number as :func:`format_numbers` writes it, less trailing zeros.

    Parameters
    ----------
    value : float
    digits : int

    Returns
    -------
    str
    """
    text = format_numbers([value], digits)[0].strip()
    if "." in text and "e" not in text:  # alone, trailing zeros only look precise: 0.1 not 0.1000
        text = text.rstrip("0").rstrip(".")
    return text


def coefficient_table(names, coef, intercept, raw=None):
    """The table of the nonzero coefficients, largest |coef| first, and its footnote.

    Exactly zero coefficients are left out. One below ``TINY`` times the largest |coef| is
    nonzero and listed, but marked ``*``: the solver stops at a tolerance, and such a value
    may be 0 at the exact optimum.

    Parameters
    ----------
    names : list of str
    coef : ndarray
        The model's coefficients (on the standardized scale).
    intercept : float
        The model's intercept: the last row.
    raw : (ndarray, float), optional
        The coefficients and intercept per unit of the CSV columns: a second column.

    Returns
    -------
    lines : list of str
    n_tiny : int
        Number of the rows marked ``*``.
    """
    rows = [j for j in sorted(range(len(coef)), key=lambda j: -abs(coef[j])) if coef[j] != 0]
    largest = max((abs(float(c)) for c in coef), default=0.0)
    tiny = {j for j in rows if abs(coef[j]) < TINY * largest}
    labels = [names[j] for j in rows] + ["(intercept)"]
    width = max(len(n) for n in labels + ["feature"])
    columns = [("coef", format_numbers([coef[j] for j in rows] + [intercept]))]
    if raw is not None:
        columns.append(("raw-unit coef", format_numbers([raw[0][j] for j in rows] + [raw[1]])))
    columns = [(title, [c.rjust(len(title)) for c in cells]) for title, cells in columns]
    head = "  ".join(title.rjust(len(cells[0])) for title, cells in columns)
    lines = [f"  {'feature':<{width}}  {head}"]
    for i, label in enumerate(labels):
        mark = "*" if i < len(rows) and rows[i] in tiny else " "
        cells = [cells[i] for _, cells in columns]
        lines.append(f"  {label:<{width}}  {cells[0]}{mark}" + "".join(f" {c}" for c in cells[1:]))
    if tiny:
        lines.append(f"  * nonzero but below {TINY:g} x the largest |coef|: at the solver's "
                     f"tolerance (and round-off) it may be 0 at the exact optimum")
    return [line.rstrip() for line in lines], len(tiny)


def _features_lines(pipe, data, names, standardize):
    """``features: 16 numeric (standardized), 3 categorical -> 19 model features`` and a line
    for each kind of categorical column: two levels (one 0/1 column) or more (one per level)."""
    scaled = "standardized" if standardize else "not standardized"
    lines = [f"features: {len(data.numeric)} numeric ({scaled}), {len(data.categorical)} "
             f"categorical -> {len(names)} model features"]
    if data.categorical:
        cat = pipe.named_steps["preprocess"].named_transformers_["cat"]
        encoder = cat.steps[-1][1] if hasattr(cat, "steps") else cat
        binary = [c for c, d in zip(data.categorical, encoder.drop_idx_) if d is not None]
        more = [f"{c!r} ({len(levels)})" for c, levels, d in
                zip(data.categorical, encoder.categories_, encoder.drop_idx_) if d is None]
        if binary:
            lines.append(f"  two levels, one 0/1 column each: {names_list(binary)}")
        if more:
            lines.append(f"  more levels, one 0/1 column per level: {', '.join(more[:8])}"
                         + (f" (and {len(more) - 8} more)" if len(more) > 8 else ""))
    return lines


def fit_report(pipe, names, data, args):
    """The lines printed by ``sparsereg fit``: the data, the selected features, the summary.

    Parameters
    ----------
    pipe : sklearn.pipeline.Pipeline
        The fitted ``(preprocess, model)`` pipeline.
    names : list of str
        Model feature names (after encoding).
    data : sparsereg._cli_data.TrainingData
        The cleaned training data: ``X`` and ``y`` (for the training R^2), the column kinds,
        the ``--drop`` columns and the number of rows read.
    args : argparse.Namespace
        The command line.

    Returns
    -------
    list of str
    """
    import numpy as np

    model = pipe.named_steps["model"]
    coef, y = model.coef_, data.y
    raw = raw_coefficients(pipe, len(data.numeric), args.standardize)
    penalty = PENALTY_NAMES[args.penalty]
    if args.penalty == "elasticnet":
        penalty += f" (l1_ratio={model.l1_ratio:g})"
    rows = f"{len(y)} rows"
    if data.n_read > len(y):
        rows += f" ({data.n_read - len(y)} of {data.n_read} dropped: target missing)"
    lines = [f"{penalty} regression of {args.target!r} on {args.data}: {rows}",
             *_features_lines(pipe, data, names, args.standardize)]
    if data.dropped:
        lines.append(f"left out (--drop): {', '.join(repr(c) for c in data.dropped)}")
    if args.impute:
        lines.append(f"missing values imputed: {args.impute} (numeric columns), most frequent "
                     f"level (text columns)")
    lines.append("")
    show_raw = args.standardize and bool(data.numeric)
    n_tiny = 0
    if np.any(coef != 0):
        table, n_tiny = coefficient_table(names, coef, float(model.intercept_),
                                          raw if show_raw else None)
        lines += ["selected features (nonzero coefficients), largest |coef| first:"] + table
    else:
        lines += ["no feature selected: every coefficient is zero (alpha too large)",
                  f"  (intercept)  {number(float(model.intercept_))}"]
    if show_raw:
        lines.append("  (coef: per standard deviation of each numeric column; raw-unit coef: "
                     "per unit of the CSV column)")
    count = f"{model.n_nonzero_} of {len(coef)} features nonzero"
    lines += ["", count + (f" ({n_tiny} of them marked *)" if n_tiny else "")]
    if args.cv is None:
        lines.append(f"alpha             {number(model.alpha)}")
    else:
        lines.append(f"alpha             {number(model.alpha_)}  (chosen by {args.cv}-fold "
                     f"CV, rule {model.selection}; alpha_min {number(model.alpha_min_)}, "
                     f"alpha_1se {number(model.alpha_1se_)})")
    lines.append(f"training R^2      {number(pipe.score(data.X, y))}")
    lines.append(f"duality gap       {number(model.dual_gap_)}  (the fit's objective is within "
                 f"this of the optimum)")
    if args.cv is not None:
        mean, se = cv_score(model)
        lines.append(f"CV MSE            {number(mean)}  (+/- {number(se)} s.e.; mean over "
                     f"{args.cv} folds at the chosen alpha, rule {model.selection})")
    return lines
