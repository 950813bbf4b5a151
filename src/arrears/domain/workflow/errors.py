"""Workflow errors: each has a stable code; entry points map them once, at the edge."""

from __future__ import annotations

from arrears.domain.errors import DomainError, InvalidConfig


class WorkflowError(DomainError):
    code = "workflow_error"


class InvalidStrategy(InvalidConfig):
    """A strategy that cannot be used as written (overlapping stages, unknown treatment ...)."""

    code = "invalid_strategy"


class TransitionNotAllowed(WorkflowError):
    code = "case_transition_not_allowed"
    message_template = "case {case_id}: {from_state} -> {to_state} is not allowed: {detail}"


class ReasonRequired(WorkflowError):
    code = "reason_required"


class RoleRequired(WorkflowError):
    code = "role_required"
    message_template = "{detail} (needs {required}, acting as {actual})"


class OutsidePolicy(WorkflowError):
    """A promise, plan or settlement that no role may approve under the configured policy."""

    code = "outside_policy"


class PurposeNotAllowed(WorkflowError):
    """A contact purpose that is not allowed for its target (debt talk with a reference ...)."""

    code = "purpose_not_allowed"


class InvalidContactRecord(WorkflowError):
    code = "invalid_contact_record"


class InvalidFlowStep(WorkflowError):
    code = "invalid_flow_step"
