"""`dailies data prune [--dry-run]`: apply the retention policy to the data folder now (JSON report)."""

from __future__ import annotations

import argparse
import json

from bots.cli.errors import UserError
from bots.settings import Settings
from tools.retention import prune


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="the data folder: `dailies data prune` applies the retention policy")
    sub = parser.add_subparsers(dest="data_command", required=True)
    pruning = sub.add_parser(
        "prune",
        help="delete media older than DAILIES_RETENTION_DAYS or past DAILIES_MEDIA_BUDGET_GB, and old finished jobs",
    )
    pruning.add_argument("--dry-run", action="store_true", help="say what would go; delete nothing")
    pruning.set_defaults(func=run_prune)


def run_prune(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.data_dir.is_dir():
        raise UserError(f"no data folder at {settings.data_dir} (DAILIES_DATA_DIR)")
    settings.ensure_data_dir()
    policy = settings.retention_policy()
    report = prune(settings.media_dir, settings.jobs_path, policy, dry_run=args.dry_run)
    print(
        json.dumps(
            {
                "dry_run": args.dry_run,
                "files_deleted": report.files,
                "bytes_deleted": report.bytes,
                "jobs_deleted": report.jobs,
                "media_bytes_kept": report.kept_bytes,
                "retention_days": policy.max_age_days,
                "media_budget_bytes": policy.media_budget_bytes,
            }
        )
    )
    return 0
