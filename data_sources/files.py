"""File adapter: GeoJSON and CSV shipped with the deployment, read with geopandas/pandas."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources.base import Health
from data_sources.errors import SourceQueryError, SourceUnavailable, map_errors


class FileSource:
    """Reads files under one root folder; paths outside it are refused."""

    kind = "file"

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root.resolve()

    def _resolve(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if self.root not in path.parents and path != self.root:
            raise SourceQueryError(self.name, f"path escapes the data folder (got {relative!r})")
        return path

    def fetch(self, relative: str) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read a .geojson/.json as a GeoDataFrame or a .csv as a DataFrame."""
        path = self._resolve(relative)
        suffix = path.suffix.lower()
        if suffix in (".geojson", ".json", ".csv") and not path.is_file():
            # GDAL reports a missing file as a generic error; say plainly what is missing.
            raise SourceUnavailable(self.name, f"file not found: {path}")
        with map_errors(self.name):
            if suffix in (".geojson", ".json"):
                return gpd.read_file(path)
            if suffix == ".csv":
                return pd.read_csv(path)
        raise SourceQueryError(self.name, f"unsupported file type {suffix!r} (got {relative!r})")

    def health(self) -> Health:
        """Healthy when the root folder exists."""
        ok = self.root.is_dir()
        return Health(self.name, self.kind, ok, str(self.root) if ok else "folder missing")

    def close(self) -> None:
        """Nothing to release."""
