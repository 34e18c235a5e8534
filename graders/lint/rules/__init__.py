"""The lint rules, one module per code family; importing this package registers them all."""

from . import composition, contract, determinism, effects, matching, output, restricted

__all__ = ["composition", "contract", "determinism", "effects", "matching", "output", "restricted"]
