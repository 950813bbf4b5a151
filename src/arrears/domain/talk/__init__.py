"""Talk tracks: the approved words for openings, verification, objections, promises, closing.

Pure domain: the intent vocabulary (`vocab`), tracks and the library (`models`), placeholder
checking and rendering (`placeholders`), structure and conduct checks (`catalogue`), and the
keyword recogniser with its evaluation helpers (`recognition`). Loading files, the embedding
model and timing live in adapters and services (docs/talk-tracks.md).
"""

from arrears.domain.talk.catalogue import (
    InvalidTalkLibrary,
    TrackFailsConduct,
    build_library,
    check_publishable,
    conduct_problems,
    structure_problems,
)
from arrears.domain.talk.models import LANGUAGES, TalkLibrary, TalkTrack
from arrears.domain.talk.placeholders import PLACEHOLDERS, placeholders_in, render
from arrears.domain.talk.recognition import (
    Example,
    KeywordRecogniser,
    LanguageScore,
    Method,
    Recogniser,
    Recognition,
    by_language,
    score,
)
from arrears.domain.talk.vocab import INTENTS, Audience, Intent, IntentInfo, TrackKind, TrackStatus

__all__ = [
    "INTENTS",
    "LANGUAGES",
    "PLACEHOLDERS",
    "Audience",
    "Example",
    "Intent",
    "IntentInfo",
    "InvalidTalkLibrary",
    "KeywordRecogniser",
    "LanguageScore",
    "Method",
    "Recogniser",
    "Recognition",
    "TalkLibrary",
    "TalkTrack",
    "TrackFailsConduct",
    "TrackKind",
    "TrackStatus",
    "build_library",
    "by_language",
    "check_publishable",
    "conduct_problems",
    "placeholders_in",
    "render",
    "score",
    "structure_problems",
]
