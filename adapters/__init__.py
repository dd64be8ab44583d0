"""Adapters translate between a platform and the core's neutral events and replies."""
