"""Pair potentials: analytic functions, the paper's random generator, tables."""
