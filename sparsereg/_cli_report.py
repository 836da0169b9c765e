"""What ``sparsereg fit`` prints and draws: the coefficient table, the fit summary, the plot.

Kept apart from ``_cli`` (reading and checking the input) so each stays short; nothing here
touches files except :func:`save_plot`, whose errors the caller reports.
"""

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


def fit_report(pipe, names, X, y, args, numeric, categorical):
    """The lines printed by ``sparsereg fit``: the selected features, then the fit summary.

    Parameters
    ----------
    pipe : sklearn.pipeline.Pipeline
        The fitted ``(preprocess, model)`` pipeline.
    names : list of str
        Model feature names (after one-hot encoding).
    X : pandas.DataFrame
        Training features, for the training R^2.
    y : ndarray
        Training target.
    args : argparse.Namespace
        The command line.
    numeric, categorical : list of str
        The CSV's numeric and categorical feature columns.

    Returns
    -------
    list of str
    """
    model = pipe.named_steps["model"]
    coef = model.coef_
    raw, raw_intercept = raw_coefficients(pipe, len(numeric), args.standardize)
    penalty = PENALTY_NAMES[args.penalty]
    if args.penalty == "elasticnet":
        penalty += f" (l1_ratio={model.l1_ratio:g})"
    scaled = "standardized" if args.standardize else "not standardized"
    lines = [f"{penalty} regression of {args.target!r} on {args.data}: {len(y)} rows",
             (f"features: {len(numeric)} numeric ({scaled}), {len(categorical)} categorical "
              f"(one-hot) -> {len(names)} model features"), ""]
    order = sorted(range(len(coef)), key=lambda j: -abs(coef[j]))
    selected = [j for j in order if coef[j] != 0]
    show_raw = args.standardize and bool(numeric)
    width = max([len(n) for n in names] + [len("(intercept)"), len("feature")])
    header = f"  {'feature':<{width}}  {'coef':>12}" + (f"  {'raw-unit coef':>14}"
                                                       if show_raw else "")
    if selected:
        lines += ["selected features (nonzero coefficients), largest |coef| first:", header]
        for j in selected:
            row = f"  {names[j]:<{width}}  {coef[j]:>12.6g}"
            lines.append(row + (f"  {raw[j]:>14.6g}" if show_raw else ""))
    else:
        lines.append("no feature selected: every coefficient is zero (alpha too large)")
    row = f"  {'(intercept)':<{width}}  {float(model.intercept_):>12.6g}"
    lines.append(row + (f"  {raw_intercept:>14.6g}" if show_raw else ""))
    if show_raw:
        lines.append("  (coef: per standard deviation of each numeric column; raw-unit coef: "
                     "per unit of the CSV column)")
    lines += ["", f"{model.n_nonzero_} of {len(coef)} features nonzero"]
    if args.cv is None:
        lines.append(f"alpha             {model.alpha:.6g}")
    else:
        lines.append(f"alpha             {model.alpha_:.6g}  (chosen by {args.cv}-fold CV, "
                     f"rule {model.selection}; alpha_min {model.alpha_min_:.6g}, "
                     f"alpha_1se {model.alpha_1se_:.6g})")
    lines.append(f"training R^2      {pipe.score(X, y):.6g}")
    lines.append(f"duality gap       {model.dual_gap_:.3g}  (the fit's objective is within this "
                 f"of the optimum)")
    if args.cv is not None:
        mean, se = cv_score(model)
        lines.append(f"CV MSE            {mean:.8g}  (+/- {se:.3g} s.e.; mean over {args.cv} "
                     f"folds at the chosen alpha, rule {model.selection})")
    return lines


def _label_lines(ax, names, limit=15):
    """Name the coefficient curves in a legend when there are few enough to read.

    Parameters
    ----------
    ax : matplotlib Axes
        Drawn by ``RegularizationPath.plot``: its first lines are the coefficients.
    names : list of str
    limit : int
        No legend beyond this many features.
    """
    if len(names) <= limit:
        for i, (line, name) in enumerate(zip(ax.get_lines(), names)):
            line.set_label(name)
            if i >= 10:  # the colour cycle has 10 colours: tell repeats apart by style
                line.set_linestyle("--")
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))


def save_plot(pipe, X, y, names, args, filename):
    """Coefficient path (and, with --cv, the CV curve) as an image file.

    Built on a bare ``Figure``, not pyplot, so no display or global state is involved.

    Parameters
    ----------
    pipe : sklearn.pipeline.Pipeline
        The fitted ``(preprocess, model)`` pipeline.
    X : pandas.DataFrame
        The training features (the path without --cv is computed on their transform).
    y : ndarray
        The training target.
    names : list of str
        Model feature names, for the legend.
    args : argparse.Namespace
        The command line (``cv``, ``penalty``, ``tol``).
    filename : str
        The image file (a temporary name for ``--plot``; its extension gives the format).

    Raises
    ------
    OSError, ValueError
        When the image cannot be written.
    """
    import numpy as np
    from matplotlib.figure import Figure

    from . import regularization_path

    model = pipe.named_steps["model"]
    if args.cv is not None:
        fig = Figure(figsize=(13, 4.8))
        ax, ax_cv = fig.subplots(1, 2)
        model.path_.plot(ax=ax)
        alpha = model.alpha_
        ax_cv.errorbar(model.alphas_, model.mse_mean_, yerr=model.mse_se_, fmt="o", markersize=3,
                       capsize=2)
        ax_cv.set_xscale("log")
        ax_cv.set_xlim(model.alphas_[0], model.alphas_[-1])
        ax_cv.axvline(model.alpha_min_, color="C3", linestyle="--", label="alpha_min")
        ax_cv.axvline(model.alpha_1se_, color="C2", linestyle=":", label="alpha_1se")
        ax_cv.set(xlabel="alpha", ylabel="mean CV MSE", title=f"{args.cv}-fold CV")
        ax_cv.legend(fontsize="small")
    else:
        fig = Figure(figsize=(7, 4.8))
        ax = fig.subplots()
        alpha = model.alpha
        Xt = pipe.named_steps["preprocess"].transform(X)
        kw = {"penalty": args.penalty, "l1_ratio": getattr(model, "l1_ratio", None),
              "tol": args.tol}
        path = regularization_path(Xt, y, n_alphas=50, **kw)
        top, bottom = path.alphas[0], path.alphas[-1]
        if alpha > 0 and not bottom <= alpha <= top:  # widen the grid to show the fit's alpha
            grid = np.geomspace(max(top, alpha), min(bottom, alpha), 50)
            path = regularization_path(Xt, y, alphas=grid, **kw)
        path.plot(ax=ax)
    _label_lines(ax, names)
    if alpha > 0:
        ax.axvline(alpha, color="k", linestyle="--", linewidth=1)
    fig.tight_layout()
    fig.savefig(filename, bbox_inches="tight")  # keeps the outside legend
