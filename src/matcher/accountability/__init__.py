"""Accountability: answers a case worker, a municipality or an auditor can ask about a proposal.

- ``recommend``: the best dwellings for a household, or households for a dwelling, given the rest;
- ``why_not``: why a household did not get a dwelling, in words;
- ``fairness``: placement rate and waiting time per kind of household and per municipality;
- ``reproduce``: re-running a recorded solve to confirm it.

Every question is asked about a ``Baseline`` (``baseline.py``): a proposal checked against every rule first.
"""

from matcher.accountability.baseline import Baseline, QuestionInvalid, load_baseline, read_baseline
from matcher.accountability.fairness import FairnessReport, fairness_report
from matcher.accountability.forcing import Blocked, Forced, force_pair
from matcher.accountability.recommend import Recommendation, recommend_dwellings, recommend_households
from matcher.accountability.reproduce import Reproduction, reproduce
from matcher.accountability.why_not import WhyNot, why_not

__all__ = ["Baseline", "Blocked", "FairnessReport", "Forced", "QuestionInvalid", "Recommendation", "Reproduction",
           "WhyNot", "fairness_report", "force_pair", "load_baseline", "read_baseline", "recommend_dwellings",
           "recommend_households", "reproduce", "why_not"]
