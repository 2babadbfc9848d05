"""The bot's own interface sentences (the advice itself lives in ``intents/``)."""

from bot.conversation.numbers import CRISIS_LINES_SHORT

EMPTY = (
    "我没有看到文字内容。请用文字说说你遇到的情况，比如“催收的人在门口”。"
    "回复“菜单”可以看我能帮什么。"
)
NON_TEXT = "我暂时只能看懂文字消息。请用文字描述你的情况，比如“催收的人在门口怎么办”。"
TRUNCATED = "（消息很长，我只读了前 {limit} 字。可以分几条发给我。）"
APOLOGY = (
    "抱歉，我这边出了点问题，没能处理这条消息。请再发一次试试。"
    "如果有人威胁你或不肯离开，请直接拨打110。"
)

CLARIFY = "我想确认一下，你是想问哪一个？回复数字："
FALLBACK_HINT = "（如果你是在回答我刚才的问题：{question}）"
MORE_HINT = "回复“详细”看背后的规定。"
NEXT_HINT = "还有别的问题可以直接问我，回复“菜单”看全部话题。"
UNSURE_PREFIX = "不确定也没关系，先按更稳妥的做法来："

MENU_HEADER = "我可以帮你了解这些（回复数字选择）："
MENU_FOOTER = "也可以直接用一句话描述你的情况。遇到威胁或有人不肯走，请立即拨打110。"

NO_TOPIC_FOR_MORE = "你想了解哪方面？先说说你的情况，或回复“菜单”选一个话题。"
MORE_HEADER = "【{title}·详细说明】"
RULES_HEADER = "依据："
NOT_LEGAL_ADVICE = "（以上是一般性信息，不是法律意见；具体情况可咨询律师或拨打12348。）"

RESET_DONE = "好的，已经重新开始，之前的话题和细节都清掉了。有什么情况可以直接告诉我。"
FORGET_DONE = "已删除你在这里的对话记录（共 {count} 段）。之后的消息会重新开始。"
FORGET_NOTHING = "你在这里没有保存的对话记录。"
FORGET_TEXTS_ONLY = "已删除你留下的、我没能回答的问题的文字记录。之后的消息会重新开始。"
FORGET_FAILED = "抱歉，记录暂时删不了（存储暂时不可用），请过几分钟再发一次“删除我的记录”。"

HUMAN = (
    "我是自动助手，这里没有人工客服。需要真人帮助可以：\n"
    "1. 拨打12348公共法律服务热线，咨询或申请法律援助；\n"
    "2. 找当地的法律援助中心，或正规律师事务所（先问清收费，签书面合同）；\n"
    "3. 和银行协商还款，打卡背面或官网上的客服电话，免费，不需要中介。\n"
    "注意：收费“债务优化”“代理维权”、承诺包减免包停息的中介，监管部门提示过风险："
    "会收钱，还可能滥用你的个人信息。\n"
    "遇到威胁、有人不肯走，请立即拨打110。"
)

#: Told once to a member who posts a number in a group (several wordings: a group sees them all).
GROUP_PII = (
    "提醒一下：你发的消息里有手机号、身份证号或银行卡号，群里人人都能看到。"
    "建议马上撤回那条消息，具体情况私聊我。",
    "注意：刚才那条消息带着号码（手机、身份证或银行卡），群里所有人都看得到。"
    "请尽快撤回，有事私聊我就行。",
    "这条消息里有个人号码，为了安全，建议两分钟内撤回；需要帮忙的话私聊我。",
)


# -- conversation repair (bot/conversation/policies/, actions.py, output.py) ------------------

GROUP_MORE = "（群里只说要点，完整步骤请私聊我。）"
#: clear despair in a group: no question about self-harm in public
GROUP_DESPAIR_INVITE = "愿意的话私聊我，慢慢说，我一直在。"
WHICH_ASPECT = "你想了解哪方面？可以直接说说发生了什么，或者回复数字："
VENT = "被这样催，换谁都会烦、会难受，这不怪你。我们一步一步来。"
#: venting again: other words each time (never the same line twice)
VENT_AGAIN = (
    "烦是正常的，这事换谁都扛不轻松。先歇口气，我们只看眼前这一步。",
    "我听着呢。难受的时候不用急着做决定，先把最要紧的一件事做了就好。",
)
#: a short anxious message ("怕", "好慌") once the conversation is going: presence, then one
#: step (the words change every time; a step is never given twice in the same words)
PRESENCE = (
    "别怕，我在这儿陪你，我们一步一步来。",
    "害怕很正常，你不是一个人在面对这件事。",
    "先深呼吸一下，慢慢来，我一直在。",
    "我明白你很紧张。先只做一件事就好。",
)
ONE_STEP = "先做这一步：{step}"
#: the topic's steps sent again when asked again as a whole (so never a bare "see above")
STEPS_AGAIN = "再发一次这几步："
#: a message about nothing the bot covers, said again: other words, with a concrete question
SCOPE_AGAIN = (
    "这个我帮不上。我能帮的是欠款逾期和催收的事：有人上门、电话骚扰、核实身份、协商分期、投诉。"
    "你遇到的是哪一种？",
    "这件事不在我能回答的范围里。如果和欠款、催收有关，直接说发生了什么就行，"
    "比如“有人在门口说是银行的”。",
)
NOTED = "好，记下了。"
KEY_STEPS = "现在最要紧的是这两步："
HOLD = "好，不着急，我在这儿等你。"
WHY_ASK = "问这个是为了告诉你下一步该怎么做，不想回答也没关系。{question}"
HUH = "我换个说法问：{question}"
CLEARED = (
    "（我们上次聊完已经超过{hours}小时，之前说的情况和细节已经清掉了（只保留{hours}小时）。"
    "如果还和上次的事有关，麻烦再简单说一下。）"
)
#: back after a pause within the retention window: what is still known, in one line
RECAP = (
    "（接着上次说：{known}。这些我会保留{hours}小时；想从头说，回复“重新开始”；"
    "回复“删除我的记录”马上删掉。）"
)
GREETING_AGAIN = "你好，我在。直接说说你遇到的情况就行，比如“有人在门口说是银行的”。"
CLOSING_AGAIN = "好的，有事随时找我。"
CLOSING = "好的。有新情况随时告诉我；对方威胁你、不肯走或要硬闯，马上拨打110。"
#: closings of a conversation that was not about a visit or danger
CLOSING_PLAIN = "好的。有新情况随时告诉我。"
#: a plan told on the way out: the one thing to keep in mind for it (the topic's plan_tip)
CLOSING_PLAN = "好的。{tip}有新情况随时告诉我。"
#: closings for someone who writes English
CLOSING_EN = "You're welcome, take care. Ask again any time (in English or Chinese)."
CLOSING_EN_AGAIN = "Any time. Take care."
CLOSING_EN_DANGER = " If they threaten you or won't leave, call 110."
#: closings after a calm visit: the door steps, no emergency numbers
CLOSING_VISIT = "好的。有新情况随时告诉我；再有人上门，先隔着门核实身份，不交钱、不签字。"
THANKS_VISIT = (
    "不客气，希望你一切顺利。再有人上门，先隔着门核实身份，不交钱、不签字；还有问题随时来问我。"
)
THANKS_PLAIN = "不客气，希望你一切顺利。还有问题随时来问我，输入“菜单”可以查看全部话题。"
POINT_BACK = "上面第{number}条说的就是这个：{step}"
POINT_BACK_STEP = "上面说过这一步：{step}"
LEADER_CHECK = "如果你问的是“{title}”："
NOT_UNDERSTOOD = "我没太看懂这句话。我刚才问的是：{question}"
NOT_UNDERSTOOD_QUESTION = "我没太看懂这句话，先问你一句："
#: not understood inside a topic with no question open: a concrete question back
NOT_UNDERSTOOD_TOPIC = (
    "我没太看懂这句话。你是想问“{title}”这件事吗？如果是别的事，直接说发生了什么；"
    "回复“菜单”看全部话题。"
)
SCOPE_LINE = "这个问题不在我能帮的范围内，我只回答欠款逾期和催收相关的事。"
#: something told inside a topic that no reading places: heard, the conversation goes on
LISTENING = "嗯，我在听。"
LISTENING_ASK = "嗯，我在听。我刚才问的是：{question}"
MENU_HINT = "回复“菜单”看我能帮什么。"
STAFF_POLICE = (
    "客户报警是他的权利。配合警察：出示工作证和银行委托书，说明来意和欠款情况；"
    "客户或警察请你们离开就离开，另约时间或改用电话沟通，全程录音录像。"
)
ACK = "好。有新情况随时说；对方威胁你、不肯走或要硬闯，马上打110。"
HEARD = "好，记下了：{figures}。"
#: an amount written in scientific notation (1e308元): never read as a figure
AMOUNT_EXPONENT = (
    "“{written}”这种写法（科学计数法）我没法当作金额来读，也就没有记下。"
    "请直接写数字，比如“35000元”或“3.5万”。"
)
#: a negative amount (-5000元)
AMOUNT_NEGATIVE = (
    "金额不能是负数（你写的是“{written}”），我没有记下。如果说的是欠款，请直接写数字，"
    "比如“5000元”；如果是多还了钱或要退款，请用一句话说明。"
)
#: either, in a group (the figure is not repeated there)
AMOUNT_UNREADABLE_GROUP = "金额请直接写数字，比如“3.5万”，不要写成负数或科学计数法。"
#: two specific questions that tie: both answered briefly, each after the question it answers
TIE_LEAD = "你可能在问下面其中一个，两个都简单说一下："
TIE_ANSWER = "· 「{question}」{answer}"
#: several questions in one message, each answered
SEVERAL_LEAD = "你问了{count}件事，分别说："
COUNT_WORDS = {2: "两", 3: "三"}
SAME_ANSWER = "上面说过了：{gist}。想看背后的规定，回复“详细”。"
CLOSEST_ANSWER = "不确定是不是你要问的，先说最接近的一点："
STILL_ASKING = "（还想确认一下：{question}）"
KNOWN_PREFIX = "你说{known}："
#: after a direct answer whose topic's steps would make the reply too long
STEPS_OFFER = "回复“步骤”看这个话题的完整做法（{title}）。"
STAFF_CLOSING = (
    "不客气。依规外访：先亮证、得到同意再进门、不堵门不守候，只引导官方渠道还款。还有问题随时问我。"
)
HELPER_URGENT = (
    "你是替家人或朋友问的：请马上把上面的做法告诉他/她；对方有危险时，你也可以直接替他/她"
    "打110，说清地址和发生了什么。"
)
#: an acute illness or injury told as happening now (intents/warning_signs.yaml, medical)
MEDICAL_NOW = (
    "先打120：说清地址、谁不舒服、什么症状，按接线员说的做，身边别离人。"
    "门外还有人威胁或不让走，再打110。欠款的事先放一放，人要紧，之后随时来问我。"
)
MEDICAL_FIRST = "有人身体出现急症，先打120，说清地址和症状。"
MEDICAL_AFTER = (
    "人缓过来、有医生管着就好。先陪着家人，病历和看病的单据都留好。"
    "上门的事等安顿好了再说：到时把经过告诉我，我帮你看怎么投诉；他们再来吓人、不肯走，打110。"
)
HELPER_URGENT_DESPAIR = (
    "你是替家人或朋友问的：请尽快陪在他/她身边，或一直和他/她保持通话；"
    "有危险时你可以直接替他/她打110或120，也可以一起打"
    f"{CRISIS_LINES_SHORT}。"
)
#: the money a loan actually paid out, said back once with the rule it falls under
#: (bot/conversation/upfront.py)
RECEIVED_OF_LOAN = (
    "你说借了{amount}元、实际到手{received}元：利息不得预先从本金里扣，本金按实际到手的"
    "{received}元算，利息也按它计（民法典第六百七十条）；多扣的部分可以协商、投诉或请法院认定，"
    "别自己停还。"
)
RECEIVED = (
    "你说实际到手{received}元：利息不得预先从本金里扣，本金按到手的{received}元算，"
    "利息也按它计（民法典第六百七十条）。"
)
HELPER_NOTE = (
    "这笔欠款是家人或朋友的。下面的做法，催收找到你时你自己也用得上，"
    "也可以转给他/她，或者陪着一起做："
)

SIGN_ADVICE = (
    "先别签。{document}这类文件，看不懂的、有空白的、"
    "金额和你自己核对的不一样的，都不要签。"
    "真要谈分期，打银行官方电话走正式渠道，协议要书面或录音，签之前拍照留底。"
)
SIGNED = (
    "已经签了也别慌：把签的文件拍照或要一份复印件留底，核对上面的金额、期数和条款；"
    "觉得不对，打出借机构的官方客服电话核实，也可以拨打12348咨询法律援助。"
    "签的是分期或还款协议、后来又没按期还的：这算违约，催收会恢复，协议可能约定剩余欠款一次到期；"
    "尽快打官方客服说明情况、申请调整，通话录音留好。"
)
PAID_PERSONAL = (
    "钱已经转到个人账户、微信、支付宝或对方的二维码的话：\n"
    "1. 截图保存转账记录和对方的收款信息。\n"
    "2. 马上打银行卡背面或官网的客服电话，问这笔钱有没有入账、这个人是不是银行委托的。\n"
    "3. 银行说没收到或不认识这个人，拨打110报案，也可以打96110反诈热线咨询。\n"
    "4. 以后只通过银行App、网上银行、ATM或营业网点还款。"
)
REPORT_AFTER_PAYING = (
    "可以报警。钱转给了个人、对方又说不算或要你再转，这很可能是诈骗：带上转账截图和对方的收款信息，"
    "打110报案，也可以打96110反诈热线咨询；同时打银行卡背面或官网的客服电话，问这笔钱有没有入账。"
    "别再转任何钱。"
)
PAID_ALREADY = (
    "已经付过的话，保存好付款凭证，打银行卡背面或官网的客服电话确认有没有入账；"
    "后面只走银行自己的渠道还款，不转给个人。"
)
#: asked what they told: what the conversation remembers (policies/recall.py)
RECALL = "你之前告诉我的：{told}。"
RECALL_EN = "What you told me: {told}."
#: the person's own clause that holds what they asked back (bot/conversation/told.py)
RECALL_QUOTE = "你之前说的是：“{quote}”。"
RECALL_QUOTE_EN = "You said: “{quote}”."
RECALL_NOTHING = (
    "这次对话里你还没告诉我欠哪家、欠多少这些情况（超过24小时的会被清掉）。你说一下，我记着。"
)
RECALL_GROUP = "欠款的机构和数字我不在群里复述；私聊我可以再说一遍。"
#: a visit or a call told in the quiet hours ("晚上11点了 有两个人在门口", "凌晨两点打电话")
NIGHT_RULE = "22:00到次日08:00未经你同意不得上门或电话催收（行业指引），记下时间，事后可以投诉。"

STILL_THERE = (
    "他们还在的话：继续别开门，隔着门说“我会自己打银行电话核实”，手机一直录着。"
    "对方不肯走、威胁你或要硬闯，马上拨打110。"
)
NOW_HERE = (
    "他们现在真的来了：先别开门，隔着门请对方出示工作证和银行委托书；打开录音录像；"
    "说“我自己打银行电话核实”，打卡背面或官网的号码；不转账、不扫码、不签字。"
    "对方威胁你、砸门或不肯走，马上打110。"
)
LET_IN = (
    "人已经进了屋也别慌：别硬拦、别争吵，请对方出示工作证和银行委托书；不签字、不当场转账，"
    "全程录像。你可以请对方离开，对方不肯走、威胁你或不让你离开，拨打110。"
)

#: the last line of a counsellor's phone-sized brief
CASE_MORE = "回复“详细”看每个问题的完整解答和依据。"
#: the words of a counsellor's brief (bot/conversation/counsellor.py)
CASE_HEAD = "【问题{number}/{total}：{title}】"
CASE_QUOTE = "客户原话：{words}"
CASE_BRIEF = "【给顾问的简要】"
CASE_SITUATION = "情况："
CASE_KNOWN = "已知："
CASE_LENDER = "机构：{lender}"
CASE_AMOUNT = "金额约{amount}元"
CASE_OVERDUE = "逾期约{months}个月"
CASE_PRESENT = "催收人员此刻在场"
CASE_RULES = "适用规定："
CASE_ASK = "建议向客户了解："


# -- a paper the person sent a photo of (bot/conversation/policies/paper.py) -------------------

#: the kinds of paper as the person would name them (bot/photo/document.py DocKind values)
PAPER_NAMES = {
    "court": "法院文书",
    "lawyer_letter": "律师函",
    "mandate": "委托书",
    "agreement": "还款协议",
    "collection_letter": "催收函",
    "work_id": "工作证",
    "sms": "短信",
    "payment_code": "收款码",
}
#: what the photo check found, in a few words (bot/photo/checks.py codes)
PAPER_CONCERNS = {
    "scam": "像是诈骗的说法",
    "pay_person": "收款人是个人",
    "pay_personal_qr": "二维码是个人收款码",
    "pay_qr": "让你扫码付款",
    "pay_not_lender": "收款方不是贷款方",
    "pay_unverified_account": "收款账户没法确认是贷款方的",
    "criminal": "用“抓人、坐牢”施压",
    "blacklist": "说要拉进“黑名单”",
    "employer": "说要通知单位",
    "family": "说要找家人",
    "children": "拿孩子施压",
    "visit": "说要上门",
    "fees": "要额外收费",
    "debt_relief": "“债务减免/代还”的说法",
    "mediation": "自称“调解中心”",
    "lawsuit": "说要起诉",
    "letter_missing": "缺少催收函该写的内容",
    "letter_no_lender": "没写是哪家贷款方",
    "lawyer_no_firm": "没写律师事务所",
    "lawyer_not_court": "律师函冒充法院的口气",
    "court_red_flags": "不像法院文书的地方",
    "sms_link": "短信里有链接",
    "sms_private_phone": "用私人手机号发",
}
PAPER_HEAD = "你发的{name}里，要当心的地方：{concerns}。"
PAPER_CLEAN = "你发的{name}我没看出明显的问题，但真假仍要自己核实。"
PAPER_VERIFY = (
    "是不是真的，别打纸上或短信里的电话：打{lender}官方客服（卡背面、官网或官方App上的号码），"
    "问清欠款多少、这家机构是不是受它委托、该往哪里还。"
)
PAPER_NO_PAYING = "核实之前，一分钱都别转给个人或扫对方的码。"
PAPER_DEADLINE = "上面写的期限（{deadline}）是对方定的，核实清楚再谈，不用被它催着付钱。"

#: what is owed, from the figures the person told (policies/owed.py)
OWED_DEBTS = "按你说的：{listing}；合计{total}。"
OWED_ONE = "按你说的：{lender}欠款{about}{amount}。"
#: what is left after a repayment told ("还了这笔以后还欠多少"): the figures told, not the bill
OWED_AFTER_REPAYING = (
    "按你说的：{lender}原来欠{amount}，还了{repaid}，还剩约{left}。"
    "利息、罚息可能还在算，实际还欠多少以账单或官方客服的明细为准。"
)
#: a calculation on what is left after a repayment told
CALC_AFTER_REPAYING = "按还了{repaid}以后剩下的{left}算（以账单为准）："
OWED_NEXT = (
    "这是你告诉我的数，以对方账单或App里的明细为准。"
    "想算每月还多少、要多久，告诉我每月最多能还多少。"
)

#: what is left of a month's income after the costs named (policies/spare.py)
SPARE = (
    "按你说的：每月收入{income}，减去你说的固定开销{expenses}，剩约{spare}。"
    "别把剩下的全拿去还：留出看病和应急的钱，跟对方谈时报一个连着几个月都还得上的月供。"
)
SPARE_HOW_LONG = (
    "如果每月{spare}全用来还、不算利息，{amount}大约要{months}个月；"
    "想按别的数算，告诉我每月还多少。"
)
SPARE_BUDGET_HOW_LONG = (
    "按你说的每月拿出{budget}来还、不算利息，{amount}大约要{months}个月（{duration}）；"
    "每月还能留下约{rest}应急，这样比较稳。"
)

#: after the likelier of close readings: the others, offered in one line (policies/topics.py)
ALSO_ABOUT = "如果你想问的是{titles}，直接告诉我。"
SPARE_ASK_COSTS = (
    "每月收入{income}，还要先减去房租、吃饭、交通这些固定开销，剩下的才是能拿来还的。"
    "你每月固定要花多少？说一下，我帮你算。"
)

#: clear danger, and another topic asked about that does not fit the phone-sized reply
URGENT_OTHER_LATER = "“{title}”的事，等你安全了再跟我说，我一步一步告诉你。"

#: the calculator's question once the amount is known (never asked again): the periods or
#: the monthly budget only
ASK_PERIODS = "想分多少期，或者每月最多能还多少？（例如“分36期”或“每月还2000”）"

#: the interface's sentences in English, for someone who writes English
#: (bot/conversation/english.py): the name of the Chinese sentence → its English, the same
#: numbers; a sentence with {placeholders} keeps them (what fills them is put in English too
#: where the content has it)
ENGLISH: dict[str, str] = {
    "EMPTY": "I see no text. Tell me in words what is happening, for example “collectors at my"
    " door”. Reply “menu” to see what I can help with.",
    "NON_TEXT": "For now I can only read text. Please describe what is happening in words.",
    "APOLOGY": "Sorry, something went wrong on my side and I could not handle that message."
    " Please send it again. If someone threatens you or won't leave, call 110 now.",
    "CLARIFY": "Let me check which one you mean. Reply with a number:",
    "FALLBACK_HINT": "(If you were answering my question: {question})",
    "MORE_HINT": "Reply “more” for the rules behind it.",
    "NEXT_HINT": "Ask me anything else, or reply “menu” for all topics.",
    "UNSURE_PREFIX": "Not sure is fine. The safer way first:",
    "MENU_HEADER": "I can help with these (reply with a number):",
    "MENU_FOOTER": "Or just tell me in one sentence what is happening. If someone threatens you"
    " or won't leave, call 110 now.",
    "NO_TOPIC_FOR_MORE": "What would you like to know? Tell me what is happening, or reply"
    " “menu” to pick a topic.",
    "NOT_LEGAL_ADVICE": "(This is general information, not legal advice; for your own case ask"
    " a lawyer or call 12348.)",
    "RESET_DONE": "OK, we start afresh: the earlier topic and details are cleared. Tell me what"
    " is happening.",
    "FORGET_NOTHING": "There is no saved conversation of yours here.",
    "GROUP_MORE": "(In the group I give only the key points; message me privately for the full"
    " steps.)",
    "WHICH_ASPECT": "What would you like to know? Tell me what happened, or reply with a number:",
    "VENT": "Being chased like this would upset anyone. It's not your fault. Let's take it one"
    " step at a time.",
    "ONE_STEP": "Do this first: {step}",
    "STEPS_AGAIN": "Here are the steps again:",
    "NOTED": "OK, noted.",
    "KEY_STEPS": "The two things that matter most now:",
    "HOLD": "OK, take your time. I'm here.",
    "CLEARED": "(It's been more than {hours} hours since we last talked, so what you told me then"
    " has been cleared (it is kept {hours} hours only). If this is about the same matter,"
    " please tell me again briefly.)",
    "WHY_ASK": "I ask so I can tell you the next step; you don't have to answer. {question}",
    "HUH": "Let me put it another way: {question}",
    "GREETING_AGAIN": "Hello, I'm here. Just tell me what is happening, for example “someone"
    " at my door says they're from the bank”.",
    "CLOSING_AGAIN": "OK, I'm here any time.",
    "CLOSING": "OK. Tell me if anything changes; if they threaten you, won't leave or try to"
    " force their way in, call 110 at once.",
    "CLOSING_PLAIN": "OK. Tell me if anything changes.",
    "CLOSING_VISIT": "OK. Tell me if anything changes. If someone comes again, check who they"
    " are through the door first; don't pay or sign.",
    "THANKS_VISIT": "You're welcome, I hope it goes well. If someone comes again, check who they"
    " are through the door first; don't pay or sign. Ask me any time.",
    "THANKS_PLAIN": "You're welcome, I hope it goes well. Ask me any time; reply “menu” for all"
    " topics.",
    "POINT_BACK": "Point {number} above is about this: {step}",
    "POINT_BACK_STEP": "This step was above: {step}",
    "NOT_UNDERSTOOD": "I didn't quite understand that. What I asked was: {question}",
    "NOT_UNDERSTOOD_QUESTION": "I didn't quite understand that. First a question:",
    "SCOPE_LINE": "That is outside what I can help with: I only answer questions about overdue"
    " debts and debt collection.",
    "LISTENING": "I'm listening.",
    "LISTENING_ASK": "I'm listening. What I asked was: {question}",
    "MENU_HINT": "Reply “menu” to see what I can help with.",
    "STAFF_POLICE": "Calling the police is the customer's right. Cooperate: show your work ID"
    " (工作证) and the bank's letter of authorisation (委托书), explain why you came and the"
    " debt; if the customer or the police ask you to leave, leave, arrange another time or"
    " talk by phone, and record everything.",
    "ACK": "OK. Tell me if anything changes; if they threaten you, won't leave or try to force"
    " their way in, call 110 at once.",
    "MEDICAL_NOW": "Call 120 first (the medical emergency number): give the address, who is"
    " unwell and the symptoms, and do what the operator says; stay with them. If someone outside"
    " is threatening you or won't leave, also call 110. The debt can wait; ask me any time"
    " afterwards.",
    "MEDICAL_AFTER": "Good that they've come round and a doctor is looking after them. Stay"
    " with your family and keep the medical records and receipts. The visit can wait until"
    " things settle: then tell me what happened and I'll help you complain; if they come back"
    " to frighten you or won't leave, call 110.",
    "MEDICAL_FIRST": "Someone is acutely unwell: call 120 first, with the address and symptoms.",
    "TIE_LEAD": "You may be asking one of these, so briefly both:",
    "CLOSEST_ANSWER": "I'm not sure this is what you ask; the closest point first:",
    "STILL_ASKING": "(One more thing I'd like to check: {question})",
    "STAFF_CLOSING": "You're welcome. Visiting by the rules: show ID first, enter only with"
    " consent, don't block the door or wait it out, and point only to the official repayment"
    " channels. Ask me any time.",
    "PAID_ALREADY": "If you have already paid, keep the receipt and call the number on the back"
    " of your card or the official website to check it arrived; from now on pay only through"
    " the lender's own channels, never to a person.",
    "GROUP_DESPAIR_INVITE": "If you like, message me privately and take your time; I am here.",
    "RECALL_NOTHING": "You have not told me in this conversation which lender or how much (what"
    " is older than 24 hours is cleared). Tell me and I will keep it in mind.",
    "RECALL_GROUP": "I don't repeat lenders or figures in the group; ask me in a private chat.",
    "NIGHT_RULE": "From 22:00 to 08:00 they may not visit or call to collect without your consent"
    " (industry guideline); note the time, you can complain afterwards.",
    "STILL_THERE": "If they are still there: keep the door shut, say through it “I will call"
    " the bank myself to check”, and keep your phone recording. If they won't leave, threaten"
    " you or try to force their way in, call 110 at once.",
    "NOW_HERE": "Now that they are really here: don't open the door; ask through it for their"
    " work ID (工作证) and the bank's letter of authorisation (委托书); start recording; say"
    " “I will call the bank myself to check” and call the number on your card's back or the"
    " official website; don't transfer, scan or sign. If they threaten you, smash at the door"
    " or won't leave, call 110 at once.",
    "LET_IN": "If they are already inside, stay calm: don't block or argue; ask for their work"
    " ID (工作证) and the bank's letter of authorisation (委托书); sign nothing, transfer"
    " nothing, and film it all. You can ask them to leave; if they won't, threaten you or"
    " won't let you leave, call 110.",
    "CASE_MORE": "Reply “more” for each question's full answer and the rules behind it.",
    "CASE_HEAD": "[Question {number}/{total}: {title}]",
    "CASE_QUOTE": "Client's words: {words}",
    "CASE_BRIEF": "[Brief for the counsellor]",
    "CASE_SITUATION": "Situation: ",
    "CASE_KNOWN": "Known: ",
    "CASE_LENDER": "lender: {lender}",
    "CASE_AMOUNT": "about {amount} yuan",
    "CASE_OVERDUE": "about {months} months overdue",
    "CASE_PRESENT": "the collectors are there now",
    "CASE_RULES": "Rules (official Chinese titles): ",
    "CASE_ASK": "Ask the client: ",
    "PAPER_NO_PAYING": "Until you have checked, don't send a single yuan to a person or scan"
    " their code.",
    "ALSO_ABOUT": "If you meant {titles}, just tell me.",
    "ASK_PERIODS": "Over how many installments, or how much can you pay a month at most?"
    " (e.g. “36 installments” or “2000 a month”)",
    "RECEIVED_OF_LOAN": "You said you borrowed {amount} yuan but received only {received}: interest"
    " may not be taken out of the principal upfront, so the principal is the {received} you"
    " received and interest runs on that (Civil Code Art. 670); the extra taken can be"
    " negotiated, complained about or taken to court. Don't just stop paying.",
    "RECEIVED": "You said you received {received} yuan: interest may not be taken out of the"
    " principal upfront, so the principal is the {received} you received and interest runs on"
    " that (Civil Code Art. 670).",
    "STEPS_OFFER": "Reply “steps” for this topic's full steps ({title}).",
    "URGENT_OTHER_LATER": "Tell me about “{title}” once you are safe, and I'll go through it"
    " step by step.",
}
