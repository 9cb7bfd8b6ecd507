"""The statuses and severities of evidence results (shared by :mod:`mptool.core.model` and its
pydantic mirror :mod:`mptool.core.model_schema`)."""

from __future__ import annotations

import enum

SCHEMA_ID = "mptool.evidence/1"


class Status(str, enum.Enum):
    """Outcome of one check on one subject."""

    PASS = "pass"  #: the check ran and the subject meets the requirement
    FAIL = "fail"  #: the check ran and the subject violates the requirement
    WARN = "warn"  #: a SHOULD-level problem or a weak but permitted choice
    INFO = "info"  #: a fact recorded as evidence, no judgement
    NA = "na"  #: the check does not apply to this subject
    SKIPPED = "skipped"  #: not run: the backend lacks the feature (reason in findings)
    ERROR = "error"  #: the check itself failed to run (bug or unexpected input)


class Severity(str, enum.Enum):
    """Severity of one finding."""

    ERROR = "error"  #: violates a MUST; makes the result fail
    WARN = "warn"  #: violates a SHOULD or is weak
    INFO = "info"  #: informative


#: Order of statuses from best to worst, used to compute the summary status.
STATUS_RANK: dict[Status, int] = {
    Status.NA: 0,
    Status.INFO: 1,
    Status.PASS: 2,
    Status.SKIPPED: 3,
    Status.WARN: 4,
    Status.ERROR: 5,
    Status.FAIL: 6,
}
