"""Run folders: where results are written, never overwriting a user's files without asking."""

from .folders import prepare_run_folder

__all__ = ["prepare_run_folder"]
