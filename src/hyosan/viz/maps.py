"""Maps of raster runs (country, city): arrival times, zombie counts, time series, animations.

Every map is drawn north up, whatever edge the raster's row 0 is on.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

BACKGROUND = (0.08, 0.08, 0.1)


def _figure(raster, width: float = 11.0):
    rows, cols = raster.shape
    fig, ax = plt.subplots(figsize=(width, width * rows / cols * 0.95 + 0.6))
    ax.set_facecolor(BACKGROUND)
    ax.set_xticks([]), ax.set_yticks([])
    return fig, ax


def _paint(ax, mask: np.ndarray, rgb) -> None:
    """Fill the cells of a mask with one colour (the backdrop a map is drawn over)."""
    ax.imshow(np.where(mask, 1.0, np.nan), cmap=mcolors.ListedColormap([rgb]), interpolation="nearest")


def _finish(fig, ax, im, label: str, title: str, path: Path) -> Path:
    fig.colorbar(im, ax=ax, shrink=0.7, label=label)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def arrival_png(
    raster, arrival_hours: np.ndarray, path: Path, horizon_hours: float, landmarks: list | None = None
) -> Path:
    """Hours until the first zombie reached each cell; grey: inhabited but never reached;
    landmarks ({name, row, col}) marked and named."""
    fig, ax = _figure(raster)
    inhabited = raster.north_up(raster.counts > 0)
    arr = raster.north_up(arrival_hours)
    _paint(ax, inhabited & np.isnan(arr), (0.55, 0.55, 0.55))
    im = ax.imshow(
        np.where(inhabited, arr, np.nan),
        cmap="inferno_r",
        interpolation="nearest",
        vmin=0,
        vmax=max(horizon_hours, 1),
    )
    mark(ax, raster, landmarks or [])
    return _finish(
        fig,
        ax,
        im,
        "hours until the first zombie arrives (grey: not reached)",
        f"{raster.name}: arrival of the zombies",
        path,
    )


def count_png(
    raster, counts: np.ndarray, path: Path, title: str, cmap: str = "Reds", landmarks: list | None = None
) -> Path:
    """People of one kind per cell on a log scale (red for zombies; pass another colour map for
    residents); dim outline: where people live; landmarks ({name, row, col}) marked and named."""
    fig, ax = _figure(raster)
    _paint(ax, raster.north_up(raster.counts > 0), (0.25, 0.25, 0.3))
    c = raster.north_up(counts).astype(float)
    vmax = max(float(c.max()), 10.0)
    im = ax.imshow(
        np.where(c > 0, c, np.nan),
        cmap=cmap,
        norm=mcolors.LogNorm(vmin=1, vmax=vmax),
        interpolation="nearest",
    )
    mark(ax, raster, landmarks or [])
    return _finish(fig, ax, im, "people per cell (log scale)", f"{raster.name}: {title}", path)


def mark(ax, raster, landmarks: list) -> None:
    """Mark and name places ({name, row, col} in the raster's own rows) on a north-up map."""
    rows = raster.shape[0]
    for lm in landmarks:
        r = rows - 1 - lm["row"] if raster.origin == "south" else lm["row"]
        ax.plot(lm["col"], r, "o", ms=5, mfc="white", mec="black")
        box = {"boxstyle": "round,pad=0.2", "fc": (0, 0, 0, 0.55), "ec": "none"}
        ax.annotate(
            lm["name"],
            (lm["col"], r),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=8,
            color="white",
            bbox=box,
        )


def series_png(df, species, path: Path, summary: dict) -> Path:
    """Totals of each species over story hours, log scale."""
    fig, ax = plt.subplots(figsize=(9, 5))
    colors = {"S": "tab:blue", "E": "tab:orange", "Z": "tab:red", "R": "black"}
    for s in species:
        ax.plot(df["hours"], df[s].clip(lower=0.5), label=s, color=colors.get(s))
    ax.set(
        yscale="log",
        xlabel="hours since the first zombie",
        ylabel="people",
        title=f"{summary.get('population_file', '')}: start {summary.get('start')}, "
        f"{summary['setup']['mode']}, seed {summary['setup']['seed']}",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def animation_gif(raster, frames: list[tuple[float, np.ndarray]], path: Path, max_width: int = 750) -> Path:
    """Zombie share of each cell over time (frames of uint8 shares) as an animated GIF."""
    import imageio.v3 as iio

    step = max(1, int(np.ceil(raster.shape[1] / max_width)))
    inhabited = raster.north_up(raster.counts > 0)[::step, ::step]
    base = np.zeros(inhabited.shape + (3,), np.uint8)
    base[:] = (20, 20, 26)
    base[inhabited] = (70, 90, 140)
    images = []
    for _, share in frames:
        s = raster.north_up(share)
        # the largest share in each block, so that a lone infected cell stays visible
        h, w = inhabited.shape
        block = np.zeros((h, w), np.uint8)
        for dr in range(step):
            for dc in range(step):
                part = s[dr::step, dc::step][:h, :w]
                block[: part.shape[0], : part.shape[1]] = np.maximum(
                    block[: part.shape[0], : part.shape[1]], part
                )
        img = base.copy()
        on = block > 0
        level = 0.35 + 0.65 * block[on] / 255.0
        img[on] = np.stack([230 * level, 20 * level, 20 * level], axis=1).astype(np.uint8)
        k = max(1, 600 // img.shape[1])  # a small map (a city) is scaled up to be seen
        img = np.repeat(np.repeat(img, k, axis=0), k, axis=1)
        images.append(_with_header(img, f"{raster.name}: hour {frames[len(images)][0]:.0f}"))
    if not images:
        images = [_with_header(base, raster.name)]
    iio.imwrite(path, np.stack(images), duration=150, loop=0)
    return path


def _with_header(img: np.ndarray, title: str) -> np.ndarray:
    """The frame under a header: its title with the clock, and the key of the colours."""
    from PIL import Image, ImageDraw, ImageFont

    pic = Image.fromarray(img)
    out = Image.new("RGB", (max(pic.width, 520), pic.height + 38), (255, 255, 255))
    out.paste(pic, (0, 38))
    d = ImageDraw.Draw(out)
    d.text((4, 2), title, fill=(0, 0, 0), font=ImageFont.load_default(14))
    small = ImageFont.load_default(11)
    x = 4
    keys = (
        ((70, 90, 140), "people, no zombie"),
        ((230, 20, 20), "zombies: brighter = larger share"),
        ((20, 20, 26), "nobody lives here"),
    )
    for rgb, label in keys:
        d.rectangle((x, 22, x + 9, 31), fill=rgb, outline=(0, 0, 0))
        d.text((x + 12, 20), label, fill=(0, 0, 0), font=small)
        x += 24 + int(d.textlength(label, font=small))
    return np.asarray(out)
