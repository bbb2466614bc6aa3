"""Default file locations, stated once (relative to the working directory: a checkout of
the repository, where ``data/`` holds the campaign stores and the dataset built from them).
"""

#: The dataset the shipped networks were trained on, and the default of every command and
#: study that reads a dataset (train, evaluate, dataset stats, report).
DEFAULT_DATA = "data/v2.h5"

#: The campaign stores :data:`DEFAULT_DATA` was built from.
DEFAULT_STORES = ("data/store-default", "data/store-v2")
