"""Theory baselines: virial coefficients, inversions, Ornstein–Zernike, pressure routes."""
