"""The places outbreaks happen: floor plans of buildings (1 m cells) and population rasters of cities.

Exports:
    Cell            the cell codes of a floor plan (`Cell.DOOR_BROKEN`, ...)
    Building        all floors of a building stacked into arrays, with room names
    load_building   parse and check the map files of a building
    parse_floor     parse one map file
    load_population read a population raster (.npy, .csv, .json, .json.gz)
"""

from .floorplan import Building, Cell, load_building, parse_floor
from .raster import load_population

__all__ = ["Building", "Cell", "load_building", "load_population", "parse_floor"]
