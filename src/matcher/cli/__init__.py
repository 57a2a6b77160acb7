"""The ``matcher`` command line: one module per subcommand, each a thin shell around the library."""
