"""Reading the CSV files of ``sparsereg fit`` and ``predict``: the delimiter, the columns.

The delimiter is sniffed from the header line (``--sep`` overrides it), column names lose
surrounding spaces, and a file that cannot be what the user meant (a model file, rows longer
than the header, a target missing from the header) gets a one-line
:class:`~sparsereg._cli_files.CLIError` that says how to fix it. The messages' helpers live
here too, for ``_cli_data`` and ``_cli``.
"""

import csv
import difflib
import os
import sys
import warnings

from ._cli_files import CLIError

SNIFFED = ",;\t"  # the delimiters tried on the header line
DELIMITERS = ",;\t|"  # the ones an error message points out when a header holds them
SEP_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def first_line(exc):
    """The first non-empty line of an exception's message (pandas' messages span several).

    Parameters
    ----------
    exc : BaseException

    Returns
    -------
    str
        The exception's type name when its message is empty.
    """
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def names_list(columns, limit=8):
    """``'a', 'b', ... (and 3 more)``: column lists in messages stay one short line.

    Parameters
    ----------
    columns : iterable
        Column names (shown with ``repr`` of their ``str``).
    limit : int, default=8
        How many are shown.

    Returns
    -------
    str
    """
    columns = list(columns)
    shown = ", ".join(repr(str(c)) for c in columns[:limit])
    return shown + (f" (and {len(columns) - limit} more)" if len(columns) > limit else "")


def show_sep(sep):
    """How a delimiter is written in messages: ``';'``, or ``tab`` (a ``'\\t'`` would puzzle).

    Parameters
    ----------
    sep : str
        One character.

    Returns
    -------
    str
    """
    return "tab" if sep == "\t" else repr(sep)


def notice(message):
    """One ``sparsereg: note: ...`` line on stderr: a cleaning step the user should know of.

    Parameters
    ----------
    message : str
        One line.
    """
    print(f"sparsereg: note: {message}", file=sys.stderr)


def parse_sep(text):
    """The delimiter given to ``--sep``: one character, or ``tab`` / ``\\t`` for a tab.

    Parameters
    ----------
    text : str or None
        The option's value.

    Returns
    -------
    str or None
        None when ``--sep`` was not given (the delimiter is then sniffed).
    """
    if text is None:
        return None
    sep = SEP_NAMES.get(text.lower(), text)
    if len(sep) != 1 or sep in "\"\r\n":
        raise CLIError(f"--sep must be one character such as ',' ';' '|' or the word tab, "
                       f"got {text!r}")
    return sep


def sniff_sep(path):
    """The delimiter of a CSV file: :class:`csv.Sniffer` on its header line.

    Only the header is read: column names rarely hold a delimiter, while data rows may (a
    decimal comma in a ';'-separated file). A single column sniffs as nothing: comma.

    Parameters
    ----------
    path : str

    Returns
    -------
    str
        One of ``,`` ``;`` and a tab.
    """
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        header = f.readline()
    try:
        return csv.Sniffer().sniff(header, delimiters=SNIFFED).delimiter
    except csv.Error:
        return ","


def _kind_of_file(path):
    """``"pickle"`` (what joblib writes), ``"binary"`` or ``"text"`` (in any encoding), from
    the first bytes."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:1] == b"\x80" or head[:2] in (b"\x78\x9c", b"\x1f\x8b"):  # pickle, zlib, gzip
        return "pickle"
    controls = sum(b < 9 or 13 < b < 32 for b in head)  # tab, newlines, form feed are text
    return "binary" if b"\x00" in head or controls > 0.05 * len(head) else "text"


def looks_like_csv(path):
    """Whether a file starts as text: what a model file (a pickle) never does.

    Parameters
    ----------
    path : str
        An existing file.

    Returns
    -------
    bool
    """
    return _kind_of_file(path) == "text"


def read_csv(path, sep=None):
    """Read a CSV file into a DataFrame, or raise :class:`CLIError` saying why not.

    Parameters
    ----------
    path : str
        The file.
    sep : str, optional
        The delimiter; sniffed from the header line when None.

    Returns
    -------
    frame : pandas.DataFrame
        At least one row and one column; column names stripped of surrounding spaces.
    sep : str
        The delimiter used.
    """
    try:
        import pandas as pd
    except ImportError:
        raise CLIError("reading CSV files needs pandas, which is not installed: "
                       "pip install pandas") from None
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{path} is a directory, not a CSV file")
    kind = _kind_of_file(path) if os.path.getsize(path) > 0 else "text"
    if kind == "pickle":
        raise CLIError(f"{path} is not a CSV file: it looks like a model file (a pickle), "
                       f"which 'sparsereg predict' reads as its first argument")
    if kind == "binary":
        raise CLIError(f"cannot read {path} as CSV: it is a binary file, not text")
    if sep is None:
        sep = sniff_sep(path)
    try:
        with warnings.catch_warnings():
            # index_col=False: rows longer than the header are not silently read as an index
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, sep=sep, index_col=False)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path} is empty") from None
    except pd.errors.ParserWarning:
        raise CLIError(f"cannot read {path} as CSV: some rows have more fields than the header "
                       f"(delimiter {show_sep(sep)}; pass --sep if that is not it)") from None
    except UnicodeDecodeError as exc:
        raise CLIError(f"cannot read {path} as CSV: it is not UTF-8 text (it holds the byte "
                       f"{exc.object[exc.start]:#x}); save it as UTF-8") from None
    except (OSError, ValueError) as exc:  # ParserError is a ValueError
        raise CLIError(f"cannot read {path} as CSV: {first_line(exc)}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    repeated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if repeated:
        raise CLIError(f"{path} has more than one column named {names_list(repeated)}")
    if frame.shape[0] == 0:
        raise CLIError(f"{path} has a header but no data rows")
    return frame, sep


def check_target_column(frame, target, path, sep):
    """:class:`CLIError` when the target is not a column, with a hint when the header holds
    another delimiter (a ';'-separated file read with ',' has one long column name).

    Parameters
    ----------
    frame : pandas.DataFrame
    target : str
    path : str
    sep : str
        The delimiter the file was read with.
    """
    if target in frame.columns:
        return
    message = (f"target column {target!r} not found in {path}; its columns are "
               f"{names_list(frame.columns)}")
    others = [d for d in DELIMITERS if d != sep and any(d in c for c in frame.columns)]
    if others:
        message += (f". The file was read with the delimiter {show_sep(sep)} but its header "
                    f"holds {show_sep(others[0])}: if that separates the columns, pass "
                    f"--sep {show_sep(others[0])}")
    else:
        message += _close_matches(target, frame.columns)
    raise CLIError(message)


def _close_matches(name, columns):
    """`` (close matches: 'ID')`` for a mistyped column name, case ignored, or ``""``."""
    lower = {str(c).lower(): str(c) for c in columns}
    close = difflib.get_close_matches(name.lower(), list(lower), n=3, cutoff=0.6)
    return f" (close matches: {names_list(lower[c] for c in close)})" if close else ""


def columns_to_drop(values, frame, target, path):
    """The columns named by ``--drop`` (each value one name or a comma-separated list).

    Parameters
    ----------
    values : list of str or None
        The ``--drop`` values, in order.
    frame : pandas.DataFrame
    target : str
    path : str

    Returns
    -------
    list of str
    """
    dropped, unknown = [], []
    for value in values or []:
        # a column whose own name holds a comma is named whole
        for name in [value] if value in frame.columns else value.split(","):
            name = name.strip()
            if name not in frame.columns:
                unknown.append(f"{name!r}{_close_matches(name, frame.columns)}")
            elif name == target:
                raise CLIError(f"--drop {name!r} is the target column")
            elif name not in dropped:
                dropped.append(name)
    if unknown:
        raise CLIError(f"--drop: {path} has no column {', '.join(unknown)}; its columns are "
                       f"{names_list(frame.columns)}")
    return dropped
