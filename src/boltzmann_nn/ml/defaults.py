"""Training settings of the shipped models and of the cross-validation studies."""

from .train import TrainConfig

#: Cross-validation study (every variant, 4 folds).
EOS_CV = TrainConfig(epochs=600, lr=1e-3, lr_final=1e-5)
INVERSE_CV = TrainConfig(epochs=600, lr=1e-3, lr_final=1e-5)
#: Final models (train + validation), ensembles of seeds.
EOS_TRAIN = TrainConfig(epochs=4000, lr=1e-3, lr_final=1e-5)
INVERSE_TRAIN = TrainConfig(epochs=4000, lr=1e-3, lr_final=1e-5)
EOS_MEMBERS = 5
INVERSE_MEMBERS = 5
