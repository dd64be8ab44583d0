"""The platform-neutral core: events in, replies out, progress in the store."""
