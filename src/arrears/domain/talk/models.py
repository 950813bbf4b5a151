"""Talk tracks and the library that holds them.

A `TalkTrack` is one approved way of saying something, in every language the library supports.
It knows what it is for (kind, intent), where it applies (stages, debtor types, audience), where
it comes from (seed references) and, where the handbook's own advice was unlawful, what it
replaces (`lawful_replacement_of`). The `TalkLibrary` is a validated, versioned set of tracks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.domain.conduct.categories import Language
from arrears.domain.errors import NotFound
from arrears.domain.talk.vocab import Audience, Intent, TrackKind, TrackStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

    from arrears.domain.workflow.vocab import Channel, DebtorType

LANGUAGES: tuple[Language, ...] = (Language.ES, Language.ZH, Language.EN)


@dataclass(frozen=True, slots=True)
class TalkTrack:
    track_id: str
    version: int
    kind: TrackKind
    status: TrackStatus
    texts: Mapping[Language, str]
    title: str = ""
    intent: Intent | None = None
    stages: frozenset[str] = frozenset()  # empty: any stage
    debtor_types: frozenset[DebtorType] = frozenset()  # empty: any debtor type
    channel: Channel | None = None  # None: spoken on a call or visit
    audience: Audience = Audience.BORROWER
    disclosure_preset: str | None = None  # openings: the preset whose disclosures they make
    initial: bool = True  # openings: first communication (True) or later ones
    seeds: tuple[str, ...] = ()
    lawful_replacement_of: str | None = None
    source: str = ""  # the file it was loaded from

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))

    @property
    def approved(self) -> bool:
        return self.status is TrackStatus.APPROVED

    def text(self, language: Language | str) -> str:
        lang = Language(language)
        try:
            return self.texts[lang]
        except KeyError:
            raise NotFound(f"talk track {self.track_id} has no {lang.value} text") from None

    def applies(self, stage_id: str | None, debtor_type: DebtorType | None) -> bool:
        """True when the track may be used at this stage for this debtor type."""
        if stage_id is not None and self.stages and stage_id not in self.stages:
            return False
        return not (
            debtor_type is not None and self.debtor_types and debtor_type not in self.debtor_types
        )

    def specificity(self, stage_id: str | None, debtor_type: DebtorType | None) -> int:
        """How closely the track fits: a named stage and a named debtor type each count one."""
        score = 0
        if stage_id is not None and stage_id in self.stages:
            score += 1
        if debtor_type is not None and debtor_type in self.debtor_types:
            score += 1
        return score


@dataclass(frozen=True, slots=True)
class TalkLibrary:
    version: str
    tracks: Mapping[str, TalkTrack] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracks", MappingProxyType(dict(self.tracks)))

    def track(self, track_id: str) -> TalkTrack:
        try:
            return self.tracks[track_id]
        except KeyError:
            raise NotFound(f"no talk track {track_id!r} in library {self.version}") from None

    def approved(self) -> tuple[TalkTrack, ...]:
        return tuple(t for t in self.tracks.values() if t.approved)

    def for_intent(
        self, intent: Intent, *, stage_id: str | None = None, debtor_type: DebtorType | None = None
    ) -> TalkTrack:
        """The approved response to `intent` that fits the stage and debtor type best.

        Tracks that name the stage or the debtor type win over general ones; among equals the
        id decides, so the choice is stable.
        """
        fitting = [
            t
            for t in self.approved()
            if t.kind is TrackKind.RESPONSE
            and t.intent is intent
            and t.applies(stage_id, debtor_type)
        ]
        if not fitting:
            raise NotFound(
                f"no approved response to {intent.value} for stage {stage_id or 'any'} and "
                f"debtor type {debtor_type or 'any'}"
            )
        fitting.sort(key=lambda t: (-t.specificity(stage_id, debtor_type), t.track_id))
        return fitting[0]

    def opening(self, disclosure_preset: str, *, initial: bool = True) -> TalkTrack:
        for t in sorted(self.approved(), key=lambda t: t.track_id):
            if (
                t.kind is TrackKind.OPENING
                and t.disclosure_preset == disclosure_preset
                and t.initial is initial
            ):
                return t
        raise NotFound(f"no approved opening for preset {disclosure_preset}")
