"""Command-line apps: ``distillguard watermark ...`` and ``distillguard prove ...``.

``watermark_app`` and ``prove_app`` are Typer apps the main CLI mounts. Each command is a
few lines over the library; errors are :class:`~distillguard.errors.DistillguardError`
subclasses, which the main CLI prints as one line (exit status 2). Commands that run
models import torch lazily, so ``distillguard --help`` works without the watermark extra.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from distillguard.errors import DistillguardError, require_extra
from distillguard.textsafe import terminal_safe
from distillguard.watermark.greenlist import WatermarkConfig  # its defaults are the options'
from distillguard.watermark.keys import (
    SECRET_ENV,
    WatermarkKey,
    WatermarkKeyError,
    export_keys,
    load_key_set,
    load_master_secret,
    seeds_array,
)

if TYPE_CHECKING:  # detection (SciPy) is imported by the commands that detect
    import numpy as np

    from distillguard.watermark.detect import ScoreTable
    from distillguard.watermark.inputs import Document

watermark_app = typer.Typer(
    help="Per-account output watermarks: derive keys, detect watermarks in text.",
    no_args_is_help=True,
)
prove_app = typer.Typer(
    help="Prove that a model was trained on harvested outputs (watermark radioactivity).",
    no_args_is_help=True,
)
console = Console()


def _require_torch() -> None:
    require_extra("watermark", "this command", "torch", "transformers")


KeySetOption = Annotated[
    Path,
    typer.Option(
        "--key-set", help="JSON or CSV file listing account ids, campaign ids or precomputed keys."
    ),
]
SecretOption = Annotated[
    Path | None,
    typer.Option(
        "--secret-file",
        help=f"File holding the master secret (default: the {SECRET_ENV} variable).",
    ),
]
GammaOption = Annotated[float, typer.Option(help="Green-list fraction used when serving.")]
WidthOption = Annotated[
    int,
    typer.Option("--context-width", help="Watermark window (previous tokens) used when serving."),
]
TopOption = Annotated[int, typer.Option("--top", help="Rows to show.")]
JsonOption = Annotated[
    Path | None, typer.Option("--json", help="Also write all results to this JSON file.")
]


def _keys(key_set: Path, secret_file: Path | None) -> list[WatermarkKey]:
    """Load a key set; the secret is only required when some key must be derived."""
    try:
        secret = load_master_secret(secret_file)
    except WatermarkKeyError:
        if secret_file is not None:
            raise
        secret = None  # precomputed keys need no secret; load_key_set says when one is missing
    return load_key_set(key_set, secret)


def _score_table(
    title: str, table: ScoreTable, top: int, names: dict[str, str] | None = None
) -> Table:
    view = Table(title=title)
    for column in ("id", "campaign", "scored", "green", "z", "p-value", "Holm p"):
        view.add_column(column, justify="left" if column in ("id", "campaign") else "right")
    for record in table.records(top):
        view.add_row(
            terminal_safe(record["id"], 60),
            terminal_safe((names or {}).get(record["id"], ""), 40),
            str(record["scored_tokens"]),
            str(record["green_tokens"]),
            f"{record['z_score']:.2f}",
            f"{record['p_value']:.3g}",
            f"{record['holm_p_value']:.3g}",
        )
    return view


def _write_json(path: Path | None, payload: Any) -> None:
    if path is not None:
        path.write_text(json.dumps(payload, indent=2), "utf-8")
        console.print(f"wrote {terminal_safe(str(path), 200)}")


@watermark_app.command("keys")
def keys_command(
    key_set: Annotated[Path, typer.Argument(help="JSON or CSV key-set file.")],
    secret_file: SecretOption = None,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Write precomputed keys (SECRET material) for a gateway without the master secret."
        ),
    ] = None,
) -> None:
    """List the keys of a key set with a short fingerprint (never the key itself).

    Example: DISTILLGUARD_WATERMARK_SECRET=... distillguard watermark keys accounts.csv
    """
    keys = _keys(key_set, secret_file)
    view = Table(title=f"{len(keys)} keys")
    for column in ("key id", "account", "campaign", "fingerprint"):
        view.add_column(column)
    for key in keys[:200]:
        view.add_row(
            terminal_safe(key.key_id, 60),
            terminal_safe(key.account_id or "", 60),
            terminal_safe(key.campaign_id or "", 40),
            key.fingerprint,
        )
    console.print(view)
    if len(keys) > 200:
        console.print(f"... and {len(keys) - 200} more")
    if export is not None:
        # created owner-only from the start: the file holds key material
        descriptor = os.open(export, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"keys": export_keys(keys)}, indent=2))
        console.print(
            f"[bold]wrote secret key material to {terminal_safe(str(export), 200)}[/bold]"
        )


@watermark_app.command("detect")
def detect_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Text files (.txt) or JSON Lines (.jsonl with 'text' or 'token_ids')."),
    ],
    key_set: KeySetOption,
    tokenizer: Annotated[
        Path | None,
        typer.Option(
            help="The serving tokenizer: a distillguard tokenizer.json or a local "
            "Hugging Face directory."
        ),
    ] = None,
    secret_file: SecretOption = None,
    per_document: Annotated[
        bool, typer.Option("--per-document", help="Test each document separately.")
    ] = False,
    per_line: Annotated[
        bool, typer.Option("--per-line", help="Each line of a .txt file is a document.")
    ] = False,
    no_dedup: Annotated[
        bool,
        typer.Option(
            "--no-dedup",
            help="Count repeated (window, token) tuples (invalid p-values; for comparison only).",
        ),
    ] = False,
    gamma: GammaOption = WatermarkConfig.gamma,
    context_width: WidthOption = WatermarkConfig.context_width,
    top: TopOption = 10,
    json_out: JsonOption = None,
) -> None:
    """Test text against every key: z-score, exact binomial p-value, Holm-adjusted p-value.

    Repeated (window, token) tuples are counted once. The Holm adjustment controls the
    chance of accusing any innocent key when thousands are tested. Keys with a campaign
    are also pooled per campaign.

    Example:

        distillguard watermark detect --key-set accounts.csv --tokenizer tokenizer.json leaked.txt
    """
    from distillguard.watermark.detect import detect
    from distillguard.watermark.inputs import load_tokenizer, read_documents

    config = WatermarkConfig(gamma=gamma, context_width=context_width)
    keys = _keys(key_set, secret_file)
    text_tokenizer = load_tokenizer(tokenizer) if tokenizer is not None else None
    documents = [
        doc for path in files for doc in read_documents(path, text_tokenizer, per_line=per_line)
    ]
    if not documents:
        raise DistillguardError("no text to test in the given files")
    tables = detect(
        [doc.tokens for doc in documents],
        seeds_array(keys),
        [key.key_id for key in keys],
        config.gamma,
        config.context_width,
        start=[doc.start for doc in documents],
        dedup=not no_dedup,
        per_document=per_document,
    )
    campaigns = {key.key_id: key.campaign_id or "" for key in keys}
    payload: list[dict[str, Any]] = []
    names = [doc.name for doc in documents] if per_document else [", ".join(str(f) for f in files)]
    for name, table in zip(names, tables, strict=True):
        console.print(
            _score_table(
                f"{terminal_safe(name, 120)}: {int(table.scored[0])} scored tokens",
                table,
                top,
                campaigns,
            )
        )
        entry: dict[str, Any] = {"document": name, "keys": table.records()}
        if any(key.campaign_id for key in keys):
            pooled = table.pooled([key.group for key in keys])
            console.print(_score_table("pooled by campaign", pooled, min(top, 5)))
            entry["groups"] = pooled.records()
        payload.append(entry)
    _write_json(json_out, payload)


@contextmanager
def _rich_progress() -> Iterator[Any]:
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as bars:

        class Reporter:
            def stage(self, description: str, total: int) -> Callable[[int, int], None]:
                task = bars.add_task(description, total=1)

                def update(done: int, total: int) -> None:
                    bars.update(task, total=total, completed=done)

                return update

        yield Reporter()


def _write_demo_artifacts(result: Any, out: Path) -> None:
    """Tokenizer, key set (ids only), served log and the suspect models, for the other commands."""
    from distillguard.watermark.lm import save_recurrent

    result.tokenizer.save(out / "tokenizer.json")
    with (out / "keys.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "campaign_id"])
        for key in result.issued_keys:  # ids only: keys are derived from the secret
            writer.writerow([key.account_id or "", key.campaign_id or ""])
    prompt_tokens = result.settings.prompt_length
    with (out / "served.jsonl").open("w", encoding="utf-8") as handle:
        rows = zip(result.served, result.served_key_index, result.served_account_ids, strict=True)
        for row, key_position, account_id in rows:
            record = {
                "account_id": account_id,
                "key_id": result.issued_keys[int(key_position)].key_id,
                "token_ids": [int(token) for token in row],
                "prompt_tokens": prompt_tokens,
                "response": result.tokenizer.decode(row[prompt_tokens:]),
            }
            handle.write(json.dumps(record) + "\n")
    for name, model in result.models.items():
        save_recurrent(model, out / "models" / name)


@prove_app.command("demo")
def demo_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Directory for report.html, report.md, results.json and artifacts."
        ),
    ],
    quick: Annotated[
        bool,
        typer.Option("--quick", help="A smaller setup (about 20 s) for tests and a first look."),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 7,
    keying: Annotated[
        str,
        typer.Option(help="'account' (one key per account) or 'campaign' (one key per campaign)."),
    ] = "",
) -> None:
    """Run the radioactivity experiment end to end and write a report.

    Trains a tiny teacher, serves it with per-account watermarks, trains students on a
    campaign's harvest and on clean text, and tests them.

    Writes a report with p-values for the campaign's students, clean students, wrong keys
    and a run without de-duplication, the campaign's rank among all candidate keys, and the
    perplexity cost of the watermark. The demo uses a public demo secret.

    Example: distillguard prove demo --out demo-report
    """
    _require_torch()
    import dataclasses

    from distillguard.watermark.experiment import DEMO_SECRET, DemoSettings, run_demo
    from distillguard.watermark.report import targets, write_report

    settings = DemoSettings.quick(seed) if quick else DemoSettings.full(seed)
    if keying:
        if keying not in ("account", "campaign"):
            raise DistillguardError(f"--keying must be 'account' or 'campaign', got {keying!r}")
        settings = dataclasses.replace(settings, keying=keying)
    out.mkdir(parents=True, exist_ok=True)
    with _rich_progress() as reporter:
        result = run_demo(settings, reporter)
    paths = write_report(result, out)
    _write_demo_artifacts(result, out)
    for name, measured, met in targets(result):
        mark = "[green]met[/green]" if met else "[red]not met[/red]"
        console.print(f"{mark}  {terminal_safe(name, 100)}: {terminal_safe(measured, 100)}")
    console.print(f"report: {terminal_safe(str(paths['html']), 200)}")
    console.print(f"demo secret for the other commands: {SECRET_ENV}={DEMO_SECRET.decode()}")


def _pad(documents: Sequence[Document]) -> np.ndarray:
    import numpy as np

    length = max(doc.tokens.shape[0] for doc in documents)
    padded = np.zeros((len(documents), length), dtype=np.int64)
    for row, doc in enumerate(documents):  # documents of one input file
        padded[row, : doc.tokens.shape[0]] = doc.tokens
    return padded


@prove_app.command("radioactivity")
def radioactivity_command(
    key_set: KeySetOption,
    served: Annotated[
        Path | None,
        typer.Option(
            help="Open-weight mode: JSON Lines of served outputs with 'account_id' (or "
            "'key_id') and 'token_ids' or 'response'."
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            help="Open-weight mode: the suspect (a local Hugging Face safetensors "
            "directory or a distillguard model directory)."
        ),
    ] = None,
    generated: Annotated[
        Path | None,
        typer.Option(
            help="Closed mode: JSON Lines or text the suspect wrote ('text' or "
            "'token_ids', optional 'prompt')."
        ),
    ] = None,
    tokenizer: Annotated[
        Path | None,
        typer.Option(
            help="The serving tokenizer (tokenizer.json or a local Hugging Face directory)."
        ),
    ] = None,
    secret_file: SecretOption = None,
    top_k: Annotated[
        int,
        typer.Option("--top-k", help="Open-weight mode: score the suspect's top-k predictions."),
    ] = 1,
    no_dedup: Annotated[
        bool,
        typer.Option(
            "--no-dedup", help="Skip de-duplication (invalid p-values; to show why it matters)."
        ),
    ] = False,
    gamma: GammaOption = WatermarkConfig.gamma,
    context_width: WidthOption = WatermarkConfig.context_width,
    top: TopOption = 10,
    json_out: JsonOption = None,
) -> None:
    """Test a suspect model for each key's watermark: p-values per key and campaign.

    Open-weight mode (--model with --served) reads the texts served under each key through
    the suspect and scores its predictions; closed mode (--generated) scores text the
    suspect wrote under every key.

    Example:

        distillguard prove radioactivity --key-set keys.csv --served served.jsonl
        --model suspect/ --tokenizer tokenizer.json
    """
    import numpy as np

    from distillguard.watermark.inputs import load_tokenizer, read_documents
    from distillguard.watermark.radioactivity import score_per_key_texts, score_shared_texts

    config = WatermarkConfig(gamma=gamma, context_width=context_width)
    keys = _keys(key_set, secret_file)
    text_tokenizer = load_tokenizer(tokenizer) if tokenizer is not None else None
    if (model is None) != (served is None) or (model is None and generated is None):
        raise DistillguardError(
            "give --model with --served (open-weight mode), or --generated (closed mode)"
        )
    results = []
    if model is not None and served is not None:
        _require_torch()
        from distillguard.watermark.lm import load_suspect, top_predictions

        documents = read_documents(served, text_tokenizer)
        position = {key.key_id: index for index, key in enumerate(keys)}
        position.update({key.account_id: index for index, key in enumerate(keys) if key.account_id})
        documents = [doc for doc in documents if doc.key_id in position]
        if not documents:
            raise DistillguardError(f"{served}: no served output belongs to a key of the key set")
        padded = _pad(documents)
        predictions = top_predictions(load_suspect(model), padded, top_k)
        lengths = [doc.tokens.shape[0] for doc in documents]
        results.append(
            score_per_key_texts(
                [doc.tokens for doc in documents],
                [predictions[row, :n] for row, n in enumerate(lengths)],
                np.array([position[str(doc.key_id)] for doc in documents]),
                keys,
                config,
                start=[doc.start for doc in documents],
                dedup=not no_dedup,
            )
        )
    if generated is not None:
        documents = read_documents(generated, text_tokenizer, per_line=True)
        if not documents:
            raise DistillguardError(f"{generated}: no text to test")
        results.append(
            score_shared_texts(
                [doc.tokens for doc in documents],
                None,
                keys,
                config,
                start=[doc.start for doc in documents],
                dedup=not no_dedup,
            )
        )
    for result in results:
        console.print(
            _score_table(
                f"{result.mode}: keys",
                result.keys,
                top,
                {key.key_id: key.campaign_id or "" for key in keys},
            )
        )
        console.print(
            _score_table(f"{result.mode}: campaigns (keys pooled)", result.groups, min(top, 5))
        )
    _write_json(json_out, [result.summary(top=len(keys)) for result in results])
