"""``distillguard simulate``: labelled traffic from the simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from distillguard.cli.common import console, handles_errors, progress_bars


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to ``app``."""
    app.command()(simulate)


@handles_errors
def simulate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    scenario_file: Annotated[
        Path | None,
        typer.Option("--scenario", help="YAML or TOML scenario file; flags override it."),
    ] = None,
    accounts: Annotated[
        int | None, typer.Option(help="Number of accounts [default: 3000].")
    ] = None,
    hours: Annotated[float | None, typer.Option(help="Hours of traffic [default: 48].")] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed; same seed, same bytes [default: 7].")
    ] = None,
    model_release_hours: Annotated[
        float | None,
        typer.Option(help="Hours after the start when a new model is released [default: 24]."),
    ] = None,
    evasion: Annotated[
        str | None, typer.Option(help="none, moderate or strong [default: none].")
    ] = None,
    evasion_switch: Annotated[
        list[str] | None,
        typer.Option(
            "--evasion-switch",
            help="Override one evasion switch, NAME=VALUE (repeatable), e.g. ip_rotation=0.5.",
        ),
    ] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="Folder of real prompt sets (shared/corpora layout).")
    ] = None,
    family: Annotated[
        str | None,
        typer.Option(help="Draw the scenario from a scenario family (see docs/simulator.md)."),
    ] = None,
    scale: Annotated[
        float, typer.Option(help="--family: multiply sizes and volumes by this.")
    ] = 1.0,
    customers: Annotated[
        bool, typer.Option("--customers", help="Also write OUT/customers.parquet (business "
                           "context; always with --family).")
    ] = False,
) -> None:
    """Simulate labelled traffic: legitimate archetypes and distillation campaigns.

    Writes OUT/events.parquet (contract 1) and OUT/labels.parquet (contract 3).
    Example: distillguard simulate --accounts 3000 --hours 48 --seed 7 --out sim/
    Example: distillguard simulate --family hydra_networks --seed 3 --out sim/
    Example: distillguard simulate --family meridian --seed 1 --scale 0.1 --out sim/
    """
    import dataclasses

    from distillguard.errors import ConfigError
    from distillguard.simulate import Scenario, load_scenario, with_evasion_switches
    from distillguard.simulate import simulate as run_simulation

    if family is not None:
        from distillguard.simulate.families import INDEPENDENT, family_scenario

        if family in INDEPENDENT:
            _independent_family(family, seed, scale, corpus, out, given={
                "--scenario": scenario_file, "--accounts": accounts, "--hours": hours,
                "--model-release-hours": model_release_hours, "--evasion": evasion,
                "--evasion-switch": evasion_switch})
            return
        scenario = family_scenario(family, seed if seed is not None else 1, scale=scale,
                                   hours=hours, corpus=corpus)
        seed = hours = None
    else:
        scenario = load_scenario(scenario_file) if scenario_file else Scenario()
    overrides: dict[str, Any] = {
        name: value
        for name, value in (("accounts", accounts), ("hours", hours), ("seed", seed),
                            ("model_release_hours", model_release_hours),
                            ("evasion", evasion), ("corpus", corpus),
                            ("customers", True if customers else None))
        if value is not None
    }
    try:
        scenario = dataclasses.replace(scenario, **overrides)
    except TypeError as exc:
        raise ConfigError(str(exc)) from None
    switches = dict(item.partition("=")[::2] for item in evasion_switch or [])
    scenario = with_evasion_switches(scenario, switches)
    with progress_bars() as progress:
        task = progress.add_task("simulating", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = run_simulation(scenario, out, progress=on_progress)
    console.print(
        f"{result.events} events, {result.accounts} accounts, {result.campaigns} campaigns → "
        f"{result.events_path}", highlight=False, soft_wrap=True,
    )


def _independent_family(family: str, seed: int | None, scale: float, corpus: Path | None,
                        out: Path, given: dict[str, Any]) -> None:
    """A member of an independent family: its own generator, from a seed and a scale."""
    from distillguard.errors import ConfigError
    from distillguard.simulate.families import simulate_family

    ignored = [name for name, value in given.items() if value]
    if ignored:
        raise ConfigError(f"family '{family}' takes --seed, --scale and --corpus only, "
                          f"not {', '.join(ignored)}")
    with progress_bars() as progress:
        progress.add_task(f"simulating {family}", total=None)
        result, _ = simulate_family(family, seed if seed is not None else 1, out, scale=scale,
                                    corpus=corpus)
    console.print(
        f"{result.events} events, {result.accounts} accounts, {result.campaigns} campaigns → "
        f"{result.events_path}", highlight=False, soft_wrap=True,
    )
