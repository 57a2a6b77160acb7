"""The municipalities a generated instance is set in: the real U16 region and a synthetic Netherlands.

The U16 table holds the sixteen municipalities of the Utrecht housing region with their CBS codes, rounded
population figures of about 2026 and the centre of their main town(s); they are approximate, good enough to
make targets, distances and school reach realistic, not a statistical source. The national preset needs
about 340 municipalities; rather than ship a table of real ones, ``netherlands()`` synthesises them once
from a fixed seed (the same country for every instance seed): Dutch-sounding names, codes GM0001..,
centroids on land inside a rough outline of the country and a skewed population summing to 18 million,
with the twenty largest towns where the real large cities are.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matcher.facts import haversine_km

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

KM_PER_DEGREE_LATITUDE = 111.2


@dataclass(frozen=True)
class Region:
    """Municipalities (parallel arrays in a fixed order) and the reception centres (AZCs) households come from."""

    name: str
    codes: list[str]
    names: list[str]
    population: IntArray
    lat: FloatArray
    lon: FloatArray
    reception_lat: FloatArray
    reception_lon: FloatArray

    def __len__(self) -> int:
        return len(self.codes)

    def subset(self, indices: IntArray) -> Region:
        """The same region restricted to some municipalities, in the given order; reception centres are kept."""
        picked = [int(i) for i in indices]
        return Region(
            name=self.name,
            codes=[self.codes[i] for i in picked],
            names=[self.names[i] for i in picked],
            population=self.population[picked],
            lat=self.lat[picked],
            lon=self.lon[picked],
            reception_lat=self.reception_lat,
            reception_lon=self.reception_lon,
        )


def offset_km(lat: FloatArray, lon: FloatArray, north_km: FloatArray, east_km: FloatArray) -> tuple[FloatArray,
                                                                                                      FloatArray]:
    """Move points by kilometres north and east; flat-earth is exact enough over a few kilometres."""
    new_lat = lat + north_km / KM_PER_DEGREE_LATITUDE
    new_lon = lon + east_km / (KM_PER_DEGREE_LATITUDE * np.cos(np.radians(lat)))
    return new_lat, new_lon


# --- U16: the Utrecht housing region --------------------------------------------------------------------

# (CBS code, name, inhabitants about 2026, latitude, longitude of the main town(s))
U16_MUNICIPALITIES: tuple[tuple[str, str, int, float, float], ...] = (
    ("GM0344", "Utrecht", 380_000, 52.0907, 5.1214),
    ("GM0356", "Nieuwegein", 66_000, 52.0292, 5.0831),
    ("GM0355", "Zeist", 66_500, 52.0906, 5.2331),
    ("GM1904", "Stichtse Vecht", 66_000, 52.1750, 5.0200),
    ("GM1961", "Vijfheerenlanden", 59_000, 51.9450, 5.0600),
    ("GM0632", "Woerden", 53_000, 52.0860, 4.8836),
    ("GM0321", "Houten", 51_000, 52.0286, 5.1686),
    ("GM1581", "Utrechtse Heuvelrug", 50_500, 52.0300, 5.3600),
    ("GM0736", "De Ronde Venen", 45_500, 52.2250, 4.9000),
    ("GM0310", "De Bilt", 44_500, 52.1350, 5.1800),
    ("GM0353", "IJsselstein", 35_000, 52.0197, 5.0428),
    ("GM0352", "Wijk bij Duurstede", 24_000, 51.9747, 5.3444),
    ("GM0312", "Bunnik", 15_800, 52.0670, 5.1980),
    ("GM0331", "Lopik", 14_900, 51.9728, 4.9453),
    ("GM0335", "Montfoort", 14_300, 52.0462, 4.9526),
    ("GM0589", "Oudewater", 10_500, 52.0253, 4.8684),
)

# Illustrative reception-centre locations in and around the region (not an official list).
U16_RECEPTION_CENTRES: tuple[tuple[float, float], ...] = ((52.0780, 5.0730), (52.1200, 5.2630), (52.0100, 5.4280))


@functools.cache
def u16() -> Region:
    codes, names, population, lat, lon = zip(*U16_MUNICIPALITIES, strict=True)
    reception_lat, reception_lon = zip(*U16_RECEPTION_CENTRES, strict=True)
    return Region(
        name="U16",
        codes=list(codes),
        names=list(names),
        population=np.array(population, dtype=np.int64),
        lat=np.array(lat, dtype=np.float64),
        lon=np.array(lon, dtype=np.float64),
        reception_lat=np.array(reception_lat, dtype=np.float64),
        reception_lon=np.array(reception_lon, dtype=np.float64),
    )


# --- a synthetic Netherlands -----------------------------------------------------------------------------

NETHERLANDS_SEED = 2026  # fixed: the synthetic country is the same for every instance seed
NETHERLANDS_MUNICIPALITIES = 342
NETHERLANDS_POPULATION = 18_000_000
NETHERLANDS_RECEPTION_CENTRES = 30
SMALLEST_MUNICIPALITY = 1_000
LARGEST_TOWN_OUTSIDE_CITIES = 150_000
MIN_CENTROID_SPACING_KM = 4.0

# Where the twenty largest municipalities lie, with their rough size (the names stay synthetic).
LARGE_TOWNS: tuple[tuple[float, float, int], ...] = (
    (52.370, 4.900, 935_000), (51.920, 4.480, 675_000), (52.075, 4.300, 570_000), (52.090, 5.120, 380_000),
    (51.440, 5.480, 245_000), (53.220, 6.570, 240_000), (52.370, 5.210, 227_000), (51.560, 5.090, 226_000),
    (51.590, 4.780, 186_000), (51.840, 5.860, 183_000), (51.980, 5.910, 166_000), (52.380, 4.640, 165_000),
    (52.220, 6.890, 162_000), (52.155, 5.390, 160_000), (51.690, 5.300, 160_000), (52.510, 6.090, 132_000),
    (52.160, 4.490, 127_000), (53.200, 5.800, 126_000), (50.850, 5.690, 122_000), (51.810, 4.670, 121_000),
)

# A rough outline of the mainland (longitude, latitude), clockwise from Zeeuws-Vlaanderen.
NETHERLANDS_OUTLINE: tuple[tuple[float, float], ...] = (
    (3.37, 51.37), (3.85, 51.21), (4.25, 51.37), (4.78, 51.43), (5.05, 51.48), (5.50, 51.28), (5.80, 51.15),
    (5.62, 50.75), (6.02, 50.75), (6.10, 51.10), (6.20, 51.50), (5.95, 51.80), (6.40, 51.85), (6.83, 51.98),
    (7.07, 52.23), (7.05, 52.40), (6.70, 52.55), (7.07, 52.85), (7.20, 53.25), (6.90, 53.45), (6.20, 53.40),
    (5.60, 53.30), (5.40, 53.10), (4.75, 52.95), (4.55, 52.45), (4.40, 52.20), (4.05, 51.95), (3.70, 51.70),
    (3.45, 51.55),
)
# The IJsselmeer and the Markermeer as ellipses (centre lon, centre lat, half-width lon, half-height lat).
NETHERLANDS_LAKES: tuple[tuple[float, float, float, float], ...] = ((5.35, 52.82, 0.22, 0.16),
                                                                    (5.17, 52.52, 0.12, 0.10))

NAME_PREFIXES = ("Oost", "West", "Noord", "Zuid", "Nieuw", "Oud", "Groot", "Klein")
NAME_STEMS = ("Aar", "Bo", "Bree", "Dal", "Ee", "El", "Gel", "Har", "Hul", "Hoog", "Kam", "Lan", "Leer", "Mid",
              "Nun", "Olde", "Ree", "Ros", "Sle", "Ter", "Val", "Wes", "Zwa", "Ber", "Dor", "Gor", "Hil", "Mar",
              "Wa", "Bun", "Ens", "Lo", "Ves", "Wer")
NAME_ENDINGS = ("broek", "dam", "dijk", "veen", "wijk", "hoven", "horst", "lo", "beek", "berg", "woude", "meer",
                "zand", "sum", "ingen", "huizen", "voort", "drecht", "rade", "sel", "hout", "kerk", "mond", "ooij")
PREFIXED_NAME_SHARE = 0.15


def on_land(lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
    """Inside the rough outline and outside the big lakes (vectorised ray casting)."""
    outline = np.array(NETHERLANDS_OUTLINE)
    x1, y1 = outline[:, 0], outline[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    px, py = lon[:, None], lat[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):  # horizontal edges never straddle py anyway
        crosses = ((y1 > py) != (y2 > py)) & (px < x1 + (py - y1) * (x2 - x1) / (y2 - y1))
    inside = crosses.sum(axis=1) % 2 == 1
    for centre_lon, centre_lat, half_lon, half_lat in NETHERLANDS_LAKES:
        inside &= ((lon - centre_lon) / half_lon) ** 2 + ((lat - centre_lat) / half_lat) ** 2 > 1.0
    return inside


def _spread_centroids(rng: np.random.Generator, fixed_lat: FloatArray, fixed_lon: FloatArray,
                      count: int) -> tuple[FloatArray, FloatArray]:
    """``count`` points on land, none closer than the minimum spacing to another point (fixed ones included)."""
    outline = np.array(NETHERLANDS_OUTLINE)
    lat, lon = list(fixed_lat), list(fixed_lon)
    while len(lat) < len(fixed_lat) + count:
        cand_lon = rng.uniform(outline[:, 0].min(), outline[:, 0].max(), 256)
        cand_lat = rng.uniform(outline[:, 1].min(), outline[:, 1].max(), 256)
        keep = on_land(cand_lon, cand_lat)
        for c_lat, c_lon in zip(cand_lat[keep], cand_lon[keep], strict=True):
            if len(lat) == len(fixed_lat) + count:
                break
            if haversine_km(np.array(lat), np.array(lon), c_lat, c_lon).min() >= MIN_CENTROID_SPACING_KM:
                lat.append(float(c_lat))
                lon.append(float(c_lon))
    return np.array(lat[len(fixed_lat):]), np.array(lon[len(fixed_lon):])


def _synthetic_names(rng: np.random.Generator, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = str(rng.choice(NAME_STEMS)) + str(rng.choice(NAME_ENDINGS))
        if rng.random() < PREFIXED_NAME_SHARE:
            name = f"{rng.choice(NAME_PREFIXES)} {name}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _skewed_populations(rng: np.random.Generator, rest: int) -> IntArray:
    """Large towns as listed, the rest log-normal, scaled so the country sums to exactly 18 million."""
    large = np.array([town[2] for town in LARGE_TOWNS], dtype=np.int64)
    budget = NETHERLANDS_POPULATION - int(large.sum())
    raw = np.clip(rng.lognormal(mean=np.log(30_000), sigma=0.75, size=rest), SMALLEST_MUNICIPALITY,
                  LARGEST_TOWN_OUTSIDE_CITIES)
    others = np.maximum(SMALLEST_MUNICIPALITY, np.round(raw * budget / raw.sum())).astype(np.int64)
    others[np.argmax(others)] += budget - int(others.sum())  # exact total; the biggest absorbs rounding
    return np.concatenate([large, others])


@functools.cache
def netherlands() -> Region:
    """The synthetic national region, identical on every call."""
    rng = np.random.default_rng(NETHERLANDS_SEED)
    large_lat = np.array([town[0] for town in LARGE_TOWNS])
    large_lon = np.array([town[1] for town in LARGE_TOWNS])
    rest = NETHERLANDS_MUNICIPALITIES - len(LARGE_TOWNS)
    rest_lat, rest_lon = _spread_centroids(rng, large_lat, large_lon, rest)
    population = _skewed_populations(rng, rest)
    reception = np.sort(rng.choice(NETHERLANDS_MUNICIPALITIES, size=NETHERLANDS_RECEPTION_CENTRES, replace=False))
    lat, lon = np.concatenate([large_lat, rest_lat]), np.concatenate([large_lon, rest_lon])
    names = _synthetic_names(rng, NETHERLANDS_MUNICIPALITIES)
    alphabetical = np.array(sorted(range(NETHERLANDS_MUNICIPALITIES), key=names.__getitem__))  # codes follow names
    return Region(
        name="NL",
        codes=[f"GM{i:04d}" for i in range(1, NETHERLANDS_MUNICIPALITIES + 1)],
        names=[names[i] for i in alphabetical],
        population=population[alphabetical],
        lat=lat[alphabetical],
        lon=lon[alphabetical],
        reception_lat=lat[reception],
        reception_lon=lon[reception],
    )
