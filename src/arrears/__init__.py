"""arrears: an open-source collections platform."""

__version__ = "0.1.0"
