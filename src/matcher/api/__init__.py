"""The HTTP service (``matcher serve``): instances, solve jobs, proposals, decisions and re-plans under ``/v1``.

Layout: ``app.create_app(settings)`` wires everything; ``routes/`` holds one module per resource,
``schemas`` the request and response bodies, ``deps`` what a route takes from its request (the caller, a
database session, the records it may see), ``access`` who may see what (a municipality key
sees only its own municipality, everything else answers 404), ``errors`` the one error shape (and the body
size limit), ``replan`` the next instance version made from decisions, ``questions`` the answers to
recommend and why-not (computed in a job, limited to what the asking key may see), and ``jobs/`` the
solving: the
``runner`` (inside ``matcher serve``, or alone as ``matcher worker``) claims queued jobs from the database
under a lease and feeds them to ``worker`` processes, one per job, kept warm ahead of need. Storage lives
in ``matcher.storage``; the reviewed API snapshot is ``api/openapi.json`` at the top of the repository.
Any number of servers and workers may share one database: a job belongs to the holder of its lease.
"""
