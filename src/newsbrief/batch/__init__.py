"""Batch summarization of archives: local process pool by default, a Dask cluster with ``scheduler=``."""

from newsbrief.batch.jobs import BatchReport, summarize_many
from newsbrief.batch.work import BatchOptions

__all__ = ["BatchOptions", "BatchReport", "summarize_many"]
