"""Documents in the window: importing files in a worker."""
