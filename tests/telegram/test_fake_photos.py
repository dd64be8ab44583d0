"""The fake Bot API's photos and albums, driven by the real python-telegram-bot client: it takes
what Telegram takes (sendMediaGroup with 2 to 10 uploaded photos) and refuses what Telegram
refuses (a photo over 10 MB, width + height over 10000, sides over 20 to 1)."""

from __future__ import annotations

import struct
import zlib

import pytest
from telegram import Bot, InputMediaPhoto
from telegram.constants import ParseMode
from telegram.error import BadRequest

from fakes.telegram_api import FakeTelegram, Upload
from tests.telegram.test_fake_api import CHAT, bot, fake, png  # noqa: F401


def big_png(width: int, height: int) -> bytes:
    """A valid PNG of any size in pixels, in a few bytes (one compressed run of zeros)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\0" * ((width + 1) * height), 9)
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


async def test_an_album_of_uploaded_photos_is_one_message_each_with_its_caption(fake: FakeTelegram, bot: Bot) -> None:
    first, second = png(64, 32), png(32, 64)
    sent = await bot.send_media_group(
        CHAT, [InputMediaPhoto(first, caption="<i>one</i>", parse_mode=ParseMode.HTML), InputMediaPhoto(second, caption="two")]
    )
    assert [(m.caption, m.photo[-1].width, m.photo[-1].height) for m in sent] == [("one", 64, 32), ("two", 32, 64)]
    assert sent[0].media_group_id == sent[1].media_group_id is not None
    [call] = fake.sent("sendMediaGroup")
    uploads = [call.params[item["media"].removeprefix("attach://")] for item in call.params["media"]]
    assert all(isinstance(upload, Upload) for upload in uploads) and [u.data for u in uploads] == [first, second]
    again = await bot.send_media_group(CHAT, [InputMediaPhoto(m.photo[-1].file_id) for m in sent])  # by file id
    assert [m.photo[-1].file_id for m in again] == [m.photo[-1].file_id for m in sent]


@pytest.mark.parametrize("count", [1, 11])
async def test_an_album_holds_two_to_ten_photos(bot: Bot, count: int) -> None:
    with pytest.raises(BadRequest, match="2 to 10"):
        await bot.send_media_group(CHAT, [InputMediaPhoto(png()) for _ in range(count)])


@pytest.mark.parametrize(
    ("photo", "refusal"),
    [
        (big_png(5200, 4900), "Photo_invalid_dimensions"),  # width + height over 10000
        (big_png(2100, 100), "Photo_invalid_dimensions"),  # 21 to 1
        (png() + b"\0" * (10 * 1024 * 1024), "File is too big"),  # over 10 MB
    ],
)
async def test_a_photo_over_telegrams_limits_is_refused(bot: Bot, photo: bytes, refusal: str) -> None:
    with pytest.raises(BadRequest, match=refusal):
        await bot.send_photo(CHAT, photo)
