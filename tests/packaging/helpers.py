"""Shared by the packaging tests: a user's empty home (data and config folders), and
starting the window offscreen to see that it comes up and stays up."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

SAMPLE = Path("Tessera") / "Sample project.tessera"  # under the user's data folder


def user_env(home: Path, path: str | None = None) -> dict[str, str]:
    """An environment whose user has nothing yet: own HOME, data and config folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    for name, sub in (("HOME", ""), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config")):
        folder = home / sub if sub else home
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["QT_QPA_PLATFORM"] = "offscreen"
    if path is not None:
        env["PATH"] = path
    return env


def window_stays_up(argv: list[str], env: dict[str, str], cwd: Path, seconds: float = 6.0):
    """Start the window; return (still running after ``seconds``, its stderr). A window
    that cannot start exits early with its reason on stderr."""
    with subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        alive = proc.poll() is None
        if alive:
            proc.terminate()
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    return alive, err
