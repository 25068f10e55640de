"""One module per `rlm` subcommand: add_arguments(parser) and run(args) -> exit code."""
