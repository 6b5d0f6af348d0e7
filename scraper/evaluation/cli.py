"""``scraper eval``: score the extractor on annotated pages and gate on floors.

A thin click layer over dataset (loading), runner (extracting, timing),
report (scoring, printing) and floors (the gate). ``eval_command`` is
registered in ``scraper/cli.py``; ``python -m scraper.evaluation`` runs it too.
"""

from __future__ import annotations

import json
import sys
import tomllib
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from . import floors as floors_mod
from . import report
from .dataset import ENV_DIR, Dataset, default_eval_dir, find_datasets
from .runner import BARE, COMPARISONS, DEFAULT_EXTRACTOR, OURS, Candidate, PageRun, bare_parse, ours, \
    run_pages, warm_up

WARM_UP_PAGES = 3
MAX_LISTED = 10


def _datasets(dirs: tuple[Path, ...], names: tuple[str, ...]) -> list[Dataset]:
    if not dirs:
        default = default_eval_dir()
        if default is None:
            raise click.ClickException(
                f"no evaluation data found: pass DIR, or set {ENV_DIR}, or put it at ../shared/eval")
        dirs = (default,)
    try:
        datasets = find_datasets(list(dirs))
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if names:
        known = {d.name for d in datasets}
        unknown = sorted(set(names) - known)
        if unknown:
            raise click.ClickException(f"unknown dataset {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        datasets = [d for d in datasets if d.name in names]
    return datasets


def _candidates(extractor: str, compare: tuple[str, ...], site_rules: bool) -> list[Candidate]:
    try:
        candidates = [bare_parse(), ours(extractor, site_rules)]
        candidates += [COMPARISONS[name]() for name in compare]
    except (ImportError, AttributeError, RuntimeError) as exc:
        raise click.ClickException(f"cannot load an extractor: {exc}") from exc
    return candidates


def _progress(total: int, name: str):
    if not sys.stderr.isatty():
        return None
    done = [0]

    def tick(_: PageRun) -> None:
        done[0] += 1
        click.echo(f"\r{name}: {done[0]}/{total}", err=True, nl=done[0] == total)

    return tick


def _worst(scores: report.Scores, count: int) -> str:
    lines = []
    for metric, pages in scores.per_page.items():
        bad = sorted((v, pid) for pid, v in pages.items() if v < 1.0)[:count]
        if bad:
            lines.append(f"  worst {metric}: " + ", ".join(f"{pid} ({v:.2f})" for v, pid in bad))
    return "\n".join(lines)


def _page_details(run: PageRun, scores: dict[str, report.Scores]) -> dict:
    """One page's line in --details: truth-free answers, per-field scores, time."""
    out: dict = {"dataset": run.page.dataset, "id": run.page.id, "url": run.page.url}
    for name, prediction in run.predictions.items():
        entry: dict = {"ms": round(run.seconds[name] * 1000, 2)}
        if name in scores:
            entry["scores"] = {m: pages[run.page.id] for m, pages in scores[name].per_page.items()
                               if run.page.id in pages}
            entry.update(title=prediction.title, authors=prediction.authors,
                         published=prediction.published.value.isoformat() if prediction.published else None,
                         images=prediction.images, body=prediction.body,
                         error=prediction.error or prediction.crash)
        out[name] = entry
    return out


def _speed_json(speed: report.Speed) -> dict:
    return {**asdict(speed), "pages_per_s": speed.pages_per_s, "mb_per_s": speed.mb_per_s}


@click.command("eval")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--compare", type=click.Choice(sorted(COMPARISONS)), multiple=True,
              help="Also run this extractor on the same pages in the same process (pip install -e '.[compare]').")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of tables.")
@click.option("--floors", "floors_path", type=click.Path(dir_okay=False, path_type=Path),
              default=floors_mod.DEFAULT_FLOORS, show_default=True, help="The pinned floors to check.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the first N pages of each dataset (floors are then not checked).")
@click.option("--dataset", "names", multiple=True, help="Only this dataset (repeatable).")
@click.option("--write-floors", is_flag=True,
              help="Raise the floors to the current scores minus --margin (never lowers one).")
@click.option("--margin", type=float, default=floors_mod.DEFAULT_MARGIN, show_default=True,
              help="Slack left below the current scores by --write-floors.")
@click.option("--extractor", default=DEFAULT_EXTRACTOR, show_default=True,
              help="The extraction function to score, as module:function taking (html, url).")
@click.option("--site-rules", is_flag=True,
              help="Let the extractor use its built-in site rules (by default the generic engine alone is scored).")
@click.option("--details", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write one JSON line per page: each extractor's answers, scores and time.")
@click.option("--worst", type=click.IntRange(min=0), default=0,
              help="List the N worst-scoring pages of each field, for our extractor.")
def eval_command(dirs: tuple[Path, ...], compare: tuple[str, ...], as_json: bool, floors_path: Path,
                 limit: int | None, names: tuple[str, ...], write_floors: bool, margin: float,
                 extractor: str, site_rules: bool, details: Path | None, worst: int) -> None:
    """Score the extractor on annotated pages and compare it with its floors.

    DIR is a dataset (a directory with manifest.json) or a directory of
    datasets; the default is $SCRAPER_EVAL_DIR, else ../shared/eval. Prints a
    table per dataset (a row per field), then the speed of the extraction call
    against a bare lexbor parse (and the --compare extractors). Exits 1 when a
    score is below its floor or the extractor raised anything but our own
    ExtractError.
    """
    if write_floors and limit:
        raise click.UsageError("--write-floors needs whole datasets: drop --limit")
    datasets = _datasets(dirs, names)
    candidates = _candidates(extractor, compare, site_rules)
    try:
        floors = floors_mod.load(floors_path)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    first = next((d for d in datasets if d.entries), None)
    if first:
        warm_up(candidates, list(first.pages(WARM_UP_PAGES)))

    results: list[DatasetResult] = []
    with details.open("w", encoding="utf-8") if details else _nowhere() as details_file:
        for dataset in datasets:
            result = _evaluate(dataset, candidates, limit)
            results.append(result)
            for run in result.runs if details_file else ():
                details_file.write(json.dumps(_page_details(run, result.scores), ensure_ascii=False) + "\n")
            if not as_json:
                click.echo(_dataset_text(result, floors, worst))

    overall = {c.name: s for c in candidates if (s := report.speed([r for x in results for r in x.runs], c.name))}
    ours_scores = {r.name: {m: v.value for m, v in r.scores[OURS].metrics.items()} for r in results}
    crashes = [f"{r.name}/{pid}: {msg}" for r in results for pid, msg in r.scores[OURS].crashes]
    failures = [] if limit else floors_mod.check(floors, ours_scores)
    if write_floors:
        floors_mod.write(floors_path, floors_mod.raise_floors(floors, ours_scores, margin))
    if as_json:
        doc = {"datasets": {r.name: r.to_json() for r in results},
               "speed": {name: _speed_json(s) for name, s in overall.items()},
               "floors": {"path": str(floors_path), "checked": not limit,
                          "failures": [str(f) for f in failures], "crashes": crashes}}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        if overall:
            click.echo(report.speed_table("all datasets", overall))
        _echo_gate(failures, crashes, limit, write_floors, floors_path)
    if failures or crashes:
        sys.exit(1)


@dataclass
class DatasetResult:
    """One dataset's runs, each extractor's scores and speed."""

    name: str
    runs: list[PageRun]
    scores: dict[str, report.Scores]
    speeds: dict[str, report.Speed]

    def to_json(self) -> dict:
        return {
            "pages": len(self.runs),
            "scores": {name: {m: asdict(v) for m, v in s.metrics.items()} for name, s in self.scores.items()},
            "errors": {name: len(s.errors) for name, s in self.scores.items()},
            "crashes": {name: s.crashes for name, s in self.scores.items()},
            "speed": {name: _speed_json(s) for name, s in self.speeds.items()},
        }


def _evaluate(dataset: Dataset, candidates: list[Candidate], limit: int | None) -> DatasetResult:
    total = len(dataset.entries) if limit is None else min(limit, len(dataset.entries))
    runs = run_pages(candidates, dataset.pages(limit), _progress(total, dataset.name))
    scores = {c.name: report.score(runs, c.name) for c in candidates if c.scored}
    speeds = {c.name: s for c in candidates if (s := report.speed(runs, c.name))}
    return DatasetResult(dataset.name, runs, scores, speeds)


def _dataset_text(result: DatasetResult, floors: dict[str, dict[str, float]], worst: int) -> str:
    """The score table, pages that raised ExtractError, the worst pages, speed."""
    parts = [report.score_table(result.name, len(result.runs), result.scores, floors.get(result.name, {}),
                                floors_mod.TARGETS.get(result.name, {}))]
    for name, s in result.scores.items():
        if s.errors:
            parts.append(f"{name}: {len(s.errors)} pages raised ExtractError (counted as wrong answers)")
            parts += [f"  {page_id}: {message[:160]}" for page_id, message in s.errors[:MAX_LISTED]]
    if worst:
        parts.append(_worst(result.scores[OURS], worst))
    if result.speeds:
        parts.append(report.speed_table(result.name, result.speeds))
    return "\n".join(p for p in parts if p) + "\n"


@contextmanager
def _nowhere():
    yield None


def _echo_gate(failures, crashes, limit, write_floors, floors_path) -> None:
    click.echo()
    for crash in crashes:
        click.echo(f"CRASH {crash}")
    for failure in failures:
        click.echo(f"BELOW FLOOR {failure}")
    if limit:
        click.echo("floors not checked: --limit scores only part of each dataset")
    elif not failures and not crashes:
        click.echo(f"every score is at or above its floor ({floors_path})")
    if write_floors:
        click.echo(f"floors raised where the scores allow: {floors_path}")


__all__ = ["eval_command"]
