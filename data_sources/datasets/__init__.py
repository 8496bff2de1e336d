"""Every ingest dataset, listed explicitly; a new domain adds one import and one tuple entry."""

from data_sources.datasets import cases, emergency, environment, public_safety, traffic
from data_sources.datasets.base import Dataset, metadata

_DOMAINS = (
    cases,
    emergency,
    environment,
    public_safety,
    traffic,
)

DATASETS: dict[str, Dataset] = {d.name: d for m in _DOMAINS for d in m.DATASETS}

__all__ = ["DATASETS", "Dataset", "metadata"]
