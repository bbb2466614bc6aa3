"""Closing the loop with MD: validate a potential against a target g(r), and refine it
(iterative Boltzmann inversion, or Newton steps with the HNC Jacobian) until the
simulated g(r) matches the target within its statistical error.
"""
