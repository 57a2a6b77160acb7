"""The kinds of job the service queues: a solve, or a question about a finished solve's proposal.

Apart from the storage models, which store them, so that a solve process (``matcher.api.jobs.worker``) can tell
a solve from a question without loading SQLAlchemy: half a second of every solve process's start.
"""

SOLVE_JOB = "solve"  # the kind of a job that solves an instance (the other kinds answer questions about one)
RECOMMEND, WHY_NOT = "recommend", "why_not"  # the kinds of question jobs
QUESTIONS = (RECOMMEND, WHY_NOT)
