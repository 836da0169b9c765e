"""The image of ``sparsereg fit --plot``: the coefficient path, its strongest lines named.

matplotlib is optional: it is imported inside :func:`save_plot`, which ``_cli`` calls only
after checking that it is installed.
"""

import numpy as np

LABELLED = 8  # features named on the path plot: more labels than this would not be read
COLORS = ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C8"]  # not C7, the grey of the others


def label_strongest(ax, path, coef, names, limit=LABELLED):
    """Name the strongest features at the right end of their path lines.

    The features are ranked by |coef| at the fitted alpha, ties (zeros) by |coef| at the
    path's smallest alpha; the ``limit`` first get a colour and a label, the other lines are
    drawn thin and grey. Labels are moved apart so that they do not overlap.

    Parameters
    ----------
    ax : matplotlib Axes
        Drawn by ``RegularizationPath.plot``, whose lines are the coefficients of the
        features nonzero along the path (then the axes' own lines).
    path : RegularizationPath
    coef : ndarray of shape (n_features,)
        The fitted coefficients, on the path's (standardized) scale.
    names : list of str
    limit : int

    Returns
    -------
    list of str
        The labelled names, strongest first.
    """
    from matplotlib.transforms import ScaledTranslation

    coefs = path.coefs
    order = np.lexsort((-np.abs(coefs[-1]), -np.abs(coef)))
    top = [j for j in order if np.any(coefs[:, j] != 0)][:limit]
    curves = [line for line in ax.get_lines() if len(line.get_ydata()) == len(coefs)]
    owner = {}
    for j in top:  # the line drawn from column j: path.plot draws only some columns
        owner[j] = next((line for line in curves if line not in owner.values()
                         and np.array_equal(line.get_ydata(), coefs[:, j])), None)
    for line in curves:
        if line not in owner.values():
            line.set(color="0.75", linewidth=0.8, zorder=1)
    ax.autoscale_view()
    low, high = ax.get_ylim()
    ends = {j: (coefs[-1, j] - low) / (high - low) for j in top}
    spots, gap = {}, 0.06  # in axes height: about a line of small text on a 4.8 in figure
    for j in sorted(top, key=ends.get):  # upwards, at least a gap apart ...
        spots[j] = max(ends[j], max(spots.values(), default=-1.0) + gap)
    shift = max(0.0, max(spots.values(), default=0.0) - 1.0)  # ... then back inside
    # the labels 14 points right of the axes: room for the leaders of the moved ones
    beside = ax.transAxes + ScaledTranslation(14 / 72, 0, ax.figure.dpi_scale_trans)
    for k, j in enumerate(top):
        color = COLORS[k % len(COLORS)]
        if owner[j] is not None:
            owner[j].set(color=color, linewidth=1.6, zorder=3)
        ax.annotate(names[j], xy=(1.0, ends[j]), xycoords="axes fraction",
                    xytext=(1.0, max(0.0, spots[j] - shift)), textcoords=beside,
                    fontsize="small", color=color, va="center", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": color, "linewidth": 0.6,
                                "shrinkA": 1, "shrinkB": 0})
    return [names[j] for j in top]


def path_figure(pipe, X, y, names, args):
    """The coefficient path (and, with --cv, the CV curve), its strongest features named.

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
        Model feature names, for the labels.
    args : argparse.Namespace
        The command line (``cv``, ``penalty``, ``tol``).

    Returns
    -------
    matplotlib.figure.Figure
        Its first axes hold the path, with the labels as annotations (``ax.texts``).
    """
    from matplotlib.figure import Figure

    from . import regularization_path

    model = pipe.named_steps["model"]
    if args.cv is not None:
        fig = Figure(figsize=(13, 4.8))
        ax, ax_cv = fig.subplots(1, 2)
        path = model.path_
        path.plot(ax=ax)
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
    label_strongest(ax, path, model.coef_, names)
    if alpha > 0:
        ax.axvline(alpha, color="k", linestyle="--", linewidth=1)
    fig.tight_layout()
    return fig


def save_plot(pipe, X, y, names, args, filename):
    """Draw :func:`path_figure` into an image file.

    Parameters
    ----------
    pipe, X, y, names, args
        As for :func:`path_figure`.
    filename : str
        The image file (a temporary name for ``--plot``; its extension gives the format).

    Raises
    ------
    OSError, ValueError
        When the image cannot be written.
    """
    path_figure(pipe, X, y, names, args).savefig(filename, bbox_inches="tight")
