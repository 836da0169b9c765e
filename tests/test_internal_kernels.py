"""Kernels compiled without a Python entry point (``kernel(internal=True)``, see
``sparsereg/_kernels/_jit.py``) are for other kernels only: called from Python they raise a
TypeError (instead of jumping into a wrapper that was never compiled), and no module outside
the kernels imports one."""

import ast
import importlib
from pathlib import Path

import numpy as np
import pytest

import sparsereg
from sparsereg._kernels import _jit, _linalg

PACKAGE = Path(sparsereg.__file__).parent


def test_an_internal_kernel_called_from_python_raises():
    with pytest.raises(TypeError, match="internal sparsereg kernel"):
        _linalg.psd_solve(np.eye(2), np.ones(2))


def test_no_module_outside_the_kernels_imports_an_internal_kernel():
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_kernels" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module
                    and "_kernels." in node.module):
                continue
            module = importlib.import_module(
                "sparsereg._kernels." + node.module.split("_kernels.")[-1])
            for alias in node.names:
                imported = getattr(module, alias.name)
                assert not isinstance(imported, _jit.InternalKernel), (
                    f"{path.relative_to(PACKAGE.parent)} imports {alias.name}, an internal "
                    "kernel: drop its internal=True to call it from Python")
                checked += 1
    assert checked >= 20, checked
