"""Egress: ServiceEntry coverage and usage, the egress gateway pattern, and sidecar
traffic interception."""
