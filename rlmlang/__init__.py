"""rlmlang: a runtime in which a local model writes scripts that are verified before they run."""

__version__ = "0.1.0"
