"""benarkah — an Indonesian-first fact-check tipline engine."""

__version__ = "0.1.0"
