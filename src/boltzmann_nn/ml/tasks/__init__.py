"""The networks' tasks: each module holds what one task does differently (configuration,
inputs, targets, loss, metrics, baselines, report); ``registry`` names them. Importing a
task does not import PyTorch: the network is built only when asked for.
"""
