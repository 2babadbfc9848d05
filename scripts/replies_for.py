"""Send each message of a JSONL set to the bot (a new private chat each) and write the set back
with the bot's first-turn replies, for judging against each question's key points.

    .venv/bin/python scripts/replies_for.py IN.jsonl OUT.jsonl
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.config import Config
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.storage.sessions.memory import MemoryStore


async def main(src: Path, dst: Path) -> None:
    config = Config()
    config = config.model_copy(
        update={
            "sessions": config.sessions.model_copy(update={"store": "memory"}),
            "learning": config.learning.model_copy(update={"retrain_on_change": False}),
        }
    )
    understanding = Understanding.build(config)
    items = [json.loads(x) for x in src.read_text(encoding="utf-8").splitlines() if x.strip()]
    engine = Engine(config, understanding, MemoryStore(3600, len(items) + 10))
    with dst.open("w", encoding="utf-8") as out:
        for i, item in enumerate(items):
            response = await engine.handle(Incoming(user=f"q{i}", text=item["text"]))
            item["reply"] = "\n\n".join(response.replies)
            item["bot_intent"] = response.intent
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    await engine.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
