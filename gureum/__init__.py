"""gureum: AWS application-integration services on your own machine."""

__version__ = "0.1.0"
