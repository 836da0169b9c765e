"""Where ``sparsereg fit`` and ``predict`` write: checked before any work, replaced atomically.

An output may never be one of the command's inputs (``predict m.joblib d.csv -o d.csv`` would
destroy the data it reads), not even with ``--force``; an existing output is replaced only with
``--force``. Files are written under a temporary name in the same directory and moved into
place in one step, so an interrupted run leaves the old file or the new one, never half of one.
"""

import os
import secrets
import stat
from contextlib import contextmanager


class CLIError(Exception):
    """An error in the user's input or files: reported in one line, never as a traceback."""


def same_file(a, b):
    """Whether two paths name one file: aliases (``./d.csv``, symlinks, hard links) included.

    Parameters
    ----------
    a, b : str

    Returns
    -------
    bool
    """
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet): compare the names with symlinks resolved
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def check_outputs(outputs, inputs, force):
    """Refuse, before any work, an output that would destroy an input or an existing file.

    Parameters
    ----------
    outputs : list of (str, str or None)
        ``(option, path)`` of each file the command will write; ``None`` paths are skipped.
    inputs : list of (str, str)
        ``(description, path)`` of each file the command reads, e.g. ``("data file", p)``.
    force : bool
        Whether ``--force`` was given: existing outputs may then be replaced (inputs never).

    Raises
    ------
    CLIError
        Naming the option and the path.
    """
    outputs = [(option, path) for option, path in outputs if path]
    for i, (option, path) in enumerate(outputs):
        for what, source in inputs:
            if same_file(path, source):
                raise CLIError(f"{option} {path} is the {what} {source}: refusing to overwrite "
                               f"an input file, even with --force")
        for other, earlier in outputs[:i]:
            if same_file(path, earlier):
                raise CLIError(f"{option} {path} is the same file as {other} {earlier}: give "
                               f"them different paths")
        if os.path.isdir(path):
            raise CLIError(f"{option} {path} is a directory, not a file name")
        folder = os.path.dirname(os.path.realpath(path))
        if not os.path.isdir(folder):
            raise CLIError(f"{option} {path}: directory {folder} does not exist")
        if not os.access(folder, os.W_OK):
            raise CLIError(f"{option} {path}: directory {folder} is not writable")
        if os.path.lexists(path) and not force:
            raise CLIError(f"{option} {path} already exists; pass --force to overwrite it")


@contextmanager
def replaced_atomically(path):
    """A temporary path next to ``path``, moved onto it only when the block succeeds.

    The temporary name ends with the file's own name, so whatever the writer infers from the
    extension (image format, joblib or pandas compression) is unchanged. A symlink is written
    through, as ``open(path, "w")`` would, not replaced by a file.

    Parameters
    ----------
    path : str
        The output file.

    Yields
    ------
    str
        The path to write to.
    """
    target = os.path.realpath(path)
    folder, name = os.path.split(target)
    while True:
        tmp = os.path.join(folder, f".tmp-{secrets.token_hex(4)}-{name}")
        try:  # O_EXCL: never reuse a file someone else created; 0o666 lets the umask apply
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:
            continue
    try:
        if os.path.exists(target):  # keep the permissions of the file being replaced
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        yield tmp
        os.replace(tmp, target)
    except BaseException:  # an interrupt (Ctrl-C) too: leave no temporary file behind
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
