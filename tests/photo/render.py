"""Synthetic photos for the photo tests: letters, work IDs, SMS screenshots and QR codes drawn
with Pillow and the Chinese font scripts/test.sh installs, with phone-like damage on demand."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def font(size: int) -> ImageFont.FreeTypeFont:
    """The Chinese font (the tests skip without it: scripts/test.sh installs it)."""
    if not FONT_PATH.exists():
        pytest.skip("fonts-wqy-microhei is not installed (scripts/test.sh installs it)")
    return ImageFont.truetype(str(FONT_PATH), size)


def letter(
    lines: Sequence[str],
    *,
    width: int = 1240,
    size: int = 34,
    seal: str | None = None,
    qr: str | None = None,
) -> Image.Image:
    """A printed letter: black text on white paper, optionally a red seal and a QR code."""
    line_height = int(size * 1.9)
    height = max(900, 120 + line_height * len(lines) + (360 if qr else 0) + (120 if seal else 0))
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    face = font(size)
    y = 80
    for index, line in enumerate(lines):
        x = (width - draw.textlength(line, font=face)) / 2 if index == 0 else 90
        draw.text((x, y), line, fill=(20, 20, 20), font=face)
        y += line_height
    if seal:
        draw.ellipse((width - 420, y - 40, width - 120, y + 260), outline=(200, 30, 30), width=6)
        draw.text((width - 360, y + 90), seal, fill=(200, 30, 30), font=font(26))
        y += 280
    if qr:
        code = qr_image(qr, 300)
        image.paste(code, (90, y + 20))
    return image


def work_id(name: str, company: str, number: str, role: str = "外访专员") -> Image.Image:
    """A work ID card: company, title, name, role and number, with a grey photo box."""
    image = Image.new("RGB", (1000, 640), (235, 242, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1000, 110), fill=(30, 80, 160))
    draw.text((40, 30), company, fill="white", font=font(40))
    draw.text((400, 140), "工作证", fill=(20, 20, 20), font=font(56))
    draw.rectangle((60, 160, 320, 500), fill=(180, 180, 180))
    face = font(38)
    for index, line in enumerate((f"姓名：{name}", f"职务：{role}", f"工号：{number}")):
        draw.text((400, 260 + index * 80), line, fill=(20, 20, 20), font=face)
    return image


def sms_screenshot(sender: str, messages: Sequence[str], *, width: int = 1080) -> Image.Image:
    """A phone's SMS screen: a title bar with the sender, then grey message bubbles."""
    face = font(40)
    wrapped = [_wrap(m, face, width - 260) for m in messages]
    height = 360 + sum(70 + 58 * len(w) for w in wrapped)
    image = Image.new("RGB", (width, max(height, 1400)), (246, 246, 246))
    draw = ImageDraw.Draw(image)
    draw.text((40, 20), "10:42", fill=(20, 20, 20), font=font(34))
    draw.rectangle((0, 90, width, 220), fill=(255, 255, 255))
    draw.text(
        ((width - draw.textlength(sender, font=font(44))) / 2, 125),
        sender,
        fill=(20, 20, 20),
        font=font(44),
    )
    draw.text((width / 2 - 90, 250), "短信 今天 上午9:15", fill=(140, 140, 140), font=font(28))
    y = 320
    for lines in wrapped:
        bubble_height = 40 + 58 * len(lines)
        draw.rounded_rectangle(
            (40, y, width - 180, y + bubble_height), radius=28, fill=(229, 229, 234)
        )
        for index, line in enumerate(lines):
            draw.text((75, y + 20 + 58 * index), line, fill=(20, 20, 20), font=face)
        y += bubble_height + 30
    return image


def payment_code(payload: str, title: str = "二维码收款", name: str = "张*明") -> Image.Image:
    """A WeChat/Alipay-style collection code: a title, a QR code and the holder's name."""
    image = Image.new("RGB", (900, 1200), (26, 173, 25))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((80, 120, 820, 1080), radius=30, fill="white")
    draw.text((330, 170), title, fill=(20, 20, 20), font=font(48))
    image.paste(qr_image(payload, 520), (190, 290))
    draw.text((360, 860), name, fill=(20, 20, 20), font=font(40))
    draw.text((260, 950), "扫一扫，向我付钱", fill=(120, 120, 120), font=font(36))
    return image


def qr_image(payload: str, size: int) -> Image.Image:
    """A QR code for ``payload`` (OpenCV's encoder: no extra package)."""
    import cv2

    encoder = cv2.QRCodeEncoder.create()
    matrix = encoder.encode(payload)
    code = Image.fromarray(matrix).convert("RGB")
    border = Image.new("RGB", (code.width + 8, code.height + 8), "white")
    border.paste(code, (4, 4))
    return border.resize((size, size), Image.Resampling.NEAREST)


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for char in text:
        if face.getlength(line + char) > width:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines


def phone_photo(
    image: Image.Image,
    *,
    angle: float = 3.0,
    blur: float = 1.0,
    noise: int = 12,
    seed: int = 7,
    scale: float = 1.0,
) -> Image.Image:
    """The same paper as a phone would take it: tilted, a little blurred, uneven light, noise."""
    rng = random.Random(seed)
    if scale != 1.0:
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    image = image.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(150, 140, 125)
    )
    image = image.filter(ImageFilter.GaussianBlur(blur))
    shade = Image.linear_gradient("L").resize(image.size).point(lambda v: 215 + v * 40 // 255)
    image = Image.composite(image, Image.new("RGB", image.size, (0, 0, 0)), shade)
    noisy = Image.effect_noise(image.size, noise).convert("RGB")
    image = Image.blend(image, noisy, 0.08 + rng.random() * 0.02)
    return image


def encode(image: Image.Image, fmt: str = "JPEG", quality: int = 85) -> bytes:
    """The image as file bytes, as a phone would send them."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, fmt, quality=quality)
    else:
        image.save(out, fmt)
    return out.getvalue()
