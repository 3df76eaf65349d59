"""The package version (kept here so importing it reads no metadata file)."""

__version__ = "0.1.0"
