"""The lint rules, one module per code family; importing this package registers them all, in code order."""

from . import effects, determinism, matching, contract, output, composition, restricted  # noqa: I001 - code order

__all__ = ["composition", "contract", "determinism", "effects", "matching", "output", "restricted"]
