"""PyTorch modules of the networks: architectures (``models``), task heads (``heads``),
losses (``losses``), and, importable without PyTorch, the architecture registry
(``architectures``) and the EOS output heads by name (``eos_heads``).
"""
