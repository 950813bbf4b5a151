"""Traditional to Simplified Chinese character folding, hand-written for the conduct lexicon.

Patterns are written once in Simplified characters; text is folded before matching, so
Traditional text (Taiwan, Hong Kong, and the repository's seed handbook) is caught by the same
patterns. The table covers the characters of the patterns, the disclosures and the common words
around them. Only characters that are Traditional-only are folded: a character that is also a
normal Simplified character with its own meaning (著, 乾, 髮, 麵 ...) is left alone, and patterns
spell both forms where it matters (当着|当著).

Each line pairs Traditional characters with their Simplified forms, position by position.
"""

from __future__ import annotations

from types import MappingProxyType

_PAIRS = (
    ("們個來說話會這裡裏還錢債務貸銀詐", "们个来说话会这里里还钱债务贷银诈"),
    ("騙報門監獄惡關進執書處員機構檢傳", "骗报门监狱恶关进执书处员机构检传"),
    ("師稅網電單領導闆親訊錄發鄰區貼聯", "师税网电单领导板亲讯录发邻区贴联"),
    ("繫絡協獲訴學讓緊對間壓紹轉達屬凍", "系络协获诉学让紧对间压绍转达属冻"),
    ("結帳戶資產車財馬強賣劃沒響參軍審", "结账户资产车财马强卖划没响参军审"),
    ("業讀輩終鐵飛後毀記徵爛絕決將額據", "业读辈终铁飞后毁记征烂绝决将额据"),
    ("賴臉媽廢無賤滾窮臺養舊須離開罷償", "赖脸妈废无贱滚穷台养旧须离开罢偿"),
    ("幫牆補遞簽獎訪調問禮掛當議號費續", "帮墙补递签奖访调问礼挂当议号费续"),
    ("違約滯納並權從於嚴規經謹範為聲稱", "违约滞纳并权从于严规经谨范为声称"),
    ("則許請減試圖討筆該託價純時樣麼麽", "则许请减试图讨笔该托价纯时样么么"),
    ("與給謝語氣態嗎應幾邊見覺聽點頭實", "与给谢语气态吗应几边见觉听点头实"),
    ("際現場濟歲縣鄉鎮辦總體動題難歡寫", "际现场济岁县乡镇办总体动题难欢写"),
    ("習爭戰術認識順準備貴買錯確證碼線", "习争战术认识顺准备贵买错确证码线"),
    ("頁顯簡歷週運遠選過連愛憂慮願懷賬", "页显简历周运远选过连爱忧虑愿怀账"),
    ("負擔賠損虧餘張條項兩萬億塊圓樓層", "负担赔损亏余张条项两万亿块圆楼层"),
    ("鐘銷鎖長顧級職懲罰訂變換匯險係標", "钟销锁长顾级职惩罚订变换汇险系标"),
    ("測驗醫藥護災禍擾騷嚇脅誘虛誇隱洩", "测验医药护灾祸扰骚吓胁诱虚夸隐泄"),
    ("佈揚廣團隊組織義責憑郵檔聞勢節細", "布扬广团队组织义责凭邮档闻势节细"),
    ("嘗東園縮紙寶貝鏈遲誤攤糾紛複復製", "尝东园缩纸宝贝链迟误摊纠纷复复制"),
    ("傷壞靈臨衛視韓華階鬧橫噴頻麗遊庫", "伤坏灵临卫视韩华阶闹横喷频丽游库"),
    ("誠擁擋質詢貨軟錶贖購販賒餓殺斷鬥", "诚拥挡质询货软表赎购贩赊饿杀断斗"),
    ("飯歸蓋傭僱顆館蹤跡闖陰陽衝夥捨註", "饭归盖佣雇颗馆踪迹闯阴阳冲伙舍注"),
    ("緒綁槍劍隻衹灣雲鬆檯墻綫爲眾衆廳", "绪绑枪剑只只湾云松台墙线为众众厅"),
    ("屆綜緝鑰奪廠臥兒幣誰談課讚寬龍鳥", "届综缉钥夺厂卧儿币谁谈课赞宽龙鸟"),
    ("魚黨歐纔鍵盤豐盡藝夠啟剛憤罵佔搶", "鱼党欧才键盘丰尽艺够启刚愤骂占抢"),
    ("賊蟲豬懶驚厲勸裝預閱況隨擊雖紀紅", "贼虫猪懒惊厉劝装预阅况随击虽纪红"),
    ("殘腦貧頓撥謊繳欄誌雜亂滿辭竊僅優", "残脑贫顿拨谎缴栏志杂乱满辞窃仅优"),
    ("別採徑極綱鬱閉陳療劉蘭癡戲漲偵倉", "别采径极纲郁闭陈疗刘兰痴戏涨侦仓"),
)

TRAD_TO_SIMP: MappingProxyType[str, str] = MappingProxyType(
    {trad: simp for trads, simps in _PAIRS for trad, simp in zip(trads, simps, strict=True)}
)
# Other variants folded to the form the patterns use; not evidence of either script.
VARIANTS: MappingProxyType[str, str] = MappingProxyType({"妳": "你", "祢": "你"})

# Simplified forms that are also ordinary Traditional characters (台, 只, 系, 后 ...): their
# presence says nothing about the script.
_SHARED = frozenset("里后台只系余板征布范准制复周历丰才表松云冲伙舍注斗游志占借面干")

TRADITIONAL_ONLY = frozenset(TRAD_TO_SIMP)
SIMPLIFIED_ONLY = frozenset(TRAD_TO_SIMP.values()) - TRADITIONAL_ONLY - _SHARED
