"""Neural networks of the paper (PyTorch): U(r) -> equation of state, g(r) -> U(r)."""
