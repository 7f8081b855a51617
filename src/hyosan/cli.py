"""The `hyosan` command: list, show and solve models (and, later, run scenarios)."""

from __future__ import annotations

import json
import math
import os
import shlex
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text
from typer.core import TyperGroup

try:  # newer typer carries its own copy of click, whose exceptions these are
    from typer._click import exceptions as usage
except ImportError:  # pragma: no cover - older typer on plain click
    from click import exceptions as usage

from . import reactions, stop
from .errors import HyosanError
from .limits import MAX_SEED, check_memory
from .results.folders import prepare_run_folder
from .results.report import jsonable
from .scenario.overrides import parse_sets

# Options naming a path, where an empty value would silently mean the current folder
PATH_FLAGS = ("--out", "--runs", "--population", "--targets")


def _refuse_empty_paths(args: list[str]) -> None:
    # typer reads a path given as "" as ".", the current folder
    for flag, value in zip(args, [*args[1:], None]):
        empty = value is not None and not value.strip()
        if (flag in PATH_FLAGS and empty) or flag.rstrip() in {f + "=" for f in PATH_FLAGS}:
            raise usage.UsageError(f"{flag.rstrip('=')} is empty: name a folder or file")


class _OneLineErrors(TyperGroup):
    """The command group, with usage errors (an option that is not a number, a missing argument) given
    as one `error:` line and exit code 2, like every other error, not as a boxed panel."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the command line; print a usage error on one line."""
        args = sys.argv[1:] if args is None else list(args)
        try:
            _refuse_empty_paths(args)
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except usage.NoArgsIsHelpError:
            code = 2  # the help is already printed
        except usage.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "hyosan"
            message = " ".join(exc.format_message().split()).rstrip(".")
            errors = getattr(exc.__cause__, "errors", None)  # typer checks option types with pydantic
            errors = errors() if callable(errors) else []
            if errors:
                message += f", got {errors[0]['input']!r}"
            _error_line(f"{where}: {message[:1].lower()}{message[1:]} (see {where} --help)")
            code = exc.exit_code
        except typer.Abort:
            code = 1
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=_OneLineErrors,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="hyosan: simulate zombie outbreaks, from one school to a whole country.",
)
# Into a file or a pipe, lines are never wrapped (rich would fold tables at 80 columns there). Text
# is printed literally: square brackets in a name or an error ("[grid]") are not terminal markup.
out_console = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 10_000)
err_console = Console(
    stderr=True, highlight=False, markup=False, width=None if sys.stderr.isatty() else 10_000
)


# Options every run command shares, declared once.
FORCE_OPTION = typer.Option(False, "--force", help="replace the files of an existing run folder")
JSON_OPTION = typer.Option(False, "--json", help="print the summary as JSON")
RUN_RESUME_OPTION = typer.Option(
    False, "--resume", help="go on with the stopped run in --out from its checkpoint"
)


def seed_option(default: int | None, help: str):
    """The --seed option, with the one range every command takes."""
    return typer.Option(default, "--seed", min=0, max=MAX_SEED, help=help)


CHECKPOINT_OPTION = typer.Option(
    5.0, "--checkpoint-minutes", help="checkpoint to go on from every N minutes (0: only on a stop)"
)


def _error_line(message: str) -> None:
    err_console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)  # literal text


def fail(message: str) -> None:
    """Print one clear error line and exit with status 2."""
    _error_line(message)
    raise typer.Exit(2)


def _emit(data: dict, as_json: bool, text: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, default=float) + "\n")
    else:
        out_console.print(text, soft_wrap=True)


@app.command()
def models(
    as_json: bool = typer.Option(False, "--json", help="print the list as JSON"),
    markdown: bool = typer.Option(
        False, "--markdown", help="print docs/models.md (generated from the networks)"
    ),
):
    """List the model library."""
    try:
        nets = [reactions.get(n) for n in reactions.names()]
        if markdown:
            from .reactions.docs import models_markdown

            sys.stdout.write(models_markdown())
            return
        data = {
            "models": [
                {"name": n.name, "title": n.title, "species": list(n.species_names), "reference": n.reference}
                for n in nets
            ]
        }
        width = max(len(n.name) for n in nets)
        _emit(data, as_json, "\n".join(f"{n.name:<{width}}  {n.title}" for n in nets))
    except HyosanError as exc:
        fail(str(exc))


@app.command()
def show(
    model: str = typer.Argument(..., help="model name (see `hyosan models`)"),
    as_json: bool = typer.Option(False, "--json", help="print the network as JSON"),
):
    """Print a model's reactions, equations and parameters."""
    try:
        net = reactions.get(model)
        data = {
            "name": net.name,
            "title": net.title,
            "reference": net.reference,
            "reactions": net.reaction_lines(),
            "equations": net.equations(),
            "parameters": {
                p.name: {"value": p.default, "unit": p.unit, "meaning": p.meaning} for p in net.parameters
            },
            "initial": {s: net.initial.get(s, 0.0) for s in net.species_names},
            "schedule": net.schedule_lines(),
            "t_end": net.t_end,
            "notes": net.notes,
        }
        _emit(data, as_json, str(net) + (f"\n\nNotes: {net.notes}" if net.notes else ""))
    except HyosanError as exc:
        fail(str(exc))


@app.command()
def solve(
    model: str = typer.Argument(..., help="model name (see `hyosan models`)"),
    method: str = typer.Option("ode", "--method", "-m", help="ode | ssa | tau | lattice"),
    sets: list[str] = typer.Option(
        [], "--set", help="NAME=VALUE for a parameter or an initial count; repeatable"
    ),
    t_end: Optional[float] = typer.Option(None, "--t-end", help="end time in days (default: the model's)"),
    runs: int = typer.Option(1, "--runs", help="number of stochastic runs (ssa, tau)"),
    seed: int = seed_option(0, "random seed (ssa, tau)"),
    points: int = typer.Option(1001, "--points", help="number of output time points"),
    out: Optional[Path] = typer.Option(None, "--out", help="run folder (default: runs/MODEL-METHOD[-n])"),
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
):
    """Solve a model: write trajectory.parquet, trajectory.png and summary.json to a run folder."""
    from .results.runs import ModelRun

    try:
        from .solvers.registry import model_methods

        if method not in model_methods():
            raise HyosanError(f"unknown method {method!r}; accepted: {', '.join(model_methods())}")
        if runs < 1:
            raise HyosanError(f"--runs must be >= 1, got {runs}")
        net = reactions.get(model).with_values(**parse_sets(sets))
        if t_end is not None and not t_end > 0:
            raise HyosanError(f"--t-end must be a positive number of days, got {t_end:g}")
        folder = prepare_run_folder(
            out,
            Path("runs") / f"{net.name}-{method}",
            force,
            ("trajectory.parquet", "trajectory.png", "summary.json"),
        )
        r = ModelRun(net, method, t_end, points, seed=seed, runs=runs)
        with stop.on_signals():
            try:
                with _progress(f"{net.name} by {method}", runs, as_json=as_json) as bar:
                    r.run(progress=bar)
            except stop.Interrupted as exc:
                r.trajectory, r.incomplete = exc.partial, {"reason": str(exc), "done": exc.done}
                r.write(folder)
                _stopped(exc, folder, exc.done, "Run the command again to compute it all.")
        summary = r.write(folder)
        _emit(summary, as_json, _summary_text(summary))
    except HyosanError as exc:
        fail(str(exc))


class _progress:
    """Progress on stderr: a bar on a terminal (hidden with --json); elsewhere (a pipe, a log file, a
    batch job) one line every HYOSAN_PROGRESS_SECONDS (default 30) with the point reached, the rate
    and the time left, so a long command is never silent."""

    def __init__(self, label: str, total: float, clock=None, as_json: bool = False, unit: str = "runs"):
        self.label, self.total, self.unit = label, float(total), unit
        self.clock = clock or (lambda done: f"{done:,.4g} of {self.total:,.4g} {unit}")
        self.tty = err_console.is_terminal
        self.every = float(os.environ.get("HYOSAN_PROGRESS_SECONDS", "30") or 30)
        self.bar = Progress(
            TextColumn(label),
            BarColumn(),
            TextColumn("{task.fields[clock]}"),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=as_json or not self.tty,
        )
        self.task = None
        self.done = 0.0
        self.warned = False

    def __enter__(self):
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=self.total, clock=self.clock(0))
        self.t0 = self.last = time.monotonic()
        return self

    def __call__(self, done: float, total: float | None = None) -> None:
        self.done = float(done)
        self.total = float(total) if total is not None else self.total
        self.bar.update(self.task, completed=done, total=self.total, clock=self.clock(done))
        now = time.monotonic()
        if not self.warned and now - self.t0 >= 3 and done > 0:
            # a first estimate, a few seconds in: a run of hours says so once, whatever the output
            self.warned = True
            left = (self.total - done) * (now - self.t0) / done
            if left > 600:
                self.bar.console.print(
                    f"{self.label}: at the rate so far this will take about {_duration(left)} more; "
                    "Ctrl-C stops it and keeps what it computed",
                    markup=False,
                    highlight=False,
                )
        if not self.tty and now - self.last >= self.every:
            self.last = now
            rate = done / max(now - self.t0, 1e-9)
            left = (self.total - done) / rate if rate > 0 else float("inf")
            share = 100 * done / self.total if self.total else 100.0
            err_console.print(
                f"{self.label}: {self.clock(done)} ({share:.1f} %), {_number(rate)} {self.unit}/s, "
                f"about {_duration(left)} left",
                markup=False,
                highlight=False,
            )

    def __exit__(self, *exc):
        self.bar.stop()
        return False


def _number(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "an unknown time"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _resume_command(folder: Path) -> str:
    """The command line that goes on with a stopped run: this one, with --out FOLDER and --resume."""
    args, skip = [], False
    for a in sys.argv[1:]:
        if skip:
            skip = False
            continue
        if a in ("--out", "--force", "--resume") or a.startswith("--out="):
            skip = a == "--out"
            continue
        args.append(a)
    return shlex.join(["hyosan", *args, "--out", str(folder), "--resume"])


def _stopped(exc, folder: Path, reached: str, how_on: str) -> None:
    """Say that a run stopped on a signal, where its part is, and how to go on; exit 130 or 143."""
    err_console.print(
        f"stopped by {signal.Signals(exc.signum).name} at {reached}; what was computed is in {folder}/ "
        f"(summary.json marks it incomplete). {how_on}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(exc.exit_code)


@contextmanager
def _study_stops():
    """A study stopped by a signal: its runs done are kept in its folder; say how to go on."""
    with stop.on_signals():
        try:
            yield
        except stop.Interrupted as exc:
            folder = getattr(exc, "folder", None)
            if folder is None:  # stopped before its runs began
                err_console.print(f"stopped by {signal.Signals(exc.signum).name} before any run was done")
                raise typer.Exit(exc.exit_code) from None
            _stopped(exc, folder, exc.done, f"Go on with: {_resume_command(folder)}")


def _when(entry: dict, unit: str, runs: int) -> str:
    if "median" not in entry:
        return "never"
    text = f"{unit} {entry['median']:.2f}"
    if runs > 1:
        text += (
            f" (median; 5-95%: {entry['p5']:.2f}-{entry['p95']:.2f}; "
            f"in {entry['fraction_of_runs']:.1%} of runs)"
        )
    return text


def _summary_text(s: dict) -> str:
    runs, unit = s["runs"], s["time_unit"]
    head = f"{s['model']} solved by {s['method']}" + (
        f", {runs} runs, seed {s['seed']}" if runs > 1 or s["seed"] is not None else ""
    )
    lines = [
        f"{head}, to {unit} {s['t_end']:g}",
        f"  humans fall below one:     {_when(s['humans_below_one'], unit, runs)}",
        f"  zombies outnumber humans:  {_when(s['zombies_outnumber_humans'], unit, runs)}",
    ]
    finals = []
    for name, v in s["final"].items():
        finals.append(
            f"{name} {v:.4g}"
            if isinstance(v, float)
            else f"{name} {v['median']:.4g} [{v['p5']:.4g}-{v['p95']:.4g}]"
        )
    lines.append("  final: " + ", ".join(finals) + (" (median [5-95%])" if runs > 1 else ""))
    if "events" in s:
        lines.append(f"  reaction events: {s['events']:,}")
    lines.append(f"  wrote {s['folder']}/: trajectory.parquet, trajectory.png, summary.json")
    return "\n".join(lines)


@app.command()
def run(
    scenario: str = typer.Argument(
        ..., help="a bundled scenario (hyosan-high, hyosan-city) or a scenario.toml / its folder"
    ),
    seed: Optional[int] = seed_option(None, "random seed (default: the scenario's)"),
    days: Optional[float] = typer.Option(
        None, "--days", help="story days to simulate (default: the scenario's)"
    ),
    out: Optional[Path] = typer.Option(None, "--out", help="run folder (default: runs/SCENARIO-seedN[-n])"),
    animate: bool = typer.Option(False, "--animate", help="also write animation.gif of the floors"),
    replay_seconds: float = typer.Option(
        60.0,
        "--replay-seconds",
        help="school runs: record positions for `hyosan serve` every N story s (0: off)",
    ),
    resume: bool = RUN_RESUME_OPTION,
    checkpoint_minutes: float = CHECKPOINT_OPTION,
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
):
    """Run a scenario (a school of agents, a city or a country of cells): who survived, and how."""
    from .results.report import RUN_FILES
    from .results.runs import SCENARIO_RUNS
    from .scenario import build, read_scenario
    from .scenario.city import CITY_FILES
    from .scenario.country import COUNTRY_FILES

    try:
        if days is not None and not (math.isfinite(days) and days > 0):
            raise HyosanError(f"--days must be a positive number, got {days:g}")
        loaded = read_scenario(scenario)  # read once, dispatched on its kind
        sim = build(loaded, seed)
        if not (math.isfinite(replay_seconds) and replay_seconds >= 0):
            raise HyosanError(f"--replay-seconds must be a number >= 0, got {replay_seconds:g}")
        r = SCENARIO_RUNS[loaded.kind](sim, days, animate)
        if loaded.kind == "school" and replay_seconds > 0:
            r.replay_seconds = replay_seconds
        check_memory(r.estimate_bytes(), f"{r.days:g} story days of {loaded.name}")
        files = {"school": RUN_FILES, "city": CITY_FILES, "country": COUNTRY_FILES}[loaded.kind]
        produces = files + tuple(loaded.map_files())
        default = Path("runs") / f"{loaded.name}-seed{sim.seed}"
        inputs = {m: loaded.path.parent / m for m in [loaded.path.name, *loaded.map_files()]}
        folder = prepare_run_folder(out, default, force, produces, resume=resume, inputs=inputs)
        request = {
            "kind": loaded.kind,
            "scenario": loaded.fingerprint(),
            "seed": sim.seed,
            "days": r.days,
            "animate": animate,
            "replay_seconds": replay_seconds if loaded.kind == "school" else 0,
        }
        clock = sim.clock if loaded.kind == "school" else None
        summary = _drive(r, folder, request, loaded.name, clock, as_json, checkpoint_minutes, resume)
        if as_json:
            sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
        else:
            {"school": _print_run, "city": _print_city, "country": _print_country}[loaded.kind](summary)
    except HyosanError as exc:
        fail(str(exc))


def _drive(r, folder: Path, request: dict, label: str, clock, as_json, checkpoint_minutes, resume) -> dict:
    """Run a school, city or country run to its end under progress, from its checkpoint with
    `resume`, checkpointing as it goes; on a stop request write its part and say how to go on.
    Returns the summary of the whole run, written."""
    from .results.runs import CHECKPOINT, drive

    if not (math.isfinite(checkpoint_minutes) and checkpoint_minutes >= 0):
        raise HyosanError(f"--checkpoint-minutes must be a number >= 0, got {checkpoint_minutes:g}")
    if resume:
        r.load_checkpoint(folder / CHECKPOINT, request)
    clock = clock or (lambda t: f"hour {t / 3600:,.0f}")
    with stop.on_signals():
        try:
            with _progress(label, r.days * 86400, clock, as_json, "story s") as bar:
                drive(r, folder, request, bar, 60 * checkpoint_minutes)
        except stop.Interrupted as exc:
            reached = clock(bar.done)
            r.incomplete = {"reason": str(exc), "reached": reached, "resume": _resume_command(folder)}
            r.write(folder)
            _stopped(exc, folder, reached, f"Go on with: {r.incomplete['resume']}")
    summary = r.write(folder)
    (folder / CHECKPOINT).unlink(missing_ok=True)  # the run is whole: nothing to go on from
    return summary


def _print_city(s: dict) -> None:
    out_console.print(
        f"{s['scenario']}, seed {s['seed']}: {s['residents']:,} residents, "
        f"{s['yangdong_people']:,} in Yangdong, {s['hours']:g} hours"
    )
    out_console.print(f"  got out through the checkpoints: {s['got_out']:,}")
    out_console.print(
        f"  died in the bombing: {s['bombing_killed_infected']:,} infected, "
        f"{s['bombing_killed_uninfected']:,} uninfected"
    )
    out_console.print(f"  zombies destroyed before the bombing: {s['zombies_destroyed_before_bombing']:,}")
    out_console.print(
        f"  left in the city: {s['left_in_city']['uninfected']:,} uninfected, "
        f"{s['left_in_city']['infected']:,} infected; Yangdong infected or dead: "
        f"{s['yangdong']['infected'] + s['yangdong']['dead']:,}"
    )
    out_console.print(f"  wrote {s['folder']}/")


def _print_run(s: dict) -> None:
    from rich.table import Table

    c = s["final_counts"]
    out_console.print(f"{s['scenario']}, seed {s['seed']}: {s['people']} people, until {s['ended']}")
    out_console.print("  now: " + ", ".join(f"{k} {v}" for k, v in c.items() if v))
    over = Table(title="Counts over time")
    kinds = [k for k in c if any(row[k] for row in s["counts_over_time"])]
    for col in ["time", *kinds]:
        over.add_column(col, justify="right")
    for row in s["counts_over_time"]:
        over.add_row(row["clock"], *(str(row[k]) for k in kinds))
    out_console.print(over)
    table = Table(title="Named characters", show_lines=False)
    for col in ("name", "fate", "when", "where", "bitten by"):
        table.add_column(col)
    for f in s["fates"]:
        bitten = f["bitten_by"] + (f" ({f['bitten_when']}, {f['bitten_where']})" if f["bitten_when"] else "")
        table.add_row(f["name"], f["fate"], f["when"], f"{f['where']} (level {f['level']})", bitten)
    out_console.print(table)
    out_console.print("Key events", style="bold")
    for e in s["key_events"]:
        extra = ", ".join(x for x in (e["who"], e["where"]) if x)
        out_console.print(f"  {e['clock']}  {e['what']}" + (f": {extra}" if extra else ""))
    out_console.print(f"  wrote {s['folder']}/")


@app.command("lattice")
def lattice_cmd(
    alpha: float = typer.Option(..., "--alpha", help="kill-to-bite ratio alpha = kappa / beta (>= 0)"),
    size: int = typer.Option(..., "--size", help="side L of the periodic L x L lattice (4 to 65536)"),
    seed: int = seed_option(0, "random seed"),
    zombies: int = typer.Option(1, "--zombies", help="zombies at the centre at the start"),
    out: Optional[Path] = typer.Option(None, "--out", help="run folder (default: runs/lattice-aA-LL[-n])"),
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
):
    """Run Alemi's lattice model (the `alemi` network on a periodic square lattice) to its end."""

    from .results.folders import write_run_folder
    from .solvers.lattice import lattice, snapshot_png

    try:
        if not (math.isfinite(alpha) and alpha >= 0):
            raise HyosanError(f"--alpha must be a finite number >= 0, got {alpha:g}")
        net = reactions.get("alemi").with_values(alpha=alpha)
        folder = prepare_run_folder(
            out,
            Path("runs") / f"lattice-a{alpha:g}-L{size}",
            force,
            ("lattice.png", "trajectory.parquet", "summary.json"),
        )
        incomplete = stopped = None
        with stop.on_signals():
            try:
                run = lattice(net, size, seed=seed, zombies=zombies)
            except stop.Interrupted as exc:
                run, incomplete, stopped = exc.partial, {"reason": str(exc), "done": exc.done}, exc
        summary = write_run_folder(
            folder,
            {
                "alpha": alpha,
                "size": size,
                "seed": seed,
                "final": run.counts(),
                "events": run.events,
                "t_end": float(run.trajectory.t[-1]),
                "kernel_seconds": round(run.kernel_seconds, 3),  # firing events; compiling excluded
            },
            tables={"trajectory.parquet": run.trajectory},
            pictures={"lattice.png": lambda p: snapshot_png(run, p)},
            incomplete=incomplete,
        )
        if incomplete:
            _stopped(stopped, folder, incomplete["done"], "Run the command again to compute it all.")
        c = summary["final"]
        _emit(
            summary,
            as_json,
            f"lattice {size} x {size}, alpha {alpha:g}, seed {seed}: "
            f"S {c['S']:,}, Z {c['Z']:,}, R {c['R']:,} after {run.events:,} events\n"
            f"  wrote {folder}/: lattice.png, trajectory.parquet, summary.json",
        )
    except HyosanError as exc:
        fail(str(exc))


@app.command("country")
def country_cmd(
    population: Path = typer.Option(
        ..., "--population", help="population raster: .npy, .csv, .json or .json.gz"
    ),
    start: str = typer.Option(
        ..., "--start", help="ROW,COL of the first zombie's cell (the file's own rows)"
    ),
    days: float = typer.Option(60.0, "--days", help="story days to simulate"),
    mode: str = typer.Option(
        "exact", "--mode", help="exact (next-reaction method) or tau (leaping per cell)"
    ),
    seed: int = seed_option(0, "random seed"),
    zombies: int = typer.Option(1, "--zombies", help="residents of the start cell who start as zombies"),
    alpha: float = typer.Option(0.8, "--alpha", help="kill-to-bite ratio (demo 0.8)"),
    beta: float = typer.Option(
        0.0018, "--beta", help="bite rate per pair (demo 0.0018); hours = t / (beta * 500)"
    ),
    mu: Optional[float] = typer.Option(None, "--mu", help="border slow-down (default 1 / (11 * beta * 500))"),
    walk: float = typer.Option(
        0.0, "--walk", help="rate at which each zombie walks to each neighbour cell (demo 0)"
    ),
    dt: Optional[float] = typer.Option(
        None, "--dt", help="tau mode: step over which borders are frozen (default 0.1 time units)"
    ),
    origin: Optional[str] = typer.Option(
        None, "--origin", help="edge of row 0: north or south (default: south for JSON, north for .npy/.csv)"
    ),
    preset: Optional[str] = typer.Option(
        None,
        "--preset",
        help="zombietown-demo: the authors' public demo as their code runs it (docs/country.md)",
    ),
    resume: bool = RUN_RESUME_OPTION,
    checkpoint_minutes: float = CHECKPOINT_OPTION,
    out: Optional[Path] = typer.Option(None, "--out", help="run folder (default: runs/country[-n])"),
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
):
    """Simulate a whole country's population (Zombietown USA: the alemi-sezr network on a raster);
    the options build a country scenario, as a `kind = "country"` TOML file would for `hyosan run`."""
    from .results.runs import CountryRun
    from .scenario.country import COUNTRY_FILES, CountrySim, country_from_options

    try:
        given = dict(alpha=alpha, beta=beta, mu=mu, walk=walk, dt=dt, origin=origin, preset=preset)
        sc = country_from_options(
            population=str(population.resolve()),
            start=start,
            days=days,
            mode=mode,
            seed=seed,
            zombies=zombies,
            **{k: v for k, v in given.items() if v is not None},
        )
        r = CountryRun(CountrySim(sc))
        check_memory(r.estimate_bytes(), f"{r.days:g} story days of the country")
        folder = prepare_run_folder(out, Path("runs") / "country", force, COUNTRY_FILES, resume=resume)
        request = {"kind": "country", "scenario": sc.model_dump_json(), "seed": seed, "days": r.days}
        summary = _drive(r, folder, request, "country", None, as_json, checkpoint_minutes, resume)
        if as_json:
            sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
        else:
            _print_country(summary)
    except HyosanError as exc:
        fail(str(exc))


def _print_country(s: dict) -> None:
    f, st = s["final_counts"], s["setup"]
    lines = [
        f"{s['population_file']}: {s['people']:,} people in {s['cells_inhabited']:,} cells; "
        f"{st['zombies']} {'bitten' if st['start_as'] == 'exposed' else 'zombie(s)'} at {s['start'][0]},"
        f"{s['start'][1]}; {st['mode']}, seed {s['seed']}, "
        f"{st['days']:g} days",
        "  end: "
        + "  ".join(f"{k} {v:,}" for k, v in f.items())
        + ("  (the outbreak died out)" if s["outbreak_died_out"] else ""),
        f"  cells reached: {s['cells_reached']:,}; people in them: {s['people_in_reached_cells']:,}",
    ]
    for name, r in s["regions"].items():
        h = r["half_fallen_hours"]
        lines.append(f"  {name}: half fallen " + (f"at {h:g} h" if h is not None else "not by the end"))
    lines.append(f"  {s['events']:,} events in {s['kernel_seconds']:g} s; wrote {s['folder']}/")
    for line in lines:
        out_console.print(line, soft_wrap=True, markup=False)


@app.command("serve")
def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (loopback unless told)"),
    port: int = typer.Option(8000, "--port", help="port to listen on"),
    runs: Path = typer.Option(Path("runs"), "--runs", help="folder of run folders to replay"),
):
    """Watch outbreaks in a browser: live school runs, replays, city and country maps, models."""
    from .web.app import serve

    try:
        if not 0 < port < 65536:
            raise HyosanError(f"--port must be between 1 and 65535, got {port}")
        host = _listen_address(host)
        if runs.exists() and not runs.is_dir():
            raise HyosanError(f"--runs {runs} is a file, not a folder")
        url_host = f"[{host}]" if ":" in host else host
        err_console.print(f"hyosan viewer on http://{url_host}:{port}/ (runs from {runs}/); Ctrl-C stops it")
        serve(host, port, runs)
    except HyosanError as exc:
        fail(str(exc))


def _listen_address(host: str) -> str:
    """The address to listen on, checked: an empty --host would listen on every interface."""
    import socket

    host = host.strip()
    if not host:
        raise HyosanError("--host is empty; give an address (127.0.0.1 for this machine, 0.0.0.0 for all)")
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        raise HyosanError(f"--host {host!r} is not an address or a name this machine can resolve") from None
    return host


# ----- many runs: ensembles, sweeps, sensitivity, calibration (hyosan.ensemble) ----------------
TARGET_HELP = "a model (with --method) or a scenario: bundled name, folder or scenario.toml"


def _study_target(target: str, method: Optional[str], sets: list[str], days: Optional[float]):
    from .ensemble import make_target

    return make_target(target, method, parse_sets(sets), days)


def _print_study(s: dict, lines: list[str], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(s, indent=2, default=jsonable) + "\n")
        return
    for line in lines:
        out_console.print(line, soft_wrap=True, markup=False)


def _timing_line(s: dict) -> str:
    t = s["timing"]
    resumed = f", {t['resumed_from']} already done" if t["resumed_from"] else ""
    return (
        f"  {t['ran_now']} runs on {t['workers']} workers in {t['wall_seconds']:.1f} s "
        f"({t['compute_seconds']:.1f} s of simulation){resumed}; wrote {s['folder']}/"
    )


# The options every study command shares, declared once.
METHOD_OPTION = typer.Option(None, "--method", "-m", help="ode | ssa | tau (models)")
SETS_OPTION = typer.Option([], "--set", help="NAME=VALUE for every run; repeatable")
DAYS_OPTION = typer.Option(None, "--days", help="story days (scenarios) or end time (models)")
WORKERS_OPTION = typer.Option(
    None, "--workers", min=1, help="local Dask worker processes (default: one per core)"
)
SCHEDULER_OPTION = typer.Option(
    None,
    "--scheduler",
    help="address of a running Dask scheduler (tcp://HOST:8786) instead of a local cluster",
)
STUDY_OUT_OPTION = typer.Option(
    None,
    "--out",
    help="run folder (default: runs/TARGET-STUDY[-n], STUDY: ensemble, sweep, sensitivity or calibration)",
)
RESUME_OPTION = typer.Option(
    False, "--resume", help="run only what the --out folder lacks (a calibration goes on with its trials)"
)


@app.command("ensemble")
def ensemble_cmd(
    target: str = typer.Argument(..., help=TARGET_HELP),
    runs: int = typer.Option(..., "--runs", help="number of seeded runs"),
    seed: int = seed_option(0, "ensemble seed: run i's seed is drawn from SeedSequence(seed)"),
    method: Optional[str] = METHOD_OPTION,
    sets: list[str] = SETS_OPTION,
    days: Optional[float] = DAYS_OPTION,
    workers: Optional[int] = WORKERS_OPTION,
    scheduler: Optional[str] = SCHEDULER_OPTION,
    out: Optional[Path] = STUDY_OUT_OPTION,
    resume: bool = RESUME_OPTION,
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
):
    """Run many seeded runs on Dask: fates, survivors, die-out, distributions (summary.json, ensemble.png)."""
    from .ensemble import studies
    from .ensemble.summaries import summary_lines

    try:
        t = _study_target(target, method, sets, days)
        with _study_stops(), _progress(t.name, 1, as_json=as_json) as bar:
            r = studies.ensemble(t, runs, seed, studies.Cluster(workers, scheduler), out, force, resume, bar)
        s = r.summary
        head = f"{t.name}" + (f" by {t.method}" if t.kind == "model" else "") + f": {runs} runs, seed {seed}"
        _print_study(s, [head, *summary_lines(s, t.kind), _timing_line(s)], as_json)
    except HyosanError as exc:
        fail(str(exc))


@app.command("sweep")
def sweep_cmd(
    target: str = typer.Argument(..., help=TARGET_HELP),
    grid: list[str] = typer.Option([], "--grid", help="NAME=LO:HI:N, N points from LO to HI; repeatable"),
    runs: int = typer.Option(1, "--runs", help="seeded runs at each point (same seeds at every point)"),
    seed: int = seed_option(0, "ensemble seed"),
    outcome: Optional[str] = typer.Option(None, "--outcome", help="measure to plot (default: the headline)"),
    method: Optional[str] = METHOD_OPTION,
    sets: list[str] = SETS_OPTION,
    days: Optional[float] = DAYS_OPTION,
    workers: Optional[int] = WORKERS_OPTION,
    scheduler: Optional[str] = SCHEDULER_OPTION,
    out: Optional[Path] = STUDY_OUT_OPTION,
    resume: bool = RESUME_OPTION,
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
):
    """Sweep parameters over a grid: each measure's mean at every point (sweep.csv, sweep.png)."""
    from .ensemble import studies

    try:
        g = studies.parse_grid(grid)
        t = _study_target(target, method, sets, days)
        with _study_stops(), _progress(t.name, 1, as_json=as_json) as bar:
            r = studies.sweep(
                t, g, runs, seed, outcome, studies.Cluster(workers, scheduler), out, force, resume, bar
            )
        s = r.summary
        names = list(g)
        lines = [f"{t.name}: sweep of {', '.join(names)}, {runs} runs per point; mean {s['outcome']}:"]
        for row in s["surface"]:
            lines.append("  " + ", ".join(f"{n} {row[n]:g}" for n in names) + f": {row[s['outcome']]:.4g}")
        _print_study(s, [*lines, _timing_line(s)], as_json)
    except HyosanError as exc:
        fail(str(exc))


@app.command("sensitivity")
def sensitivity_cmd(
    target: str = typer.Argument(..., help=TARGET_HELP),
    vary: list[str] = typer.Option([], "--vary", help="NAME=LO:HI, a range to vary; at least two"),
    samples: int = typer.Option(64, "--samples", help="Sobol' base samples, a power of two"),
    seed: int = seed_option(0, "seed of the Sobol' design and of the runs"),
    outcome: Optional[str] = typer.Option(None, "--outcome", help="measure to print and plot"),
    method: Optional[str] = METHOD_OPTION,
    sets: list[str] = SETS_OPTION,
    days: Optional[float] = DAYS_OPTION,
    workers: Optional[int] = WORKERS_OPTION,
    scheduler: Optional[str] = SCHEDULER_OPTION,
    out: Optional[Path] = STUDY_OUT_OPTION,
    resume: bool = RESUME_OPTION,
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
):
    """Sobol' sensitivity indices (SALib) with 95 % intervals (sensitivity.json, sensitivity.png)."""
    from .ensemble import studies

    try:
        v = studies.parse_vary(vary)
        t = _study_target(target, method, sets, days)
        with _study_stops(), _progress(t.name, 1, as_json=as_json) as bar:
            r = studies.sensitivity(
                t, v, samples, seed, outcome, studies.Cluster(workers, scheduler), out, force, resume, bar
            )
        s = r.summary
        lines = [f"{t.name}: Sobol' indices of {s['outcome']} ({s['runs']} runs; 95 % intervals)"]
        for n, d in s["indices"][s["outcome"]].items():
            lines.append(
                f"  {n}: first order {d['S1']:.3f} +- {d['S1_conf']:.3f}, "
                f"total {d['ST']:.3f} +- {d['ST_conf']:.3f}"
            )
        _print_study(s, [*lines, _timing_line(s)], as_json)
    except HyosanError as exc:
        fail(str(exc))


@app.command("calibrate")
def calibrate_cmd(
    target: str = typer.Argument(..., help=TARGET_HELP),
    targets: Path = typer.Option(
        ..., "--targets", help="TOML file: ranges to vary, figures to hit (docs/ensembles.md)"
    ),
    seed: int = seed_option(0, "seed of the sampler and of the runs"),
    method: Optional[str] = METHOD_OPTION,
    sets: list[str] = SETS_OPTION,
    days: Optional[float] = DAYS_OPTION,
    workers: Optional[int] = WORKERS_OPTION,
    scheduler: Optional[str] = SCHEDULER_OPTION,
    out: Optional[Path] = STUDY_OUT_OPTION,
    resume: bool = RESUME_OPTION,
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
):
    """Calibrate with Optuna (SQLite study, resumable): the setting closest to observed figures."""
    from .ensemble import calibration as cal
    from .ensemble import studies

    try:
        tg = cal.read_targets(targets)
        t = _study_target(target, method, sets, days)
        with _study_stops(), _progress(t.name, 1, as_json=as_json) as bar:
            r = cal.calibrate(t, tg, seed, studies.Cluster(workers, scheduler), out, force, resume, bar)
        b = r.summary["best"]
        lines = [
            f"{t.name}: {r.summary['trials']} trials of {tg.runs} runs; "
            f"best trial {b['trial']}, loss {b['loss']:.4f}",
            "  " + ", ".join(f"{k} = {v:.6g}" for k, v in b["params"].items()),
            "  "
            + ", ".join(
                f"{f.outcome} {f.statistic} {b['figures'][f.outcome]:,.6g} (aim {f.value:,.6g})"
                for f in tg.target
            ),
            f"  wrote {r.summary['folder']}/",
        ]
        _print_study(r.summary, lines, as_json)
    except HyosanError as exc:
        fail(str(exc))


def main() -> None:
    """Entry point of the `hyosan` command. Signals are stop requests from the first moment, so a
    Ctrl-C during start-up stops the run at its first check, with its part written."""
    with stop.on_signals():
        app()


if __name__ == "__main__":
    main()
