"""Write the Hyosan city map (src/hyosan/scenario/bundled/hyosan-city/city.map): 40 x 64 cells of 250 m.

Hyosan is fictional; the layout follows the story: a dense centre, districts around it, the
high school on the centre's edge, mountains around the valley, and a hill road over the
ridge to the town of Yangdong. Run: python scripts/make_hyosan_city_map.py
"""

from pathlib import Path

import numpy as np

ROWS, COLS = 40, 64
OUT = Path(__file__).resolve().parents[1] / "src/hyosan/scenario/bundled/hyosan-city/city.map"


def main() -> None:
    g = np.full((ROWS, COLS), ".")
    r, c = np.indices((ROWS, COLS))
    valley = ((r - 20) / 17) ** 2 + ((c - 26) / 24) ** 2 <= 1.0  # the city's basin
    g[valley] = "r"
    g[valley & (((r - 20) / 7) ** 2 + ((c - 26) / 9) ** 2 <= 1.0)] = "C"  # dense centre
    g[valley & (c < 10)] = "i"  # industrial west end
    g[(r >= 28) & (r <= 31) & (c >= 14) & (c <= 40) & valley] = "."  # the river
    g[28:32, 24:26] = "r"  # a bridge district
    g[12:14, 33:35] = "S"  # Hyosan High School
    for k, (rr, cc) in enumerate([(14, 22), (24, 20), (22, 34), (16, 40)], start=1):
        g[rr, cc] = str(k)  # drone gathering sites
    for rr, cc in [(4, 26), (36, 26), (20, 3), (30, 45)]:
        g[rr, cc] = "X"  # checkpoints on the city edge
    for cc in range(50, 56):  # hill road over the ridge
        g[20, cc] = "h"
    g[15:26, 56:63] = "Y"  # Yangdong
    OUT.write_text("\n".join("".join(row) for row in g) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
