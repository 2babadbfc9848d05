"""Asked what they told: what the conversation remembers is said back (policies/recall.py) —
the lender and the figures only in private, the rest of the message answered after it."""

from __future__ import annotations

from bot.engine import Engine
from tests.harness import Chat


async def test_the_lender_and_the_figures_told_are_said_back(engine: Engine) -> None:
    chat = Chat(engine, user="recall-1")
    await chat.say("门口两个人说是招商银行的，说我欠了6万")
    await chat.say("其实是8万，逾期5个月")
    reply = await chat.text("刚才说的是哪家银行、多少钱来着？我脑子一片空白")
    assert "招商银行" in reply and "80,000" in reply and "5个月" in reply
    assert "6万" not in reply and "60,000" not in reply  # the corrected figure only


async def test_nothing_told_yet_is_said_so(engine: Engine) -> None:
    reply = await Chat(engine, user="recall-2").text("你还记得我欠的是哪家银行多少钱吗？")
    assert "还没告诉我" in reply


async def test_in_a_group_no_lender_or_figure_is_said_back(engine: Engine) -> None:
    chat = Chat(engine, user="recall-3", room="debt-group")
    await chat.say("光大信用卡欠了3万 催收说要去我老家", addressed=True)
    reply = "\n".join(await chat.say("你还记得我刚才说的吗", addressed=True))
    assert "光大" not in reply and "3万" not in reply and "30,000" not in reply
    assert "老家" in reply and "私聊" in reply


async def test_in_english_the_total_is_said_back_in_english(engine: Engine) -> None:
    chat = Chat(engine, user="recall-4")
    await chat.say("I owe Bank of China 45,000 yuan, collectors at my door")
    reply = await chat.text("Thanks. What was the total I told you again? I want to write it down.")
    assert "45,000" in reply and reply.startswith("What you told me")


async def test_a_question_beside_it_is_answered_after_it(engine: Engine) -> None:
    chat = Chat(engine, user="recall-5")
    await chat.say("平安银行信用卡欠了4万，催收在楼下堵我")
    reply = await chat.text("你还记得我欠的是哪家银行多少钱吗？我要写投诉材料，该怎么写")
    assert reply.startswith("你之前告诉我的：平安银行")
    assert "12378" in reply  # how to write the complaint: the question asked beside it
    assert "约定扣划" not in reply  # the recall words are not read as a question of their own


async def test_when_an_announced_visit_is_to_come_is_said_back(engine: Engine) -> None:
    chat = Chat(engine, user="recall-6")
    await chat.say("收到短信说我兴业银行信用卡逾期，三天后派人去我老家户籍地上门，我爸妈在老家")
    reply = await chat.text("我刚才说他们要去哪、几天后去，你还记得吗？")
    assert "三天后" in reply and "老家" in reply


async def test_searching_for_a_word_while_telling_is_no_recall_question(engine: Engine) -> None:
    """ "一个叫什么来着安逸花" searches for a word while telling: with nothing told before, the
    message is answered, not met with "what you told me"."""
    chat = Chat(engine, user="recall-telling")
    reply = await chat.text(
        "我借的那个叫什么来着，安逸花，借了两万块，现在还不上了，怎么跟他们协商？"
    )
    assert "你之前告诉我的" not in reply and "还没告诉我" not in reply, reply
    assert chat.last.intent is not None


async def test_the_monthly_amount_and_installments_told_are_said_back(engine: Engine) -> None:
    """ "我说我每月能还多少来着": the budget and the number of installments told are said back
    with the rest, in a private chat only."""
    chat = Chat(engine, user="recall-budget")
    await chat.say("我欠兴业银行信用卡4万")
    await chat.say("我一个月最多能还2000 想分24期")
    text = await chat.text("我说我每月能还多少来着")
    assert "每月最多能还2,000元" in text and "想分24期" in text
    group = Chat(engine, user="recall-budget-g", room="g-budget")
    await group.say("@助手 我一个月最多能还2000 想分24期", addressed=True)
    said = await group.text("@助手 我刚才说每月能还多少来着", addressed=True)
    assert "2,000" not in said and "2000" not in said


async def test_what_no_detail_holds_is_quoted_in_their_own_words(engine: Engine) -> None:
    """The number of cards, the place named in a threat: no detail holds them, so the
    person's own clause that does is said back (bot/conversation/told.py)."""
    chat = Chat(engine, user="recall-quote-1")
    await chat.say("失业三个月了，5张信用卡全面逾期，每天几十个催收电话")
    await chat.say("电话一天打十几次，这合法吗？")
    reply = await chat.text("我刚才说我一共有几张卡逾期？我想列个单子一家一家谈")
    assert "5张信用卡全面逾期" in reply
    chat = Chat(engine, user="recall-quote-2")
    await chat.say("催收发短信说知道我女儿在哪个学校上学，说要去学校找她")
    await chat.say("我借的是一家小贷公司，利息特别高")
    reply = await chat.text("刚才说他们要去哪儿找我女儿来着？")
    assert "说要去学校找她" in reply and "，" in reply  # the comma as it was written


async def test_a_quote_is_masked_and_never_said_in_a_group(engine: Engine) -> None:
    chat = Chat(engine, user="recall-quote-3")
    await chat.say("我手机13812345678一直被打，他们说要去我单位找我")
    reply = await chat.text("我刚才说他们要去哪儿找我？")
    assert "单位" in reply and "13812345678" not in reply
    group = Chat(engine, user="recall-quote-4", room="debt-group-q")
    await group.say("催收说要去我女儿学校找她", addressed=True)
    reply = "\n".join(await group.say("我刚才说他们要去哪儿找我女儿来着？", addressed=True))
    assert "你之前说的是" not in reply


async def test_the_asking_words_alone_are_not_a_question_of_what_was_told(engine: Engine) -> None:
    """Told by someone else or asked about their words: no recall."""
    chat = Chat(engine, user="recall-quote-5")
    await chat.say("我欠了中信银行3万")
    reply = await chat.text("催收之前说要起诉我，是真的吗")
    assert "你之前说的是" not in reply and "你之前告诉我的" not in reply


async def test_asking_back_is_no_warning_sign(engine: Engine) -> None:
    """A question about what was told is about the conversation itself: the danger words it
    repeats were answered when they were told (policies/urgency.py, step 4)."""
    chat = Chat(engine, user="recall-calm")
    await chat.say("欠了三张卡，招行2万、广发1万5、中信8千，催收说下周去我湖南老家找我爸妈")
    for question in ("我刚才说他们要去哪儿找我爸妈？", "我一共欠多少来着？"):
        reply = await chat.text(question)
        assert chat.last.tier == "calm", (question, reply)
        assert "12356" not in reply and "伤害自己" not in reply


async def test_in_english_the_total_asked_is_not_quoted_from_another_sentence(
    engine: Engine,
) -> None:
    chat = Chat(engine, user="recall-en-quote")
    await chat.say("I owe 150k across 6 apps and I can't sleep")
    await chat.say("My roommate is here with me. I just need a plan.")
    reply = await chat.text("What was the total I told you?")
    assert "150,000" in reply and "roommate" not in reply


async def test_asked_back_with_gang_or_shangmian_the_time_told_is_said_back(engine: Engine) -> None:
    """ "我刚说…几点", "我上面说…哪里": asking back by "刚" or "上面" is asking back too; the
    clause that holds the time or the place is quoted, never a new crisis line."""
    chat = Chat(engine, user="recall-gang")
    await chat.say("有人加我微信说是银行委托的催收，让我今天下午五点前还清，不然去公司找我")
    reply = await chat.text("我刚说他要我几点前还")
    assert "五点" in reply and "110" not in reply
    chat = Chat(engine, user="recall-shangmian")
    await chat.say("催收说要把我欠钱的截图发到朋友圈和村里的群")
    reply = await chat.text("我上面说他们要发到哪里")
    assert "朋友圈" in reply


async def test_a_figure_guessed_while_asking_back_does_not_replace_the_one_told(
    engine: Engine,
) -> None:
    """ "本金是多少来着，我记成5.6万了": the figure in the question is the person's guess; the
    one told before is said back, and kept."""
    chat = Chat(engine, user="guess-back")
    await chat.say("我欠招行4万6 逾期三个月了")
    text = "\n".join(await chat.say("我欠的本金是多少来着，我记成5.6万了"))
    assert "46,000" in text and "56,000" not in text, text
    text = "\n".join(await chat.say("我刚才说欠多少来着"))
    assert "46,000" in text, text


async def test_a_corrected_figure_is_heard_not_read_as_a_question(engine: Engine) -> None:
    """ "不对 是5万" after a sum was told: the correction is noted, never a topic's answer
    guessed from its words."""
    chat = Chat(engine, user="corrected")
    await chat.say("我欠招行4万6")
    text = "\n".join(await chat.say("不对 是5万"))
    assert "50,000" in text and "记下了" in text, text
    assert "恶意透支" not in text


async def test_a_recall_with_a_calculation_asked_gets_both(engine: Engine) -> None:
    """ "我刚才说我一个月工资多少来着 帮我算算还完还剩多少": the income said back (no earlier
    sentence quoted), then the calculation with what the income less the costs leaves after
    the payment."""
    chat = Chat(engine, user="recall-calc")
    await chat.say("我欠招行信用卡8万，每个月工资6000，房租1500，想和银行谈分期，一般能分多少期")
    await chat.say("分60期的话每个月大概要还多少")
    text = "\n".join(await chat.say("我刚才说我一个月工资多少来着 帮我算算还完还剩多少"))
    assert "6,000" in text and "你之前说的是" not in text, text
    assert "3,166.67" in text and "还剩" in text, text
