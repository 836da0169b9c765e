"""Command line: ``python -m sparsereg {demo,fit,predict}`` (also the ``sparsereg`` script).

This module only parses arguments; the commands live in ``_demo`` and ``_cli``, imported
when used so that ``--help`` stays quick.
"""

import argparse
import os
import sys
import warnings
from contextlib import contextmanager

FIT_DESCRIPTION = """\
Fit a penalized linear model to a CSV file (needs pandas) and print its coefficients.

The file is cleaned first: the delimiter is sniffed (or --sep); spaces around names and
text values are removed; rows whose target is missing are dropped (a note on stderr says how
many); --drop columns are left out. A text column of two levels becomes one 0/1 column of its
second level in sorted order (Student_Yes), a text column of more levels one 0/1 column per
level. Numeric columns are standardized unless --no-standardize. Missing feature values are
an error unless --impute. Every number printed has 4 significant digits; a coefficient below
1e-8 times the largest is marked * (it may be 0 at the exact optimum).
"""

FIT_EXAMPLES = """examples:
  sparsereg fit data.csv --target price --penalty l1 --alpha 0.1
  sparsereg fit Hitters.csv --target Salary --cv 5 --plot path.png
  sparsereg fit Credit.csv --target Balance --drop ID --sep ';' --impute median
  sparsereg fit data.csv --target price --penalty elasticnet --l1-ratio 0.7 --cv 10 \\
      --selection 1se --plot path.png --save model.joblib
  sparsereg predict model.joblib new.csv --output predictions.csv

An existing output file is replaced only with --force; an input file (the CSV, or the model
read by predict) is never replaced.

Alphas are on sparsereg's scale: the L1 penalty equals sklearn's Lasso(alpha) and the L2
penalty sklearn's Ridge(alpha * n_samples), so alpha does not grow with the number of rows.
"""

SEP_HELP = ("the column delimiter: one character, or 'tab' (default: sniffed from the header "
            "line among comma, semicolon and tab)")
FORCE_HELP = ("overwrite output files that already exist (an output that is one of the input "
              "files is refused even so)")


def build_parser():
    """The argument parser of the ``sparsereg`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(prog="sparsereg",
                                     description="L1, L2 and elastic-net regression.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="L1 vs L2 on the built-in diabetes data")
    demo.add_argument("--alpha-l1", type=float, default=1.0)
    demo.add_argument("--alpha-l2", type=float, default=0.01)

    fit = sub.add_parser(
        "fit", help="fit a penalized linear model to a CSV file and print its coefficients",
        description=FIT_DESCRIPTION,
        epilog=FIT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    fit.add_argument("data", help="CSV file with a header row (delimiter: comma, semicolon "
                                  "or tab, sniffed from the header; see --sep)")
    fit.add_argument("--target", "-t", required=True,
                     help="name of the column to predict; rows where it is missing are "
                          "dropped, with a note of how many")
    fit.add_argument("--drop", action="append", metavar="COL[,COL...]",
                     help="leave these columns out of the features (e.g. an ID column); may "
                          "be repeated")
    fit.add_argument("--sep", metavar="CHAR", help=SEP_HELP)
    fit.add_argument("--impute", choices=("mean", "median", "most_frequent"),
                     help="fill missing feature values (without it they are an error): numeric "
                          "columns with the column's mean, median or most frequent value, text "
                          "columns with the most frequent level; fitted on the training rows "
                          "and saved with the model for 'sparsereg predict'")
    fit.add_argument("--penalty", choices=("l1", "l2", "elasticnet"), default="l1",
                     help="l1 (lasso, selects features), l2 (ridge) or elasticnet "
                          "(default: l1)")
    how = fit.add_mutually_exclusive_group()
    how.add_argument("--alpha", type=float, help="penalty strength (>= 0)")
    how.add_argument("--cv", type=int, metavar="K",
                     help="choose alpha by K-fold cross-validation (the default, with K=5)")
    fit.add_argument("--l1-ratio", type=float,
                     help="L1 share of the elastic-net penalty, in [0, 1] (default: 0.5)")
    fit.add_argument("--selection", choices=("min", "1se"),
                     help="with --cv: the alpha of minimum CV error, or the largest alpha "
                          "within one standard error of it (sparser; default: min)")
    fit.add_argument("--eps", type=float,
                     help="with --cv: ratio of the smallest to the largest alpha of the grid "
                          "(default: 1e-3 for l1 and elasticnet; for l2 the grid spans the "
                          "spectrum of X^T X / n, from near 0 to near least squares)")
    fit.add_argument("--no-standardize", dest="standardize", action="store_false",
                     help="use the numeric columns in their own units")
    fit.add_argument("--tol", type=float, default=1e-4,
                     help="relative duality-gap tolerance of the solver (default: 1e-4)")
    fit.add_argument("--plot", metavar="PATH",
                     help="save the coefficient path (and the CV curve) as an image "
                          "(needs matplotlib)")
    fit.add_argument("--save", metavar="PATH",
                     help="save the fitted model (joblib) for 'sparsereg predict'")
    fit.add_argument("--force", action="store_true", help=FORCE_HELP)
    fit.add_argument("--verbose", "-v", action="store_true",
                     help="progress on stderr (one line per cross-validation fold)")

    predict = sub.add_parser(
        "predict", help="predict a CSV file with a model saved by 'fit --save'",
        description="Predict with a model saved by 'sparsereg fit --save': the CSV is cleaned "
                    "and encoded as the training file was (text values stripped of spaces, the "
                    "same indicator columns, the same --impute). Category levels the model "
                    "was not fitted on get a warning. The model file is a pickle: load only "
                    "files you trust. An existing --output file is replaced only with --force.")
    predict.add_argument("model", metavar="MODEL",
                         help="model file written by 'sparsereg fit --save'")
    predict.add_argument("data", metavar="DATA",
                         help="CSV file with the model's feature columns (the target column "
                              "may be absent); delimiter sniffed as for fit")
    predict.add_argument("--output", "-o", metavar="PATH",
                         help="write the predictions here instead of to stdout")
    predict.add_argument("--sep", metavar="CHAR", help=SEP_HELP)
    predict.add_argument("--ignore-unknown", action="store_true",
                         help="ignore columns the model was not fitted on instead of failing, "
                              "and category levels it was not fitted on without a warning "
                              "(such a level gets 0 in every indicator column)")
    predict.add_argument("--force", action="store_true", help=FORCE_HELP)
    return parser


@contextmanager
def one_line_warnings():
    """Collect warnings during a command and print each distinct one as a single line.

    The default display (file, line, source) is noise to a command-line user, and the CV
    estimators can raise the same ConvergenceWarning once per fold.
    """
    with warnings.catch_warnings(record=True) as caught:  # keeps the active filters
        try:
            yield
        finally:
            seen = set()
            for w in caught:
                first = (str(w.message).strip().splitlines() or [""])[0]
                # the CLI's own warnings are UserWarnings: only other kinds are named
                text = first if w.category is UserWarning else f"{w.category.__name__}: {first}"
                if text not in seen:
                    seen.add(text)
                    print(f"sparsereg: warning: {text}", file=sys.stderr)


def main(argv=None):
    """Entry point of the ``sparsereg`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 for an error in the input (after a one-line message).
    """
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        run_demo(args.alpha_l1, args.alpha_l2)
        return 0
    from ._cli import CLIError, run_fit, run_predict

    command = run_fit if args.command == "fit" else run_predict
    try:
        with one_line_warnings():
            return command(args)
    except CLIError as exc:
        message = " ".join(str(exc).split())  # one line, whatever the message held
        print(f"sparsereg: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `sparsereg predict ... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
