"""Molecular dynamics engines behind a small protocol."""
