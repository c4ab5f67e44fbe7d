"""Exchange in the window: REFI-QDA projects and codebooks in and out, with a dry run first."""
