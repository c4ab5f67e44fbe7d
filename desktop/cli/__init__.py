"""The command line, over desktop.services: one module per command group, each with a
``register(subparsers)`` that adds its commands. main.py lists every command with the
module that defines it and imports only the module of the command being run."""
