"""Training settings of the shipped models and of the cross-validation studies.

Sized for a 2-core CPU: the study trains 4 folds × ~130 variants, so each cross-validation
run is short; the shipped models train longer, as a committee of one member per fold
(each stopping early on the fold it leaves out).
"""

from .train import TrainConfig

#: Cross-validation study (every variant, 4 folds).
EOS_CV = TrainConfig(epochs=200, lr=1e-3, lr_final=1e-5)
INVERSE_CV = TrainConfig(epochs=200, lr=1e-3, lr_final=1e-5)
#: Final models (train + validation).
EOS_TRAIN = TrainConfig(epochs=2000, lr=1e-3, lr_final=1e-5)
INVERSE_TRAIN = TrainConfig(epochs=2000, lr=1e-3, lr_final=1e-5)
