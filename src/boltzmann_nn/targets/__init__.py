"""Refinement targets from an atomistic trajectory: beads mapped from atoms (MDAnalysis),
every partial g_ij(r) with block errors, densities, mole fractions and a refinement spec.
"""
