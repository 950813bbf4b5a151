"""Checking talk tracks: structure, placeholders, languages, and the conduct linter.

Two levels of checking:
- `structure_problems`: what makes a track unusable whatever its status (unknown placeholder,
  languages that disagree on placeholders, an opening without a preset, an id not in the form
  `group.name`).
- `conduct_problems`: what the conduct linter finds in each text (forbidden phrases, read as an
  approved script, so any hit blocks) and, for openings, the required disclosures of their preset
  that a text does not make. An approved track with conduct problems cannot be published or
  loaded; a draft may have them (it is work in progress).

`build_library` applies both to a whole set of tracks and adds the library-wide checks: unique
ids, every approved track in every language, and a general approved response for every intent.
Every problem names the track (and the file it came from), so a bad library is fixed in one pass.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from arrears.domain.conduct import TextKind, check_disclosures, lint, required_disclosures
from arrears.domain.errors import DomainError
from arrears.domain.talk.models import LANGUAGES, TalkLibrary, TalkTrack
from arrears.domain.talk.placeholders import placeholder_problems, placeholders_in
from arrears.domain.talk.vocab import Intent, TrackKind

if TYPE_CHECKING:
    from collections.abc import Iterable

TRACK_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
MAX_TEXT_CHARS = 2_000  # spoken and short texts; letters are rendered elsewhere


class InvalidTalkLibrary(DomainError):
    code = "invalid_talk_library"


class TrackFailsConduct(DomainError):
    """An approved track whose text the conduct linter refuses: it may not be published."""

    code = "talk_track_fails_conduct"


def _where(track: TalkTrack) -> str:
    return f"{track.source}: {track.track_id}" if track.source else track.track_id


def structure_problems(track: TalkTrack) -> list[str]:
    where = _where(track)
    problems: list[str] = []
    if not TRACK_ID.fullmatch(track.track_id):
        problems.append(f"{where}: id must look like group.name (lower case, digits, _)")
    if track.version < 1:
        problems.append(f"{where}: version must be 1 or more")
    if not track.texts:
        problems.append(f"{where}: no texts")
    if track.kind is TrackKind.RESPONSE and track.intent is None:
        problems.append(f"{where}: a response names the intent it answers")
    if track.kind is not TrackKind.RESPONSE and track.intent is not None:
        problems.append(f"{where}: only responses name an intent")
    if track.kind is TrackKind.OPENING and not track.disclosure_preset:
        problems.append(f"{where}: an opening names the disclosure preset it satisfies")
    if track.disclosure_preset is not None:
        try:
            required_disclosures(track.disclosure_preset, initial=track.initial)
        except DomainError as exc:
            problems.append(f"{where}: {exc.message}")
    if track.lawful_replacement_of is not None and not track.seeds:
        problems.append(f"{where}: a lawful replacement names the seed passage it replaces")
    used: dict[str, frozenset[str]] = {}
    for lang, text in track.texts.items():
        if not text.strip():
            problems.append(f"{where} [{lang.value}]: empty text")
        if len(text) > MAX_TEXT_CHARS:
            problems.append(f"{where} [{lang.value}]: longer than {MAX_TEXT_CHARS} characters")
        problems.extend(f"{where} [{lang.value}]: {p}" for p in placeholder_problems(text))
        used[lang.value] = placeholders_in(text)
    if len(set(used.values())) > 1:
        detail = "; ".join(f"{lang}: {sorted(names)}" for lang, names in sorted(used.items()))
        problems.append(f"{where}: languages use different placeholders ({detail})")
    return problems


def conduct_problems(track: TalkTrack) -> list[str]:
    """Conduct-linter hits and missing required disclosures, one line each (empty: clean)."""
    where = _where(track)
    problems: list[str] = []
    for lang, text in sorted(track.texts.items()):
        result = lint(text, language=lang.value, kind=TextKind.APPROVED_SCRIPT)
        problems.extend(
            f"{where} [{lang.value}]: {hit.category.value} ({hit.rule_ids[0]}): "
            f"{hit.span.matched!r}; say instead: {hit.alternative}"
            for hit in result.hits
        )
        if track.disclosure_preset is not None:
            try:
                needed = required_disclosures(track.disclosure_preset, initial=track.initial)
            except DomainError:
                continue  # reported by structure_problems
            problems.extend(
                f"{where} [{lang.value}]: missing disclosure {m.disclosure.value} "
                f"({', '.join(m.missing)}); for example: {m.wording}"
                for m in check_disclosures(text, language=lang.value, required=needed)
            )
    return problems


def check_publishable(tracks: Iterable[TalkTrack]) -> None:
    """Refuse approved tracks that fail the conduct linter (raises `TrackFailsConduct`)."""
    problems = [p for t in tracks if t.approved for p in conduct_problems(t)]
    if problems:
        raise TrackFailsConduct(
            "approved talk tracks fail the conduct linter and cannot be published:\n"
            + "\n".join(problems),
            problems=problems,
        )


def build_library(
    version: str, tracks: Iterable[TalkTrack], *, require_intents: bool = True
) -> TalkLibrary:
    """Validate a full set of tracks into a library; raise with every problem found."""
    problems: list[str] = []
    by_id: dict[str, TalkTrack] = {}
    for track in tracks:
        if track.track_id in by_id:
            first = by_id[track.track_id]
            problems.append(f"{_where(track)}: id already used in {first.source or 'this library'}")
            continue
        by_id[track.track_id] = track
        problems.extend(structure_problems(track))
        if track.approved:
            missing = [lang.value for lang in LANGUAGES if lang not in track.texts]
            if missing:
                problems.append(f"{_where(track)}: approved but no text in {', '.join(missing)}")
            problems.extend(conduct_problems(track))
    if require_intents:
        for intent in Intent:
            general = [
                t
                for t in by_id.values()
                if t.approved
                and t.kind is TrackKind.RESPONSE
                and t.intent is intent
                and not t.stages
                and not t.debtor_types
            ]
            if not general:
                problems.append(f"intent {intent.value}: no approved response for every stage")
    if problems:
        raise InvalidTalkLibrary(
            f"talk library {version}: {len(problems)} problem(s)\n" + "\n".join(problems),
            problems=problems,
        )
    return TalkLibrary(version=version, tracks=by_id)
