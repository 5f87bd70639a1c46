"""Notes on incidents."""
