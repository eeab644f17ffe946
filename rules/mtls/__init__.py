"""Mutual TLS consistency between PeerAuthentications, DestinationRules and
AuthorizationPolicies."""
