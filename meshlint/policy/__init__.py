"""Declarative policies: JSON Schemas resources must satisfy, run as rules."""
