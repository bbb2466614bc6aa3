"""Molecular dynamics engines behind a small protocol."""

from .base import SimulationResult, StatePoint, box_rule
from .protocol import Engine
from .simulate import pressure_tail, simulate

__all__ = ["Engine", "SimulationResult", "StatePoint", "box_rule", "pressure_tail", "simulate"]
