"""PyTorch modules of the networks: architectures (``models``), task heads (``heads``),
losses (``losses``) and the architecture registry (``architectures``, importable without
PyTorch).
"""
