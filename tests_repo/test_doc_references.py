"""Comments and docs point at documents that are in the repository."""

import re
import subprocess

from repo import ROOT

#: ``scripts/README.md, toolchain note N``: a numbered item of that file's "Toolchain notes" section
NOTE_REFERENCE = re.compile(r"scripts/README\.md, toolchain note (\d+)")


def _tracked_text_files() -> list[tuple[str, str]]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = []
    for name in listed.splitlines():
        path = ROOT / name
        if path.suffix in {".py", ".md", ".ini", ".toml", ".cfg", ".sh", ""} and path.is_file():
            try:
                found.append((name, path.read_text(encoding="utf-8")))
            except UnicodeDecodeError:
                continue
    return found


def _toolchain_notes() -> set[int]:
    text = (ROOT / "scripts" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Toolchain notes", 1)[1].split("\n## ", 1)[0]
    return {int(number) for number in re.findall(r"(?m)^(\d+)\. ", section)}


def test_no_reference_to_the_toolchain_document_outside_the_repo() -> None:
    """No file names the toolchain notes a developer machine had (``toolchain.md``, its gotchas)."""
    stale = [name for name, text in _tracked_text_files()
             if re.search(r"toolchain(\.md| gotcha| §)", text) and not name.startswith("tests_repo/")]
    assert not stale, f"these point at a toolchain document that is not in the repo: {stale}"


def test_every_toolchain_note_reference_exists() -> None:
    """``scripts/README.md, toolchain note N`` names a note that file has."""
    notes = _toolchain_notes()
    assert notes, "scripts/README.md has no numbered Toolchain notes"
    missing = [(name, int(number)) for name, text in _tracked_text_files()
               for number in NOTE_REFERENCE.findall(text) if int(number) not in notes]
    assert not missing, f"references to toolchain notes that scripts/README.md does not have: {missing}"
