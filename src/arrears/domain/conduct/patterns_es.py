"""Spanish patterns, over normalised text (lower case, accents removed: "detención" is
"detencion", "vergüenza" is "verguenza", "año" is "ano")."""

from __future__ import annotations

from types import MappingProxyType

from arrears.domain.conduct.categories import Category, Language
from arrears.domain.conduct.rules import LanguageRules, PatternSet, rx, words


def gap(most: int) -> str:
    """Up to `most` further words."""
    return rf"(?: \S+){{0,{most}}}"


C = Category
PRONOUN = r"(?:le|lo|la|te|los|las|les)"
POSS = r"(?:su|sus|tu|tus|el|la|los|las|del|al)"
THIRD = words(
    "empresa",
    "trabajo",
    "jefes?",
    "jefas?",
    "superior",
    "encargad[oa]",
    "recursos humanos",
    "companeros(?: de trabajo)?",
    "colegas",
    "oficina",
    "familia",
    "familiares",
    "parientes",
    "padres",
    "madre",
    "padre",
    "mama",
    "papa",
    "esposa",
    "esposo",
    "marido",
    "mujer",
    "pareja",
    "hijos",
    "hijas",
    "ninos",
    "hermanos?",
    "hermanas?",
    "suegros?",
    "amigos",
    "amistades",
    "vecinos",
    "vecindario",
    "comunidad de vecinos",
    "contactos",
    "conocidos",
    "referencias",
    "avalistas?",
    "iglesia",
    "colegio",
    "escuela",
    "profesores",
    "cliente(?:s)?",
    "novi[oa]",
    "tio",
    "tia",
    "prim[oa]s?",
    "abuel[oa]s?",
    "cunad[oa]s?",
    "recepcionista",
    "secretari[oa]",
    "centralita",
    "caser[oa]",
    "arrendador",
    "propietari[oa]",
    "portero",
    "administrador de fincas",
    "seguidores",
)
HEDGE = words(
    r"podr\w+",
    "puede",
    "pueden",
    "podemos",
    r"si (?:un|el) (?:juez|tribunal|juzgado)",
    r"si (?:hay|existe) (?:una )?sentencia",
    "solo",
    "unicamente",
    "previa",
    "previo",
    "sentencia",
    "resolucion judicial",
    "orden judicial",
    "juez",
    "conforme",
    "segun",
    "de acuerdo con",
    "cuando proceda",
    "evitar",
)
IMMEDIATE = words(
    "hoy",
    "hoy mismo",
    "manana",
    "manana mismo",
    "esta semana",
    "ya",
    "de inmediato",
    "inmediatamente",
    "enseguida",
    "ahora mismo",
    "esta tarde",
    "esta noche",
    "en 24 horas",
)
USTED_PUEDE = words(
    "puede", "podra", "podria", "si lo desea", "si quiere", "si prefiere", "desea", "usted"
)

p = PatternSet(Language.ES, "es")

# 1. Detención, cárcel, vía penal
p.add(
    C.THREAT_ARREST,
    r"\b"
    + PRONOUN
    + r" (?:\S+ ){0,2}"
    + words(
        r"deten(?:er|dran|dra|emos|ga|gan|ido|ida)",
        r"arrest\w*",
        r"encarcel\w*",
        r"meter(?:an|emos|a)? (?:en la |a la )?(?:carcel|prision)",
        r"llevar\w* (?:a|en) (?:la )?(?:carcel|prision|comisaria)",
    ),
    exempt_after=(
        r"^ (?:las |los )?(?:llamadas|comunicaciones|contactos"
        r"|mensajes|cobros|cargos|pagos|domiciliacion)"
    ),
)
p.add(
    C.THREAT_ARREST,
    words(
        r"ordene?s? de (?:detencion|arresto|busca y captura|captura|prision)",
        "busca y captura",
        r"(?:sera|seras|quedara|quedaras|acabara|acabaras"
        r"|terminara|ira|iras|va a ir|vas a ir) (?:usted )?"
        r"(?:detenid|arrestad|encarcelad|procesad|imputad"
        r"|a la carcel|a prision|en la carcel|en prision)\w*",
    ),
)
p.add(
    C.THREAT_ARREST,
    words(
        "carcel", "prision", "calabozo", "entre rejas", "chirona", "trullo", "talego", "comisaria"
    ),
    exempt_before=words("puede", "podra", "denunciar", "denunciarlo", "si alguien"),
)
p.add(
    C.THREAT_ARREST,
    words(
        r"(?:es|son|constituye|cometiendo|comete|cometer"
        r"|cometio|sera|esta cometiendo) (?:un |una )?"
        r"(?:delito|crimen|estafa|fraude|apropiacion"
        r" indebida|alzamiento de bienes|insolvencia punible)",
        "apropiacion indebida",
        "alzamiento de bienes",
        "insolvencia punible",
        r"(?:delito|penal|penalmente) (?:de )?(?:estafa|fraude)",
    ),
    exempt_before=words("si cree", "si piensa", "si sospecha", "victima", "suplantacion"),
)
p.add(
    C.THREAT_ARREST,
    words(r"denunci\w*", r"querell\w*")
    + gap(3)
    + " "
    + words(
        "por estafa",
        "por fraude",
        "ante la policia",
        "ante la guardia civil",
        "en comisaria",
        "en el juzgado de guardia",
        "ante la fiscalia",
        "por lo penal",
        "por la via penal",
        "por apropiacion indebida",
    )
    + r"|\b"
    + PRONOUN
    + " (?:\\S+ ){0,2}"
    + words(r"denunciar", r"denunciaremos", r"denunciare", r"denunciamos", r"querellaremos")
    + "|"
    + words("via penal", "denuncia penal", r"antecedentes(?: penales)?", "responsabilidad penal")
    + "|"
    + words(r"remit\w*", r"pas\w*", r"envi\w*", r"traslad\w*", r"deriv\w*", r"llev\w*", r"pon\w*")
    + r"(?: \S+){0,3} (?:a|ante|en manos de) (?:la )?"
    + words("fiscalia", "policia", "guardia civil", "juzgado de guardia"),
    exempt_before=words(
        "puede", "podra", "tiene derecho", "si alguien", "si recibe", "usted puede"
    ),
)
p.add(
    C.THREAT_ARREST,
    words(
        "vendra",
        "vendran",
        "ira",
        "iran",
        "llegara",
        "llegaran",
        r"se presentar\w*",
        r"aparecer\w*",
        "mandaremos",
        "enviaremos",
        "llamaremos",
        "avisaremos",
        "llamar",
        "avisar",
    )
    + r" (?:\S+ )?(?:a )?"
    + words(
        "la policia",
        "la guardia civil",
        "los mossos",
        "la ertzaintza",
        "los agentes",
        "los antidisturbios",
    ),
)
p.add(
    C.THREAT_ARREST,
    words(
        r"(?:querella|denuncia|accion|proceso|causa|procedimiento|demanda) (?:criminal|penal)",
        "penal",
        "penalmente",
        "criminal",
        "delito",
        "delitos",
        r"delictiv\w*",
        "robo",
        "un robo",
    ),
    exempt_before=words(
        "clausula", "codigo", "si cree", "si sospecha", "victima", "suplantacion", "denuncie"
    ),
)
p.add(
    C.THREAT_ARREST,
    words("la policia", "la guardia civil", "los mossos", "la ertzaintza", "los agentes")
    + gap(3)
    + " "
    + words(
        "ira",
        "iran",
        "vendra",
        "vendran",
        r"se presentar\w*",
        r"le buscar\w*",
        r"lo buscar\w*",
        r"le detendr\w*",
        r"llamar\w* a su puerta",
        r"pasar\w* por su casa",
        "vaya a buscarle",
    ),
)

# 2. Suplantar juzgados, policía, Administración, abogados
AUTHORITY = words(
    "juzgado",
    "juzgados",
    "tribunal",
    "tribunales",
    "audiencia",
    "policia",
    "guardia civil",
    "mossos",
    "hacienda",
    "agencia tributaria",
    "fiscalia",
    "ministerio",
    "gobierno",
    "departamento juridico",
    "departamento legal",
    "servicio juridico",
    "asesoria juridica",
    "abogados?",
    "bufete",
    "notaria",
    "procurador",
    "secretaria judicial",
    "oficina judicial",
    "seguridad social",
)
p.add(
    C.IMPERSONATION,
    words(
        "le llamamos",
        "le llamo",
        "te llamamos",
        "llamamos",
        "le escribimos",
        "le escribo",
        "le contactamos",
        "nos ponemos en contacto",
        "le habla",
        "le hablamos",
        "somos",
        "soy",
        "le saluda",
        "le llama",
        "llamada",
        "mensaje",
        "carta",
    )
    + r"(?: \S+){0,4} "
    + words(
        "del",
        "de la",
        "desde el",
        "desde la",
        "de",
        "en nombre del",
        "en nombre de la",
        "de parte del",
        "de parte de la",
    )
    + r"(?: el| la| los| las)? "
    + AUTHORITY,
)
p.add(
    C.IMPERSONATION,
    words("somos", "soy")
    + r"(?: un| una| el| la| los| las)? "
    + words(
        r"abogad\w*",
        r"agentes? judicial\w*",
        "policias?",
        r"funcionari\w*",
        r"inspector\w*",
        r"procurador\w*",
        r"notari\w*",
        r"jue(?:z|ces)",
        r"guardias? civil\w*",
    ),
)
p.add(
    C.IMPERSONATION,
    words(
        r"(?:notificacion|citacion|cedula|requerimiento|emplazamiento|orden|oficio|aviso) "
        r"(?:judicial|del juzgado|de embargo|fiscal|policial|de la policia)",
        "notificacion oficial del",
        r"(?:agente|funcionario|secretario|oficial) (?:judicial|del juzgado|de justicia)",
        r"(?:departamento|servicio|area|gabinete) (?:juridico|legal|de asuntos legales)",
        "guardia civil",
        "policia nacional",
        "agencia tributaria",
        "hacienda",
        (
            r"(?:aqui|le habla|le llama|soy) (?:el|la) (?:agente|inspector"
            r"|inspectora|oficial|sargento|comisari[oa]|jue(?:z|za)|teniente|capitan)"
        ),
        (
            r"(?:secretari[oa]|oficial|ayudante|asistente"
            r"|auxiliar) del (?:juez|juzgado|tribunal|fiscal)"
        ),
    ),
    exempt_before=words("puede", "podra", "si recibe", "usted puede", "ante"),
)

# 3. Terceros: empresa, familia, vecinos, redes
TELL = words(
    r"(?:llam|avis|inform|contact|habl|visit|comunic|notific)ar(?:ia|iamos|ian|e|emos|a|an)?",
    r"cont(?:arle|arles|arselo|aria|ariamos)",
    r"llam(?:ar|are|aremos|ara|aran|amos|ando)",
    "vamos a llamar",
    "voy a llamar",
    r"avis(?:ar|are|aremos|ara|aran|amos|ando)",
    r"inform(?:ar|are|aremos|ara|aran|amos|ando)",
    r"cont(?:are|aremos|ara|aran|arselo|aremoselo)",
    r"dec(?:ir|irle|irselo)",
    r"dir(?:e|emos|a|an)(?:selo)?",
    r"habl(?:ar|are|aremos|ara|aran|amos)(?: con)?",
    r"notific(?:ar|are|aremos|ara|aran|amos)",
    r"escribir(?:e|emos|a|an)?",
    r"visit(?:ar|are|aremos|ara|aran|amos)",
    r"comunic(?:ar|are|aremos|ara|aran|amos)(?:lo|selo)?",
    r"contact(?:ar|are|aremos|ara|aran|amos)(?: con)?",
    "iremos",
    "ire",
    "vamos a ir",
    "voy a ir",
    "apareceremos",
    r"pasaremos por",
    r"present(?:arnos|aremos|are)",
    "nos pondremos en contacto con",
    r"escrib(?:a|o)",
    r"envi(?:ar|are|aremos|ara|aran)",
    r"mand(?:ar|are|aremos|ara|aran)",
    r"(?:habl|llam|avis|inform|contact|cont|notific|visit|comunic|explic)ado(?: con)?",
    r"(?:le )?(?:hemos|he|ha) dicho",
    (
        r"(?:le |les )?(?:llame|llamamos|avise|avisamos|hable|hablamos"
        r"|dije|dijimos|conte|contamos|informe|informamos)(?: con)?"
    ),
    r"etiquet\w*",
)
p.add(
    C.THIRD_PARTY,
    TELL
    + r"(?:le|les|selo|lo)? (?:a |con |al |por |en )?(?:toda |todos |todas )?"
    + POSS
    + r" (?:\S+ )?"
    + THIRD,
    exempt_before=USTED_PUEDE,
    exempt_after=r"^ (?:para pedir|que le presten|que le ayuden)",
)
p.add(
    C.THIRD_PARTY,
    words("su", "sus", "tu", "tus")
    + r" (?:\S+ )?"
    + THIRD
    + r"(?: \S+){0,2} "
    + words(
        "se va a enterar",
        "se van a enterar",
        "se enterara",
        "se enteraran",
        "lo sabra",
        "lo sabran",
        "va a saber",
        "van a saber",
        "sabra",
        "sabran",
        "recibira",
        "recibiran",
        r"le (?:interesara|gustara|encantara|sorprendera) (?:saber|conocer|enterarse)",
        r"va a recibir",
        r"van a recibir",
        r"querra saber",
    )
    + "|"
    + words(
        "se enterara",
        "se enteraran",
        "se van a enterar",
        "se va a enterar",
        "lo sabra",
        "lo sabran",
        "se entere",
        "se enteren",
        "sabran",
    )
    + r"(?: \S+){0,3} (?:su|tu|sus|tus|todos|toda|todas)(?: \S+)? "
    + THIRD,
    inside=True,
)
p.add(
    C.THIRD_PARTY,
    words(
        r"publicar\w*",
        "publicaremos",
        r"colgar\w*",
        "colgaremos",
        r"subir\w*",
        "subiremos",
        r"compartir\w*",
        "compartiremos",
        r"difundir\w*",
        "difundiremos",
        "pondremos",
        "poner",
    )
    + gap(4)
    + r" (?:en )?(?:las |la |un |los )?"
    + words(
        r"redes(?: sociales)?",
        "facebook",
        "twitter",
        "instagram",
        "tiktok",
        "whatsapp",
        "internet",
        "la red",
        "grupos? de whatsapp",
    ),
)
p.add(
    C.THIRD_PARTY,
    r"\b(?:le|te|lo|la|les) etiquet\w*"
    r"|\betiquet\w* (?:a usted|en (?:una|sus|las) (?:publicacion|foto|redes))",
)
p.add(
    C.THIRD_PARTY,
    words(
        "libreta de direcciones",
        "agenda de contactos",
        r"agenda del (?:movil|telefono)",
        "lista de contactos",
        "contactos del movil",
        r"contactos de su (?:movil|telefono)",
        "todos sus contactos",
    ),
)
p.add(
    C.THIRD_PARTY,
    words("presion", r"presionar\w*", "presione", "presionaremos")
    + gap(6)
    + " "
    + words("a traves de", "por medio de", "mediante", "sobre", "a")
    + " "
    + words(
        "las personas",
        "su entorno",
        "el entorno",
        "sus familiares",
        "su familia",
        "sus allegados",
        "sus contactos",
        "terceros",
        "sus conocidos",
        "los familiares",
        "sus vecinos",
    )
    + "|"
    + words(r"(?:personas|entorno)(?: y el entorno)? que rodean? al deudor"),
)
p.add(
    C.THIRD_PARTY,
    words("a traves", "por medio")
    + r" de (?:sus |los |su |la )?"
    + words(
        "contactos",
        "familiares",
        "familia",
        "allegados",
        "conocidos",
        "referencias",
        "persona de contacto",
    ),
)
p.add(
    C.THIRD_PARTY,
    words(
        r"compart\w*",
        r"pasar\w*",
        r"envi\w*",
        r"mand\w*",
        r"dar\w*",
        r"facilit\w*",
        r"difund\w*",
        r"mostr\w*",
        r"ensen\w*",
    )
    + gap(3)
    + " "
    + words("con", "a")
    + r" (?:todos |todas )?(?:los |las |sus |su |tus |tu )"
    + THIRD,
    exempt_before=USTED_PUEDE,
)
p.add(
    C.THIRD_PARTY,
    words("cartas?", "burofax", "notificacion(?:es)?", "avisos?", "mensajes?")
    + gap(3)
    + " "
    + words("a", "al")
    + " "
    + words("su", "sus", "tu", "tus")
    + r" (?:\S+ )?"
    + THIRD,
)

# 4. Embargos, demandas, congelación presentados como ciertos o inmediatos
p.add(
    C.THREAT_ACTION,
    words(r"embarg\w*")
    + gap(3)
    + r" (?:la |su |sus |el |los |las )?"
    + words(
        "nomina",
        "sueldo",
        "salario",
        "cuentas?",
        "casa",
        "piso",
        "vivienda",
        "coche",
        "bienes",
        "pension",
        "propiedades",
        "todo",
    )
    + r"|\b(?:le|te) embarg\w*",
    exempt_before=HEDGE,
)
p.add(
    C.THREAT_ACTION,
    words(r"embarg\w*", r"demand\w*", r"congel\w*", "juicio", "tribunales", r"desahuci\w*")
    + gap(5)
    + " "
    + IMMEDIATE,
    exempt_before=words("evitar", "para evitar"),
)
p.add(
    C.THREAT_ACTION,
    words(
        "grua",
        r"llevar(?:se|nos) (?:su|el|la|tu) (?:coche|carro|moto|furgoneta|camion)",
        r"(?:retirar|recoger)(?:le)? (?:su|el) (?:coche|carro|vehiculo)",
        r"quedar(?:nos|se|emos) con (?:su|la|el|tu) (?:casa|coche|piso|vivienda|negocio|tienda)",
    ),
    exempt_before=HEDGE,
)
p.add(
    C.THREAT_ACTION,
    words(
        "nos llevaremos",
        "nos vamos a llevar",
        "vendremos a por",
        "vendremos a llevarnos",
        "vaciaremos",
        r"subastar\w*",
    )
    + r" (?:\S+ )?"
    + words("sus", "su", "los", "las", "el", "la", "tu", "tus")
    + " "
    + words(
        "muebles",
        "coche",
        "carro",
        "casa",
        "cosas",
        "bienes",
        "television",
        "cuenta",
        "cuentas",
        "moto",
        "piso",
        "vivienda",
    )
    + "|"
    + r"\b(?:le|te|les) "
    + r"(?:\S+ ){0,2}"
    + words(
        r"quitar\w*", "vamos a quitar", r"llevar\w*", r"retirar\w*", r"vaciar\w*", r"limpiar\w*"
    )
    + r" (?:\S+ )?"
    + words(
        "la casa",
        "el coche",
        "el piso",
        "la vivienda",
        "todo",
        "los muebles",
        "sus bienes",
        "el carro",
        "la moto",
        "sus cosas",
        "los hijos",
        "a sus hijos",
        "la cuenta",
        "las cuentas",
        "la nomina",
        "el sueldo",
        "el salario",
    ),
    exempt_before=HEDGE,
)
p.add(
    C.THREAT_ACTION,
    r"\b(?:le|te|les) "
    + words(
        "demandaremos",
        "vamos a demandar",
        "demandamos",
        "demandaran",
        "demandara",
        "van a demandar",
        "va a demandar",
        r"llevaremos (?:a|ante) (?:juicio|los tribunales|el juez)",
        "vamos a llevar a juicio",
    ),
    exempt_before=words("solo", "unicamente", "si un juez"),
)
p.add(
    C.THREAT_ACTION,
    words(r"congel\w*", r"bloquear\w*")
    + gap(3)
    + r" (?:sus |las |su |la |todas )?"
    + words("cuentas", "cuenta", "tarjetas", "bienes", "fondos", "ahorros")
    + "|"
    + words("cuentas", "tarjetas", "bienes", "ahorros")
    + r" (?:\S+ )?"
    + words("seran", "quedaran", "van a ser", "van a quedar")
    + " "
    + words(r"congelad\w*", r"bloquead\w*", r"embargad\w*"),
    exempt_before=HEDGE,
)
p.add(
    C.THREAT_ACTION,
    words(
        "se utilizaran",
        "utilizaremos",
        "usaremos",
        "emplearemos",
        "se usaran",
        "tomaremos",
        "recurriremos a",
        "se emplearan",
    )
    + " "
    + words("otros", "otras")
    + " "
    + words("metodos", "medios", "medidas", "formas", "vias")
    + "|"
    + words(r"(?:otros|otras) (?:metodos|medios|medidas) (?:para cobrar|de cobro)"),
    exempt_after=r"^ de (?:contacto|comunicacion|pago)",
)
p.add(
    C.THREAT_ACTION,
    words(
        "atengase a las consecuencias",
        "se va a arrepentir",
        "se arrepentira",
        "te vas a arrepentir",
        "te arrepentiras",
        "ya vera lo que pasa",
        "ya veras lo que pasa",
        "por las buenas o por las malas",
        "queda advertido",
    ),
    negatable=False,
)
p.add(
    C.THREAT_ACTION,
    words(
        r"desahuci\w*",
        r"echar\w* de su casa",
        r"perder(?:a|as|an)? (?:su|la|tu) (?:casa|vivienda|piso|coche)",
        r"va a perder (?:su|la) (?:casa|vivienda|piso|coche)",
    )
    + "|"
    + words(
        r"meter\w*", r"incluir\w*", "poner", "pondremos", r"apuntar\w*", "incluiremos", "meteremos"
    )
    + r" (?:\S+ ){0,2}(?:en )?(?:la |un |el )?"
    + words("lista de morosos", "fichero de morosos", "registro de morosos"),
    exempt_before=HEDGE + r"|\bprevio\b|\brequerimiento\b|\bley\b",
)

# 5. Consecuencias exageradas o inventadas
KIDS = words("hijos", "hijas", "ninos", "nietos", "hijo", "hija", "ninas")
PROSPECTS = words(
    "educacion",
    "estudios",
    "futuro",
    "colegio",
    "escuela",
    "universidad",
    "carrera",
    r"perspectivas(?: profesionales| laborales)?",
    "becas?",
    "oportunidades",
)
p.add(
    C.FALSE_CONSEQUENCE,
    words(
        r"afect\w*",
        r"impact\w*",
        r"perjudic\w*",
        r"dan(?:ar|ara|aran|ando|ado|ara)",
        r"arruin\w*",
        "consecuencias",
        r"repercut\w*",
        r"hipotec\w*",
        r"comprometer\w*",
    )
    + gap(6)
    + r" (?:la |las |el |los |a la |al )?"
    + PROSPECTS
    + gap(2)
    + r" (?:de |a )?(?:sus|los|tus|su|tu|las) "
    + KIDS,
)
p.add(
    C.FALSE_CONSEQUENCE,
    PROSPECTS
    + r" (?:de |a )?(?:sus|los|tus|su|tu|las) "
    + KIDS
    + gap(12)
    + " "
    + words(
        "impacto",
        r"afectad\w*",
        r"afectar\w*",
        r"perjudicad\w*",
        r"perjudicar\w*",
        "consecuencias",
        r"grave\w*",
        r"sufrir\w*",
        r"arruinad\w*",
        "en peligro",
        "en riesgo",
        r"pagar\w* las consecuencias",
    ),
    inside=True,
)
p.add(
    C.FALSE_CONSEQUENCE,
    KIDS
    + gap(3)
    + " "
    + words("no podran", "no van a poder", "nunca podran", "no podra", "nunca podra")
    + r" (?:\S+ ){0,3}"
    + words("estudiar", "ir a la universidad", "universidad", "colegio", "becas?", "trabajar"),
    negatable=False,
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("nunca", "jamas")
    + r" (?:mas )?"
    + words(
        "podra",
        "podras",
        "volvera a",
        "volveras a",
        "va a poder",
        "vas a poder",
        "conseguira",
        "conseguiras",
        "encontrara",
        "encontraras",
        "tendra",
        "tendras",
    )
    + gap(4)
    + " "
    + words(
        "trabajar",
        "trabajo",
        "empleo",
        "credito",
        "prestamo",
        "hipoteca",
        "alquilar",
        "piso",
        "casa",
        "cuenta",
    ),
    negatable=False,
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("lista negra", "listas negras")
    + "|"
    + words("de por vida", "para siempre", "permanentemente", "toda la vida", "toda su vida")
    + gap(3)
    + " "
    + words("lista", "fichero", "registro", "morosos", "historial", "credito")
    + "|"
    + words("lista", "fichero", "registro", "morosos", "historial")
    + gap(3)
    + " "
    + words("de por vida", "para siempre", "permanentemente", "toda la vida", "toda su vida"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("hemos", "han", "se ha", "se han", "ya")
    + r" (?:\S+ )?"
    + words("presentado", "interpuesto", "iniciado", "abierto", "puesto", "cursado")
    + r" (?:la |una |el |un )?"
    + words(
        "demanda",
        "denuncia",
        "querella",
        "procedimiento judicial",
        "juicio",
        "expediente judicial",
        "causa",
    ),
    exempt_before=words("si", "cuando", "en caso", "antes de que", "una vez"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("ultimo aviso", "ultima advertencia", "ultima oportunidad", "ultimatum", "aviso final"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("perdera", "perderas", "va a perder", "vas a perder", "perder")
    + " "
    + words("su", "tu", "el")
    + " "
    + words(
        "trabajo",
        "empleo",
        "puesto",
        "pasaporte",
        "permiso de residencia",
        "residencia",
        "nacionalidad",
        "custodia",
    )
    + "|"
    + words(r"deport\w*", r"expuls\w* del pais")
    + "|"
    + words("no podra", "no podras", "nunca podra")
    + " "
    + words("salir", "viajar")
    + " "
    + words("del", "al")
    + " "
    + words("pais", "extranjero"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    KIDS
    + gap(4)
    + " "
    + words(
        r"perder\w*",
        r"expulsad\w*",
        r"expulsar\w*",
        "quedarse sin",
        "quedara sin",
        "quedaran sin",
        "sin plaza",
    )
    + gap(4)
    + " "
    + words(
        "colegio", "plaza", "becas?", "universidad", "escuela", "estudios", "instituto", "guarderia"
    ),
)
p.add(
    C.FALSE_CONSEQUENCE,
    r"\bno (?:le|te) \S+(?: \S+){0,4} "
    + words("en la vida", "en su vida", "nunca mas", "jamas", "nunca")
    + "|"
    + words(r"ningun (?:banco|prestamista|casero|empleador)")
    + r" (?:le|te) (?:\S+ ){0,2}"
    + words(
        r"dar\w*", r"prestar\w*", r"conceder\w*", r"alquilar\w*", r"contratar\w*", "va a", "querra"
    ),
    negatable=False,
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("custodia", "servicios sociales", "patria potestad")
    + gap(3)
    + r" (?:de )?(?:sus |los |tus )?"
    + KIDS
    + "|"
    + words(r"(?:quitar|retirar)(?:an|le|les|emos)?")
    + r" (?:a )?(?:sus|tus|los) "
    + KIDS
    + "|"
    + words("nadie", "ningun banco", "ninguna empresa", "ninguna entidad", "ningun casero")
    + r" (?:le|te) "
    + words("va a", "volvera a", "querra", "dara", "prestara", "contratara", "alquilara")
    + r"(?: \S+)?",
    negatable=False,
)
p.add(
    C.FALSE_CONSEQUENCE,
    KIDS
    + gap(3)
    + " "
    + words(r"pagar(?:an|a)", r"sufrir(?:an|a)", "lo pagaran", "lo sufriran")
    + r"(?: las consecuencias)?",
)
p.add(
    C.FALSE_CONSEQUENCE,
    words("su", "tu", "sus", "tus")
    + " "
    + words(
        "familia",
        "familiares",
        "hijos",
        "padres",
        "esposa",
        "esposo",
        "marido",
        "mujer",
        "pareja",
        "herederos",
    )
    + " "
    + words("tendran", "tendra", "deberan", "debera", "van a tener", "va a tener")
    + r" (?:que )?"
    + words("pagar", "responder", "hacerse cargo", "asumir"),
)
p.add(
    C.FALSE_CONSEQUENCE,
    words(
        r"arruinar\w*", "arruinaremos", r"destrozar\w*", "destrozaremos", r"hundir\w*", "hundiremos"
    )
    + r" (?:\S+ ){0,2}"
    + words("su", "tu")
    + " "
    + words("vida", "futuro", "reputacion", "carrera", "negocio", "familia")
    + "|"
    + words("vida", "futuro", "reputacion")
    + " "
    + words(r"arruinad\w*", r"destrozad\w*"),
)

# 6. Insultos
p.add(
    C.ABUSE,
    words(
        "sinverguenzas?",
        "ladron(?:es|a|as)?",
        "estafador(?:es|a|as)?",
        "mentiros[oa]s?",
        "tramposos?",
        "caraduras?",
        r"aprovechad[oa]s?",
        r"vividor(?:es|a|as)?",
        "jetas?",
        r"mangantes?",
        r"gandul(?:es)?",
        r"holgazan(?:es|a|as)?",
        r"chupoptero?s?",
        "morosos? profesional(?:es)?",
        "cara dura",
        "gorron(?:es|a)?",
        "parasitos?",
        "ratas?",
        "desgraciad[oa]s?",
        "miserables?",
        "muertos? de hambre",
        "imbecil(?:es)?",
        "idiotas?",
        "estupid[oa]s?",
        "tont[oa]s?",
        "subnormal(?:es)?",
        "cabron(?:es|a)?",
        "mierda",
        "joder",
        "gilipollas",
        "capullos?",
        "payasos?",
        "inutil(?:es)?",
        "chorizos?",
        "sanguijuelas?",
        "basura",
        "escoria",
        "hijo de puta",
        "puta",
        "cerdos?",
        "delincuentes?",
        "maleantes?",
        "vag[oa]s?",
        "rastrer[oa]s?",
        "moros[oa]s? de mierda",
    ),
    exempt_before=words(
        "correo",
        "carpeta de",
        "cuidado con",
        "alerta",
        "precaucion",
        "desconfie",
        "protejase",
        "posibles",
        "intentos de",
        "denuncie a",
    ),
    exempt_after=r"^ (?:que se hac\w+ pasar|que suplant\w+)",
)
p.add(
    C.ABUSE,
    words("es usted", "eres", "usted es")
    + " (?:un|una) "
    + words(
        r"moros[oa]",
        "caradura",
        "sinverguenza",
        "verguenza",
        "desastre",
        r"fracasad[oa]",
        "aprovechad[oa]",
    )
    + "|"
    + words(
        r"no (?:tiene|tienes) (?:verguenza|dignidad|palabra)",
        "que verguenza",
        r"deberia darle verguenza",
        r"deberia darte verguenza",
        "es una verguenza",
        "no es usted nadie",
    ),
    negatable=False,
)

# 7. Presión para pedir prestado, vender o pagar por encima de sus medios
p.add(
    C.PRESSURE_TO_BORROW,
    words(
        r"pid\w*",
        r"pedir\w*",
        "pide",
        r"solicit\w*",
        r"consig\w*",
        r"busqu\w*",
        r"busc\w*",
        r"recaud\w*",
        r"obteng\w*",
        "obtener",
        "saque",
        "sacar",
        r"reun\w*",
        r"junt\w*",
    )
    + gap(4)
    + " "
    + words(
        r"prestad\w*", "fondos", "dinero", "el dinero", "un prestamo", "ayuda economica", "ayuda"
    )
    + gap(2)
    + " "
    + words("a", "de", "entre", "con")
    + r" (?:sus |tus |los |la |su |tu )?"
    + words(
        "familiares",
        "familia",
        "amigos",
        "parientes",
        "conocidos",
        "padres",
        "hermanos",
        "companeros",
        "vecinos",
        "allegados",
        "otras personas",
        "hermano",
        "hermana",
        "madre",
        "padre",
        "tio",
        "tia",
        "primo",
        "prima",
        "abuelos",
        "suegros",
        "pareja",
        "novio",
        "novia",
        "jefe",
        "amigo",
        "amiga",
    ),
    exempt_before=USTED_PUEDE,
)
p.add(
    C.PRESSURE_TO_BORROW,
    words(
        "saque",
        "sacar",
        "pida",
        "pedir",
        "solicite",
        "solicitar",
        "coja",
        "coger",
        "contrate",
        "contratar",
        "busque",
        "buscar",
    )
    + r"(?: \S+){0,2} "
    + words("otro", "un nuevo", "un", "otra", "un segundo", "una nueva")
    + " "
    + words("prestamo", "credito", "minicredito", "microcredito", "adelanto", "anticipo", "tarjeta")
    + "|"
    + words(
        "prestamo rapido",
        "minicreditos?",
        "casa de empeno",
        r"empen\w*",
        "prestamista",
        r"agot\w* (?:el )?(?:limite|saldo|credito)",
        "tarjeta al limite",
        r"rescat\w* (?:su |el |sus )?(?:plan de pensiones|pension|fondo|planes de pensiones)",
        (
            r"(?:use|usar|retire|retirar|saque|sacar) (?:sus |los "
            r"|el )?(?:ahorros|fondo de pensiones|dinero de la hucha)"
        ),
        r"rehipotec\w*",
    ),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words(
        "paguelo",
        "pagarlo",
        "pagar",
        "pague",
        "pagas",
        "paga",
        "cubra",
        "cubrir",
        "carguelo",
        "cargarlo",
        "cargue",
        "carguelos",
    )
    + r"(?: \S+){0,2} "
    + words("con", "usando", "mediante", "cargandolo a", "a", "en")
    + " "
    + words("otra", "su otra", "una nueva", "una segunda", "una")
    + (
        r" tarjeta(?: de credito)?(?: nueva| distinta|"
        r" diferente)?\b(?<!una tarjeta)(?<!una tarjeta de credito)"  # a bare "una tarjeta" is
        # how people pay; only "una tarjeta nueva" / "otra tarjeta" is new borrowing
    )
    + "|"
    + words(
        "otra tarjeta", "una nueva tarjeta", "una tarjeta nueva", "segunda tarjeta", "tarjeta nueva"
    )
    + gap(3)
    + " "
    + words(r"pag\w*", r"cubr\w*", r"liquid\w*", r"carg\w*", r"salde\w*"),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words(r"vend\w*")
    + r" (?:\S+ )?"
    + words("el", "su", "sus", "tu", "tus", "la", "las", "los")
    + " "
    + words(
        "coche",
        "carro",
        "casa",
        "piso",
        "joyas",
        "muebles",
        "moto",
        "oro",
        "vivienda",
        "cosas",
        "bienes",
        "television",
        "movil",
        "anillo",
    ),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words("tiene", "tienes", "debe", "debes", "necesita", "hay")
    + r" (?:que )?"
    + words("pagar", "devolver", "abonar", "liquidar", "saldar")
    + r"(?:lo|la|los|las)?"
    + gap(3)
    + " "
    + words("todo", "la totalidad", "el total", "integro", "completo", "entero", "todo el dinero")
    + gap(3)
    + " "
    + words("hoy", "ya", "ahora", "esta tarde", "esta noche", "manana", "hoy mismo", "ahora mismo"),
    exempt_before=words("si", "puede", "si lo desea", "opcion"),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words(
        r"no importa lo que (?:piense|pienses|diga|digas|tenga|tengas)",
        r"no podemos (?:darle|darte|concederle|concederte)(?: mas)? (?:tiempo|plazo)",
        r"no (?:le|te) (?:vamos a dar|daremos|podemos dar) mas (?:tiempo|plazo)",
        r"me da igual (?:como|de donde|lo que)",
        r"nos da igual (?:como|de donde|lo que)",
        "como sea",
        "cueste lo que cueste",
        "de donde sea",
        "de debajo de las piedras",
    ),
    negatable=False,
)
p.add(
    C.PRESSURE_TO_BORROW,
    words("pida", "pidale", "pidales", "digale", "diga", "pidan", "hable con")
    + r" (?:a )?"
    + words("sus", "su", "tus", "tu")
    + " "
    + THIRD
    + r" (?:que|para que) (?:le |lo |la |se lo |selo )?"
    + words(
        "paguen", "pague", "presten", "preste", "ayuden", "ayude", "pongan", "ponga", "adelanten"
    ),
)
p.add(
    C.PRESSURE_TO_BORROW,
    words("antes que", "en vez de", "en lugar de", "antes de")
    + r" (?:pagar )?(?:el |la |su |sus |los |las )?"
    + words(
        "alquiler",
        "hipoteca",
        "comida",
        "luz",
        "agua",
        "facturas",
        "colegio",
        "recibos",
        "calefaccion",
    )
    + "|"
    + words("deje de pagar", "no pague", "deje de comprar")
    + r" (?:el |la |su |sus |los |las )?"
    + words("alquiler", "hipoteca", "comida", "luz", "agua", "facturas", "colegio", "recibos"),
    negatable=False,
    exempt_before=words("nunca", "no le pediremos", "no le pedimos"),
)

# 8. Pretextos
p.add(
    C.PRETEXT,
    words("tenemos", "hay", "tiene")
    + " "
    + words("un", "una")
    + " "
    + words("paquete", "envio", "entrega", "pedido", "regalo", "carta certificada")
    + "|"
    + words("paquetes?", "envios?", "entregas?", "pedidos?")
    + r"(?: \S+){0,2} "
    + words(r"pendientes?", r"retenid[oa]s?", "sin entregar", r"fallid[oa]s?", "para usted")
    + "|"
    + words("entrega fallida"),
)
p.add(
    C.PRETEXT,
    words(
        "ha ganado",
        "has ganado",
        r"ha sido (?:seleccionad|premiad)\w*",
        "premio",
        "sorteo",
        "ganador",
        "ganadora",
        "loteria",
        "regalo",
        r"(?:le|te) ha tocado",
        r"ha sido agraciad\w*",
        r"vales? (?:de|regalo)",
        "cheque regalo",
        r"canje\w*",
    ),
    exempt_before=words("falso", "fraude", "estafa", "supuesto", "supuestamente", "nunca"),
)
p.add(C.PRETEXT, words("encuestas?", "estudio de mercado", "cuestionario", "sondeo"))
p.add(
    C.PRETEXT,
    words(
        r"(?:le|te) devolv\w* (?:la|su) llamada",
        r"(?:respondiendo|devolviendo) (?:a )?su llamada",
        "usted nos llamo",
    ),
)
p.add(
    C.PRETEXT,
    words(
        "asunto personal",
        "tema personal",
        "asunto privado",
        "un amigo suyo",
        r"(?:un|una) amig[oa] (?:de su|suy[oa]|de tu)",
        r"oferta (?:exclusiva|especial|unica|personalizada)",
        r"promocion(?:es)?",
        (
            r"(?:le llamamos|somos|llamamos|le llamo) de (?:la"
            r" )?(?:mensajeria|paqueteria|empresa de transporte)"
        ),
        "antiguo companero",
        "viejo amigo",
        r"oferta de (?:trabajo|empleo)",
        "entrevista de trabajo",
        "herencia",
        r"(?:reembolso|devolucion) de hacienda",
        r"confirmar (?:su )?direccion de (?:entrega|envio)",
    ),
)

# 10. Listas de morosos y escarnio público
p.add(
    C.PUBLIC_SHAMING,
    words(
        r"(?:lista|listado|relacion|registro)s? (?:publica "
        r"|publico )?de (?:morosos|deudores|impagados|impagos)"
    )
    + r"(?: \S+){0,4} "
    + words(r"public\w*", r"expon\w*", r"difund\w*", r"colg\w*", r"exhib\w*")
    + "|"
    + words(r"public\w*", r"expon\w*", r"difund\w*", r"colg\w*", r"exhib\w*", r"aparecer\w*")
    + r"(?: \S+){0,5} "
    + words(
        r"(?:lista|listado|relacion|registro|web|pagina)s?"
        r" (?:publica |publico )?de (?:morosos|deudores|impagados)"
    ),
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        "todos sus vecinos",
        "sus vecinos",
        "todo el vecindario",
        "toda la calle",
        "sus seguidores",
        "todos sus contactos",
    )
    + r"(?: \S+){0,2} "
    + words("veran", "van a ver", "sabran", "se enteraran", "vean", "sepan", "se enteren")
    + "|"
    + words(r"publicar\w*", "publicaremos", r"colgar\w*", r"difundir\w*")
    + r"(?: \S+){0,2} (?:una |la |nuestra )?"
    + words("lista", "listado", "relacion")
    + " de",
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        r"compart\w*",
        r"difund\w*",
        r"public\w*",
        r"envi\w*",
        r"mand\w*",
        r"repart\w*",
        r"pas\w*",
        r"ensen\w*",
    )
    + gap(4)
    + " "
    + words("con", "a", "entre")
    + " "
    + words(
        "todos los vecinos",
        "todo el edificio",
        "toda la comunidad",
        "todo el barrio",
        "todo el mundo",
        "todos sus contactos",
        "toda la oficina",
        "toda la empresa",
    ),
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        "lista publica",
        (
            r"lista (?:publica )?de morosos(?: \S+){0,3} (?:publica|en"
            r" la puerta|en el portal|en internet|en redes|en el tablon)"
        ),
        "muro de la verguenza",
        r"tablon(?: de anuncios)?",
        r"escrach\w*",
        r"cobrador(?:es)? del frac",
    ),
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        "publicar",
        "publicaremos",
        "colgar",
        "colgaremos",
        "exponer",
        "expondremos",
        "exhibir",
        "exhibiremos",
        "difundir",
        "difundiremos",
        "pegar",
        "pegaremos",
    )
    + r" (?:\S+ ){0,2}"
    + words("su", "tu", "sus")
    + " "
    + words("nombre", "foto", "fotografia", "deuda", "datos", "cara", "direccion"),
)
p.add(
    C.PUBLIC_SHAMING,
    words("carteles?", "pancartas?", "pegatinas?", "octavillas?", "anuncios?")
    + gap(4)
    + r" (?:en )?"
    + words("su", "tu")
    + " "
    + words(
        "puerta", "portal", "casa", "edificio", "negocio", "tienda", "oficina", "barrio", "calle"
    )
    + "|"
    + words("delante de", "frente a", "ante")
    + " "
    + words("sus", "tus", "su", "tu", "todos sus")
    + " "
    + words(
        "clientes", "vecinos", "companeros", "hijos", "familia", "empleados", "amigos", "invitados"
    ),
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        "todo el barrio",
        "todo el edificio",
        "todos los vecinos",
        "toda la comunidad",
        "todo el pueblo",
        "todo el mundo",
        "toda la oficina",
        "toda la empresa",
    )
    + r"(?: \S+){0,2} "
    + words(
        "se va a enterar",
        "se van a enterar",
        "se enterara",
        "se enteraran",
        "lo sabra",
        "lo sabran",
        "sabra",
        "sabran",
        "va a saber",
        "van a saber",
        "se entere",
    ),
)
p.add(
    C.PUBLIC_SHAMING,
    words(
        r"avergonz\w*",
        r"humill\w*",
        r"expon\w*",
        r"ridiculiz\w*",
        "poner en evidencia",
        "dejar en evidencia",
    )
    + gap(3)
    + " "
    + words("en publico", "publicamente", "delante", "ante todos", "en redes", "ante sus"),
)

# 11. Importes no autorizados
p.add(
    C.UNAUTHORISED_FEE,
    words(
        "comision",
        "comisiones",
        "gastos",
        "honorarios",
        "cargos?",
        "tasa",
        "tarifa",
        "coste",
        "costes",
    )
    + r"(?: \S+)? "
    + words("de", "por")
    + " "
    + words(
        "recobro",
        "gestion",
        "gestiones",
        "cobro",
        "cobranza",
        "reclamacion",
        "apertura del plan",
        "tramitacion",
        "visita",
        "desplazamiento",
        "abogados?",
        "llamadas?",
        "localizacion",
        "expediente",
    ),
)
p.add(
    C.UNAUTHORISED_FEE,
    words(r"cobrar\w*", r"cargar\w*", r"anad\w*", r"sumar\w*", "cobramos", "cargamos")
    + r"(?: \S+){0,2} (?:un )?\d+ ?(?:euros|eur|€|%|por ciento)? "
    + words("por cada", "por", "de", "como")
    + r" (?:\S+ )?"
    + words(
        "llamadas?",
        "cartas?",
        "visitas?",
        "gestion",
        "mensajes?",
        "avisos?",
        "las molestias",
        "recargo",
        "gastos",
        "recordatorios?",
    )
    + "|"
    + words(
        r"honorarios (?:de|del) (?:nuestra|la|el|nuestro) (?:agencia|despacho|empresa|gabinete)"
    ),
)
p.add(
    C.UNAUTHORISED_FEE,
    r"\b\d+ ?(?:euros|eur|€|dolares|pesos)? (?:de|por) "
    + words(
        "alta",
        "apertura",
        "gestion",
        "tramitacion",
        "abrir",
        "activar",
        "recobro",
        "reclamacion",
        "estudio",
    ),
)
p.add(
    C.UNAUTHORISED_FEE,
    words("recargo", "comision", "penalizacion", "sancion", "multa")
    + r"(?: \S+){0,2} (?:del |de un |de )?\d+ ?(?:%|por ciento)"
    + r"|\b\d+ ?(?:%|por ciento) (?:de )?"
    + words("recargo", "comision", "penalizacion", "gastos", "honorarios"),
)
p.add(
    C.UNAUTHORISED_FEE,
    words(r"duplic\w*", r"doblar\w*", r"triplic\w*", "doblaremos")
    + gap(3)
    + r" (?:los |la |el |las )?"
    + words("intereses", "recargos", "comisiones", "penalizacion", "deuda", "gastos", "importe")
    + "|"
    + words("intereses", "recargos", "comisiones", "deuda", "gastos")
    + r" (?:se )?"
    + words(r"duplic\w*", r"doblar\w*", r"triplic\w*"),
)
p.add(
    C.UNAUTHORISED_FEE,
    words("cargos?", "gastos?", "costes?", "importe")
    + " "
    + words("adicional(?:es)?", "extra", r"extraordinari\w*"),
)

RULES = LanguageRules(
    language=Language.ES,
    patterns=p.patterns(),
    negator=rx(r"\b(?:no|nunca|jamas|tampoco|ni|sin|ningun|ninguna|ninguno|nadie|nada)\b"),
    false_negator=rx(
        r"\bno (?:dudar\w*|duda\w*|parar\w*|descansar\w*|nos quedaremos quietos|pararemos)\b"
        r"|\bno (?:tenemos|tendremos|queda|nos queda|le"
        r" queda) (?:mas )?(?:remedio|opcion|alternativa)\b"
        r"|\bno (?:es|eres|son|sera) (?:usted |tu )?(?:mas|nada mas|otra cosa) que\b"
        r"|\bno solo\b|\bno mas tarde de\b|\bsin falta\b|\bsin excusas\b|\bni un dia mas\b"
    ),
    conditional=rx(
        r"\b(?:si|mientras|hasta que|cuando|en caso de que|a menos que)\b(?: \S+){0,2} ?$"
    ),
    blocker=rx(
        r"\b(?:pag\w*|abon\w*|devuelv\w*|devolv\w*|liquid\w*|respond\w*|contest\w*|"
        r"entonces|luego|nosotros)\b"
    ),
    sarcasm=rx(r"\bno (?:crea|creas|piense|pienses|se crea|te creas|se piense|se imagine)\b"),
    prohibition=rx(
        r"\b(?:ilegal|ilicit\w*|prohibid\w*|no (?:esta|estan) permitid\w*|contra la ley|"
        r"no (?:puede|pueden|podemos) legalmente)\b"
    ),
    clause_break=rx(
        r"[.!?;:]+(?= |$)|[¿¡]|\n|\b(?:pero|sino|aunque|sin embargo|de lo contrario|en cambio)\b"
    ),
    sentence_break=rx(r"[.!?;]+(?= |$)|[¿¡]|\n"),
    window=7,
    by_words=True,
    category_exempt=MappingProxyType(
        {
            C.UNAUTHORISED_FEE: rx(
                r"\b(?:su contrato|el contrato|contractual\w*|pactad\w*|condiciones generales|"
                r"permitid\w* por la ley|conforme a la ley)\b"
            ),
            C.THIRD_PARTY: rx(
                r"\bcon su (?:consentimiento|autorizacion|permiso)\b|\bsi usted (?:lo )?autoriza\b"
            ),
        }
    ),
)
