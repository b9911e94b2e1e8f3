from __future__ import annotations

import numpy as np
import pytest

from helpline.directory.geo import centroids_in, distances_km
from tests.conftest import PROJECT_ROOT

CENTROIDS = centroids_in(str(PROJECT_ROOT / "data"))


@pytest.mark.parametrize("text", ["DN15", "dn15 6", "DN15 6AB", "TRANSPORT DN15 6", "dn156ab"])
def test_postcodes_sectors_and_districts_find_their_district(text: str) -> None:
    found = CENTROIDS.find(text)
    assert found is not None and found.outcode == "DN15"


def test_unknown_districts_and_plain_numbers_are_not_postcodes() -> None:
    assert CENTROIDS.find("SHORTBREAKS 12") is None
    assert CENTROIDS.locate("ZZ99") is None
    assert CENTROIDS.locate(None) is None


def test_distances_are_great_circle_kilometres() -> None:
    scunthorpe = CENTROIDS.table["DN15"]
    lincoln = CENTROIDS.table["LN1"]
    (km,) = distances_km(*scunthorpe, np.array([lincoln[0]]), np.array([lincoln[1]]))
    assert 35 < km < 45
