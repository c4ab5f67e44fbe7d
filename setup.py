"""What pyproject.toml cannot say: the top-level ``resources/`` folder (icons, style sheet,
templates, sample articles) ships inside the wheel as the package ``desktop.resources``,
found at run time through ``importlib.resources``. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["desktop*", "db*"]), "desktop.resources"],
    package_dir={"desktop.resources": "resources"},
    package_data={
        "db": ["migrations/*.py", "migrations/*.ini", "migrations/versions/*.py", "alembic.ini"],
        "desktop.resources": ["**/*"],
    },
    exclude_package_data={"desktop.resources": ["**/__pycache__/*", "**/*.pyc"]},
)
