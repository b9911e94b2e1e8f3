"""UK postcodes to places: postcode-district centroids and distances between them."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

EARTH_RADIUS_KM = 6371.0088

# Outward code (district), then optionally the inward code or just its sector digit.
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*([0-9])([A-Z]{2})?)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class PostcodeMatch:
    """A postcode or district found in text: the district, and where it stood."""

    outcode: str
    start: int
    end: int


class Centroids:
    """Postcode district -> (latitude, longitude), from the shipped OGL table."""

    def __init__(self, table: dict[str, tuple[float, float]]) -> None:
        self.table = table

    def find(self, text: str) -> PostcodeMatch | None:
        """The first known UK postcode, sector or district in the text."""
        return next((found for found in _districts(text) if found.outcode in self.table), None)

    def unknown(self, text: str) -> str | None:
        """The first district in the text shaped like a postcode's that isn't a real one."""
        return next((found.outcode for found in _districts(text)
                     if found.outcode not in self.table), None)

    def locate(self, text: str | None) -> tuple[float, float] | None:
        """The centroid of the district of a postcode, sector or district, or None."""
        if not text:
            return None
        found = self.find(text.strip())
        return self.table[found.outcode] if found else None


def _districts(text: str) -> Iterator[PostcodeMatch]:
    """Everything in the text shaped like a postcode, sector or district, known or not."""
    for match in _POSTCODE.finditer(text):
        yield PostcodeMatch(match.group(1).upper(), match.start(), match.end())


@lru_cache(maxsize=4)
def load_centroids(path: str) -> Centroids:
    """Read the outcode centroid CSV once per process."""
    table: dict[str, tuple[float, float]] = {}
    with Path(path).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table[row["outcode"].strip().upper()] = (float(row["lat"]), float(row["lon"]))
    return Centroids(table)


@lru_cache(maxsize=4)
def centroids_in(data_dir: str) -> Centroids:
    """The centroid table shipped in a data folder (asked for on every text: the path is
    worked out once, not by pathlib each time)."""
    return load_centroids(str(Path(data_dir) / "geo" / "gb-outcode-centroids.csv"))


def distances_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances from one point to many (NaN where a position is unknown)."""
    phi1, phi2 = math.radians(lat), np.radians(lats)
    dphi = phi2 - phi1
    dlambda = np.radians(lons) - math.radians(lon)
    a = np.sin(dphi / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
