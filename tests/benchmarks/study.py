"""What the tests of the stored studies share: running a study script in its reduced form."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_quick(script, out):
    """Run `script --quick` writing to `out` -> (what it printed, the study it wrote)."""
    done = subprocess.run([sys.executable, str(script), "--quick", "--no-progress", "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(Path(out).read_text())
