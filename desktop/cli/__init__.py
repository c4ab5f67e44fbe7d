"""The command line, over desktop.services. Each module of this package that defines
``register(subparsers)`` adds its commands; main.py discovers them."""
