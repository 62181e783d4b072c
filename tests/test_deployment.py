"""Deployment without Docker: the Dockerfile linted by a small parser, and its exact CMD started with the
compose file's environment against the test PostGIS (two processes on different ports, one database)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from geo.upload import ingest
from tests import pgserver
from tests.conftest import REPO

BASE = "python:3.11-slim-bookworm"


def instructions(path: Path = REPO / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    found, pending = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, rest = line.partition(" ")
        found.append((keyword.upper(), rest.strip()))
    return found


def args(instruction: str) -> list[str]:
    return [rest for keyword, rest in instructions() if keyword == instruction]


def env_of_dockerfile() -> dict[str, str]:
    env: dict[str, str] = {}
    for rest in args("ENV"):
        env |= dict(re.findall(r'(\w+)=("[^"]*"|\S+)', rest))
    return {k: v.strip('"') for k, v in env.items()}


def test_the_dockerfile_builds_on_a_pinned_slim_python_and_never_latest():
    first = instructions()[0]
    assert first[0] == "FROM" and (first[1] == BASE or first[1].startswith(BASE + "@sha256:")), first
    assert all(":latest" not in rest and ":" in rest.split("@")[0] for rest in args("FROM"))
    assert not any(rest.split("@")[0].endswith(":latest") for rest in args("FROM"))
    assert not [rest for rest in args("ADD") if "://" in rest], "no downloads with ADD"


def test_the_dockerfile_runs_as_a_non_root_user_with_a_health_check():
    users = args("USER")
    assert users and users[-1].split(":")[0] not in ("root", "0"), users
    assert [k for k, _ in instructions()].index("USER") < [k for k, _ in instructions()].index("CMD")
    healthchecks = args("HEALTHCHECK")
    assert len(healthchecks) == 1 and "/_stcore/health" in healthchecks[0]
    assert "8501" in args("EXPOSE")[0]
    for rest in args("RUN"):
        if "pip install" in rest:
            assert "--no-cache-dir" in rest and "-r requirements.txt" in rest  # pinned versions only
        assert "sudo" not in rest and "curl" not in rest and "wget" not in rest


def test_the_dockerfile_starts_the_launcher():
    (cmd,) = args("CMD")
    assert json.loads(cmd) == ["streamlit", "run", "serve.py"]  # exec form: signals reach Streamlit


def test_compose_starts_the_app_with_postgis():
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    assert compose["services"]["db"]["image"] == "postgis/postgis:15-3.3"
    app = compose["services"]["app"]
    assert app["build"] == "." and app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["FLAECHENPOOL_DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in app["environment"]["FLAECHENPOOL_DATABASE_URL"]


def test_every_setting_the_code_reads_is_in_the_readme_table():
    code = "".join(p.read_text(encoding="utf-8") for folder in ("geo", "ui") for p in (REPO / folder).rglob("*.py"))
    code += (REPO / "serve.py").read_text(encoding="utf-8")
    names = set(re.findall(r"FLAECHENPOOL_[A-Z_]*[A-Z]\b", code)) - {"FLAECHENPOOL_LAUNCHER"}  # serve.py sets it
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Settings"):]
    documented = set()
    for row in table.splitlines():
        full = re.findall(r"`(FLAECHENPOOL_[A-Z_]+)`", row)
        documented |= set(full)
        if full:  # `FLAECHENPOOL_SMTP_HOST`, `_PORT`, … in one row
            documented |= {full[0].rsplit("_", 1)[0] + short for short in re.findall(r"`(_[A-Z_]+)`", row)}
    missing = sorted(names - documented)
    assert not missing, missing
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    assert set(compose["services"]["app"]["environment"]) <= names


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _compose_env(database_url: str, data: Path) -> dict[str, str]:
    """The app's environment as compose gives it, with the test database and a test folder for /daten."""
    given = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))["services"]["app"]["environment"]
    env = {k: str(v) for k, v in given.items()}
    env |= {"FLAECHENPOOL_DATABASE_URL": database_url, "FLAECHENPOOL_SECRET": "test-geheimnis-" + "x" * 32,
            "FLAECHENPOOL_DATA": str(data), "FLAECHENPOOL_OFFLINE": "1"}
    return env


@contextlib.contextmanager
def _started(env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    (cmd,) = args("CMD")
    argv = json.loads(cmd)
    argv[0] = str(Path(sys.executable).with_name(argv[0]))  # the image's PATH has it; here the virtualenv's
    port = _free_port()
    full = {**os.environ, **env_of_dockerfile(), **env, "STREAMLIT_SERVER_PORT": str(port),
            "STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=REPO, env=full, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _healthy(proc: subprocess.Popen[bytes], url: str, log: Path, deadline_s: float = 90) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        assert proc.poll() is None, log.read_text(errors="replace")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"not healthy in {deadline_s} s:\n{log.read_text(errors='replace')}")


def test_the_image_command_starts_two_apps_on_one_postgis(postgis_databases: pgserver.Databases, tmp_path):
    with postgis_databases.fresh(pgserver.Databases.DEMO) as url:
        env = _compose_env(url, tmp_path / "daten")
        (tmp_path / "daten").mkdir()
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        with _started(env, logs[0]) as (a, url_a), _started(env, logs[1]) as (b, url_b):
            _healthy(a, url_a, logs[0])
            _healthy(b, url_b, logs[1])
            for base in (url_a, url_b):
                with urllib.request.urlopen(f"{base}/anmeldung", timeout=10) as resp:  # the launcher's own route
                    assert resp.status == 200 and "Anmeldung" in resp.read().decode("utf-8")
                with urllib.request.urlopen(f"{base}/", timeout=10) as resp:
                    assert resp.status == 200
        checked = subprocess.run([sys.executable, "-m", "geo", "verify"], cwd=REPO, capture_output=True, text=True,
                                 env={**os.environ, **env_of_dockerfile(), **env}, timeout=120)
        assert checked.returncode == 0 and "Keine Befunde" in checked.stdout, checked.stderr
        for log in logs:
            text = log.read_text(errors="replace")
            assert "Traceback" not in text, text


def test_streamlit_accepts_uploads_up_to_the_apps_own_limit_and_no_more():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == ingest.MAX_UPLOAD_BYTES
