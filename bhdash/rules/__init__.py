"""Rules engine: the registry, the runner and the behavioral-health rule catalogue."""

from bhdash.rules.engine import CheckContext, CheckResult, run_checks
from bhdash.rules.registry import REGISTRY, Rule, clinician_hits, hits, rule

__all__ = ["REGISTRY", "CheckContext", "CheckResult", "Rule", "clinician_hits", "hits", "rule", "run_checks"]
