"""Stateful, spec-driven mock servers of the SoPost and Poplar APIs."""
