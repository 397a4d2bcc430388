"""``bantin reports``: take in the districts' reports and show who reported, late or not at all."""

from __future__ import annotations

import json

import click

from archive import reporters
from archive.errors import UsageError
from bantin.common import State, pass_state


@click.command("reports")
@click.option("--review", "review_code", default="", help="Review code of reporters.toml (default: the last).")
@click.option("--force", is_flag=True, help="Read every report again, even unchanged ones.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per unit.")
@pass_state
def reports(state: State, review_code: str, force: bool, as_json: bool) -> None:
    """Read scans/reports/<review>/<unit>.* (PDF, Word, scans) and list every unit of
    reporters.toml as received, late or missing against the review's deadline."""
    from indexer.reports import intake  # deferred: the extractors' libraries

    config = state.config()
    register = reporters.load_register(config.home)
    with state.catalog(config) as catalog:
        result = intake(catalog, config, force=force)
        if not register.reviews:
            raise UsageError(f"{config.home / reporters.REGISTER} names no review: add [[review]] code, name, "
                             "deadline and [[unit]] code, name (see README, District reports)")
        review = register.review(review_code) if review_code else register.reviews[-1]
        if review is None:
            raise UsageError(f"no review {review_code!r} in reporters.toml; there are: "
                             + ", ".join(r.code for r in register.reviews))
        rows = reporters.statuses(catalog, register, review.code)
        for line in result.failed:
            click.echo(f"not read: {line}", err=True)
        if as_json:
            for s in rows:
                figures = reporters.figures(catalog, s.report["id"]) if s.report else {}
                click.echo(json.dumps({
                    "review": review.code, "unit": s.unit.code, "name": s.unit.name, "status": s.status,
                    "received": s.received or None, "deadline": review.deadline, "days_late": s.days_late,
                    "file": s.report["path"] if s.report else None,
                    "figures": {k: {"machine": v["machine"], "value": v["value"]} for k, v in figures.items()},
                }, ensure_ascii=False))
            return
        click.echo(f"{review.name} — hạn nộp {review.deadline}")
        for s in rows:
            late = f" ({s.days_late} ngày)" if s.days_late else ""
            click.echo(f"  {s.unit.name:<28} {reporters.STATUS_LABELS[s.status]}{late}  {s.received}")
        counts = {k: sum(1 for s in rows if s.status == k) for k in reporters.STATUS_LABELS}
        click.echo(f"reports: {result.read} read, {result.current} current, {len(result.failed)} failed; "
                   f"{counts['received']} on time, {counts['late']} late, {counts['missing']} missing")
