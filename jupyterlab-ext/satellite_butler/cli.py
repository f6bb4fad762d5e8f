"""Run the ``satellite`` binary as a subprocess.

The binary is taken from the ``SATELLITE_BIN`` environment variable when it is set, otherwise
from ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

__all__ = ["SatelliteNotFoundError", "find_binary", "run"]

#: Environment variable naming the ``satellite`` executable to run.
BIN_ENV = "SATELLITE_BIN"


class SatelliteNotFoundError(FileNotFoundError):
    """The ``satellite`` executable could not be located."""


def find_binary() -> str:
    """Return the path of the ``satellite`` executable.

    Raises:
        SatelliteNotFoundError: ``SATELLITE_BIN`` names no executable file, or it is unset and
            ``satellite`` is not on ``PATH``.
    """
    configured = os.environ.get(BIN_ENV)
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        raise SatelliteNotFoundError(
            f"`{BIN_ENV}` is `{configured}`, which is not an executable file\n"
            f"hint: build it with `cargo build -p satellite` and point `{BIN_ENV}` at "
            "`target/debug/satellite`"
        )
    found = shutil.which("satellite")
    if found is None:
        raise SatelliteNotFoundError(
            "`satellite` is not on `PATH`\n"
            f"hint: install it with `cargo install --path native-server`, or set `{BIN_ENV}`"
        )
    return found


def run(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run ``satellite`` with ``args`` and return its exit code, stdout and stderr as text.

    A non-zero exit code is not an exception: callers inspect ``returncode`` (see the exit-code
    table in ``satellite --help``).

    Raises:
        SatelliteNotFoundError: the binary cannot be located (see :func:`find_binary`).
    """
    return subprocess.run(
        [find_binary(), *args],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
