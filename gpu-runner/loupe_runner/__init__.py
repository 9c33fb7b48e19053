"""Loupe gpu-runner: lease -> materialise -> train -> export -> upload."""
