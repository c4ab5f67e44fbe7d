"""A new Tessera project made from a REFI-QDA file: what ``tessera FILE.qdpx`` (a file
manager opening a .qdpx with Tessera) does once the user has said where to save it."""

from __future__ import annotations

from pathlib import Path

from desktop.services.errors import ServiceError
from desktop.services.exchange import refi_import
from desktop.services.project.project import Project


def suggested_project_path(qdpx: Path | str) -> Path:
    """Where to offer saving the new project: beside the .qdpx, same name, ``.tessera``."""
    return Path(qdpx).with_suffix(".tessera")


def project_from_qdpx(
    qdpx: Path | str, target: Path | str, *, progress: refi_import.Progress | None = None
) -> tuple[Project, refi_import.RefiImportReport]:
    """Create the project ``target`` (empty codebook) and import all of ``qdpx`` into it:
    its coders, codebook, documents and codings. Returns the open project and the import's
    report. If the import fails, the new file is removed (nothing half-made is left) and
    ServiceError says why; an existing ``target`` is never overwritten."""
    qdpx, target = Path(qdpx), Path(target)
    if not qdpx.is_file():
        raise ServiceError(f"{qdpx}: no such file")
    if target.exists():
        raise ServiceError(f"{target} already exists; choose another name for the new project")
    project = Project.create(target, template="empty", name=qdpx.stem)
    try:
        report = refi_import.import_qdpx(project, qdpx, add_codes=True, progress=progress)
    except BaseException:
        project.close()
        for leftover in (target, *target.parent.glob(target.name + "-*")):
            leftover.unlink(missing_ok=True)  # the file and SQLite's -wal/-shm/-journal
        raise
    return project, report
