"""Simulation campaigns: specs, a resumable store, Dask execution, dataset files."""
