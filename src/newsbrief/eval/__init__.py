"""Evaluation against human reference summaries (ROUGE, as in published results)."""

from newsbrief.eval.runner import EvalResult, evaluate, read_eval_rows

__all__ = ["EvalResult", "evaluate", "read_eval_rows"]
