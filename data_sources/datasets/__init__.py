"""Every ingest dataset, listed explicitly; a new domain adds its module here."""

from data_sources.datasets import environment
from data_sources.datasets.base import Dataset, metadata

DATASETS: dict[str, Dataset] = {d.name: d for d in (*environment.DATASETS,)}

__all__ = ["DATASETS", "Dataset", "metadata"]
