"""Where the CLI may write: checked before any work, so that a bad output path costs nothing
and nothing of the user's is overwritten (an input, a saved map's folder, a folder that is
not an earlier export's parts, a folder that cannot be written)."""

from __future__ import annotations

from pathlib import Path

from analysis.errors import InputError


def check_outputs(input: str, output: Path, export: Path | None, parts: bool = False) -> list[Path]:
    """Refuse bad output paths before any work: -o must be HTML and not an input file, the
    export a supported format that overwrites neither (with `parts`, a Parquet export is a
    folder of parts, which may replace an earlier such folder). Returns the input's files."""
    from analysis.export import check_export_path
    from analysis.load import corpus_files, reads

    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"-o {output}: the report is HTML; give a file name ending in .html")
    sources = corpus_files(input)
    check_output(output, sources, "-o")
    if export is not None:
        check_export_path(export)
        check_output(export, [*sources, output], "--export", parts=parts and export.suffix.lower() == ".parquet")
        if reads(input, export):
            raise InputError(
                f"--export {export} is where {input} reads its input, so the next run would read the export "
                "back as items: write it outside"
            )
    for flag, path in (("-o", output), ("--export", export)):
        check_outside_maps(path, flag)
    return sources


def check_outside_maps(path: Path | None, flag: str) -> None:
    """A saved map's folder holds its map and nothing else (so `--save` can replace it whole):
    refuse an output inside one."""
    from analysis.persist import MANIFEST

    if path is None:
        return
    for parent in path.absolute().parents:
        if (parent / MANIFEST).is_file():
            raise InputError(
                f"{flag} {path} is inside the saved map {parent}: a map's folder holds only the map; "
                "write the file elsewhere"
            )


def check_output(output: Path, inputs: list[Path], what: str, parts: bool = False) -> None:
    """With `parts`, `output` is a folder of Parquet parts: an earlier export's folder (only
    part.N.parquet files in it) may be replaced, any other folder may not."""
    import os
    import re
    import tempfile

    from analysis.files import check_folder, check_name_length

    check_folder(output, f"{what} {output}")
    check_name_length(output, f"{what} {output}")
    for source in inputs:
        if output.resolve() == source.resolve() or (
            output.exists() and source.exists() and os.path.samefile(output, source)
        ):
            raise InputError(f"{what} {output} is the input file: choose another output path")
    folder = output.parent if str(output.parent) else Path(".")
    if parts and output.is_dir():
        held = list(output.iterdir())
        if not all(re.fullmatch(r"part\.\d+\.parquet", f.name) and f.is_file() for f in held):
            raise InputError(
                f"{what} {output} is a folder that is not an earlier export's parts (part.N.parquet only): "
                "give a new name"
            )
        if any(source.resolve().parent == output.resolve() for source in inputs):
            raise InputError(f"{what} {output} holds the input files: choose another output path")
    elif output.is_dir():
        raise InputError(f"{what} {output} is a directory: give a file name")
    try:  # a real write, not os.access: right for root, read-only mounts and ACLs alike
        fd, probe = tempfile.mkstemp(prefix=".topicmap.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            f"{what} {output}: cannot write in folder {folder} ({exc.strerror or exc}); choose another folder"
        ) from exc
