"""Every kind of detail survives a real store, through a real conversation (the JSON trap:
a value that is not plain JSON would pass in memory and fail on SQLite or Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import SessionsConfig
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.storage.factory import open_store
from bot.understanding.details import Details
from tests.fakes.redis_server import RedisServer
from tests.harness import memory_config, stored_session

#: A message that states each kind of detail, and the value it must leave in the session.
MESSAGES: list[tuple[str, str, object]] = [
    ("amount", "我欠了3万5", 35000.0),
    ("amount_approx", "大概欠5万多", True),
    ("months", "想分24期", 24),
    ("lender", "欠招行的", "招商银行"),
    ("lenders", "欠招行和花呗的钱", ["招商银行", "花呗"]),
    ("overdue_months", "逾期3个月了", 3),
    ("overdue_approx", "逾期一年多了", True),
    ("present", "催收的人在我家门口", True),
    ("role", "我是做外访的 想问问规矩", "staff"),
    ("credentials", "他们没出示证件", False),
    ("police", "报警了", "called"),
    ("left", "他们走了", True),
    ("let_in", "我妈让他们进来了", True),
    ("paid", "我已经转了2000到他个人账户", "personal"),
    ("document", "要我签一份还款承诺书", "还款承诺书"),
    ("place", "他们说要去我单位找我", "workplace"),
    ("night", "晚上11点了还有人在门口敲门", True),
    ("visit_when", "催收说三天后派人上门", "三天后"),
    ("signed", "我已经签了", True),
    ("annual_rate", "借了8万 日息万五 想分24期", 0.1825),
    ("rate_written", "借了8万 月息1分 想分24期", "月息1分"),
    ("debts", "招行2万 还有平安1万8 想分期", [("招商银行", 20000.0), ("平安银行", 18000.0)]),
    ("budget", "欠3万 每月最多能还1500", 1500.0),
    ("income", "工资5500 房租1500 能拿出多少来还", 5500.0),
    ("costs", "工资5500 房租1500 吃饭一千二", [("房租", 1500.0), ("吃饭", 1200.0)]),
    ("received", "在一个小app借了3000，到手只有2100", 2100.0),
    ("repaid", "欠招行5万 昨天在手机银行还了5000", 5000.0),
    ("down_payment", "欠3万 首付5000 剩下分期", 5000.0),
    ("down_share", "欠3万 先付10% 剩下分12期", 0.1),
    ("convention", "欠3万 等额本金分12期", "等额本金"),
    ("lender_type", "借呗逾期两个月了", "licensed_online"),
]


def test_every_detail_field_has_a_message() -> None:
    assert {f.name for f in fields(Details)} == {m[0] for m in MESSAGES}


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def sessions_config(
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> AsyncIterator[SessionsConfig]:
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        yield SessionsConfig(store="redis", redis_url=server.url)
    else:
        yield SessionsConfig(store=request.param, sqlite_path=str(tmp_path / "s.sqlite3"))


@pytest.mark.parametrize(("field", "said", "value"), MESSAGES, ids=[m[0] for m in MESSAGES])
async def test_a_detail_said_in_a_conversation_is_kept_by_the_store(
    understanding: Understanding,
    sessions_config: SessionsConfig,
    field: str,
    said: str,
    value: object,
) -> None:
    config = memory_config(sessions=sessions_config)
    store = await open_store(sessions_config)
    engine = Engine(config, understanding, store)
    try:
        user = f"detail-{field}"
        await engine.handle(Incoming(user=user, text=said))
        session = await stored_session(engine, engine.session_key(Incoming(user=user, text="")))
        assert session is not None
        assert session.details.as_dict().get(field) == value, session.details
    finally:
        await engine.close()
