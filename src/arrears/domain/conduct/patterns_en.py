"""English patterns, over normalised text (lower case, plain apostrophes, single spaces)."""

from __future__ import annotations

from types import MappingProxyType

from arrears.domain.conduct.categories import Category, Language
from arrears.domain.conduct.rules import LanguageRules, PatternSet, rx, words


def gap(most: int) -> str:
    """Up to `most` further words."""
    return rf"(?: \S+){{0,{most}}}"


C = Category
WILL = r"(?:will|'ll|are going to|is going to|going to|gonna|shall)"
YOUR = r"(?:your|his|her|their|the debtor's|the customer's|the borrower's|the cardholder's|the)"
THIRD = words(
    "employers?",
    "boss",
    "manager",
    "supervisor",
    "workplace",
    "work",
    "office",
    "hr",
    "human resources",
    "colleagues?",
    "co-?workers?",
    "family",
    "relatives",
    "parents?",
    "mother",
    "father",
    "mum",
    "mom",
    "dad",
    "wife",
    "husband",
    "spouse",
    "partner",
    "kids",
    "children",
    "son",
    "daughter",
    "brother",
    "sister",
    "in-laws",
    "friends?",
    "neighbou?rs?",
    "landlord",
    "church",
    "pastor",
    "school",
    "teachers?",
    "contacts",
    "references",
    "work unit",
    "units?",
    "receptionist",
    "secretary",
    "front desk",
    "payroll",
    "foreman",
    "team leader",
    "place of employment",
    "poe",
    "grandmother",
    "grandfather",
    "grandma",
    "grandpa",
    "uncle",
    "aunt",
    "auntie",
    "cousins?",
    "followers",
)
HEDGE = words(
    "may",
    "might",
    "could",
    "can",
    "would",
    "if (?:a|the) (?:court|judge)",
    "if (?:a|the) judgm?ent",
    "if (?:so )?ordered",
    "only",
    "unless",
    "possibly",
    "court order",
    "judgm?ent",
    "after",
    "apply",
    "ask the court",
    "as the contract allows",
    "as your agreement allows",
    "avoid",
    "consider",
)
YOU_MAY = (
    r"\byou(?: (?:may|might|could|can|should|would|also|want|wish|like|need|to|are|free|welcome|"
    r"choose|'d|'re))+ ?$"
)

p = PatternSet(Language.EN, "en")

# 1. Arrest, jail, criminal prosecution
p.add(
    C.THREAT_ARREST,
    words(r"arrest(?:ed|ing)?", "arrest warrant", "warrant for (?:your|his|her) arrest"),
)
p.add(
    C.THREAT_ARREST,
    words(
        "jail",
        "jailed",
        "prison",
        r"imprison\w*",
        "behind bars",
        "locked (?:up|away)",
        "lock you (?:up|away)",
        r"handcuff\w*",
        r"in (?:a|the) (?:police |holding )?cells?",
        "(?:do|doing|serve|serving) time",
        r"detain\w*",
        r"thrown in (?:jail|prison|a cell)",
    ),
)
p.add(
    C.THREAT_ARREST,
    words(
        (
            r"criminal (?:matter|case|charges?|offen[cs]es?|proceedings?"
            r"|complaint|investigation|record|prosecution|liability)"
        ),
        r"(?:press(?:ing)?|file|filing|bring|face|facing) (?:criminal |fraud )?charges",
        "fraud charges",
        "charged with",
        r"prosecut(?:e|ed|ion|ing)",
        r"(?:credit )?card (?:crime|fraud)",
    ),
)
p.add(
    C.THREAT_ARREST,
    words(
        r"(?:it is|it's|this is|that is|that's|is|are|constitutes?|committing"
        r"|commit) (?:a |an )?(?:crime|criminal|offen[cs]e|felony|fraud|theft)"
    ),
    exempt_before=words("if", "whether", "suspect", "believe", "think", "report", "victim"),
)
p.add(
    C.THREAT_ARREST,
    words(r"call\w*", "send", r"report\w*", r"hand\w*", r"turn\w*", r"refer\w*")
    + gap(3)
    + r" (?:over )?to the "
    + words(
        "police",
        "cops",
        "sheriff",
        "procuratorate",
        "prosecutors?",
        "district attorney",
        "fbi",
        "public security",
    ),
    exempt_before=words("if", "you (?:may|can|should|could)", r"claim\w*", r"pretend\w*"),
)
p.add(
    C.THREAT_ARREST,
    words("police", "sheriff", "marshals?", "cops", "officers?", "deputies", "deputy", "troopers?")
    + gap(3)
    + " "
    + words(
        "come",
        "coming",
        r"visit\w*",
        r"knock\w*",
        r"pick(?:s|ing)? (?:you|him|her|them) up",
        r"take (?:you|him|her|them) (?:in|away)",
        "show up",
        "at your door",
        "after you",
        "for you",
        "be waiting",
        "arrive",
        r"haul\w*",
        r"drag\w*",
    ),
)

# 2. Posing as courts, police, government, lawyers
AUTHORITY = (
    r"(?:local |county |state |federal |district "
    r"|magistrates'? )?(?:court(?:house)?|police(?: department)?"
    r"|sheriff(?:'s)?(?: office| department)?|marshals?(?:'s)?(?:"
    r" service)?|district attorney(?:'s office)?"
    r"|prosecutor(?:'s office)?|procuratorate|attorney general|irs|hmrc|tax office|fbi|government"
    r"|department of justice|public security(?: bureau)?|legal department|law enforcement|bailiffs?"
    r"|enforcement office)"
)
p.add(
    C.IMPERSONATION,
    words(
        "this is",
        "we are",
        "we're",
        "i am",
        "i'm",
        "calling (?:you )?from",
        "calling on behalf of",
        "writing (?:to you )?from",
        "on behalf of",
        "a message from",
        "here at",
        "a call from",
        "a letter from",
        "this call is from",
        r"(?:message|letter|call|email|notice|text) is from",
        "comes from",
        "with",
        "work for",
        "working for",
        "i'm with",
        "we're with",
        "i am with",
        "we are with",
        "employed by",
        "representing",
        "calling for",
    )
    + r"(?: the| your| a| an)? "
    + AUTHORITY
    + r"\b",
)
p.add(
    C.IMPERSONATION,
    words(
        r"(?:official|court|legal|criminal) (?:summons|subpoena)",
        r"summons(?:es)?",
        r"subpoena\w*",
        r"(?:court|legal) (?:papers|documents) (?:have|has) been (?:issued|served|filed)",
    ),
    exempt_before=words("if", "receive", "should you", "ever"),
)
p.add(
    C.IMPERSONATION,
    words("i am", "i'm", "we are", "we're", "this is")
    + r" (?:a |an |the )?(?:police |court |county )?"
    + words(
        "officer",
        "detective",
        "investigator",
        "bailiff",
        "marshal",
        "sheriff",
        "deputy",
        "magistrate",
        "judge",
        "constable",
        "prosecutor",
        "sergeant",
        "sgt",
        "lieutenant",
        "captain",
        "trooper",
        "inspector",
        "attorney",
        "lawyer",
        "solicitor",
        "(?:federal|special|government|fbi|irs|enforcement) agent",
    ),
)
p.add(
    C.IMPERSONATION,
    words(
        "federal agent",
        "special agent",
        "court officer",
        "court-appointed",
        "public security (?:personnel|officers?|bureau|police)",
        "procuratorate",
        "(?:our|the) legal department",
        (
            r"(?:officer|sergeant|detective|deputy|agent|judge|inspector"
            r"|constable|trooper|lieutenant|captain) \S+ (?:here|speaking|calling)"
        ),
        r"judge \S+'s (?:clerk|office|chambers|assistant)",
        r"(?:for|from|with|of) judge \S+",
        "court clerk",
        "clerk of (?:the )?court",
        r"judge's (?:clerk|office|chambers)",
    ),
)
p.add(
    C.IMPERSONATION,
    words("we are", "we're", "this is", "i am", "i'm", "i work", "calling from", "we work")
    + r" (?:the |a |an |for |in |at )?(?:\S+ ){0,4}"
    + words("of", "at", "for", "from", "in")
    + r" (?:the )?"
    + AUTHORITY
    + r"\b",
)

# 3. Telling, or threatening to tell, third parties
TELL = words(
    "call",
    "calling",
    "ring",
    "phone",
    "contact",
    "contacting",
    "tell",
    "telling",
    "inform",
    "informing",
    "notify",
    "notifying",
    "email",
    "emailing",
    "text",
    "texting",
    "write to",
    "writing to",
    "visit",
    "visiting",
    "speak to",
    "speaking to",
    "talk to",
    "talking to",
    "let",
    "alert",
    "warn",
    "show up at",
    "turn up at",
    "come to",
    "go to",
    "called",
    "rang",
    "phoned",
    "contacted",
    "told",
    "informed",
    "notified",
    "emailed",
    "texted",
    "wrote to",
    "visited",
    "spoke (?:to|with)",
    "spoken (?:to|with)",
    "talked (?:to|with)",
    "speak with",
    "speaking with",
    "talk with",
    "warned",
    "left a message with",
    "leave a message with",
    "leaving a message with",
    r"explain\w* (?:it |this |the situation |the debt |everything )?to",
    "reach out to",
    "reaching out to",
    "get in touch with",
    "get hold of",
    "track down",
    "go after",
    "ask around",
    "be in touch with",
    "get in contact with",
    r"tag\w*",
)
p.add(
    C.THIRD_PARTY,
    TELL + r" (?:all of |everyone at |everyone in |each of )?" + YOUR + r" (?:\S+ )?" + THIRD,
    exempt_before=YOU_MAY,
)
p.add(
    C.THIRD_PARTY,
    words("your", "his", "her")
    + r" (?:\S+ )?"
    + THIRD
    + r"(?: \S+)? "
    + WILL
    + gap(2)
    + " "
    + words(
        "know",
        "find out",
        "hear about it",
        "hear",
        "learn",
        "be told",
        "be informed",
        "be contacted",
        "be called",
        "get a call",
        "receive a (?:call|letter)",
    )
    + "|"
    + words("your", "his", "her")
    + r" (?:\S+ )?"
    + THIRD
    + " "
    + words("is", "are", "will be", "'s", "'re")
    + " "
    + words("getting", "going to get", "gonna get", "receiving", "hearing from us", "next")
    + r"(?: a)?(?: \S+)?(?: call| phone call| visit| letter)?"
    + "|"
    + words("your", "his", "her")
    + r" (?:\S+ )?"
    + THIRD
    + r" (?:\S+ ){0,2}"
    + words("be interested", "love", "like", "want", "be curious", "be surprised", "be shocked")
    + r" to (?:hear|know|learn|find out)"
    + "|"
    + words("until", "so that", "so", "unless", "before")
    + r" (?:your|his|her) (?:\S+ )?"
    + THIRD
    + " "
    + words("knows?", "finds? out", "hears? about it", "learns?", "gets? (?:a call|a letter|told)"),
    inside=True,
)
p.add(
    C.THIRD_PARTY,
    words(
        r"shar\w*",
        r"pass\w*",
        "send",
        "sending",
        "give",
        "giving",
        "show",
        "showing",
        r"forward\w*",
        r"circulat\w*",
    )
    + gap(3)
    + r" (?:with|to) "
    + words("everyone", "everybody", "all", "anyone", "people")
    + " (?:in|at|on|of) (?:your|his|her) ",
)
p.add(
    C.THIRD_PARTY,
    words(r"post\w*", r"put\w*", r"shar\w*", r"publish\w*", r"announc\w*", r"upload\w*")
    + gap(4)
    + r" (?:on|to) (?:the |your )?"
    + words(
        "facebook",
        "twitter",
        "instagram",
        "tiktok",
        "linkedin",
        "wechat",
        "whatsapp(?: groups?)?",
        "social media",
        "the internet",
        "online",
        "wall",
        "profile",
    ),
)
p.add(C.THIRD_PARTY, words(r"tag\w* (?:you|him|her|them) (?:in|on)"))
p.add(C.THIRD_PARTY, words(r"threaten\w*") + r" (?:\S+ ){0,2}" + YOUR + r" (?:\S+ )?" + THIRD)
p.add(
    C.THIRD_PARTY,
    words(r"put\w*", r"exert\w*", r"apply\w*", r"plac\w*", r"increas\w*")
    + r" (?:more |the |some )?pressure on "
    + YOUR
    + r" (?:\S+'s )?(?:\S+ )?"
    + THIRD,
)
p.add(
    C.THIRD_PARTY,
    words("address book", "contact list", "contacts list", "phone ?book", "list of contacts"),
)
p.add(
    C.THIRD_PARTY,
    r"\bthrough (?:the |a |his |her |your )?"
    + words(
        "contact person", "contacts", "references", "relatives", "family", "employer", "work unit"
    ),
)
p.add(
    C.THIRD_PARTY,
    words("letters?", "notices?", "messages?") + gap(3) + " to " + YOUR + r" (?:\S+ )?" + THIRD,
)

# 4. Seizure, garnishment, lawsuits threatened as certain or immediate
IMMEDIATE = words(
    "today",
    "tomorrow",
    "tonight",
    "right now",
    "immediately",
    "this afternoon",
    "this morning",
    "within (?:the hour|an hour|24 hours)",
    "by the end of (?:the )?day",
)
ACTION = words(
    r"liens?",
    r"tow\w*",
    "sue",
    "suing",
    "lawsuit",
    "take you to court",
    "legal action",
    r"garnish\w*",
    r"seiz\w*",
    r"freez\w*",
    r"repossess\w*",
    "bailiffs?",
)
p.add(
    C.THREAT_ACTION,
    words(r"garnish\w*", r"attach\w*", r"dock\w*")
    + gap(2)
    + " "
    + words(
        "wages?",
        "salary",
        r"pay ?(?:checks?|cheques?)",
        "earnings",
        "income",
        "bank accounts?",
        "benefits",
        "pension",
    )
    + "|"
    + words("wages?", "salary", r"pay ?(?:checks?|cheques?)", "earnings", "pension", "benefits")
    + r" (?:\S+ ){0,2}(?:will|'ll|to|are going to|is going to|gets?|getting) be "
    + words("garnished", "attached", "seized", "docked", "taken"),
    exempt_before=HEDGE,
)
p.add(
    C.THREAT_ACTION,
    words("take", "taking", "seize", "seizing", r"repossess\w*", "confiscate", "auction")
    + r" (?:\S+ ){0,2}"
    + words("your", "his", "her", "all your")
    + r" (?:\S+ )?"
    + words(
        "house",
        "home",
        "car",
        "vehicle",
        "property",
        "belongings",
        "furniture",
        "possessions",
        "assets",
        "things",
        "tv",
        "kids",
        "children",
    ),
    exempt_before=HEDGE,
)
p.add(
    C.THREAT_ACTION,
    words(
        "freeze",
        "freezing",
        "froze",
        "empty",
        "emptying",
        "drain",
        "draining",
        "clean out",
        "cleaning out",
        "wipe out",
        "levy",
        "levying",
        "clear out",
    )
    + r" (?:\S+ ){0,2}"
    + words("your", "his", "her", "all")
    + r" (?:\S+ ){0,2}"
    + words("accounts?", "cards?", "assets", "funds", "money", "savings")
    + "|"
    + words("accounts?", "cards?", "assets", "savings")
    + r"(?: \S+)? "
    + r"(?:will|'ll|are going to|is going to|are about to) be (?:frozen|seized|emptied)",
    exempt_before=HEDGE,
)
p.add(
    C.THREAT_ACTION,
    WILL
    + r" (?:\S+ ){0,2}"
    + words(
        "sue",
        "take you to court",
        r"file (?:a )?(?:lawsuit|suit|claim) against you",
        "start legal proceedings",
        "take legal action",
        "have you evicted",
        "evict you",
    ),
    inside=True,
    exempt_before=words("if a court", "only", "may", "might", "could"),
)
p.add(
    C.THREAT_ACTION,
    words(
        "tow truck",
        r"tow(?:ed|ing)? (?:away )?(?:your|his|her) (?:car|vehicle|truck)",
        r"repo (?:man|men|agent|truck|team)",
        r"repossession (?:agent|team|truck)",
        r"(?:put|place|file|slap)\w* (?:a )?lien on",
    ),
    exempt_before=HEDGE,
)
p.add(C.THREAT_ACTION, ACTION + gap(5) + " " + IMMEDIATE, exempt_before=words("avoid"))
p.add(C.THREAT_ACTION, IMMEDIATE + gap(4) + " " + ACTION, exempt_before=words("avoid"))
p.add(
    C.THREAT_ACTION,
    words("send", "sending", r"dispatch\w*")
    + r" (?:\S+ ){0,2}"
    + words(
        "bailiffs?",
        "enforcement agents?",
        "someone (?:round|to your (?:house|home|door))",
        "the boys",
    )
    + "|"
    + words("bailiffs?", "enforcement agents?")
    + " "
    + WILL
    + " "
    + words("come", "visit", "be", "turn up", "knock"),
    exempt_before=HEDGE,
)
p.add(
    C.THREAT_ACTION,
    words(
        (
            r"(?:other|different|harder|tougher|special) (?:methods"
            r"|means|measures|ways) (?:will be used|to collect)"
        ),
        "we have (?:our )?ways",
        r"you(?:'ll| will) (?:regret|be sorry)",
        "or else",
        "you've been warned",
        "things will get ugly",
        r"we know where (?:you|your \S+) (?:live|lives|work|works|go to school|goes to school)",
    ),
)
p.add(
    C.THREAT_ACTION,
    words("lose", "losing")
    + " "
    + words("your", "his", "her")
    + " "
    + words("house", "home", "car", "flat", "apartment")
    + "|"
    + words(r"evict\w*", "kick you out", "throw you out"),
    exempt_before=HEDGE,
)

# 5. Exaggerated or invented consequences
KIDS = words("children", "child", "kids", "son", "daughter", "grandchildren")
PROSPECTS = words(
    "education",
    "schooling",
    "school",
    "college",
    "university",
    "future",
    "careers?",
    "prospects",
    "chances",
    "exams?",
    "applications?",
    "scholarships?",
)
p.add(
    C.FALSE_CONSEQUENCE,
    words(
        r"affect\w*",
        r"impact\w*",
        r"hurt\w*",
        r"harm\w*",
        r"ruin\w*",
        r"damag\w*",
        r"jeopardi[sz]\w*",
        r"destroy\w*",
        "consequences for",
    )
    + gap(4)
    + r" (?:your |his |her |the )?"
    + KIDS
    + r"(?:'s|s'|')? "
    + PROSPECTS,
)
p.add(
    C.FALSE_CONSEQUENCE,
    KIDS
    + r"(?:'s|s'|')? "
    + PROSPECTS
    + gap(6)
    + " "
    + words(
        "affected",
        "impacted",
        "hurt",
        "harmed",
        "ruined",
        "damaged",
        r"jeopardi[sz]ed",
        "destroyed",
        "suffer",
        "pay the price",
        "at risk",
        "rejected",
        "denied",
        "refused",
        "turned down",
        "blocked",
        "cancelled",
        "over",
    ),
    inside=True,
)
p.add(
    C.FALSE_CONSEQUENCE,
    KIDS
    + gap(3)
    + " "
    + words("won't", "will not", "can't", "cannot", "never", "will never")
    + r" (?:\S+ ){0,3}"
    + words("get into", "go to", "attend", "be accepted", "get", "find")
    + r" (?:\S+ ){0,2}"
    + words("college", "university", "school", "job", "work", "scholarship", "loan"),
    negatable=False,
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("never", "not ever", "no (?:bank|lender|landlord|employer|one) will ever")
    + r" (?:\S+ ){0,3}"
    + words("get", "find", "hold", "keep", "rent", "buy")
    + r" (?:a |an |another )?"
    + words(
        "job", "work", "loan", "mortgage", "credit", "apartment", "flat", "house", "home", "car"
    ),
    negatable=False,
)
p.add(
    C.FALSE_CONSEQUENCE,
    KIDS
    + gap(6)
    + " "
    + words(
        "lose",
        "losing",
        r"kicked out",
        "expelled",
        "suspended",
        "thrown out",
        "denied",
        "rejected",
        "barred",
        "banned",
        "pulled out",
    )
    + gap(4)
    + " "
    + words(
        "school",
        "college",
        "university",
        "place",
        "scholarships?",
        "education",
        "class",
        "team",
        "classes",
    ),
)
p.add(C.FALSE_CONSEQUENCE, words(r"black ?list\w*"))
p.add(
    C.FALSE_CONSEQUENCE,
    KIDS
    + gap(4)
    + " "
    + words(
        "taken away",
        "taken into care",
        "removed",
        "social services",
        "child protective services",
        "custody",
    )
    + "|"
    + words(
        "unemployable",
        "unhireable",
        "no one will hire you",
        "nobody will hire you",
        r"never work (?:again|in this town)",
        "career is over",
        "life is over",
    )
    + "|"
    + words("nobody", "no one", "no bank", "no lender", "no company", "no employer", "no landlord")
    + r"(?: \S+){0,2} "
    + words("will", "would", "is going to", "is ever going to")
    + r" (?:ever )?(?:\S+ )?"
    + words("give", "lend", "rent", "hire", "employ", "approve", "offer", "trust"),
    negatable=False,
)
p.add(
    C.FALSE_CONSEQUENCE,
    words(r"ruin\w*", r"destroy\w*")
    + " "
    + words("your", "his", "her")
    + " "
    + words("life", "future", "family", "reputation", "career", "credit")
    + "|"
    + words("credit", "credit score", "credit file", "credit record", "record", "name")
    + gap(4)
    + " "
    + words("forever", "for life", "permanently", "for ever", "for good", "the rest of your life"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    words(r"final (?:notice|warning|demand)", "last (?:chance|warning|notice)", "ultimatum"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("already", "have", "has")
    + r" (?:\S+ ){0,2}"
    + words("filed", "started", "issued", "begun", "lodged", "opened")
    + r" (?:a |the |legal |criminal )?"
    + words("lawsuit", "suit", "case", "claim", "proceedings", "charges", "complaint")
    + "|"
    + words("warrant", "court order", "judgm?ent", "lawsuit", "case", "claim")
    + r" (?:\S+ ){0,2}"
    + r"(?:has|have|had|was|is)(?: already| now| just)?(?: been| being)? "
    + words("issued", "filed", "entered", "signed", "opened", "approved", "started"),
    exempt_before=words("if", "once", "when", "whether", "before", "unless"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    words(r"deport\w*", "immigration status", "visa " + WILL + " be")
    + "|"
    + words("can't", "cannot", "won't be able to", "will not be able to", "never")
    + r" (?:\S+ ){0,2}"
    + words("travel", "leave the country", "get a passport", "board a plane", "fly"),
    negatable=False,
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("will", "'ll", "could", "would", "are going to", "is going to", "gonna", "might", "can")
    + r" (?:\S+ )?lose "
    + words("your", "his", "her")
    + " "
    + words("job", "licen[cs]e", "passport", "kids", "children", "visa", "home", "house", "family")
    + "|"
    + words("your", "his", "her")
    + " "
    + words("employer", "boss", "company")
    + " "
    + WILL
    + r" (?:\S+ )?"
    + words("fire", "sack", "let you go", "dismiss"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("your", "his", "her")
    + " "
    + words("family", "parents", "children", "kids", "spouse", "wife", "husband", "relatives")
    + r" (?:will )?"
    + words("have to", "must", "are liable to", "is liable to", "will")
    + " "
    + words("pay", "cover", "repay", "be responsible", "be liable", "inherit"),
)

# 6. Abuse
p.add(
    C.ABUSE,
    words(
        r"waste of (?:space|oxygen|air|skin)",
        "good-for-nothing",
        "no-good",
        r"scroungers?",
        r"pathetic excuse",
        "deadbeats?",
        "thie(?:f|ves)",
        "liars?",
        "scammers?",
        "scumbags?",
        "scum",
        "losers?",
        "idiots?",
        "morons?",
        "stupid",
        "dumb",
        "parasites?",
        "low-?lifes?",
        "crooks?",
        "fraudsters?",
        "cheats?",
        "bums?",
        "leech(?:es)?",
        "pathetic",
        "worthless",
        "shameless",
        "freeloaders?",
        "bastards?",
        r"bitch\w*",
        r"f+u+c+k\w*",
        r"shit\w*",
        "crap",
        r"damn\w*",
        r"assholes?",
        r"arseholes?",
        r"dickheads?",
        r"retard\w*",
        r"spongers?",
        "slackers?",
        "lazy",
    ),
    exempt_before=words(
        "beware",
        "avoid",
        r"protect\w*",
        "watch out",
        "be aware",
        r"report\w*",
        r"scam\w*",
        r"pretend\w*",
        r"impersonat\w*",
        "targeted by",
    ),
    exempt_after=r"^ (?:pretending|posing|impersonating|claiming|who pretend|who claim)",
)
p.add(
    C.ABUSE,
    words("you", "you're", "you are", "u r")
    + r"(?: \S+){0,2} (?:a |an |such a |nothing but a |just a )?"
    + words(
        r"piece of (?:shit|garbage|trash|work)",
        "disgrace",
        "joke",
        "failure",
        "waste of space",
        "nobody",
        "embarrassment",
        "trash",
        "garbage",
    ),
)
p.add(
    C.ABUSE,
    words("shame on you", "have no shame", "got no shame", "no shame", "how dare you"),
    negatable=False,
)

# 7. Pressure to borrow, sell or pay beyond means
LENDERS = r"(?:your |his |her |their |a |some )?" + words(
    "friends?",
    "family",
    "relatives?",
    "parents?",
    "mother",
    "father",
    "mum",
    "mom",
    "dad",
    "brother",
    "sister",
    "in-laws",
    "colleagues?",
    "boss",
    "employer",
    "neighbou?rs?",
    "someone",
    "anybody",
    "anyone",
    "people you know",
)
p.add(
    C.PRESSURE_TO_BORROW,
    words(r"borrow\w*")
    + gap(3)
    + r" (?:from|off) "
    + LENDERS
    + "|"
    + words("get", "ask for", "raise", "find", "beg", "collect", "gather", "scrape together")
    + r" (?:the |some |that |this )?(?:money|cash|funds|it)"
    + gap(2)
    + r" (?:from|off) "
    + LENDERS,
    exempt_before=YOU_MAY,
)
p.add(
    C.PRESSURE_TO_BORROW,
    words("take out", "get", "apply for")
    + r" (?:\S+ ){0,2}"
    + words("loans?", "overdraft", "advance", "credit cards?", "line of credit", "credit line")
    + "|"
    + words(
        "payday loans?",
        "loan sharks?",
        r"pawn\w*",
        "cash advance",
        "title loan",
        r"max(?:ed|ing)? (?:it |them )?out",
        r"max(?:ed|ing)? out (?:your|his|her|another|a) (?:\S+ )?(?:cards?|credit)",
        "remortgage",
        r"second mortgage",
    ),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words("put", "charge", "pay", "use")
    + r"(?: \S+){0,2} (?:on |with |using )?"
    + words("another", "a different", "a new", "your other", "a second", "your credit")
    + r" (?:credit )?card",
)
p.add(
    C.PRESSURE_TO_BORROW,
    words("sell", "selling")
    + r" (?:\S+ )?"
    + words("your", "his", "her", "the")
    + r" (?:\S+ )?"
    + words(
        "car",
        "house",
        "home",
        r"jewel\w*",
        "furniture",
        "tv",
        "phone",
        "belongings",
        "possessions",
        "stuff",
        "things",
        "wedding ring",
        "gold",
        "laptop",
    ),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words("must", "have to", "need to", "got to", "gotta", "will have to", "are required to")
    + r" (?:\S+ ){0,2}"
    + words("pay", "settle", "clear")
    + r" (?:\S+ ){0,2}"
    + words(
        "in full",
        "everything",
        "all of it",
        "it all",
        "the (?:full|whole|entire) (?:amount|balance|debt)",
        "the lot",
    )
    + gap(3)
    + " "
    + words("today", "now", "tonight", "immediately", "right now", "by tomorrow")
    + "|"
    + words(r"pay (?:it all|everything|in full|the (?:full|whole|entire) (?:amount|balance))")
    + " "
    + words("today", "now", "tonight", "right now", "immediately"),
    exempt_before=words(
        "you can", "you may", "if you", "option", "choose", "would you like", "able to"
    ),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words(
        "i don't care (?:how|where|what)",
        "i do not care (?:how|where|what)",
        "find the money (?:somewhere|somehow|anywhere)",
        "whatever it takes",
        "by any means",
        "beg, borrow",
        r"no matter (?:what|how)(?: \S+){0,5} (?:pay|money|repay)",
        "(?:we|i) can(?:not|'t) give you (?:any )?more time",
    ),
    negatable=False,
)
p.add(
    C.PRESSURE_TO_BORROW,
    words("ask", "get", "have", "make", "tell")
    + r" (?:your |his |her )?"
    + words(
        "parents",
        "family",
        "relatives",
        "friends",
        "mother",
        "father",
        "mum",
        "mom",
        "dad",
        "spouse",
        "wife",
        "husband",
        "children",
        "kids",
        "son",
        "daughter",
        "brothers?",
        "sisters?",
        "siblings",
        "uncle",
        "aunt",
        "cousins?",
        "grandparents",
        "boss",
        "girlfriend",
        "boyfriend",
        "partner",
        "grandmother",
        "grandfather",
        "grandma",
        "grandpa",
        "grandparents",
        "nan",
        "gran",
        "in-laws",
    )
    + r" (?:to |if |whether )?(?:they |he |she )?(?:can |could |would )?"
    + words("pay", "cover", "help pay", "settle", "lend", "loan", "chip in", "bail you out"),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words(
        "dip into",
        "cash in",
        "withdraw from",
        "use",
        "skip",
        "stop paying",
        "miss",
        "hold back",
        "delay",
    )
    + r" (?:\S+ ){0,2}(?:your |his |her )?"
    + words(
        "pension",
        "retirement",
        "401k",
        "kids' savings",
        "children's savings",
        "rent(?: money)?",
        "grocery money",
        "food money",
        "meals",
        "groceries",
        "utility bills",
        "heating",
    )
    + "|"
    + words("before", "instead of", "rather than")
    + r" (?:paying )?(?:your |the )?"
    + words("rent", "mortgage", "food", "groceries", "bills", "utilities", "electricity", "heating")
    + "|"
    + words(
        r"pay (?:us|this|this debt|our bill) (?:first|before anything else|before (?:your|the) \S+)"
    ),
)

# 8. Pretexts
p.add(
    C.PRETEXT,
    words("package", "parcel", "delivery", "courier")
    + gap(3)
    + " "
    + words(
        "for you",
        "waiting",
        "to deliver",
        "could not be delivered",
        "failed",
        "missed",
        "pending",
        "held",
    )
    + "|"
    + words(
        r"missed (?:a |your )?(?:delivery|parcel|package)",
        r"(?:tried|trying|attempted) to deliver",
        "delivery attempt",
    )
    + "|"
    + words("we have", "i have", "there is")
    + r" (?:a |an )?"
    + words("package", "parcel", "delivery", "gift", "envelope")
    + " for you",
)
p.add(
    C.PRETEXT,
    words(
        "you've won",
        "you have won",
        "you've been selected",
        "you have been selected",
        "you are (?:a|our) (?:lucky )?winner",
        r"claim your (?:prize|reward|gift)",
        "prize",
        "sweepstakes?",
        "lottery",
        "free gift",
        "gift card",
    ),
    exempt_before=words("scam", "fake", r"claim\w*", r"pretend\w*", "never"),
)
p.add(
    C.PRETEXT,
    words(
        "survey",
        "questionnaire",
        "market research",
        "customer satisfaction (?:call|survey)",
        "opinion poll",
    ),
)
p.add(
    C.PRETEXT,
    words(
        r"return(?:ing)? your (?:call|missed call|enquiry|inquiry)",
        "you (?:called|rang) us (?:earlier|yesterday|today)",
    ),
)
p.add(
    C.PRETEXT,
    words(
        "old friend",
        "school friend",
        r"friend of (?:yours|the family|your \S+)",
        r"(?:exciting|special|exclusive|limited|great) (?:offer|deal|opportunity|promotion)",
        "offer just for you",
        "personal matter",
        "personal call",
        "private matter",
        "job offer",
        "job interview",
        "inheritance",
        "insurance claim",
        r"(?:confirm|verify|update) (?:your )?(?:delivery|shipping) (?:address|details)",
    ),
)

# 10. Public shaming
p.add(
    C.PUBLIC_SHAMING,
    words(
        (
            r"(?:list|register|wall|board|roll) of (?:shame"
            r"|non-?payers|debtors|defaulters|deadbeats|bad payers)"
        ),
        "wall of shame",
        "name and shame",
        "shame list",
        r"public(?:ly)? (?:list|register|shame|shaming)",
        r"debtors'? (?:list|register|roll|board|wall)",
        r"publish\w*(?: \S+){0,3} (?:list|register|names)",
        r"(?:print|post|circulate)\w* (?:a |the |our )?(?:list|register) of",
        r"(?:list|register) of (?:debtors|defaulters|non-?payers)",
    ),
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        "publish",
        "post",
        "put up",
        "display",
        "circulate",
        "print",
        "advertise",
        "announce",
        "broadcast",
        "read out",
        "share",
    )
    + gap(3)
    + " "
    + words("your", "his", "her", "the debtor's")
    + " "
    + words("name", "photo", "picture", "face", "details", "debt", "address"),
)
p.add(
    C.PUBLIC_SHAMING,
    words(r"embarrass\w*", r"humiliat\w*", r"shame", r"shaming", r"expos(?:e|ing)")
    + gap(3)
    + " "
    + words(
        "publicly", "in public", "in front of", "before your", "to everyone", "at work", "online"
    )
    + "|"
    + r"\bin front of (?:all )?(?:your |his |her )?"
    + words(
        "clients",
        "customers",
        "colleagues",
        "co-?workers",
        "neighbou?rs",
        "family",
        "kids",
        "children",
        "friends",
        "guests",
        "staff",
        "employees",
        "congregation",
        "everyone",
        "the whole (?:street|office)",
    )
    + "|"
    + words("hang", "hanging", "put up", "putting up", "display", "place")
    + r" (?:a |some )?"
    + words("banner", "sign", "posters?", "notice")
    + r" (?:on|outside|at|in front of) "
    + words("your", "his", "her"),
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        "everyone",
        "everybody",
        "the whole (?:street|neighbou?rhood|town|village|office|building|community|family)",
        "all your (?:friends|neighbou?rs|colleagues|contacts|followers)",
    )
    + r" (?:will|is going to|are going to|'ll|gonna) (?:\S+ )?"
    + words("know", "find out", "hear", "see", "learn")
    + "|"
    + words("everyone", "everybody", "all", "the whole congregation", "people")
    + " (?:at|in|on) (?:your|his|her) "
    + words(
        "church",
        "work",
        "office",
        "school",
        "street",
        r"neighbou?rhood",
        "village",
        "building",
        "gym",
        "club",
    )
    + r" (?:\S+ ){0,2}"
    + words("knows?", "hears?", "finds? out", "learns?", "sees?", "hears about"),
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        "your followers",
        "your friends",
        "all your contacts",
        "your friends list",
        "your whole feed",
    )
    + r" (?:will |can |could |would )?(?:\S+ )?"
    + words("see", "know", "find out", "read"),
)
p.add(
    C.PUBLIC_SHAMING,
    words("sign", "posters?", "flyers?", "leaflets?", "banner")
    + gap(3)
    + r" (?:on|outside|at) "
    + words("your", "his", "her")
    + " "
    + words("door", "house", "home", "gate", "building", "shop", "office", "workplace", "street"),
)

# 11. Unauthorised fees
FEE = words("fees?", "charges?", "surcharges?")
p.add(
    C.UNAUTHORISED_FEE,
    words(
        "collection",
        "collections",
        "recovery",
        "processing",
        "admin",
        "administration",
        "administrative",
        "handling",
        "set-?up",
        "arrangement",
        "plan",
        "convenience",
        "service",
        "tracing",
        "field visit",
        "visit",
        "doorstep",
        "lawyer'?s?",
        "legal",
        "agency",
        "call",
    )
    + " "
    + FEE
    + "|"
    + FEE
    + r" (?:to|for) "
    + words(
        r"set(?:ting)? up",
        r"arrang\w*",
        r"process\w*",
        r"handl\w*",
        r"call\w*",
        r"collect\w*",
        r"visit\w*",
    ),
)
p.add(
    C.UNAUTHORISED_FEE,
    r"\b\d+ ?(?:%|percent|per cent) (?:collection |recovery |admin |service )?"
    + words("fee", "surcharge", "charge", "commission", "penalty")
    + "|"
    + words("fee", "surcharge", "charge", "commission", "penalty")
    + r" of \d+ ?(?:%|percent|per cent)",
)
p.add(
    C.UNAUTHORISED_FEE,
    r"\b\d+ ?(?:%|percent|per cent) "
    + words(
        "on top",
        "extra",
        "more",
        "for our",
        "for the trouble",
        "for our trouble",
        "handling",
        "surcharge",
    ),
)
p.add(
    C.UNAUTHORISED_FEE,
    words("double", "triple", "doubling", "tripling", "doubles", "triples")
    + r" (?:\S+ ){0,2}"
    + words("late fees?", "penalty", "penalties", "interest", "fees", "charges")
    + "|"
    + words("late fees?", "penalt(?:y|ies)", "interest", "fees", "charges")
    + r" (?:will )?"
    + words("double", "triple"),
)
p.add(
    C.UNAUTHORISED_FEE,
    words("add", "adding", "charge", "charging", "apply", "impose", "pay")
    + r" (?:an? |some |one )?(?:extra|additional|further) "
    + FEE,
)
p.add(
    C.UNAUTHORISED_FEE,
    words("extra", "additional", "added")
    + " "
    + words("fees?", "charges?", r"\$\d+", r"£\d+", r"€\d+")
    + gap(3)
    + " "
    + words("if", "for", "to", "unless"),
)

RULES = LanguageRules(
    language=Language.EN,
    patterns=p.patterns(),
    negator=rx(r"\b(?:not|never|no|neither|nor|without|nobody|none|nothing|cannot)\b|n't\b"),
    false_negator=rx(
        r"\b(?:won't|will not|not|never|wouldn't|would not|don't|do not) "
        r"(?:hesitate|stop|give up|rest|think twice|go away|let (?:this|it) go)\b"
        r"|\bno (?:choice|option|alternative) but\b|\bnot only\b|\bno later than\b"
        r"|\bwhy (?:don't|do not|not)\b|\bdon't you think\b|\bnothing but\b|\bno better than\b"
        r"|\bno more (?:excuses|delays|extensions)\b|\bnothing (?:else )?(?:left|more)\b"
    ),
    conditional=rx(r"\b(?:if|unless|until|when|whether|in case)\b(?: \S+){0,2} ?$"),
    blocker=rx(
        r"\b(?:pay|pays|paying|paid|repay|settle|respond|reply|answer|cooperate|agree|sign|"
        r"we|we'll|i|i'll|they|they'll|then)\b"
    ),
    sarcasm=rx(
        r"\b(?:don't|do not|never) (?:think|believe|assume|imagine|suppose)\b|\bdon't you dare\b"
    ),
    prohibition=rx(
        r"\b(?:illegal|unlawful|prohibited|forbidden|banned|not (?:allowed|permitted)|"
        r"against the (?:law|rules)|must not|may not|are not allowed)\b"
    ),
    clause_break=rx(r"[.!?;:]+(?= |$)|\n|\b(?:but|however|although|though|otherwise|whereas)\b"),
    sentence_break=rx(r"[.!?;]+(?= |$)|\n"),
    window=7,
    by_words=True,
    category_exempt=MappingProxyType(
        {
            C.UNAUTHORISED_FEE: rx(
                r"\b(?:your agreement|the agreement|credit agreement|your contract|the contract|"
                r"terms and conditions|permitted by law|allowed by law|as set out)\b"
            ),
            C.THIRD_PARTY: rx(
                r"\bwith your (?:written )?(?:consent|permission|agreement)\b"
                r"|\byou (?:have )?(?:asked|authori[sz]ed)\b"
            ),
        }
    ),
)
