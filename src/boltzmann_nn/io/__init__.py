"""Readers and writers of potentials and g(r) files."""
