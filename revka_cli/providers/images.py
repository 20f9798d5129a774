"""Images for vision models: `[IMAGE:...]` markers and `--image`, checked before any request."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path

from revka_cli.errors import UsageError

MARKER = re.compile(r"\[IMAGE:([^\]\s]+)\]")
ALLOWED = "png, jpeg, webp, gif, bmp"


@dataclass(frozen=True)
class Image:
    media_type: str
    data: bytes
    source: str  # a path, "data: URL" or the remote URL, for messages

    @property
    def b64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    @property
    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{self.b64}"


def sniff_media_type(data: bytes) -> str | None:
    """The image type from its first bytes, never from the file name."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:2] == b"BM" and len(data) > 26:
        return "image/bmp"
    return None


def extract_markers(text: str) -> tuple[str, list[str]]:
    """Remove `[IMAGE:ref]` markers from `text`; return the clean text and the refs in order."""
    refs = MARKER.findall(text)
    if not refs:
        return text, []
    clean = MARKER.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", clean).strip(), refs


def _checked(data: bytes, source: str, max_bytes: int) -> Image:
    if len(data) > max_bytes:
        raise UsageError(f"image {source} is {len(data) / 1e6:.1f} MB; the limit is "
                         f"{max_bytes / 1e6:g} MB", "shrink it, or raise [multimodal] max_image_size_mb")
    media_type = sniff_media_type(data)
    if media_type is None:
        raise UsageError(f"image {source} is not a supported image type", f"use {ALLOWED}")
    return Image(media_type, data, source)


def load_image(ref: str, *, max_bytes: int, allow_remote: bool, fetch=None) -> Image:
    """A path, a data: URL, or (only with allow_remote_fetch) an http(s) URL."""
    if ref.startswith("data:"):
        return _from_data_url(ref, max_bytes)
    if ref.lower().startswith(("http://", "https://")):
        if not allow_remote:
            raise UsageError(f"remote image {ref} needs remote fetching, which is off",
                             "download it first, or set [multimodal] allow_remote_fetch = true")
        return _checked(fetch(ref, max_bytes), ref, max_bytes)
    if "://" in ref:
        raise UsageError(f"image {ref} has an unsupported URL scheme", "use a file path, a data: URL "
                         "or an http(s) URL")
    return _from_file(Path(ref).expanduser(), ref, max_bytes)


def _from_file(path: Path, ref: str, max_bytes: int) -> Image:
    try:
        if path.is_dir():
            raise UsageError(f"image {ref} is a directory", "pass an image file")
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise UsageError(f"image not found: {ref}", "check the path") from None
    except PermissionError:
        raise UsageError(f"image {ref} cannot be read (permission denied)", "check its permissions") \
            from None
    except OSError as exc:
        raise UsageError(f"image {ref} cannot be read ({exc.strerror})", "check the path") from None
    return _checked(data, ref, max_bytes)


def _from_data_url(ref: str, max_bytes: int) -> Image:
    head, _, payload = ref.partition(",")
    if ";base64" not in head or not payload:
        raise UsageError("an inline image must be a base64 data: URL (data:image/png;base64,...)",
                         "encode the image as base64")
    if len(payload) > max_bytes * 4 // 3 + 8:
        raise UsageError(f"inline image is larger than {max_bytes / 1e6:g} MB",
                         "shrink it, or raise [multimodal] max_image_size_mb")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise UsageError("inline image data is not valid base64", "re-encode the image") from None
    return _checked(data, "data: URL", max_bytes)


def limit_images(images: list[Image], max_images: int) -> tuple[list[Image], int]:
    """Keep the newest `max_images`; return them and how many oldest ones were dropped."""
    if len(images) <= max_images:
        return images, 0
    return images[-max_images:], len(images) - max_images
