"""The version of embedlab (read by hatchling and by ``embedlab --version``)."""

__version__ = "0.1.0"
