"""The systemd units in deploy/: every timer starts a service, every job names a real command.

A timer whose service is missing, or a service that calls a command renamed by a release, fails
silently at night (no reminders, no purge, no backup). These checks run without systemd.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def _exec_starts(path: Path) -> list[str]:
    """Every ExecStart= line (configparser keeps only the last of repeated keys)."""
    return re.findall(r"^ExecStart=(.+)$", path.read_text(), flags=re.MULTILINE)


def _service_of(timer: Path) -> Path:
    unit = _unit(timer)
    name = unit.get("Timer", "Unit", fallback=timer.with_suffix(".service").name)
    return DEPLOY / name


TIMERS = sorted(DEPLOY.glob("*.timer"))
SERVICES = sorted(DEPLOY.glob("*.service"))


def test_the_jobs_the_guide_names_each_have_a_timer():
    commands = {
        cmd
        for timer in TIMERS
        for line in _exec_starts(_service_of(timer))
        for cmd in re.findall(r"manage\.py (\w+)", line)
    }
    assert {
        "review_reminders",
        "purge_feedback",
        "purge_listing_updates",
        "import_nppes",
        "backup",
    } <= commands


@pytest.mark.parametrize("timer", TIMERS, ids=lambda p: p.name)
def test_every_timer_starts_a_shipped_service_and_is_enabled_by_timers_target(timer):
    unit = _unit(timer)
    assert unit.get("Timer", "OnCalendar", fallback=""), f"{timer.name} has no OnCalendar"
    assert unit.get("Install", "WantedBy") == "timers.target"
    service = _service_of(timer)
    assert service.exists(), f"{timer.name} starts {service.name}, which deploy/ does not ship"
    assert _unit(service).get("Service", "Type") == "oneshot"


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_every_management_command_a_service_runs_exists(service):
    available = set(get_commands())
    lines = _exec_starts(service)
    assert lines, f"{service.name} has no ExecStart"
    for line in lines:
        for command in re.findall(r"manage\.py (\w+)", line):
            assert command in available, f"{service.name} runs manage.py {command}, which does not exist"
        assert "EnvironmentFile=/srv/guide/env" in service.read_text(), "jobs need the site's environment"


def test_the_app_service_reloads_gracefully():
    """deploy/upgrade reloads (HUP) instead of restarting, so no request is dropped."""
    unit = _unit(DEPLOY / "dryneedling.service")
    assert unit.get("Service", "ExecReload") == "/bin/kill -HUP $MAINPID"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("unit", [*TIMERS, *SERVICES], ids=lambda p: p.name)
def test_systemd_reads_every_unit_without_a_syntax_complaint(unit):
    # Paths of the target server (/srv/guide/...) and its users do not exist here: only
    # complaints about the unit's own syntax count.
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True
    )
    syntax = [
        line
        for line in result.stderr.splitlines()
        if re.search(r"Unknown (key|section)|Invalid|Failed to parse|bad unit file setting", line)
    ]
    assert syntax == []
