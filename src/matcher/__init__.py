"""matcher: proposes which status-holder household goes to which dwelling, fairly and explainably."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("matcher")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
