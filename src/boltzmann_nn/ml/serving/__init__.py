"""The shipped models at work, without PyTorch: model cards and safetensors weights
(``zoo``), NumPy forward passes (``numpy_nets``), predictions (``predict``) and their
results (``results``).
"""
