"""meshlint: a static linter for Istio service-mesh configuration."""

__version__ = "0.1.0"
