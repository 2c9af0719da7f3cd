"""scripts/start_postgres.sh finds a PostgreSQL server, and does not take the psql client's folder for one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "start_postgres.sh"


def _executables(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text("#!/bin/sh\nexit 1\n")
        (folder / name).chmod(0o755)
    return folder


def _install(lib: Path, tools: Path) -> subprocess.CompletedProcess[str]:
    # No apt-get on PATH: the script must decide from what is installed, without installing anything.
    env = {"PATH": str(tools), "PG_LIB_DIR": str(lib)}
    return subprocess.run(
        ["/bin/bash", str(SCRIPT), "--install"], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_only_a_folder_with_a_server_counts(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("ls", "sort", "id"):
        (tools / name).symlink_to(shutil.which(name))
    lib = tmp_path / "postgresql"
    _executables(lib / "15" / "bin", "psql", "pg_dump")  # what postgresql-client-15 installs
    done = _install(lib, tools)
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("no PostgreSQL server found")
    server = _executables(lib / "13" / "bin", "initdb", "pg_ctl", "postgres", "psql")
    done = _install(lib, tools)
    assert (done.returncode, done.stdout.strip()) == (0, str(server)), done.stderr
