"""The package version, importable without importing the rest of parareel."""

__version__ = "0.1.0"
