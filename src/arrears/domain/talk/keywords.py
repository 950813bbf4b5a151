# ruff: noqa: E501 - one cue list per line reads better than wrapped regular expressions
"""Cue phrases for the keyword recogniser: regular expressions over normalised text.

Texts are normalised first (`arrears.domain.conduct.normalise`): lower case, accents dropped,
Traditional Chinese folded to Simplified, full-width forms made plain. So the cues below are
written without accents and in Simplified characters. The list is deliberately short and general;
it is the fallback, and the embedding recogniser is the one measured against the 0.85 target.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.domain.conduct.categories import Language
from arrears.domain.talk.vocab import Intent

if TYPE_CHECKING:
    from collections.abc import Mapping

ES, ZH, EN = Language.ES, Language.ZH, Language.EN
In = Intent

_CUES: dict[Intent, dict[Language, tuple[str, ...]]] = {
    In.NO_MONEY_NOW: {
        ES: (
            r"\bno (?:tengo|cuento con|dispongo)\b.*\b(?:dinero|plata|fondos|cantidad)",
            r"\beste mes\b",
            r"\bno (?:me )?alcanza\b",
            r"\bno llego\b",
            r"\bsin (?:blanca|un peso)",
            r"\bpelado\b",
            r"\bjusto\b",
        ),
        ZH: (r"没钱", r"这个月|本月|这期", r"手头紧|紧张", r"拿不出", r"周转不"),
        EN: (
            r"\bthis month\b",
            r"\b(?:don't|do not|dont) have (?:the |that |it)",
            r"\bbroke\b|\bskint\b",
            r"\bcan'?t (?:afford|make|pay)\b",
            r"\btight\b",
            r"\bno (?:money|cash)\b",
            r"\bnothing left\b",
        ),
    },
    In.LOST_INCOME: {
        ES: (
            r"\b(?:trabajo|empleo|chamba)\b",
            r"\bdespid",
            r"\bparo\b|\bdesemplead",
            r"\bsueldo\b|\bsalario\b",
            r"\bingresos\b",
            r"\bme echaron\b",
            r"\bcerr",
        ),
        ZH: (r"失业|下岗|待业", r"裁员|辞退|开除|被炒", r"工作", r"收入", r"降薪|降了", r"倒闭"),
        EN: (
            r"\bjob\b",
            r"\blaid off\b|\bfired\b|\blet go\b|\bredundan",
            r"\bunemployed\b",
            r"\bincome\b|\bearnings\b",
            r"\bout of work\b",
            r"\bwages\b|\bhours\b",
        ),
    },
    In.STOP_PRESSURE: {
        ES: (
            r"\bpresion",
            r"\bagobi",
            r"\binsist",
            r"\bprisa\b|\bapur",
            r"\brespiro\b",
            r"\bpersig",
        ),
        ZH: (r"逼", r"压力|施压", r"别.{0,2}催|不要.{0,3}催|别老", r"喘不过气"),
        EN: (
            r"\bpressur",
            r"\bpush",
            r"\bhound|\bhassl|\bchase me\b",
            r"\bstress",
            r"\bback off\b|\bease off\b|\brush me\b|\bbreathing room\b",
        ),
    },
    In.PAY_WHEN_ABLE: {
        ES: (
            r"\bcuando (?:tenga|pueda|me)\b",
            r"\ben cuanto (?:tenga|consiga|reuna|disponga)",
            r"\bel dia que tenga\b",
            r"\bcuando las cosas mejoren\b",
        ),
        ZH: (r"有钱(?:了)?(?:就|再|会|一定|我)", r"等我", r"有了(?:就|再)", r"啥时候|什么时候有"),
        EN: (
            r"\bwhen i (?:have|get|can)\b",
            r"\bas soon as i\b",
            r"\bonce i\b",
            r"\beventually\b",
            r"\bwhen (?:things|my situation)\b",
        ),
    },
    In.LENT_TO_OTHER: {
        ES: (
            r"\bpreste\b|\bprestado a\b|\ble preste\b",
            r"\bse lo di\b|\blo tiene\b",
            r"\bamigo\b|\bconocido\b|\bvecino\b|\bcompanero\b",
            r"\bsocio\b.*\bdinero",
        ),
        ZH: (r"借给", r"在.{0,4}(?:手里|那)", r"朋友|熟人|邻居|同事|表弟|表哥", r"拿去"),
        EN: (
            r"\blent\b|\bloaned\b",
            r"\bmate\b|\bfriend\b|\bneighbou?r\b|\bcoworker\b",
            r"\bhas the (?:money|cash)\b",
            r"\bkept the loan\b|\bused the money\b",
        ),
    },
    In.BUSINESS_SLOW: {
        ES: (
            r"\bnegocio\b",
            r"\bventas?\b|\bvender\b",
            r"\bpedidos?\b",
            r"\bclientes?\b",
            r"\bfactura",
            r"\bmercancia\b|\btienda\b|\brestaurante\b|\bobra\b|\btemporada\b",
        ),
        ZH: (
            r"生意",
            r"订单|单子",
            r"客户",
            r"回款|货款|账期",
            r"销售|卖不",
            r"店里|饭店|工程|仓库",
        ),
        EN: (
            r"\bbusiness\b",
            r"\bsales\b|\bstock\b",
            r"\borders?\b",
            r"\bclients?\b|\bcustomers\b",
            r"\binvoices?\b",
            r"\bshop\b|\bstore\b|\brestaurant\b|\bcash flow\b|\btrade\b",
        ),
    },
    In.THREAT_NOT_PAY: {
        ES: (
            r"\b(?:vuelv\w+|sig\w+|otra|proxima)\b.{0,20}\bllam",
            r"\bno (?:les |le )?pago\b",
            r"\bolvid\w+ (?:de|del) (?:su )?dinero\b",
            r"\bno veran\b|\bse quedan sin\b",
        ),
        ZH: (r"再.{0,4}(?:打|催|骚扰|来)", r"不还|不给|别想"),
        EN: (
            r"\b(?:call|ring|bug|bother)\w* (?:me )?(?:again|one more)",
            r"\b(?:won'?t|not|never|refuse to) pay",
            r"\bforget (?:about )?(?:the|your) money\b",
            r"\bkeep (?:calling|bothering)\b",
            r"\banother call\b|\bnext call\b",
        ),
    },
    In.DISPUTE: {
        ES: (
            r"\bno (?:la |lo )?reconozco\b",
            r"\b(?:defectuos|roto|nunca funciono)",
            r"\bcomision|\bcobr\w+ (?:dos veces|cosas)",
            r"\breclam",
            r"\bno (?:estoy de acuerdo|debo)",
            r"\bno es (?:la )?correct",
            r"\bno (?:lo )?firme\b|\bimpugn",
        ),
        ZH: (
            r"不(?:认|承认)",
            r"质量|坏的|没好用",
            r"金额不对|没欠|查清楚",
            r"手续费|费用|收费",
            r"投诉|异议|有意见",
            r"不是我签",
            r"两次",
        ),
        EN: (
            r"\b(?:don'?t|do not) (?:agree|recogni[sz]e|owe)\b",
            r"\bfaulty\b|\bbroken\b|\bnever worked\b",
            r"\bfees?\b|\bcharg(?:ed|ing)\b",
            r"\bcomplain",
            r"\bwrong\b.*\bamount|\bisn'?t correct\b",
            r"\bdisput",
            r"\bnever signed\b|\btwice\b",
        ),
    },
    In.FORGOT: {
        ES: (
            r"\bolvid",
            r"\bno me acorde\b|\bno recordaba\b|\bni me acordaba\b",
            r"\bse me paso\b",
            r"\bdespiste\b",
            r"\bno cai\b",
        ),
        ZH: (r"忘", r"没想起|没注意|没意识到|没记起", r"粗心"),
        EN: (
            r"\bforg[eo]t",
            r"\bslipped\b",
            r"\b(?:didn'?t|did not) (?:remember|realise|realize|notice)",
            r"\bmissed the (?:due )?date\b",
            r"\bmy bad\b|\bmy mistake\b",
        ),
    },
    In.DEBIT_FAILED: {
        ES: (
            r"\bdebito\b|\bdomicili|\bcargo\b|\brecibo\b|\bcobro automatico\b",
            r"\bsaldo\b|\bfondos\b",
            r"\bviaje\b|\bfuera del\b",
            r"\brechaz|\bdevuel|\brebot",
        ),
        ZH: (r"扣款|代扣|扣费|扣成", r"余额", r"出差|外地|在外|国外", r"退回|被拒"),
        EN: (
            r"\bdebit\b|\bauto(?:matic)? payment\b",
            r"\bbalance\b|\bfunds\b|\baccount was (?:empty|short)",
            r"\btravel|\btrip\b|\babroad\b|\baway\b",
            r"\bbounced\b|\bdeclined\b|\breturned\b|\brejected\b",
        ),
    },
    In.PAYDAY_MISMATCH: {
        ES: (
            r"\bme pagan\b|\bcobro (?:la|el)\b|\bme depositan\b|\bme ingresan\b",
            r"\bnomina\b|\bsueldo me\b|\bpension\b|\bquincena\b",
            r"\bvencimiento\b|\bfecha\b",
            r"\bdia \d+|\bel \d+\b|\bfin de mes\b",
        ),
        ZH: (r"发工资|发薪|工资.{0,4}(?:到账|发)|退休金|发钱", r"还款日", r"\d+号|月底|月初"),
        EN: (
            r"\bpaid (?:on|at|until)\b|\bget paid\b|\bpayday\b|\bpay date\b",
            r"\bsalary\b|\bwages\b|\bpaycheck\b|\bpension\b",
            r"\bdue date\b|\bpayment date\b",
            r"\bthe \d+(?:st|nd|rd|th)\b|\bend of the month\b",
        ),
    },
    In.ABUSIVE: {
        ES: (
            r"\bmierda\b|\bimbecil\b|\bidiota\b|\bestupid",
            r"\bladron|\bsinverguenz|\bestafador",
            r"\bcallese\b|\bcallate\b|\bcierra la boca\b",
            r"\bpayaso\b|\bcretino\b|\bdesgraciad",
            r"\bbuitres?\b|\bsanguijuela|\bbasura\b|\bal diablo\b",
        ),
        ZH: (
            r"滚|闭嘴",
            r"骗子|混蛋|王八蛋|强盗|垃圾|混账",
            r"他妈|傻|白痴|蠢|神经病",
            r"吸血鬼|秃鹫|恶心|去死|见鬼",
        ),
        EN: (
            r"\bidiot\b|\bmoron\b|\bstupid\b|\bcretin\b",
            r"\bthie(?:f|ves)\b|\bcrooks?\b|\bscammers?\b",
            r"\bshut (?:up|it|your)\b",
            r"\bclown\b|\bscumbag\b|\bgarbage\b|\bvultures?\b|\bleeches\b",
            r"\bhell\b|\bdevil\b|\bscrew you\b|\bf off\b|\bdamn\b|\bbloody\b",
        ),
    },
    In.SOMEONE_ELSE_PAYS: {
        ES: (
            r"\bmi (?:padre|papa|madre|mama|hermano|hermana|marido|mujer|exmujer|ex|pareja|hijo|exsocio)\b",
            r"\bque (?:lo )?pague\b|\bque se lo cobren\b",
            r"\baval",
            r"\bdeuda es (?:de|suya)",
        ),
        ZH: (
            r"我(?:爸|妈|哥|姐|老公|老婆|儿子|前妻|前夫)",
            r"让.{0,3}还|找.{0,3}要",
            r"担保人",
            r"(?:他|她)来还|她负责|合伙人来还",
        ),
        EN: (
            r"\bmy (?:dad|father|mum|mom|mother|brother|sister|husband|wife|ex|ex-wife|son|former)",
            r"\bshould pay\b|\bcan pay\b|\bhe(?:'d| would) pay\b",
            r"\bguarantor\b",
            r"\bher debt\b|\bin my name\b",
        ),
    },
    In.DISCOUNT_REQUEST: {
        ES: (
            r"\bdescuento\b|\brebaj|\bquita\b",
            r"\bla mitad\b",
            r"\bintereses\b",
            r"\bcondon|\bperdon\w+ (?:los|parte)",
            r"\bprecio especial\b|\bpagar menos\b|\boferta\b",
        ),
        ZH: (r"打折|折扣|优惠|便宜", r"减免|免(?:了|掉|除)", r"一半", r"少(?:点|一点|收|还)"),
        EN: (
            r"\bdiscount\b|\breduc",
            r"\bhalf\b",
            r"\binterest\b",
            r"\bknock\b|\bwrit\w+ off\b|\bforgive\b",
            r"\bspecial price\b|\bpay less\b|\boffer\b",
        ),
    },
    In.ALREADY_PAID: {
        ES: (
            r"\bya (?:lo |la )?(?:pague|hice|liquide|esta (?:pagado|abonado))",
            r"\bcomprobante\b|\brecibo del pago\b",
            r"\btransferi\b|\bdeposite\b|\bingreso en\b|\bpague (?:la|en|con)\b",
            r"\bel pago ya\b",
        ),
        ZH: (r"已经.{0,3}(?:还|转|付|存)", r"凭证|回执", r"早还了|还过了|还完了|还了啊"),
        EN: (
            r"\balready (?:paid|made)\b",
            r"\breceipt\b",
            r"\bi (?:paid|transferred|deposited|made the)\b",
            r"\bhas been (?:paid|made)\b|\bpaid that\b",
        ),
    },
    In.WRONG_PERSON: {
        ES: (
            r"\bequivocad|\bconfundido\b|\bpor error\b",
            r"\bnumero (?:equivocado|nuevo)|\bmal el numero\b",
            r"\bno (?:soy|conozco)\b",
            r"\bnadie que se llame\b|\bno me suena\b|\bno es de\b",
        ),
        ZH: (
            r"打错|认错|搞错|号码错|找错",
            r"没有这个人|没有叫",
            r"不认识|没听过",
            r"不是(?:他|我|那个人)|不是你要找",
        ),
        EN: (
            r"\bwrong (?:number|person)\b|\bmistaken\b|\bby mistake\b|\bmixed me up\b",
            r"\bnot (?:me|that person|the person)\b",
            r"\b(?:don'?t|dont) know that\b|\bno idea who\b",
            r"\bby that name\b|\bring a bell\b|\bdoesn'?t belong\b|\bisn'?t his\b",
        ),
    },
    In.PROMISE_OFFER: {
        ES: (
            r"\b(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|manana|pasado manana)\b",
            r"\ble (?:pago|transfiero|deposito|abono|hago|mando)\b|\bpago (?:el|una)\b",
            r"\bsin falta\b|\bseguro\b|\ble prometo\b",
            r"\bel dia \d+\b|\b\d+ euros\b|\bqueda pagado\b",
        ),
        ZH: (
            r"周[一二三四五六日]|星期|明天|后天|这周|\d+号",
            r"(?:一定|肯定|保证).{0,3}还|还上|还清",
            r"转(?:你|账|给)|打钱|存进去",
        ),
        EN: (
            r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow)\b",
            r"\bi'?ll (?:pay|transfer|send|deposit|make)\b|\bpaying\b|\bsending\b",
            r"\bfor sure\b|\bwithout fail\b|\bi promise\b",
            r"\bthe \d+(?:st|nd|rd|th)\b|\bthis week\b",
        ),
    },
    In.PLAN_REQUEST: {
        ES: (
            r"\bcuotas?\b|\bplazos?\b|\bmensualidades\b",
            r"\bplan de pago",
            r"\bfraccion|\bpor partes\b|\bdividen\b",
            r"\bpoco a poco\b|\bcada (?:mes|quincena)\b|\bacuerdo\b",
        ),
        ZH: (
            r"分期|分.{0,2}(?:次|个月)|分开|分摊",
            r"还款计划|计划",
            r"慢慢还|每(?:个)?月|每期|每半个月",
        ),
        EN: (
            r"\binstal?lments?\b",
            r"\bpayment plan\b|\barrangement\b|\bplan\b",
            r"\bsplit\b|\bspread\b|\bin (?:parts|pieces)\b",
            r"\blittle by little\b|\beach month\b|\bmonthly\b|\bevery fortnight\b",
        ),
    },
    In.BUSY_CALL_LATER: {
        ES: (
            r"\bahora (?:no|mismo)\b|\bno puedo (?:hablar|atender)",
            r"\bllam\w* (?:luego|despues|manana|otro dia|en una hora)",
            r"\b(?:trabajando|conduciendo|manejando|en (?:clase|una reunion|el trabajo)|ocupado|liad)",
            r"\bbuen momento\b|\bhablamos\b",
        ),
        ZH: (
            r"不方便|没空|在忙|忙",
            r"(?:晚点|等会|待会|回头|改天|明天|以后)(?:儿)?(?:再)",
            r"开车|开会|上班|上课|见客户",
        ),
        EN: (
            r"\bcan'?t (?:talk|take)\b|\bcant talk\b",
            r"\bcall (?:me )?(?:later|back|tomorrow|after|in an hour|another)|\bring (?:back|later)\b",
            r"\bdriving\b|\bat work\b|\bin (?:a meeting|class)\b|\bbusy\b|\bworking\b|\bwith a customer\b",
            r"\bgood time\b|\bbad moment\b|\btalk later\b|\bhectic\b",
        ),
    },
    In.ILLNESS_EMERGENCY: {
        ES: (
            r"\bhospital\b|\bingresad|\boperaron\b|\bbaja\b",
            r"\bfallec|\bfuneral\b|\bmurio\b",
            r"\baccidente\b",
            r"\benferm|\bcancer\b|\bemergencia\b",
            r"\binund|\bincendio\b|\bterremoto\b",
        ),
        ZH: (r"住院|医院|手术|病假", r"去世|丧事", r"车祸|事故", r"病|癌", r"水淹|火灾|地震"),
        EN: (
            r"\bhospital\b|\bsurgery\b|\bsick\b",
            r"\bpassed away\b|\bdied\b|\bfuneral\b",
            r"\baccident\b|\bcrash\b",
            r"\bill\b|\billness\b|\bcancer\b|\bemergency\b",
            r"\bflood|\bfire\b|\bearthquake\b",
        ),
    },
    In.LAWYER: {
        ES: (
            r"\babogad",
            r"\bletrado\b|\brepresenta",
            r"\basesor",
            r"\binsolvencia\b|\bconcurso\b",
        ),
        ZH: (r"律师", r"代理人|代表我", r"顾问|咨询机构", r"破产"),
        EN: (
            r"\blawyer\b|\battorney\b|\bsolicitor\b",
            r"\brepresent",
            r"\badvis[eo]r\b|\bdebt advice\b",
            r"\binsolvency\b|\bbankruptcy\b|\badministrator\b",
        ),
    },
}

CUES: Mapping[Intent, Mapping[Language, tuple[str, ...]]] = MappingProxyType(
    {intent: MappingProxyType(by_lang) for intent, by_lang in _CUES.items()}
)
