"""The bundled program's entry: what the ``tessera`` console script runs."""

import sys

from desktop.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
