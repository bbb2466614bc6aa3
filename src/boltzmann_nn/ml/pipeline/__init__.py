"""One training pipeline for every task: dataset arrays, the training loop, cross-validation
studies, final models with their assessment, metrics, evaluation and report figures.
"""
