"""Named crash points for the exactly-once tests: SIGKILL this process where DISBURSE_CRASH_POINT says.

Rails and the payment service call ``crash_point(name)`` at the moments a crash would hurt most (after a file is
written, before the submission is recorded, …). In production the variable is unset and each call is one
environment look-up.
"""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("DISBURSE_CRASH_POINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
