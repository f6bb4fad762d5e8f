"""Tests of :mod:`satellite_butler.cli` against the real ``satellite`` binary.

``scripts/test`` builds the binary and exports ``SATELLITE_BIN`` before running pytest.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import satellite_butler
from satellite_butler import cli


def test_version_matches_the_package() -> None:
    assert os.environ.get(cli.BIN_ENV), "scripts/test exports SATELLITE_BIN"
    result = cli.run(["--version"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["satellite", satellite_butler.__version__]


def test_binary_is_found_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    binary = Path(os.environ[cli.BIN_ENV]).absolute()
    monkeypatch.delenv(cli.BIN_ENV)
    monkeypatch.setenv("PATH", str(binary.parent))
    assert cli.find_binary() == str(binary)


def test_missing_binary_names_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-satellite"
    monkeypatch.setenv(cli.BIN_ENV, str(missing))
    with pytest.raises(cli.SatelliteNotFoundError, match="SATELLITE_BIN") as raised:
        cli.run(["--version"])
    assert str(missing) in str(raised.value)


def test_not_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(cli.BIN_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(cli.SatelliteNotFoundError, match="not on `PATH`"):
        cli.find_binary()
