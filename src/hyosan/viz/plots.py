"""Static plots of agent runs."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {
    "human": "tab:blue",
    "zombie": "tab:red",
    "hybrid (immune)": "tab:purple",
    "hybrid (immortal)": "tab:pink",
    "dead": "black",
    "escaped": "tab:green",
    "rescued": "tab:olive",
}


def timeline_png(sim, path: Path) -> Path:
    """Counts by kind over time, whole building, with each level's humans and zombies beneath."""
    tl = sim.timeline
    total = tl.groupby("hours").sum(numeric_only=True)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(10.5, 7), sharex=True, height_ratios=[2, 1])
    for kind, color in COLORS.items():
        if total[kind].max() > 0:
            ax.plot(total.index, total[kind], label=kind, color=color)
    ax.set(ylabel="people", title=f"{sim.scenario.name}, seed {sim.seed}: who is what, over time")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)  # beside the data, never on it
    for level, g in tl.groupby("level"):
        ax2.plot(g["hours"], g["zombie"], label=f"zombies, level {level}")
    ax2.set(xlabel="hours since the outbreak", ylabel="zombies by level")
    ax2.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
