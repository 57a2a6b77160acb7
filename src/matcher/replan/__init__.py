"""Stable re-plans: the next instance version from decisions on a proposal, and why previous pairs moved.

Municipalities review a proposal in parallel and accept or decline its pairs. The next version locks the
accepted pairs, forbids the declined ones and lists the pairs still under review as ``previous``, with
``kept_previous`` ranked right after ``persons_housed`` (``next_instance``); the decisions come from the
service, or from the exported workbook, a CSV or a JSON file (``decisions``). Each previous pair that the
re-plan does not keep is explained (``moves``).
"""
