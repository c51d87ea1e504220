#!/usr/bin/env python3
"""Set up Leerbot's virtual environment on demand, then run the bot or the test suite.

    python3 dev.py run [leerbot arguments]   start Leerbot locally (embedded SQLite, sample data)
    python3 dev.py test [pytest arguments]   run the full test suite (one worker per core)
    python3 dev.py lint                      run ruff over the project

Only the Python standard library is used here, so this works on a fresh machine with just
Python 3.11+. The environment lives in ``.venv`` and is reinstalled only when
``pyproject.toml`` or ``constraints.txt`` change.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".leerbot-install"


def _say(text: str) -> None:
    print(f"[dev] {text}", file=sys.stderr, flush=True)


def _pick_python() -> str:
    """Python 3.11 is botbuilder's supported maximum: prefer it when it is on the PATH."""
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if found:
        return found
    if sys.version_info[:2] < (3, 11):  # noqa: UP036 - dev.py may run on an older Python
        sys.exit("Leerbot needs Python 3.11 or newer (3.11 preferred); this is "
                 f"{sys.version.split()[0]}.")
    _say(f"python3.11 not found; using Python {sys.version.split()[0]} (3.11 is the target).")
    return sys.executable


def _fingerprint(extras: str) -> str:
    digest = hashlib.sha256(extras.encode())
    for name in ("pyproject.toml", "constraints.txt"):
        path = ROOT / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_env(extras: str) -> None:
    """Create .venv and install the project (with ``extras``) unless already current."""
    if not PY.exists():
        python = _pick_python()
        _say(f"creating virtual environment in {VENV}")
        if python == sys.executable:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        else:
            subprocess.run([python, "-m", "venv", "--clear", str(VENV)], check=True)
    wanted = _fingerprint(extras)
    have = STAMP.read_text() if STAMP.exists() else ""
    # A test environment also serves `run`; never downgrade it.
    if have == wanted or (extras == "" and have == _fingerprint("dev")):
        return
    _say("installing Leerbot and its dependencies (first run only)")
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "-q"]
    target = f".[{extras}]" if extras else "."
    cmd = [*pip, "install", "-e", target]
    if (ROOT / "constraints.txt").exists():
        cmd += ["-c", str(ROOT / "constraints.txt")]
    subprocess.run(cmd, check=True, cwd=ROOT)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "run":
        ensure_env("")
        leerbot = BIN / ("leerbot.exe" if os.name == "nt" else "leerbot")
        return subprocess.call([str(leerbot), *(rest or ["chat"])], cwd=ROOT)
    if command == "test":
        ensure_env("dev")
        # one worker per core (pytest-xdist); "-n 0" or "-p no:xdist" runs in this process
        chosen = any(a.startswith(("-n", "--numprocesses")) or a == "no:xdist" for a in rest)
        spread = [] if chosen else ["-n", "auto"]
        return subprocess.call([str(PY), "-m", "pytest", *spread, *rest], cwd=ROOT)
    if command == "lint":
        ensure_env("dev")
        return subprocess.call([str(PY), "-m", "ruff", "check", "."], cwd=ROOT)
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
