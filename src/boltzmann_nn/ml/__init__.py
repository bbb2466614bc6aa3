"""Neural networks of the paper: U(r) -> equation of state, g(r) -> U(r).

The package is arranged by role:

* ``tasks/``: what one network's job is: its configuration, inputs, targets, loss,
  metrics, baselines and report (``eos``, ``inverse``), and the registry of tasks by name.
* ``nets/``: the PyTorch modules (architectures, heads, losses) and the registry of
  architectures.
* ``pipeline/``: the dataset arrays, the training loop, cross-validation studies, the
  final models' training and assessment, metrics and report figures — one pipeline
  that takes a task.
* ``serving/``: the shipped models: cards and weights, NumPy inference, predictions.
  Nothing there imports PyTorch.
"""
