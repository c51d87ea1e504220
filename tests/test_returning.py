"""A member who comes back to a full mailbox gets a few messages at a time and is told how many
more wait, instead of a wall of messages."""

from __future__ import annotations

from dialogs.kit import Message, TextBlock, plain
from tests.conversation import User, Workspace, deliver


async def test_a_full_mailbox_comes_two_at_a_time(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    await anna.say("hallo")
    async with Workspace(runtime) as ws:
        for number in range(1, 6):
            await ws.outbox.notify("anna", [Message(blocks=[TextBlock(
                text=plain(f"Bericht {number}"))])], key=f"test:{number}")
    await deliver(runtime)
    out = await anna.say("hallo")
    assert "Bericht 1" in out and "Bericht 2" in out and "Bericht 3" not in out
    assert "Er wachten nog 3 berichten" in out and "Waarmee kan ik je helpen" in out
    out = await anna.say("berichten")
    assert "Bericht 3" in out and "Bericht 4" in out and "nog 1 bericht;" in out
    out = await anna.say("berichten")
    assert "Bericht 5" in out and "wachten nog" not in out
    assert "Er wachten geen berichten" in await anna.say("berichten")
