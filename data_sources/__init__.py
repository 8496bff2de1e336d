"""Data adapters behind small protocols, the ingest path, datasets, simulator and hub."""
