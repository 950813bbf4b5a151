"""Talk-track files: the versioned YAML library and the recogniser's examples, validated on load.

The library is a folder of `.yaml` files (the shipped one is `arrears/content/talk_tracks/`).
Each file states the library `version` and a list of `tracks`; every file must state the same
version. Errors name the file and the place in it (`FILE:responses.yaml: tracks.3.text.zh: ...`),
and a library loads whole or not at all. `recogniser_examples.yaml` in the same folder holds the
examples the recogniser is built from; labelled evaluation sets are `intent: text` lines.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from arrears.domain.conduct.categories import Language
from arrears.domain.talk import (
    Audience,
    Example,
    Intent,
    InvalidTalkLibrary,
    TalkLibrary,
    TalkTrack,
    TrackKind,
    TrackStatus,
    build_library,
)
from arrears.domain.workflow.vocab import Channel, DebtorType

EXAMPLES_FILE = "recogniser_examples.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrackSpec(_Strict):
    id: str = Field(min_length=1)
    version: int = Field(ge=1)
    kind: TrackKind
    status: TrackStatus
    title: str = ""
    intent: Intent | None = None
    stages: list[str] = Field(default_factory=list)
    debtor_types: list[DebtorType] = Field(default_factory=list)
    channel: Channel | None = None
    audience: Audience = Audience.BORROWER
    disclosure_preset: str | None = None
    initial: bool = True
    seeds: list[str] = Field(default_factory=list)
    lawful_replacement_of: str | None = None
    text: dict[Language, str] = Field(min_length=1)


class LibraryFileSpec(_Strict):
    version: str = Field(min_length=1)
    tracks: list[TrackSpec] = Field(default_factory=list)


class ExamplesSpec(_Strict):
    version: str = Field(min_length=1)
    examples: dict[Intent, dict[Language, list[str]]]


def default_library_dir() -> Path:
    return Path(str(resources.files("arrears") / "content" / "talk_tracks"))


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _read_yaml(path: Path) -> Any:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidTalkLibrary(f"FILE:{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InvalidTalkLibrary(f"FILE:{path}: not UTF-8 text ({exc.reason})") from None
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise InvalidTalkLibrary(f"FILE:{path}: not valid YAML: {exc}") from None


def _errors(path: Path, exc: ValidationError) -> list[str]:
    return [f"FILE:{path.name}: {_where(e['loc'])}: {e['msg']}" for e in exc.errors()]


def parse_tracks(path: Path) -> tuple[str, list[TalkTrack]]:
    """One library file into its version and tracks (structure only; see `load_library_dir`)."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise InvalidTalkLibrary(f"FILE:{path.name}: the top level must be a mapping")
    try:
        spec = LibraryFileSpec.model_validate(data)
    except ValidationError as exc:
        problems = _errors(path, exc)
        raise InvalidTalkLibrary("\n".join(problems), problems=problems) from None
    tracks = [
        TalkTrack(
            track_id=t.id,
            version=t.version,
            kind=t.kind,
            status=t.status,
            texts={lang: " ".join(text.split()) for lang, text in t.text.items()},
            title=t.title,
            intent=t.intent,
            stages=frozenset(t.stages),
            debtor_types=frozenset(t.debtor_types),
            channel=t.channel,
            audience=t.audience,
            disclosure_preset=t.disclosure_preset,
            initial=t.initial,
            seeds=tuple(t.seeds),
            lawful_replacement_of=(
                " ".join(t.lawful_replacement_of.split()) if t.lawful_replacement_of else None
            ),
            source=f"FILE:{path.name}",
        )
        for t in spec.tracks
    ]
    return spec.version, tracks


def library_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InvalidTalkLibrary(f"FILE:{folder}: not a folder")
    return sorted(p for p in folder.glob("*.yaml") if p.name != EXAMPLES_FILE)


def load_library_dir(folder: Path | None = None, *, extra: list[Path] | None = None) -> TalkLibrary:
    """Load and validate every library file in `folder` (default: the shipped library).

    `extra` files are added as if they were in the folder, replacing a file of the same name (a
    file being published is checked together with the library it joins, so ids cannot collide).
    """
    folder = folder or default_library_dir()
    added = list(extra or [])
    names = {p.name for p in added}
    paths = [p for p in library_files(folder) if p.name not in names] + added
    if not paths:
        raise InvalidTalkLibrary(f"FILE:{folder}: no .yaml library files")
    versions: dict[str, list[str]] = {}
    tracks: list[TalkTrack] = []
    problems: list[str] = []
    for path in paths:
        try:
            version, found = parse_tracks(path)
        except InvalidTalkLibrary as exc:
            problems.extend(exc.fields.get("problems") or [exc.message])
            continue
        versions.setdefault(version, []).append(path.name)
        tracks.extend(found)
    if len(versions) > 1:
        detail = "; ".join(f"{v}: {', '.join(names)}" for v, names in sorted(versions.items()))
        problems.append(f"FILE:{folder}: files state different library versions ({detail})")
    if problems:
        raise InvalidTalkLibrary("\n".join(problems), problems=problems)
    return build_library(next(iter(versions)), tracks)


def load_examples(path: Path | None = None) -> tuple[Example, ...]:
    """The recogniser's examples (default: the shipped `recogniser_examples.yaml`)."""
    path = path or default_library_dir() / EXAMPLES_FILE
    data = _read_yaml(path)
    try:
        spec = ExamplesSpec.model_validate(data)
    except ValidationError as exc:
        problems = _errors(path, exc)
        raise InvalidTalkLibrary("\n".join(problems), problems=problems) from None
    examples = tuple(
        Example(" ".join(text.split()), intent, lang)
        for intent, by_lang in spec.examples.items()
        for lang, texts in by_lang.items()
        for text in texts
        if text.strip()
    )
    missing = [i.value for i in Intent if i not in spec.examples]
    if missing:
        raise InvalidTalkLibrary(f"FILE:{path.name}: no examples for {', '.join(missing)}")
    return examples


def load_labelled(path: Path, language: Language) -> tuple[Example, ...]:
    """A labelled set: one `intent: text` per line; blank lines and `#` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InvalidTalkLibrary(f"FILE:{path}: no such file") from None
    examples: list[Example] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        label, sep, text = stripped.partition(": ")
        if not sep or not text.strip():
            problems.append(f"FILE:{path.name}:{number}: expected 'intent: text'")
            continue
        try:
            intent = Intent(label)
        except ValueError:
            problems.append(f"FILE:{path.name}:{number}: unknown intent {label!r}")
            continue
        examples.append(Example(text.strip(), intent, language))
    if problems:
        raise InvalidTalkLibrary("\n".join(problems), problems=problems)
    return tuple(examples)
