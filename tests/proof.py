"""``make proof``: loosen each rule in turn and check that the suite notices.

For every permission the portal declares, and every scoping read, the suite
runs once with that one rule loosened (``tests/mutants.py``): the permission
allows everyone, the scope returns everything. A run that still passes is a
**survivor**: a rule no test proves. The target is none.

Each run stops at its first failure (``-x``) and starts with the tests most
likely to notice (the access matrix, the moves, the services' permission
tests), so a killed mutant costs seconds, a survivor a whole run of the
suite without browser and real-service tests. A baseline run without any
mutant comes first: a suite that fails on its own proves nothing.

    python tests/proof.py [--jobs 2] [--quick] [--only SUBSTRING]

``--quick`` runs only the rule-dense tests (for a first look). The report is
printed and written to ``var/proof-report.txt``; the exit code is 1 when a
mutant survived or could not be run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST = [
    "tests/assessments/test_moves_matrix.py",
    "tests/clusters/test_services.py",
    "tests/assessments/test_workflow_access.py",
    "tests/test_access_matrix.py",
]
QUICK = [
    *FIRST,
    "tests/test_leak_canaries.py",
    "tests/test_scope_agreement.py",
    "tests/billing",
    "tests/labels/test_verify_search.py",
    "tests/test_security_proxy.py",
    "tests/privacy",
    "tests/assessments/test_work_queues.py",
    "tests/labels/test_statistics.py",
    "tests/test_admin_guard.py",
    "tests/assessments/test_result_disclosure.py",
    "tests/assessments/test_workflow.py",
    "tests/labels/test_services.py",
    "tests/clusters",
]
ALL = [*FIRST, "tests", "--ignore=tests/e2e"]


@dataclass(frozen=True)
class Outcome:
    mutant: str
    verdict: str  # killed, SURVIVED, ERROR
    seconds: float
    by: str  # the first test that failed


def _pytest(mutant: str, targets: list[str]) -> tuple[int, str, float]:
    env = {**os.environ, "PROOF_MUTANT": mutant}
    # The embedded default: each run has its own in-memory SQLite database and
    # runs tasks in process, so parallel runs share nothing.
    for name in ("REQUIRE_SERVICES", "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "not services and not browser",
        *targets,
    ]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def _first_failure(output: str) -> str:
    found = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
    return found.group(1) if found else ""


def run_mutant(mutant: str, targets: list[str]) -> Outcome:
    code, output, seconds = _pytest(mutant, targets)
    if code == 0:
        return Outcome(mutant, "SURVIVED", seconds, "")
    if code == 1:
        return Outcome(mutant, "killed", seconds, _first_failure(output))
    return Outcome(mutant, "ERROR", seconds, output.strip().splitlines()[-1] if output.strip() else f"exit {code}")


def mutants(only: str) -> list[str]:
    """The mutant names, read in a Django process of their own (the permissions are registered at start)."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'escaportal.settings'); django.setup(); "
        "import escaportal.urls; from tests.mutants import mutant_names; print('\\n'.join(mutant_names()))"
    )
    names = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [name for name in names if only in name]


def report(outcomes: list[Outcome], seconds: float) -> str:
    survivors = [o for o in outcomes if o.verdict != "killed"]
    lines = [
        f"make proof: {len(outcomes)} mutants, {len(outcomes) - len(survivors)} killed, "
        f"{sum(o.verdict == 'SURVIVED' for o in outcomes)} survived, "
        f"{sum(o.verdict == 'ERROR' for o in outcomes)} could not run; {seconds / 60:.1f} minutes",
        "",
    ]
    lines += [f"{o.verdict:<8} {o.seconds:6.1f} s  {o.mutant}  {o.by}" for o in outcomes]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="only the rule-dense tests")
    parser.add_argument("--only", default="", help="only the mutants whose name contains this")
    arguments = parser.parse_args()
    targets = QUICK if arguments.quick else ALL
    started = time.monotonic()

    baseline = _pytest("", targets)
    if baseline[0] != 0:
        print(baseline[1][-3000:])
        print("make proof: the suite fails without any mutant; fix it first.")
        return 2
    names = mutants(arguments.only)
    print(f"make proof: baseline passed in {baseline[2]:.0f} s; {len(names)} mutants, {arguments.jobs} at a time")
    with ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
        outcomes = []
        for outcome in pool.map(lambda name: run_mutant(name, targets), names):
            print(f"  {outcome.verdict:<8} {outcome.seconds:6.1f} s  {outcome.mutant}", flush=True)
            outcomes.append(outcome)
    text = report(outcomes, time.monotonic() - started)
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "proof-report.txt").write_text(text)
    print(text)
    return 0 if all(o.verdict == "killed" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
