"""Reason texts in English, Spanish and Chinese (simplified): plain format strings, no I/O.

Every finding carries a message key and parameters; `render` picks the language (falling back to
English) and fills them. Codes (channels, flags, rule ids) are left untranslated on purpose: they
are what people search for.
"""

# ruff: noqa: RUF001 - the Chinese texts use full-width punctuation on purpose

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

LANGUAGES: Final = ("en", "es", "zh")

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "hours": "outside convenient hours ({open}-{close} local) in {zones}",
        "hours_unknown_zone": "the person's time zone is not known for every number and address; "
        "contact is blocked until it is",
        "hours_day": "{zones}: no contact on weekends or public holidays",
        "calls_7in7": "{count} counted calls to this person about debt {debt} in the 7-day "
        "window (at most {limit})",
        "conv_7": "telephone conversation about debt {debt} on {date}: no call about it before "
        "the 8th day",
        "pattern_rapid": "another call to {number} within 5 minutes",
        "pattern_concentration": "{count} calls to {number} on this local day already",
        "pattern_signal": "the person said earlier: {signal}",
        "designated_time": "the person said this time is inconvenient",
        "designated_place": "the person asked not to be contacted at {place}",
        "medium_opt_out": "the person asked us not to use {channel}",
        "address_opt_out": "the person asked us not to use {address}",
        "employer": "the person's employer forbids such contact at work",
        "work_email": "{address} is employer-provided; the person has neither used it with us "
        "nor consented to it",
        "attorney": "the person is represented by an attorney for debt {debt}",
        "cease": "the person asked us to stop communicating, or refused to pay, debt {debt}",
        "dispute": "debt {debt} is disputed and the verification has not been sent",
        "dispute_flag": "debt {debt} has an unresolved dispute on file",
        "oc_request": "the original-creditor request on debt {debt} is not answered yet",
        "third_party": "a {relation} is a third party: no debt information may be conveyed",
        "location_once": "this third party was already asked for location information",
        "location_attorney": "the consumer's attorney is known: ask only the attorney",
        "electronic_opt_out": "an electronic message must carry a clear way to opt out",
        "social_public": "public or contacts-visible social-media messages are forbidden",
        "postcard": "postcards are forbidden",
        "ma_calls": "{count} collector-initiated calls or texts about debt {debt} to {kind} "
        "numbers in {days} days (at most {limit})",
        "status_hold": "{flag} holds this contact",
        "vulnerable_visit": "no field visit while the customer is known to be vulnerable",
        "forbearance": "no forbearance assessment for debt {debt} in the last {days} days before "
        "this escalation",
        "forbearance_advice": "no forbearance assessment with a debt-advice referral for debt "
        "{debt} before enforcement",
        "negotiating": "a repayment plan is being developed: escalation waits",
        "frequency_cap": "{count} {channel} contacts in {days} day(s) reached the firm's cap of "
        "{limit}",
        "transfer_notice": "debt {debt} was transferred and the transfer notice has not been sent",
        "cn_attempts": "{count} attempts to {number} on this local day (at most {limit})",
        "cn_voice": "{count} conversations initiated by us on this local day (at most {limit})",
        "cn_third_party": "non-debtors may be contacted only when the debtor cannot be reached, "
        "and never about the debt",
        "cn_refused": "this person refused further contact",
        "cn_target": "collection demands go only to the debtor or a guarantor",
        "cn_visit": "a field visit needs at least two collectors ({count} assigned)",
        "house_max": "{count} contacts in {days} day(s): house limit {limit}",
        "house_slot": "already called in this time slot ({slot}) today",
        "next_allowed": "allowed again from {instant}",
        "no_next": "no time-based end: waits for an event ({rules})",
        "allowed": "no rule objects",
        "override": "presumed violation of {rules}; rebuttal factor {reason} (supervisor "
        "{supervisor})",
    },
    "es": {
        "hours": "fuera del horario adecuado ({open}-{close} hora local) en {zones}",
        "hours_unknown_zone": "no se conoce la zona horaria de todos los números y direcciones "
        "de la persona; el contacto queda bloqueado hasta conocerla",
        "hours_day": "{zones}: sin contacto en fines de semana ni festivos",
        "calls_7in7": "{count} llamadas computables a esta persona por la deuda {debt} en la "
        "ventana de 7 días (máximo {limit})",
        "conv_7": "conversación telefónica sobre la deuda {debt} el {date}: no se puede llamar "
        "por ella antes del 8.º día",
        "pattern_rapid": "otra llamada a {number} en menos de 5 minutos",
        "pattern_concentration": "ya hay {count} llamadas a {number} en este día local",
        "pattern_signal": "la persona dijo antes: {signal}",
        "designated_time": "la persona indicó que este horario no le conviene",
        "designated_place": "la persona pidió no ser contactada en {place}",
        "medium_opt_out": "la persona pidió que no usemos {channel}",
        "address_opt_out": "la persona pidió que no usemos {address}",
        "employer": "el empleador de la persona prohíbe este contacto en el trabajo",
        "work_email": "{address} es del empleador; la persona no lo ha usado con nosotros ni ha "
        "dado su consentimiento",
        "attorney": "la persona tiene abogado para la deuda {debt}",
        "cease": "la persona pidió cesar la comunicación, o se negó a pagar, la deuda {debt}",
        "dispute": "la deuda {debt} está impugnada y aún no se ha enviado la verificación",
        "dispute_flag": "la deuda {debt} tiene una impugnación sin resolver",
        "oc_request": "la solicitud del acreedor original de la deuda {debt} sigue sin respuesta",
        "third_party": "un {relation} es un tercero: no se puede transmitir información de la "
        "deuda",
        "location_once": "ya se pidió a este tercero información de localización",
        "location_attorney": "se conoce al abogado del consumidor: solo se le puede preguntar a él",
        "electronic_opt_out": "un mensaje electrónico debe indicar cómo darse de baja",
        "social_public": "se prohíben los mensajes en redes sociales visibles para el público o "
        "los contactos",
        "postcard": "se prohíben las postales",
        "ma_calls": "{count} llamadas o mensajes iniciados por el cobrador sobre la deuda {debt} "
        "a números {kind} en {days} días (máximo {limit})",
        "status_hold": "{flag} suspende este contacto",
        "vulnerable_visit": "no hay visitas mientras se sepa que el cliente es vulnerable",
        "forbearance": "no hay evaluación de medidas de tolerancia para la deuda {debt} en los "
        "últimos {days} días antes de esta escalada",
        "forbearance_advice": "no hay evaluación de tolerancia con derivación a asesoramiento "
        "para la deuda {debt} antes de la ejecución",
        "negotiating": "se está preparando un plan de pagos: la escalada espera",
        "frequency_cap": "{count} contactos por {channel} en {days} día(s) alcanzan el límite de "
        "la empresa ({limit})",
        "transfer_notice": "la deuda {debt} fue cedida y aún no se ha enviado la notificación de "
        "cesión",
        "cn_attempts": "{count} intentos a {number} en este día local (máximo {limit})",
        "cn_voice": "{count} conversaciones iniciadas por nosotros en este día local (máximo "
        "{limit})",
        "cn_third_party": "solo se puede contactar a terceros si el deudor es ilocalizable, y "
        "nunca sobre la deuda",
        "cn_refused": "esta persona rechazó más contactos",
        "cn_target": "las reclamaciones solo se dirigen al deudor o al avalista",
        "cn_visit": "una visita requiere al menos dos gestores ({count} asignados)",
        "house_max": "{count} contactos en {days} día(s): límite interno {limit}",
        "house_slot": "ya se llamó en esta franja ({slot}) hoy",
        "next_allowed": "permitido de nuevo desde {instant}",
        "no_next": "sin fin por tiempo: espera un evento ({rules})",
        "allowed": "ninguna regla se opone",
        "override": "presunta infracción de {rules}; factor de refutación {reason} (supervisor "
        "{supervisor})",
    },
    "zh": {
        "hours": "不在{zones}当地的适宜时段（{open}-{close}）内",
        "hours_unknown_zone": "此人的号码或地址中有时区未知，知道时区之前禁止联系",
        "hours_day": "{zones}：周末及法定节假日不得联系",
        "calls_7in7": "7天窗口内已就债务{debt}向此人计数通话{count}次（上限{limit}次）",
        "conv_7": "{date}已就债务{debt}进行电话交谈：第8天之前不得再就此致电",
        "pattern_rapid": "5分钟内再次拨打{number}",
        "pattern_concentration": "当地当日已拨打{number} {count}次",
        "pattern_signal": "此人此前表示：{signal}",
        "designated_time": "此人表示该时段不便联系",
        "designated_place": "此人要求不要在{place}联系",
        "medium_opt_out": "此人要求不要使用{channel}",
        "address_opt_out": "此人要求不要使用{address}",
        "employer": "此人的雇主禁止在工作场所接受此类联系",
        "work_email": "{address}为雇主提供的邮箱；此人未曾用它联系我们，也未同意使用",
        "attorney": "此人就债务{debt}已委托律师",
        "cease": "此人已就债务{debt}要求停止联系或拒绝还款",
        "dispute": "债务{debt}存在异议，尚未发送核实材料",
        "dispute_flag": "债务{debt}有未解决的异议记录",
        "oc_request": "债务{debt}的原债权人查询尚未答复",
        "third_party": "{relation}属于第三方：不得透露任何债务信息",
        "location_once": "已向该第三方询问过联系信息",
        "location_attorney": "已知消费者的律师：只能向律师询问",
        "electronic_opt_out": "电子信息必须附有清晰的退订方式",
        "social_public": "禁止在公开或联系人可见的社交媒体上发送信息",
        "postcard": "禁止使用明信片",
        "ma_calls": "{days}天内就债务{debt}向{kind}号码主动来电或短信{count}次（上限{limit}次）",
        "status_hold": "{flag}状态暂停此次联系",
        "vulnerable_visit": "已知客户处于弱势状态时不得上门",
        "forbearance": "升级前{days}天内没有债务{debt}的宽限评估记录",
        "forbearance_advice": "执行前没有债务{debt}含债务咨询转介的宽限评估记录",
        "negotiating": "正在制定还款计划：暂缓升级",
        "frequency_cap": "{days}天内{channel}联系{count}次，已达公司上限{limit}次",
        "transfer_notice": "债务{debt}已转让，尚未发送转让通知",
        "cn_attempts": "当地当日已拨打{number} {count}次（上限{limit}次）",
        "cn_voice": "当地当日我方发起的有效通话已有{count}次（上限{limit}次）",
        "cn_third_party": "仅在无法联系债务人时方可联系非债务人，且不得涉及债务",
        "cn_refused": "此人已拒绝再被联系",
        "cn_target": "催收只能针对债务人或担保人",
        "cn_visit": "上门催收至少需要两名催收人员（当前{count}名）",
        "house_max": "{days}天内已联系{count}次：内部上限{limit}次",
        "house_slot": "今天此时段（{slot}）已拨打过",
        "next_allowed": "自{instant}起再次允许",
        "no_next": "没有按时间结束：需等待事件（{rules}）",
        "allowed": "没有规则反对",
        "override": "推定违反{rules}；反驳因素{reason}（主管{supervisor}）",
    },
}


def render(key: str, lang: str, params: Mapping[str, object]) -> str:
    table = MESSAGES.get(lang, MESSAGES["en"])
    template = table.get(key) or MESSAGES["en"].get(key, key)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return f"{key} {params}"
