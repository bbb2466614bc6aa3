"""Studies that measure the project against the paper: each regenerates a report folder."""
