"""Satellite Butler for Python: drive the ``satellite`` command line from scripts and notebooks.

The Python client, the notebook widgets and the JupyterLab extension will live here; today the
package offers :func:`satellite_butler.cli.run`.
"""

from importlib.metadata import version as _version

__version__: str = _version("satellite-butler")

__all__ = ["__version__"]
