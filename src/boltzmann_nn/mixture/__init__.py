"""Mixtures of several species: the system, MD, refinement."""
