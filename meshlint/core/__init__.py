"""Data types and helpers every layer may import: positioned YAML nodes, did-you-mean."""
